"""photo -> labels quality: generated label maps scored as a segmentation.

CycleGAN (Zhu et al. 2017, section 5.1.1) and pix2pix score the photo -> labels direction
of Cityscapes as a segmentation: each output pixel is mapped to the nearest colour of the
label palette and compared with the ground-truth label map by per-pixel accuracy, mean
per-class accuracy and mean class IoU. The same protocol is applied here to facades. The
confusion matrix is summed over the whole test split before the ratios are taken (as the
pix2pix evaluation code does), and classes absent from both the prediction and the ground
truth are left out of the means.

The ground-truth label images are JPEGs, so they are snapped to the palette too.
"""

from __future__ import annotations

import numpy as np

from cyclegan_tf.synthetic_facades import LABEL_COLOURS

# The CMP Facade Database's 12 classes, in its order, as the facades label images paint
# them: MATLAB's jet colormap of 12 entries.
FACADES_PALETTE: dict[str, tuple[int, int, int]] = {
    "background": (0, 0, 170),
    "facade": (0, 0, 255),
    "window": (0, 85, 255),
    "door": (0, 170, 255),
    "cornice": (0, 255, 255),
    "sill": (85, 255, 170),
    "balcony": (170, 255, 85),
    "blind": (255, 255, 0),
    "deco": (255, 170, 0),
    "molding": (255, 85, 0),
    "pillar": (255, 0, 0),
    "shop": (170, 0, 0),
}
# --label_palette choices (besides auto and none): the data sets whose label maps they paint.
PALETTES = {"facades": FACADES_PALETTE, "synthetic_facades": LABEL_COLOURS}


def snap_to_palette(images: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Class ids [B, H, W] of the palette colour nearest (Euclidean RGB) to each pixel.

    Args:
      images: [B, H, W, 3] in [-1, 1] (the models' range).
      palette: [C, 3] colours in [0, 255].
    """
    pixels = (np.asarray(images, np.float32) + 1.0) * 127.5
    colours = np.asarray(palette, np.float32)
    distances = np.sum((pixels[..., None, :] - colours) ** 2, axis=-1)  # [B, H, W, C]
    return np.argmin(distances, axis=-1)


def confusion_matrix(predicted: np.ndarray, truth: np.ndarray, num_classes: int) -> np.ndarray:
    """[C, C] pixel counts, row = true class, column = predicted class."""
    index = np.asarray(truth, np.int64).ravel() * num_classes + np.asarray(predicted).ravel()
    return np.bincount(index, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def segmentation_scores(confusion: np.ndarray) -> dict[str, float]:
    """Per-pixel accuracy, mean per-class accuracy (over the classes in the truth) and mean
    class IoU (over the classes in the truth or the prediction) of a confusion matrix."""
    confusion = np.asarray(confusion, np.float64)
    correct = np.diag(confusion)
    true_pixels, predicted_pixels = confusion.sum(axis=1), confusion.sum(axis=0)
    present = true_pixels > 0
    union = true_pixels + predicted_pixels - correct
    return {
        "pixel_accuracy": float(correct.sum() / confusion.sum()),
        "mean_class_accuracy": float(np.mean(correct[present] / true_pixels[present])),
        "mean_iou": float(np.mean(correct[union > 0] / union[union > 0])),
    }
