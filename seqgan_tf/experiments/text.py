"""SeqGAN on your own text: ``--mode=text`` calls :func:`text_experiment`.

The same models, Algorithm 1 units, schedule presets, runner and checkpoints as the
oracle experiment (:class:`seqgan_tf.experiments.seqgan_task.AdversarialTraining`); what
differs is the data and the evaluation.

* **Data**: a :class:`seqgan_tf.data.corpus.TextCorpus`, read, split and encoded before
  anything is written. One code path for words and characters: every line is a sentence
  of tokens, then the end token (id 0), then END padding up to ``max_length``. The
  paper's quatrains are ``--tokens=char``: twenty characters and END, 21 positions (the
  paper ran them at 20, with no end mark).
* **Generator**: with the end token (:mod:`seqgan_tf.models.generator`: canonical
  samples, policy gradient masked after the first END) and END as its start token.
* **Evaluation** (:mod:`seqgan_tf.metrics.text`): at every evaluated step BLEU-2..5 of
  ``eval_samples`` generated sentences against the whole test file, their self-BLEU-2..5
  (leave-one-out), and the NLL of the test file per word and per sentence (and over the
  test sentences with no unknown token). Sentences end at their first END, so samples,
  BLEU and the written files never see padding.
* **Units**: ``corpus`` (the vocabulary written to the workdir, the untrained generator
  and the real-data row measured), Algorithm 1's units, then ``texygen``: the final MLE
  generator (kept as ``mle_generator.pkl`` at the end of MLE, as the oracle experiment
  keeps it) and the final SeqGAN generator scored again under Texygen's two protocols
  (:mod:`seqgan_tf.metrics.texygen`: ``texygen`` in results.json its fast one,
  ``texygen_full`` the full one its published numbers follow), with the training
  sentences under them too.

The discriminator's negatives per round default to the training split's size in whole
batches (the original draws as many negatives as it has positives); the sentences per
evaluation to :data:`EVAL_SAMPLES`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable

import numpy as np
import tensorflow as tf
from absl import logging

from fileio.atomic import write_atomically
from seqgan_tf import train
from seqgan_tf.config import ModelConfig
from seqgan_tf.data.corpus import TextCorpus
from seqgan_tf.data.vocabulary import END_ID, UNKNOWN_ID, VOCABULARY_FILE
from seqgan_tf.experiments.launch import announce, plan_text, single_device_strategy
from seqgan_tf.experiments.seqgan_task import (
    AdversarialTraining,
    data_run_identity,
    evaluation_label,
    jsonable,
    negatives_per_round,
)
from seqgan_tf.experiments.text_costs import cost_table, projection_text, unit_seconds
from seqgan_tf.experiments.text_report import plot_curves, text_results_table
from seqgan_tf.metrics import text as text_metrics
from seqgan_tf.metrics import texygen
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.oracle import load_params, save_params
from seqgan_tf.schedule import Schedule, preset_overrides
from seqgan_tf.training.runner import Run, Unit

EVAL_SAMPLES = 1000  # generated sentences per evaluation unless --eval_samples says
MLE_GENERATOR = "mle_generator.pkl"


def text_experiment(
    workdir: str,
    corpus: TextCorpus,
    config: ModelConfig,
    schedule: Schedule,
    preset: str,
    seed: int,
    num_negatives: int | None = None,
    eval_samples: int | None = None,
    strategy_name: str = "default",
    progress_interval: float = 10.0,
) -> dict:
    """Runs or resumes SeqGAN on a text corpus in ``workdir``; returns results.json's content."""
    strategy = single_device_strategy(strategy_name)
    tf.get_logger().setLevel("WARNING")  # checkpoint writes log at INFO on every save
    experiment = TextExperiment(
        workdir,
        corpus,
        config,
        schedule,
        seed,
        preset,
        num_negatives,
        eval_samples,
        strategy,
        progress_interval,
    )
    run_schedule = experiment.schedule  # with the corpus's negatives and evaluation size
    announce(
        "text",
        preset,
        plan_text(run_schedule, rescored=False),
        projection_text(
            preset, run_schedule, len(corpus.train), len(corpus.test), corpus.max_length
        ),
    )
    logging.info("%s", corpus.summary())
    logging.info("text experiment in %s: preset %s, %s", workdir, preset, run_schedule)
    return experiment.run()


def text_config(config: ModelConfig, corpus: TextCorpus) -> ModelConfig:
    """``config`` with the corpus's vocabulary and length, and END as the start token."""
    return dataclasses.replace(
        config,
        vocab_size=len(corpus.vocabulary),
        sequence_length=corpus.max_length,
        start_token=END_ID,
    )


def text_generator(config: ModelConfig, seed: int | None = None) -> Generator:
    """A generator of a text run: ``config`` from :func:`text_config`, with the end token."""
    return Generator(config, seed=seed, end_token=END_ID)


class TextExperiment(AdversarialTraining):
    """Runs (or resumes) SeqGAN on a text corpus in ``workdir``.

    ``num_negatives`` (None: the training split's size, in whole batches) replaces the
    schedule's ``dis_samples``; ``eval_samples`` (None: :data:`EVAL_SAMPLES`) its
    ``eval_samples``.
    """

    progress_metric = ("bleu2", "BLEU-2")
    other_positions = {
        "corpus": "the untrained generator and the real data measured",
        "texygen": "the final generators under Texygen's protocols",
    }

    def __init__(
        self,
        workdir: str,
        corpus: TextCorpus,
        config: ModelConfig,
        schedule: Schedule,
        seed: int = 88,
        preset: str = "original",
        num_negatives: int | None = None,
        eval_samples: int | None = None,
        strategy: tf.distribute.Strategy | None = None,
        progress_interval: float = 10.0,
        print_fn: Callable[[str], None] = print,
        after_unit: Callable[[int, Unit], None] | None = None,
    ) -> None:
        self.corpus, self.preset = corpus, preset
        # The settings as the flags and the preset set them, for the results' title: the
        # corpus sets the shapes, and the counts the run chose itself are not flags.
        self.given = (config, schedule, corpus.settings)
        config = text_config(config, corpus)
        schedule = dataclasses.replace(
            schedule,
            dis_samples=negatives_per_round(num_negatives, len(corpus.train), config.batch_size),
            eval_samples=eval_samples or EVAL_SAMPLES,
        )
        if schedule.eval_samples < 2:
            raise ValueError("--eval_samples: self-BLEU needs at least 2 sentences")
        self.units = [Unit("corpus"), *train.seqgan_units(schedule)]
        if schedule.mle_epochs:
            self.units.append(Unit("texygen"))
        identity = data_run_identity(
            "text",
            config,
            schedule,
            seed,
            preset,
            corpus=corpus.path,
            corpus_sha256=corpus.sha256,
            text=dataclasses.asdict(corpus.settings),
        )
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
            end_token=END_ID,
        )
        self.projected_unit_seconds = unit_seconds(
            self.schedule, len(corpus.train), len(corpus.test), cost_table(corpus.max_length)
        )
        self._summary_writer: tf.summary.SummaryWriter | None = None
        self.test_bleu = text_metrics.ReferenceBleu(corpus.test_references)
        # BLEU-2 against the training split as well: the reference set the real-data row is
        # scored against, and on the quatrains the scale of the paper's Table 2
        # (docs/FIDELITY.md, "Real text").
        self.train_bleu = text_metrics.ReferenceBleu(corpus.train_references, (2,))

    def expected_seconds(self, unit: Unit) -> float | None:
        """The unit's cost projected from the text bench's table nearest the corpus's
        shapes (progress lines' ETAs before a kind of unit has been measured)."""
        return self.projected_unit_seconds.get((unit.phase, unit.part > 0))

    # ------------------------------------------------------------------ the loop
    def train(self, run: Run) -> None:
        """The floor and the real data measured; Algorithm 1; Texygen's protocols."""
        corpus = self.corpus
        for _ in run.unit("corpus"):
            corpus.vocabulary.save(self.path(VOCABULARY_FILE))
            run.values["random"] = self._evaluate("random", 0, run.row)
            real = text_metrics.real_data_metrics(
                corpus.test_references,
                corpus.train_references,
                self.schedule.eval_samples,
                self.seed,
            )
            # Its BLEU is against the training sentences already: its BLEU-2 vs train.
            run.values["real"] = {**real, "bleu2_train": real["bleu2"]}
        train.seqgan(run, self.models, corpus.train, self.schedule, hooks=self)
        if self.schedule.mle_epochs:
            for _ in run.unit("texygen"):
                measured = self._texygen_protocol()
                run.values["texygen"] = measured["fast"]
                run.values["texygen_full"] = measured["full"]

    def evaluate_step(self, run: Run, phase: str, step: int) -> None:
        """The hook of :func:`seqgan_tf.train.seqgan`: BLEU, self-BLEU, NLL-test; the
        generator at the end of MLE kept as :data:`MLE_GENERATOR`."""
        method = "mle" if phase == "mle" else "seqgan"
        run.values[method] = self._evaluate(method, step, run.row)
        if phase == "mle" and step == self.schedule.mle_epochs - 1:
            save_params(self.path(MLE_GENERATOR), self.generator.export_params())

    # ------------------------------------------------------------------ pieces
    def _evaluate(self, method: str, step: int, row: dict) -> dict:
        """The metrics of the generator as it stands, into ``row``; its sentences written
        one a line to ``samples/``; returns the metrics with the step."""
        samples = self.generator.generate_many(self.schedule.eval_samples, self.rng)
        sentences = self.corpus.vocabulary.decode(samples)
        metrics = self.test_bleu.bleu_and_self_bleu(sentences)
        metrics["bleu2_train"] = self.train_bleu.mean_bleu(sentences)["bleu2"]
        metrics.update(text_metrics.nll_test(self.generator, self.corpus.test, END_ID, UNKNOWN_ID))
        metrics["mean_length"] = float(np.mean([len(s) for s in sentences]))
        row.update(metrics)
        label = evaluation_label(method, step)
        texts = self.corpus.vocabulary.decode_text(samples)
        write_lines(self.path("samples", f"{label}.txt"), texts)
        shown = ("bleu2", "bleu4", "self_bleu2", "self_bleu4", "nll_per_word", "mean_length")
        self.log_line(f"{label}\t" + "\t".join(f"{k} {metrics[k]:.4f}" for k in shown) + "\n")
        self._write_text_summary(method, step, texts[:5])
        return {**metrics, "step": step}

    def _texygen_protocol(self) -> dict:
        """BLEU and self-BLEU of the final MLE and SeqGAN generators and of the training
        sentences under Texygen's two protocols, the same sentences in both:
        {"fast": :func:`~seqgan_tf.metrics.texygen.fast_protocol`'s, "full":
        :func:`~seqgan_tf.metrics.texygen.full_protocol`'s}, each by model."""
        mle = text_generator(self.config)
        mle.import_params(load_params(self.path(MLE_GENERATOR), self.config), MLE_GENERATOR)
        generators = {"mle": mle}
        if self.schedule.adversarial_iterations:
            generators["seqgan"] = self.generator
        sentences = texygen.protocol_sentences(generators, self.corpus, self.rng)
        return texygen.both_protocols(sentences, self.corpus.test_references)

    def _write_text_summary(self, method: str, step: int, texts: list[str]) -> None:
        if self._summary_writer is None:
            self._summary_writer = tf.summary.create_file_writer(self.path("tensorboard", "text"))
        offset = self.schedule.mle_epochs if method == "seqgan" else 0
        with self._summary_writer.as_default(step=offset + step):
            # Markdown: a blank line between sentences.
            tf.summary.text(f"samples/{method}", "\n\n".join(texts))
        self._summary_writer.flush()

    # ------------------------------------------------------------------ results
    def results(self, values: dict, wall_seconds: float) -> dict:
        corpus = self.corpus
        results = {
            "mode": "text",
            "corpus": corpus.path,
            "test_data": corpus.test_path,
            "corpus_sha256": corpus.sha256,
            "settings": dataclasses.asdict(corpus.settings),
            "preset": self.preset,
            "overrides": jsonable(preset_overrides(self.preset, *self.given)),
            "seed": self.seed,
            "train_sequences": len(corpus.train),
            "test_sequences": len(corpus.test),
            "test_references": len(corpus.test_references),
            "max_length": corpus.max_length,
            "vocabulary": len(corpus.vocabulary),
            "counts": corpus.counts,
            "eval_samples": self.schedule.eval_samples,
            "rollout_update_rate": self.config.rollout_update_rate,
            "methods": {name: values.get(name) for name in ("random", "mle", "seqgan", "real")},
            "texygen": values.get("texygen"),
            "texygen_full": values.get("texygen_full"),
            "texygen_published": texygen.PUBLISHED,
            "wall_seconds": round(wall_seconds, 1),
            "schedule": dataclasses.asdict(self.schedule),
        }
        results["curves"] = plot_curves(
            self.workdir, self.schedule.mle_epochs, os.path.basename(corpus.path), self.seed
        )
        return results

    def table(self, results: dict) -> str:
        return text_results_table(results)


def write_lines(path: str, texts: list[str]) -> None:
    """``texts`` one a line (UTF-8), atomically: a crash leaves the old file or the new."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_atomically(path, "".join(f"{text}\n" for text in texts))
