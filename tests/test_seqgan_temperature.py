"""Sampling at a softmax temperature: the tempered distribution, exactly the old sampler
at 1."""

from __future__ import annotations

import numpy as np
import numpy_reference as ref
import pytest
import tensorflow as tf
from scipy import stats

from seqgan_tf.config import ModelConfig
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.kernels import select
from seqgan_tf.models.sampling import sample_from_states

TINY = ModelConfig(vocab_size=3, sequence_length=3, gen_emb_dim=4, gen_hidden_dim=5)


def pooled(counts: np.ndarray, p: np.ndarray, total: int) -> tuple[np.ndarray, np.ndarray]:
    """Observed and expected counts, the cells expected fewer than 5 times pooled into one
    (when there are any): chi-square needs a few expected counts per cell."""
    live = p * total > 5
    if live.all():
        return counts, p * total
    observed = np.append(counts[live], counts[~live].sum())
    return observed, np.append(p[live], p[~live].sum()) * total


def tempered_softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    scaled = logits.astype(np.float64) / temperature
    p = np.exp(scaled - scaled.max())
    return p / p.sum()


@pytest.mark.parametrize("kernels", ["fast", "reference"])
@pytest.mark.parametrize("temperature", [0.5, 2.0])
def test_draws_follow_the_tempered_softmax(kernels, temperature):
    """One state, 37 tokens (blocks of 7, the last padded): chi-square against
    softmax(logits / T) in float64, and the untempered softmax is rejected."""
    rng = np.random.default_rng(11)
    state = rng.normal(size=(1, 4)).astype(np.float32)
    kernel = rng.normal(size=(4, 37)).astype(np.float32)
    bias = rng.normal(size=37).astype(np.float32)
    rows = 40_000
    draws = sample_from_states(
        tf.constant(np.tile(state, (rows, 1))),
        tf.constant(kernel),
        tf.constant(bias),
        tf.constant([5, 6], tf.int64),
        select(kernels),
        temperature,
    ).numpy()
    counts = np.bincount(draws, minlength=37)
    logits = state.astype(np.float64) @ kernel + bias
    p = tempered_softmax(logits[0], temperature)
    assert stats.chisquare(*pooled(counts, p, rows)).pvalue > 1e-3
    untempered = tempered_softmax(logits[0], 1.0)
    assert stats.chisquare(counts, untempered * rows).pvalue < 1e-9


def test_sequences_follow_the_tempered_model():
    """Temperature T divides the logits, which is the model with W_o and b_o divided by T:
    all 27 sequences of a 3-token, length-3 model against that model's exact
    probabilities."""
    params = ref.random_params(np.random.default_rng(0), vocab=3, emb=4, hidden=5, scale=1.0)
    generator = Generator(TINY, seed=0)
    generator.import_params(params)
    temperature = 0.6
    scaled = [*params[:13], params[13] / temperature, params[14] / temperature]
    _, probabilities = ref.all_sequence_probabilities(scaled, length=3)
    rng = tf.random.Generator.from_seed(4)
    tokens = generator.generate_many(40_000, rng, temperature=temperature)
    counts = np.bincount(tokens[:, 0] * 9 + tokens[:, 1] * 3 + tokens[:, 2], minlength=27)
    assert stats.chisquare(*pooled(counts, probabilities, len(tokens))).pvalue > 1e-3
    _, untempered = ref.all_sequence_probabilities(params, length=3)
    assert stats.chisquare(counts, untempered * len(tokens)).pvalue < 1e-9


def test_temperature_1_is_the_default_sampler_draw_for_draw():
    params = ref.random_params(np.random.default_rng(2), vocab=3, emb=4, hidden=5, scale=1.0)
    generator = Generator(TINY, seed=0)
    generator.import_params(params)
    seeds = tf.constant([[1, 2, 3], [4, 5, 6]], tf.int64)
    default = generator.generate(500, seeds).numpy()
    np.testing.assert_array_equal(generator.generate(500, seeds, temperature=1.0), default)
    assert (generator.generate(500, seeds, temperature=0.3).numpy() != default).any()


@pytest.mark.parametrize("temperature", [0.0, -1.0, float("inf"), float("nan")])
def test_bad_temperatures_name_the_flag(temperature):
    generator = Generator(TINY, seed=0)
    with pytest.raises(ValueError, match="--temperature=.*finite number above 0"):
        generator.generate(2, tf.constant([[1, 2, 3], [4, 5, 6]], tf.int64), temperature)


@pytest.mark.parametrize("value", ["0", "-1", "inf", "nan", "warm", ""])
def test_a_temperature_flag_must_be_a_finite_number_above_0(value):
    from seqgan_tf.config import check_temperature

    with pytest.raises(ValueError, match=f"--temperatures={value}: must be a finite number"):
        check_temperature(value, "temperatures")


def test_a_temperature_flag_reads_as_its_number():
    from seqgan_tf.config import check_temperature

    assert check_temperature("0.7") == 0.7 and check_temperature(1.5, "temperatures") == 1.5
