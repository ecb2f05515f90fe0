"""The seeded train/test split of a corpus's lines and of a MIDI folder's tunes."""

from __future__ import annotations

from typing import TypeVar

import numpy as np

Item = TypeVar("Item")


def seeded_split(
    items: list[Item], test_fraction: float, seed: int
) -> tuple[list[Item], list[Item]]:
    """(train, test): a seeded permutation of ``items`` (NumPy's ``default_rng``), its first
    ``test_fraction`` (at least one item, at most all but one) held out; each side keeps
    the permutation's order."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction}")
    if len(items) < 2:
        raise ValueError(f"a train/test split needs at least 2 items, got {len(items)}")
    order = np.random.default_rng(seed).permutation(len(items))
    num_test = min(len(items) - 1, max(1, round(test_fraction * len(items))))
    return [items[i] for i in order[num_test:]], [items[i] for i in order[:num_test]]
