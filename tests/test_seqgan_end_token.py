"""Positions after the end token: canonical samples, the masked policy gradient, the
rollout's completions (seqgan_tf/models/generator.py, "Sequences with an end token")."""

from __future__ import annotations

import numpy as np
import numpy_reference as ref
import pytest
import tensorflow as tf

from seqgan_tf.config import ModelConfig
from seqgan_tf.models.discriminator import Discriminator
from seqgan_tf.models.generator import Generator, canonical, until_end_mask
from seqgan_tf.models.rollout import Rollout

END = 0
SMALL = ModelConfig(
    vocab_size=6,
    sequence_length=7,
    gen_emb_dim=4,
    gen_hidden_dim=5,
    dis_emb_dim=5,
    dis_filter_sizes=(1, 2, 3),
    dis_num_filters=(3, 4, 5),
)


def first_end(row: np.ndarray) -> int:
    """Index of the row's first END, or its length (plain Python, the reference)."""
    for index, token in enumerate(row):
        if token == END:
            return index
    return len(row)


def reference_canonical(tokens: np.ndarray) -> np.ndarray:
    out = np.array(tokens)
    for row in out:
        row[first_end(row) + 1 :] = END
    return out


def test_mask_and_canonical_form_against_a_loop():
    tokens = np.array(
        [
            [3, 4, 0, 5, 0, 2, 1],  # END in the middle, tokens after it
            [0, 3, 3, 3, 3, 3, 3],  # END first: the empty sentence
            [1, 2, 3, 4, 5, 1, 2],  # no END: all kept
            [2, 2, 2, 2, 2, 2, 0],  # END last
        ]
    )
    tokens = np.concatenate([tokens, np.random.default_rng(0).integers(0, 6, size=(200, 7))])
    mask = until_end_mask(tokens, END).numpy()
    for row, row_mask in zip(tokens, mask, strict=True):
        stop = first_end(row)
        assert row_mask.tolist() == [t <= stop for t in range(7)]
    np.testing.assert_array_equal(canonical(tokens, END).numpy(), reference_canonical(tokens))
    # Canonical is idempotent, and a real END-padded sequence is already canonical.
    np.testing.assert_array_equal(
        canonical(canonical(tokens, END), END).numpy(), reference_canonical(tokens)
    )


def test_samples_are_canonical_and_otherwise_the_same_draws():
    params = ref.random_params(np.random.default_rng(1), vocab=6, emb=4, hidden=5, scale=1.0)
    with_end = Generator(SMALL, seed=0, end_token=END)
    without = Generator(SMALL, seed=0)
    for model in (with_end, without):
        model.import_params(params)
    seeds = tf.random.Generator.from_seed(5).make_seeds(7)
    raw = without.generate(3000, seeds).numpy()
    got = with_end.generate(3000, seeds).numpy()
    assert (raw != reference_canonical(raw)).any()  # the raw draws do continue after END
    np.testing.assert_array_equal(got, reference_canonical(raw))
    many = with_end.generate_many(300, tf.random.Generator.from_seed(2), batch_size=128)
    np.testing.assert_array_equal(many, reference_canonical(many))
    # raw=True: the same draws as the LSTM made them, END or not after the first END.
    np.testing.assert_array_equal(with_end.draw(3000, seeds).numpy(), raw)
    drawn = with_end.generate_many(300, tf.random.Generator.from_seed(2), 128, raw=True)
    np.testing.assert_array_equal(reference_canonical(drawn), many)
    assert (drawn != many).any()


def test_policy_gradient_loss_stops_at_the_first_end():
    """-sum of log p(y_t | y_<t) * reward over t up to each row's first END, against the
    float64 reference; rewards after the END change nothing, before it they do."""
    rng = np.random.default_rng(3)
    params = ref.random_params(rng, vocab=6, emb=4, hidden=5, scale=0.5)
    generator = Generator(SMALL, seed=0, end_token=END)
    generator.import_params(params)
    tokens = reference_canonical(rng.integers(0, 6, size=(32, 7)))
    rewards = rng.uniform(size=(32, 7))
    log_p = np.maximum(ref.token_log_probs(params, tokens), np.log(1e-20))
    mask = np.array([[t <= first_end(row) for t in range(7)] for row in tokens])
    want = -np.sum(log_p * rewards * mask)
    got = float(generator.adversarial_loss(tf.constant(tokens, tf.int32), tf.constant(rewards)))
    np.testing.assert_allclose(got, want, rtol=1e-5)
    changed = np.where(mask, rewards, rewards + 10.0)
    again = float(generator.adversarial_loss(tf.constant(tokens, tf.int32), tf.constant(changed)))
    assert again == pytest.approx(got, rel=1e-6)
    # Without an end token the same rewards weigh every position: the original's loss.
    plain = Generator(SMALL, seed=0)
    plain.import_params(params)
    full = float(plain.adversarial_loss(tf.constant(tokens, tf.int32), tf.constant(rewards)))
    np.testing.assert_allclose(full, -np.sum(log_p * rewards), rtol=1e-5)
    assert abs(full - got) > 1.0


def test_mle_loss_keeps_the_padding_targets():
    """MLE stays the mean over batch and time, END padding included (Texygen's choice)."""
    rng = np.random.default_rng(4)
    params = ref.random_params(rng, vocab=6, emb=4, hidden=5, scale=0.5)
    generator = Generator(SMALL, seed=0, end_token=END)
    generator.import_params(params)
    tokens = reference_canonical(rng.integers(0, 6, size=(16, 7)))
    want = -np.mean(np.maximum(ref.token_log_probs(params, tokens), np.log(1e-20)))
    got = float(generator.pretrain_loss(tf.constant(tokens, tf.int32)))
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_rollout_completions_are_canonical_and_ended_prefixes_complete_to_the_sample():
    generator = Generator(SMALL, seed=0, end_token=END)
    discriminator = Discriminator(SMALL, seed=0)
    rollout = Rollout(generator, update_rate=0.0)
    assert rollout.end_token == END
    samples = np.array(
        [
            [3, 0, 0, 0, 0, 0, 0],
            [4, 5, 2, 0, 0, 0, 0],
            [1, 2, 3, 4, 5, 1, 2],
            [0, 0, 0, 0, 0, 0, 0],
        ],
        np.int32,
    )
    n = 5
    seeds = tf.random.Generator.from_seed(9).make_seeds(7)
    completions = rollout.rollout_completions(tf.constant(samples, tf.int32), n, seeds).numpy()
    np.testing.assert_array_equal(completions, reference_canonical(completions))
    blocks = completions.reshape(6, n, 4, 7)  # [prefix length - 1, rollout, row, T]
    for row, sample in enumerate(samples):
        for g in range(first_end(sample) + 1, 7):  # prefixes that hold the END
            for k in range(n):
                np.testing.assert_array_equal(blocks[g - 1, k, row], sample)
    rewards = rollout.get_reward(samples, n, discriminator, seeds).numpy()
    full = discriminator.real_probability(tf.constant(samples, tf.int32)).numpy()
    for row, sample in enumerate(samples):
        np.testing.assert_allclose(rewards[row, first_end(sample) :], full[row], atol=1e-6)
    # A prefix without END is still completed by sampling (not copied).
    assert (blocks[0, :, 2] != samples[2]).any()


def test_the_end_token_must_be_in_the_vocabulary():
    with pytest.raises(ValueError, match=r"end token 6 outside the vocabulary \[0, 6\)"):
        Generator(SMALL, end_token=6)
