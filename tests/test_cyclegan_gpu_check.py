"""bench/cyclegan_gpu_check.py: skips cleanly without a GPU; its timed path runs (on CPU)."""

from __future__ import annotations

import math
import re

import pytest

from bench import cyclegan_gpu_check


def test_without_a_gpu_it_skips_and_exits_zero(capsys):
    import tensorflow as tf

    if tf.config.list_logical_devices("GPU"):
        pytest.skip("a GPU is present: the check would run")
    assert cyclegan_gpu_check.main([]) == 0
    assert "skipped" in capsys.readouterr().out


def test_the_timed_path_reports_throughput(capsys):
    args = ["--cpu", "--size=32", "--blocks=0", "--steps=2", "--warmup=1"]
    assert cyclegan_gpu_check.main(args) == 0
    out = capsys.readouterr().out
    match = re.search(r"([0-9.]+) s/step, ([0-9.]+) images/s", out)
    assert match, out
    assert math.isclose(1 / float(match[1]), float(match[2]), rel_tol=0.05)
    assert "g_loss" in out and "nan" not in out


def test_bad_arguments_are_refused():
    with pytest.raises(SystemExit):
        cyclegan_gpu_check.main(["--steps=0"])
