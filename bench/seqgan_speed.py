"""Times the units of the SeqGAN oracle schedule against the original TF1 code.

Usage::

    python -m bench.seqgan_speed --repeats=3 --json=/tmp/seqgan_speed.json

Units (full-size models: vocab 5000, embedding 32, hidden 32, length 20, batch 64;
discriminator with 12 windows / 1,720 filters and a highway layer):

- ``mle_epoch_s``: one MLE epoch, 156 steps of batch 64 (``Generator.pretrain_epoch``).
- ``nll_eval_s``: one NLL_oracle evaluation: sample 9,984 sequences from the generator
  and score them with the oracle.
- ``dis_epoch_s``: one discriminator epoch, 312 steps of 64 (a ``train_round`` of one
  epoch on 9,984 real + 9,984 generated sequences, shuffle and input pipeline included).
- ``reward_s``: one reward matrix, 16 x 19 rollouts of a batch of 64 scored by D.
- ``adversarial_iteration_s``: one generator step (sample 64, reward, update) + rollout
  update + 5 discriminator rounds (each: sample 9,984, mix with 9,984 real, 3 epochs).
  A round takes minutes, so by default this is the SUM of separately timed parts
  (``gen_step_s + rollout_update_s + 5 * (sample_9984_s + 3 * dis_epoch_s)``);
  ``--full_adversarial`` times whole iterations instead.
- ``ss_epoch_s``: one scheduled-sampling epoch, 156 steps of batch 64
  (``ScheduledSamplingTrainer.train_epoch``, true-input probability 0.7, one coin per token;
  the sampling pass runs whatever the probability).
- ``pg_bleu_step_s``: one PG-BLEU iteration of ``--mode=table1`` without its evaluation: a
  policy-gradient step (sample 64, rewards by BLEU-3 of one rollout per prefix against the
  9,984 real sequences, update) and the rollout's update.

``--mode=table1``'s projection takes the last two as ratios to ``mle_epoch_s`` and
``gen_step_s`` (``seqgan_tf/training/projection.py``), which the bench prints when it has
timed both.

The module runs past 300 lines: every unit is built and timed in one ``main``, so that
what each figure times reads in one place, and it holds the timing and machine helpers the
other SeqGAN benches import.

Each unit runs once as a warm-up (its time, tracing/compilation included, is reported as
``<unit>_first_call_s``), then ``--repeats`` times; the median is reported. Process CPU
time (all threads) is recorded beside wall time, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import time
from collections.abc import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from seqgan_tf import train  # noqa: E402
from seqgan_tf.config import ModelConfig  # noqa: E402
from seqgan_tf.data import published as data_paths  # noqa: E402
from seqgan_tf.data.token_files import read_token_file  # noqa: E402
from seqgan_tf.metrics.bleu import BleuScorer  # noqa: E402
from seqgan_tf.models.discriminator import Discriminator  # noqa: E402
from seqgan_tf.models.generator import Generator  # noqa: E402
from seqgan_tf.models.oracle import Oracle  # noqa: E402
from seqgan_tf.models.rollout import Rollout  # noqa: E402
from seqgan_tf.schedule import BASELINE_PRESETS, BaselineSchedule, preset_schedule  # noqa: E402
from seqgan_tf.training import projection  # noqa: E402
from seqgan_tf.training.pg_bleu import PGBleuReward  # noqa: E402
from seqgan_tf.training.scheduled_sampling import ScheduledSamplingTrainer  # noqa: E402

# The original TF1 code run under TF 2.21's compat mode on this CPU (from the issue),
# median of 3, seconds.
ORIGINAL_S = {
    "mle_epoch_s": 13.0,
    "nll_eval_s": 10.0,
    "dis_epoch_s": 30.0,
    "reward_s": 13.7,
}
TARGET_SPEEDUP = {"mle_epoch_s": 4.0, "nll_eval_s": 3.0, "dis_epoch_s": 1.5, "reward_s": 2.0}

NUM_SAMPLES = 9_984  # 156 x 64: the experiment's generated and real set size
DIS_ROUNDS_PER_ITERATION = 5
DIS_EPOCHS_PER_ROUND = 3
# Scheduled sampling's true-input probability for ss_epoch_s: mid-way along the paper-era
# schedule (1.0 falling to 0.4); the epoch's work does not depend on it.
SS_TRUE_INPUT_PROB = 0.7


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor() or "unknown"
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def steal_seconds() -> float | None:
    """CPU time the hypervisor gave to other guests since boot (/proc/stat "steal"), or
    None where there is no such counter: on a shared host it shows how much of a timed
    run the machine was not ours."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def machine_record(load_before: tuple[float, float, float]) -> dict:
    """The machine a bench ran on, for its JSON: CPU, core count, the load average before
    the bench and now (a shared machine makes its seconds longer), TensorFlow's version."""
    return {
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "tensorflow": tf.__version__,
    }


def bench_command(module: str, args: argparse.Namespace) -> str:
    """The command line that repeats a bench run, for its JSON."""
    return f"python -m {module} " + " ".join(f"--{k}={v}" for k, v in vars(args).items())


def write_report(path: str | None, report: dict) -> None:
    """``report`` as JSON at ``path`` (nothing when no path was given)."""
    if path:
        with open(path, "w") as f:
            json.dump(report, f, indent=2, default=float)
        print(f"wrote {path}")


def time_unit(fn: Callable[[], object], repeats: int) -> dict[str, float]:
    """Warm-up call, then ``repeats`` timed calls; medians of wall and process CPU time."""
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    walls, cpus, faults = [], [], []
    steal_before = steal_seconds()
    for _ in range(repeats):
        faults0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        cpu0, wall0 = time.process_time(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - wall0)
        cpus.append(time.process_time() - cpu0)
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults0)
    steal_after = steal_seconds()
    return {
        "median_s": statistics.median(walls),
        "min_s": min(walls),
        "cpu_median_s": statistics.median(cpus),
        "page_faults_median": statistics.median(faults),
        "steal_s": None if steal_before is None else steal_after - steal_before,
        "first_call_s": first,
        "runs_s": walls,
    }


def pg_bleu_iteration(
    config: ModelConfig, real: np.ndarray, rng: tf.random.Generator, seed: int
) -> Callable[[], None]:
    """One PG-BLEU iteration as ``--mode=table1`` runs it, its evaluation aside: its own
    generator and rollout, BLEU against ``real`` at the default baselines' settings."""
    baselines = BaselineSchedule()
    generator = Generator(config, seed=seed, name="pg_bleu_generator")
    rollout = Rollout(generator, baselines.pg_bleu_rollout_update_rate, name="pg_bleu_rollout")
    bleu = PGBleuReward(
        rollout, BleuScorer(real, max_n=baselines.bleu_max_n), baselines.pg_bleu_rollout_num
    )

    def iteration() -> None:
        train.policy_gradient_step(generator, bleu.reward, rng)
        rollout.update_params(generator)

    return iteration


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per unit (median)")
    parser.add_argument("--json", default=None, help="write the figures to this JSON file")
    parser.add_argument(
        "--units",
        default="mle,nll,dis,reward,adversarial",
        help="comma-separated subset of mle,nll,dis,reward,adversarial,ss,pg_bleu",
    )
    parser.add_argument(
        "--full_adversarial",
        action="store_true",
        help="time whole adversarial iterations instead of summing their parts",
    )
    parser.add_argument("--seed", type=int, default=88)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    units = {u.strip() for u in args.units.split(",") if u.strip()}
    config = ModelConfig()
    batch, length = config.batch_size, config.sequence_length
    load_before = load_average()

    oracle_path = data_paths.local_copy(data_paths.ORACLE_PARAMS)
    oracle = Oracle.from_file(oracle_path) if oracle_path else Oracle.from_seed(args.seed)
    generator = Generator(config, seed=args.seed)
    discriminator = Discriminator(config, seed=args.seed)
    rollout = Rollout(generator, update_rate=config.rollout_update_rate)
    rng = tf.random.Generator.from_seed(args.seed)

    real_path = data_paths.local_copy(data_paths.REAL_DATA)
    if real_path:
        real = np.asarray(read_token_file(real_path), np.int32)[:NUM_SAMPLES]
    else:
        real = oracle.generate_many(NUM_SAMPLES, rng)
    mle_batches = tf.constant(real.reshape(-1, batch, length))
    fake = generator.generate_many(NUM_SAMPLES, rng)

    results: dict[str, dict[str, float]] = {}

    def run(name: str, fn: Callable[[], object]) -> None:
        results[name] = time_unit(fn, args.repeats)
        r = results[name]
        print(
            f"  {name:<24} median {r['median_s']:8.3f} s   (cpu {r['cpu_median_s']:7.2f} s, "
            f"first call {r['first_call_s']:7.2f} s, {r['page_faults_median']:,.0f} page faults, "
            f"steal {r['steal_s'] or 0.0:.1f} s over the timed runs)",
            flush=True,
        )

    print(f"timing on {cpu_model()}, {os.cpu_count()} CPUs, load {load_before}", flush=True)
    # The baselines' units are timed right after the units they are ratios of
    # (projection.py), so that the host's drift touches both alike.
    if "mle" in units:
        run("mle_epoch_s", lambda: float(generator.pretrain_epoch(mle_batches)))
    if "ss" in units:
        # Its own generator, as in --mode=table1.
        ss_trainer = ScheduledSamplingTrainer(Generator(config, seed=args.seed, name="ss"))
        run(
            "ss_epoch_s",
            lambda: ss_trainer.train_epoch(
                mle_batches, SS_TRUE_INPUT_PROB, rng.make_seeds(1)[:, 0]
            ),
        )
    if "nll" in units:
        run("nll_eval_s", lambda: oracle.nll_of_samples(generator, NUM_SAMPLES, rng))
    if "dis" in units or "adversarial" in units:
        run(
            "dis_epoch_s",
            lambda: discriminator.train_round(real, fake, epochs=1, shuffle_seed=0),
        )
    samples64 = generator.generate(batch, rng.make_seeds(length))
    if "reward" in units or "adversarial" in units:
        run(
            "reward_s",
            lambda: rollout.get_reward(
                samples64, config.rollout_num, discriminator, rng.make_seeds(length)
            ).numpy(),
        )
    if "adversarial" in units:

        def generator_step() -> None:
            samples = generator.generate(batch, rng.make_seeds(length))
            rewards = rollout.get_reward(
                samples, config.rollout_num, discriminator, rng.make_seeds(length)
            )
            float(generator.adversarial_step(samples, rewards))

        def discriminator_round() -> None:
            generated = generator.generate_many(NUM_SAMPLES, rng)
            shuffle_seed = int(rng.uniform([], 0, 2**31 - 1, dtype=tf.int64))
            discriminator.train_round(
                real, generated, epochs=DIS_EPOCHS_PER_ROUND, shuffle_seed=shuffle_seed
            )

        run("gen_step_s", generator_step)
        if "pg_bleu" in units:
            run("pg_bleu_step_s", pg_bleu_iteration(config, real, rng, args.seed))
        run("rollout_update_s", lambda: rollout.update_params(generator))
        run("sample_9984_s", lambda: generator.generate_many(NUM_SAMPLES, rng))
        if args.full_adversarial:

            def iteration() -> None:
                generator_step()
                rollout.update_params(generator)
                for _ in range(DIS_ROUNDS_PER_ITERATION):
                    discriminator_round()

            run("adversarial_iteration_s", iteration)
        else:
            parts = (
                results["gen_step_s"]["median_s"]
                + results["rollout_update_s"]["median_s"]
                + DIS_ROUNDS_PER_ITERATION
                * (
                    results["sample_9984_s"]["median_s"]
                    + DIS_EPOCHS_PER_ROUND * results["dis_epoch_s"]["median_s"]
                )
            )
            results["adversarial_iteration_s"] = {"median_s": parts, "summed_from_parts": True}
            print(f"  {'adversarial_iteration_s':<24} {parts:8.3f} s (sum of parts)", flush=True)
    if "pg_bleu" in units and "pg_bleu_step_s" not in results:
        run("pg_bleu_step_s", pg_bleu_iteration(config, real, rng, args.seed))

    ratios = {
        "ss_epoch_per_mle_epoch": ("ss_epoch_s", "mle_epoch_s"),
        "pg_bleu_step_per_gen_step": ("pg_bleu_step_s", "gen_step_s"),
    }
    measured_ratios = {
        name: results[unit]["median_s"] / results[base]["median_s"]
        for name, (unit, base) in ratios.items()
        if unit in results and base in results
    }

    load_after = load_average()
    print()
    print(f"{'unit':<26}{'ours (s)':>10}{'original (s)':>14}{'speed-up':>10}{'target':>8}")
    for name, r in results.items():
        original = ORIGINAL_S.get(name)
        if original is None:
            print(f"{name:<26}{r['median_s']:>10.3f}")
            continue
        ratio = original / r["median_s"]
        target = TARGET_SPEEDUP[name]
        verdict = "met" if ratio >= target else "NOT met"
        print(
            f"{name:<26}{r['median_s']:>10.3f}{original:>14.1f}{ratio:>9.2f}x"
            f"{target:>7.1f}x  {verdict}"
        )
    print(f"load average before {load_before}, after {load_after}")
    report = {name: r["median_s"] for name, r in results.items()}
    try:
        costs = projection.UnitCosts.from_bench(report)
    except ValueError as missing:
        print(f"no projection: {missing}")
    else:
        print("\nprojected wall time of each preset on this machine, from the units above:")
        for preset in ("quick", "original", "paper"):
            schedule = preset_schedule(preset)
            print(f"  {preset:<9} {projection.describe(schedule, costs)}")
        print("and of --mode=table1 (baselines' units measured, or from the stored ratios):")
        for preset in ("quick", "cpu", "paper"):
            baselines = BaselineSchedule(**BASELINE_PRESETS[preset])
            described = projection.describe_table1(preset_schedule(preset), baselines, costs)
            print(f"  {preset:<9} {described}")
    for name, (unit, base) in ratios.items():
        if name in measured_ratios:
            cpu = results[unit]["cpu_median_s"] / results[base]["cpu_median_s"]
            print(f"{name}: {measured_ratios[name]:.3f} (of CPU times: {cpu:.3f})")
    report.update(measured_ratios)

    report["details"] = results
    report["original_s"] = ORIGINAL_S
    report["machine"] = {**machine_record(load_before), "load_average_after": load_after}
    report["command"] = bench_command("bench.seqgan_speed", args)
    write_report(args.json, report)
    return report


if __name__ == "__main__":
    main()
