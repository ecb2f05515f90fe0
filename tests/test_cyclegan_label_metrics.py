"""photo -> labels scores: palette snapping, the confusion matrix, and the three ratios
against a per-class loop written here."""

from __future__ import annotations

import numpy as np
import pytest

from cyclegan_tf.label_metrics import (
    FACADES_PALETTE,
    confusion_matrix,
    segmentation_scores,
    snap_to_palette,
)

PALETTE = np.array(list(FACADES_PALETTE.values()), float)


def to_model_range(rgb: np.ndarray) -> np.ndarray:
    return rgb / 127.5 - 1.0


def matlab_jet(m: int) -> np.ndarray:
    """MATLAB's jet(m), transcribed from its jet.m (1-based indices there)."""
    n = int(np.ceil(m / 4))
    u = np.concatenate([np.arange(1, n + 1) / n, np.ones(n - 1), np.arange(n, 0, -1) / n])
    g = int(np.ceil(n / 2)) - (m % 4 == 1) + np.arange(1, len(u) + 1)
    jet = np.zeros((m, 3))
    for channel, rows in ((0, g + n), (1, g), (2, g - n)):
        keep = (rows >= 1) & (rows <= m)
        jet[rows[keep] - 1, channel] = u[keep]
    return jet


def test_the_facades_palette_is_matlab_jet_of_12():
    np.testing.assert_array_equal(np.round(matlab_jet(12) * 255), PALETTE)


def test_snap_finds_each_colour_under_noise():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 12, size=(2, 8, 8))
    noisy = np.clip(PALETTE[ids] + rng.uniform(-20, 20, size=(2, 8, 8, 3)), 0, 255)
    np.testing.assert_array_equal(snap_to_palette(to_model_range(noisy), PALETTE), ids)


def reference_scores(predicted, truth, num_classes):
    accuracies, ious = [], []
    for c in range(num_classes):
        in_truth, in_prediction = truth == c, predicted == c
        if in_truth.any():
            accuracies.append((in_truth & in_prediction).sum() / in_truth.sum())
        if (in_truth | in_prediction).any():
            ious.append((in_truth & in_prediction).sum() / (in_truth | in_prediction).sum())
    return {
        "pixel_accuracy": np.mean(predicted == truth),
        "mean_class_accuracy": np.mean(accuracies),
        "mean_iou": np.mean(ious),
    }


def test_scores_equal_a_per_class_loop():
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 5, size=(3, 10, 10))  # classes 5..11 absent from the truth
    predicted = np.where(rng.random(truth.shape) < 0.7, truth, rng.integers(0, 7, truth.shape))
    confusion = confusion_matrix(predicted, truth, 12)
    assert confusion.sum() == truth.size
    got = segmentation_scores(confusion)
    expected = reference_scores(predicted, truth, 12)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=1e-12)


def test_hand_made_case():
    truth = np.array([[0, 0, 1, 1]])
    predicted = np.array([[0, 1, 1, 1]])
    scores = segmentation_scores(confusion_matrix(predicted, truth, 3))
    assert scores["pixel_accuracy"] == 0.75
    assert scores["mean_class_accuracy"] == pytest.approx((1 / 2 + 1) / 2)
    assert scores["mean_iou"] == pytest.approx((1 / 2 + 2 / 3) / 2)  # class 2 left out
