"""The flags every driver shares, and the small helpers that act on them."""

from __future__ import annotations

import logging
import os
import random

from absl import flags as absl_flags
from absl import logging as absl_logging

FLAGS = absl_flags.FLAGS

STRATEGY_CHOICES = ("default", "one_device", "mirrored", "multi_worker")

WORKDIR = absl_flags.DEFINE_string(
    "workdir",
    None,
    "Directory for checkpoints, logs, metrics, samples and results. Re-running a command "
    "with the same --workdir resumes where it stopped.",
)
SEED = absl_flags.DEFINE_integer(
    "seed",
    88,
    "Seed for Python, NumPy and TensorFlow random streams (the original SeqGAN uses 88).",
)
STRATEGY = absl_flags.DEFINE_enum(
    "strategy",
    "default",
    list(STRATEGY_CHOICES),
    "tf.distribute strategy: 'default' (TensorFlow's default placement), 'one_device' (the "
    "first GPU if any, else the CPU), 'mirrored' (MirroredStrategy over all local GPUs; "
    "over the CPU when there is none) or 'multi_worker' (MultiWorkerMirroredStrategy over the "
    "machines of the cluster in $TF_CONFIG, each with its local GPUs or CPU).",
)
PROGRESS_INTERVAL = absl_flags.DEFINE_float(
    "progress_interval",
    10.0,
    "Seconds between progress lines (phase, position, ETA, latest metric); 0 prints every step.",
)


def set_global_seed(seed: int) -> None:
    """Seeds Python's ``random``, NumPy and TensorFlow's global generator."""
    import numpy as np
    import tensorflow as tf

    random.seed(seed)
    np.random.seed(seed)
    tf.random.set_seed(seed)


def make_strategy(name: str):
    """Returns the tf.distribute strategy named by ``--strategy``.

    Raises:
      ValueError: for a name outside :data:`STRATEGY_CHOICES`.
    """
    import tensorflow as tf

    if name == "default":
        return tf.distribute.get_strategy()
    if name == "one_device":
        gpus = tf.config.list_logical_devices("GPU")
        return tf.distribute.OneDeviceStrategy(gpus[0].name if gpus else "/cpu:0")
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        if gpus:
            return tf.distribute.MirroredStrategy([d.name for d in gpus])
        cpus = tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([d.name for d in cpus])
    if name == "multi_worker":
        if not os.environ.get("TF_CONFIG"):
            raise ValueError(
                "--strategy=multi_worker reads the cluster and this worker's task from "
                "$TF_CONFIG, which is not set (see tf.distribute.MultiWorkerMirroredStrategy)"
            )
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ValueError(f"--strategy={name!r}: expected one of {', '.join(STRATEGY_CHOICES)}")


def is_chief(strategy) -> bool:
    """Whether this process writes the run's files: always, except on the workers of a
    multi-worker strategy other than the chief (task "chief", else worker 0)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return resolver.task_type == "worker" and resolver.task_id == 0 and not has_chief


class _DropCheckpointTimings(logging.Filter):
    """TensorFlow's checkpoint writer logs its sharding time at INFO on every save, which
    would bury the progress lines of a run that checkpoints after each unit."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Sharding callback duration")


def setup_logging(workdir: str | None, filename: str = "run.log") -> None:
    """Logs through absl to stderr and, when ``workdir`` is set, to ``workdir/filename``."""
    absl_logging.set_verbosity(absl_logging.INFO)
    from flags.console import plain_console_logging

    plain_console_logging()
    absl_logger = absl_logging.get_absl_logger()
    if not any(isinstance(f, _DropCheckpointTimings) for f in absl_logger.filters):
        absl_logger.addFilter(_DropCheckpointTimings())
    if workdir:
        os.makedirs(workdir, exist_ok=True)
        path = os.path.join(workdir, filename)
        root = logging.getLogger()
        if not any(
            getattr(h, "baseFilename", None) == os.path.abspath(path) for h in root.handlers
        ):
            handler = logging.FileHandler(path)
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
            root.addHandler(handler)
