"""The SeqGAN generator: the original's LSTM policy, its MLE and policy-gradient losses.

Both losses use the original's clipped log-probability log(clip(p, 1e-20, 1)). The
MLE ("pretrain") loss is a mean over batch and time; the adversarial loss is a *sum*
over batch and time of log p(y_t | Y_<t) * reward[b, t], with no baseline. The two
updates each have their own Adam state (learning rate 0.01; the paper-era code used
Adam's default 1e-3), after clipping gradients to global norm 5.0.
"""

from __future__ import annotations

import math

import tensorflow as tf

from seqgan_tf.config import ModelConfig
from seqgan_tf.models.optimizers import apply_gradients, tf1_adam
from seqgan_tf.models.token_lstm import TokenLSTM

LOG_PROB_FLOOR = math.log(1e-20)


class Generator(TokenLSTM):
    """The generator G_theta of SeqGAN, with its two optimisers.

    Args:
      config: shapes and optimiser settings (defaults: the original's).
      seed: seed of the N(0, 0.1) initialisers.
      jit_compile: compile :meth:`pretrain_epoch` with XLA (same math, float32 sums
        reordered).
    """

    def __init__(
        self,
        config: ModelConfig | None = None,
        seed: int | None = None,
        jit_compile: bool = True,
        **kwargs,
    ):
        config = config or ModelConfig()
        kwargs.setdefault("name", "generator")
        super().__init__(
            **TokenLSTM.shape_kwargs(config),
            init_stddev=config.gen_init_stddev,
            seed=seed,
            **kwargs,
        )
        self.config = config
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
        """Policy-gradient loss: -sum over batch and time of log p(y_t | Y_<t) * reward."""
        rewards = tf.cast(rewards, self.embedding.dtype)
        return -tf.reduce_sum(self.clipped_token_log_probs(tokens) * rewards)

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
        num_batches = tf.shape(batches)[0]
        losses = tf.TensorArray(tf.float32, size=num_batches)
        for i in tf.range(num_batches):
            losses = losses.write(i, self._pretrain_update(batches[i]))
        return tf.reduce_mean(losses.stack())

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
