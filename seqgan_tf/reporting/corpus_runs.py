"""The committed text and music runs (``--mode=text``, ``--mode=music``) as RESULTS.md tables.

Those runs keep their workdir's files one level down (``docs/runs/NAME/run/`` or
``NAME/workdir/``), out of the oracle tables' reach. A run counts here when its
``results.json`` records ``mode`` text or music and a final MLE and SeqGAN evaluation.
Runs group by mode, preset and the flags that depart from it (data paths aside), and a
group's seeds are aggregated (mean and sample standard deviation) whatever machines ran
them. Unlike the oracle tables (run_records.py), where settings are compared across runs
and so only on one machine kind, what these tables compare, MLE against SeqGAN, lies within
each run; another machine is one more source of run-to-run spread, and the machine column
says where each seed ran.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import statistics

from seqgan_tf.config import ModelConfig
from seqgan_tf.data.benchmarks import PAPER_POEM_BLEU2, is_coco, is_poems
from seqgan_tf.reporting.run_comparisons import markdown_table
from seqgan_tf.reporting.run_records import RecordedProcesses

# Flags that name where the data lies, not how the run was made.
PATH_FLAGS = ("data", "test_data")
DEFAULT_BATCH_SIZE = ModelConfig().batch_size
# (results key, column label) of each mode's table, per method.
COLUMNS = {
    "text": (
        ("bleu2", "BLEU-2"),
        ("bleu4", "BLEU-4"),
        ("self_bleu2", "self-BLEU-2"),
        ("nll_per_word", "NLL-test /word"),
    ),
    "music": (
        ("bleu4", "BLEU-4"),
        ("mse", "MSE"),
        ("self_bleu4", "self-BLEU-4"),
    ),
}
METHODS = (("mle", "MLE"), ("seqgan", "SeqGAN"))


# A finished text run's generators re-scored under Texygen's protocols (--mode=score
# --workdir=DIR, seqgan_tf/commands.py), for runs made before results.json held them.
RESCORED_FILE = "texygen_full.json"


@dataclasses.dataclass(frozen=True)
class CorpusRun(RecordedProcesses):
    """One committed text or music run: where it lies, what it ran and its final scores;
    ``rescored`` the content of its :data:`RESCORED_FILE`, if any."""

    name: str
    folder: pathlib.Path
    results: dict
    rescored: dict | None = None

    @property
    def mode(self) -> str:
        return self.results["mode"]

    @property
    def flags(self) -> str:
        """``--preset=P`` and the flags departing from it, paths to the data aside."""
        overrides = {
            k: v
            for k, v in self.results["overrides"].items()
            if k not in PATH_FLAGS and not self._chosen_by_the_run(k, v)
        }
        flags = [f"--preset={self.results['preset']}"]
        return " ".join(flags + [f"--{key}={value}" for key, value in sorted(overrides.items())])

    def _chosen_by_the_run(self, key: str, value) -> bool:
        """Text runs made before commit 2087ecf recorded the negatives a round they chose
        themselves (the training split in whole batches) as a flag departing from the
        preset; a flag of that value makes the same run, so it is left out."""
        if self.mode != "text" or key != "dis_samples":
            return False
        batch = self.results["overrides"].get("batch_size", DEFAULT_BATCH_SIZE)
        return value == self.results["train_sequences"] // batch * batch

    def value(self, method: str, key: str) -> float:
        return float(self.results["methods"][method][key])

    @property
    def texygen_full(self) -> dict | None:
        """Texygen's full protocol of the final generators, by model: results.json's own
        (the run's last unit) or else the re-scoring's (fresh samples); None without."""
        return self.results.get("texygen_full") or (self.rescored or {}).get("texygen_full")

    @property
    def texygen_full_samples(self) -> str:
        """Whose samples :attr:`texygen_full` scored."""
        if self.results.get("texygen_full"):
            return "its samples"
        return f"fresh samples (--seed={self.rescored['seed']})"


def load_corpus_runs(runs_dir: str | pathlib.Path) -> list[CorpusRun]:
    """The finished text and music runs one level down in ``runs_dir``, by folder name."""
    runs = []
    for path in sorted(pathlib.Path(runs_dir).glob("*/*/results.json")):
        results = json.loads(path.read_text())
        methods = results.get("methods", {})
        if results.get("mode") in COLUMNS and {"mle", "seqgan"} <= set(methods):
            rescored_path = path.parent / RESCORED_FILE
            rescored = json.loads(rescored_path.read_text()) if rescored_path.exists() else None
            runs.append(CorpusRun(path.parent.parent.name, path.parent, results, rescored))
    return runs


def groups(runs: list[CorpusRun]) -> dict[tuple[str, str], list[CorpusRun]]:
    """Runs by (mode, flags), text before music, each group's runs by machine and seed."""
    grouped: dict[tuple[str, str], list[CorpusRun]] = {}
    for run in sorted(runs, key=lambda r: (r.mode != "text", r.flags, r.machine, r.seed)):
        grouped.setdefault((run.mode, run.flags), []).append(run)
    return grouped


def _header(mode: str) -> list[str]:
    return [f"{label} {column}" for key, column in COLUMNS[mode] for _, label in METHODS]


def _row(run: CorpusRun) -> list[str]:
    return [
        f"{run.value(method, key):.3f}" for key, _ in COLUMNS[run.mode] for method, _ in METHODS
    ]


def _mean_sd_row(runs: list[CorpusRun]) -> list[str]:
    return [
        _mean_sd([run.value(method, key) for run in runs])
        for key, _ in COLUMNS[runs[0].mode]
        for method, _ in METHODS
    ]


def _mean_sd(values: list[float]) -> str:
    """Mean and sample standard deviation, as the oracle tables write them."""
    return f"{statistics.mean(values):.3f} (sd {statistics.stdev(values):.3f})"


def group_section(mode: str, flags: str, runs: list[CorpusRun]) -> list[str]:
    """One group's tables: for music a row per run, a mean (sd) row over 2+ seeds and the
    paper's numbers; for text :func:`text_tables`."""
    title = "Text" if mode == "text" else "Music"
    lines = [f"## {title}: `--mode={mode} {flags}`", ""]
    if mode == "text":
        return lines + text_tables(runs)
    header = ["run", "seed", "machine", "commit", *_header(mode), "wall min"]
    rows = []
    for run in runs:
        wall = f"{run.results['wall_seconds'] / 60:.1f}"
        rows.append([f"`{run.name}`", str(run.seed), run.machine, run.commit, *_row(run), wall])
    for members in _seed_groups(runs):
        label = f"mean (sd), {len(members)} seeds"
        rows.append([label, "", _machines(members), "", *_mean_sd_row(members), ""])
    paper = runs[0].results.get("paper")
    if paper:
        cells = []
        for key, _ in COLUMNS[mode]:
            for method, _ in METHODS:
                number = paper.get(method, {}).get(key)
                cells.append("" if number is None else f"{number:g}")
        rows.append(["paper", "", "", "", *cells, ""])
    return lines + markdown_table(header, rows, "llll" + "r" * (len(header) - 4))


def _seed_groups(runs: list[CorpusRun]) -> list[list[CorpusRun]]:
    """The group's runs, to be averaged, when there are two seeds or more."""
    return [runs] if len({run.seed for run in runs}) >= 2 else []


def _machines(runs: list[CorpusRun]) -> str:
    return "; ".join(sorted({run.machine for run in runs}))


SHOWN_SENTENCES = 20


def final_samples(run: CorpusRun, phase_prefix: str) -> pathlib.Path | None:
    """The last evaluation's samples of a phase (``mle_epoch_``, ``seqgan_iteration_``):
    the highest-numbered file of that name in the run's ``samples/``, if committed."""
    files = sorted((run.folder / "samples").glob(f"{phase_prefix}*.txt"))
    return files[-1] if files else None


def generated_sentences(runs: list[CorpusRun]) -> list[str]:
    """The first :data:`SHOWN_SENTENCES` sentences of the final MLE and SeqGAN evaluations
    of the group's first run that committed both, unedited."""
    for run in runs:
        files = [final_samples(run, prefix) for prefix in ("mle_epoch_", "seqgan_iteration_")]
        if all(files):
            break
    else:
        return []
    lines = []
    for (_, label), path in zip(METHODS, files, strict=True):
        sentences = path.read_text(encoding="utf-8").splitlines()[:SHOWN_SENTENCES]
        lines += [
            "",
            f"{label}: the first {len(sentences)} sentences of `{run.name}`'s final evaluation "
            f"(`{path.relative_to(run.folder.parent)}`), unedited:",
            "",
            *(f"    {sentence}" for sentence in sentences),
        ]
    return lines


TEXT_KEYS = tuple(f"{kind}{n}" for kind in ("bleu", "self_bleu") for n in (2, 3, 4, 5))
TEXT_LABELS = tuple(f"{kind}-{n}" for kind in ("BLEU", "self-BLEU") for n in (2, 3, 4, 5))
NLL_KEYS = ("nll_per_word", "nll_per_sentence")


def _cells(metrics: dict, keys: tuple[str, ...]) -> list[str]:
    return [f"{metrics[key]:.3f}" if key in metrics else "" for key in keys]


def _mean_sd_cells(runs: list[CorpusRun], pick, keys: tuple[str, ...]) -> list[str]:
    cells = []
    for key in keys:
        values = [pick(run)[key] for run in runs if key in pick(run)]
        cells.append(_mean_sd(values) if len(values) >= 2 else "")
    return cells


def text_tables(runs: list[CorpusRun]) -> list[str]:
    """The runs (machine, commit, wall time); every metric of MLE, SeqGAN and the real data
    with the whole test file as references, per run and as mean (sd) over the seeds; the
    same under Texygen's fast and full protocols beside its published numbers."""
    lines = markdown_table(
        ["run", "seed", "machine", "commit", "wall min"],
        [
            [
                f"`{r.name}`",
                str(r.seed),
                r.machine,
                r.commit,
                f"{r.results['wall_seconds'] / 60:.1f}",
            ]
            for r in runs
        ],
        "llllr",
    )
    keys = TEXT_KEYS + NLL_KEYS
    header = ["run", "model", *TEXT_LABELS, "NLL-test /word", "NLL-test /sentence"]
    # Runs made since text runs score BLEU-2 against the training split too.
    if any("bleu2_train" in run.results["methods"]["mle"] for run in runs):
        keys += ("bleu2_train",)
        header.append("BLEU-2 vs train")
    rows = []
    for run in runs:
        for method, label in (*METHODS, ("real", "real data")):
            if method in run.results["methods"]:
                metrics = run.results["methods"][method]
                rows.append([f"`{run.name}`", label, *_cells(metrics, keys)])
    for members in _seed_groups(runs):
        for method, label in METHODS:
            cells = _mean_sd_cells(members, lambda r, m=method: r.results["methods"][m], keys)
            rows.append([f"mean (sd), {len(members)} seeds", label, *cells])
    if is_poems(runs[0].results):
        for method, label in (*METHODS, ("real", "real data")):
            cells = [f"{PAPER_POEM_BLEU2[method]:g}"] + [""] * (len(keys) - 1)
            rows.append(["paper, Table 2", label, *cells])
    lines += [
        "",
        "Whole test file as references"
        + (" (and the training split, BLEU-2 vs train)" if "bleu2_train" in keys else "")
        + ":",
        "",
        *markdown_table(header, rows, "ll" + "r" * len(keys)),
    ]
    lines += generated_sentences(runs)
    lines += _texygen_table(
        [run for run in runs if run.results.get("texygen")],
        lambda run: run.results["texygen"],
        "Texygen's fast protocol, its code's default (first 500 test sentences as references, "
        "9,984 samples; self-BLEU within the first 500; each run's README says how it is "
        "computed):",
    )
    lines += _texygen_table(
        [run for run in runs if run.texygen_full],
        lambda run: run.texygen_full,
        "Texygen's full protocol, is_fast=False, the one its published numbers follow (every "
        "test sentence a reference, 9,984 samples; self-BLEU of each against the other "
        f"9,983); samples: the run's own, or fresh ones of its final generators (`{RESCORED_FILE}`"
        ", `--mode=score --workdir=DIR`; each run's README says how):",
        name=lambda run: f"`{run.name}`, {run.texygen_full_samples}",
    )
    return lines


def _texygen_table(runs: list[CorpusRun], pick, caption: str, name=None) -> list[str]:
    """``runs``' scores under one of Texygen's protocols (``pick(run)``: {model: metrics},
    each run's rows headed ``name(run)``), a mean (sd) row per model over 2+ seeds and
    Texygen's published numbers."""
    if not runs:
        return []
    rows = []
    for run in runs:
        for method, label in (*METHODS, ("real", "training sentences")):
            if method in pick(run):
                head = name(run) if name else f"`{run.name}`"
                rows.append([head, label, *_cells(pick(run)[method], TEXT_KEYS)])
    for members in _seed_groups(runs):
        for method, label in METHODS:
            cells = _mean_sd_cells(members, lambda r, m=method: pick(r)[m], TEXT_KEYS)
            rows.append([f"mean (sd), {len(members)} seeds", label, *cells])
    # Texygen published numbers for the COCO captions only.
    published = runs[0].results.get("texygen_published", {}) if is_coco(runs[0].results) else {}
    for method, label in METHODS:
        if method in published:
            rows.append(["Texygen, published", label, *_cells(published[method], TEXT_KEYS)])
    header = ["run", "model", *TEXT_LABELS]
    return ["", caption, "", *markdown_table(header, rows, "ll" + "r" * len(TEXT_KEYS))]
