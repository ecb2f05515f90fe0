"""The process a run's units ran in: machine, library versions and code commit.

A run resumed on another machine, or with other library versions, continues the same
computation but need not round floats as the first process did, so the runner records
each process in ``state.json`` and the results list them.
"""

from __future__ import annotations

import os
import platform
import subprocess
import time

import numpy as np


def describe_environment() -> dict:
    """What can change a run's float rounding: machine, library versions, code commit."""
    # Imported here: the commit and the CPU below also serve programs that never load
    # TensorFlow (seqgan_tf.metrics.music).
    import keras
    import tensorflow as tf

    return {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": platform.node(),
        "cpu": cpu_model(),
        "cpu_vector_extensions": _cpu_vector_extensions(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "commit": source_commit(),
    }


def _cpuinfo_field(name: str) -> str | None:
    """The first value of a /proc/cpuinfo field; None where there is no such file or field."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                key, _, value = line.partition(":")
                if key.strip() == name:
                    return value.strip()
    except OSError:
        pass
    return None


def cpu_model() -> str:
    """The CPU's model name (/proc/cpuinfo), else what the platform module reports."""
    return _cpuinfo_field("model name") or platform.processor() or platform.machine()


def _cpu_vector_extensions() -> list[str] | None:
    """The SIMD extensions the CPU lists (AVX, AVX2, FMA, AVX-512, AMX): they choose oneDNN's
    kernels, hence a run's speed and float rounding, and tell apart machines whose model
    name is only "AMD EPYC"."""
    flags = _cpuinfo_field("flags")
    if flags is None:
        return None
    return sorted(flag for flag in flags.split() if flag.startswith(("avx", "amx", "fma")))


def source_commit() -> str | None:
    """HEAD of the checkout this package runs from, "+changes" if tracked files differ
    from it; None when it is not a git checkout (an installed wheel)."""
    source = os.path.dirname(os.path.abspath(__file__))

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["git", "-C", source, *args], capture_output=True, text=True, timeout=30
        )

    try:
        head = git("rev-parse", "HEAD")
        if head.returncode != 0:
            return None
        changed = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return head.stdout.strip() + ("+changes" if changed else "")
