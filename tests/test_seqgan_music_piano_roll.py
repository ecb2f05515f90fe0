"""The piano-roll figure: the roll of a sequence by hand, the PNG, bad groups."""

from __future__ import annotations

import numpy as np
import pytest

from seqgan_tf.reporting.piano_roll import piano_roll_matrix, plot_piano_rolls


def test_piano_roll_matrix_by_hand():
    roll = piano_roll_matrix(np.array([40, 40, 0, 88]))
    assert roll.shape == (88, 4)
    assert [tuple(np.flatnonzero(roll[:, t]) + 1) for t in range(4)] == [(40,), (40,), (), (88,)]


def test_plot_writes_a_png_of_generated_beside_real(tmp_path):
    rng = np.random.default_rng(0)
    output = plot_piano_rolls(
        {"generated": rng.integers(0, 89, (3, 32)), "real": rng.integers(40, 60, (2, 32))},
        str(tmp_path / "figures" / "piano_roll.png"),
    )
    with open(output, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "groups, message",
    [
        ({}, "at least one group"),
        ({"generated": np.zeros((0, 32), int)}, "group 'generated': a non-empty"),
        ({"real": np.array([[40, 89]])}, r"keys must lie in 0\.\.88"),
    ],
)
def test_bad_groups_are_rejected(tmp_path, groups, message):
    with pytest.raises(ValueError, match=message):
        plot_piano_rolls(groups, str(tmp_path / "x.png"))
    assert not (tmp_path / "x.png").exists()


def test_piano_roll_matrix_rejects_ids_outside_0_to_88():
    with pytest.raises(ValueError, match=r"keys must lie in 0\.\.88, got -1\.\.40"):
        piano_roll_matrix(np.array([40, -1]))
