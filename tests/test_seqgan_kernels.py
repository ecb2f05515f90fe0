"""``--kernels=fast`` and ``--kernels=reference``: two implementations of one interface
(:class:`seqgan_tf.models.kernels.Kernels`) that train to the same weights.

The interface: each flag value selects one implementation, each operation has its own
code on each path, and the models compute every operation through the implementation
they selected. The equivalence: each model is built twice from the same seed, once per
path, and trained side by side on the same data for a few steps: MLE steps,
policy-gradient steps on the same samples and rewards, scheduled-sampling-style inputs,
discriminator steps, and the scoring. The two paths differ only in float32 summation
order, so they agree to float32 tolerance; a kernel that computed anything else would
drift apart within a step.
"""

from __future__ import annotations

import collections
import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from seqgan_tf.config import KERNELS, ModelConfig
from seqgan_tf.models import kernels
from seqgan_tf.models.discriminator import Discriminator
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.kernels import reference as reference_path
from seqgan_tf.models.kernels.fused_adam import TF1Adam
from seqgan_tf.models.oracle import Oracle
from seqgan_tf.models.rollout import Rollout

SMALL = ModelConfig(
    vocab_size=40,
    sequence_length=7,
    gen_emb_dim=6,
    gen_hidden_dim=8,
    dis_emb_dim=5,
    dis_filter_sizes=(1, 2, 3),
    dis_num_filters=(3, 4, 5),
    batch_size=16,
    rollout_num=2,
    dis_dropout_keep_prob=1.0,  # deterministic steps
)
# The modules of the fast path's kernels (seqgan_tf/models/kernels/).
FAST_MODULES = ("fast", "output_layer", "lstm", "im2col", "fused_adam")


def _pair(cls, **kwargs):
    return [
        cls(dataclasses.replace(SMALL, kernels=kernels), seed=3, **kwargs)
        for kernels in ("fast", "reference")
    ]


def _assert_same_weights(fast, reference, rtol=2e-4, atol=2e-5):
    for a, b in zip(fast.trainable_variables, reference.trainable_variables, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=rtol, atol=atol, err_msg=a.path)


def test_each_flag_value_selects_one_implementation():
    assert tuple(kernels.select(name).name for name in KERNELS) == KERNELS
    assert kernels.select("fast") is kernels.FAST
    assert kernels.select("reference") is kernels.REFERENCE
    with pytest.raises(ValueError, match="--kernels='bogus'"):
        kernels.select("bogus")
    with pytest.raises(ValueError, match="--kernels='bogus'"):
        dataclasses.replace(SMALL, kernels="bogus")


def test_the_paths_are_different_code():
    """Every operation of the interface has its own implementation on each path, and the
    reference path's module holds no fast kernel."""
    for field in dataclasses.fields(kernels.Kernels):
        fast, reference = (getattr(k, field.name) for k in (kernels.FAST, kernels.REFERENCE))
        assert fast != reference, field.name
    fast_modules = {f"seqgan_tf.models.kernels.{name}" for name in FAST_MODULES}
    borrowed = [
        name
        for name, value in vars(reference_path).items()
        if getattr(value, "__module__", None) in fast_modules
    ]
    assert not borrowed
    d_fast, d_reference = _pair(Discriminator)
    assert isinstance(d_fast.train_optimizer, TF1Adam)
    assert not isinstance(d_reference.train_optimizer, TF1Adam)


def _counting(implementation: kernels.Kernels, calls: collections.Counter) -> kernels.Kernels:
    """``implementation`` with every operation counting its calls (Python calls: a
    compiled function counts when it is traced)."""

    def counted(name, fn):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)

        return wrapper

    members = {
        f.name: counted(f.name, getattr(implementation, f.name))
        for f in dataclasses.fields(implementation)
        if f.name != "name"
    }
    return dataclasses.replace(implementation, **members)


@pytest.mark.parametrize("name", KERNELS)
def test_the_models_compute_through_the_kernels_they_selected(name, monkeypatch):
    """Models built with --kernels=name run every operation of the interface through the
    implementation select(name) returned, and none through the other one."""
    calls, other_calls = collections.Counter(), collections.Counter()
    other = next(n for n in KERNELS if n != name)
    monkeypatch.setitem(kernels._BY_NAME, name, _counting(kernels.select(name), calls))
    monkeypatch.setitem(kernels._BY_NAME, other, _counting(kernels.select(other), other_calls))
    config = dataclasses.replace(SMALL, kernels=name)
    rng = np.random.default_rng(4)
    generator, discriminator = Generator(config, seed=3), Discriminator(config, seed=3)
    rollout = Rollout(generator, 0.8)
    assert generator.kernels is discriminator.kernels is rollout.kernels
    assert generator.kernels is kernels.select(name)
    tokens = tf.constant(rng.integers(0, 40, size=(16, 7)), tf.int32)
    seeds = tf.random.Generator.from_seed(5).make_seeds(7)
    generator.pretrain_epoch(tokens[None])
    generator(tokens)
    generator.token_log_probs(tokens)
    rewards = rollout.get_reward(generator.generate(16, seeds), 2, discriminator, seeds)
    generator.adversarial_step(tokens, rewards)
    discriminator.train_step_on_batch(tokens, tf.one_hot(rng.integers(0, 2, size=16), 2))
    members = {f.name for f in dataclasses.fields(kernels.Kernels)} - {"name"}
    assert set(calls) == members
    assert not other_calls


def test_generators_train_alike_by_mle_and_policy_gradient():
    rng = np.random.default_rng(0)
    fast, reference = _pair(Generator)
    assert (fast.kernels.name, reference.kernels.name) == ("fast", "reference")
    batches = tf.constant(rng.integers(0, 40, size=(3, 16, 7)), tf.int32)
    losses = [float(g.pretrain_epoch(batches)) for g in (fast, reference)]
    assert losses[0] == pytest.approx(losses[1], rel=1e-5)
    _assert_same_weights(fast, reference)
    tokens = tf.constant(rng.integers(0, 40, size=(16, 7)), tf.int32)
    rewards = tf.constant(rng.uniform(size=(16, 7)), tf.float32)
    for _ in range(3):
        losses = [float(g.adversarial_step(tokens, rewards)) for g in (fast, reference)]
        assert losses[0] == pytest.approx(losses[1], rel=1e-4)
    _assert_same_weights(fast, reference)
    # Scoring, and the log-probabilities given other inputs (scheduled sampling's).
    inputs = tf.constant(rng.integers(0, 40, size=(16, 7)), tf.int32)
    np.testing.assert_allclose(
        fast.token_log_probs(tokens), reference.token_log_probs(tokens), rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(fast(tokens), reference(tokens), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(
        fast.token_log_probs_for_training(tokens, inputs),
        reference.token_log_probs_for_training(tokens, inputs),
        rtol=1e-5,
        atol=1e-5,
    )


def test_discriminators_train_alike_and_score_alike():
    rng = np.random.default_rng(1)
    fast, reference = _pair(Discriminator)
    for _ in range(4):
        tokens = tf.constant(rng.integers(0, 40, size=(16, 7)), tf.int32)
        labels = tf.one_hot(rng.integers(0, 2, size=16), 2)
        losses = [float(d.train_step_on_batch(tokens, labels)) for d in (fast, reference)]
        assert losses[0] == pytest.approx(losses[1], rel=1e-5)
    _assert_same_weights(fast, reference)
    assert int(fast.train_optimizer.iterations) == int(reference.train_optimizer.iterations) == 4
    np.testing.assert_allclose(
        fast.real_probability(tokens), reference.real_probability(tokens), rtol=1e-5
    )


def test_samples_and_rewards_follow_the_same_distribution():
    """Sampling differs only in the softmax's shift (a bound or the row max): the draws
    from the same seeds are the same tokens save for float32 ties at a CDF boundary."""
    oracle = [
        Oracle.from_seed(2, dataclasses.replace(SMALL, kernels=k)) for k in ("fast", "reference")
    ]
    seeds = tf.random.Generator.from_seed(5).make_seeds(7)
    draws = [o.generate(2000, seeds).numpy() for o in oracle]
    assert (draws[0] == draws[1]).mean() > 0.999
    generators = _pair(Generator)
    discriminators = _pair(Discriminator)
    rollouts = [Rollout(g, 0.8) for g in generators]
    samples = generators[0].generate(16, seeds)
    rewards = [
        r.get_reward(samples, 2, d, seeds).numpy()
        for r, d in zip(rollouts, discriminators, strict=True)
    ]
    np.testing.assert_allclose(rewards[0], rewards[1], atol=0.05)


def test_a_whole_experiment_on_the_reference_path_tracks_the_fast_one(tiny_oracle_run, tmp_path):
    """The tiny oracle experiment with --kernels=reference: every logged NLL_oracle within
    0.05 nats of the fast run's (the draws differ only where float32 ties move a token)."""
    import json

    from seqgan_tiny import TINY_SPEC

    from seqgan_tf.experiments.oracle import OracleExperiment

    spec = dataclasses.replace(
        TINY_SPEC, config=dataclasses.replace(TINY_SPEC.config, kernels="reference")
    )
    OracleExperiment(str(tmp_path), spec, progress_interval=1e9, print_fn=lambda _: None).run()

    def logged(workdir):
        with open(f"{workdir}/metrics.jsonl") as f:
            rows = [json.loads(line) for line in f]
        return [(r["phase"], r["step"], r["nll_oracle"]) for r in rows if r["nll_oracle"]]

    fast, reference = logged(tiny_oracle_run[0]), logged(tmp_path)
    assert [row[:2] for row in fast] == [row[:2] for row in reference]
    np.testing.assert_allclose([r[2] for r in reference], [r[2] for r in fast], atol=0.05)
