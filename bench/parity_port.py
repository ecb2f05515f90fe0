"""The port's side of a parity run, and the one scorer both programs' generators share.

The port runs the same short adversarial schedule as ``bench.original_runner`` from the
same start, through the models' public API: per iteration one generator step (a batch of
64, rewards from 16 rollouts per prefix, the policy-gradient update), the rollout update,
then ``dis_rounds`` rounds of the experiment's own discriminator round
(``train.train_discriminator_round``): 9,984 fresh negatives mixed with every line of the
training file, as the original's ``Dis_dataloader`` mixes them, shuffled, ``dis_epochs``
epochs. It writes the same files as the original's runner:
``generator_iter{i:03d}.pkl``, ``log.txt`` and ``result.json`` (last).
"""

from __future__ import annotations

import json
import os
import pathlib
import time

import numpy as np
import tensorflow as tf

from bench import parity_start, parity_weights
from bench.parity_progress import RESULT_FILE
from seqgan_tf import train
from seqgan_tf.config import ModelConfig
from seqgan_tf.data.token_files import read_token_file
from seqgan_tf.models.discriminator import Discriminator
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.oracle import Oracle
from seqgan_tf.models.rollout import Rollout
from seqgan_tf.schedule import Schedule

# One model holds every scored generator in turn (a new model per score would retrace).
_SCORED: dict[str, Generator] = {}
SCORES_FILE = "scores.json"


def checkpoint_name(iteration: int) -> str:
    return f"generator_iter{iteration:03d}.pkl"


class PortModels:
    """One generator, discriminator and rollout network reused by every seed of a process:
    each new Keras model would retrace and recompile its compiled calls (minutes per seed
    on a loaded machine). Each seed reloads the start's weights and zeroes the optimisers'
    moments and step counters, which is the state of freshly built models."""

    def __init__(self, rollout_update_rate: float) -> None:
        self.config = ModelConfig()
        self.generator = Generator(self.config, seed=0)
        self.discriminator = Discriminator(self.config, seed=0)
        self.rollout = Rollout(self.generator, update_rate=rollout_update_rate)

    def load_start(self, start_dir: pathlib.Path) -> None:
        parity_weights.load_generator(start_dir / parity_start.GENERATOR_FILE, self.generator)
        parity_weights.load_discriminator(
            start_dir / parity_start.DISCRIMINATOR_FILE, self.discriminator
        )
        self.rollout.copy_params_from(self.generator)
        for optimizer in (
            self.generator.pretrain_optimizer,
            self.generator.adversarial_optimizer,
            self.discriminator.train_optimizer,
        ):
            reset_optimizer(optimizer)


def reset_optimizer(optimizer) -> None:
    """Zeroes an Adam's step counter and moments (Keras' Adam or the port's TF1Adam),
    keeping its learning rate."""
    if hasattr(optimizer, "momentums"):  # kernels.TF1Adam
        variables = [optimizer.iterations, *optimizer.momentums, *optimizer.velocities]
    else:
        variables = [v for v in optimizer.variables if v.name != "learning_rate"]
    for variable in variables:
        variable.assign(tf.zeros_like(variable))


def run_port_seed(
    models: PortModels,
    start_dir: pathlib.Path,
    real_path: pathlib.Path,
    out_dir: pathlib.Path,
    seed: int,
    iterations: int,
    dis_rounds: int,
    dis_epochs: int,
    export_every: int,
) -> dict:
    """One seed of the port from the common start; returns its result record."""
    out_dir.mkdir(parents=True, exist_ok=True)
    models.load_start(start_dir)
    config = models.config
    generator, discriminator, rollout = models.generator, models.discriminator, models.rollout
    # The original's Dis_dataloader reads every line of the training file as a positive.
    positives = read_token_file(real_path, config.vocab_size, config.sequence_length)
    negatives = Schedule().dis_samples  # the original's 10,000 // 64 batches of 64
    rng = tf.random.Generator.from_seed(seed)
    length = config.sequence_length
    times = {"generator_step_s": [], "discriminator_round_s": [], "iteration_s": []}
    with open(out_dir / "log.txt", "w") as log:
        wall = time.perf_counter()
        for iteration in range(1, iterations + 1):
            start = time.perf_counter()
            samples = generator.generate(config.batch_size, rng.make_seeds(length))
            rewards = rollout.get_reward(
                samples, config.rollout_num, discriminator, rng.make_seeds(length)
            )
            generator.adversarial_step(samples, rewards)
            times["generator_step_s"].append(time.perf_counter() - start)
            rollout.update_params(generator)
            for _ in range(dis_rounds):
                round_start = time.perf_counter()
                shuffle_seed = int(rng.uniform([], 0, 2**31 - 1, dtype=tf.int64))
                train.train_discriminator_round(
                    discriminator, generator, positives, negatives, dis_epochs, rng, shuffle_seed
                )
                times["discriminator_round_s"].append(time.perf_counter() - round_start)
            times["iteration_s"].append(time.perf_counter() - start)
            log.write(
                f"iteration {iteration}: mean reward {float(tf.reduce_mean(rewards)):.4f}, "
                f"{times['iteration_s'][-1]:.1f} s (generator step "
                f"{times['generator_step_s'][-1]:.1f} s)\n"
            )
            log.flush()
            if iteration % export_every == 0 or iteration == iterations:
                parity_weights.save_generator(out_dir / checkpoint_name(iteration), generator)
        result = {
            "program": "port",
            "seed": seed,
            "iterations": iterations,
            "rollout_update_rate": rollout.update_rate,
            "wall_s": time.perf_counter() - wall,
            "times": times,
            "tensorflow": tf.__version__,
        }
    write_json(out_dir / RESULT_FILE, result)
    return result


def write_json(path: pathlib.Path, record: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(record, indent=2))
    os.replace(tmp, path)


def scored_generator(path: pathlib.Path) -> Generator:
    """The one scoring model, now holding the generator pickled at ``path``."""
    generator = _SCORED.setdefault("generator", Generator(ModelConfig(), seed=0))
    parity_weights.load_generator(path, generator)
    return generator


def score_generator(oracle: Oracle, path: pathlib.Path, num_samples: int, seed: int) -> float:
    """NLL_oracle of ``num_samples`` fresh samples of the generator pickled at ``path``,
    drawn and scored by the port (the one scorer of every generator in the comparison)."""
    generator = scored_generator(path)
    nll, _ = oracle.nll_of_samples(generator, num_samples, tf.random.Generator.from_seed(seed))
    return nll


def score_run(
    oracle: Oracle,
    out_dir: pathlib.Path,
    iterations: int,
    export_every: int,
    final_samples: int,
    curve_samples: int,
    seed: int,
) -> dict:
    """Scores of a finished run's checkpoints: the last on ``final_samples`` fresh samples,
    the others on ``curve_samples``; cached in ``scores.json``."""
    path = out_dir / SCORES_FILE
    if path.exists():
        return json.loads(path.read_text())
    points = sorted({i for i in range(export_every, iterations + 1, export_every)} | {iterations})
    curve = {}
    for index, iteration in enumerate(points):
        samples = final_samples if iteration == iterations else curve_samples
        curve[iteration] = score_generator(
            oracle, out_dir / checkpoint_name(iteration), samples, 1_000_003 * seed + index
        )
    scores = {
        "final_nll": curve[iterations],
        "final_samples": final_samples,
        "curve_samples": curve_samples,
        "curve": {str(i): v for i, v in curve.items()},
    }
    write_json(path, scores)
    return scores


def mean_or_nan(values: list[float]) -> float:
    return float(np.mean(values)) if values else float("nan")


def run_port_mle(
    start_dir: pathlib.Path,
    real_path: pathlib.Path,
    out_dir: pathlib.Path,
    epochs: int,
    export_every: int,
) -> dict:
    """The port's MLE from the start's initial weights, ``epochs`` epochs in file order
    (no randomness: the same weights and data give the same updates in both programs)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    config = ModelConfig()
    real = parity_start.read_real(real_path, config.batch_size)
    batches = tf.constant(real.reshape(-1, config.batch_size, config.sequence_length))
    generator = Generator(config, seed=0)
    parity_weights.load_generator(start_dir / parity_start.INITIAL_GENERATOR_FILE, generator)
    times, cpu_times = [], []
    wall = time.perf_counter()
    with open(out_dir / "log.txt", "w") as log:
        for epoch in range(1, epochs + 1):
            start, cpu_start = time.perf_counter(), time.process_time()
            loss = float(generator.pretrain_epoch(batches))
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu_start)
            log.write(f"MLE epoch {epoch}: loss {loss:.5f}, {times[-1]:.1f} s\n")
            log.flush()
            if epoch % export_every == 0 or epoch == epochs:
                name = f"generator_epoch{epoch:03d}.pkl"
                parity_weights.save_generator(out_dir / name, generator)
    # CPU seconds (all threads) beside the wall seconds: on a shared machine the wall
    # measures the load, the CPU the program.
    result = {"program": "port", "times": {"mle_epoch_s": times, "mle_epoch_cpu_s": cpu_times}}
    result["wall_s"] = time.perf_counter() - wall
    write_json(out_dir / RESULT_FILE, result)
    return result
