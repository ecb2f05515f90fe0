"""A generated, paired stand-in for facades: label maps (B) and rendered facade photos (A).

CMP facades label maps paint each facade element in one flat colour; the photos show the same
layout. Here each building is a random grid of floors and window columns with a cornice,
sills, a door and sometimes a shop floor; the label map paints the classes in flat colours and
the "photo" renders them with one wall colour, shading and mild noise. Everything follows from
(seed, index), so the same flags give the same images on every machine, with no network.

The data set exists to show the method working in minutes on a CPU, so each photo is a
function of its label map up to pixel noise: the materials (wall, glass, door, frames) have
one colour each. With a wall colour drawn per image (as before), no translation of a label
map could know the colour, and a generator's sample scores worse than the blurry mean image.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

# Flat label colours in the spirit of the CMP facades maps (class -> RGB).
LABEL_COLOURS = {
    "background": (0, 0, 170),
    "facade": (0, 0, 255),
    "window": (0, 170, 255),
    "door": (170, 255, 85),
    "cornice": (255, 85, 0),
    "sill": (255, 255, 0),
    "shop": (170, 0, 0),
}
WALL_COLOUR = np.array([196.0, 170.0, 130.0])
GLASS_COLOUR = np.array([40.0, 55.0, 75.0])


def _render(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    label = np.zeros((size, size, 3), np.uint8)
    label[:] = LABEL_COLOURS["background"]
    yy = np.linspace(0.0, 1.0, size)[:, None, None]
    sky = (np.array([150.0, 190.0, 235.0]) * (1 - 0.3 * yy)).repeat(size, axis=1)
    noise = rng.standard_normal((size, size, 3)).astype(np.float32)
    photo = sky + 3.0 * noise

    top = int(size * rng.uniform(0.02, 0.2))
    left = int(size * rng.uniform(0.0, 0.08))
    right = size - int(size * rng.uniform(0.0, 0.08))
    wall = WALL_COLOUR

    def paint(y0, y1, x0, x1, cls, colour, noise_level=3.0):
        label[y0:y1, x0:x1] = LABEL_COLOURS[cls]
        photo[y0:y1, x0:x1] = colour + noise_level * noise[y0:y1, x0:x1]

    paint(top, size, left, right, "facade", wall, noise_level=4.0)
    # Shading: light from the upper left.
    photo[top:, left:right] *= np.linspace(1.05, 0.9, right - left)[None, :, None]
    cornice_h = max(3, size // 24)
    paint(top, top + cornice_h, left, right, "cornice", wall * 0.8)

    # 2-4 floors and window columns keep a window several pixels wide at the quick start's
    # 64 px. With 3-6 of each (the first version) windows fell below the ResNet generator's
    # 16x16 bottleneck cells and the quick start lost to the mean image on PSNR
    # (docs/history/CYCLEGAN-quick-2026-12-07.md).
    floors = int(rng.integers(2, 5))
    columns = int(rng.integers(2, 5))
    shop = bool(rng.random() < 0.5)
    floor_h = (size - top - cornice_h) / floors
    col_w = (right - left) / columns
    win_h = rng.uniform(0.45, 0.7)
    win_w = rng.uniform(0.4, 0.7)
    glass = GLASS_COLOUR
    door_col = int(rng.integers(columns))
    for f in range(floors):
        y0 = top + cornice_h + f * floor_h
        ground = f == floors - 1
        for c in range(columns):
            x0 = left + c * col_w
            if ground and shop:
                paint(
                    int(y0 + 0.2 * floor_h),
                    int(y0 + 0.95 * floor_h),
                    int(x0 + 0.08 * col_w),
                    int(x0 + 0.92 * col_w),
                    "shop",
                    glass * 0.8,
                )
                continue
            if ground and c == door_col:
                paint(
                    int(y0 + 0.25 * floor_h),
                    int(y0 + floor_h),
                    int(x0 + 0.3 * col_w),
                    int(x0 + 0.7 * col_w),
                    "door",
                    np.array([90.0, 60.0, 40.0]),
                )
                continue
            wy0 = int(y0 + (1 - win_h) / 2 * floor_h)
            wy1 = int(y0 + (1 + win_h) / 2 * floor_h)
            wx0 = int(x0 + (1 - win_w) / 2 * col_w)
            wx1 = int(x0 + (1 + win_w) / 2 * col_w)
            frame = max(1, size // 128)
            paint(
                wy0 - frame,
                wy1 + frame,
                wx0 - frame,
                wx1 + frame,
                "window",
                np.array([230.0, 230.0, 225.0]),
                noise_level=2.0,
            )
            paint(wy0, wy1, wx0, wx1, "window", glass)
            sill_h = max(2, size // 48)
            paint(
                wy1 + frame,
                wy1 + frame + sill_h,
                wx0 - 2 * frame,
                wx1 + 2 * frame,
                "sill",
                np.array([210.0, 210.0, 205.0]),
                noise_level=2.0,
            )
    return np.clip(photo, 0, 255).astype(np.uint8), label


def render_pair(seed: int, index: int, size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """The (photo, label map) uint8 pair number ``index`` of the set drawn with ``seed``."""
    if size < 16:
        raise ValueError(f"synthetic facades need size >= 16, got {size}")
    return _render(np.random.default_rng([seed, index]), size)


def encode_png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", compress_level=0)
    return buffer.getvalue()


def generate(seed: int, count: int, size: int = 256) -> tuple[list[bytes], list[bytes]]:
    """PNG-encoded photos and label maps of pairs ``0 .. count - 1``."""
    photos, labels = [], []
    for i in range(count):
        photo, label = render_pair(seed, i, size)
        photos.append(encode_png(photo))
        labels.append(encode_png(label))
    return photos, labels
