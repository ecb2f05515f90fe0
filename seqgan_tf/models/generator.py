"""The SeqGAN generator: the original's LSTM policy, its MLE and policy-gradient losses.

Both losses use the original's clipped log-probability log(clip(p, 1e-20, 1)). The
MLE ("pretrain") loss is a mean over batch and time; the adversarial loss is a *sum*
over batch and time of log p(y_t | Y_<t) * reward[b, t], with no baseline. The two
updates each have their own Adam state (learning rate 0.01; the paper-era code used
Adam's default 1e-3), after clipping gradients to global norm 5.0.

Sequences with an end token
---------------------------
The oracle experiment has none: every sequence is T tokens and ``end_token`` is None,
which leaves every computation here exactly the original's. Text corpora of sentences
of any length (:mod:`seqgan_tf.data.corpus`) end each sentence with END and pad it with
END up to T, and give the generator ``end_token``. Positions after a sequence's first
END are then treated as follows.

* **Samples are canonical.** :meth:`Generator.generate` (and so ``generate_many``)
  returns every sampled sequence with END from its first END on (:func:`canonical`). A
  generated sentence then has exactly the form of a real one, which the corpus pads
  with END, so the discriminator, the rollout, BLEU and the written samples see the
  sentence and never what the LSTM drew after it. (The original pads its real data to
  a fixed length and never cuts a sample; Texygen keeps the raw samples and drops every
  END-id token when decoding, so a sentence can resume after its end there.)
* **MLE on the padded targets**, as Texygen does and as the original would on padded
  data: the loss stays the mean over batch and time, padding included. This is what
  teaches the generator that END follows END, so that its own samples are already
  nearly canonical and the canonicalisation changes little; it also leaves the
  compiled epoch untouched. The price is a training loss diluted by the easy padding
  positions; the test NLL that is reported (:mod:`seqgan_tf.metrics.text`) counts the
  tokens up to and including the first END only.
* **Policy gradient masked after the first END** (:func:`until_end_mask`): the reward
  of the END itself is kept (ending there is a choice that shapes the sentence), the
  tokens after it are not choices (canonicalisation overwrites them), so their
  log-probabilities get no gradient. Without the mask they would be pushed by a reward
  that does not depend on them.
* **Rollout completions are canonicalised** before the discriminator scores them
  (:mod:`seqgan_tf.models.rollout`): a completion that draws END ends there, and a
  prefix that already holds END completes to the sample itself, so its reward is D(Y)
  without sampling noise.
* **The discriminator** needs no change: it is given canonical sequences only, real
  ones END-padded, generated ones canonicalised.
"""

from __future__ import annotations

import math

import tensorflow as tf

from seqgan_tf.config import ModelConfig
from seqgan_tf.models.optimizers import apply_gradients, tf1_adam
from seqgan_tf.models.step_loop import stacked_step_outputs
from seqgan_tf.models.token_lstm import TokenLSTM

LOG_PROB_FLOOR = math.log(1e-20)


def until_end_mask(tokens: tf.Tensor, end_token: int) -> tf.Tensor:
    """bool [B, T]: True up to and including each row's first ``end_token`` (all True in
    a row without one)."""
    tokens = tf.convert_to_tensor(tokens)
    is_end = tf.cast(tf.equal(tokens, tf.cast(end_token, tokens.dtype)), tf.int32)
    return tf.equal(tf.cumsum(is_end, axis=1, exclusive=True), 0)


def canonical(tokens: tf.Tensor, end_token: int) -> tf.Tensor:
    """``tokens`` [B, T] with every position after a row's first ``end_token`` set to
    ``end_token`` (the corpus's padding): the form of a real, END-padded sequence."""
    tokens = tf.convert_to_tensor(tokens)
    end = tf.cast(end_token, tokens.dtype)
    return tf.where(until_end_mask(tokens, end_token), tokens, end)


class Generator(TokenLSTM):
    """The generator G_theta of SeqGAN, with its two optimisers.

    Args:
      config: shapes and optimiser settings (defaults: the original's).
      seed: seed of the N(0, 0.1) initialisers.
      jit_compile: compile :meth:`pretrain_epoch` with XLA (same math, float32 sums
        reordered).
      end_token: the id that ends a sentence and pads it, or None (the oracle: fixed
        length); see the module docstring.
    """

    def __init__(
        self,
        config: ModelConfig | None = None,
        seed: int | None = None,
        jit_compile: bool = True,
        end_token: int | None = None,
        **kwargs,
    ):
        config = config or ModelConfig()
        if end_token is not None and not 0 <= end_token < config.vocab_size:
            raise ValueError(
                f"end token {end_token} outside the vocabulary [0, {config.vocab_size})"
            )
        kwargs.setdefault("name", "generator")
        super().__init__(
            **TokenLSTM.shape_kwargs(config),
            init_stddev=config.gen_init_stddev,
            seed=seed,
            score_batch_size=config.batch_size,
            **kwargs,
        )
        self.config = config
        self.end_token = end_token
        self.pretrain_optimizer = tf1_adam(
            config.gen_learning_rate, config.adam_epsilon, name="pretrain_adam"
        )
        self.adversarial_optimizer = tf1_adam(
            config.gen_learning_rate, config.adam_epsilon, name="adversarial_adam"
        )
        # Built eagerly so that their slots exist before any tf.function traces.
        self.pretrain_optimizer.build(self.trainable_variables)
        self.adversarial_optimizer.build(self.trainable_variables)
        # XLA fuses the softmax, its gradient and Adam's element-wise updates of a whole
        # epoch (less CPU per step than the graph executor: docs/PERFORMANCE.md); the
        # compilation (tens of seconds at full size) is paid once per process.
        self._pretrain_epoch = tf.function(self._pretrain_epoch_body, jit_compile=jit_compile)

    def clipped_token_log_probs(self, tokens: tf.Tensor) -> tf.Tensor:
        """log(clip(p(y_t | y_<t), 1e-20, 1)), [B, T], as the original's losses take it.

        max(log p, log 1e-20) equals log(clip(p)) and has the same (zero) gradient
        below the floor, without first rounding p to float32.
        """
        return tf.maximum(self.token_log_probs_for_training(tokens), LOG_PROB_FLOOR)

    def pretrain_loss(self, tokens: tf.Tensor) -> tf.Tensor:
        """MLE loss: mean over batch and time of -log p(x_t | x_<t)."""
        return -tf.reduce_mean(self.clipped_token_log_probs(tokens))

    def adversarial_loss(self, tokens: tf.Tensor, rewards: tf.Tensor) -> tf.Tensor:
        """Policy-gradient loss: -sum over batch and time of log p(y_t | Y_<t) * reward
        (with an end token: over the positions up to each row's first END)."""
        rewards = tf.cast(rewards, self.embedding.dtype)
        if self.end_token is not None:
            mask = until_end_mask(tokens, self.end_token)
            rewards = tf.where(mask, rewards, tf.zeros_like(rewards))
        return -tf.reduce_sum(self.clipped_token_log_probs(tokens) * rewards)

    def generate(self, num_sequences: int, seeds: tf.Tensor, temperature: float = 1.0) -> tf.Tensor:
        """:meth:`TokenLSTM.draw`'s samples, each :func:`canonical` when there is an end
        token."""
        tokens = self.draw(num_sequences, seeds, temperature)
        return tokens if self.end_token is None else canonical(tokens, self.end_token)

    @tf.function
    def pretrain_step(self, tokens: tf.Tensor) -> tf.Tensor:
        """One MLE update on a batch; returns the loss before the update."""
        return self._pretrain_update(tokens)

    @tf.function
    def adversarial_step(self, tokens: tf.Tensor, rewards: tf.Tensor) -> tf.Tensor:
        """One policy-gradient update; returns the loss before the update."""
        return self.apply_loss(
            self.adversarial_optimizer, lambda: self.adversarial_loss(tokens, rewards)
        )

    def pretrain_epoch(self, batches: tf.Tensor) -> tf.Tensor:
        """One MLE epoch over ``batches`` [num_batches, B, T] in order (the original does
        not shuffle), as one compiled call; returns the mean loss."""
        return self._pretrain_epoch(tf.convert_to_tensor(batches, tf.int32))

    def _pretrain_epoch_body(self, batches: tf.Tensor) -> tf.Tensor:
        losses = stacked_step_outputs(
            tf.shape(batches)[0], lambda i: self._pretrain_update(batches[i])
        )
        return tf.reduce_mean(losses)

    def _pretrain_update(self, tokens: tf.Tensor) -> tf.Tensor:
        return self.apply_loss(self.pretrain_optimizer, lambda: self.pretrain_loss(tokens))

    def apply_loss(self, optimizer, loss_fn) -> tf.Tensor:
        """One clipped Adam step of ``optimizer`` on ``loss_fn()``; returns the loss before
        the step (also the update of the baselines' trainers, e.g. scheduled sampling)."""
        with tf.GradientTape() as tape:
            loss = loss_fn()
        variables = self.trainable_variables
        apply_gradients(
            optimizer, tape.gradient(loss, variables), variables, self.config.gen_grad_clip
        )
        return loss
