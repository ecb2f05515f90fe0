"""The LSTM cell of the original SeqGAN code, shared by generator, oracle and rollout.

The original (``create_recurrent_unit`` in generator.py / target_lstm.py) keeps a
separate input matrix W, recurrent matrix U and bias b per gate, with no peepholes
and no forget-gate bias trick::

    i  = sigmoid(x Wi  + h Ui  + bi)       f  = sigmoid(x Wf + h Uf + bf)
    o  = sigmoid(x Wog + h Uog + bog)      c~ = tanh(x Wc + h Uc + bc)
    c' = f * c + i * c~                    h' = o * tanh(c')

Here the four gates are fused into one [E, 4H] input kernel, one [H, 4H] recurrent
kernel and one [4H] bias, gate blocks in the order (i, f, o, c~). That is the same
cell (only the summation order of float32 sums changes); ``gate_arrays`` and
``set_gate_arrays`` convert to and from the original's 12 arrays, in the original's
order (Wi, Ui, bi, Wf, Uf, bf, Wog, Uog, bog, Wc, Uc, bc).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

GATE_NAMES = ("i", "f", "og", "c")
GATE_ARRAY_NAMES = tuple(f"{kind}{gate}" for gate in GATE_NAMES for kind in ("W", "U", "b"))


class LSTMCell(keras.layers.Layer):
    """The original's custom-gate LSTM cell with fused gate kernels.

    Args:
      input_dim: size E of the input vectors (the token embedding).
      hidden_dim: size H of the hidden and cell state.
      kernel_initializer, recurrent_initializer, bias_initializer: initialisers of the
        input kernel, the recurrent kernel and the bias (the original draws each array
        on its own from N(0, 0.1) for the generator). Three objects, because a Keras
        initialiser with a fixed seed returns the same values at every call: one shared
        object would make U equal W and b equal W's first row.
    """

    def __init__(
        self,
        input_dim: int,
        hidden_dim: int,
        kernel_initializer: keras.initializers.Initializer,
        recurrent_initializer: keras.initializers.Initializer,
        bias_initializer: keras.initializers.Initializer,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.hidden_dim = hidden_dim
        self.input_kernel = self.add_weight(
            shape=(input_dim, 4 * hidden_dim),
            initializer=kernel_initializer,
            name="input_kernel",
        )
        self.recurrent_kernel = self.add_weight(
            shape=(hidden_dim, 4 * hidden_dim),
            initializer=recurrent_initializer,
            name="recurrent_kernel",
        )
        self.bias = self.add_weight(
            shape=(4 * hidden_dim,), initializer=bias_initializer, name="bias"
        )
        self.built = True

    def project_inputs(self, x: tf.Tensor) -> tf.Tensor:
        """x W + b for all four gates; [..., E] -> [..., 4H].

        Teacher forcing knows every input in advance, so this runs once for a whole
        sequence instead of once per step.
        """
        return project_inputs(x, self.input_kernel, self.bias)

    def call(self, x: tf.Tensor, h: tf.Tensor, c: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """One step; returns (h', c')."""
        return lstm_step(self.project_inputs(x), h, c, self.recurrent_kernel)

    def gate_arrays(self) -> list[np.ndarray]:
        """The 12 per-gate arrays in the original's order (Wi, Ui, bi, ..., Wc, Uc, bc)."""
        w = np.split(keras.ops.convert_to_numpy(self.input_kernel), 4, axis=1)
        u = np.split(keras.ops.convert_to_numpy(self.recurrent_kernel), 4, axis=1)
        b = np.split(keras.ops.convert_to_numpy(self.bias), 4)
        arrays = []
        for gate in range(4):
            arrays.extend([w[gate], u[gate], b[gate]])
        return arrays

    def set_gate_arrays(self, arrays: list[np.ndarray]) -> None:
        """Loads the 12 per-gate arrays given in the original's order."""
        if len(arrays) != 12:
            raise ValueError(
                f"expected 12 gate arrays ({', '.join(GATE_ARRAY_NAMES)}), got {len(arrays)}"
            )
        self.input_kernel.assign(np.concatenate(arrays[0::3], axis=1))
        self.recurrent_kernel.assign(np.concatenate(arrays[1::3], axis=1))
        self.bias.assign(np.concatenate(arrays[2::3], axis=0))


def project_inputs(x: tf.Tensor, input_kernel: tf.Tensor, bias: tf.Tensor) -> tf.Tensor:
    """x W + b for all four gates, as a function of the cell's input kernel and bias."""
    return tf.matmul(x, input_kernel) + bias


def lstm_step(
    projected_x: tf.Tensor, h: tf.Tensor, c: tf.Tensor, recurrent_kernel: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor]:
    """The cell's step as a function of its recurrent kernel: (h', c') from x W + b.

    :class:`LSTMCell` runs it with its own kernel; the compiled sampler of
    :mod:`seqgan_tf.models.sampling` with the kernel it is given.
    """
    h_new, c_new, _ = step_with_gates(projected_x, h, c, recurrent_kernel)
    return h_new, c_new


def step_with_gates(projected_x, h, c, recurrent_kernel):
    """(h', c') and the values the backward pass needs: i, f, o, c~ and tanh(c')."""
    z = projected_x + tf.matmul(h, recurrent_kernel)
    zi, zf, zo, zc = tf.split(z, 4, axis=-1)
    i = tf.sigmoid(zi)
    f = tf.sigmoid(zf)
    o = tf.sigmoid(zo)
    candidate = tf.tanh(zc)
    c_new = f * c + i * candidate
    tanh_c = tf.tanh(c_new)
    return o * tanh_c, c_new, (i, f, o, candidate, tanh_c)
