"""Writing images: [-1, 1] tensors to PNG files and the seed's sample grid."""

from __future__ import annotations

import os

import numpy as np
from PIL import Image


def to_uint8(images) -> np.ndarray:
    """[-1, 1] floats (any leading shape) -> uint8 in [0, 255] (the seed's 0.5 * (x + 1))."""
    x = (np.asarray(images, np.float32) + 1.0) * 127.5
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def save_png(image, path: str) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    Image.fromarray(to_uint8(image)).save(path)


def sample_grid(real_a, fake_b, real_b, fake_a) -> np.ndarray:
    """Rows real A, fake B, real B, fake A; one column per sample (the seed's layout)."""
    rows = [np.concatenate(list(to_uint8(x)), axis=1) for x in (real_a, fake_b, real_b, fake_a)]
    return np.concatenate(rows, axis=0)
