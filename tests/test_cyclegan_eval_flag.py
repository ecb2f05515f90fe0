"""--eval (the official test's flag) in test, translate and export, on a run trained with
--norm=batch, against the float64 NumPy network (tests/cyclegan_numpy_reference.py) with
the checkpoint's weights: without it the official networks stay in train mode and run one
test image at a time, so each image is normalised with its own statistics; with it the
batch norms use their running statistics. Test mode translates 4 images a batch and the
SavedModel here gets 2 at once: the outputs must still be those of one image at a time.
The checkpoint is never modified."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from cyclegan_numpy_reference import Norm, np_resnet_generator
from PIL import Image
from test_cyclegan_driver import run_driver

from cyclegan_tf import data, snapshots
from cyclegan_tf import images as image_io
from cyclegan_tf.config import ModelConfig, RunConfig
from cyclegan_tf.train import load_images, train

SIZE = 24
N_BLOCKS = 1
N_TEST = 5  # test mode's batches of 4: one of 4 images and one of 1


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A tiny --norm=batch run: 2 epochs of 4 steps, so the running statistics moved far
    from any test image's own."""
    workdir = tmp_path_factory.mktemp("run")
    config = RunConfig(
        workdir=str(workdir),
        dataset="synthetic_facades",
        synthetic_train=4,
        synthetic_test=N_TEST,
        load_size=28,
        crop_size=SIZE,
        model=ModelConfig(
            n_blocks=N_BLOCKS,
            ngf=4,
            ndf=4,
            n_layers_d=2,
            norm="batch",
            pool_size=2,
            n_epochs=1,
            n_epochs_decay=1,
        ),
        seed=4,
        sample_every=0,
        n_samples=1,
        run_eagerly=True,
        progress_interval=0.0,
    )
    train(config)
    return workdir


def generator_weights(run_dir) -> dict[str, dict[str, list[np.ndarray]]]:
    """Each generator's weights by layer name, in float64, as the checkpoint holds them."""
    config = snapshots.load_run_config(str(run_dir))
    prefix = snapshots.resolve_checkpoint(str(run_dir), None)
    return {
        g.name: {
            layer.name: [np.asarray(w, np.float64) for w in layer.get_weights()]
            for layer in g.layers
            if layer.get_weights()
        }
        for g in snapshots.restore_generators(config, prefix, eval_mode=True)
    }


def reference(images, weights, eval_flag: bool) -> np.ndarray:
    """uint8 translations of a batch: on the running statistics (--eval), or the network
    in train mode on one image at a time."""
    images = np.asarray(images, np.float64)
    if eval_flag:
        out = np_resnet_generator(images, weights, N_BLOCKS, norm=Norm("batch", weights, False))
    else:
        out = np.concatenate(
            [
                np_resnet_generator(
                    image[None], weights, N_BLOCKS, norm=Norm("batch", weights, True)
                )
                for image in images
            ]
        )
    return image_io.to_uint8(out)


def checkpoint_files(run_dir) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((run_dir / "checkpoints").iterdir())}


def read_png(path) -> np.ndarray:
    return np.asarray(Image.open(path)).astype(int)


@pytest.mark.parametrize("eval_flag", [False, True])
def test_test_translate_and_export_follow_eval(run_dir, tmp_path, eval_flag):
    flags = ["--eval"] if eval_flag else []
    weights = generator_weights(run_dir)
    checkpoints = checkpoint_files(run_dir)
    config = snapshots.load_run_config(str(run_dir))
    transform = config.inference_transform()

    # Test mode: every test image of both domains.
    run_driver(["--mode=test", f"--workdir={run_dir}", *flags])
    images = load_images(config)
    real_a, real_b = next(iter(data.test_dataset(images.test_a, images.test_b, transform, N_TEST)))
    for real, domain, folder, name in (
        (real_a, images.test_a, "B", "G_AB"),
        (real_b, images.test_b, "A", "G_BA"),
    ):
        want = reference(real, weights[name], eval_flag)
        # The other statistics give other pixels: the comparison can fail.
        assert np.abs(want.astype(int) - reference(real, weights[name], not eval_flag)).max() > 8
        for i, file in enumerate(domain.names):
            written = read_png(run_dir / "output" / folder / (file.rsplit(".", 1)[0] + ".png"))
            assert np.abs(written - want[i]).max() <= 1, (folder, file)
    metrics = json.loads((run_dir / "output" / "metrics.json").read_text())
    assert ("running statistics" in metrics["batch_norm_statistics"]) == eval_flag

    # Translate: the user's files, one at a time.
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    rng = np.random.default_rng(5)
    pixels = rng.integers(0, 256, (2, SIZE, SIZE, 3), dtype=np.uint8)
    for i, image in enumerate(pixels):
        Image.fromarray(image).save(inputs / f"{i}.png")
    output = f"--output={tmp_path}/t"
    run_driver(["--mode=translate", f"--workdir={run_dir}", f"--input={inputs}", output, *flags])
    prepared = transform(tf.constant(pixels, tf.float32)).numpy()
    want = reference(prepared, weights["G_AB"], eval_flag)
    for i in range(2):
        assert np.abs(read_png(tmp_path / "t" / f"{i}.png") - want[i]).max() <= 1

    # Export: the SavedModel given both images at once, and the .keras files.
    run_driver(["--mode=export", f"--workdir={run_dir}", f"--output={tmp_path}/e", *flags])
    served = tf.saved_model.load(str(tmp_path / "e" / "saved_model"))
    out = served.signatures["a_to_b"](image=tf.constant(pixels))["image"].numpy()
    assert np.abs(out.astype(int) - want).max() <= 1
    restored = keras.models.load_model(tmp_path / "e" / "G_AB.keras")
    norms = [layer for layer in restored.layers if layer.name.endswith(("norm", "norm1", "norm2"))]
    assert norms and all(layer.use_running_statistics == eval_flag for layer in norms)
    got = image_io.to_uint8(restored(prepared.astype(np.float32), training=False))
    assert np.abs(got.astype(int) - want).max() <= 1

    assert checkpoint_files(run_dir) == checkpoints  # the running statistics as trained
