"""The official image transforms (``data/base_dataset.py``: ``get_transform``,
``__scale_width``, ``__make_power_2``): the training augmentation of ``--preprocess`` and
the preparation of test, translate and export inputs.

Resizes are TensorFlow's bicubic with antialiasing, which follows PIL's bicubic resize (the
official one, antialiased when it shrinks) to within a few grey levels; pixels end in
[-1, 1].
"""

from __future__ import annotations

import dataclasses

import tensorflow as tf


def to_model_range(image: tf.Tensor) -> tf.Tensor:
    """[0, 255] pixels -> [-1, 1] (the official ``Normalize((0.5,) * 3, (0.5,) * 3)``)."""
    return image / 127.5 - 1.0


# Official --preprocess modes; the last two keep each image's own shape, so the images
# vary in size and train one at a time.
PREPROCESS_CHOICES = ("resize_and_crop", "scale_width_and_crop", "crop", "scale_width", "none")
VARYING_SIZE_PREPROCESS = ("scale_width", "none")
# Sides of a varying-size image are made multiples of this (two stride-2 convolutions).
SIZE_MULTIPLE = 4


def _scaled_width_size(shape: tf.Tensor, load_size: int, crop_size: int) -> tf.Tensor:
    """[height, width] of the official ``__scale_width``: width ``load_size``, height
    ``int(max(load_size * h / w, crop_size))``, the aspect ratio kept."""
    height = tf.cast(tf.floor(load_size * shape[0] / shape[1]), tf.int32)
    return tf.stack([tf.maximum(height, crop_size), load_size])


def _multiple_of_4(size: tf.Tensor) -> tf.Tensor:
    """The official ``__make_power_2(base=4)``: each side rounded to the nearest multiple of
    4 (Python's round, half to even, as tf.round), at least 4."""
    rounded = tf.round(tf.cast(size, tf.float64) / SIZE_MULTIPLE) * SIZE_MULTIPLE
    return tf.maximum(tf.cast(rounded, tf.int32), SIZE_MULTIPLE)


def _resize(image: tf.Tensor, size) -> tf.Tensor:
    # PIL's bicubic resize (the official transform) antialiases when it shrinks.
    image = tf.image.resize(image, size, method="bicubic", antialias=True)
    return tf.clip_by_value(image, 0.0, 255.0)


def keep_shape(image: tf.Tensor, preprocess: str, load_size: int, crop_size: int) -> tf.Tensor:
    """``--preprocess=scale_width`` or ``none`` of float [0, 255] HxWx3 images (or a batch of
    one size), no crop: 'none' makes each side a multiple of 4 (official ``__make_power_2``),
    'scale_width' resizes to width ``load_size``, height ``max(load_size * h / w,
    crop_size)`` (official ``__scale_width``) and then to multiples of 4 as well, in one
    bicubic resize. (The official 'scale_width' stops before that rounding; its networks
    then fail on a side that is not a multiple of 4.) An image already of that size is
    returned as it is, as the official code does."""
    shape = tf.shape(image)[-3:-1]
    if preprocess == "scale_width":
        size = _multiple_of_4(_scaled_width_size(shape, load_size, crop_size))
    elif preprocess == "none":
        size = _multiple_of_4(shape)
    else:
        raise ValueError(f"--preprocess={preprocess}: expected one of {VARYING_SIZE_PREPROCESS}")
    return tf.cond(
        tf.reduce_all(tf.equal(size, shape)), lambda: image, lambda: _resize(image, size)
    )


def augment(
    image: tf.Tensor,
    seed: tf.Tensor,
    load_size: int,
    crop_size: int,
    flip: bool,
    preprocess: str = "resize_and_crop",
) -> tf.Tensor:
    """The official training transform (``get_transform``), then a random horizontal flip.

    'resize_and_crop': bicubic resize to load_size x load_size, random crop crop_size;
    'scale_width_and_crop': bicubic resize to width load_size, keeping the aspect ratio
    (height at least crop_size, as the official ``__scale_width``), random crop; 'crop':
    a random crop of the image itself; 'scale_width' and 'none': :func:`keep_shape`, no
    crop (images of varying size).
    """
    if preprocess in VARYING_SIZE_PREPROCESS:
        image = keep_shape(image, preprocess, load_size, crop_size)
    else:
        if preprocess == "resize_and_crop":
            size = tf.constant([load_size, load_size])
        elif preprocess == "scale_width_and_crop":
            size = _scaled_width_size(tf.shape(image), load_size, crop_size)
        elif preprocess == "crop":
            size = None
        else:
            raise ValueError(f"--preprocess={preprocess}: expected one of {PREPROCESS_CHOICES}")
        if size is not None:
            image = _resize(image, size)
        if preprocess != "resize_and_crop" or crop_size < load_size:
            image = tf.image.stateless_random_crop(image, [crop_size, crop_size, 3], seed=seed)
    if flip:
        image = tf.image.stateless_random_flip_left_right(image, seed=seed + 1)
    return to_model_range(image)


@dataclasses.dataclass(frozen=True)
class InferenceTransform:
    """How test, translate and export prepare an image: the run's ``--preprocess``,
    ``--load_size`` and ``--crop_size``.

    The fixed-size modes resize to ``crop_size`` x ``crop_size`` (the official test's
    default ``--load_size`` equals ``--crop_size``, so its resize-and-crop is that resize);
    'scale_width' and 'none' keep the image's shape as training does (:func:`keep_shape`,
    no crop), so the outputs vary in size too.
    """

    crop_size: int
    preprocess: str = "resize_and_crop"
    load_size: int = 0

    @property
    def varying_size(self) -> bool:
        return self.preprocess in VARYING_SIZE_PREPROCESS

    def __call__(self, image: tf.Tensor) -> tf.Tensor:
        """Float [0, 255] HxWx3 (or a batch of one size) -> the model's input in [-1, 1]."""
        if not self.varying_size:
            return resize_for_test(image, self.crop_size)
        return to_model_range(keep_shape(image, self.preprocess, self.load_size, self.crop_size))

    def batch_size(self, batch: int) -> int:
        """Images per batch: ``batch``, or 1 when the images vary in size."""
        return 1 if self.varying_size else batch


def resize_for_test(image: tf.Tensor, size: int) -> tf.Tensor:
    """Float [0, 255] HxWx3 (or a batch) -> the model's test input in the fixed-size modes
    (:class:`InferenceTransform`): bicubic, antialiased resize to ``size`` x ``size``, then
    [-1, 1]."""
    image = tf.image.resize(image, [size, size], method="bicubic", antialias=True)
    return to_model_range(tf.clip_by_value(image, 0.0, 255.0))
