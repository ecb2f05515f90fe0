"""The paper's Table 1 in one resumable run: Random, MLE, Scheduled Sampling, PG-BLEU and
SeqGAN trained on one oracle and one data file, with the same evaluation
(``--mode=table1`` calls :func:`table1_experiment`).

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
4. PG-BLEU's policy-gradient iterations (:func:`seqgan_tf.train.adversarial_training`
   with BLEU as the reward);
5. SeqGAN's discriminator pre-training and adversarial iterations, as in ``--mode=oracle``;
6. (``rescore_samples`` > 0) the rescoring: each trained method's final and best
   generators, and Random's untrained one, scored on ``rescore_samples`` fresh samples
   with the standard error, as ``--mode=oracle`` scores its reported generators. It runs
   last, so that every earlier draw of the run's stream is the same with or without it.

NLL_oracle is measured on the same rule in every method (every ``mle_eval_every``
epochs, every ``adversarial_eval_every`` iterations, and after the last), each time on
``eval_samples`` fresh samples; the final evaluation's samples of each method are kept
and their per-sequence NLL_oracle gives a Welch t-test of SeqGAN against each baseline.
Each method's best evaluation keeps its generator (:func:`best_generator_file`), for the
rescoring: a best value chosen on the samples it is reported from is optimistic.

The module runs past 300 lines: it is five methods' loop and their comparison (NLL_test,
t-tests, fresh scores, learning curves), which read best in one place.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import random

import numpy as np
import tensorflow as tf
from absl import logging

from seqgan_tf import train
from seqgan_tf.config import ModelConfig
from seqgan_tf.data.token_files import read_token_file, write_token_file
from seqgan_tf.experiments.oracle import (
    ExperimentSpec,
    OracleExperiment,
    Unit,
    record_evaluation,
    start_oracle_run,
)
from seqgan_tf.metrics.bleu import BleuScorer
from seqgan_tf.metrics.significance import welch_t_test
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.oracle import save_params
from seqgan_tf.models.rollout import Rollout
from seqgan_tf.reporting import results as results_lib
from seqgan_tf.reporting.curves import plot_learning_curves
from seqgan_tf.reporting.table1_curves import method_curves
from seqgan_tf.reporting.table1_runs import final_samples_file
from seqgan_tf.schedule import BaselineSchedule, Schedule, check_table1_schedules, graph_coin
from seqgan_tf.training import projection
from seqgan_tf.training.metrics_log import metrics_rows
from seqgan_tf.training.pg_bleu import PGBleuReward
from seqgan_tf.training.runner import Run
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


def best_generator_file(method: str) -> str:
    """The workdir's file of ``method``'s best-evaluated generator (SeqGAN's is
    ``best_generator.pkl``, as in ``--mode=oracle``)."""
    return "best_generator.pkl" if method == "seqgan" else f"{method}_best_generator.pkl"


def table1_experiment(
    workdir: str,
    config: ModelConfig,
    schedule: Schedule,
    baselines: BaselineSchedule,
    preset: str,
    oracle_params: str | None,
    real_data: str | None,
    seed: int,
    strategy_name: str = "default",
    progress_interval: float = 10.0,
) -> dict:
    """Runs or resumes the whole of Table 1 (``--mode=table1``) in ``workdir``; returns
    results.json's content."""
    spec = ExperimentSpec(config, schedule, seed, preset, oracle_params, real_data, baselines)
    strategy = start_oracle_run("table1", spec, strategy_name)
    logging.info("Table 1 in %s: preset %s, %s, %s", workdir, preset, schedule, baselines)
    return Table1Experiment(
        workdir, spec, progress_interval=progress_interval, strategy=strategy
    ).run()


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
    """The plan of :meth:`Table1Experiment.train`."""
    units = (
        [Unit("oracle_samples")]
        + [Unit("mle", epoch) for epoch in range(baselines.mle_baseline_epochs)]
        + [Unit("scheduled_sampling", epoch) for epoch in range(baselines.ss_epochs)]
        + train.adversarial_units("pg_bleu", baselines.pg_bleu_iterations, 0)
        + train.seqgan_units(dataclasses.replace(schedule, mle_epochs=0))
    )
    if schedule.rescore_samples:
        units.append(Unit("rescore"))
    return units


class Table1Experiment(OracleExperiment):
    """Runs (or resumes) the five methods of Table 1 in ``workdir``: the oracle
    experiment (its models, data and hooks) with the baselines' generators beside SeqGAN's."""

    def __init__(self, workdir: str, spec: ExperimentSpec, **kwargs) -> None:
        if spec.baselines is None:
            raise ValueError("Table1Experiment needs ExperimentSpec.baselines")
        check_table1_schedules(spec.schedule, spec.baselines)
        super().__init__(workdir, spec, **kwargs)
        self.baselines = spec.baselines
        with self.strategy.scope():
            # The same initial weights as SeqGAN's generator (same seed).
            self.mle_generator = Generator(self.config, seed=spec.seed, name="mle_generator")
            self.ss_generator = Generator(self.config, seed=spec.seed, name="ss_generator")
            pg_bleu_generator = Generator(self.config, seed=spec.seed, name="pg_bleu_generator")
            self.pg_bleu = train.Models(
                generator=pg_bleu_generator,
                discriminator=self.models.discriminator,  # unused: BLEU is the reward
                rollout=Rollout(
                    pg_bleu_generator,
                    self.baselines.pg_bleu_rollout_update_rate,
                    name="pg_bleu_rollout",
                ),
                rng=self.rng,
                seed=spec.seed,
            )
        self.ss_generator_trainer = ScheduledSamplingTrainer(self.ss_generator)

    @staticmethod
    def plan(spec: ExperimentSpec) -> list[Unit]:
        return table1_units(spec.schedule, spec.baselines)

    @functools.cached_property
    def projected_unit_seconds(self) -> dict[tuple[str, bool], float]:
        """Every method's units as projected (the progress lines' ETA before they run)."""
        return projection.table1_unit_seconds(
            self.schedule, self.baselines, projection.REFERENCE_COSTS
        )

    # ------------------------------------------------------------------ the Task
    def checkpoint_objects(self) -> dict:
        objects = super().checkpoint_objects()
        generators = {
            "mle": self.mle_generator,
            "ss": self.ss_generator,
            "pg_bleu": self.pg_bleu.generator,
        }
        for name, generator in generators.items():
            objects[f"{name}_generator"] = generator
            objects[f"{name}_generator_pretrain_optimizer"] = generator.pretrain_optimizer
            objects[f"{name}_generator_adversarial_optimizer"] = generator.adversarial_optimizer
        objects["pg_bleu_rollout"] = self.pg_bleu.rollout
        return objects

    def position(self, unit: Unit, steps: int) -> str:
        if unit.phase == "scheduled_sampling":
            return f"epoch {unit.step + 1}/{steps}"
        if unit.phase == "pg_bleu":
            return f"iteration {unit.step + 1}/{steps}"
        return super().position(unit, steps)

    def table(self, results: dict) -> str:
        return results_lib.table1_table(results)

    # ------------------------------------------------------------------ the loop
    def train(self, run: Run) -> None:
        """The data; the MLE baseline (whose epochs are SeqGAN's and PG-BLEU's pre-training);
        scheduled sampling; PG-BLEU; SeqGAN from its discriminator pre-training on; the
        rescoring."""
        schedule, baselines = self.schedule, self.baselines
        self.training_data(run)
        batches = train.mle_batches(self.real, self.config.batch_size)
        branches = (schedule.mle_epochs - 1, baselines.pg_bleu_mle_epochs - 1)

        for epoch in run.steps("mle", baselines.mle_baseline_epochs):
            if epoch == 0:
                self.log_line("MLE baseline (also SeqGAN's and PG-BLEU's pre-training)...\n")
            run.record(mle_loss=float(self.mle_generator.pretrain_epoch(batches)))
            every, epochs = schedule.mle_eval_every, baselines.mle_baseline_epochs
            if train.evaluated(epoch, every, epochs, also=branches):
                self._evaluate(run, "mle", self.mle_generator, epoch)
            if epoch == branches[0]:
                self.generator.copy_params_from(self.mle_generator)
                run.values["mle_nll"] = run.row["nll_oracle"]  # SeqGAN's starting point
                save_params(self.path("mle_generator.pkl"), self.mle_generator.export_params())
            if epoch == branches[1]:
                self.pg_bleu.generator.copy_params_from(self.mle_generator)

        for epoch in run.steps("scheduled_sampling", baselines.ss_epochs):
            if epoch == 0:
                self.log_line("scheduled sampling...\n")
            prob = baselines.feed_prob(epoch, self.spec.seed)
            run.record(true_input_prob=prob)
            run.record(
                ss_loss=self.ss_generator_trainer.train_epoch(
                    batches, prob, self.rng.make_seeds(1)[:, 0]
                )
            )
            if train.evaluated(epoch, schedule.mle_eval_every, baselines.ss_epochs):
                self._evaluate(run, "ss", self.ss_generator, epoch)

        train.adversarial_training(
            run,
            "pg_bleu",
            self.pg_bleu,
            self._bleu_reward(),
            iterations=baselines.pg_bleu_iterations,
            generator_steps=1,
            eval_every=schedule.adversarial_eval_every,
            hooks=_PGBleuHooks(self),
        )
        # SeqGAN's MLE pre-training is the MLE baseline's first mle_epochs epochs, copied
        # into its generator above: Algorithm 1 from the discriminator's pre-training on.
        pretrained = dataclasses.replace(schedule, mle_epochs=0)
        train.seqgan(run, self.models, self.real, pretrained, hooks=self)
        if schedule.rescore_samples:
            for _ in run.unit("rescore"):
                run.record(rescored=self.rescore(run))

    def _evaluate(self, run: Run, method: str, generator: Generator, step: int) -> None:
        """NLL_oracle of ``generator``; logs the original's line, keeps final and best."""
        nll, samples = self.evaluate(generator)
        self.log_line(f"epoch:\t{step}\tnll:\t{nll:g}\n")
        if record_evaluation(run.values, method, step, nll):
            save_params(self.path(best_generator_file(method)), generator.export_params())
        write_token_file(self._final_samples(method), samples)
        run.record(nll_oracle=nll)

    def _bleu_reward(self) -> train.Reward:
        """PG-BLEU's reward: BLEU of the rollout's completions against the references (the
        training data, or the share of it the paper-era script kept)."""
        references = select_references(
            self.real, self.baselines.pg_bleu_reference_fraction, self.spec.seed
        )
        bleu = PGBleuReward(
            self.pg_bleu.rollout,
            BleuScorer(references, max_n=self.baselines.bleu_max_n),
            self.baselines.pg_bleu_rollout_num,
        )
        return bleu.reward

    def rescore(self, run: Run) -> dict:
        """NLL_oracle and its standard error on ``rescore_samples`` fresh samples of
        Random's untrained generator and of each trained method's final and best
        generators, in Table 1's order (``{method}_final``, ``{method}_best``)."""
        finals = {
            "random": Generator(self.config, seed=self.spec.seed, name="untrained"),
            "mle": self.mle_generator,
            "ss": self.ss_generator,
            "pg_bleu": self.pg_bleu.generator,
            "seqgan": self.generator,
        }
        reported: dict[str, Generator | str] = {}
        for method, final in finals.items():
            if method != "random" and run.values.get(f"{method}_nll_final") is None:
                continue  # given no training: never evaluated
            reported[f"{method}_final"] = final
            if method != "random":
                # absent for a run begun before best generators were kept
                reported[f"{method}_best"] = self.path(best_generator_file(method))
        rescored = self.score_afresh(reported)
        run.values["rescored"] = rescored
        return rescored

    # ------------------------------------------------------------------ results
    def results(self, values: dict, wall_seconds: float) -> dict:
        results = super().results(values, wall_seconds)
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
            "ss_graph_coin": graph_coin(self.spec.seed),
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
        """NLL_test: each final generator's mean per-token NLL of fresh oracle samples (the
        mean of its per-sequence NLLs: every sequence has T tokens).

        NLL_oracle scores a generator's own samples, so a generator that collapses onto a
        few likely sequences scores well on it; NLL_test (the generator scoring the oracle's
        samples) rises when it no longer covers the data. The test set is drawn from a
        stream of its own (the run's stream is untouched), the same for every method.
        """
        rng = tf.random.Generator.from_seed(self.spec.seed + HELD_OUT_SEED_OFFSET)
        test = self.oracle.generate_many(self.schedule.eval_samples, rng)
        generators = {
            "random": Generator(self.config, seed=self.spec.seed, name="untrained"),
            "mle": self.mle_generator,
            "ss": self.ss_generator,
            "pg_bleu": self.pg_bleu.generator,
            "seqgan": self.generator,
        }
        return {
            method: float(np.mean(generator.sequence_nll(test)))
            for method, generator in generators.items()
        }

    def _final_samples(self, method: str) -> str:
        return self.path("samples", final_samples_file(method))

    def _t_tests(self) -> dict:
        """Welch's t-test of SeqGAN's final samples against each other method's, on the
        per-sequence NLL_oracle (the paper reports a t-test between SeqGAN and each
        baseline); None where a method was given no training (no final samples)."""
        per_sequence = {}
        for method in ("random", *(key for key, _ in METHODS)):
            path = self._final_samples(method)
            if os.path.exists(path):
                tokens = read_token_file(path, self.config.vocab_size, self.config.sequence_length)
                per_sequence[method] = self.oracle.sequence_nll(tokens)
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
        curves, random_nll = method_curves(
            metrics_rows(self.workdir), self.schedule.mle_epochs, self.baselines.pg_bleu_mle_epochs
        )
        return plot_learning_curves(curves, random_nll, self.path("learning_curves.png"))


class _PGBleuHooks:
    """PG-BLEU's evaluations: NLL_oracle on the same rule as SeqGAN's."""

    def __init__(self, experiment: Table1Experiment) -> None:
        self.experiment = experiment

    def phase_started(self, run: Run, phase: str) -> None:
        self.experiment.log_line("PG-BLEU training...\n")

    def evaluate_step(self, run: Run, phase: str, step: int) -> None:
        experiment = self.experiment
        experiment._evaluate(run, "pg_bleu", experiment.pg_bleu.generator, step)
