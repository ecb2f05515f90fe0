"""docs/RESULTS.md, generated from the committed runs and a hand-written reading of each.

    python -m seqgan_tf.reporting.runs_doc --runs=docs/runs --output=docs/RESULTS.md
    python -m seqgan_tf.reporting.runs_doc --runs=docs/runs --output=docs/RESULTS.md --check

The tables come from each run folder's ``results.json`` and ``metrics.jsonl`` and from
``index.ini`` (run_records.py), for the text and music runs from the ``results.json``
one level down (corpus_runs.py), and for the ``--mode=table1`` runs from theirs, in a folder
or one level down (table1_runs.py; table1_curves.py draws their ``table1-curves.png`` beside
the output); the prose between them from ``READINGS.md`` in the same
folder, one ``## key`` section per experiment, where ``{run[NAME].final.nll:.3f}`` and the
like insert a run's figures (``{corpus[NAME].results[methods][seqgan][bleu2]:.3f}`` a text
or music run's, ``{table1[NAME].results[rescored][mle_final][nll]:.3f}`` a Table 1 run's,
``{table1_rows[FLAGS][mle].mean:.3f}`` a Table 1 group's mean over seeds, ``.test_mean``
its NLL_test's),
so that no number in the prose is typed by hand. A reading
for an experiment that no longer has runs, or an experiment without a reading, is an error.
``--check`` exits 1 when the output file differs from what the runs give, or when the
Table 1 figure is missing.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys

from seqgan_tf.reporting import table1_runs
from seqgan_tf.reporting.corpus_runs import group_section, groups, load_corpus_runs
from seqgan_tf.reporting.results import PAPER_TABLE_1
from seqgan_tf.reporting.run_comparisons import (
    curve_section,
    machine_pairs,
    machine_section,
    markdown_table,
    rollout_pairs,
    rollout_section,
    unfinished_section,
)
from seqgan_tf.reporting.run_records import CODE_LABELS, Aggregate, Run, load_runs, seed_groups
from seqgan_tf.reporting.table1_curves import table1_figure

COMMAND = "python -m seqgan_tf.reporting.runs_doc --runs=docs/runs --output=docs/RESULTS.md"


def experiment_key(flags: str, code: str) -> str:
    """The READINGS.md heading of an experiment."""
    return f"{flags} ({code})"


def read_readings(path: pathlib.Path) -> dict[str, str]:
    """{heading: text} of the ``## heading`` sections of READINGS.md."""
    if not path.exists():
        raise ValueError(f"{path}: no readings file")
    sections = re.split(r"^## (.+)$", path.read_text(), flags=re.M)
    pairs = zip(sections[1::2], sections[2::2], strict=True)
    return {key.strip(): text.strip() for key, text in pairs}


def score(entry, digits: int = 3) -> str:
    return f"{entry.nll:.{digits}f} ± {entry.standard_error:.{digits}f}"


def minutes(value: float) -> str:
    return f"{value / 60:.1f} h" if value >= 120 else f"{value:.1f} min"


def wall_range(runs: tuple[Run, ...] | list[Run]) -> str:
    values = sorted(run.wall_minutes for run in runs)
    if len(values) == 1:
        return minutes(values[0])
    low, high = minutes(values[0]), minutes(values[-1])
    return f"{low.split()[0]}-{high}" if low.split()[1] == high.split()[1] else f"{low}-{high}"


def experiments(runs: list[Run]) -> dict[tuple[str, str], list[Run]]:
    """Runs by experiment (flags, code), finished experiments first, in a stable order."""
    grouped: dict[tuple[str, str], list[Run]] = {}
    order = sorted(runs, key=lambda run: (not run.finished, run.preset != "quick", run.flags))
    for run in order:
        grouped.setdefault(run.experiment, []).append(run)
    return grouped


def summary_rows(runs: list[Run]) -> list[dict[str, str]]:
    """One row per experiment and machine kind with several seeds (mean ± sd over them), and
    one per remaining finished run (± its standard error): the table README.md quotes."""
    rows = []
    for (flags, code), members in experiments(runs).items():
        aggregates = seed_groups(members)
        grouped = {run.name for aggregate in aggregates for run in aggregate.runs}
        entries: list[Aggregate | Run] = [*aggregates]
        entries += [run for run in members if run.finished and run.name not in grouped]
        for entry in entries:
            if isinstance(entry, Aggregate):
                count = f"(sd, {len(entry.runs)} seeds)"
                mle = f"{entry.mean('mle_final'):.3f} ± {entry.sd('mle_final'):.3f} {count}"
                final = f"{entry.mean('seqgan_final'):.3f} ± {entry.sd('seqgan_final'):.3f} {count}"
                members_of_row, machine = entry.runs, entry.runs[0].machine
            else:
                mle = f"{score(entry.fresh('mle_final'))} (s.e., 1 run)"
                final = f"{score(entry.fresh('seqgan_final'))} (s.e., 1 run)"
                members_of_row, machine = (entry,), entry.machine
            rows.append(
                {
                    "experiment": f"`{flags}`",
                    "code": CODE_LABELS[code][0],
                    "machine": machine,
                    "runs": ", ".join(f"`{run.name}`" for run in members_of_row),
                    "wall": wall_range(members_of_row),
                    "mle": mle,
                    "seqgan": final,
                    "paper": f"{PAPER_TABLE_1['MLE']:.3f} / {PAPER_TABLE_1['SeqGAN']:.3f}",
                }
            )
    return rows


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def schedule_line(run: Run) -> str:
    s, r = run.results["schedule"], run.results
    epochs = _count(s["dis_epochs_per_round"], "epoch")
    return (
        f"Settings: {s['train_samples']:,} training sequences {r['real_data']}, {r['oracle']} "
        f"oracle; MLE {_count(s['mle_epochs'], 'epoch')}; discriminator pre-training "
        f"{_count(s['dis_pretrain_rounds'], 'round')} x {epochs}; "
        f"{_count(s['adversarial_iterations'], 'adversarial iteration')} of "
        f"{_count(s['generator_steps_per_iteration'], 'generator step')} "
        f"({r['rollout_num']} rollouts, r = {r['rollout_update_rate']:g}) and "
        f"{_count(s['dis_rounds_per_iteration'], 'discriminator round')} x {epochs}; "
        f"NLL_oracle logged every {s['adversarial_eval_every']} iterations on "
        f"{s['eval_samples']:,} samples; fresh scores on {s['rescore_samples']:,} samples."
    )


def experiment_section(flags: str, code: str, members: list[Run]) -> list[str]:
    finished = [run for run in members if run.finished]
    schedules = {str(run.results["schedule"]) for run in finished}
    if len(schedules) != 1:
        raise ValueError(f"{flags}: its runs have different schedules")
    rows = []
    for run in finished:
        r = run.results
        rows.append(
            [
                f"`{run.name}`",
                str(run.seed),
                run.machine,
                run.commit,
                score(run.fresh("mle_final")),
                f"{score(run.fresh('seqgan_final'))} ({r['seqgan_nll_final']:.3f})",
                f"{r['seqgan_iteration_best'] + 1} ({r['seqgan_nll_best']:.3f}); "
                f"{score(run.fresh('seqgan_best'))}",
                f"{run.gain:+.3f}",
                f"{run.wall_minutes:.1f}",
                run.note,
            ]
        )
    for aggregate in seed_groups(finished):
        rows.append(
            [
                f"mean (sd), {len(aggregate.runs)} seeds",
                "",
                aggregate.runs[0].machine,
                "",
                f"{aggregate.mean('mle_final'):.3f} (sd {aggregate.sd('mle_final'):.3f})",
                f"{aggregate.mean('seqgan_final'):.3f} (sd {aggregate.sd('seqgan_final'):.3f})",
                "",
                f"{aggregate.gain:+.3f}",
                "",
                "",
            ]
        )
    header = [
        "run",
        "seed",
        "machine",
        "commit",
        "MLE, fresh",
        "SeqGAN final, fresh (logged)",
        "SeqGAN best: iteration from 1 (logged); fresh",
        "SeqGAN - MLE, fresh",
        "wall min",
        "beside it",
    ]
    label, meaning = CODE_LABELS[code]
    return [
        f"## `{flags}`, {label}",
        "",
        f"{schedule_line(finished[0])} Code: {meaning}.",
        "",
        *markdown_table(header, rows, "llllrrrrrl"),
    ]


def render(runs_dir: str | pathlib.Path) -> str:
    runs_dir = pathlib.Path(runs_dir)
    runs = load_runs(runs_dir)
    corpus_runs = load_corpus_runs(runs_dir)
    table1_records = table1_runs.load_table1_runs(runs_dir)
    readings = read_readings(runs_dir / "READINGS.md")
    namespace = {
        "run": {run.name: run for run in runs},
        "corpus": {run.name: run for run in corpus_runs},
        "table1": {run.name: run for run in table1_records},
        "table1_rows": {
            flags: table1_runs.method_rows(members, runs)
            for flags, members in table1_runs.groups(table1_records).items()
        },
        "paper": PAPER_TABLE_1,
        "paper_gain": PAPER_TABLE_1["SeqGAN"] - PAPER_TABLE_1["MLE"],
    }
    used: set[str] = set()

    def reading(key: str) -> list[str]:
        if key not in readings:
            raise ValueError(f"{runs_dir / 'READINGS.md'}: no '## {key}' section")
        used.add(key)
        return ["", readings[key].format_map(namespace), ""]

    summary_header = ["experiment", "code", "machine", "runs", "wall", "MLE, fresh"]
    summary_header += ["SeqGAN final, fresh", "paper MLE / SeqGAN"]
    summary = [list(row.values()) for row in summary_rows(runs)]
    lines = [
        "# Results of the committed runs",
        "",
        f"Generated by `{COMMAND}` from `docs/runs/` (each run's `results.json` and "
        "`metrics.jsonl`, `index.ini`, and the readings in `READINGS.md`); edit those, not "
        "this file. `tests/test_docs_results.py` checks that it is up to date.",
        *reading("introduction"),
        *markdown_table(summary_header, summary, "llllrrrr"),
    ]
    for (flags, code), members in experiments(runs).items():
        if any(run.finished for run in members):
            lines += ["", *experiment_section(flags, code, members)]
            lines += reading(experiment_key(flags, code))
    if rollout_pairs(runs):
        lines += ["", *rollout_section(runs), *reading("rollout")]
    if machine_pairs(runs):
        lines += ["", *machine_section(runs), *reading("machines")]
    if any(not run.finished for run in runs):
        lines += ["", *unfinished_section(runs), *reading("unfinished")]
    if any(run.preset == "original" for run in runs):
        lines += ["", *curve_section(runs), *reading("original curves")]
    for flags, members in table1_runs.groups(table1_records).items():
        section = table1_runs.group_section(flags, members, runs)
        lines += ["", *section, *reading(table1_runs.reading_key(flags))]
    for (mode, flags), members in groups(corpus_runs).items():
        lines += ["", *group_section(mode, flags, members), *reading(f"{mode}: {flags}")]
    lines += ["", "## Not in these tables", *reading("elsewhere")]
    stale = set(readings) - used
    if stale:
        raise ValueError(f"READINGS.md sections that match no runs: {', '.join(sorted(stale))}")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default="docs/runs", help="folder of committed runs")
    parser.add_argument("--output", default="docs/RESULTS.md", help="the Markdown to write")
    parser.add_argument("--check", action="store_true", help="exit 1 if --output is stale")
    args = parser.parse_args(argv)
    if not pathlib.Path(args.runs).is_dir():
        parser.error(f"--runs={args.runs}: no such folder")
    try:
        text = render(args.runs)
    except ValueError as error:
        parser.error(str(error))
    output = pathlib.Path(args.output)
    figure = output.parent / table1_runs.FIGURE
    if args.check:
        current = output.read_text() if output.exists() else ""
        if current != text:
            print(f"{output} is stale: run {COMMAND}", file=sys.stderr)
            return 1
        if table1_runs.load_table1_runs(args.runs) and not figure.exists():
            print(f"{figure} is missing: run {COMMAND}", file=sys.stderr)
            return 1
        return 0
    output.write_text(text)
    table1_figure(args.runs, figure)
    return 0


if __name__ == "__main__":
    sys.exit(main())
