"""CycleGAN's flags come from RunConfig and ModelConfig; config.json of either layout loads."""

from __future__ import annotations

import dataclasses
import json

import pytest
from absl import flags as absl_flags

from cyclegan_tf import cli
from cyclegan_tf.config import ModelConfig, RunConfig


def test_every_setting_is_a_flag_with_the_dataclass_default():
    model_fields = {f.name for f in dataclasses.fields(ModelConfig)} - {"image_size", "seed"}
    run_fields = {f.name for f in dataclasses.fields(RunConfig)} - {"model", "replicas"}
    for name in model_fields | run_fields:
        assert name in absl_flags.FLAGS, name
    for name in model_fields:
        assert absl_flags.FLAGS[name].default == getattr(ModelConfig(), name), name
    for name in run_fields - set(cli.COMMON_FIELDS):
        assert absl_flags.FLAGS[name].default == getattr(RunConfig(), name), name


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
    loaded = RunConfig.load(str(tmp_path / "old.json"))
    assert loaded.model.n_blocks == 3 and loaded.seed == 7
    assert loaded.model_config().image_size == 64 and loaded.model_config().seed == 7


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
