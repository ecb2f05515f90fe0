"""The PatchGAN discriminator: official 70x70 (30x30 map at 256 px) or the seed's 16x16 map."""

from __future__ import annotations

import keras
from keras import layers

from cyclegan_tf.layers import InstanceNormalization, conv_init

DISCRIMINATOR_CHOICES = ("patch70", "seed16")


class PatchDiscriminator(keras.Model):
    """Maps an NHWC image to a map of real/fake scores (no sigmoid: LSGAN).

    'patch70' (official ``NLayerDiscriminator``, n_layers=3): C64-C128-C256 with stride 2,
    C512 stride 1, then a 1-channel conv with stride 1; kernel 4, padding 1 everywhere.
    'seed16' (the seed / PyTorch-GAN): C64-C128-C256-C512 all stride 2, then
    ZeroPad2d((1, 0, 1, 0)) and a 1-channel conv with padding 1: H/16 output.
    Both: LeakyReLU 0.2, instance norm on every block but the first. Same parameter count.
    """

    def __init__(self, variant: str = "patch70", filters: int = 64, **kwargs):
        super().__init__(**kwargs)
        if variant not in DISCRIMINATOR_CHOICES:
            raise ValueError(f"discriminator {variant!r}: expected one of {DISCRIMINATOR_CHOICES}")
        self.variant = variant
        strides = (2, 2, 2, 1) if variant == "patch70" else (2, 2, 2, 2)
        self.blocks = []
        for i, stride in enumerate(strides):
            self.blocks.append(
                (
                    # PyTorch padding=1 is symmetric; Keras 'same' is not for stride 2.
                    layers.ZeroPadding2D(1),
                    layers.Conv2D(
                        filters * 2**i, 4, strides=stride, kernel_initializer=conv_init()
                    ),
                    InstanceNormalization() if i > 0 else None,
                )
            )
        if variant == "patch70":
            self.head_pad = layers.ZeroPadding2D(1)
        else:
            # ZeroPad2d((1, 0, 1, 0)) then the conv's own padding=1: 2 before, 1 after.
            self.head_pad = layers.ZeroPadding2D(((2, 1), (2, 1)))
        self.head_conv = layers.Conv2D(1, 4, kernel_initializer=conv_init())

    def build(self, input_shape):
        # A symbolic call builds every layer from shapes alone: no 256-px forward pass needed.
        self.call(keras.KerasTensor(tuple(input_shape)))
        self.built = True

    def call(self, x, training=None):
        for pad, conv, norm in self.blocks:
            x = conv(pad(x))
            if norm is not None:
                x = norm(x)
            x = keras.ops.leaky_relu(x, negative_slope=0.2)
        return self.head_conv(self.head_pad(x))
