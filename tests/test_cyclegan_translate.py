"""--mode=translate on the user's own files, snapshots picked with --checkpoint, and the
exported generators (.keras, and a SavedModel that runs without this package)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
from PIL import Image
from test_cyclegan_driver import error_line, run_driver

from cyclegan_tf import data, snapshots
from cyclegan_tf import images as image_io
from cyclegan_tf.config import ModelConfig, RunConfig
from cyclegan_tf.train import train
from cyclegan_tf.transforms import InferenceTransform

SIZE = 24


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A tiny trained run: 3 epochs of 2 steps (the last at learning rate 0, as the
    official schedule ends), a snapshot after each epoch."""
    workdir = tmp_path_factory.mktemp("run")
    config = RunConfig(
        workdir=str(workdir),
        dataset="synthetic_facades",
        synthetic_train=2,
        synthetic_test=1,
        load_size=28,
        crop_size=SIZE,
        model=ModelConfig(n_blocks=1, ngf=8, ndf=8, pool_size=0, n_epochs=3, n_epochs_decay=0),
        seed=3,
        sample_every=0,
        n_samples=1,
        save_epoch_freq=1,
        run_eagerly=True,
        progress_interval=0.0,
    )
    train(config)
    return workdir


def user_images(folder) -> dict[str, np.ndarray]:
    """Files as a user has them: several sizes, modes and formats."""
    folder.mkdir()
    rng = np.random.default_rng(0)
    arrays = {
        "photo.jpg": rng.integers(0, 256, (40, 30, 3), dtype=np.uint8),
        "gray.png": rng.integers(0, 256, (17, 50), dtype=np.uint8),
        "alpha.png": rng.integers(0, 256, (24, 24, 4), dtype=np.uint8),
        "scan.tif": rng.integers(0, 256, (32, 32, 3), dtype=np.uint8),
    }
    for name, array in arrays.items():
        Image.fromarray(array).save(folder / name)
    Image.fromarray(arrays["photo.jpg"]).convert("P").save(folder / "palette.gif")
    (folder / "notes.txt").write_text("not an image, and not an image name")
    return arrays


def expected_translation(run_dir, path, direction="AtoB", checkpoint=None) -> np.ndarray:
    """The file converted as training data are, through the restored generator, in uint8."""
    config = snapshots.load_run_config(str(run_dir))
    g_ab, g_ba = snapshots.restore_generators(
        config, snapshots.resolve_checkpoint(str(run_dir), checkpoint)
    )
    raw = data.check_image(str(path), path.read_bytes())[0]
    image = data.prepare_test_image(raw, InferenceTransform(SIZE))[None]
    generator = g_ab if direction == "AtoB" else g_ba
    return image_io.to_uint8(generator(image, training=False)[0])


def test_translate_a_folder_keeps_names_and_writes_an_index(run_dir, tmp_path):
    user_images(tmp_path / "mine")
    out = tmp_path / "out"
    run_driver(
        [
            "--mode=translate",
            f"--workdir={run_dir}",
            f"--input={tmp_path / 'mine'}",
            f"--output={out}",
            "--direction=BtoA",
        ]
    )
    names = ["alpha.png", "gray.png", "palette.png", "photo.png", "scan.png"]
    assert sorted(f for f in os.listdir(out) if f.endswith(".png")) == names
    assert sorted(os.listdir(out / "inputs")) == names
    page = (out / "index.html").read_text()
    for name, source in zip(
        names, ["alpha.png", "gray.png", "palette.gif", "photo.jpg", "scan.tif"], strict=True
    ):
        assert f'src="{name}"' in page and f'src="inputs/{name}"' in page and source in page
        written = np.asarray(Image.open(out / name))
        assert written.shape == (SIZE, SIZE, 3) and written.dtype == np.uint8
        expected = expected_translation(run_dir, tmp_path / "mine" / source, "BtoA")
        assert np.abs(written.astype(int) - expected).max() <= 1, name
    # G_BA, not G_AB, translated them.
    g_ab_output = expected_translation(run_dir, tmp_path / "mine" / "photo.jpg", "AtoB")
    assert np.abs(np.asarray(Image.open(out / "photo.png")).astype(int) - g_ab_output).max() > 1


def test_translate_reads_each_input_file_once(run_dir, tmp_path, monkeypatch):
    import tensorflow as tf

    from cyclegan_tf.translate import translate

    user_images(tmp_path / "mine")
    opened, real_gfile = [], tf.io.gfile.GFile

    def counting_gfile(name, mode="r"):
        if "mine" in str(name):
            opened.append(os.path.basename(name))
        return real_gfile(name, mode)

    monkeypatch.setattr(tf.io.gfile, "GFile", counting_gfile)
    written = translate(str(run_dir), str(tmp_path / "mine"), str(tmp_path / "out"), "AtoB", None)
    assert len(written) == 5
    assert sorted(opened) == ["alpha.png", "gray.png", "palette.gif", "photo.jpg", "scan.tif"]


def test_translate_one_file_with_a_chosen_snapshot(run_dir, tmp_path):
    assert sorted(os.listdir(run_dir / "snapshots")) == sorted(
        ["checkpoint"]
        + [f"epoch-{e}.{ext}" for e in (1, 2, 3) for ext in ("index", "data-00000-of-00001")]
    )
    user_images(tmp_path / "mine")
    source = tmp_path / "mine" / "photo.jpg"
    outputs = {}
    for checkpoint in ("1", "epoch-2"):
        out = tmp_path / f"out{checkpoint}"
        args = [f"--workdir={run_dir}", f"--input={source}", f"--output={out}"]
        run_driver(["--mode=translate", *args, f"--checkpoint={checkpoint}"])
        outputs[checkpoint] = np.asarray(Image.open(out / "photo.png")).astype(int)
        expected = expected_translation(run_dir, source, "AtoB", checkpoint)
        assert np.abs(outputs[checkpoint] - expected).max() <= 1, checkpoint
    # The snapshots differ (epoch 2 trained on); epoch 3 ran at rate 0, so the latest
    # state equals epoch 2.
    assert np.abs(outputs["1"] - outputs["epoch-2"]).max() > 1
    latest = expected_translation(run_dir, source, "AtoB")
    assert np.abs(outputs["epoch-2"] - latest).max() <= 1


def test_translate_bad_input_is_one_line_and_writes_nothing(run_dir, tmp_path):
    out = tmp_path / "out"
    base = ["--mode=translate", f"--workdir={run_dir}", f"--output={out}"]
    assert "--input=" in error_line([*base, f"--input={tmp_path / 'missing.jpg'}"])
    (tmp_path / "empty").mkdir()
    assert "no image files" in error_line([*base, f"--input={tmp_path / 'empty'}"])
    folder = tmp_path / "mixed"
    user_images(folder)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8 truncated")
    assert str(folder / "broken.jpg") in error_line([*base, f"--input={folder}"])
    (folder / "broken.jpg").unlink()
    Image.new("RGB", (8, 8)).save(folder / "photo.png")  # photo.jpg and photo.png collide
    assert "photo.png" in error_line([*base, f"--input={folder}"])
    message = error_line([*base, f"--input={folder}", "--checkpoint=epoch-9"])
    assert "--checkpoint=epoch-9" in message and "epoch-1" in message
    assert "--output" in error_line(["--mode=translate", f"--workdir={run_dir}", "--input=x"])
    assert "no trained run" in error_line(
        ["--mode=translate", f"--workdir={tmp_path / 'norun'}", f"--input={folder}"]
    )
    assert not out.exists() and not (tmp_path / "norun").exists()


# Run by a fresh interpreter that cannot import cyclegan_tf (nor the shared flags package):
# the SavedModel must need TensorFlow alone.
FRESH_PROCESS = textwrap.dedent(
    """
    import json, sys
    sys.modules["cyclegan_tf"] = None  # any import of the package now fails
    sys.modules["flags"] = None
    import numpy as np
    import tensorflow as tf

    loaded = tf.saved_model.load(sys.argv[1])
    image = np.load(sys.argv[2])
    outputs = {
        name: loaded.signatures[name](image=tf.constant(image))["image"].numpy().tolist()
        for name in ("serving_default", "a_to_b", "b_to_a")
    }
    json.dump(outputs, open(sys.argv[3], "w"))
    """
)


def test_export_runs_in_a_fresh_process_without_this_package(run_dir, tmp_path):
    out = tmp_path / "export"
    run_driver(["--mode=export", f"--workdir={run_dir}", f"--output={out}", "--direction=BtoA"])
    assert sorted(os.listdir(out)) == ["G_AB.keras", "G_BA.keras", "saved_model"]
    # A user's image, uint8, not the trained size: resized inside the signature.
    image = np.random.default_rng(1).integers(0, 256, (1, 37, 50, 3), dtype=np.uint8)
    np.save(tmp_path / "image.npy", image)
    Image.fromarray(image[0]).save(tmp_path / "image.png")
    script = tmp_path / "fresh.py"
    script.write_text(FRESH_PROCESS)
    result = subprocess.run(
        [
            sys.executable,
            str(script),
            str(out / "saved_model"),
            str(tmp_path / "image.npy"),
            str(tmp_path / "outputs.json"),
        ],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": ""},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outputs = json.loads((tmp_path / "outputs.json").read_text())
    outputs = {k: np.array(v) for k, v in outputs.items()}
    for name in outputs:
        assert outputs[name].shape == (1, SIZE, SIZE, 3), name
    a_to_b = expected_translation(run_dir, tmp_path / "image.png", "AtoB")
    b_to_a = expected_translation(run_dir, tmp_path / "image.png", "BtoA")
    assert np.abs(outputs["a_to_b"][0] - a_to_b).max() <= 1
    assert np.abs(outputs["b_to_a"][0] - b_to_a).max() <= 1
    assert np.array_equal(outputs["serving_default"], outputs["b_to_a"])  # --direction=BtoA
    # The .keras files load as Keras models with the same weights.
    config = snapshots.load_run_config(str(run_dir))
    g_ab, _ = snapshots.restore_generators(config, snapshots.resolve_checkpoint(str(run_dir), None))
    restored = keras.models.load_model(out / "G_AB.keras")
    x = np.random.default_rng(2).uniform(-1, 1, (1, SIZE, SIZE, 3)).astype(np.float32)
    np.testing.assert_allclose(restored(x), g_ab(x), atol=1e-5)
