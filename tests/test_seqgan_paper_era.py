"""The paper-era scripts' behaviour behind the ``paper`` preset (docs/FIDELITY.md, "Table 1
as the paper ran it"): scheduled sampling's one coin, PG-BLEU's references and rollout, the
discriminator's per-epoch shuffle and bias-free highway."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest
import tensorflow as tf
from seqgan_tiny import TINY_CONFIG

from seqgan_tf.config import ModelConfig
from seqgan_tf.experiments.table1 import select_references
from seqgan_tf.models.discriminator import Discriminator, Highway, round_batches
from seqgan_tf.models.generator import Generator
from seqgan_tf.schedule import (
    BASELINE_PRESETS,
    PRESETS,
    BaselineSchedule,
    apply_preset,
    graph_coin,
)
from seqgan_tf.training.scheduled_sampling import ScheduledSamplingTrainer


def _preset(cls, name: str):
    return apply_preset(cls, name, dataclasses.asdict(cls()), given=set())


def test_the_paper_era_coin_for_seed_88_feeds_true_tokens_for_all_300_epochs():
    """random.seed(88); random.random() is the script's coin (its first draw: nothing in
    the script draws from Python's random before the model's graph is built)."""
    random.seed(88)
    assert graph_coin(88) == random.random() == pytest.approx(0.39749, abs=1e-5)
    paper = _preset(BaselineSchedule, "paper")
    assert paper.ss_coin == "once_per_graph"
    rates = [paper.true_input_prob(epoch) for epoch in range(paper.ss_epochs)]
    assert min(rates) == pytest.approx(0.402)  # the coin stays below it
    assert {paper.feed_prob(epoch, 88) for epoch in range(paper.ss_epochs)} == {1.0}
    # Another seed whose coin the falling rate passes: true tokens, then none at all.
    seed = next(s for s in range(100) if 0.45 < graph_coin(s) < 0.9)
    feeds = [paper.feed_prob(epoch, seed) for epoch in range(paper.ss_epochs)]
    flip = next(e for e, rate in enumerate(rates) if rate <= graph_coin(seed))
    assert feeds == [1.0] * flip + [0.0] * (paper.ss_epochs - flip)
    # The method as described: one coin per token at the falling rate.
    per_token = BaselineSchedule()
    assert [per_token.feed_prob(e, 88) for e in range(3)] == [1.0, 0.998, 0.996]


def test_with_the_one_coin_below_the_rate_scheduled_sampling_is_mle():
    generator = Generator(TINY_CONFIG, seed=3)
    trainer = ScheduledSamplingTrainer(generator)
    tokens = tf.constant(np.random.default_rng(0).integers(0, 30, size=(16, 6)), tf.int32)
    prob = _preset(BaselineSchedule, "paper").feed_prob(0, 88)
    ss_loss = trainer.loss(tokens, prob, tf.constant([1, 2], tf.int64))
    np.testing.assert_allclose(ss_loss, generator.pretrain_loss(tokens), rtol=1e-6)


def test_pg_bleu_references_are_the_paper_era_share_reproducibly():
    data = np.random.default_rng(1).integers(0, 5000, size=(9984, 20))
    kept = select_references(data, 0.4, seed=88)
    # The paper-era load_references: one draw per line, in order, after random.seed(88).
    random.seed(88)
    expected = [line for line in data if random.random() < 0.4]
    np.testing.assert_array_equal(kept, np.array(expected))
    assert abs(len(kept) / len(data) - 0.4) < 3 * np.sqrt(0.4 * 0.6 / len(data))
    np.testing.assert_array_equal(select_references(data, 0.4, seed=88), kept)
    assert len(select_references(data, 0.4, seed=89)) != len(kept)
    assert select_references(data, 1.0, seed=88) is data


def test_per_epoch_shuffle_orders_each_epoch_anew():
    real = np.arange(40 * 3).reshape(40, 3)
    generated = -np.arange(1, 25 * 3 + 1).reshape(25, 3)
    once, labels_once = round_batches(real, generated, 8, 3, shuffle_seed=5)
    each, labels_each = round_batches(real, generated, 8, 3, shuffle_seed=5, per_epoch=True)
    assert once.shape == (8, 8, 3) and each.shape == (24, 8, 3)  # 65 rows: 8 whole batches
    np.testing.assert_array_equal(each[:8], once)  # the first epoch's order is the same
    epochs = [each[8 * k : 8 * (k + 1)].reshape(-1, 3) for k in range(3)]
    assert not np.array_equal(epochs[1], epochs[0]) and not np.array_equal(epochs[2], epochs[1])
    for epoch, labels in zip(epochs, np.split(labels_each, 3), strict=True):
        assert len({tuple(row) for row in epoch}) == 64  # distinct rows of the mixed data
        np.testing.assert_array_equal(labels.reshape(-1), (epoch[:, 0] >= 0).astype(np.int32))
    config = dataclasses.replace(
        TINY_CONFIG, dis_shuffle="per_epoch", dis_filter_sizes=(1, 2), dis_num_filters=(2, 2)
    )
    d = Discriminator(config, seed=1)
    d.train_round(real % 30, -generated % 30, epochs=3, shuffle_seed=5)
    assert int(d.train_optimizer.iterations) == 3 * 8
    with pytest.raises(ValueError, match="--dis_shuffle='sometimes'"):
        dataclasses.replace(TINY_CONFIG, dis_shuffle="sometimes")


def test_highway_without_biases_is_the_formula_with_zero_biases():
    layer = Highway(12, seed=7, use_bias=False)
    assert [v.name for v in layer.trainable_variables] == ["transform_kernel", "gate_kernel"]
    z = np.random.default_rng(2).normal(size=(5, 12))
    gate = 1 / (1 + np.exp(-(z @ layer.gate_kernel.numpy().astype(np.float64))))
    want = gate * np.maximum(z @ layer.transform_kernel.numpy().astype(np.float64), 0)
    want += (1 - gate) * z
    np.testing.assert_allclose(layer(tf.constant(z, tf.float32)), want, rtol=1e-5, atol=1e-6)
    with_bias = Discriminator(TINY_CONFIG, seed=1)
    without = Discriminator(dataclasses.replace(TINY_CONFIG, dis_highway_bias=False), seed=1)
    assert len(with_bias.trainable_variables) - len(without.trainable_variables) == 2


def test_only_the_paper_preset_runs_the_paper_era_behaviour():
    assert PRESETS["paper"]["dis_shuffle"] == "per_epoch"
    assert PRESETS["paper"]["dis_highway_bias"] is False
    # Its SeqGAN rollout read the live generator (MLE_SeqGAN/rollout.py, tf.identity).
    assert PRESETS["paper"]["rollout_update_rate"] == 0.0
    assert BASELINE_PRESETS["paper"] == {
        "ss_coin": "once_per_graph",
        "pg_bleu_reference_fraction": 0.4,
        "pg_bleu_rollout_update_rate": 0.0,
    }
    for preset in ("original", "quick"):
        config = _preset(ModelConfig, preset)
        baselines = _preset(BaselineSchedule, preset)
        assert (config.dis_shuffle, config.dis_highway_bias) == ("per_round", True)
        assert (baselines.ss_coin, baselines.pg_bleu_reference_fraction) == ("per_token", 1.0)
        assert baselines.pg_bleu_rollout_update_rate == 0.8
        assert config.rollout_update_rate == 0.8
