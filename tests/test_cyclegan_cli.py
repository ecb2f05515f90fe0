"""CycleGAN's flags come from RunConfig and ModelConfig; config.json of either layout loads."""

from __future__ import annotations

import dataclasses
import json

import pytest
from absl import flags as absl_flags

from cyclegan_tf import cli
from cyclegan_tf.config import ModelConfig, RunConfig, saved_run_config


def test_every_setting_is_a_flag_with_the_dataclass_default():
    model_fields = {f.name for f in dataclasses.fields(ModelConfig)} - {"image_size", "seed"}
    run_fields = {f.name for f in dataclasses.fields(RunConfig)} - {"model", "replicas"}
    for name in model_fields | run_fields:
        assert name in absl_flags.FLAGS, name
    for name in model_fields:
        assert absl_flags.FLAGS[name].default == getattr(ModelConfig(), name), name
    for name in run_fields - set(cli.COMMON_FIELDS):
        assert absl_flags.FLAGS[name].default == getattr(RunConfig(), name), name


def test_defaults_are_the_official_settings():
    """The spec's numbers typed out here: a changed default would silently change every run
    described as the official CycleGAN."""
    import tensorflow as tf

    from cyclegan_tf.builder import build_cyclegan

    model = ModelConfig()
    assert (model.n_blocks, model.upsample, model.discriminator) == (9, "transpose", "patch70")
    assert (model.lambda_a, model.lambda_b, model.lambda_identity) == (10.0, 10.0, 0.5)
    assert (model.gan_mode, model.pool_size, model.ngf, model.ndf) == ("lsgan", 50, 64, 64)
    assert (model.lr, model.beta_1, model.beta_2, model.batch_size) == (2e-4, 0.5, 0.999, 1)
    assert (model.n_epochs, model.n_epochs_decay) == (100, 100)
    assert model.norm == "instance"
    run = RunConfig()
    assert (run.load_size, run.crop_size, run.flip) == (286, 256, True)
    assert (run.preprocess, run.direction) == ("resize_and_crop", "AtoB")
    # The optimisers the builder makes carry them (a tiny model: only the settings matter).
    small = dataclasses.replace(model, image_size=32, n_blocks=0)
    built = build_cyclegan(small, tf.distribute.get_strategy(), steps_per_epoch=1)
    for optimizer in (built.g_optimizer, built.d_optimizer):
        settings = (optimizer.beta_1, optimizer.beta_2, optimizer.epsilon)
        assert settings == (0.5, 0.999, 1e-8), optimizer.name
        assert float(optimizer.learning_rate) == pytest.approx(2e-4), optimizer.name
        # 100 + 100 epochs reach the schedule (steps_per_epoch=1, so step = epoch): the
        # official lambda_rule 1 - max(0, e + 2 - 100) / 101 is 1 up to epoch 98, then
        # falls by 1/101 an epoch to 0 at epoch 199 (other epoch counts move these points).
        for epoch, factor in ((98, 1.0), (99, 1 - 1 / 101), (150, 1 - 52 / 101), (199, 0.0)):
            optimizer.iterations.assign(epoch)
            lr = float(optimizer.learning_rate)
            assert lr == pytest.approx(2e-4 * factor, rel=1e-6, abs=1e-12), (optimizer.name, epoch)
    # The loss weights, pools and batch the built model uses, and the networks' shapes:
    # ngf = ndf = 64 are the builder's (no flag), transposed-conv upsampling, the 70x70
    # PatchGAN (stride 1 in its fourth block), and n_blocks from the config (0 here).
    assert (built.lambda_a, built.lambda_b, built.lambda_identity) == (10, 10, 0.5)
    assert built.global_batch_size == 1
    assert built.pool_a.pool_size == built.pool_b.pool_size == 50
    for g in (built.g_ab, built.g_ba):
        assert g.get_layer("stem_conv").get_weights()[0].shape == (7, 7, 3, 64), g.name
        assert g.get_layer("up1_convt").get_weights()[0].shape == (3, 3, 64, 128), g.name
        assert not [layer for layer in g.layers if layer.name.endswith("_add")], g.name
    for d in (built.d_a, built.d_b):
        assert d.get_layer("block0_conv").get_weights()[0].shape == (4, 4, 3, 64), d.name
        assert d.get_layer("block3_conv").strides == (1, 1), d.name


def test_config_json_round_trip_and_the_flat_layout_of_older_runs(tmp_path):
    config = RunConfig(workdir=str(tmp_path), crop_size=64, seed=7, model=ModelConfig(n_blocks=3))
    config.save(str(tmp_path / "config.json"))
    assert RunConfig.load(str(tmp_path / "config.json")) == config
    # The flat layout: the model's fields beside the run's, without image_size and seed.
    model = dataclasses.asdict(config.model)
    del model["image_size"], model["seed"]
    flat = {**dataclasses.asdict(config), **model}
    del flat["model"]
    (tmp_path / "old.json").write_text(json.dumps(flat))
    flat["lambda_cycle"] = 4.0  # before --lambda_a / --lambda_b: one weight for both
    del flat["lambda_a"], flat["lambda_b"]
    (tmp_path / "old.json").write_text(json.dumps(flat))
    # Runs saved before --norm, --direction and --preprocess: their defaults.
    del flat["norm"], flat["direction"], flat["preprocess"]
    (tmp_path / "old.json").write_text(json.dumps(flat))
    loaded = RunConfig.load(str(tmp_path / "old.json"))
    assert (loaded.model.norm, loaded.direction) == ("instance", "AtoB")
    assert loaded.preprocess == "resize_and_crop"
    assert loaded.model.n_blocks == 3 and loaded.seed == 7
    assert (loaded.model.lambda_a, loaded.model.lambda_b) == (4.0, 4.0)
    assert loaded.model_config().image_size == 64 and loaded.model_config().seed == 7


@pytest.mark.parametrize("remote", [False, True])
def test_the_saved_config_of_a_workdir_local_or_behind_a_scheme(tmp_path, remote):
    import tensorflow as tf

    workdir = "ram://saved_run_config_test" if remote else str(tmp_path / "run")
    assert saved_run_config(workdir) is None  # no run there
    tf.io.gfile.makedirs(workdir)
    config = RunConfig(workdir=workdir, crop_size=32, model=ModelConfig(ngf=8))
    config.save(f"{workdir}/config.json")
    assert saved_run_config(workdir) == config
    assert tf.io.gfile.listdir(workdir) == ["config.json"]  # no temporary file left


@pytest.mark.parametrize(
    "change, message",
    [
        ({"model": ModelConfig(upsample="bilinear")}, "--upsample=bilinear"),
        ({"model": ModelConfig(discriminator="patch1")}, "--discriminator=patch1"),
        ({"label_palette": "cityscapes"}, "--label_palette=cityscapes"),
        ({"model": ModelConfig(batch_size=0)}, "--batch_size=0"),
    ],
)
def test_bad_settings_name_the_flag(change, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(RunConfig(), **change).validate()


def test_ngf_and_ndf_reach_the_networks():
    """--ngf/--ndf set the first layers' filters (the forward pass at any filter count is
    checked against NumPy in test_cyclegan_models with filters=4)."""
    import tensorflow as tf

    from cyclegan_tf.builder import build_cyclegan

    config = ModelConfig(image_size=32, n_blocks=1, ngf=8, ndf=16)
    built = build_cyclegan(config, tf.distribute.get_strategy(), steps_per_epoch=1)
    for g in (built.g_ab, built.g_ba):
        assert g.get_layer("stem_conv").get_weights()[0].shape == (7, 7, 3, 8), g.name
        assert g.get_layer("block0_conv1").get_weights()[0].shape == (3, 3, 32, 32), g.name
    for d in (built.d_a, built.d_b):
        assert d.get_layer("block0_conv").get_weights()[0].shape == (4, 4, 3, 16), d.name
        assert d.get_layer("block3_conv").get_weights()[0].shape == (4, 4, 64, 128), d.name


@pytest.mark.parametrize(
    "change, named",
    [
        ({"direction": "BtoA"}, "--direction=BtoA"),
        ({"model": ModelConfig(norm="batch")}, "--norm=batch"),
        ({"preprocess": "scale_width"}, "--preprocess=scale_width"),
    ],
)
def test_a_run_resumes_only_with_its_norm_direction_and_kind_of_preprocess(change, named):
    """Each changes the checkpoint (norm: the variables; direction: which pool and Adam
    slots belong to which network; images of one size or of varying sizes: the pools)."""
    saved = RunConfig()
    with pytest.raises(ValueError, match=named):
        dataclasses.replace(saved, **change).check_resumable(saved, "run/config.json")
    # Another fixed-size preprocess keeps the checkpoint's shapes: it may resume.
    dataclasses.replace(saved, preprocess="crop").check_resumable(saved, "run/config.json")
