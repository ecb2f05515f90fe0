"""Runs the tiny oracle experiment in WORKDIR; with a unit index, SIGKILLs itself right
after that unit's work and log lines, before its checkpoint (the worst moment to die).

    python tests/seqgan_kill_driver.py WORKDIR [KILL_AFTER_UNIT]
"""

from __future__ import annotations

import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from absl import logging  # noqa: E402
from seqgan_tiny import TINY_SPEC  # noqa: E402

from seqgan_tf.experiments.oracle import OracleExperiment  # noqa: E402


def main(workdir: str, kill_after: int | None) -> None:
    logging.set_verbosity(logging.INFO)

    def after_unit(index, unit):
        if index == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    OracleExperiment(workdir, TINY_SPEC, progress_interval=1e9, after_unit=after_unit).run()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None)
