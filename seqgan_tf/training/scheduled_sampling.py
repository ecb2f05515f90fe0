"""Scheduled sampling (Bengio et al., 2015), the "SS" baseline of the paper's Table 1.

Training is MLE, except for the inputs: at each step t >= 1 the generator is fed the
true previous token with probability p and otherwise a token sampled (temperature 1)
from its own prediction at step t - 1, one independent coin per token. The loss is the
MLE loss on the true tokens, log-probabilities clipped as the generator's MLE loss
clips them. No gradient flows through the sampled tokens (a discrete draw). p falls
each epoch; the paper-era code started at 1.0 and lowered it by 0.002 an epoch for 300
epochs (:meth:`seqgan_tf.schedule.BaselineSchedule.true_input_prob`). With p = 1 this
is exactly the MLE loss (tested).
"""

from __future__ import annotations

import tensorflow as tf

from seqgan_tf.models.generator import LOG_PROB_FLOOR, Generator
from seqgan_tf.models.step_loop import stacked_step_outputs
from seqgan_tf.models.token_lstm import TokenLSTM


def scheduled_sampling_inputs(
    model: TokenLSTM, tokens: tf.Tensor, true_input_prob: tf.Tensor, seed: tf.Tensor
) -> tf.Tensor:
    """The inputs scheduled sampling feeds, [B, T]: the start token, then per position the
    true previous token with probability p, else a draw from the model's prediction given
    the inputs fed so far.

    Args:
      tokens: int [B, T] true sequences.
      true_input_prob: p, the probability of feeding the true previous token.
      seed: int [2] stateless seed; the coins and each step's draw use seeds split from it.
    """
    tokens = tf.convert_to_tensor(tokens, tf.int32)
    batch = tf.shape(tokens)[0]
    length = model.sequence_length
    seeds = tf.random.experimental.stateless_split(seed, length)  # [T, 2]
    coins = tf.random.stateless_uniform([batch, length], seed=seeds[0])
    use_true = coins < tf.cast(true_input_prob, coins.dtype)
    inputs = [tf.fill([batch], tf.constant(model.start_token, tf.int32))]
    h, c = model.zero_state(batch)
    for t in range(length - 1):
        h, c = model.cell(model.embed(inputs[t]), h, c)
        sampled = model.sample_next(h, seeds[t + 1])
        inputs.append(tf.where(use_true[:, t + 1], tokens[:, t], sampled))
    return tf.stop_gradient(tf.stack(inputs, axis=1))


def scheduled_sampling_log_probs(
    model: TokenLSTM, tokens: tf.Tensor, true_input_prob: tf.Tensor, seed: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor]:
    """log p(y_t | inputs_<=t) of the true tokens under scheduled sampling, [B, T], and the
    inputs fed, [B, T] (column 0 is the start token).

    Two passes: the inputs are drawn first (a sampling pass, no gradient), then scored by
    a teacher-forced pass given them. The second pass recomputes the states the first one
    saw, with the same parameters, and is cheaper to differentiate than one unrolled pass
    that samples and scores step by step.
    """
    tokens = tf.convert_to_tensor(tokens, tf.int32)
    inputs = scheduled_sampling_inputs(model, tokens, true_input_prob, seed)
    return model.token_log_probs_for_training(tokens, inputs), inputs


class ScheduledSamplingTrainer:
    """Trains a :class:`Generator` by scheduled sampling with its MLE optimiser."""

    def __init__(self, generator: Generator, jit_compile: bool = True) -> None:
        self.generator = generator
        self._epoch = tf.function(self._epoch_body)
        # The update (teacher-forced pass, softmax gradient, Adam) runs under XLA, the
        # sampling pass on the graph executor, where its cumulative sums and searches are
        # faster than under XLA (docs/PERFORMANCE.md).
        self._update = tf.function(self._update_body, jit_compile=jit_compile)

    def _update_body(self, tokens: tf.Tensor, inputs: tf.Tensor) -> tf.Tensor:
        return self.generator.apply_loss(
            self.generator.pretrain_optimizer, lambda: self.loss_given_inputs(tokens, inputs)
        )

    def loss(self, tokens: tf.Tensor, true_input_prob: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        """The MLE loss (mean clipped -log p) with scheduled-sampling inputs."""
        inputs = scheduled_sampling_inputs(self.generator, tokens, true_input_prob, seed)
        return self.loss_given_inputs(tokens, inputs)

    def loss_given_inputs(self, tokens: tf.Tensor, inputs: tf.Tensor) -> tf.Tensor:
        log_probs = self.generator.token_log_probs_for_training(tokens, inputs)
        return -tf.reduce_mean(tf.maximum(log_probs, LOG_PROB_FLOOR))

    def train_epoch(self, batches: tf.Tensor, true_input_prob: float, seed: tf.Tensor) -> float:
        """One epoch over ``batches`` [num_batches, B, T] in order; returns the mean loss.

        Args:
          seed: int [2]; batch i uses the seed folded with i.
        """
        return float(
            self._epoch(
                tf.convert_to_tensor(batches, tf.int32),
                tf.constant(true_input_prob, tf.float32),
                tf.convert_to_tensor(seed, tf.int64),
            )
        )

    def _epoch_body(self, batches: tf.Tensor, true_input_prob: tf.Tensor, seed: tf.Tensor):
        def update(i: tf.Tensor) -> tf.Tensor:
            tokens = batches[i]
            batch_seed = tf.random.experimental.stateless_fold_in(seed, i)
            # Drawn before the gradient tape starts: the sampling pass needs no gradient
            # (recorded on the tape, it would be differentiated for nothing).
            inputs = scheduled_sampling_inputs(self.generator, tokens, true_input_prob, batch_seed)
            return self._update(tokens, inputs)

        return tf.reduce_mean(stacked_step_outputs(tf.shape(batches)[0], update))
