"""A float64 NumPy CycleGAN written from the official layer list (PyTorch semantics, NHWC
batches): the ResNet generator, the PatchGAN discriminator and the three ``--norm``
choices. It shares nothing with the port but the weights, read by layer name."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

EPSILON = 1e-5  # PyTorch's InstanceNorm2d and BatchNorm2d
BATCH_NORM_MOMENTUM = 0.1  # PyTorch's: the weight of the new batch's statistics


def np_conv(x, kernel, bias=0.0, stride=1, pad=((0, 0), (0, 0)), mode="constant"):
    """PyTorch Conv2d (a cross-correlation) after padding (top, bottom), (left, right);
    ``bias`` 0 for a convolution without one."""
    x = np.pad(x, ((0, 0), *pad, (0, 0)), mode=mode)
    kh, kw = kernel.shape[:2]
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))[:, ::stride, ::stride]
    return np.einsum("nhwcij,ijcd->nhwd", windows, kernel) + bias


def np_conv_transpose_x2(x, kernel, bias=0.0):
    """ConvTranspose2d(k=3, s=2, padding=1, output_padding=1): out[2i - 1 + k] += in[i] w[k]
    (Keras stores the kernel as (k, k, out, in))."""
    n, h, w, _ = x.shape
    full = np.zeros((n, 2 * h + 1, 2 * w + 1, kernel.shape[2]))
    for ki in range(3):
        for kj in range(3):
            full[:, ki : ki + 2 * h : 2, kj : kj + 2 * w : 2] += x @ kernel[ki, kj].T
    return full[:, 1 : 2 * h + 1, 1 : 2 * w + 1] + bias


def np_instance_norm(x):
    """Each image and channel over its pixels, biased variance, as PyTorch's
    InstanceNorm2d; no affine parameters."""
    mean = x.mean(axis=(1, 2), keepdims=True)
    return (x - mean) / np.sqrt(x.var(axis=(1, 2), keepdims=True) + EPSILON)


def np_batch_norm(x, gamma, beta, running_mean, running_var, training):
    """PyTorch's BatchNorm2d(affine=True, track_running_stats=True): (output, (running mean,
    running variance) after the call). Training normalises with the batch's mean and biased
    variance over (N, H, W) and moves the running statistics towards the mean and the
    *unbiased* variance; inference normalises with the running statistics."""
    if training:
        mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
        n = x.size // x.shape[-1]
        m = BATCH_NORM_MOMENTUM
        running = (
            (1 - m) * running_mean + m * mean,
            (1 - m) * running_var + m * var * n / (n - 1),
        )
    else:
        mean, var, running = running_mean, running_var, (running_mean, running_var)
    return (x - mean) / np.sqrt(var + EPSILON) * gamma + beta, running


class Norm:
    """The official ``get_norm_layer(norm)`` applied by layer name; the running statistics
    each batch norm ends with are collected in ``running``."""

    def __init__(self, norm: str, weights: dict, training: bool = False):
        self.norm, self.weights, self.training = norm, weights, training
        self.running: dict[str, tuple] = {}

    def __call__(self, x, name: str):
        if self.norm == "instance":
            return np_instance_norm(x)
        if self.norm == "none":
            return x
        y, self.running[name] = np_batch_norm(x, *self.weights[name], training=self.training)
        return y


def np_upsample_conv(x, kernel, bias=0.0):
    """The seed's nn.Upsample(scale_factor=2) (nearest: each pixel repeated 2 x 2), then
    Conv2d(k=3, padding=1)."""
    x = np.repeat(np.repeat(x, 2, axis=1), 2, axis=2)
    return np_conv(x, kernel, bias, pad=((1, 1), (1, 1)))


def np_resnet_generator(x, weights, n_blocks, upsample="transpose", norm=None):
    """``norm``: a :class:`Norm` (default: instance norm)."""
    norm = norm or Norm("instance", weights)
    relu = lambda v: np.maximum(v, 0.0)  # noqa: E731
    reflect = lambda p: {"pad": ((p, p), (p, p)), "mode": "reflect"}  # noqa: E731
    x = relu(norm(np_conv(x, *weights["stem_conv"], **reflect(3)), "stem_norm"))
    for i in range(2):
        x = np_conv(x, *weights[f"down{i}_conv"], stride=2, pad=((1, 1), (1, 1)))
        x = relu(norm(x, f"down{i}_norm"))
    for i in range(n_blocks):
        y = np_conv(x, *weights[f"block{i}_conv1"], **reflect(1))
        y = relu(norm(y, f"block{i}_norm1"))
        y = np_conv(y, *weights[f"block{i}_conv2"], **reflect(1))
        x = x + norm(y, f"block{i}_norm2")
    for i in range(2):
        if upsample == "transpose":
            x = np_conv_transpose_x2(x, *weights[f"up{i}_convt"])
        else:
            x = np_upsample_conv(x, *weights[f"up{i}_conv"])
        x = relu(norm(x, f"up{i}_norm"))
    return np.tanh(np_conv(x, *weights["head_conv"], **reflect(3)))


def np_patch_discriminator(x, weights, variant, n_layers=3, norm=None):
    """``norm``: a :class:`Norm` (default: instance norm)."""
    norm = norm or Norm("instance", weights)
    strides = (2,) * n_layers + (1,) if variant == "patch70" else (2, 2, 2, 2)
    for i, stride in enumerate(strides):
        x = np_conv(x, *weights[f"block{i}_conv"], stride=stride, pad=((1, 1), (1, 1)))
        if i > 0:
            x = norm(x, f"block{i}_norm")
        x = np.where(x > 0, x, 0.2 * x)
    # seed16: ZeroPad2d((1, 0, 1, 0)), then the conv's own padding 1.
    pad = ((1, 1), (1, 1)) if variant == "patch70" else ((2, 1), (2, 1))
    return np_conv(x, *weights["head_conv"], pad=pad)
