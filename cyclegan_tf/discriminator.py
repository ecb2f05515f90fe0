"""The PatchGAN discriminator: official 70x70 (30x30 map at 256 px) or the seed's 16x16 map."""

from __future__ import annotations

import keras
from keras import layers

from cyclegan_tf.layers import conv_init
from cyclegan_tf.normalization import normalization, uses_bias

DISCRIMINATOR_CHOICES = ("patch70", "seed16")


def PatchDiscriminator(  # noqa: N802 - a model-building function, like keras.applications'
    variant: str = "patch70",
    filters: int = 64,
    name: str = "patch_discriminator",
    n_layers: int = 3,
    norm: str = "instance",
) -> keras.Model:
    """A Functional model mapping an NHWC image to a map of real/fake scores (no sigmoid:
    LSGAN).

    'patch70' (official ``NLayerDiscriminator``, n_layers=3): C64-C128-C256 with stride 2,
    C512 stride 1, then a 1-channel conv with stride 1; kernel 4, padding 1 everywhere.
    'seed16' (the seed / PyTorch-GAN): C64-C128-C256-C512 all stride 2, then
    ZeroPad2d((1, 0, 1, 0)) and a 1-channel conv with padding 1: H/16 output.
    Both: LeakyReLU 0.2, instance norm on every block but the first. Same parameter count.
    ``norm`` (official ``--norm``): the norm of those blocks, 'instance', 'batch' or
    'none'; their convolutions have a bias only with instance norm (the first block's and
    the last convolution always have one), as the official ``use_bias``.
    ``n_layers`` (official ``--n_layers_D``, 'patch70' only): stride-2 blocks before the
    stride-1 one; block i has ``filters * min(2**i, 8)`` filters, as the official
    ``nf_mult``.
    """
    if variant not in DISCRIMINATOR_CHOICES:
        raise ValueError(f"discriminator {variant!r}: expected one of {DISCRIMINATOR_CHOICES}")
    if n_layers < 1:
        raise ValueError(f"n_layers must be >= 1, got {n_layers}")
    strides = (2,) * n_layers + (1,) if variant == "patch70" else (2, 2, 2, 2)
    inputs = keras.Input(shape=(None, None, 3), name="image")
    x = inputs
    for i, stride in enumerate(strides):
        # PyTorch padding=1 is symmetric; Keras 'same' is not for stride 2.
        x = layers.ZeroPadding2D(1, name=f"block{i}_pad")(x)
        x = layers.Conv2D(
            filters * min(2**i, 8),
            4,
            strides=stride,
            use_bias=i == 0 or uses_bias(norm),
            kernel_initializer=conv_init(),
            name=f"block{i}_conv",
        )(x)
        if i > 0:
            x = normalization(norm, f"block{i}_norm")(x)
        x = layers.LeakyReLU(0.2, name=f"block{i}_lrelu")(x)
    # patch70: the conv's padding=1; seed16: ZeroPad2d((1, 0, 1, 0)) then padding=1.
    head_pad = 1 if variant == "patch70" else ((2, 1), (2, 1))
    x = layers.ZeroPadding2D(head_pad, name="head_pad")(x)
    outputs = layers.Conv2D(1, 4, kernel_initializer=conv_init(), name="head_conv")(x)
    return keras.Model(inputs, outputs, name=name)
