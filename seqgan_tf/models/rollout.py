"""Monte-Carlo rollout rewards and the rollout network's delayed update.

For a batch Y of generated sequences, reward[b, t-1] (t = 1..T-1) is the mean over
N rollouts of D's real-probability of Y[b, :t] completed to length T by sampling
from the rollout network; reward[b, T-1] is D(Y[b]) itself.

The rollout network G_beta is its own copy of the generator's parameters. After
each adversarial step, theta_beta <- r * theta_beta + (1 - r) * theta_G, except the
embedding, which is copied outright (``update_params`` of the original).

Quirk of the original code: its rollout graph reads ``tf.identity`` of the live
generator variables, and the tensors ``update_params()`` builds are never used, so
the published runs rolled out with the *current* generator: r = 0 here reproduces
that; r = 0.8 (default) is the delayed update the paper and the code describe.

All (T-1) x N completions of a batch are sampled by one compiled call: one
teacher-forced pass gives the state after every prefix, then a single loop over
positions advances every unfinished completion together, prefix lengths sorted so
that the rows still sampling form a growing leading block.
"""

from __future__ import annotations

import tensorflow as tf

from seqgan_tf.models.discriminator import Discriminator
from seqgan_tf.models.generator import Generator, canonical
from seqgan_tf.models.token_lstm import TokenLSTM

# Rows per sampling block in the rollout (see Rollout._sample_next).
SAMPLE_BLOCK = 1024


class Rollout(TokenLSTM):
    """The rollout policy G_beta.

    Args:
      generator: the generator whose parameters it starts from (and is updated to).
      update_rate: r of the delayed update; 0 reproduces the original code's behaviour.
    """

    def __init__(self, generator: Generator, update_rate: float = 0.8, **kwargs) -> None:
        if not 0.0 <= update_rate <= 1.0:
            raise ValueError(f"rollout update rate must lie in [0, 1], got {update_rate}")
        kwargs.setdefault("name", "rollout")
        super().__init__(
            vocab_size=generator.vocab_size,
            emb_dim=generator.emb_dim,
            hidden_dim=generator.hidden_dim,
            sequence_length=generator.sequence_length,
            start_token=generator.start_token,
            kernels=generator.kernels.name,
            **kwargs,
        )
        self.update_rate = float(update_rate)
        # With an end token, completions are canonical (the generator's module docstring).
        self.end_token = getattr(generator, "end_token", None)
        self.trainable = False
        self.copy_params_from(generator)

    def update_params(self, generator: Generator) -> None:
        """theta_beta <- r * theta_beta + (1 - r) * theta_G; the embedding is copied."""
        r = self.update_rate
        mine, theirs = self.lstm_variables, generator.lstm_variables
        mine[0].assign(theirs[0])
        for variable, target in zip(mine[1:], theirs[1:], strict=True):
            variable.assign(r * variable + (1.0 - r) * target)

    def rollout_completions(
        self, samples: tf.Tensor, rollout_num: int, seeds: tf.Tensor
    ) -> tf.Tensor:
        """Every completion of every proper prefix, [(T-1) * N * B, T].

        Row ((g - 1) * N + n) * B + b is the n-th completion of samples[b, :g]
        (g = 1..T-1): its first g tokens are samples[b, :g], the rest are sampled.
        With an end token each row is then made canonical (END after its first END).

        Args:
          samples: int [B, T] sequences to complete.
          rollout_num: N, completions per prefix.
          seeds: int [2, T] stateless seeds (column p draws position p).
        """
        samples = tf.convert_to_tensor(samples, dtype=tf.int32)
        length = self.sequence_length
        hs, cs = self.teacher_forced_states(samples)

        def tile(x: tf.Tensor, blocks: int) -> tf.Tensor:
            return tf.tile(x, [blocks] + [1] * (x.shape.rank - 1))

        sampled_columns = []
        h = c = token = None
        for p in range(1, length):
            # Prefixes of length p join now, from the teacher-forced state that gives
            # p(y_p | y_<p); older rows advance one step on their previous sample.
            joining_h, joining_c = tile(hs[:, p], rollout_num), tile(cs[:, p], rollout_num)
            if p == 1:
                h, c = joining_h, joining_c
            else:
                h, c = self.cell(self.embed(token), h, c)
                h = tf.concat([h, joining_h], axis=0)
                c = tf.concat([c, joining_c], axis=0)
            token = self._sample_next(h, seeds[:, p])
            sampled_columns.append(token)

        columns = [tile(samples[:, 0], rollout_num * (length - 1))]
        for p in range(1, length):
            fixed = tile(samples[:, p], rollout_num * (length - 1 - p))
            columns.append(tf.concat([sampled_columns[p - 1], fixed], axis=0))
        completions = tf.stack(columns, axis=1)
        if self.end_token is None:
            return completions
        return canonical(completions, self.end_token)

    def _sample_next(self, h: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        """Next tokens of states h [R, H], in blocks of at most SAMPLE_BLOCK rows.

        Late positions advance up to (T-1) * N * B = 19,456 rows at once; their [R, V]
        logits and weights (~390 MB each) would stream through memory several times.
        Blocks keep them in cache. Each block draws with its own seed folded from
        ``seed``, so the draws stay independent and reproducible.
        """
        rows = h.shape[0]
        if rows is None or rows <= SAMPLE_BLOCK:
            return self.sample_next(h, seed)
        tokens = []
        for index, start in enumerate(range(0, rows, SAMPLE_BLOCK)):
            block_seed = tf.random.experimental.stateless_fold_in(seed, index)
            tokens.append(self.sample_next(h[start : start + SAMPLE_BLOCK], block_seed))
        return tf.concat(tokens, axis=0)

    @tf.function
    def get_reward(
        self,
        samples: tf.Tensor,
        rollout_num: int,
        discriminator: Discriminator,
        seeds: tf.Tensor,
    ) -> tf.Tensor:
        """The reward matrix [B, T] of the spec, rollouts and D scoring in one call."""
        samples = tf.convert_to_tensor(samples, dtype=tf.int32)
        if self.end_token is not None:
            samples = canonical(samples, self.end_token)
        batch = tf.shape(samples)[0]
        length = self.sequence_length
        completions = self.rollout_completions(samples, rollout_num, seeds)
        # Scored one prefix length (N * B rows) at a time: the convolutions' activations
        # of all the completions at once fall out of cache; blocks give identical results.
        block = rollout_num * batch
        probabilities = tf.stack(
            [
                tf.nn.softmax(
                    discriminator(completions[g * block : (g + 1) * block], training=False)
                )[:, 1]
                for g in range(length - 1)
            ]
        )
        probabilities = tf.reshape(probabilities, [length - 1, rollout_num, batch])
        prefix_rewards = tf.transpose(tf.reduce_mean(probabilities, axis=1))  # [B, T-1]
        full_reward = tf.nn.softmax(discriminator(samples, training=False))[:, 1]
        return tf.concat([prefix_rewards, full_reward[:, None]], axis=1)
