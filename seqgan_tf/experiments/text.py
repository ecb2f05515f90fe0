"""SeqGAN on real text (the paper's Chinese-poem experiment): ``--mode=text``.

The same models, Algorithm 1 units, schedule presets, runner and checkpoints as the oracle
experiment (:class:`seqgan_tf.experiments.oracle.AdversarialTraining`); what differs is the data (a
corpus file, split and encoded by :mod:`seqgan_tf.data.text_corpus`) and the evaluation (BLEU
against the test split, self-BLEU and test NLL, :mod:`seqgan_tf.metrics.text`, instead of
NLL_oracle). The discriminator's negatives per round default to the training split's size
(the original draws as many negatives as it has positives).

Units: the corpus (vocabulary and split written to the workdir; the untrained generator
and a sample of the training split measured as the floor and ceiling rows), the MLE
epochs, discriminator pre-training, the adversarial iterations. Every evaluation writes its
generated sequences as text (quatrains for the poem corpus) to ``samples/``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable

import numpy as np
import tensorflow as tf

from seqgan_tf import train
from seqgan_tf.config import ModelConfig
from seqgan_tf.data.text_corpus import (
    VOCABULARY_FILE,
    CorpusError,
    TextData,
    TextSettings,
    Vocabulary,
    layout,
    write_poems,
)
from seqgan_tf.experiments.seqgan_task import AdversarialTraining, jsonable
from seqgan_tf.metrics import text as text_metrics
from seqgan_tf.metrics.bleu import BleuScorer
from seqgan_tf.schedule import Schedule, preset_overrides
from seqgan_tf.training.metrics_log import metrics_rows
from seqgan_tf.training.runner import Run, Unit

CURVES_FILE = "text_curves.png"
# The paper's Table 2 (Chinese quatrains, BLEU-2); its split, sample count and smoothing
# are not stated.
PAPER_BLEU2 = {"mle": 0.6670, "seqgan": 0.7389, "real": 0.746}
METRIC_NAMES = [
    *(f"bleu{n}" for n in text_metrics.BLEU_ORDERS),
    "bleu2_train",
    *(f"self_bleu{n}" for n in text_metrics.BLEU_ORDERS),
]


class TextExperiment(AdversarialTraining):
    """Runs (or resumes) SeqGAN on a text corpus in ``workdir``.

    ``config``'s vocabulary size and sequence length are replaced by the corpus's;
    ``num_negatives`` (None: the training split's size, in whole batches) replaces the
    schedule's ``dis_samples`` as the discriminator's negatives per round.
    """

    progress_metric = ("bleu2", "BLEU-2")
    other_positions = {"corpus": "corpus split and encoded"}

    def __init__(
        self,
        workdir: str,
        data: TextData,
        config: ModelConfig,
        schedule: Schedule,
        settings: TextSettings,
        seed: int = 88,
        preset: str = "original",
        num_negatives: int | None = None,
        strategy: tf.distribute.Strategy | None = None,
        progress_interval: float = 10.0,
        print_fn: Callable[[str], None] = print,
        after_unit: Callable[[int, Unit], None] | None = None,
    ) -> None:
        self.data, self.settings, self.preset = data, settings, preset
        self.given = (config, schedule)  # as the flags set them, for the results' title
        config = dataclasses.replace(
            config,
            vocab_size=len(data.vocabulary),
            sequence_length=data.train.shape[1],
            start_token=0,
        )
        if num_negatives is None:
            num_negatives = len(data.train) // config.batch_size * config.batch_size
        schedule = dataclasses.replace(schedule, dis_samples=num_negatives)
        self.units = [Unit("corpus"), *train.seqgan_units(schedule)]
        saved = os.path.join(workdir, VOCABULARY_FILE)
        if os.path.exists(saved) and Vocabulary.load(saved) != data.vocabulary:
            raise CorpusError(
                f"{saved} differs from the vocabulary built from {data.path}: the workdir "
                "was trained on another corpus or split; use a new --workdir"
            )
        identity = {
            "mode": "text",
            "config": jsonable(dataclasses.asdict(config)),
            "schedule": dataclasses.asdict(schedule),
            "seed": seed,
            "preset": preset,
            "corpus_sha256": data.sha256,
            "text": dataclasses.asdict(settings),
        }
        super().__init__(
            workdir,
            config,
            schedule,
            seed,
            identity,
            strategy or tf.distribute.get_strategy(),
            progress_interval,
            print_fn,
            after_unit,
        )
        self.test_scorers = text_metrics.bleu_scorers(data.test)
        self.train_scorer = BleuScorer(data.train, 2, smoothing="method1")
        self._summary_writer: tf.summary.SummaryWriter | None = None

    # ------------------------------------------------------------------ the loop
    def train(self, run: Run) -> None:
        """The corpus written out and the floor and ceiling measured; Algorithm 1 on it."""
        for _ in run.unit("corpus"):
            self._write_corpus_files()
            run.values["random"] = self._evaluate("random", 0, run.row)
            real = self.data.train[self._real_sample_indices()]
            # Training sequences against the training split would match themselves.
            run.values["real"] = text_metrics.sample_metrics(real, self.test_scorers)
            write_poems(
                self.path("samples", "real.txt"),
                self.data.vocabulary.decode(real),
                self.settings.text_line_width,
            )
        train.seqgan(run, self.models, self.data.train, self.schedule, hooks=self)

    def evaluate_step(self, run: Run, phase: str, step: int) -> None:
        """The hook of :func:`seqgan_tf.train.seqgan`: BLEU, self-BLEU and test NLL."""
        method = "mle" if phase == "mle" else "seqgan"
        run.values[method] = self._evaluate(method, step, run.row)

    # ------------------------------------------------------------------ pieces
    def _write_corpus_files(self) -> None:
        self.data.vocabulary.save(self.path(VOCABULARY_FILE))
        for name, tokens in (("train", self.data.train), ("test", self.data.test)):
            write_poems(self.path(f"{name}.txt"), self.data.vocabulary.decode(tokens), 0)

    def _real_sample_indices(self) -> np.ndarray:
        """As many training sequences as each evaluation generates, chosen by the seed."""
        count = min(self.settings.text_eval_samples, len(self.data.train))
        return np.random.default_rng(self.seed).choice(len(self.data.train), count, replace=False)

    def _evaluate(self, method: str, step: int, row: dict) -> dict:
        """BLEU, self-BLEU and test NLL of the generator as it stands, into ``row``; writes
        its samples as text and a few to TensorBoard; returns the metrics with the step."""
        samples = self.generator.generate_many(self.settings.text_eval_samples, self.rng)
        metrics = text_metrics.sample_metrics(samples, self.test_scorers, self.train_scorer)
        metrics["test_nll"] = text_metrics.mean_nll(self.generator, self.data.test)
        row.update(metrics)
        texts = self.data.vocabulary.decode(samples)
        # Numbered from 1, as progress lines and the results table number them.
        label = {"random": "random", "mle": f"mle_epoch_{step + 1:04d}"}.get(
            method, f"seqgan_iteration_{step + 1:04d}"
        )
        write_poems(self.path("samples", f"{label}.txt"), texts, self.settings.text_line_width)
        self.log_line(
            f"{label}\t"
            + "\t".join(f"{name} {metrics[name]:.4f}" for name in [*METRIC_NAMES, "test_nll"])
            + "\n"
        )
        self._write_text_summary(method, step, texts[:5])
        return {**metrics, "step": step}

    def _write_text_summary(self, method: str, step: int, texts: list[str]) -> None:
        if self._summary_writer is None:
            self._summary_writer = tf.summary.create_file_writer(self.path("tensorboard", "text"))
        # Markdown: two trailing spaces break a line, a blank line separates poems.
        shown = "\n\n".join(
            layout(text, self.settings.text_line_width).replace("\n", "  \n") for text in texts
        )
        offset = self.schedule.mle_epochs if method == "seqgan" else 0
        with self._summary_writer.as_default(step=offset + step):
            tf.summary.text(f"samples/{method}", shown)
        self._summary_writer.flush()

    # ------------------------------------------------------------------ results
    def results(self, values: dict, wall_seconds: float) -> dict:
        results = {
            "mode": "text",
            "corpus": self.data.path,
            "corpus_sha256": self.data.sha256,
            "preset": self.preset,
            "overrides": jsonable(preset_overrides(self.preset, *self.given)),
            "seed": self.seed,
            "train_sequences": len(self.data.train),
            "test_sequences": len(self.data.test),
            "sequence_length": self.config.sequence_length,
            "vocabulary": len(self.data.vocabulary),
            "unknown_test_characters": self.data.unknown_test_characters,
            "eval_samples": self.settings.text_eval_samples,
            "real_samples": len(self._real_sample_indices()),
            "rollout_update_rate": self.config.rollout_update_rate,
            "methods": {name: values.get(name) for name in ("random", "mle", "seqgan", "real")},
            "paper_bleu2": PAPER_BLEU2,
            "wall_seconds": round(wall_seconds, 1),
            "schedule": dataclasses.asdict(self.schedule),
        }
        results["curves"] = self._plot_curves()
        return results

    def _plot_curves(self) -> str | None:
        """BLEU-2 and self-BLEU-2 against training step (MLE epochs, then adversarial
        iterations) from metrics.jsonl, as a PNG in the workdir."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        rows = [row for row in metrics_rows(self.workdir) if "bleu2" in row]
        mle_epochs = self.schedule.mle_epochs
        figure, axis = plt.subplots(figsize=(7, 4))
        for key, label in (("bleu2", "BLEU-2 vs test split"), ("self_bleu2", "self-BLEU-2")):
            for phase, style in (("mle", "o-"), ("adversarial", "s-")):
                points = [
                    (row["step"] + (mle_epochs if phase == "adversarial" else 0), row[key])
                    for row in rows
                    if row["phase"] == phase
                ]
                if points:
                    x, y = zip(*points, strict=True)
                    name = "MLE" if phase == "mle" else "SeqGAN"
                    axis.plot(x, y, style, markersize=3, label=f"{label}, {name}")
        axis.axvline(mle_epochs, color="grey", linestyle=":", linewidth=1)
        axis.set_xlabel("MLE epoch, then adversarial iteration (after the dotted line)")
        axis.set_ylabel("score")
        axis.legend(fontsize=8)
        axis.set_title(f"SeqGAN on {os.path.basename(self.data.path)} (seed {self.seed})")
        figure.tight_layout()
        figure.savefig(self.path(CURVES_FILE), dpi=120)
        plt.close(figure)
        return CURVES_FILE

    def table(self, results: dict) -> str:
        return text_results_table(results)


def text_results_table(results: dict) -> str:
    """results.md of a text run: each method beside the paper's Table 2 BLEU-2."""
    methods = results["methods"]
    header = (
        "| | BLEU-2 | BLEU-3 | BLEU-4 | BLEU-2 vs train | self-BLEU-2 | self-BLEU-3 "
        "| self-BLEU-4 | test NLL | paper BLEU-2 |"
    )
    lines = [
        f"## SeqGAN on {os.path.basename(results['corpus'])} (preset {results['preset']}, "
        f"seed {results['seed']}, rollout r = {results['rollout_update_rate']})",
        "",
        header,
        "|" + " --- |" * 10,
    ]
    rows = (
        ("random", "Untrained generator"),
        ("mle", "MLE (epoch {step})"),
        ("seqgan", "SeqGAN (iteration {step})"),
        ("real", "Training poems ({n})"),
    )
    for key, label in rows:
        metrics = methods.get(key)
        if metrics is None:
            continue
        cells = [_fmt(metrics.get(name)) for name in [*METRIC_NAMES, "test_nll"]]
        paper = results["paper_bleu2"].get(key)
        step = metrics.get("step")  # 0-based in the results, 1-based in the table
        name = label.format(step=None if step is None else step + 1, n=results["real_samples"])
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {_fmt(paper)} |")
    overrides = results.get("overrides") or {}
    lines += [
        "",
        f"BLEU: nltk sentence BLEU (uniform weights, smoothing method1) of each of "
        f"{results['eval_samples']} generated sequences against all {results['test_sequences']} "
        f"test sequences as references, averaged; self-BLEU: each generated sequence against "
        f"the other {results['eval_samples'] - 1}. BLEU-2 vs train: the same against the "
        f"training split ({results['train_sequences']} references; not for the training poems, "
        "which would match themselves), the scale the paper's numbers appear to be on "
        "(docs/RESULTS.md). Test NLL: mean per-token -log p of the test "
        f"split (teacher forced). Split: {results['train_sequences']} training / "
        f"{results['test_sequences']} test sequences of {results['sequence_length']} "
        f"characters; vocabulary {results['vocabulary']} ids (the unknown id included; "
        f"{results['unknown_test_characters']} test characters unknown). Values are the "
        "final evaluation of each phase. The paper used 16,394 quatrains and does not state "
        "its split, sample count or smoothing: compare directions, not decimals.",
        "",
        "Flags departing from the preset: "
        + (", ".join(f"--{k}={v}" for k, v in sorted(overrides.items())) or "none")
        + f". Wall time {results['wall_seconds'] / 60:.1f} min. Curves: {results['curves']}.",
        "",
    ]
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"
