"""SeqGAN on folk tunes (the paper's Nottingham music experiment): ``--mode=music``
calls :func:`music_experiment`.

The same models, Algorithm 1 units, runner and checkpoints as the oracle and text
experiments (:class:`seqgan_tf.experiments.seqgan_task.AdversarialTraining`); what differs
is the data (a folder of MIDI tunes sampled every 0.4 s into windows of 32 piano keys,
split by tune: :mod:`seqgan_tf.data.music_corpus`; 89 ids, 0 the start token) and the
evaluation (:mod:`seqgan_tf.metrics.music`: BLEU-4 and the nearest-reference MSE against
the test split and against the training split, the scale the paper's BLEU appears to be
on, and self-BLEU-4 for diversity). The discriminator's negatives per round default to the
training split's size (the original draws as many negatives as it has positives).

Units: the corpus (the pitch vocabulary and the split written to the workdir; the
untrained generator and the real-data rows measured), the MLE epochs, discriminator
pre-training, the adversarial iterations. Every evaluation writes all its samples as a
token file and the first :data:`MIDI_FILES` as MIDI files (0.4 s a step) under
``samples/``; the results add a piano roll of the final generators' tunes beside real ones.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable

import numpy as np
import tensorflow as tf
from absl import logging

from seqgan_tf import train
from seqgan_tf.config import ModelConfig
from seqgan_tf.data.midi import MidiError, write_midi_files
from seqgan_tf.data.music_corpus import (
    SPLIT_FILE,
    VOCABULARY_FILE,
    MusicData,
    MusicSettings,
    PitchVocabulary,
)
from seqgan_tf.data.token_files import read_token_file, write_token_file
from seqgan_tf.experiments.launch import announce, plan_text, single_device_strategy
from seqgan_tf.experiments.music_presets import (
    music_preset_overrides,
    projection_text,
    unit_seconds,
)
from seqgan_tf.experiments.seqgan_task import (
    AdversarialTraining,
    data_run_identity,
    evaluation_label,
    jsonable,
    negatives_per_round,
)
from seqgan_tf.metrics import music as music_metrics
from seqgan_tf.metrics.bleu import BleuScorer
from seqgan_tf.reporting.piano_roll import plot_piano_rolls
from seqgan_tf.schedule import Schedule
from seqgan_tf.training.runner import Run, Unit

MIDI_FILES = 8  # of each evaluation's samples, written as MIDI
PIANO_ROLL_FILE = "piano_roll.png"
PIANO_ROLL_TUNES = 4  # per column
METRIC_NAMES = ("bleu4", "mse", "bleu4_train", "mse_train", "self_bleu4")


def music_experiment(
    workdir: str,
    data: MusicData,
    config: ModelConfig,
    schedule: Schedule,
    settings: MusicSettings,
    preset: str,
    seed: int,
    num_negatives: int | None = None,
    strategy_name: str = "default",
    progress_interval: float = 10.0,
) -> dict:
    """Runs or resumes SeqGAN on a folder of MIDI tunes in ``workdir``; returns
    results.json's content."""
    strategy = single_device_strategy(strategy_name)
    tf.get_logger().setLevel("WARNING")  # checkpoint writes log at INFO on every save
    experiment = MusicExperiment(
        workdir,
        data,
        config,
        schedule,
        settings,
        seed,
        preset,
        num_negatives,
        strategy,
        progress_interval,
    )
    run_schedule = experiment.schedule  # with the data's negatives
    announce(
        "music",
        preset,
        plan_text(run_schedule, rescored=False),
        projection_text(preset, run_schedule, len(data.train)),
    )
    logging.info(
        "music experiment in %s: %s (%d train / %d test sequences), preset %s, %s",
        workdir,
        data.folder,
        len(data.train),
        len(data.test),
        preset,
        run_schedule,
    )
    return experiment.run()


class MusicExperiment(AdversarialTraining):
    """Runs (or resumes) SeqGAN on a folder of MIDI tunes in ``workdir``.

    ``config``'s vocabulary size, sequence length and start token are replaced by the
    data's (89, the windows' length, 0); ``num_negatives`` (None: the training split's
    size, in whole batches) replaces the schedule's ``dis_samples``.

    Raises:
      MidiError: when the workdir's pitch vocabulary or split is not the data's.
    """

    progress_metric = ("bleu4", "BLEU-4")
    other_positions = {"corpus": "tunes split, real data measured"}

    def __init__(
        self,
        workdir: str,
        data: MusicData,
        config: ModelConfig,
        schedule: Schedule,
        settings: MusicSettings,
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
        schedule = dataclasses.replace(
            schedule,
            dis_samples=negatives_per_round(num_negatives, len(data.train), config.batch_size),
        )
        self.units = [Unit("corpus"), *train.seqgan_units(schedule)]
        self._check_saved_corpus(workdir)
        identity = data_run_identity(
            "music",
            config,
            schedule,
            seed,
            preset,
            data_sha256=data.sha256,
            music=dataclasses.asdict(settings),
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
        )
        self.projected_unit_seconds = unit_seconds(self.schedule, len(data.train))
        self.test_scorer = music_metrics.bleu4_scorer(data.test)
        self.train_scorer = music_metrics.bleu4_scorer(data.train)

    def expected_seconds(self, unit: Unit) -> float | None:
        """The unit's cost projected from the music bench's (progress lines' ETAs)."""
        return self.projected_unit_seconds.get((unit.phase, unit.part > 0))

    def _check_saved_corpus(self, workdir: str) -> None:
        """A resumed workdir's vocabulary and split must be this data's (before anything
        is written)."""
        vocabulary = os.path.join(workdir, VOCABULARY_FILE)
        if os.path.exists(vocabulary):
            PitchVocabulary.load(vocabulary)  # raises on a file not written by this project
        split = os.path.join(workdir, SPLIT_FILE)
        if os.path.exists(split):
            with open(split, encoding="utf-8") as f:
                saved = json.load(f)
            if (
                saved.get("train_tune_names") != list(self.data.train_tunes)
                or saved.get("test_tune_names") != list(self.data.test_tunes)
                or saved.get("sha256") != self.data.sha256
            ):
                raise MidiError(
                    f"{split} differs from the split of {self.data.folder}: the workdir was "
                    "trained on other tunes or another split (--seed, --music_*); use a new "
                    "--workdir"
                )

    # ------------------------------------------------------------------ the loop
    def train(self, run: Run) -> None:
        """The split saved and the floor and ceiling rows measured; Algorithm 1 on it."""
        for _ in run.unit("corpus"):
            self.data.vocabulary.save(self.path(VOCABULARY_FILE))
            self.data.save_split(self.path(SPLIT_FILE))
            run.values["real"] = music_metrics.real_data_rows(
                self.data.train, self.data.test, self.seed
            )
            real = self.data.test[self._real_indices()]
            write_token_file(self.path("samples", "real_test.txt"), real)
            write_midi_files(
                self.path("samples", "real_test"), real[:MIDI_FILES], self.step_seconds
            )
            run.values["random"] = self._evaluate("random", 0, run.row)
        train.seqgan(run, self.models, self.data.train, self.schedule, hooks=self)

    def evaluate_step(self, run: Run, phase: str, step: int) -> None:
        """The hook of :func:`seqgan_tf.train.seqgan`: BLEU-4, MSE, self-BLEU-4, MIDI."""
        method = "mle" if phase == "mle" else "seqgan"
        run.values[method] = self._evaluate(method, step, run.row)

    # ------------------------------------------------------------------ pieces
    @property
    def step_seconds(self) -> float:
        return self.settings.music_step_seconds

    def _real_indices(self) -> np.ndarray:
        """Test windows for the piano roll and the real MIDI files, chosen by the seed."""
        count = min(MIDI_FILES, len(self.data.test))
        return np.random.default_rng(self.seed).choice(len(self.data.test), count, replace=False)

    def _evaluate(self, method: str, step: int, row: dict) -> dict:
        """The metrics of ``schedule.eval_samples`` fresh samples, into ``row``; writes the
        samples (token file and MIDI); returns the metrics with the step and the label."""
        samples = self.generator.generate_many(self.schedule.eval_samples, self.rng)
        test = music_metrics.music_metrics(samples, self.data.test, self.test_scorer)
        against_train = music_metrics.music_metrics(samples, self.data.train, self.train_scorer)
        self_bleu = BleuScorer(samples, music_metrics.BLEU_ORDER, smoothing="method1")
        metrics = {
            **test,
            "bleu4_train": against_train["bleu4"],
            "mse_train": against_train["mse"],
            "self_bleu4": float(np.mean(self_bleu.score_leave_one_out())),
        }
        row.update(metrics)
        label = evaluation_label(method, step)
        write_token_file(self.path("samples", f"{label}.txt"), samples)
        write_midi_files(self.path("samples", label), samples[:MIDI_FILES], self.step_seconds)
        self.log_line(
            f"{label}\t" + "\t".join(f"{name} {metrics[name]:.4f}" for name in METRIC_NAMES) + "\n"
        )
        return {**metrics, "step": step, "samples": f"samples/{label}.txt"}

    # ------------------------------------------------------------------ results
    def results(self, values: dict, wall_seconds: float) -> dict:
        methods = {name: values.get(name) for name in ("random", "mle", "seqgan")}
        return {
            "mode": "music",
            "data": self.data.summary(),
            "preset": self.preset,
            "overrides": jsonable(music_preset_overrides(self.preset, *self.given)),
            "seed": self.seed,
            "music": dataclasses.asdict(self.settings),
            "eval_samples": self.schedule.eval_samples,
            "rollout_update_rate": self.config.rollout_update_rate,
            "methods": methods,
            "real": values.get("real"),
            "paper": music_metrics.PAPER,
            "wall_seconds": round(wall_seconds, 1),
            "schedule": dataclasses.asdict(self.schedule),
            "piano_roll": self._plot_piano_roll(methods),
        }

    def _plot_piano_roll(self, methods: dict) -> str:
        """The first tunes of the final MLE and SeqGAN evaluations beside test windows."""
        columns = {}
        for key, title in (("mle", "MLE, epoch {}"), ("seqgan", "SeqGAN, iteration {}")):
            if methods.get(key):
                samples = read_token_file(
                    self.path(methods[key]["samples"]),
                    self.config.vocab_size,
                    self.config.sequence_length,
                )
                columns[title.format(methods[key]["step"] + 1)] = samples[:PIANO_ROLL_TUNES]
        columns["real: test windows"] = self.data.test[self._real_indices()][:PIANO_ROLL_TUNES]
        plot_piano_rolls(columns, self.path(PIANO_ROLL_FILE), self.step_seconds)
        return PIANO_ROLL_FILE

    def table(self, results: dict) -> str:
        from seqgan_tf.reporting.music_results import music_results_table

        return music_results_table(results)
