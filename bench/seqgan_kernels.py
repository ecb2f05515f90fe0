"""Times SeqGAN's units on both kernel paths, ``--kernels=fast`` against ``reference``.

Usage::

    nice -n 19 python -m bench.seqgan_kernels --repeats=5 --json=/tmp/kernels.json

Both paths' models are built in one process at the original's shapes (vocab 5000,
embedding 32, hidden 32, length 20, batch 64; the discriminator's 12 windows and 1,720
filters), from the same seed, and each unit is timed on them in turn: fast, reference in
one repeat, reference, fast in the next, so that load from other processes on a shared
machine falls on both alike. The units, as ``bench.seqgan_speed`` times them:

- ``mle_epoch_s``: one MLE epoch, 156 steps of batch 64;
- ``nll_eval_s``: sample 9,984 sequences from the generator and score them by the oracle;
- ``dis_epoch_s``: one discriminator epoch, 312 steps of 64 (a one-epoch ``train_round``);
- ``reward_s``: one reward matrix, 16 x 19 rollouts of a batch of 64 scored by D;
- ``sample_9984_s``: the 9,984 samples of one discriminator round;
- ``gen_step_s``: one policy-gradient step (sample 64, reward, update).

Each unit runs once per path first (tracing and XLA compilation; reported as
``first_call_s``, not in the medians). For each unit the report gives each path's median,
the ratio of the medians (reference / fast: how many times faster ``fast`` is) and the
median of the per-repeat ratios (each from two timings taken back to back); and for each
preset the projected wall time on each path from the units' medians
(``seqgan_tf.training.projection``: the ``original`` schedule is 1,050 discriminator rounds
of 3 epochs, 200 generator steps and 50 MLE epochs).

The same ratios are given for process CPU time (all threads), which another process's
load disturbs less than wall time. On a shared machine read the ratios, not the seconds.
The JSON report is rewritten after every repeat, so a run stopped early keeps what it
measured; ``--from_json=REPORT`` recomputes and prints its ratios without timing anything.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from bench.seqgan_speed import (  # noqa: E402
    NUM_SAMPLES,
    cpu_model,
    load_average,
    machine_record,
    steal_seconds,
)
from seqgan_tf.config import KERNELS, ModelConfig  # noqa: E402
from seqgan_tf.data import published as data_paths  # noqa: E402
from seqgan_tf.data.token_files import read_token_file  # noqa: E402
from seqgan_tf.models.discriminator import Discriminator  # noqa: E402
from seqgan_tf.models.generator import Generator  # noqa: E402
from seqgan_tf.models.oracle import Oracle  # noqa: E402
from seqgan_tf.models.rollout import Rollout  # noqa: E402
from seqgan_tf.schedule import preset_schedule  # noqa: E402
from seqgan_tf.training import projection  # noqa: E402

UNITS = ("mle_epoch_s", "nll_eval_s", "dis_epoch_s", "reward_s", "sample_9984_s", "gen_step_s")
PRESETS = ("quick", "original", "paper")


def unit_calls(config: ModelConfig, seed: int, real: np.ndarray) -> dict[str, Callable]:
    """The units on one path's freshly built models, each a call with no arguments."""
    batch, length = config.batch_size, config.sequence_length
    oracle_path = data_paths.local_copy(data_paths.ORACLE_PARAMS)
    if oracle_path:
        oracle = Oracle.from_file(oracle_path, config)
    else:
        oracle = Oracle.from_seed(seed, config)
    generator = Generator(config, seed=seed)
    discriminator = Discriminator(config, seed=seed)
    rollout = Rollout(generator, update_rate=config.rollout_update_rate)
    rng = tf.random.Generator.from_seed(seed)
    mle_batches = tf.constant(real.reshape(-1, batch, length))
    fake = generator.generate_many(len(real), rng)
    samples = generator.generate(batch, rng.make_seeds(length))

    def reward(tokens) -> tf.Tensor:
        return rollout.get_reward(tokens, config.rollout_num, discriminator, rng.make_seeds(length))

    def generator_step() -> float:
        tokens = generator.generate(batch, rng.make_seeds(length))
        return float(generator.adversarial_step(tokens, reward(tokens)))

    return {
        "mle_epoch_s": lambda: float(generator.pretrain_epoch(mle_batches)),
        "nll_eval_s": lambda: oracle.nll_of_samples(generator, len(real), rng),
        "dis_epoch_s": lambda: discriminator.train_round(real, fake, epochs=1, shuffle_seed=0),
        "reward_s": lambda: reward(samples).numpy(),
        "sample_9984_s": lambda: generator.generate_many(len(real), rng),
        "gen_step_s": generator_step,
    }


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall and process CPU seconds of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def path_order(repeat: int) -> tuple[str, str]:
    """fast, reference on even repeats, reference, fast on odd ones."""
    return KERNELS if repeat % 2 == 0 else KERNELS[::-1]


def summarize(runs: dict[str, dict[str, list[float]]]) -> dict[str, dict]:
    """Per unit: each path's median seconds, the ratio of the medians (reference / fast)
    and the median of the per-repeat ratios. ``runs[path][unit]`` lists the wall times
    of the repeats, in order, on both paths."""
    fast_name, reference_name = KERNELS
    summary = {}
    for unit in runs[fast_name]:
        fast, reference = runs[fast_name][unit], runs[reference_name][unit]
        if len(fast) != len(reference) or not fast:
            raise ValueError(f"{unit}: {len(fast)} fast and {len(reference)} reference times")
        summary[unit] = {
            "fast_median_s": statistics.median(fast),
            "reference_median_s": statistics.median(reference),
            "ratio_of_medians": statistics.median(reference) / statistics.median(fast),
            "median_paired_ratio": statistics.median(
                r / f for f, r in zip(fast, reference, strict=True)
            ),
        }
    return summary


def project(summary: dict[str, dict]) -> dict[str, dict]:
    """Each preset's projected hours on each path from the units' medians, and their ratio
    (reference / fast)."""
    projections = {}
    for preset in PRESETS:
        schedule = preset_schedule(preset)
        hours = {}
        for path in KERNELS:
            costs = projection.UnitCosts.from_bench(
                {unit: values[f"{path}_median_s"] for unit, values in summary.items()}
            )
            hours[path] = projection.projected_seconds(schedule, costs)["total"] / 3600
        projections[preset] = {
            "fast_h": hours[KERNELS[0]],
            "reference_h": hours[KERNELS[1]],
            "ratio": hours[KERNELS[1]] / hours[KERNELS[0]],
        }
    return projections


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        )
        dirty = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "seqgan_tf", "bench"])
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() + ("+changes" if dirty.returncode else "")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per unit and path")
    parser.add_argument("--json", default=None, help="write the figures to this JSON file")
    parser.add_argument(
        "--units", default=",".join(UNITS), help=f"comma-separated subset of {','.join(UNITS)}"
    )
    parser.add_argument("--seed", type=int, default=88)
    parser.add_argument(
        "--from_json",
        default=None,
        help="time nothing: recompute and print the ratios of this bench's JSON report "
        "(written to --json when given)",
    )
    args = parser.parse_args(argv)
    units = [u.strip() for u in args.units.split(",") if u.strip()]
    unknown = sorted(set(units) - set(UNITS))
    if unknown:
        parser.error(f"--units: unknown {', '.join(unknown)}; expected some of {', '.join(UNITS)}")
    if args.repeats < 1:
        parser.error(f"--repeats={args.repeats}: must be at least 1")
    args.units = units
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    if args.from_json:
        return resummarize(args.from_json, args.json)
    config = ModelConfig()
    load_before = load_average()
    commit = git_commit()  # now: the checkout may move while the bench runs
    print(
        f"timing fast against reference on {cpu_model()}, {os.cpu_count()} CPUs, load "
        f"{load_before}, nice {os.nice(0)}",
        flush=True,
    )
    real_path = data_paths.local_copy(data_paths.REAL_DATA)
    if real_path:
        real = np.asarray(read_token_file(real_path), np.int32)[:NUM_SAMPLES]
    else:
        oracle = Oracle.from_seed(args.seed, config)
        real = oracle.generate_many(NUM_SAMPLES, tf.random.Generator.from_seed(args.seed))
    calls = {
        path: unit_calls(dataclasses.replace(config, kernels=path), args.seed, real)
        for path in KERNELS
    }

    first_call = {path: {} for path in KERNELS}
    runs = {path: {unit: [] for unit in args.units} for path in KERNELS}
    cpu = {path: {unit: [] for unit in args.units} for path in KERNELS}
    steal_before = steal_seconds()
    for unit in args.units:
        for path in KERNELS:
            first_call[path][unit] = timed(calls[path][unit])[0]
            print(f"  {unit:<14} {path:<9} first call {first_call[path][unit]:8.2f} s", flush=True)
    for repeat in range(args.repeats):
        for unit in args.units:
            for path in path_order(repeat):
                wall, process = timed(calls[path][unit])
                runs[path][unit].append(wall)
                cpu[path][unit].append(process)
                print(
                    f"  repeat {repeat + 1} {unit:<14} {path:<9} {wall:8.3f} s (cpu {process:.2f})",
                    flush=True,
                )
        # Written after every repeat, so that a run stopped early keeps what it measured.
        report = make_report(args, commit, runs, cpu, first_call, load_before, steal_before)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(report, f, indent=2)

    print_summary(report)
    print(f"load average before {load_before}, after {report['machine']['load_average_after']}")
    if args.json:
        print(f"wrote {args.json}")
    return report


def summaries(runs: dict, cpu: dict) -> dict:
    """The report's ratios from its wall times ``runs`` and process CPU times ``cpu``
    (``runs[path][unit]``: one time per repeat)."""
    wall, process = summarize(runs), summarize(cpu)
    complete = set(UNITS) <= set(wall)
    return {
        "units": wall,
        "projected": project(wall) if complete else {},
        "cpu_units": process,
        "cpu_projected": project(process) if complete else {},
    }


def print_summary(report: dict) -> None:
    for label, units, projected in (
        ("wall", report["units"], report["projected"]),
        ("process CPU (all threads)", report["cpu_units"], report["cpu_projected"]),
    ):
        print(f"\n{label}, median of {report['repeats_done']} repeats:")
        print(f"{'unit':<16}{'fast (s)':>10}{'reference (s)':>15}{'ratio':>8}{'paired':>8}")
        for unit, s in units.items():
            print(
                f"{unit:<16}{s['fast_median_s']:>10.3f}{s['reference_median_s']:>15.3f}"
                f"{s['ratio_of_medians']:>7.2f}x{s['median_paired_ratio']:>7.2f}x"
            )
        for preset, p in projected.items():
            print(
                f"  {preset:<9} projected: fast {p['fast_h']:7.2f} h   reference "
                f"{p['reference_h']:7.2f} h   ratio {p['ratio']:.2f}x"
            )


def resummarize(path: str, output: str | None) -> dict:
    """A report written by this bench (possibly stopped early), its ratios recomputed
    from its times; written to ``output`` when given."""
    with open(path) as f:
        report = json.load(f)
    report.update(summaries(report["runs_s"], report["cpu_s"]))
    print_summary(report)
    if output:
        with open(output, "w") as f:
            json.dump(report, f, indent=2)
    return report


def make_report(args, commit, runs, cpu, first_call, load_before, steal_before) -> dict:
    """The JSON report of the repeats timed so far."""
    steal_after = steal_seconds()
    return {
        **summaries(runs, cpu),
        "repeats_done": len(next(iter(runs[KERNELS[0]].values()))),
        "runs_s": runs,
        "cpu_s": cpu,
        "first_call_s": first_call,
        "machine": {
            **machine_record(load_before),
            "steal_s": None if steal_before is None else steal_after - steal_before,
            "nice": os.nice(0),
            "python": sys.version.split()[0],
        },
        "commit": commit,
        "command": "python -m bench.seqgan_kernels "
        + " ".join(
            f"--{k}={','.join(v) if isinstance(v, list) else v}" for k, v in vars(args).items()
        ),
    }


if __name__ == "__main__":
    main()
