"""``--mode=test``: translate the test split with the saved generators and score aligned pairs.

Every test image of both domains is translated under its own name: output/B/<name>.png
holds G_AB(testA/<name>) and output/A/<name>.png holds G_BA(testB/<name>) (the seed's
folders; the official test's coverage and names). For aligned data (facades, synthetic
facades, a folder whose test names pair up) each translation is compared with its
ground-truth pair: mean L1, PSNR and SSIM (tf.image, on [0, 1] pixels), beside trivial
references (:mod:`cyclegan_tf.baselines`): the mean training image of the target domain and
a copy of the input. Where B is a label map (facades, synthetic facades, or
``--label_palette``), G_AB's outputs are also scored as a segmentation
(:mod:`cyclegan_tf.label_metrics`): per-pixel accuracy, mean class accuracy and mean class
IoU, the protocol CycleGAN and pix2pix use for photo -> labels, beside the majority class
painted everywhere and the copied photo.
"""

from __future__ import annotations

import json
import os

import numpy as np
import tensorflow as tf
from absl import logging

from cyclegan_tf import baselines, data, label_metrics, snapshots
from cyclegan_tf import images as image_io
from cyclegan_tf.config import RunConfig
from cyclegan_tf.normalization import inference_note, inference_statistics
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


def at_size_of(pred, target, method: str = "bicubic") -> tf.Tensor:
    """The float32 batch ``pred`` at the height and width of ``target``: resized when they
    differ (the two images of a pair, when a run keeps each image's own shape)."""
    pred = tf.cast(pred, tf.float32)
    if pred.shape[1:3] == target.shape[1:3]:
        return pred
    return tf.image.resize(pred, target.shape[1:3], method=method, antialias=method != "nearest")


def pair_metrics(pred: tf.Tensor, target: tf.Tensor) -> dict[str, np.ndarray]:
    """Per-image L1, PSNR and SSIM of [-1, 1] batches, measured on [0, 1] pixels at the
    target's size (:func:`at_size_of`)."""
    p = (at_size_of(pred, target) + 1.0) / 2.0
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


def _snapped_like(image, truth, palette: np.ndarray) -> np.ndarray:
    """Class indices of ``image`` at ``truth``'s size (nearest: no colour between classes)."""
    return label_metrics.snap_to_palette(at_size_of(image, truth, "nearest").numpy(), palette)


def _translated_name(name: str) -> str:
    return os.path.splitext(os.path.basename(name))[0] + ".png"


def evaluate(config: RunConfig, checkpoint: str | None = None, eval_mode: bool = False) -> dict:
    """Restores G_AB and G_BA from ``config.workdir`` (the latest checkpoint, or the one
    ``checkpoint`` names, see :func:`snapshots.resolve_checkpoint`) and translates every
    test image of both domains, keeping their names: ``output/B/<name>.png`` is
    G_AB(testA/<name>), ``output/A/<name>.png`` is G_BA(testB/<name>) (the data's domains,
    whichever ``--direction`` the run trained). Images are prepared by
    ``config.inference_transform()``: at the trained ``--crop_size``, or keeping their shape
    for ``--preprocess=scale_width|none``. ``eval_mode``: the official ``--eval``, what
    batch norms normalise with (:func:`snapshots.restore_generators`); the metrics say which
    (``batch_norm_statistics``, for ``--norm=batch`` runs only)."""
    saved = snapshots.load_run_config(config.workdir)
    # The architecture is the trained one; data flags of this command may point elsewhere.
    config.crop_size, config.model = saved.crop_size, saved.model
    latest = snapshots.resolve_checkpoint(config.workdir, checkpoint)
    g_ab, g_ba = snapshots.restore_generators(saved, latest, eval_mode=eval_mode)
    statistics = inference_statistics(saved.model.norm, eval_mode)
    note = inference_note(saved.model.norm, eval_mode)
    logging.info("testing generators of %s%s", latest, note)

    images = load_images(config)
    out_dir = os.path.join(config.workdir, "output")
    size = saved.crop_size
    transform = config.inference_transform()
    side = None if transform.varying_size else size
    spec = [tf.TensorSpec([None, side, side, 3], tf.float32)]
    to_b = tf.function(lambda x: g_ab(x, training=False), input_signature=spec)
    to_a = tf.function(lambda x: g_ba(x, training=False), input_signature=spec)
    mean_b = baselines.mean_image(images.train_b, size) if images.aligned else None
    mean_a = baselines.mean_image(images.train_a, size) if images.aligned else None
    scores = {k: {m: [] for m in ("l1", "psnr", "ssim")} for k in ROW_NAMES}
    palette_name = _palette_name(config, images) if images.aligned else None
    palette = (
        np.array(list(label_metrics.PALETTES[palette_name].values()))
        if palette_name is not None
        else None
    )
    majority = (
        baselines.majority_class(images.train_b, size, palette) if palette is not None else None
    )
    confusions = {key: 0 for key in LABEL_ROW_NAMES}

    def save_translations(
        translated: tf.Tensor, domain: data.DomainImages, folder: str, start: int
    ) -> None:
        """Writes a batch of translations of ``domain``'s images start, start + 1, ..."""
        for j, image in enumerate(translated.numpy()):
            path = os.path.join(out_dir, folder, _translated_name(domain.names[start + j]))
            image_io.save_png(image, path)

    # Every test image of each domain (the official test mode covers max(|A|, |B|)). Aligned
    # data have domains of one length, index i pairing them: each pair is translated once,
    # for its files and its scores; unaligned domains are translated one after the other.
    if not images.aligned:
        for domain, folder, translate in (
            (images.test_a, "B", to_b),
            (images.test_b, "A", to_a),
        ):
            start = 0
            for batch in data.domain_dataset(domain, transform, batch=4):
                save_translations(translate(batch), domain, folder, start)
                start += int(batch.shape[0])
    start = 0
    pairs = data.test_dataset(images.test_a, images.test_b, transform, batch=4)
    for real_a, real_b in pairs if images.aligned else ():
        fake_b, fake_a = to_b(real_a), to_a(real_b)
        save_translations(fake_b, images.test_a, "B", start)
        save_translations(fake_a, images.test_b, "A", start)
        n = int(real_a.shape[0])
        start += n
        for key, pred, target in (
            ("A→B", fake_b, real_b),
            ("A→B mean", baselines.constant_batch(mean_b, n, real_b.shape[1:3]), real_b),
            ("A→B copy", real_a, real_b),
            ("B→A", fake_a, real_a),
            ("B→A mean", baselines.constant_batch(mean_a, n, real_a.shape[1:3]), real_a),
            ("B→A copy", real_b, real_a),
        ):
            for m, v in pair_metrics(pred, target).items():
                scores[key][m].extend(v.tolist())
        if palette is not None:
            truth = label_metrics.snap_to_palette(real_b.numpy(), palette)
            for key, predicted in (
                ("A→B", _snapped_like(fake_b, real_b, palette)),
                ("A→B majority", np.full_like(truth, majority)),
                ("A→B copy", _snapped_like(real_a, real_b, palette)),
            ):
                confusions[key] = confusions[key] + label_metrics.confusion_matrix(
                    predicted, truth, len(palette)
                )
    logging.info(
        "wrote %d translations to %s/B and %d to %s/A",
        len(images.test_a),
        out_dir,
        len(images.test_b),
        out_dir,
    )
    result = {
        "checkpoint": latest,
        "images": {"A": len(images.test_a), "B": len(images.test_b)},
        "aligned": images.aligned,
        "data": images.description,
        "rows": [],
    }
    if statistics:
        result["batch_norm_statistics"] = statistics
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
                "n": len(images.test_a),
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
    with tf.io.gfile.GFile(os.path.join(out_dir, "metrics.md"), "w") as f:
        f.write(f"Test split of {images.description}, generators of {latest}{note}\n\n{table}\n")
    with tf.io.gfile.GFile(os.path.join(out_dir, "metrics.json"), "w") as f:
        f.write(json.dumps(result, indent=1, ensure_ascii=False))
    return result
