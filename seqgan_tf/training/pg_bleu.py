"""PG-BLEU, the paper's baseline that replaces SeqGAN's discriminator with BLEU.

The generator, after MLE pre-training, is trained with SeqGAN's policy gradient (the
same loss, optimiser and rollout network with its delayed update); the reward of a
prefix is the mean sentence BLEU (equal 1/n weights up to ``max_n``, 3 in the
paper-era code) of its Monte-Carlo completions against the whole real data set as
references, from a single rollout by default; a whole sequence gets its own BLEU.
The completions come from :meth:`seqgan_tf.models.rollout.Rollout.rollout_completions` in
one compiled call and are scored in one vectorised BLEU call
(:class:`seqgan_tf.metrics.bleu.BleuScorer`), so the reward does not dominate an iteration.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from seqgan_tf.metrics.bleu import BleuScorer
from seqgan_tf.models.rollout import Rollout


class PGBleuReward:
    """BLEU rewards of a batch's prefixes through ``rollout``: the reward that
    :func:`seqgan_tf.train.adversarial_training` gives the policy gradient in PG-BLEU.

    Args:
      scorer: BLEU against the references (the real data).
      rollout_num: completions per prefix.
    """

    def __init__(self, rollout: Rollout, scorer: BleuScorer, rollout_num: int) -> None:
        self.rollout = rollout
        self.scorer = scorer
        self.rollout_num = rollout_num
        self._completions = tf.function(rollout.rollout_completions)

    def rewards(self, samples: tf.Tensor, seeds: tf.Tensor) -> np.ndarray:
        """The reward matrix [B, T] in SeqGAN's layout, BLEU in place of D.

        Column g - 1 (g = 1..T-1) is the mean BLEU of the completions of Y[:, :g];
        column T - 1 is BLEU(Y).
        """
        samples = np.asarray(samples)
        batch, length = samples.shape
        completions = self._completions(
            tf.constant(samples, tf.int32), self.rollout_num, seeds
        ).numpy()
        # Row ((g - 1) * N + n) * B + b is the n-th completion of samples[b, :g].
        prefix = self.scorer.score(completions).reshape(length - 1, self.rollout_num, batch)
        full = self.scorer.score(samples)
        return np.concatenate([prefix.mean(axis=1).T, full[:, None]], axis=1).astype(np.float32)

    def reward(self, samples: tf.Tensor, seeds: tf.Tensor) -> tf.Tensor:
        """:meth:`rewards` as a tensor: the ``seqgan_tf.train.Reward`` that PG-BLEU's
        policy-gradient steps call (``--mode=table1``, and ``bench.seqgan_speed``'s
        ``pg_bleu_step_s``)."""
        return tf.constant(self.rewards(samples.numpy(), seeds))
