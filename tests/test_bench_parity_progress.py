"""bench/parity_progress.py: a parity run's progress from the logs both programs write."""

from __future__ import annotations

import json
import pathlib
import time

from bench import parity_progress

RUN = pathlib.Path(__file__).resolve().parents[1] / "docs" / "runs" / "parity-adversarial"


def test_unit_seconds_read_both_programs_committed_logs():
    for program in ("port", "original"):
        text = (RUN / program / "seed_1" / "log.txt").read_text()
        times = json.loads((RUN / program / "seed_1" / "result.json").read_text())["times"]
        # one line per iteration, its seconds as the run recorded them (to 0.1 s)
        seconds = parity_progress.unit_seconds(text)
        assert len(seconds) == len(times["iteration_s"]) == 15
        for logged, recorded in zip(seconds, times["iteration_s"], strict=True):
            assert abs(logged - recorded) <= 0.05 + 1e-9
    mle = "loaded\nMLE epoch 1: loss 7.88423, 12.5 s\nMLE epoch 2: loss 7.72688, 4 s\n"
    assert parity_progress.unit_seconds(mle) == [12.5, 4.0]


def test_progress_line_is_the_median_pace_times_the_units_left():
    line = parity_progress.progress_line("original start 2", [600.0, 16.0, 18.0, 15.0], 120)
    # median of the four: 17.0 s; 116 units left: 1972 s
    assert line == "original start 2: 4/120, median 17.0 s each, about 32m52s left"
    assert parity_progress.progress_line("port seed 1", [], 15) == "port seed 1: 0/15"
    assert parity_progress.progress_line("x", [5.0, 5.0], 2).endswith("about 0m00s left")


def test_the_watcher_logs_each_advance_once_and_stops_with_its_block(tmp_path):
    log_path = tmp_path / "log.txt"
    logged = []
    with parity_progress.watched(log_path, 3, "port seed 7", logged.append, interval=0.01):
        time.sleep(0.05)  # no log yet: nothing to say
        log_path.write_text("iteration 1: mean reward 0.4, 10.0 s (generator step 9 s)\n")
        time.sleep(0.1)
        with log_path.open("a") as f:
            f.write("iteration 2: mean reward 0.5, 2.0 s (generator step 2 s)\n")
        time.sleep(0.1)
    assert logged == [
        "port seed 7: 1/3, median 10.0 s each, about 0m20s left",
        "port seed 7: 2/3, median 6.0 s each, about 0m06s left",
    ]
    with log_path.open("a") as f:
        f.write("iteration 3: mean reward 0.5, 2.0 s (generator step 2 s)\n")
    time.sleep(0.05)
    assert len(logged) == 2  # the block ended: the watcher has stopped
