"""The ResNet generator of CycleGAN (Johnson et al. 2016 as used by Zhu et al. 2017).

Official layout (``ResnetGenerator`` with ``ngf=64``, instance norm, no dropout):
ReflectionPad(3) Conv7x7-64 IN ReLU | Conv3x3/2-128 IN ReLU | Conv3x3/2-256 IN ReLU |
n x residual block | ConvT3x3/2-128 IN ReLU | ConvT3x3/2-64 IN ReLU | ReflectionPad(3) Conv7x7-3
tanh. ``--norm`` replaces every IN (:mod:`cyclegan_tf.normalization`); the convolutions
before a norm keep their biases only with instance norm, as the official ``use_bias``.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
from keras import layers

from cyclegan_tf.layers import ReflectionPadding2D, conv_init
from cyclegan_tf.normalization import normalization, uses_bias

UPSAMPLE_CHOICES = ("transpose", "resize")
# Makes the generator's norm layer of a given name.
NormLayer = Callable[[str], keras.layers.Layer]


def transposed_conv_x2(
    filters: int, name: str | None = None, use_bias: bool = True
) -> keras.Sequential:
    """PyTorch's ConvTranspose2d(k=3, s=2, padding=1, output_padding=1) in Keras.

    It equals the full ('valid', 2H+1 wide) transposed convolution with its first row and
    column cropped; Keras' padding='same' would crop the last ones instead (a one-pixel
    shift).
    """
    return keras.Sequential(
        [
            layers.Conv2DTranspose(
                filters,
                3,
                strides=2,
                padding="valid",
                use_bias=use_bias,
                kernel_initializer=conv_init(),
            ),
            layers.Cropping2D(((1, 0), (1, 0))),
        ],
        name=name,
    )


def _conv(filters: int, kernel: int, norm: str, name: str, **kwargs) -> layers.Conv2D:
    """A convolution that a ``norm`` layer follows (a bias only with instance norm)."""
    return layers.Conv2D(
        filters,
        kernel,
        use_bias=uses_bias(norm),
        kernel_initializer=conv_init(),
        name=name,
        **kwargs,
    )


def _residual_block(x, filters: int, norm: str, norm_layer: NormLayer, name: str):
    """x + [ReflectionPad(1) Conv3x3 norm ReLU ReflectionPad(1) Conv3x3 norm](x)."""
    y = ReflectionPadding2D(1, name=f"{name}_pad1")(x)
    y = _conv(filters, 3, norm, f"{name}_conv1")(y)
    y = layers.ReLU(name=f"{name}_relu")(norm_layer(f"{name}_norm1")(y))
    y = ReflectionPadding2D(1, name=f"{name}_pad2")(y)
    y = _conv(filters, 3, norm, f"{name}_conv2")(y)
    y = norm_layer(f"{name}_norm2")(y)
    return layers.Add(name=f"{name}_add")([x, y])


def _upsample_block(x, filters: int, mode: str, norm: str, norm_layer: NormLayer, name: str):
    """One x2 upsampling: the official transposed conv, or the seed's nn.Upsample(2)
    (nearest) then Conv2d(k=3, padding=1); then the norm and ReLU."""
    if mode == "transpose":
        x = transposed_conv_x2(filters, name=f"{name}_convt", use_bias=uses_bias(norm))(x)
    else:
        x = layers.UpSampling2D(2, interpolation="nearest", name=f"{name}_up")(x)
        x = _conv(filters, 3, norm, f"{name}_conv", padding="same")(x)
    return layers.ReLU(name=f"{name}_relu")(norm_layer(f"{name}_norm")(x))


def ResnetGenerator(  # noqa: N802 - a model-building function, named like keras.applications'
    n_blocks: int = 9,
    upsample: str = "transpose",
    filters: int = 64,
    out_channels: int = 3,
    name: str = "resnet_generator",
    norm: str = "instance",
    use_running_statistics: bool = True,
) -> keras.Model:
    """CycleGAN's ResNet generator, a Functional model mapping [-1, 1] NHWC images of any
    size (a multiple of 4) to [-1, 1] images.

    Args:
      n_blocks: residual blocks (official: 9 for 256 px, 6 for 128 px).
      upsample: 'transpose' (official) or 'resize' (the seed's Upsample + Conv).
      filters: filters of the first layer (ngf, 64).
      out_channels: channels of the output image.
      norm: 'instance' (official), 'batch' or 'none' (official ``--norm``).
      use_running_statistics: with batch norm, whether inference normalises with the
        running statistics (official ``--eval``) or with each image's own
        (:class:`cyclegan_tf.normalization.BatchNormalization`); training is the same.
    """
    if n_blocks < 0:
        raise ValueError(f"n_blocks must be >= 0, got {n_blocks}")
    if upsample not in UPSAMPLE_CHOICES:
        raise ValueError(f"upsample mode {upsample!r}: expected one of {UPSAMPLE_CHOICES}")

    def norm_layer(layer_name: str) -> keras.layers.Layer:
        return normalization(norm, layer_name, use_running_statistics)

    inputs = keras.Input(shape=(None, None, 3), name="image")
    x = ReflectionPadding2D(3, name="stem_pad")(inputs)
    x = _conv(filters, 7, norm, "stem_conv")(x)
    x = layers.ReLU(name="stem_relu")(norm_layer("stem_norm")(x))
    for i in range(2):
        # PyTorch Conv2d(k=3, s=2, padding=1) pads one zero on every side; Keras'
        # padding='same' pads only bottom/right for even sizes, so pad explicitly.
        x = layers.ZeroPadding2D(1, name=f"down{i}_pad")(x)
        x = _conv(filters * 2 ** (i + 1), 3, norm, f"down{i}_conv", strides=2)(x)
        x = layers.ReLU(name=f"down{i}_relu")(norm_layer(f"down{i}_norm")(x))
    for i in range(n_blocks):
        x = _residual_block(x, filters * 4, norm, norm_layer, name=f"block{i}")
    x = _upsample_block(x, filters * 2, upsample, norm, norm_layer, name="up0")
    x = _upsample_block(x, filters, upsample, norm, norm_layer, name="up1")
    x = ReflectionPadding2D(3, name="head_pad")(x)
    # The last convolution keeps its bias whatever the norm (no norm follows it).
    x = layers.Conv2D(out_channels, 7, kernel_initializer=conv_init(), name="head_conv")(x)
    # float32 images out under a mixed-precision policy too (the losses, pools and files).
    outputs = layers.Activation("tanh", dtype="float32", name="tanh")(x)
    return keras.Model(inputs, outputs, name=name)
