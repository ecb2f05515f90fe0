"""The ResNet generator of CycleGAN (Johnson et al. 2016 as used by Zhu et al. 2017).

Official layout (``ResnetGenerator`` with ``ngf=64``, instance norm, no dropout):
ReflectionPad(3) Conv7x7-64 IN ReLU | Conv3x3/2-128 IN ReLU | Conv3x3/2-256 IN ReLU |
n x residual block | ConvT3x3/2-128 IN ReLU | ConvT3x3/2-64 IN ReLU | ReflectionPad(3) Conv7x7-3
tanh. Convolutions keep their biases: the official code drops them only for batch norm.
"""

from __future__ import annotations

import keras
from keras import layers

from cyclegan_tf.layers import InstanceNormalization, ReflectionPadding2D, conv_init

UPSAMPLE_CHOICES = ("transpose", "resize")


class ResidualBlock(keras.layers.Layer):
    """x + [ReflectionPad(1) Conv3x3 IN ReLU ReflectionPad(1) Conv3x3 IN](x)."""

    def __init__(self, filters: int, **kwargs):
        super().__init__(**kwargs)
        self.pad1 = ReflectionPadding2D(1)
        self.conv1 = layers.Conv2D(filters, 3, kernel_initializer=conv_init())
        self.norm1 = InstanceNormalization()
        self.pad2 = ReflectionPadding2D(1)
        self.conv2 = layers.Conv2D(filters, 3, kernel_initializer=conv_init())
        self.norm2 = InstanceNormalization()

    def call(self, x):
        y = keras.ops.relu(self.norm1(self.conv1(self.pad1(x))))
        y = self.norm2(self.conv2(self.pad2(y)))
        return x + y


class UpsampleBlock(keras.layers.Layer):
    """One x2 upsampling: official transposed conv or the seed's nearest upsample + conv."""

    def __init__(self, filters: int, mode: str = "transpose", **kwargs):
        super().__init__(**kwargs)
        if mode not in UPSAMPLE_CHOICES:
            raise ValueError(f"upsample mode {mode!r}: expected one of {UPSAMPLE_CHOICES}")
        self.mode = mode
        if mode == "transpose":
            # PyTorch ConvTranspose2d(k=3, s=2, padding=1, output_padding=1) equals the full
            # ('valid', 2H+1 wide) transposed conv with its first row and column cropped;
            # Keras' padding='same' would crop the last ones instead (a one-pixel shift).
            self.conv = layers.Conv2DTranspose(
                filters, 3, strides=2, padding="valid", kernel_initializer=conv_init()
            )
            self.crop = layers.Cropping2D(((1, 0), (1, 0)))
        else:
            # The seed: nn.Upsample(scale_factor=2) (nearest) then Conv2d(k=3, padding=1).
            self.up = layers.UpSampling2D(2, interpolation="nearest")
            self.conv = layers.Conv2D(filters, 3, padding="same", kernel_initializer=conv_init())
        self.norm = InstanceNormalization()

    def call(self, x):
        if self.mode == "transpose":
            x = self.crop(self.conv(x))
        else:
            x = self.conv(self.up(x))
        return keras.ops.relu(self.norm(x))


class ResnetGenerator(keras.Model):
    """CycleGAN's ResNet generator mapping [-1, 1] NHWC images to [-1, 1] images.

    Args:
      n_blocks: residual blocks (official: 9 for 256 px, 6 for 128 px).
      upsample: 'transpose' (official) or 'resize' (the seed's Upsample + Conv).
      filters: filters of the first layer (ngf, 64).
      out_channels: channels of the output image.
    """

    def __init__(
        self,
        n_blocks: int = 9,
        upsample: str = "transpose",
        filters: int = 64,
        out_channels: int = 3,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if n_blocks < 0:
            raise ValueError(f"n_blocks must be >= 0, got {n_blocks}")
        self.n_blocks = n_blocks
        self.upsample = upsample
        self.stem_pad = ReflectionPadding2D(3)
        self.stem_conv = layers.Conv2D(filters, 7, kernel_initializer=conv_init())
        self.stem_norm = InstanceNormalization()
        self.down = []
        for i in range(2):
            # PyTorch Conv2d(k=3, s=2, padding=1) pads one zero on every side; Keras'
            # padding='same' pads only bottom/right for even sizes, so pad explicitly.
            self.down.append(
                (
                    layers.ZeroPadding2D(1),
                    layers.Conv2D(
                        filters * 2 ** (i + 1), 3, strides=2, kernel_initializer=conv_init()
                    ),
                    InstanceNormalization(),
                )
            )
        self.blocks = [ResidualBlock(filters * 4) for _ in range(n_blocks)]
        self.up = [UpsampleBlock(filters * 2, upsample), UpsampleBlock(filters, upsample)]
        self.head_pad = ReflectionPadding2D(3)
        self.head_conv = layers.Conv2D(out_channels, 7, kernel_initializer=conv_init())

    def build(self, input_shape):
        # A symbolic call builds every layer from shapes alone: no 256-px forward pass needed.
        self.call(keras.KerasTensor(tuple(input_shape)))
        self.built = True

    def call(self, x, training=None):
        x = keras.ops.relu(self.stem_norm(self.stem_conv(self.stem_pad(x))))
        for pad, conv, norm in self.down:
            x = keras.ops.relu(norm(conv(pad(x))))
        for block in self.blocks:
            x = block(x)
        for up in self.up:
            x = up(x)
        return keras.ops.tanh(self.head_conv(self.head_pad(x)))
