"""The paper's Table 1 in one resumable run: Random, MLE, Scheduled Sampling, PG-BLEU and
SeqGAN trained on one oracle and one data file, with the same evaluation.

Units, in order (each checkpointed as in the oracle experiment):

1. the oracle's samples (the training data) and the untrained generator's NLL_oracle
   ("Random");
2. the MLE baseline's epochs. They are also SeqGAN's and PG-BLEU's pre-training: the
   generator starts from the same initial weights in every method, so the MLE run is
   one trajectory that SeqGAN branches from after ``Schedule.mle_epochs`` epochs and
   PG-BLEU after ``BaselineSchedule.pg_bleu_mle_epochs`` (identical to pre-training
   each from scratch, and a paired comparison: the methods differ only after the
   branch);
3. scheduled sampling's epochs, from the same initial weights;
4. PG-BLEU's policy-gradient iterations;
5. SeqGAN's discriminator pre-training and adversarial iterations, as in ``--mode=oracle``.

NLL_oracle is measured on the same rule in every method (every ``mle_eval_every``
epochs, every ``adversarial_eval_every`` iterations, and after the last), each time on
``num_samples`` fresh samples; the final evaluation's samples of each method are kept
and their per-sequence NLL_oracle gives a Welch t-test of SeqGAN against each baseline.
"""

from __future__ import annotations

import json
import os
import random

import numpy as np
import tensorflow as tf

from seqgan_tf.data.token_files import read_token_file, write_token_file
from seqgan_tf.experiments.oracle import (
    EXPERIMENT_LOG,
    ExperimentSpec,
    OracleExperiment,
    Unit,
    record_evaluation,
    schedule_units,
)
from seqgan_tf.metrics.bleu import BleuScorer
from seqgan_tf.metrics.significance import welch_t_test
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.oracle import save_params
from seqgan_tf.models.rollout import Rollout
from seqgan_tf.reporting import results as results_lib
from seqgan_tf.schedule import BaselineSchedule, Schedule, check_table1_schedules, graph_coin
from seqgan_tf.training.pg_bleu import PGBleuTrainer
from seqgan_tf.training.scheduled_sampling import ScheduledSamplingTrainer

# The held-out oracle samples for NLL_test come from a stream seeded apart from the run's.
HELD_OUT_SEED_OFFSET = 7919
# (results key prefix, table name) of each trained method, in Table 1's order.
METHODS = (
    ("mle", "MLE"),
    ("ss", "Scheduled Sampling"),
    ("pg_bleu", "PG-BLEU"),
    ("seqgan", "SeqGAN"),
)


def select_references(data: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """The sequences PG-BLEU scores against: each kept when a draw of Python's
    ``random`` seeded with ``seed`` falls below ``fraction``, one draw per sequence in
    order, as the paper-era script's ``load_references`` did (all of them at 1.0)."""
    if fraction >= 1.0:
        return data
    coins = random.Random(seed)
    keep = np.array([coins.random() < fraction for _ in range(len(data))], dtype=bool)
    if not keep.any():
        raise ValueError(f"--pg_bleu_reference_fraction={fraction} kept no reference")
    return data[keep]


def table1_units(schedule: Schedule, baselines: BaselineSchedule) -> list[Unit]:
    seqgan = schedule_units(schedule)
    return (
        seqgan[:1]
        + [Unit("mle", epoch) for epoch in range(baselines.mle_baseline_epochs)]
        + [Unit("scheduled_sampling", epoch) for epoch in range(baselines.ss_epochs)]
        + [Unit("pg_bleu", iteration) for iteration in range(baselines.pg_bleu_iterations)]
        + [unit for unit in seqgan if unit.phase in ("dis_pretrain", "adversarial")]
    )


class Table1Experiment:
    """Runs (or resumes) the five methods of Table 1 in ``workdir``: the oracle
    experiment's SeqGAN (its models, data and units) beside the baselines' generators."""

    text_log = EXPERIMENT_LOG
    progress_metric = ("nll_oracle", "NLL_oracle")

    def __init__(self, workdir: str, spec: ExperimentSpec, **kwargs) -> None:
        if spec.baselines is None:
            raise ValueError("Table1Experiment needs ExperimentSpec.baselines")
        check_table1_schedules(spec.schedule, spec.baselines)
        self.baselines = spec.baselines
        self.seqgan = OracleExperiment(workdir, spec, **kwargs)
        self.schedule, self.config = spec.schedule, spec.config
        self.units = table1_units(self.schedule, self.baselines)
        with self.seqgan.strategy.scope():
            # The same initial weights as SeqGAN's generator (same seed).
            self.mle_generator = Generator(self.config, seed=spec.seed, name="mle_generator")
            self.ss_generator = Generator(self.config, seed=spec.seed, name="ss_generator")
            self.pg_bleu_generator = Generator(
                self.config, seed=spec.seed, name="pg_bleu_generator"
            )
            self.pg_bleu_rollout = Rollout(
                self.pg_bleu_generator,
                self.baselines.pg_bleu_rollout_update_rate,
                name="pg_bleu_rollout",
            )
        self.ss_trainer = ScheduledSamplingTrainer(self.ss_generator)
        self._pg_bleu_trainer: PGBleuTrainer | None = None

    def run(self) -> dict:
        return self.seqgan.runner.run(self)

    def expected_seconds(self, unit: Unit) -> float | None:
        """SeqGAN's and MLE's units as projected; the other baselines' have no projection."""
        return self.seqgan.expected_seconds(unit)

    def path(self, *parts: str) -> str:
        return self.seqgan.path(*parts)

    # ------------------------------------------------------------------ the Task
    def checkpoint_objects(self) -> dict:
        objects = self.seqgan.checkpoint_objects()
        for name in ("mle", "ss", "pg_bleu"):
            generator = getattr(self, f"{name}_generator")
            objects[f"{name}_generator"] = generator
            objects[f"{name}_generator_pretrain_optimizer"] = generator.pretrain_optimizer
            objects[f"{name}_generator_adversarial_optimizer"] = generator.adversarial_optimizer
        objects["pg_bleu_rollout"] = self.pg_bleu_rollout
        return objects

    def on_resume(self, values: dict) -> None:
        self.seqgan.on_resume(values)

    def position(self, unit: Unit, steps: int) -> str:
        if unit.phase == "scheduled_sampling":
            return f"epoch {unit.step + 1}/{steps}"
        if unit.phase == "pg_bleu":
            return f"iteration {unit.step + 1}/{steps}"
        return self.seqgan.position(unit, steps)

    def table(self, results: dict) -> str:
        return results_lib.table1_table(results)

    def run_unit(self, unit: Unit, values: dict) -> dict:
        if unit.phase == "mle":
            return self._mle_unit(unit, values)
        if unit.phase == "scheduled_sampling":
            return self._ss_unit(unit, values)
        if unit.phase == "pg_bleu":
            return self._pg_bleu_unit(unit, values)
        return self.seqgan.run_unit(unit, values)

    def _evaluate(self, method: str, generator: Generator, step: int, values: dict) -> float:
        """NLL_oracle of ``generator``; logs the original's line, keeps final and best."""
        nll, samples = self.seqgan.evaluate(generator)
        self.seqgan.log_line(f"epoch:\t{step}\tnll:\t{nll:g}\n")
        record_evaluation(values, method, step, nll)
        write_token_file(self.path("samples", f"{method}_final.txt"), samples)
        return nll

    def _mle_unit(self, unit: Unit, values: dict) -> dict:
        epoch, epochs = unit.step, self.baselines.mle_baseline_epochs
        if epoch == 0:
            self.seqgan.log_line("MLE baseline (also SeqGAN's and PG-BLEU's pre-training)...\n")
        row: dict = {"phase": "mle", "step": epoch, "part": 0, "nll_oracle": None}
        row["mle_loss"] = float(self.mle_generator.pretrain_epoch(self.seqgan.mle_batches()))
        done = epoch + 1
        branch = done in (self.schedule.mle_epochs, self.baselines.pg_bleu_mle_epochs)
        if epoch % self.schedule.mle_eval_every == 0 or done == epochs or branch:
            row["nll_oracle"] = self._evaluate("mle", self.mle_generator, epoch, values)
        if done == self.schedule.mle_epochs:
            self.seqgan.generator.copy_params_from(self.mle_generator)
            values["mle_nll"] = row["nll_oracle"]  # SeqGAN's starting point
            save_params(self.path("mle_generator.pkl"), self.mle_generator.export_params())
        if done == self.baselines.pg_bleu_mle_epochs:
            self.pg_bleu_generator.copy_params_from(self.mle_generator)
        return row

    def _ss_unit(self, unit: Unit, values: dict) -> dict:
        epoch = unit.step
        if epoch == 0:
            self.seqgan.log_line("scheduled sampling...\n")
        prob = self.baselines.feed_prob(epoch, self.seqgan.spec.seed)
        row: dict = {"phase": "scheduled_sampling", "step": epoch, "part": 0, "nll_oracle": None}
        row["true_input_prob"] = prob
        row["ss_loss"] = self.ss_trainer.train_epoch(
            self.seqgan.mle_batches(), prob, self.seqgan.rng.make_seeds(1)[:, 0]
        )
        if epoch % self.schedule.mle_eval_every == 0 or epoch + 1 == self.baselines.ss_epochs:
            row["nll_oracle"] = self._evaluate("ss", self.ss_generator, epoch, values)
        return row

    def _pg_bleu_unit(self, unit: Unit, values: dict) -> dict:
        iteration = unit.step
        if iteration == 0:
            self.seqgan.log_line("PG-BLEU training...\n")
            # As SeqGAN's rollout network, built from the pre-trained generator.
            self.pg_bleu_rollout.copy_params_from(self.pg_bleu_generator)
        row: dict = {"phase": "pg_bleu", "step": iteration, "part": 0, "nll_oracle": None}
        row.update(self._pg_bleu().step(self.seqgan.rng))
        last = iteration + 1 == self.baselines.pg_bleu_iterations
        if iteration % self.schedule.adversarial_eval_every == 0 or last:
            row["nll_oracle"] = self._evaluate("pg_bleu", self.pg_bleu_generator, iteration, values)
        return row

    def _pg_bleu(self) -> PGBleuTrainer:
        if self._pg_bleu_trainer is None:  # the references are the data, read on resume
            self._pg_bleu_trainer = PGBleuTrainer(
                self.pg_bleu_generator,
                self.pg_bleu_rollout,
                BleuScorer(self._pg_bleu_references(), max_n=self.baselines.bleu_max_n),
                self.baselines.pg_bleu_rollout_num,
                self.config.batch_size,
            )
        return self._pg_bleu_trainer

    def _pg_bleu_references(self) -> np.ndarray:
        fraction = self.baselines.pg_bleu_reference_fraction
        return select_references(self.seqgan.real, fraction, self.seqgan.spec.seed)

    # ------------------------------------------------------------------ results
    def results(self, values: dict, wall_seconds: float) -> dict:
        results = self.seqgan.results(values, wall_seconds)
        results["mode"] = "table1"
        results["baselines"] = {
            "mle_baseline_epochs": self.baselines.mle_baseline_epochs,
            "ss_epochs": self.baselines.ss_epochs,
            "ss_final_true_input_prob": self.baselines.true_input_prob(
                max(0, self.baselines.ss_epochs - 1)
            ),
            "pg_bleu_mle_epochs": self.baselines.pg_bleu_mle_epochs,
            "pg_bleu_iterations": self.baselines.pg_bleu_iterations,
            "pg_bleu_rollout_num": self.baselines.pg_bleu_rollout_num,
            "ss_coin": self.baselines.ss_coin,
            "ss_graph_coin": graph_coin(self.seqgan.spec.seed),
            "pg_bleu_reference_fraction": self.baselines.pg_bleu_reference_fraction,
            "pg_bleu_rollout_update_rate": self.baselines.pg_bleu_rollout_update_rate,
        }
        methods = {"random": {"nll_final": values.get("random_nll")}}
        for key, _ in METHODS:
            methods[key] = {
                "nll_final": values.get(f"{key}_nll_final"),
                "nll_best": values.get(f"{key}_nll_best"),
                "step_final": values.get(f"{key}_step_final"),
                "step_best": values.get(f"{key}_step_best"),
            }
        results["methods"] = methods
        results["t_tests"] = self._t_tests()
        for method, nll in self._held_out_nll().items():
            methods[method]["nll_test"] = nll
        results["learning_curves"] = self._learning_curves()
        return results

    def _held_out_nll(self) -> dict[str, float]:
        """NLL_test: each final generator's mean per-token NLL of fresh oracle samples.

        NLL_oracle scores a generator's own samples, so a generator that collapses onto a
        few likely sequences scores well on it; NLL_test (the generator scoring the oracle's
        samples) rises when it no longer covers the data. The test set is drawn from a
        stream of its own (the run's stream is untouched), the same for every method.
        """
        rng = tf.random.Generator.from_seed(self.seqgan.spec.seed + HELD_OUT_SEED_OFFSET)
        test = tf.constant(self.seqgan.oracle.generate_many(self.schedule.num_samples, rng))
        generators = {
            "random": Generator(self.config, seed=self.seqgan.spec.seed, name="untrained"),
            "mle": self.mle_generator,
            "ss": self.ss_generator,
            "pg_bleu": self.pg_bleu_generator,
            "seqgan": self.seqgan.generator,
        }
        block = 1024
        nll = {}
        for method, generator in generators.items():
            total = 0.0
            for start in range(0, int(test.shape[0]), block):
                log_probs = generator.token_log_probs(test[start : start + block])
                total += float(tf.reduce_sum(tf.cast(log_probs, tf.float64)))
            nll[method] = -total / float(tf.size(test))
        return nll

    def _final_samples(self, method: str) -> str:
        return self.path("samples", "random.txt" if method == "random" else f"{method}_final.txt")

    def _t_tests(self) -> dict:
        """Welch's t-test of SeqGAN's final samples against each other method's, on the
        per-sequence NLL_oracle (the paper reports a t-test between SeqGAN and each
        baseline); None where a method was given no training (no final samples)."""
        per_sequence = {}
        for method in ("random", *(key for key, _ in METHODS)):
            path = self._final_samples(method)
            if os.path.exists(path):
                tokens = read_token_file(path, self.config.vocab_size, self.config.sequence_length)
                per_sequence[method] = self.seqgan.oracle.sequence_nll(tokens)
        tests: dict = {}
        for method in ("random", "mle", "ss", "pg_bleu"):
            if "seqgan" in per_sequence and method in per_sequence:
                test = welch_t_test(per_sequence["seqgan"], per_sequence[method])
                tests[method] = {k: float(v) for k, v in test.items()}
            else:
                tests[method] = None
        return tests

    def _learning_curves(self) -> str | None:
        """learning_curves.png from metrics.jsonl: NLL_oracle against epochs, adversarial
        iterations counted after the pre-training they start from (as the paper's Fig. 2)."""
        with open(self.path("metrics.jsonl")) as f:
            rows = [json.loads(line) for line in f]
        curves: dict[str, list[tuple[float, float]]] = {}
        offsets = {
            "mle": ("MLE", 1),
            "scheduled_sampling": ("Scheduled Sampling", 1),
            "pg_bleu": ("PG-BLEU", 1 + self.baselines.pg_bleu_mle_epochs),
            "adversarial": ("SeqGAN", 1 + self.schedule.mle_epochs),
        }
        for row in rows:
            if row.get("nll_oracle") is None or row["phase"] not in offsets:
                continue
            name, offset = offsets[row["phase"]]
            curves.setdefault(name, []).append((row["step"] + offset, row["nll_oracle"]))
        random_nll = next((r["nll_oracle"] for r in rows if r["phase"] == "oracle_samples"), None)
        return plot_learning_curves(curves, random_nll, self.path("learning_curves.png"))


def plot_learning_curves(
    curves: dict[str, list[tuple[float, float]]], random_nll: float | None, path: str
) -> str:
    """Writes the figure; returns its file name."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5))
    for name, points in curves.items():
        x, y = zip(*sorted(points), strict=True)
        axes.plot(x, y, marker="." if len(x) < 60 else None, label=name)
    if random_nll is not None:
        axes.axhline(random_nll, color="grey", linestyle=":", label="Random (untrained)")
    axes.set_xlabel("epochs (adversarial / PG iterations counted after pre-training)")
    axes.set_ylabel("NLL_oracle")
    axes.set_title("Learning curves on the oracle (cf. Yu et al. 2017, Fig. 2)")
    axes.legend()
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path.rsplit("/", 1)[-1]
