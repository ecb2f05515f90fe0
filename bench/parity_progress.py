"""Progress of a parity run's long runs, read from the log each program writes.

Both programs' runs log one line per finished unit (``MLE epoch N: loss L, S s`` or
``iteration N: mean reward R, S s (...)``). While a run goes on, a watcher reads that log
every minute and, when units were added, logs how many are done of the total, the median
seconds of one, and the time left at that pace: an hour-long original run is not silent.
After each run, ``comparison_line`` says the same of the whole comparison, from the wall
times of the runs finished so far.
"""

from __future__ import annotations

import contextlib
import json
import pathlib
import re
import statistics
import threading
from collections.abc import Callable, Iterator

from seqgan_tf.training.progress import format_seconds

RESULT_FILE = "result.json"  # a finished run's record (bench.parity_port writes it)
UNIT_LINE = re.compile(r"^(?:MLE epoch|iteration) \d+: .*?, (\d+(?:\.\d+)?) s\b", re.MULTILINE)


def unit_seconds(text: str) -> list[float]:
    """The seconds of each finished unit a run's log names, in order."""
    return [float(seconds) for seconds in UNIT_LINE.findall(text)]


def progress_line(label: str, seconds: list[float], total: int) -> str:
    """``label: 45/120, median 16.3 s each, about 20m23s left``."""
    done = len(seconds)
    if not done:
        return f"{label}: 0/{total}"
    median = statistics.median(seconds)
    left = format_seconds(median * max(0, total - done))
    return f"{label}: {done}/{total}, median {median:.1f} s each, about {left} left"


def comparison_line(walls: dict[str, list[float]], left: dict[str, int]) -> str:
    """``comparison: 4/12 runs done, about 1h20m00s left``: each program's unfinished runs
    at the median wall time of its finished ones.

    Args:
      walls: per program, the wall seconds of its finished runs.
      left: per program, how many of its runs are not finished.
    """
    done = sum(len(seconds) for seconds in walls.values())
    total = done + sum(left.values())
    head = f"comparison: {done}/{total} runs done"
    pending = [program for program, count in left.items() if count]
    if not pending:
        return head
    if any(not walls.get(program) for program in pending):
        return f"{head}, time left known once each program has finished a run"
    seconds = sum(statistics.median(walls[program]) * left[program] for program in pending)
    return f"{head}, about {format_seconds(seconds)} left"


def comparison_progress(runs: dict[str, list[pathlib.Path]]) -> str:
    """``comparison_line`` of the run folders of each program: a folder holding
    ``result.json`` (written when its run finished) is done, its ``wall_s`` its time."""
    walls = {program: [] for program in runs}
    left = dict.fromkeys(runs, 0)
    for program, folders in runs.items():
        for folder in folders:
            result = folder / RESULT_FILE
            if result.exists():
                walls[program].append(json.loads(result.read_text())["wall_s"])
            else:
                left[program] += 1
    return comparison_line(walls, left)


@contextlib.contextmanager
def watched(
    log_path: pathlib.Path,
    total: int,
    label: str,
    log: Callable[[str], None],
    interval: float = 60.0,
) -> Iterator[None]:
    """Logs the progress of the run writing ``log_path`` every ``interval`` seconds in
    which it finished units, until the block ends."""
    stop = threading.Event()

    def watch() -> None:
        reported = 0
        while not stop.wait(interval):
            try:
                seconds = unit_seconds(log_path.read_text())
            except FileNotFoundError:
                continue
            if len(seconds) > reported:
                reported = len(seconds)
                log(progress_line(label, seconds, total))

    thread = threading.Thread(target=watch, name=f"progress of {label}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
