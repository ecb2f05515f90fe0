"""The text presets and their projected wall time, against a closed form."""

from __future__ import annotations

import dataclasses

import pytest

from seqgan_tf.experiments.text_costs import COCO_UNIT_SECONDS, projected_text_seconds
from seqgan_tf.schedule import PRESETS, preset_schedule


def test_coco_preset_projection_in_closed_form():
    schedule = dataclasses.replace(preset_schedule("coco"), dis_samples=9984)
    c = COCO_UNIT_SECONDS
    evaluation = c["sample_9984"] * 1000 / 9984 + c["bleu_1000"] + c["nll_test"]
    # A round: 9,984 negatives sampled, one epoch over 10,000 real + 9,984 generated.
    round_ = c["sample_9984"] + c["dis_epoch"] * (10_000 + 9984) / (2 * 9984)
    expected = (
        c["compile"]
        + evaluation + c["bleu_1000"]  # the untrained generator and the real data
        + 40 * c["mle_epoch"] + 9 * evaluation  # epochs 1, 6, ..., 36 and 40 evaluated
        + 8 * round_
        + 16 * (c["reward"] + round_) + 4 * evaluation  # iterations 1, 6, 11 and 16
        + 2 * c["sample_9984"] + 3 * (5 + 9.984) * c["bleu_1000"]  # Texygen's two protocols
    )  # fmt: skip
    assert projected_text_seconds(schedule)["total"] == pytest.approx(expected, rel=1e-12)
    # The preset is the one measured to fit about an hour on the shared CPU.
    assert 50 * 60 < expected < 62 * 60


def test_texygen_preset_is_texygens_schedule():
    texygen = PRESETS["texygen"]
    schedule = preset_schedule("texygen")
    assert (schedule.mle_epochs, schedule.dis_pretrain_rounds) == (80, 80)
    assert (schedule.adversarial_iterations, schedule.dis_rounds_per_iteration) == (100, 15)
    assert schedule.generator_steps_per_iteration == 1
    assert (texygen["rollout_num"], texygen["rollout_update_rate"]) == (16, 0.8)
    assert texygen["tokens"] == "nltk"
    projected = projected_text_seconds(dataclasses.replace(schedule, dis_samples=9984))
    assert projected["total"] > 24 * 3600  # a day or more on this CPU
