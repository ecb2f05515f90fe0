"""The generator: parameter count, initialisation, sampling, both losses, updates."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import numpy_reference as ref
import pytest
import tensorflow as tf
from scipy import stats

from seqgan_tf.config import ModelConfig
from seqgan_tf.models.generator import Generator

TINY = ModelConfig(vocab_size=3, sequence_length=3, gen_emb_dim=4, gen_hidden_dim=5)
SMALL = ModelConfig(vocab_size=30, sequence_length=6, gen_emb_dim=4, gen_hidden_dim=5)


def test_trainable_parameter_count_from_the_specs_shapes():
    vocab, emb, hidden = 5000, 32, 32
    per_gate = emb * hidden + hidden * hidden + hidden  # W, U, b
    expected = vocab * emb + 4 * per_gate + hidden * vocab + vocab
    assert expected == 333_320
    generator = Generator(seed=0)
    assert sum(int(np.prod(v.shape)) for v in generator.trainable_variables) == expected


def test_every_parameter_biases_included_starts_normal_with_stddev_0_1():
    generator = Generator(seed=0)
    for name, array in zip(
        ["embedding", "Wi", "Ui", "bi", "Wf", "Uf", "bf", "Wog", "Uog", "bog", "Wc", "Uc", "bc"]
        + ["Wo", "bo"],
        generator.export_params(),
        strict=True,
    ):
        n = array.size
        # Standard error of a sample std is ~ sigma / sqrt(2n); allow 5 of them.
        assert abs(array.std() - 0.1) < 5 * 0.1 / math.sqrt(2 * n) + 1e-3, name
        assert abs(array.mean()) < 5 * 0.1 / math.sqrt(n) + 1e-3, name


@pytest.mark.parametrize("seed", [0, None])
def test_every_parameter_is_its_own_draw(seed):
    """The original draws each of its 15 arrays separately. Keras initialisers with a
    fixed seed repeat their values, so one initialiser shared by two weights would copy
    one array into the other (it once made U equal W and b equal W's first row).
    Independent N(0, s^2) draws have sample correlation ~ N(0, 1/n): every pair, compared
    on their common leading elements, must stay within 6 standard errors of zero."""
    arrays = dict(
        zip(
            ["embedding", "Wi", "Ui", "bi", "Wf", "Uf", "bf", "Wog", "Uog", "bog", "Wc", "Uc", "bc"]
            + ["Wo", "bo"],
            Generator(seed=seed).export_params(),
            strict=True,
        )
    )
    names = list(arrays)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            a, b = arrays[first].ravel(), arrays[second].ravel()
            n = min(a.size, b.size)
            correlation = np.corrcoef(a[:n], b[:n])[0, 1]
            assert abs(correlation) < 6 / math.sqrt(n), (first, second, correlation)


def _tiny_generator(seed: int = 0) -> tuple[Generator, list[np.ndarray]]:
    params = ref.random_params(np.random.default_rng(seed), vocab=3, emb=4, hidden=5, scale=1.0)
    generator = Generator(TINY, seed=0)
    generator.import_params(params)
    return generator, params


def _sequence_counts(tokens: np.ndarray) -> np.ndarray:
    index = tokens[:, 0] * 9 + tokens[:, 1] * 3 + tokens[:, 2]  # itertools.product order
    return np.bincount(index, minlength=27)


def test_sampling_follows_the_softmax():
    """Frequencies of all 27 sequences of a 3-token, length-3 model match the exact
    probabilities (fixed seed, chi-square), and the same test rejects a wrong model."""
    generator, params = _tiny_generator()
    rng = tf.random.Generator.from_seed(123)
    tokens = np.concatenate([generator.generate(5000, rng.make_seeds(3)).numpy() for _ in range(8)])
    counts = _sequence_counts(tokens)
    _, probabilities = ref.all_sequence_probabilities(params, length=3)
    assert abs(probabilities.sum() - 1.0) < 1e-9
    assert probabilities.min() > 1e-3  # every cell expected > 40 times
    expected = probabilities * len(tokens)
    assert stats.chisquare(counts, expected).pvalue > 1e-3
    # Power: the frequencies are far from another model's probabilities.
    _, other = ref.all_sequence_probabilities(_tiny_generator(seed=1)[1], length=3)
    assert stats.chisquare(counts, other * len(tokens)).pvalue < 1e-9


def test_sampling_is_reproducible_from_the_seeds():
    generator, _ = _tiny_generator()
    seeds = tf.constant([[1, 2, 3], [4, 5, 6]], tf.int64)
    a = generator.generate(50, seeds).numpy()
    b = generator.generate(50, seeds).numpy()
    np.testing.assert_array_equal(a, b)


def test_models_of_one_shape_share_the_compiled_sampler_but_draw_from_their_own_weights():
    """generate is one XLA function of the variables for every model of the same shapes:
    a second model adds no trace, samples its own parameters (not the first model's), and
    sees them change."""
    from seqgan_tf.models.sampling import compiled_sample_sequences

    first, _ = _tiny_generator(seed=0)
    second, _ = _tiny_generator(seed=1)
    seeds = tf.constant([[1, 2, 3], [4, 5, 6]], tf.int64)
    from_first = first.generate(2000, seeds).numpy()
    traces = compiled_sample_sequences.experimental_get_tracing_count()
    from_second = second.generate(2000, seeds).numpy()
    assert compiled_sample_sequences.experimental_get_tracing_count() == traces
    assert (from_first != from_second).any()
    second.copy_params_from(first)
    np.testing.assert_array_equal(second.generate(2000, seeds).numpy(), from_first)


def _small_generator_with_reference(seed: int = 0, output_scale: float = 1.0):
    rng = np.random.default_rng(seed)
    params = ref.random_params(rng, vocab=30, emb=4, hidden=5, scale=0.5)
    params[13] = params[13] * output_scale
    generator = Generator(SMALL, seed=0)
    generator.import_params(params)
    tokens = rng.integers(0, 30, size=(8, 6))
    return generator, params, tokens


def test_pretrain_loss_is_mean_clipped_negative_log_likelihood():
    generator, params, tokens = _small_generator_with_reference(output_scale=200.0)
    log_p = ref.token_log_probs(params, tokens)
    assert log_p.min() < math.log(1e-20)  # the clip is exercised
    want = -np.maximum(log_p, math.log(1e-20)).mean()
    got = generator.pretrain_loss(tf.constant(tokens, tf.int32)).numpy()
    assert got == pytest.approx(want, rel=1e-5)


def test_adversarial_loss_is_reward_weighted_sum_not_mean():
    generator, params, tokens = _small_generator_with_reference()
    rewards = np.random.default_rng(3).uniform(size=tokens.shape)
    want = -(ref.token_log_probs(params, tokens) * rewards).sum()
    got = generator.adversarial_loss(tf.constant(tokens, tf.int32), rewards).numpy()
    assert got == pytest.approx(want, rel=1e-5)


def test_policy_gradient_is_reward_weighted_sum_of_log_prob_gradients():
    generator, _, tokens = _small_generator_with_reference()
    tokens = tf.constant(tokens, tf.int32)
    rewards = tf.constant(np.random.default_rng(4).uniform(size=tokens.shape), tf.float32)
    variables = generator.trainable_variables
    with tf.GradientTape() as tape:
        loss = generator.adversarial_loss(tokens, rewards)
    gradients = tape.gradient(loss, variables)
    with tf.GradientTape(persistent=True) as tape:
        log_probs = generator.clipped_token_log_probs(tokens)  # [B, T]
    jacobians = tape.jacobian(log_probs, variables, experimental_use_pfor=False)
    for variable, gradient, jacobian in zip(variables, gradients, jacobians, strict=True):
        direct = -np.einsum("bt,bt...->...", rewards.numpy(), jacobian.numpy())
        np.testing.assert_allclose(
            tf.convert_to_tensor(gradient).numpy(), direct, atol=1e-5, err_msg=variable.path
        )


def test_gradient_is_zero_through_clipped_probabilities():
    generator, params, tokens = _small_generator_with_reference(output_scale=200.0)
    log_p = ref.token_log_probs(params, tokens)
    clipped = log_p < math.log(1e-20) - 1.0
    assert clipped.any() and (~clipped).any()
    tokens_tf = tf.constant(tokens, tf.int32)
    with tf.GradientTape() as tape:
        per_token = generator.clipped_token_log_probs(tokens_tf)
        masked = tf.reduce_sum(tf.where(tf.constant(clipped), per_token, 0.0))
    gradients = tape.gradient(masked, generator.trainable_variables)
    for gradient in gradients:
        assert np.all(tf.convert_to_tensor(gradient).numpy() == 0.0)


def _loss_gradients(generator, step, tokens, rewards):
    """Gradients of the MLE (``step="pretrain"``) or the policy-gradient loss."""
    with tf.GradientTape() as tape:
        loss = (
            generator.pretrain_loss(tokens)
            if step == "pretrain"
            else generator.adversarial_loss(tokens, rewards)
        )
    gradients = tape.gradient(loss, generator.trainable_variables)
    return [tf.convert_to_tensor(g).numpy() for g in gradients]


def _clipped(gradients, clip):
    """float64 tf.clip_by_global_norm: the clipped gradients and the global norm."""
    norm = math.sqrt(sum(float((g.astype(np.float64) ** 2).sum()) for g in gradients))
    return [g.astype(np.float64) * clip / max(norm, clip) for g in gradients], norm


def _tf1_adam_reference(weights, gradients, lr, clip, steps=1):
    """float64 TF1 AdamOptimizer after tf.clip_by_global_norm, from their documentation."""
    clipped, norm = _clipped(gradients, clip)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    updated = []
    for w, g in zip(weights, clipped, strict=True):
        m = (1 - beta1) * g
        v = (1 - beta2) * g * g
        lr_t = lr * math.sqrt(1 - beta2**steps) / (1 - beta1**steps)
        updated.append(w.astype(np.float64) - lr_t * m / (np.sqrt(v) + eps))
    return updated, norm


@pytest.mark.parametrize("step", ["pretrain", "adversarial"])
def test_update_is_tf1_adam_with_global_norm_clip_5(step):
    generator, _, tokens = _small_generator_with_reference()
    tokens = tf.constant(tokens, tf.int32)
    rewards = tf.fill(tokens.shape, 50.0)  # large: the global norm exceeds 5 and is clipped
    variables = generator.trainable_variables
    gradients = _loss_gradients(generator, step, tokens, rewards)
    before = [v.numpy() for v in variables]
    want, norm = _tf1_adam_reference(before, gradients, lr=0.01, clip=5.0)
    if step == "adversarial":
        assert norm > 5.0
        generator.adversarial_step(tokens, rewards)
    else:
        generator.pretrain_step(tokens)
    for variable, expected in zip(variables, want, strict=True):
        np.testing.assert_allclose(variable.numpy(), expected, atol=2e-6, err_msg=variable.path)
    # Each update has its own Adam state.
    used, unused = (
        (generator.pretrain_optimizer, generator.adversarial_optimizer)
        if step == "pretrain"
        else (generator.adversarial_optimizer, generator.pretrain_optimizer)
    )
    assert int(used.iterations.numpy()) == 1 and int(unused.iterations.numpy()) == 0


@pytest.mark.parametrize("step", ["pretrain", "adversarial"])
def test_clip_applies_to_each_step_before_adam(step):
    """Adam divides by the gradient's own scale, so on its first step the clip nearly
    cancels (the test above sees it only through epsilon). Over two steps it does not: a
    clipped large gradient and an unclipped small one enter Adam's moments as 5 : |g2|,
    not |g1| : |g2|. Replayed in float64."""
    if step == "pretrain":
        # Large output weights give a large MLE gradient; Adam's moments live in the
        # optimiser, so the second step may start from other weights.
        generator, _, tokens = _small_generator_with_reference(output_scale=30.0)
        _, second_params, _ = _small_generator_with_reference()
    else:
        generator, _, tokens = _small_generator_with_reference()
        second_params = None
    tokens = tf.constant(tokens, tf.int32)
    variables = generator.trainable_variables
    history = []
    for index, reward in enumerate([50.0, 0.01]):
        if index == 1 and second_params is not None:
            generator.import_params(second_params)
        rewards = tf.fill(tokens.shape, reward)
        clipped, norm = _clipped(_loss_gradients(generator, step, tokens, rewards), 5.0)
        history.append((clipped, norm, [v.numpy().astype(np.float64) for v in variables]))
        if step == "pretrain":
            generator.pretrain_step(tokens)
        else:
            generator.adversarial_step(tokens, rewards)
    (first, first_norm, _), (second, second_norm, before) = history
    assert first_norm > 10.0 and second_norm < 5.0  # only the first step is clipped
    beta1, beta2, eps, lr = 0.9, 0.999, 1e-8, 0.01
    for variable, w, g1, g2 in zip(variables, before, first, second, strict=True):
        m = beta1 * (1 - beta1) * g1 + (1 - beta1) * g2
        v = beta2 * (1 - beta2) * g1 * g1 + (1 - beta2) * g2 * g2
        lr_t = lr * math.sqrt(1 - beta2**2) / (1 - beta1**2)
        want = w - lr_t * m / (np.sqrt(v) + eps)
        np.testing.assert_allclose(variable.numpy(), want, atol=2e-6, err_msg=variable.path)


def test_mle_epoch_is_one_update_per_whole_batch_in_file_order():
    """The original's Gen_Data_loader: the file cut into whole batches of 64 in order (9,984
    lines: 156 batches), no shuffling, one clipped Adam step each."""
    from seqgan_tf.train import mle_batches

    data = np.random.default_rng(4).integers(0, 30, size=(9984, 6), dtype=np.int32)
    batches = mle_batches(data, 64).numpy()
    assert batches.shape == (156, 64, 6)
    np.testing.assert_array_equal(batches.reshape(-1, 6), data)
    short = mle_batches(data[:150], 64).numpy()  # a partial last batch is dropped
    np.testing.assert_array_equal(short.reshape(-1, 6), data[:128])
    sizes = dataclasses.replace(SMALL, batch_size=8)
    epoch, stepwise, reordered = (Generator(sizes, seed=0) for _ in range(3))
    in_order = mle_batches(data[:40], 8)
    mean_loss = float(epoch.pretrain_epoch(in_order))
    losses = [float(stepwise.pretrain_step(batch)) for batch in in_order]
    reordered.pretrain_epoch(in_order[::-1])
    assert int(epoch.pretrain_optimizer.iterations) == 5
    assert mean_loss == pytest.approx(np.mean(losses), rel=1e-6)
    for a, b, c in zip(
        epoch.lstm_variables, stepwise.lstm_variables, reordered.lstm_variables, strict=True
    ):
        # float32 round-off of the compiled loop, scaled up by Adam's early normalisation
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=2e-5)
        assert np.abs(a.numpy() - c.numpy()).max() > 1e-3  # the order matters


def test_sequence_nll_is_the_per_sequence_mean_negative_log_prob_without_clipping():
    """Per-sequence NLL (NLL_test's terms) of 16 whole batches of 64 in the compiled loop
    and a partial batch of 6, against the float64 reference; no 1e-20 clip."""
    generator, params, _ = _small_generator_with_reference(output_scale=200.0)
    tokens = np.random.default_rng(1).integers(0, 30, size=(1030, 6))
    want = -ref.token_log_probs(params, tokens)
    assert want.max() > -np.log(1e-20)  # some tokens fall below the training losses' clip
    got = generator.sequence_nll(tokens)
    assert got.dtype == np.float64 and got.shape == (1030,)
    np.testing.assert_allclose(got, want.mean(axis=1), rtol=2e-5)
    np.testing.assert_allclose(generator.sequence_nll(tokens, batch_size=500), got, rtol=1e-6)


def test_models_of_one_shape_share_the_compiled_nll_but_score_with_their_own_weights():
    """sequence_nll's whole batches are one XLA function of the variables for every model
    of the same shapes (a Table 1 run scores with the oracle and five generators)."""
    from seqgan_tf.models.scoring import compiled_batches_nll

    first, _ = _tiny_generator(seed=0)
    second, _ = _tiny_generator(seed=1)
    tokens = np.random.default_rng(2).integers(0, 3, size=(128, 3))
    from_first = first.sequence_nll(tokens)
    traces = compiled_batches_nll.experimental_get_tracing_count()
    from_second = second.sequence_nll(tokens)
    assert compiled_batches_nll.experimental_get_tracing_count() == traces
    assert (from_first != from_second).any()
    second.copy_params_from(first)
    np.testing.assert_array_equal(second.sequence_nll(tokens), from_first)


def test_mle_training_lowers_the_loss():
    generator, _, tokens = _small_generator_with_reference()
    tokens = tf.constant(np.tile(tokens, (4, 1)), tf.int32)
    first = float(generator.pretrain_step(tokens))
    for _ in range(30):
        last = float(generator.pretrain_step(tokens))
    assert last < first - 0.5


def test_sample_block_size_divides_the_vocabulary_when_it_can():
    from seqgan_tf.models.kernels.output_layer import sample_block_size

    assert sample_block_size(5000) == 100  # 50 blocks of 100, no padding
    assert sample_block_size(3) == 3  # one block
    assert sample_block_size(30) == 6
    assert sample_block_size(97) == 10  # prime: ceil(sqrt) with padding


def test_categorical_sample_frequencies_and_zero_weights():
    """Two-level inverse CDF on a vocabulary of 37 (6 blocks of 7, the last padded):
    frequencies match the softmax (chi-square) and a token of probability 0 is never
    drawn."""
    from seqgan_tf.models.sampling import categorical_sample

    rng = np.random.default_rng(7)
    logits = rng.normal(size=37).astype(np.float32)
    logits[[0, 5, 36]] = -np.inf  # zero weight: first, inside a block, last (padded) block
    rows = 40_000
    draws = categorical_sample(
        tf.constant(np.tile(logits, (rows, 1))), tf.constant([3, 4], tf.int64)
    ).numpy()
    counts = np.bincount(draws, minlength=37)
    assert counts[[0, 5, 36]].sum() == 0
    p = np.exp(logits.astype(np.float64) - logits[np.isfinite(logits)].max())
    p /= p.sum()
    live = p > 0
    assert stats.chisquare(counts[live], p[live] * rows).pvalue > 1e-3
