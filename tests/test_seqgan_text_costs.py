"""The text presets and their projected wall time, against a closed form."""

from __future__ import annotations

import dataclasses

import pytest

from seqgan_tf.config import ModelConfig
from seqgan_tf.data.corpus import CorpusSettings
from seqgan_tf.experiments.text_costs import (
    COCO,
    COCO_UNIT_SECONDS,
    QUATRAIN_UNIT_SECONDS,
    QUATRAINS,
    cost_table,
    projected_text_seconds,
    projection_text,
    unit_seconds,
)
from seqgan_tf.schedule import PRESETS, Schedule, apply_preset, preset_schedule


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


def test_poems_preset_sets_what_its_comment_says():
    schedule = preset_schedule("poems")
    assert (schedule.mle_epochs, schedule.mle_eval_every) == (10, 1)
    assert (schedule.dis_pretrain_rounds, schedule.dis_epochs_per_round) == (8, 1)
    assert (schedule.adversarial_iterations, schedule.adversarial_eval_every) == (35, 5)
    assert (schedule.generator_steps_per_iteration, schedule.dis_rounds_per_iteration) == (1, 1)
    assert schedule.eval_samples == 1000
    # Characters as tokens, min_count 1; the models and the rollout as the quick run's.
    corpus = apply_preset(CorpusSettings, "poems", vars(CorpusSettings()), given=set())
    assert (corpus.tokens, corpus.min_count) == ("char", 1)
    config = apply_preset(ModelConfig, "poems", vars(ModelConfig()), given=set())
    assert config == ModelConfig()
    assert (config.rollout_num, config.rollout_update_rate) == (16, 0.8)


def test_poems_preset_projection_in_closed_form():
    # The quatrains' split: 15,061 training poems (235 batches of 64; 15,040 negatives a
    # round) and 1,673 test poems, the shapes the table was measured at.
    schedule = dataclasses.replace(preset_schedule("poems"), dis_samples=15_040)
    c = QUATRAIN_UNIT_SECONDS
    evaluation = c["sample_9984"] * 1000 / 9984 + c["bleu_1000"] + c["nll_test"]
    round_ = c["sample_9984"] * 15_040 / 9984 + c["dis_epoch"] * (15_061 + 15_040) / (2 * 9984)
    expected = (
        c["compile"]
        + evaluation + c["bleu_1000"]  # the untrained generator and the real data
        + 10 * c["mle_epoch"] * 235 / 156 + 10 * evaluation  # every epoch evaluated
        + 8 * round_
        + 35 * (c["reward"] + round_) + 8 * evaluation  # iterations 1, 6, ..., 31 and 35
        + 2 * c["sample_9984"] + 3 * (5 + 9.984) * c["bleu_1000"]  # Texygen's two protocols
    )  # fmt: skip
    projected = projected_text_seconds(schedule, 15_061, 1_673, QUATRAINS)["total"]
    assert projected == pytest.approx(expected, rel=1e-12)
    # The preset is the one measured to fit 60 to 75 minutes on the shared CPU.
    assert 60 * 60 < expected < 75 * 60
    # A run on the quatrains announces it from the quatrains' table.
    announced = projection_text("poems", schedule, 15_061, 1_673, 21)
    assert "the quatrains' shapes" in announced and announced.endswith(": 1.2 h.")


def test_unit_seconds_of_the_poems_preset_in_closed_form():
    # What progress lines expect of each kind of unit before one has run: the poems preset
    # on the quatrains' split, as in the projection above.
    schedule = dataclasses.replace(preset_schedule("poems"), dis_samples=15_040)
    c = QUATRAIN_UNIT_SECONDS
    evaluation = c["sample_9984"] * 1000 / 9984 + c["bleu_1000"] + c["nll_test"]
    round_ = c["sample_9984"] * 15_040 / 9984 + c["dis_epoch"] * (15_061 + 15_040) / (2 * 9984)
    units = unit_seconds(schedule, 15_061, 1_673, QUATRAINS)
    assert units[("corpus", False)] == pytest.approx(evaluation + c["bleu_1000"])
    # every epoch evaluated
    assert units[("mle", False)] == pytest.approx(c["mle_epoch"] * 235 / 156 + evaluation)
    assert units[("dis_pretrain", False)] == pytest.approx(round_)
    assert units[("adversarial", True)] == pytest.approx(round_)
    # 8 evaluations over 35 iterations, spread over the generator parts
    assert units[("adversarial", False)] == pytest.approx(c["reward"] + 8 * evaluation / 35)
    # The units add up to the projection but for the first calls' compilation.
    counts = {
        ("corpus", False): 1,
        ("mle", False): 10,
        ("dis_pretrain", False): 8,
        ("adversarial", False): 35,
        ("adversarial", True): 35,
        ("texygen", False): 1,
    }
    total = sum(units[kind] * n for kind, n in counts.items())
    projected = projected_text_seconds(schedule, 15_061, 1_673, QUATRAINS)
    assert total == pytest.approx(projected["total"] - projected["compile"], rel=1e-12)


def test_a_run_is_projected_from_the_table_nearest_its_length():
    assert cost_table(21) is QUATRAINS and cost_table(38) is COCO
    assert cost_table(12) is QUATRAINS and cost_table(60) is COCO
    assert cost_table(29) is QUATRAINS and cost_table(30) is COCO
    # A run with another preset lists the text presets, each on its own corpus.
    announced = projection_text("quick", Schedule(dis_samples=15_040), 15_061, 1_673, 21)
    assert "--preset=coco (56 min)" in announced and "--preset=poems (1.2 h)" in announced
