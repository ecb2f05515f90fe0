"""The seeded train/test split shared by the text corpus and the MIDI folder."""

from __future__ import annotations

import numpy as np
import pytest

from seqgan_tf.data.split import seeded_split


def test_split_is_a_seeded_partition_in_the_permutation_order():
    lines = [f"{i:04d}" for i in range(1000)]
    train, test = seeded_split(lines, 0.1, seed=88)
    assert len(test) == 100 and len(train) == 900
    assert sorted(train + test) == lines
    order = np.random.default_rng(88).permutation(1000)  # the documented permutation
    assert test + train == [lines[i] for i in order]
    assert seeded_split(lines, 0.1, seed=88) == (train, test)  # the same seed: the same split
    other_train, other_test = seeded_split(lines, 0.1, seed=89)
    assert set(other_test) != set(test)


def test_the_fraction_is_rounded():
    train, test = seeded_split(list(range(20)), 0.25, seed=3)
    assert len(test) == 5 and sorted(train + test) == list(range(20))
    assert len(seeded_split(list(range(10)), 0.26, seed=0)[1]) == 3


def test_split_keeps_at_least_one_item_each_side():
    train, test = seeded_split(["aa", "bb", "cc"], 0.01, seed=0)
    assert len(test) == 1 and len(train) == 2
    train, test = seeded_split(["aa", "bb"], 0.99, seed=0)
    assert len(test) == 1 and len(train) == 1
    with pytest.raises(ValueError, match="at least 2 items, got 1"):
        seeded_split(["aa"], 0.5, seed=0)
    with pytest.raises(ValueError, match="test_fraction must lie in"):
        seeded_split(["aa", "bb"], 1.0, seed=0)
