"""The output layer's log-probabilities and their hand-written gradient
(``kernels.output_layer.output_log_probs``), against float64 NumPy: the closed form of the
softmax gradient, and central differences of the generator's losses end to end; and the
shift their softmax subtracts (``kernels.output_layer.softmax_shift``) in each of its regimes."""

from __future__ import annotations

import math

import numpy as np
import numpy_reference as ref
import pytest
import tensorflow as tf
from scipy import stats

from seqgan_tf.config import ModelConfig
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.kernels.output_layer import (
    MAX_SHIFT_ABOVE_ROW_MAX,
    affine,
    output_log_probs,
    softmax_shift,
)
from seqgan_tf.models.sampling import sample_from_states

SMALL = ModelConfig(vocab_size=30, sequence_length=6, gen_emb_dim=4, gen_hidden_dim=5)


def _closed_form(states, kernel, bias, targets, upstream):
    """float64: log p of the targets and the gradients of sum(upstream * log p)."""
    states, kernel, bias = (np.asarray(a, np.float64) for a in (states, kernel, bias))
    log_p = ref.log_softmax(states @ kernel + bias)
    rows = np.arange(len(targets))
    onehot = np.zeros_like(log_p)
    onehot[rows, targets] = 1.0
    d_logits = upstream[:, None] * (onehot - np.exp(log_p))
    return (
        log_p[rows, targets],
        d_logits @ kernel.T,
        states.T @ d_logits,
        d_logits.sum(axis=0),
    )


def _assert_equal_to_the_closed_form(states, kernel, bias, targets, upstream):
    """output_log_probs' values and its gradients of sum(upstream * log p), against
    :func:`_closed_form`."""
    tensors = [tf.constant(a) for a in (states, kernel, bias)]
    with tf.GradientTape() as tape:
        tape.watch(tensors)
        log_p = output_log_probs(*tensors, tf.constant(targets))
        weighted = tf.reduce_sum(log_p * tf.constant(upstream, tf.float32))
    got = [log_p.numpy()] + [g.numpy() for g in tape.gradient(weighted, tensors)]
    want = _closed_form(states, kernel, bias, targets, upstream)
    for name, g, w in zip(["log p", "d states", "d kernel", "d bias"], got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5, err_msg=name)


@pytest.mark.parametrize("repeated_targets", [False, True])
def test_log_probs_and_gradients_equal_the_float64_closed_form(repeated_targets):
    rng = np.random.default_rng(0)
    rows, hidden, vocab = 40, 6, 50
    states = rng.normal(size=(rows, hidden)).astype(np.float32)
    kernel = (3.0 * rng.normal(size=(hidden, vocab))).astype(np.float32)  # peaked softmax
    bias = rng.normal(size=vocab).astype(np.float32)
    # Repeated targets exercise the segment sums of the one-hot terms.
    targets = rng.integers(0, 4 if repeated_targets else vocab, size=rows).astype(np.int32)
    upstream = rng.normal(size=rows)  # per-row weights, as rewards are
    _assert_equal_to_the_closed_form(states, kernel, bias, targets, upstream)


def test_equals_autodiff_of_sparse_softmax_cross_entropy():
    rng = np.random.default_rng(1)
    states = tf.constant(rng.normal(size=(64, 8)).astype(np.float32))
    kernel = tf.constant(rng.normal(size=(8, 300)).astype(np.float32))
    bias = tf.constant(rng.normal(size=300).astype(np.float32))
    targets = tf.constant(rng.integers(0, 300, size=64).astype(np.int32))
    weights = tf.constant(rng.uniform(size=64).astype(np.float32))
    results = []
    for fn in (
        lambda: output_log_probs(states, kernel, bias, targets),
        lambda: (
            -tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=targets, logits=tf.matmul(states, kernel) + bias
            )
        ),
    ):
        with tf.GradientTape() as tape:
            tape.watch([states, kernel, bias])
            log_p = fn()
            loss = tf.reduce_sum(log_p * weights)
        results.append([log_p] + tape.gradient(loss, [states, kernel, bias]))
    for mine, autodiff in zip(*results, strict=True):
        np.testing.assert_allclose(mine.numpy(), autodiff.numpy(), rtol=1e-5, atol=1e-6)


def _generator_and_reference(output_scale: float = 1.0):
    rng = np.random.default_rng(2)
    params = ref.random_params(rng, vocab=30, emb=4, hidden=5, scale=0.5)
    params[13] = params[13] * output_scale
    generator = Generator(SMALL, seed=0)
    generator.import_params(params)
    tokens = rng.integers(0, 30, size=(8, 6))
    return generator, params, tokens


@pytest.mark.parametrize("loss", ["pretrain", "adversarial"])
def test_generator_gradients_equal_float64_central_differences(loss):
    """Embedding, output kernel and bias gradients of both losses: the embedding's reach
    it only through d states and the LSTM's backward pass, so this checks the chain."""
    generator, params, tokens = _generator_and_reference(output_scale=8.0)
    rewards = np.random.default_rng(3).uniform(size=tokens.shape)
    floor = math.log(1e-20)

    def reference_loss(arrays):
        log_p = np.maximum(ref.token_log_probs(arrays, tokens), floor)
        return -log_p.mean() if loss == "pretrain" else -(log_p * rewards).sum()

    tokens_tf = tf.constant(tokens, tf.int32)
    variables = [generator.embedding, generator.output_kernel, generator.output_bias]
    with tf.GradientTape() as tape:
        value = (
            generator.pretrain_loss(tokens_tf)
            if loss == "pretrain"
            else generator.adversarial_loss(tokens_tf, rewards)
        )
    gradients = [tf.convert_to_tensor(g).numpy() for g in tape.gradient(value, variables)]
    assert float(value) == pytest.approx(reference_loss(params), rel=1e-5)

    eps = 1e-6
    for index, gradient in zip((0, 13, 14), gradients, strict=True):
        numeric = np.zeros(params[index].shape)
        for position in np.ndindex(params[index].shape):
            shifted = [np.asarray(p, np.float64).copy() for p in params]
            shifted[index][position] += eps
            up = reference_loss(shifted)
            shifted[index][position] -= 2 * eps
            numeric[position] = (up - reference_loss(shifted)) / (2 * eps)
        scale = np.abs(numeric).max()
        np.testing.assert_allclose(gradient, numeric, atol=1e-4 * scale, err_msg=str(index))


# softmax_shift's regimes: its Cauchy-Schwarz bound in the usual case; the bound when it
# lies just under MAX_SHIFT_ABOVE_ROW_MAX above every logit, so that every exponent is
# near -50; the row max when the bound lies just past that, and far past it.
SHIFT_REGIMES = ["bound", "bound_near_its_limit", "row_max_just_past_the_limit", "row_max_fallback"]


def _shift_case(regime: str, rows: int = 40, hidden: int = 6, vocab: int = 37, seed: int = 0):
    """float32 states [rows, hidden], kernel [hidden, vocab], bias [vocab] in ``regime``."""
    rng = np.random.default_rng(seed)
    if regime == "bound":
        # Small states and a large bias: the bias term of the bound matters.
        states = 0.3 * rng.normal(size=(rows, hidden))
        kernel = rng.normal(size=(hidden, vocab))
        bias = 3.0 * rng.normal(size=vocab)
    else:
        # States of norm 1 orthogonal to a kernel column of norm `size`: the bound is
        # ~`size` above every logit, which are all near 0.
        size = {
            "bound_near_its_limit": MAX_SHIFT_ABOVE_ROW_MAX - 1.5,
            "row_max_just_past_the_limit": MAX_SHIFT_ABOVE_ROW_MAX + 1.5,
            "row_max_fallback": 200.0,
        }[regime]
        states = np.zeros((rows, hidden))
        states[:, 0] = 1.0
        states[:, 2:] = 0.1 * rng.normal(size=(rows, hidden - 2))
        states /= np.linalg.norm(states, axis=1, keepdims=True)
        kernel = 0.3 * rng.normal(size=(hidden, vocab))
        kernel[:, 0] = 0.0
        kernel[1, 0] = size
        bias = 0.3 * rng.normal(size=vocab)
    return tuple(a.astype(np.float32) for a in (states, kernel, bias))


@pytest.mark.parametrize("regime", SHIFT_REGIMES)
def test_softmax_shift_is_the_bound_when_safe_else_the_row_max(regime):
    states, kernel, bias = _shift_case(regime)
    logits = affine(*(tf.constant(a) for a in (states, kernel, bias)))
    shift = softmax_shift(states, kernel, bias, logits).numpy()[:, 0].astype(np.float64)
    s64, k64, b64 = (a.astype(np.float64) for a in (states, kernel, bias))
    row_max = (s64 @ k64 + b64).max(axis=1)
    bound = np.linalg.norm(s64, axis=1) * np.linalg.norm(k64, axis=0).max() + b64.max()
    # Never below a logit (no overflow), never more than the limit above the row's
    # largest (no underflow of its largest term).
    assert np.all(shift >= row_max - 1e-5)
    assert np.all(shift - row_max <= MAX_SHIFT_ABOVE_ROW_MAX)
    if regime.startswith("row_max"):
        assert (bound - row_max).min() > MAX_SHIFT_ABOVE_ROW_MAX
        np.testing.assert_array_equal(shift, logits.numpy().max(axis=1))
    else:
        np.testing.assert_allclose(shift, bound, rtol=1e-6)
    if regime == "bound_near_its_limit":
        assert (shift - row_max).min() > MAX_SHIFT_ABOVE_ROW_MAX - 5


@pytest.mark.parametrize("regime", SHIFT_REGIMES)
def test_log_probs_and_gradients_exact_in_every_shift_regime(regime):
    states, kernel, bias = _shift_case(regime)
    rng = np.random.default_rng(1)
    targets = rng.integers(0, kernel.shape[1], size=len(states)).astype(np.int32)
    upstream = rng.normal(size=len(states))
    _assert_equal_to_the_closed_form(states, kernel, bias, targets, upstream)


@pytest.mark.parametrize("regime", SHIFT_REGIMES)
def test_sampling_from_states_draws_the_softmax_in_every_shift_regime(regime):
    states, kernel, bias = _shift_case(regime)
    rows = 40_000
    draws = sample_from_states(
        tf.constant(np.tile(states[:1], (rows, 1))),
        tf.constant(kernel),
        tf.constant(bias),
        tf.constant([5, 6], tf.int64),
    ).numpy()
    p = np.exp(ref.log_softmax(states[0].astype(np.float64) @ kernel + bias))
    counts = np.bincount(draws, minlength=len(p)).astype(np.float64)
    expected = p * rows
    rare = expected < 5  # pooled into one cell, as a chi-square test needs
    observed = np.append(counts[~rare], counts[rare].sum())
    expected = np.append(expected[~rare], expected[rare].sum())
    keep = expected > 0
    assert stats.chisquare(observed[keep], expected[keep]).pvalue > 1e-3


@pytest.mark.parametrize("output_scale", [1.0, 1000.0])
def test_token_log_probs_equal_float64_with_the_bound_and_with_the_fallback(output_scale):
    """Scoring and the training path through a whole model: a kernel 1000 times larger
    puts the bound far above the row max, so softmax_shift falls back to it."""
    generator, params, tokens = _generator_and_reference(output_scale=output_scale)
    want = ref.token_log_probs(params, tokens)
    tokens_tf = tf.constant(tokens, tf.int32)
    for got in (
        generator.token_log_probs(tokens_tf),
        generator.token_log_probs_for_training(tokens_tf),
    ):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-5)
    if output_scale > 1:
        assert want.min() < -100  # the peaked softmax of the fallback's case
