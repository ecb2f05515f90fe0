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


def test_comparison_line_counts_runs_and_prices_the_rest_at_each_programs_median():
    walls = {"original": [1100.0, 1200.0, 1700.0], "port": [700.0, 760.0]}
    line = parity_progress.comparison_line(walls, {"original": 1, "port": 2})
    # 1200 s for the original's last run, 2 x 730 s for the port's: 2660 s
    assert line == "comparison: 5/8 runs done, about 44m20s left"
    unknown = parity_progress.comparison_line({"original": [1100.0], "port": []}, {"port": 1})
    assert (
        unknown == "comparison: 1/2 runs done, time left known once each program has finished a run"
    )
    assert parity_progress.comparison_line(walls, {"original": 0}) == "comparison: 5/5 runs done"


def test_comparison_progress_reads_the_finished_runs_of_a_workdir(tmp_path):
    from bench import parity_port

    assert parity_progress.RESULT_FILE == parity_port.RESULT_FILE
    for program, seed, wall in (("original", 1, 1000.0), ("port", 1, 600.0), ("port", 2, 800.0)):
        run = tmp_path / program / f"seed_{seed}"
        run.mkdir(parents=True)
        (run / "result.json").write_text(json.dumps({"wall_s": wall}))
    (tmp_path / "original" / "seed_2").mkdir()  # started, not finished: no result.json
    runs = {p: [tmp_path / p / f"seed_{s}" for s in (1, 2, 3)] for p in ("port", "original")}
    # left: the original's seeds 2 and 3 at 1000 s, the port's seed 3 at 700 s
    assert (
        parity_progress.comparison_progress(runs) == "comparison: 3/6 runs done, about 45m00s left"
    )
