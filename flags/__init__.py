"""absl flags shared by every driver (SeqGAN, CycleGAN, divergence), defined once.

Importing this package defines ``--workdir``, ``--seed``, ``--strategy`` and
``--progress_interval``. Drivers import it, define only their own flags, and
read the shared ones through :data:`FLAGS` or the helpers in
:mod:`flags.common`.
"""

from flags.common import (
    FLAGS,
    PROGRESS_INTERVAL,
    SEED,
    STRATEGY,
    STRATEGY_CHOICES,
    WORKDIR,
    make_strategy,
    set_global_seed,
    setup_logging,
)

__all__ = [
    "FLAGS",
    "PROGRESS_INTERVAL",
    "SEED",
    "STRATEGY",
    "STRATEGY_CHOICES",
    "WORKDIR",
    "make_strategy",
    "set_global_seed",
    "setup_logging",
]
