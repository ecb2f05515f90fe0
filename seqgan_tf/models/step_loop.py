"""The loop of a compiled epoch: one step per batch, inside one graph.

The generator's MLE epoch, the discriminator's epochs, the scheduled-sampling epoch and the
per-sequence NLL over whole batches each run all their steps in one ``tf.function`` call
(a graph or XLA loop instead of a Python call per batch) and keep each step's result.
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf


def stacked_step_outputs(
    num_steps: tf.Tensor,
    step: Callable[[tf.Tensor], tf.Tensor],
    dtype: tf.DType = tf.float32,
) -> tf.Tensor:
    """``step(0)``, ..., ``step(num_steps - 1)`` run in order in one graph loop, their
    outputs stacked, [num_steps, ...].

    Call it inside a ``tf.function``: AutoGraph turns the loop over ``tf.range`` into a
    ``tf.while_loop`` (``num_steps`` may then be a tensor, e.g. the number of batches).
    """
    outputs = tf.TensorArray(dtype, size=num_steps)
    for i in tf.range(num_steps):
        outputs = outputs.write(i, step(i))
    return outputs.stack()
