"""The committed ``--mode=table1`` runs as RESULTS.md's Table 1: every method over seeds.

A run counts here when its ``results.json`` records ``mode`` table1; it may lie in a folder
of ``docs/runs/`` or one level down (``NAME/run/``), with its ``metrics.jsonl`` beside it.
Runs group into experiments by preset, the oracle and the flags that depart from the
preset (the seed aside), and each group is one table: Random, MLE, Scheduled Sampling,
PG-BLEU and SeqGAN, each with the mean and sample standard deviation over seeds of its
final generator's NLL_oracle on fresh samples (the run's rescoring), the mean of its best
logged evaluation (chosen on the samples it is scored on: optimistic), the paper's
value, NLL_test, and the share of the tokens of its committed final samples taken by their
most frequent token (a generator that repeats one token shows there). Significance is over
seeds: Welch's t-test of the seed-level fresh finals of each baseline against SeqGAN's, and
of each other baseline against MLE's, where both sides have two seeds or more; the seeds
differ in the oracle's training data, the initial weights and every draw, so that the test
asks whether the methods differ beyond a rerun's spread.

A group that ran the baselines alone (``--adversarial_iterations=0``) takes SeqGAN's row
from the committed full-length ``--mode=oracle`` runs of the same preset, oracle and
SeqGAN settings on the current code (:func:`seqgan_counterparts`; the row names them).
When there are none it shows the full-length SeqGAN runs of other settings, named with
their preset, code and rollout rate and never tested against (:func:`full_length_seqgan_runs`),
and n/a when there are none of those either. :mod:`seqgan_tf.reporting.table1_curves` draws the
groups' learning curves.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import statistics

import numpy as np

from seqgan_tf.metrics.significance import welch_t_test
from seqgan_tf.reporting.results import PAPER_TABLE_1
from seqgan_tf.reporting.run_comparisons import markdown_table
from seqgan_tf.reporting.run_records import RecordedProcesses, Run
from seqgan_tf.schedule import BaselineSchedule

# (results key, Table 1's name) of each row, in the paper's order.
METHODS = (
    ("random", "Random"),
    ("mle", "MLE"),
    ("ss", "Scheduled Sampling"),
    ("pg_bleu", "PG-BLEU"),
    ("seqgan", "SeqGAN"),
)
BASELINE_FLAGS = frozenset(field.name for field in dataclasses.fields(BaselineSchedule))
# The flags that turn SeqGAN off in a run of the baselines alone.
SEQGAN_OFF_FLAGS = ("adversarial_iterations", "dis_pretrain_rounds")
FIGURE = "table1-curves.png"
OWN_RUNS = "the runs above"  # a row's source: the group's own table1 runs
NO_NLL_TEST = "n/a (`--mode=oracle` does not measure it)"
# The oracle presets that run SeqGAN at its full length (the paper's and the repository's).
FULL_LENGTH = ("paper", "original")


def final_samples_file(method: str) -> str:
    """The name, in a Table 1 run's ``samples/``, of ``method``'s final evaluation's
    samples (Random's: the untrained generator's)."""
    return "random.txt" if method == "random" else f"{method}_final.txt"


@dataclasses.dataclass(frozen=True)
class Table1Run(RecordedProcesses):
    """One committed ``--mode=table1`` run: its folder (``name`` relative to the runs
    folder) and its ``results.json``."""

    name: str
    folder: pathlib.Path
    results: dict

    @property
    def flags(self) -> str:
        """``--preset=P`` and the flags departing from it (the seed aside)."""
        return flags_text(self.results["preset"], self.results["overrides"])

    @property
    def seqgan_ran(self) -> bool:
        return self.results["adversarial_iterations"] > 0

    def fresh_final(self, method: str) -> float | None:
        """``method``'s final generator on fresh samples (None: not rescored)."""
        entry = (self.results.get("rescored") or {}).get(f"{method}_final")
        return None if entry is None else entry["nll"]

    def logged_best(self, method: str) -> float | None:
        """``method``'s lowest logged evaluation (Random has one, its only)."""
        return self.results["methods"][method].get("nll_best")

    def top_token_share(self, method: str) -> float | None:
        """The share of the tokens of ``method``'s committed final samples
        (``samples/{method}_final.txt``, Random's ``samples/random.txt``) that are their
        most frequent token: near one over the vocabulary for a generator whose samples
        spread over it, large for one that repeats a token (None: no samples committed)."""
        path = self.folder / "samples" / final_samples_file(method)
        if not path.is_file():
            return None
        _, counts = np.unique(np.loadtxt(path, dtype=np.int64, ndmin=2), return_counts=True)
        return float(counts.max() / counts.sum())

    def nll_test(self, method: str) -> float | None:
        """NLL_test of ``method``'s final generator (None: given no training)."""
        if self.results["methods"][method].get("nll_final") is None:
            return None
        return self.results["methods"][method].get("nll_test")


def flags_text(preset: str, overrides: dict) -> str:
    flags = [f"--preset={preset}"]
    for name, value in sorted(overrides.items()):
        if isinstance(value, list | tuple):
            value = ",".join(map(str, value))
        elif isinstance(value, float):
            value = f"{value:g}"
        flags.append(f"--{name}={value}")
    return " ".join(flags)


def load_table1_runs(runs_dir: str | pathlib.Path) -> list[Table1Run]:
    """The finished ``--mode=table1`` runs in ``runs_dir`` and one level down, by folder."""
    runs_dir = pathlib.Path(runs_dir)
    runs = []
    for pattern in ("*/results.json", "*/*/results.json"):
        for path in sorted(runs_dir.glob(pattern)):
            results = json.loads(path.read_text())
            if results.get("mode") == "table1":
                name = path.parent.relative_to(runs_dir).as_posix()
                runs.append(Table1Run(name, path.parent, results))
    return sorted(runs, key=lambda run: run.name)


def groups(runs: list[Table1Run]) -> dict[str, list[Table1Run]]:
    """Runs by experiment (the oracle and flags), each group's runs by seed."""
    grouped: dict[str, list[Table1Run]] = {}
    for run in sorted(runs, key=lambda r: (r.flags, r.results["oracle"], r.seed, r.name)):
        oracle = run.results["oracle"]
        key = run.flags + ("" if oracle == "published" else f" ({oracle} oracle)")
        grouped.setdefault(key, []).append(run)
    return grouped


def reading_key(flags: str) -> str:
    """The READINGS.md heading of a group."""
    return f"table1: {flags}"


def seqgan_flags(runs: list[Table1Run]) -> str:
    """The ``--mode=oracle`` flags of SeqGAN's run in a group of the baselines alone: the
    group's, less the baselines' own and those that turned SeqGAN off."""
    first = runs[0].results
    return flags_text(first["preset"], _seqgan_overrides(first["overrides"]))


def _seqgan_overrides(overrides: dict) -> dict:
    return {
        name: value
        for name, value in overrides.items()
        if name not in BASELINE_FLAGS and name not in SEQGAN_OFF_FLAGS
    }


def seqgan_counterparts(runs: list[Table1Run], oracle_runs: list[Run]) -> list[Run]:
    """The finished full-length ``--mode=oracle`` runs that stand for SeqGAN in a group of
    the baselines alone: current code, the group's oracle and :func:`seqgan_flags`."""
    first = runs[0].results
    return [
        run
        for run in oracle_runs
        if run.finished
        and run.code == "current"
        and run.preset == first["preset"]
        and run.results["oracle"] == first["oracle"]
        and run.overrides == _seqgan_overrides(first["overrides"])
        and (run.results.get("rescored") or {}).get("seqgan_final") is not None
    ]


@dataclasses.dataclass(frozen=True)
class MethodRow:
    """One method's seed-level values in a group, and where they come from."""

    fresh: tuple[float, ...]  # fresh finals, one a seed
    best: tuple[float, ...]  # best logged evaluations, one a seed
    source: str
    # False: runs of another setting standing in for SeqGAN, shown but never tested against
    comparable: bool = True
    # NLL_test of the final generators, one a seed (--mode=oracle runs do not measure it)
    test: tuple[float, ...] = ()
    # the most frequent token's share of the final samples, one a seed with samples committed
    top_share: tuple[float, ...] = ()

    @property
    def mean(self) -> float:
        """The fresh finals' mean (what a reading quotes)."""
        return statistics.mean(self.fresh)

    @property
    def sd(self) -> float:
        return statistics.stdev(self.fresh)

    @property
    def test_mean(self) -> float:
        """NLL_test's mean over seeds (what a reading quotes)."""
        return statistics.mean(self.test)

    @property
    def top_share_mean(self) -> float:
        """The most frequent token's share of the final samples, mean over seeds."""
        return statistics.mean(self.top_share)


def method_rows(runs: list[Table1Run], oracle_runs: list[Run]) -> dict[str, MethodRow]:
    """Each method's seed-level values: the group's own, or for SeqGAN in a group of the
    baselines alone the counterparts' (:func:`seqgan_counterparts`)."""
    rows = {}
    for method, _ in METHODS:
        if method == "seqgan" and not all(run.seqgan_ran for run in runs):
            continue
        rows[method] = MethodRow(
            fresh=tuple(v for run in runs if (v := run.fresh_final(method)) is not None),
            best=tuple(v for run in runs if (v := run.logged_best(method)) is not None),
            source=OWN_RUNS,
            test=tuple(v for run in runs if (v := run.nll_test(method)) is not None),
            top_share=tuple(v for run in runs if (v := run.top_token_share(method)) is not None),
        )
    if "seqgan" not in rows:
        counterparts = seqgan_counterparts(runs, oracle_runs)
        comparable = True  # False: other settings' runs stand in
        if counterparts:
            names = ", ".join(f"`{run.name}` (seed {run.seed})" for run in counterparts)
            source = f"`--mode=oracle {seqgan_flags(runs)}`: {names}"
        elif counterparts := full_length_seqgan_runs(oracle_runs):
            names = "; ".join(
                f"`{run.name}` ({run.flags}, {run.code} code, r = "
                f"{run.results['rollout_update_rate']:g}, seed {run.seed})"
                for run in counterparts
            )
            comparable = False
            source = (
                f"not this group's setting (no finished `--mode=oracle {seqgan_flags(runs)}` "
                f"run of the current code is committed): the full-length SeqGAN runs, {names}"
            )
        else:
            source = (
                f"n/a: no finished `--mode=oracle {seqgan_flags(runs)}` run of the current "
                "code is committed"
            )
        rows["seqgan"] = MethodRow(
            fresh=tuple(run.fresh("seqgan_final").nll for run in counterparts),
            best=tuple(run.results["seqgan_nll_best"] for run in counterparts),
            source=source,
            comparable=comparable,
        )
    return rows


def full_length_seqgan_runs(oracle_runs: list[Run]) -> list[Run]:
    """The finished ``--mode=oracle`` runs at a full-length preset (:data:`FULL_LENGTH`),
    rescored, on any code and settings: what SeqGAN's row shows, untested, when no run of
    a group's own setting is committed (the paper preset's 800 iterations take days)."""
    return [
        run
        for run in oracle_runs
        if run.finished
        and run.preset in FULL_LENGTH
        and (run.results.get("rescored") or {}).get("seqgan_final") is not None
    ]


def _mean_sd(values: tuple[float, ...]) -> str:
    if not values:
        return "n/a"
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} (sd {statistics.stdev(values):.3f})"


def _each(values: tuple[float, ...]) -> str:
    """Runs of different settings: each value, in the order the row names them."""
    return "; ".join(f"{value:.3f}" for value in values)


def _mean(values: tuple[float, ...]) -> str:
    return f"{statistics.mean(values):.3f}" if values else "n/a"


def _share(values: tuple[float, ...], seeds: int) -> str:
    """The mean share, naming how many seeds have samples when not all of them do."""
    if not values:
        return "n/a (no samples committed)"
    share = f"{statistics.mean(values):.2%}"
    return share if len(values) == seeds else f"{share} ({_count(len(values))} of {seeds})"


def _count(number: int) -> str:
    return f"{number} seed" + ("" if number == 1 else "s")


def welch_cell(sides: dict[str, tuple[float, ...]]) -> str:
    """Welch's t (two-sided p) of the first side's seed-level values against the second's
    ({name: values}); n/a naming each side with fewer than two seeds."""
    short = [f"{name}: {_count(len(values))}" for name, values in sides.items() if len(values) < 2]
    if short:
        return f"n/a ({', '.join(short)})"
    try:
        test = welch_t_test(*(list(values) for values in sides.values()))
    except ValueError:  # no spread on either side
        return "n/a (no spread)"
    return f"{test['t']:+.2f} ({test['p']:.2g})"


def group_section(flags: str, runs: list[Table1Run], oracle_runs: list[Run]) -> list[str]:
    """A group's runs and its Table 1."""
    first = runs[0].results
    lines = [f"## Table 1: `--mode=table1 {flags}`", ""]
    lines += markdown_table(
        ["run", "seed", "machine", "commit", "fresh samples", "wall min"],
        [
            [
                f"`{run.name}`",
                str(run.seed),
                run.machine,
                run.commit,
                f"{run.results.get('rescore_samples') or 0:,}",
                f"{run.results['wall_seconds'] / 60:.1f}",
            ]
            for run in runs
        ],
        "llllrr",
    )
    rows = method_rows(runs, oracle_runs)
    table = []
    for method, name in METHODS:
        row = rows[method]
        against_seqgan, against_mle = "", ""
        if method != "seqgan" and not rows["seqgan"].comparable:
            against_seqgan = "n/a (SeqGAN: another setting)"
        elif method != "seqgan":
            against_seqgan = welch_cell({name: row.fresh, "SeqGAN": rows["seqgan"].fresh})
        if method not in ("mle", "seqgan"):
            against_mle = welch_cell({name: row.fresh, "MLE": rows["mle"].fresh})
        table.append(
            [
                name,
                _mean_sd(row.fresh) if row.comparable else _each(row.fresh),
                str(len(row.fresh)),
                ""
                if method == "random"
                else _mean(row.best)
                if row.comparable
                else _each(row.best),
                f"{PAPER_TABLE_1[name]:.3f}",
                against_seqgan,
                against_mle,
                _mean_sd(row.test) if row.test or row.source == OWN_RUNS else NO_NLL_TEST,
                _share(row.top_share, len(row.fresh)),
                row.source,
            ]
        )
    header = [
        "method",
        "fresh final NLL_oracle, mean (sd)",
        "seeds",
        "best logged, mean",
        "paper's Table 1",
        "vs SeqGAN: Welch t (p)",
        "vs MLE: Welch t (p)",
        "NLL_test, mean (sd)",
        "most frequent token's share of the samples, mean",
        "from",
    ]
    lines += ["", *markdown_table(header, table, "lrrrrrrrrl")]
    lines += [
        "",
        f"Fresh: each seed's final generator scored on its run's fresh samples (`rescored`); "
        "mean and sample standard deviation over seeds. Best logged: the lowest evaluation on "
        f"{first['schedule']['eval_samples']:,} samples, chosen on the samples it is scored "
        "on (optimistic). Welch's t-test on the seed-level fresh finals, two-sided; t > 0: the "
        f"row's NLL_oracle above the other's. NLL_test: the final generator's mean per-token "
        "NLL of fresh oracle samples it never trained on, one set a seed, the same for every "
        "method: NLL_oracle scores a generator's own samples, so a generator that collapses "
        "onto a few likely sequences scores well on it, and NLL_test rises when it no longer "
        "covers the data. Most frequent token: the share of the tokens of each seed's "
        "committed final samples (its folder's `samples/`) taken by their most frequent token, "
        "mean over the seeds; near one over the vocabulary when the samples spread over it, "
        f"large when they repeat one token. Curves: `{FIGURE}`, panel `{flags}`.",
    ]
    return lines
