"""``--mode=test``: translate the test split with the saved generators and score aligned pairs.

As the seed's test script: output/A/%04d.png holds G_BA(real B) and output/B/%04d.png holds
G_AB(real A), in [0, 255]. For aligned data (facades, synthetic facades, a folder whose test
names pair up) each translation is compared with its ground-truth pair: mean L1, PSNR and SSIM
(tf.image, on [0, 1] pixels), with "copy the input" as a baseline row. Where B is a label
map (facades, synthetic facades, or ``--label_palette``), G_AB's outputs are also scored as a
segmentation (:mod:`cyclegan_tf.label_metrics`): per-pixel accuracy, mean class accuracy and
mean class IoU, the protocol CycleGAN and pix2pix use for photo -> labels.
"""

from __future__ import annotations

import json
import os

import numpy as np
import tensorflow as tf
from absl import logging

from cyclegan_tf import baselines, data, label_metrics
from cyclegan_tf import images as image_io
from cyclegan_tf.config import RunConfig
from cyclegan_tf.generator import ResnetGenerator
from cyclegan_tf.train import load_images

# Rows of the metrics table: each model row followed by its trivial references.
ROW_NAMES = {
    "A→B": "A→B: G_AB(real A) vs real B",
    "A→B mean": "baseline: mean training B",
    "A→B copy": "baseline: real A as B",
    "B→A": "B→A: G_BA(real B) vs real A",
    "B→A mean": "baseline: mean training A",
    "B→A copy": "baseline: real B as A",
}
LABEL_ROW_NAMES = {
    "A→B": "G_AB(real A) vs real B",
    "A→B majority": "baseline: majority class everywhere",
    "A→B copy": "baseline: real A as B",
}


def pair_metrics(pred: tf.Tensor, target: tf.Tensor) -> dict[str, np.ndarray]:
    """Per-image L1, PSNR and SSIM of [-1, 1] batches, measured on [0, 1] pixels."""
    p = (tf.cast(pred, tf.float32) + 1.0) / 2.0
    t = (tf.cast(target, tf.float32) + 1.0) / 2.0
    return {
        "l1": tf.reduce_mean(tf.abs(p - t), axis=[1, 2, 3]).numpy(),
        "psnr": tf.image.psnr(p, t, max_val=1.0).numpy(),
        "ssim": tf.image.ssim(p, t, max_val=1.0).numpy(),
    }


def _markdown_table(columns: list[tuple[str, str, str]], rows: list[dict]) -> str:
    """A Markdown table: ``columns`` of (header, key, format); numbers right-aligned."""
    lines = [
        "| " + " | ".join(header for header, _, _ in columns) + " |",
        "| --- |" + " ---: |" * (len(columns) - 1),
    ]
    for row in rows:
        lines.append("| " + " | ".join(fmt.format(row[key]) for _, key, fmt in columns) + " |")
    return "\n".join(lines)


def format_table(rows: list[dict]) -> str:
    columns = [("translation", "name", "{}"), ("images", "n", "{}"), ("mean L1", "l1", "{:.4f}")]
    columns += [("PSNR (dB)", "psnr", "{:.2f}"), ("SSIM", "ssim", "{:.4f}")]
    return _markdown_table(columns, rows)


def format_label_table(rows: list[dict]) -> str:
    columns = [("photo → labels", "name", "{}"), ("images", "n", "{}")]
    columns += [
        ("pixel accuracy", "pixel_accuracy", "{:.4f}"),
        ("mean class accuracy", "mean_class_accuracy", "{:.4f}"),
        ("mean class IoU", "mean_iou", "{:.4f}"),
    ]
    return _markdown_table(columns, rows)


def _palette_name(config: RunConfig, images: data.ImageSet) -> str | None:
    if config.label_palette == "none":
        return None
    if config.label_palette == "auto":
        return images.label_palette
    return config.label_palette


def evaluate(config: RunConfig) -> dict:
    """Restores G_AB and G_BA from ``config.workdir`` and translates the test split."""
    config_path = os.path.join(config.workdir, "config.json")
    if not os.path.exists(config_path):
        raise ValueError(f"--workdir={config.workdir}: no trained run here (no config.json)")
    saved = RunConfig.load(config_path)
    # The architecture is the trained one; data flags of this command may point elsewhere.
    config.crop_size, config.model = saved.crop_size, saved.model
    ckpt_dir = os.path.join(config.workdir, "checkpoints")
    latest = tf.train.latest_checkpoint(ckpt_dir)
    if latest is None:
        raise ValueError(f"{ckpt_dir}: no checkpoint to test")
    g_ab = ResnetGenerator(saved.model.n_blocks, saved.model.upsample, name="G_AB")
    g_ba = ResnetGenerator(saved.model.n_blocks, saved.model.upsample, name="G_BA")
    tf.train.Checkpoint(g_ab=g_ab, g_ba=g_ba).restore(
        latest
    ).expect_partial().assert_existing_objects_matched()
    logging.info("testing generators of %s", latest)

    images = load_images(config)
    out_dir = os.path.join(config.workdir, "output")
    translate = tf.function(lambda a, b: (g_ab(a, training=False), g_ba(b, training=False)))
    baseline_size = saved.crop_size
    mean_b = baselines.mean_image(images.train_b, baseline_size) if images.aligned else None
    mean_a = baselines.mean_image(images.train_a, baseline_size) if images.aligned else None
    scores = {k: {m: [] for m in ("l1", "psnr", "ssim")} for k in ROW_NAMES}
    palette_name = _palette_name(config, images) if images.aligned else None
    palette = (
        np.array(list(label_metrics.PALETTES[palette_name].values()))
        if palette_name is not None
        else None
    )
    majority = (
        baselines.majority_class(images.train_b, baseline_size, palette)
        if palette is not None
        else None
    )
    confusions = {key: 0 for key in LABEL_ROW_NAMES}
    i = 0
    for real_a, real_b in data.test_dataset(images.test_a, images.test_b, saved.crop_size, batch=4):
        fake_b, fake_a = translate(real_a, real_b)
        n = int(real_a.shape[0])
        for j in range(n):
            image_io.save_png(fake_a[j], os.path.join(out_dir, "A", f"{i + j + 1:04d}.png"))
            image_io.save_png(fake_b[j], os.path.join(out_dir, "B", f"{i + j + 1:04d}.png"))
        i += n
        if images.aligned:
            for key, pred, target in (
                ("A→B", fake_b, real_b),
                ("A→B mean", baselines.constant_batch(mean_b, n), real_b),
                ("A→B copy", real_a, real_b),
                ("B→A", fake_a, real_a),
                ("B→A mean", baselines.constant_batch(mean_a, n), real_a),
                ("B→A copy", real_b, real_a),
            ):
                for m, v in pair_metrics(pred, target).items():
                    scores[key][m].extend(v.tolist())
        if palette is not None:
            truth = label_metrics.snap_to_palette(real_b.numpy(), palette)
            for key, predicted in (
                ("A→B", label_metrics.snap_to_palette(np.asarray(fake_b), palette)),
                ("A→B majority", np.full_like(truth, majority)),
                ("A→B copy", label_metrics.snap_to_palette(real_a.numpy(), palette)),
            ):
                confusions[key] = confusions[key] + label_metrics.confusion_matrix(
                    predicted, truth, len(palette)
                )
    logging.info("wrote %d translations each to %s/A and %s/B", i, out_dir, out_dir)
    result = {
        "checkpoint": latest,
        "images": i,
        "aligned": images.aligned,
        "data": images.description,
        "rows": [],
    }
    if not images.aligned:
        logging.info("test pairs are not aligned: no paired metrics")
        return result
    for key, values in scores.items():
        result["rows"].append(
            {
                "name": ROW_NAMES[key],
                "n": len(values["l1"]),
                **{m: float(np.mean(v)) for m, v in values.items()},
            }
        )
    table = format_table(result["rows"])
    if palette is not None:
        result["label_palette"] = palette_name
        result["label_rows"] = [
            {
                "name": name,
                "n": i,
                **label_metrics.segmentation_scores(confusions[key]),
            }
            for key, name in LABEL_ROW_NAMES.items()
        ]
        result["majority_class"] = list(label_metrics.PALETTES[palette_name])[majority]
        table += (
            f"\n\nLabel maps snapped to the {palette_name} palette "
            f"({len(palette)} classes):\n\n" + format_label_table(result["label_rows"])
        )
    print(table)
    with open(os.path.join(out_dir, "metrics.md"), "w") as f:
        f.write(f"Test split of {images.description}, generators of {latest}\n\n{table}\n")
    with open(os.path.join(out_dir, "metrics.json"), "w") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
    return result
