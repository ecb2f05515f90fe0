"""A unit of work: the piece of a run after which it is checkpointed."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Unit:
    """One resumable piece of a run."""

    phase: str
    step: int = 0  # epoch, round or iteration
    part: int = 0  # a piece of a step, e.g. one discriminator round of an iteration
