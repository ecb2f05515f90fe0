"""Regular grids in 1-D and 2-D on which densities are tabulated and integrated.

A density tabulated on a regular grid becomes the discrete distribution of its cells,
P_i = p(x_i) * dV. For smooth, fast-decaying densities that vanish at the grid's edges this
rectangle rule agrees with the trapezoid rule, and both are spectrally accurate: the error
falls faster than any power of the spacing. That is why a fine grid reproduces analytic
divergences nearly to rounding.
"""

from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True)
class Grid:
    """The Cartesian product of uniformly spaced 1-D axes (one axis per dimension)."""

    axes: tuple[np.ndarray, ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.axes) <= 2:
            raise ValueError(f"a grid has 1 or 2 axes, got {len(self.axes)}")
        axes = []
        for i, axis in enumerate(self.axes):
            axis = np.asarray(axis, dtype=np.float64)
            if axis.ndim != 1 or axis.size < 2:
                raise ValueError(f"grid axis {i} must be a 1-D array of at least 2 points")
            steps = np.diff(axis)
            if np.any(steps <= 0):
                raise ValueError(f"grid axis {i} must be strictly increasing")
            if np.max(np.abs(steps - steps[0])) > 1e-6 * steps[0]:
                raise ValueError(f"grid axis {i} is not uniformly spaced")
            axes.append(axis)
        object.__setattr__(self, "axes", tuple(axes))

    @classmethod
    def regular(
        cls,
        low: float | tuple[float, ...],
        high: float | tuple[float, ...],
        num: int | tuple[int, ...],
    ) -> Grid:
        """``num`` points from ``low`` to ``high`` on each axis (scalars give a 1-D grid)."""
        lows, highs, nums = np.atleast_1d(low), np.atleast_1d(high), np.atleast_1d(num)
        if not len(lows) == len(highs) == len(nums):
            raise ValueError("low, high and num must have one entry per dimension")
        axes = zip(lows, highs, nums, strict=True)
        return cls(tuple(np.linspace(a, b, int(n)) for a, b, n in axes))

    @property
    def ndim(self) -> int:
        return len(self.axes)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(axis.size for axis in self.axes)

    @property
    def spacing(self) -> tuple[float, ...]:
        return tuple(float(axis[1] - axis[0]) for axis in self.axes)

    @property
    def cell_volume(self) -> float:
        return float(np.prod(self.spacing))

    def points(self) -> np.ndarray:
        """All grid points as an (N, ndim) array, in the order of ``reshape(self.shape)``."""
        mesh = np.meshgrid(*self.axes, indexing="ij")
        return np.stack([m.ravel() for m in mesh], axis=-1)
