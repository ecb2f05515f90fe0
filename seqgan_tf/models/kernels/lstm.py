"""The fast path's LSTM over a sequence, with its backward pass written out.

The same function as :func:`seqgan_tf.models.kernels.reference.lstm_states` (autodiff of
the step loop); tests/test_seqgan_lstm_cell.py checks its gradient against float64
autodiff.
"""

from __future__ import annotations

import tensorflow as tf

from seqgan_tf.models.lstm_cell import step_with_gates


@tf.custom_gradient
def lstm_sequence(
    projected: tf.Tensor, recurrent_kernel: tf.Tensor
) -> tuple[tuple[tf.Tensor, tf.Tensor], object]:
    """The cell run over a whole sequence from zero states: (h, c) after each step,
    [B, T, H] each, given the inputs' projections x_t W + b, [B, T, 4H].

    The forward pass is :func:`~seqgan_tf.models.lstm_cell.lstm_step`'s arithmetic. The
    backward pass is written out (backpropagation through time) so that the recurrent
    kernel's gradient is one [H, T * B] x [T * B, 4H] product after the loop instead of
    T small products summed inside it, which autodiff of the unrolled loop gives
    (docs/PERFORMANCE.md). Its values equal float64 autodiff of the step loop
    (tests/test_seqgan_lstm_cell.py).
    """
    batch = tf.shape(projected)[0]
    h = c = tf.zeros([batch, recurrent_kernel.shape[0]], projected.dtype)
    hs, cs, saved = [], [], []
    for projected_t in tf.unstack(projected, axis=1):
        h_new, c_new, gates = step_with_gates(projected_t, h, c, recurrent_kernel)
        saved.append((h, c, gates))
        h, c = h_new, c_new
        hs.append(h)
        cs.append(c)

    def gradient(upstream_h: tf.Tensor, upstream_c: tf.Tensor | None):
        upstream_h = tf.unstack(upstream_h, axis=1)
        upstream_c = (
            tf.unstack(upstream_c, axis=1) if upstream_c is not None else [None] * len(saved)
        )
        dh_next = dc_next = tf.zeros_like(h)
        dz_reversed = []
        for t in reversed(range(len(saved))):
            _, c_prev, (i, f, o, candidate, tanh_c) = saved[t]
            dh = upstream_h[t] + dh_next
            dc = dc_next + dh * o * (1.0 - tanh_c * tanh_c)
            if upstream_c[t] is not None:
                dc += upstream_c[t]
            dz = tf.concat(
                [
                    dc * candidate * i * (1.0 - i),
                    dc * c_prev * f * (1.0 - f),
                    dh * tanh_c * o * (1.0 - o),
                    dc * i * (1.0 - candidate * candidate),
                ],
                axis=-1,
            )
            dz_reversed.append(dz)
            dh_next = tf.matmul(dz, recurrent_kernel, transpose_b=True)
            dc_next = dc * f
        dz_steps = dz_reversed[::-1]
        # Sum over t of h_{t-1}^T dz_t as one product of the time-major stacks.
        d_kernel = tf.matmul(
            tf.concat([h_prev for h_prev, _, _ in saved], axis=0),
            tf.concat(dz_steps, axis=0),
            transpose_a=True,
        )
        return tf.stack(dz_steps, axis=1), d_kernel

    return (tf.stack(hs, axis=1), tf.stack(cs, axis=1)), gradient
