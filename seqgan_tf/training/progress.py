"""Progress lines of a resumable run: phase, position, ETAs of the phase and of the run,
and the latest value of one metric.

Lines are printed plainly (no logger prefix) through ``emit``; the runner also writes them,
time-stamped, to the workdir's ``run.log``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from seqgan_tf.training.units import Unit


class Progress:
    """Prints phase, position, ETAs of the phase and of the run, and the latest metric.

    ETAs add the mean time measured in this process for each kind of remaining unit (an
    MLE epoch, a discriminator round, an adversarial iteration's generator part ...), so
    they do not swing as units of different cost alternate. The first unit of each kind
    in a process also traces its ``tf.function``s (the reward's XLA compile alone takes
    tens of seconds): it is left out of a kind's mean and of the speed ratio below, and
    counts only for a kind with no projection until a later unit of it is measured.

    A kind with no unit measured after its first counts at:
    - the measured mean of a kind with the same projected cost (the same work, e.g. a
      discriminator round in pre-training and in an adversarial iteration);
    - else ``expected(unit)``, the task's projection, times the speed ratio (measured over
      projected seconds of the non-first units run so far; 1 until there are any), and
      the ETA is marked "~";
    - else nothing, and the ETA is a lower bound, "> " (or "unknown" if nothing of it is
      known at all).
    """

    def __init__(
        self,
        units: list[Unit],
        interval: float,
        position: Callable[[Unit, int], str],
        metric: tuple[str, str],
        expected: Callable[[Unit], float | None] = lambda unit: None,
        latest: float | None = None,
        emit: Callable[[str], None] = print,
    ) -> None:
        self.units = units
        self.interval = interval
        self.position = position
        self.metric_key, self.metric_label = metric
        self.expected = expected
        self.emit = emit
        self.last_print = 0.0
        self.latest = latest  # the metric's last value, before a resume too
        self.seconds: dict[tuple[str, bool], list[float]] = {}
        self.projected_kinds: dict[float, tuple[str, bool]] = {}  # projection -> a kind run
        # Measured and projected seconds of the units run after the first of their kind.
        self.measured_seconds = 0.0
        self.projected_seconds = 0.0

    @staticmethod
    def _kind(unit: Unit) -> tuple[str, bool]:
        return unit.phase, unit.part > 0

    def _eta(self, remaining: list[Unit]) -> tuple[float, str]:
        """Seconds, and "" (all measured), "~ " (some projected) or "> " (some unknown)."""
        speed = self.measured_seconds / self.projected_seconds if self.projected_seconds else 1.0
        total, projected, unknown = 0.0, False, False
        for unit in remaining:
            times = self.seconds.get(self._kind(unit), [])
            expected = self.expected(unit)
            if len(times) < 2 and expected in self.projected_kinds:
                times = self.seconds[self.projected_kinds[expected]]
            if len(times) > 1 or (times and expected is None):
                steady = times[1:] or times
                total += sum(steady) / len(steady)
            elif expected is not None:
                total += expected * speed
                projected = True
            else:
                unknown = True
        return total, "> " if unknown else "~ " if projected else ""

    def update(self, index: int, row: dict, seconds: float) -> None:
        unit = self.units[index]
        times = self.seconds.setdefault(self._kind(unit), [])
        times.append(seconds)
        expected = self.expected(unit)
        if expected is not None and expected > 0:
            self.projected_kinds.setdefault(expected, self._kind(unit))
            if len(times) > 1:
                self.measured_seconds += seconds
                self.projected_seconds += expected
        value = row.get(self.metric_key)
        if value is not None:
            self.latest = value
        now = time.time()
        remaining = self.units[index + 1 :]
        in_phase = [u for u in remaining if u.phase == unit.phase]
        if now - self.last_print < self.interval and in_phase and value is None:
            return
        self.last_print = now
        steps = 1 + max(u.step for u in self.units if u.phase == unit.phase)
        self.emit(
            f"[{unit.phase}] {self.position(unit, steps)} "
            f"| {int(100 * (index + 1) / len(self.units))}% of the units "
            f"| phase ETA {_eta_text(*self._eta(in_phase))} "
            f"| run ETA {_eta_text(*self._eta(remaining))} "
            f"| {self.metric_label} {'n/a' if self.latest is None else f'{self.latest:.4f}'}"
        )


def _eta_text(seconds: float, mark: str) -> str:
    """ "1m05s", "~ 1m05s" (partly projected), "> 1m05s" (a lower bound), or "unknown" (a
    lower bound of nothing says nothing)."""
    if mark == "> " and int(seconds) == 0:
        return "unknown"
    return mark + format_seconds(seconds)


def format_seconds(seconds: float) -> str:
    seconds = int(max(0.0, seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
