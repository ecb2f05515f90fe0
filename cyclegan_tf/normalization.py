"""The official ``--norm`` choices (``networks.get_norm_layer``) and the conv-bias rule.

- ``instance``: ``InstanceNorm2d(affine=False, track_running_stats=False)``
  (:class:`cyclegan_tf.layers.InstanceNormalization`);
- ``batch``: ``BatchNorm2d(affine=True, track_running_stats=True)``
  (:class:`BatchNormalization` below, PyTorch's semantics, in its eval mode or in its train
  mode on one image at a time at inference: the official test's ``--eval`` or not);
- ``none``: the identity.

The official networks give a convolution followed by a norm a bias only with instance
norm (``use_bias = norm_layer == nn.InstanceNorm2d``; a batch norm's shift replaces it, and
with ``none`` the comparison is false too, so those convolutions have no bias either).
"""

from __future__ import annotations

import keras
from keras import ops

from cyclegan_tf.layers import WEIGHT_INIT_STDDEV, InstanceNormalization

NORM_CHOICES = ("instance", "batch", "none")


def uses_bias(norm: str) -> bool:
    """Whether a convolution that a norm layer follows has a bias (official ``use_bias``)."""
    return norm == "instance"


def normalization(norm: str, name: str, use_running_statistics: bool = True) -> keras.layers.Layer:
    """The norm layer of ``--norm`` (one of :data:`NORM_CHOICES`);
    ``use_running_statistics``: a batch norm's inference (see :class:`BatchNormalization`)."""
    if norm == "instance":
        return InstanceNormalization(name=name)
    if norm == "batch":
        return BatchNormalization(use_running_statistics=use_running_statistics, name=name)
    if norm == "none":
        return keras.layers.Identity(name=name)
    raise ValueError(f"--norm={norm}: expected one of {', '.join(NORM_CHOICES)}")


@keras.saving.register_keras_serializable(package="cyclegan_tf")
class BatchNormalization(keras.layers.Layer):
    """PyTorch's ``BatchNorm2d(affine=True, track_running_stats=True)`` for NHWC tensors,
    initialised as the official ``init_weights`` does (scale N(1, 0.02), shift 0).

    Training: normalise with the batch's mean and biased variance over (N, H, W) and move
    the running statistics by ``momentum`` 0.1 (Keras' 0.9) towards the batch's mean and
    its *unbiased* variance, as PyTorch does (Keras' own layer moves them towards the biased
    one). ``epsilon`` 1e-5.

    Inference (``training`` false), two ways, neither moving the running statistics:
    ``use_running_statistics=True`` normalises with the running statistics (PyTorch's eval
    mode, the official test with ``--eval``); ``False`` normalises each image with its own
    mean and biased variance over (H, W), what PyTorch's train mode does on a batch of one
    image (the official test without ``--eval``, which runs one image at a time), whatever
    the batch the images come in.

    The running statistics are the first replica's under a distribution strategy, as
    PyTorch's DataParallel keeps device 0's buffers.
    """

    def __init__(
        self,
        momentum: float = 0.1,
        epsilon: float = 1e-5,
        use_running_statistics: bool = True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.momentum = float(momentum)  # PyTorch's convention: the weight of the new value
        self.epsilon = float(epsilon)
        self.use_running_statistics = bool(use_running_statistics)

    def build(self, input_shape):
        channels = (int(input_shape[-1]),)
        self.gamma = self.add_weight(
            shape=channels,
            name="gamma",
            initializer=keras.initializers.RandomNormal(1.0, WEIGHT_INIT_STDDEV),
            autocast=False,
        )
        self.beta = self.add_weight(
            shape=channels, name="beta", initializer="zeros", autocast=False
        )
        for name, initializer in (("moving_mean", "zeros"), ("moving_variance", "ones")):
            setattr(
                self,
                name,
                self.add_weight(
                    shape=channels,
                    name=name,
                    initializer=initializer,
                    trainable=False,
                    autocast=False,
                    aggregation="only_first_replica",
                ),
            )

    def call(self, x, training=None):
        # Statistics in float32 under a mixed-precision policy (a no-op in float32).
        x32 = ops.cast(x, "float32")
        if training and self.trainable:
            mean, variance = ops.moments(x32, axes=[0, 1, 2])
            count = ops.cast(ops.size(x32) // ops.shape(x32)[-1], "float32")
            unbiased = variance * count / ops.maximum(count - 1.0, 1.0)
            keep = 1.0 - self.momentum
            self.moving_mean.assign(self.moving_mean * keep + mean * self.momentum)
            self.moving_variance.assign(self.moving_variance * keep + unbiased * self.momentum)
        elif self.use_running_statistics:
            mean, variance = self.moving_mean, self.moving_variance
        else:
            mean, variance = ops.moments(x32, axes=[1, 2], keepdims=True)
        y = (x32 - mean) * ops.rsqrt(variance + self.epsilon) * self.gamma + self.beta
        return ops.cast(y, x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "use_running_statistics": self.use_running_statistics,
        }


def inference_statistics(norm: str, use_running_statistics: bool) -> str | None:
    """What the norm layers of ``norm`` normalise with at inference, for logs and exported
    metadata; None for the norms without running statistics (instance, none)."""
    if norm != "batch":
        return None
    if use_running_statistics:
        return "batch norm: running statistics, --eval"
    return "batch norm: each image's own statistics, no --eval"


def inference_note(norm: str, use_running_statistics: bool) -> str:
    """:func:`inference_statistics` in parentheses after a space, for a log line; empty
    for the norms without running statistics."""
    statistics = inference_statistics(norm, use_running_statistics)
    return f" ({statistics})" if statistics else ""
