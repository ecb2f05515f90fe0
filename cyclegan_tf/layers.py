"""Small layers the CycleGAN models share: instance norm, reflection padding, the N(0, 0.02) init.

Neither layer needs TF-Addons: instance norm is a two-line moment computation and reflection
padding is ``keras.ops.pad(mode="reflect")``.
"""

from __future__ import annotations

import keras
from keras import ops

# The official code and the seed both draw conv weights from N(0, 0.02) and zero the biases.
WEIGHT_INIT_STDDEV = 0.02


def conv_init(seed: int | None = None) -> keras.initializers.Initializer:
    """The N(0, 0.02) kernel initialiser of the official ``init_weights(init_type='normal')``."""
    return keras.initializers.RandomNormal(mean=0.0, stddev=WEIGHT_INIT_STDDEV, seed=seed)


@keras.saving.register_keras_serializable(package="cyclegan_tf")
class InstanceNormalization(keras.layers.Layer):
    """Instance normalisation without affine parameters (PyTorch ``InstanceNorm2d`` default).

    Normalises each example and channel over its spatial axes with the biased variance and
    ``epsilon`` 1e-5, as PyTorch does. Equivalent to
    ``keras.layers.GroupNormalization(groups=-1, center=False, scale=False, epsilon=1e-5)``,
    but without that layer's reshapes into groups (measurably cheaper on CPU).
    """

    def __init__(self, epsilon: float = 1e-5, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def call(self, x):
        # Moments in float32 under a mixed-precision policy (a no-op in float32).
        x32 = ops.cast(x, "float32")
        mean, var = ops.moments(x32, axes=[1, 2], keepdims=True)
        return ops.cast((x32 - mean) * ops.rsqrt(var + self.epsilon), x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="cyclegan_tf")
class ReflectionPadding2D(keras.layers.Layer):
    """``nn.ReflectionPad2d(padding)`` for NHWC tensors."""

    def __init__(self, padding: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.padding = int(padding)

    def call(self, x):
        p = self.padding
        return ops.pad(x, [[0, 0], [p, p], [p, p], [0, 0]], mode="reflect")

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        p2 = 2 * self.padding
        return (b, None if h is None else h + p2, None if w is None else w + p2, c)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}
