"""Writing images: [-1, 1] tensors to PNG files and the seed's sample grid."""

from __future__ import annotations

import io
import os

import numpy as np
import tensorflow as tf
from PIL import Image, ImageDraw


def to_uint8(images) -> np.ndarray:
    """[-1, 1] floats (any leading shape) -> uint8 in [0, 255] (the seed's 0.5 * (x + 1))."""
    x = (np.asarray(images, np.float32) + 1.0) * 127.5
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def save_png(image, path: str) -> None:
    """Writes a [-1, 1] image (or a uint8 array) as PNG, through tf.io.gfile (gs:// too)."""
    array = image if np.asarray(image).dtype == np.uint8 else to_uint8(image)
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(array)).save(buffer, format="PNG")
    tf.io.gfile.makedirs(os.path.dirname(path) or ".")
    with tf.io.gfile.GFile(path, "wb") as f:
        f.write(buffer.getvalue())


GRID_ROWS = ("real A", "fake B", "real B", "fake A")
LABEL_WIDTH = 48


def sample_grid(real_a, fake_b, real_b, fake_a) -> np.ndarray:
    """Rows real A, fake B, real B, fake A (the seed's layout), each labelled on its left;
    one column per sample. Each argument is a batch or a list of [-1, 1] HxWx3 images;
    images of varying size are placed top left in cells of the largest, on white."""
    images = [[to_uint8(image) for image in row] for row in (real_a, fake_b, real_b, fake_a)]
    height = max(image.shape[0] for row in images for image in row)
    width = max(image.shape[1] for row in images for image in row)

    def cell(image: np.ndarray) -> np.ndarray:
        h, w = image.shape[:2]
        return np.pad(image, [(0, height - h), (0, width - w), (0, 0)], constant_values=255)

    rows = [np.concatenate([cell(image) for image in row], axis=1) for row in images]
    grid = np.concatenate(rows, axis=0)
    labels = Image.new("RGB", (LABEL_WIDTH, grid.shape[0]), (255, 255, 255))
    draw = ImageDraw.Draw(labels)
    for i, text in enumerate(GRID_ROWS):
        draw.text((3, i * height + height // 2 - 5), text, fill=(0, 0, 0))
    return np.concatenate([np.asarray(labels), grid], axis=1)
