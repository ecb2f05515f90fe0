"""A run killed between checkpoints resumes (weights, step, pool, epoch, data); then --mode=test."""

from __future__ import annotations

import os

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from cyclegan_tf.config import ModelConfig, RunConfig
from cyclegan_tf.train import train
from cyclegan_tf.transforms import InferenceTransform


class Killed(Exception):
    pass


def make_config(workdir) -> RunConfig:
    return RunConfig(
        workdir=str(workdir),
        dataset="synthetic_facades",
        synthetic_train=3,
        synthetic_test=2,
        load_size=28,
        crop_size=24,
        model=ModelConfig(n_blocks=0, pool_size=2, n_epochs=1, n_epochs_decay=1),
        seed=11,
        sample_every=0,
        n_samples=2,
        checkpoint_every=0,
        summary_every=1,
        progress_interval=0.0,
        # Eager: a few steps cost less than tracing; the graph step has its own tests.
        run_eagerly=True,
    )


def test_kill_and_resume_continues_where_it_stopped(tmp_path):
    # 3 steps per epoch, 2 epochs; checkpoints only at epoch ends (steps 3 and 6).
    first: dict[int, dict] = {}

    def record_then_kill(step, logs):
        first[step] = logs
        if step == 5:
            raise Killed  # steps 4 and 5 ran but were never checkpointed

    with pytest.raises(Killed):
        train(make_config(tmp_path), on_step=record_then_kill)
    saved = tf.train.load_checkpoint(str(tmp_path / "checkpoints" / "ckpt-3"))
    saved_step = saved.get_tensor("g_optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE")
    saved_epoch = saved.get_tensor("epoch/.ATTRIBUTES/VARIABLE_VALUE")
    saved_pool = saved.get_tensor("pool_a/images/.ATTRIBUTES/VARIABLE_VALUE")
    assert (saved_step, saved_epoch) == (3, 1)
    assert saved.get_tensor("pool_a/counts/.ATTRIBUTES/VARIABLE_VALUE").tolist() == [2]

    second: dict[int, dict] = {}

    def record(step, logs):
        second[step] = logs

    result = train(make_config(tmp_path), on_step=record)
    model = result["model"]
    # It resumed at step 4: the killed run's steps 4 and 5 are recomputed identically, which
    # needs the same weights and Adam moments (step 5's losses see step 4's update), the
    # same pool contents (pool_size 2 is full, so D sees swapped fakes), and the same batches.
    assert sorted(second) == [4, 5, 6]
    for step in (4, 5):
        for key, value in first[step].items():
            np.testing.assert_allclose(second[step][key], value, rtol=1e-4, err_msg=f"{key}@{step}")
    assert result["step"] == 6 and result["epoch"] == 2
    assert int(model.g_optimizer.iterations.numpy()) == 6
    assert int(model.d_optimizer.iterations.numpy()) == 6
    assert not np.array_equal(model.pool_a.images.numpy(), saved_pool)
    # After the last epoch the official linear decay has reached zero.
    assert float(model.g_optimizer.learning_rate) == 0.0
    # A finished run restarted does nothing more.
    assert train(make_config(tmp_path))["step"] == 6

    # --mode=test on the finished run: translations written as the seed does, paired metrics.
    from cyclegan_tf import data
    from cyclegan_tf.evaluate import evaluate

    result = evaluate(make_config(tmp_path))
    # Every test image under its own name: B/ holds G_AB(testA/<name>), A/ G_BA(testB/<name>).
    for domain, source in (("A", "B"), ("B", "A")):
        files = sorted(os.listdir(tmp_path / "output" / domain))
        assert files == [f"4_{source}.png", f"5_{source}.png"]
        assert Image.open(tmp_path / "output" / domain / files[0]).size == (24, 24)
    rows = {row["name"]: row for row in result["rows"]}
    assert set(rows) == {
        "A→B: G_AB(real A) vs real B",
        "B→A: G_BA(real B) vs real A",
        "baseline: mean training B",
        "baseline: mean training A",
        "baseline: real A as B",
        "baseline: real B as A",
    }
    # The baseline rows recomputed in NumPy from the test pairs.
    images = data.load_synthetic(11, 3, 2, 28)
    a, b = (
        x.numpy()
        for x in next(
            iter(data.test_dataset(images.test_a, images.test_b, InferenceTransform(24), batch=2))
        )
    )
    a01, b01 = (a + 1) / 2, (b + 1) / 2
    # The files hold the restored generators' translations of those pairs: G_AB(A) in B/.
    from cyclegan_tf import images as image_io
    from cyclegan_tf import snapshots

    g_ab, g_ba = snapshots.restore_generators(
        snapshots.load_run_config(str(tmp_path)), snapshots.resolve_checkpoint(str(tmp_path), None)
    )
    for folder, generator, real, names in (
        ("B", g_ab, a, images.test_a.names),
        ("A", g_ba, b, images.test_b.names),
    ):
        expected = image_io.to_uint8(generator(real, training=False))
        for k, name in enumerate(names):
            written = np.asarray(Image.open(tmp_path / "output" / folder / name))
            assert np.abs(written.astype(int) - expected[k]).max() <= 1, (folder, name)
    l1 = np.abs(a01 - b01).mean(axis=(1, 2, 3)).mean()
    psnr = np.mean(10 * np.log10(1 / ((a01 - b01) ** 2).mean(axis=(1, 2, 3))))
    assert rows["baseline: real A as B"]["l1"] == pytest.approx(l1, rel=1e-4)
    assert rows["baseline: real A as B"]["psnr"] == pytest.approx(psnr, rel=1e-4)
    # The mean-image baselines: the float64 mean of the training images of the target
    # domain (resized as test images are), scored against every test image.
    train_a, train_b = (
        x.numpy().astype(np.float64)
        for x in next(
            iter(data.test_dataset(images.train_a, images.train_b, InferenceTransform(24), batch=3))
        )
    )
    for name, mean, target in (
        ("baseline: mean training B", train_b.mean(axis=0), b01),
        ("baseline: mean training A", train_a.mean(axis=0), a01),
    ):
        diff = (mean + 1) / 2 - target
        assert rows[name]["l1"] == pytest.approx(np.abs(diff).mean(), rel=1e-4), name
        mse = (diff**2).mean(axis=(1, 2, 3))
        assert rows[name]["psnr"] == pytest.approx(np.mean(10 * np.log10(1 / mse)), rel=1e-4)
    assert all(np.isfinite(r[m]) for r in rows.values() for m in ("l1", "psnr", "ssim"))
    assert (tmp_path / "output" / "metrics.md").read_text().count("|") > 20
    # The labels metric of the copy baseline, recomputed by a per-pixel loop over the palette.
    from cyclegan_tf.synthetic_facades import LABEL_COLOURS

    assert result["label_palette"] == "synthetic_facades"
    palette = np.array(list(LABEL_COLOURS.values()), float)

    def nearest(images):
        pixels = ((images + 1) * 127.5).reshape(-1, 3)
        return np.array([np.argmin(((palette - p) ** 2).sum(axis=1)) for p in pixels])

    truth, predicted = nearest(b), nearest(a)
    labels = {row["name"]: row for row in result["label_rows"]}
    assert labels["baseline: real A as B"]["pixel_accuracy"] == pytest.approx(
        np.mean(truth == predicted)
    )
    # Majority class: the class of most training-B pixels, painted everywhere.
    majority = np.bincount(nearest(train_b), minlength=len(palette)).argmax()
    assert result["majority_class"] == list(LABEL_COLOURS)[majority]
    row = labels["baseline: majority class everywhere"]
    assert row["pixel_accuracy"] == pytest.approx(np.mean(truth == majority))
    assert row["mean_class_accuracy"] == pytest.approx(1 / len(np.unique(truth)))
    assert row["mean_iou"] == pytest.approx(np.mean(truth == majority) / len(np.unique(truth)))
    assert "mean class IoU" in (tmp_path / "output" / "metrics.md").read_text()


def test_resume_on_another_replica_count_is_refused_clearly(tmp_path):
    from cyclegan_tf.config import RunConfig

    saved = RunConfig(workdir=str(tmp_path), replicas=2)
    saved.save(str(tmp_path / "config.json"))
    here = RunConfig(workdir=str(tmp_path), replicas=1, strategy="default")
    with pytest.raises(ValueError, match=r"trained on 2 replica\(s\) and this process has 1"):
        here.check_resumable(RunConfig.load(str(tmp_path / "config.json")), "x/config.json")
    # Runs saved before the replica count was recorded (0) resume as before.
    RunConfig(workdir=str(tmp_path), replicas=1).check_resumable(RunConfig(), "x/config.json")


# Slow (about a minute): three options at once through a kill, test and translate. The default
# run resumes a killed run above and covers each option in test_cyclegan_data/_driver.
@pytest.mark.slow
def test_non_square_photos_with_batch_norm_and_btoa_resume_then_test_and_translate(tmp_path):
    """--preprocess=none (each photo at its own shape, rounded to multiples of 4),
    --norm=batch and --direction=BtoA together: a run killed between checkpoints resumes
    exactly (weights, running statistics, the pools of varying size), test mode writes
    every translation at its photo's shape, and translate runs the trained direction."""
    from test_cyclegan_data import NON_SQUARE, make_non_square_folder
    from test_cyclegan_driver import run_driver
    from test_cyclegan_transforms import official_make_power_2

    from cyclegan_tf import data, snapshots
    from cyclegan_tf import images as image_io
    from cyclegan_tf.evaluate import evaluate

    make_non_square_folder(tmp_path / "data")

    def config(workdir):
        return RunConfig(
            workdir=str(workdir),
            dataset="folder",
            data_folder=str(tmp_path / "data"),
            paired_test=True,
            preprocess="none",
            direction="BtoA",
            load_size=16,
            crop_size=16,
            model=ModelConfig(
                n_blocks=1,
                ngf=4,
                ndf=4,
                n_layers_d=2,
                norm="batch",
                pool_size=2,
                n_epochs=1,
                n_epochs_decay=1,
            ),  # fmt: skip
            seed=5,
            sample_every=3,
            n_samples=2,
            checkpoint_every=0,
            progress_interval=0.0,
            run_eagerly=True,
        )

    whole = train(config(tmp_path / "whole"))  # 3 steps an epoch, checkpoints at 3 and 6
    first: dict[int, dict] = {}

    def record_then_kill(step, logs):
        first[step] = logs
        if step == 5:
            raise Killed

    run = tmp_path / "run"
    with pytest.raises(Killed):
        train(config(run), on_step=record_then_kill)
    second: dict[int, dict] = {}
    resumed = train(config(run), on_step=lambda step, logs: second.setdefault(step, logs))
    assert sorted(second) == [4, 5, 6]
    for step in (4, 5):
        for key, value in first[step].items():
            np.testing.assert_allclose(second[step][key], value, rtol=1e-4, err_msg=f"{key}@{step}")
    for a, b in zip(whole["model"].weights, resumed["model"].weights, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-6, err_msg=a.path)
    model = resumed["model"]
    assert model.g_ab.name == "G_BA"  # the model's A is the data's B
    moving = model.g_ab.get_layer("stem_norm").moving_variance.numpy()
    assert not np.allclose(moving, 1.0)  # the running statistics moved, and were restored
    assert model.pool_a.sizes.numpy().min() > 0 and model.pool_a.images.shape.rank == 5
    assert Image.open(resumed["samples"]).size[1] > 4 * 16  # rows taller than the crop

    result = evaluate(config(run))
    g_ab, g_ba = snapshots.restore_generators(
        snapshots.load_run_config(str(run)), snapshots.resolve_checkpoint(str(run), None)
    )
    images = data.load_folder(str(tmp_path / "data"), paired_test=True)
    for i, name in enumerate(images.test_a.names):
        height, width = NON_SQUARE["testA"][int(name.split("_")[0])]
        written = np.asarray(Image.open(run / "output" / "B" / name))
        assert written.shape == (*official_make_power_2(width, height)[::-1], 3), name
        real = config(run).inference_transform()(data.load_image(images.test_a, i))[None]
        expected = image_io.to_uint8(g_ab(real, training=False)[0])  # no --eval: own statistics
        assert np.abs(written.astype(int) - expected).max() <= 1, name
    assert all(np.isfinite(row["l1"]) for row in result["rows"])

    # translate, no --direction: the run's BtoA, by G_BA, at the photo's own shape.
    out = tmp_path / "translated"
    source = run.parent / "data" / "testB" / images.test_b.names[1]
    run_driver(["--mode=translate", f"--workdir={run}", f"--input={source}", f"--output={out}"])
    written = np.asarray(Image.open(out / images.test_b.names[1]))
    real = config(run).inference_transform()(data.load_image(images.test_b, 1))[None]
    expected = image_io.to_uint8(g_ba(real, training=False)[0])
    assert written.shape == (24, 32, 3)  # 24 x 34: 34 = 4 x 8.5, rounded half to even
    assert np.abs(written.astype(int) - expected).max() <= 1

    # The exported SavedModel serves that translation too, at the photo's own shape.
    from cyclegan_tf.export import export

    export(str(run), str(tmp_path / "exported"), "BtoA")
    served = tf.saved_model.load(str(tmp_path / "exported" / "saved_model"))
    pixels = np.asarray(Image.open(source).convert("RGB"))[None]
    image = served.signatures["serving_default"](image=tf.constant(pixels))["image"].numpy()
    assert image.shape == (1, 24, 32, 3)
    assert np.abs(image[0].astype(int) - written).max() <= 1
