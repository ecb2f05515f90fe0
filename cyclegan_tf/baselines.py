"""Trivial references for ``--mode=test``: what a model must beat to show it translates.

- *mean target image*: the pixel-wise mean of the training images of the target domain,
  given as the translation of every test image (the best constant image under L2; a
  strong reference when all images share a layout, as facades do);
- *copy of the input*: the input image given as its translation;
- *majority class* (label maps only): every pixel labelled with the class that covers the
  most training pixels of the target domain.

Training images are prepared as test images are (resized to the model's input, no
augmentation) and streamed in batches, so a large training split is never held at once.
Runs whose images vary in size (``--preprocess=scale_width|none``) take them at
``--crop_size`` x ``--crop_size``: the mean image is then resized to each test image.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from cyclegan_tf import data, label_metrics
from cyclegan_tf.transforms import InferenceTransform


def mean_image(domain: data.DomainImages, size: int, batch: int = 16) -> np.ndarray:
    """The float64 pixel-wise mean, in [-1, 1], of ``domain``'s images resized to ``size``
    x ``size``."""
    total = np.zeros((size, size, 3), np.float64)
    count = 0
    for images in data.domain_dataset(domain, InferenceTransform(size), batch=batch):
        total += np.sum(images.numpy().astype(np.float64), axis=0)
        count += int(images.shape[0])
    if count == 0:
        raise ValueError("mean_image: no images")
    return total / count


def majority_class(
    domain: data.DomainImages, size: int, palette: np.ndarray, batch: int = 16
) -> int:
    """Index in ``palette`` of the class covering the most pixels of ``domain``'s images
    (resized to ``size`` x ``size``, each pixel snapped to the nearest palette colour, as
    the labels metric does)."""
    counts = np.zeros(len(palette), np.int64)
    for images in data.domain_dataset(domain, InferenceTransform(size), batch=batch):
        classes = label_metrics.snap_to_palette(images.numpy(), palette)
        counts += np.bincount(classes.ravel(), minlength=len(palette))
    return int(np.argmax(counts))


def constant_batch(image: np.ndarray, n: int, size: tuple[int, int] | None = None) -> np.ndarray:
    """``n`` copies of ``image`` (a float32 batch the metrics take like a model's output),
    resized to ``size`` (height, width; bicubic) when it is given and differs."""
    image = np.asarray(image, np.float32)
    if size is not None and tuple(size) != image.shape[:2]:
        image = tf.image.resize(image, size, method="bicubic", antialias=True).numpy()
    return np.repeat(image[None], n, axis=0)
