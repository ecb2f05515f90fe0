"""Lower bounds on this machine for the SeqGAN units of ``bench.seqgan_speed``.

Usage::

    python -m bench.seqgan_floor --json=/tmp/seqgan_floor.json

A unit's floor is the time of the work no exact implementation can skip, measured here at
the unit's own shapes: its matrix products (forward and backward), one exponential and
one sum per softmax logit, and for the discriminator Adam's pass over its 7M parameters.
Everything else a unit does (the LSTM recurrences, the row maxima, sampling's block
sums, gathers, the loss, Python) is left out, so the floor is below the time of any
implementation built from the kernels this TensorFlow has on this CPU; a speed target
below the floor cannot be met with them. It also times one piece of the left-out work
that an exact MLE gradient cannot skip either, the MLE epoch's LSTM alone (timed apart;
inside the epoch it overlaps other work, so it does not simply add to the floor).

Each primitive is timed as the best of two loops of ``--iterations`` repetitions on
cache-warm operands (no per-call overhead, no allocation growth):
- matrix products: a ``tf.while_loop`` in the graph executor (oneDNN) and an XLA
  ``tf.while_loop`` (XLA's own kernels); each iteration's product feeds the next
  through a 0-weighted slice, so nothing is hoisted or skipped;
- exponential + row sum, and the Adam update: XLA loops only (its fused kernels were
  the faster in bench.seqgan_speed and in docs/PERFORMANCE.md).
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from bench.seqgan_speed import time_unit  # noqa: E402
from seqgan_tf.config import ModelConfig  # noqa: E402
from seqgan_tf.schedule import preset_schedule  # noqa: E402
from seqgan_tf.training.projection import UnitCosts, projected_seconds  # noqa: E402

NUM_SAMPLES = 9_984
SAMPLE_BLOCK = 1_024  # rows per sampling call (sampling.DEFAULT_SAMPLE_BATCH)
TARGET_S = {"mle_epoch_s": 13.0 / 4.0, "nll_eval_s": 10.0 / 3.0, "dis_epoch_s": 30.0 / 1.5}


@dataclass(frozen=True)
class MatMul:
    """[m, k] x [k, n]."""

    m: int
    k: int
    n: int

    @property
    def flops(self) -> int:
        return 2 * self.m * self.k * self.n


@dataclass(frozen=True)
class ExpSum:
    """exp and a row sum over [rows, cols]: one exponential per softmax logit."""

    rows: int
    cols: int


@dataclass(frozen=True)
class AdamUpdate:
    """One fused Adam update of ``size`` parameters (reads p, g, m, v; writes p, m, v)."""

    size: int


REFERENCE_MATMUL = MatMul(2048, 2048, 2048)  # the machine's matmul rate is measured on it


def output_layer_work(rows: int, config: ModelConfig, backward: bool) -> list:
    """The [rows, H] x [H, V] logits with their exp-sum, and for training dW and dh."""
    hidden, vocab = config.gen_hidden_dim, config.vocab_size
    work = [MatMul(rows, hidden, vocab), ExpSum(rows, vocab)]
    if backward:
        work += [MatMul(hidden, rows, vocab), MatMul(rows, vocab, hidden)]
    return work


def discriminator_step_work(config: ModelConfig) -> list:
    """One training step of 64: each convolution's forward, kernel-gradient and
    input-gradient products (im2col shapes), the highway's six, and Adam."""
    batch, length, emb = config.batch_size, config.sequence_length, config.dis_emb_dim
    work: list = []
    for width, filters in zip(config.dis_filter_sizes, config.dis_num_filters, strict=True):
        rows = batch * (length - width + 1)
        work += [
            MatMul(rows, width * emb, filters),
            MatMul(width * emb, rows, filters),
            MatMul(rows, filters, width * emb),
        ]
    features = sum(config.dis_num_filters)
    work += [MatMul(batch, features, features)] * 4  # two forward, two input-gradient
    work += [MatMul(features, batch, features)] * 2  # two kernel gradients
    convolutions = sum(
        width * emb * filters + filters
        for width, filters in zip(config.dis_filter_sizes, config.dis_num_filters, strict=True)
    )
    highway = 2 * (features * features + features)
    size = config.vocab_size * emb + convolutions + highway + features * 2 + 2
    work.append(AdamUpdate(size))
    return work


def discriminator_forward_work(config: ModelConfig, batch: int) -> list:
    """Scoring ``batch`` sequences: each convolution's product and the highway's two."""
    length, emb = config.sequence_length, config.dis_emb_dim
    work: list = [
        MatMul(batch * (length - width + 1), width * emb, filters)
        for width, filters in zip(config.dis_filter_sizes, config.dis_num_filters, strict=True)
    ]
    features = sum(config.dis_num_filters)
    return work + [MatMul(batch, features, features)] * 2


def unit_work(config: ModelConfig) -> dict[str, list[tuple[object, float]]]:
    """(primitive, how many times) for each unit of bench.seqgan_speed."""
    batch, length = config.batch_size, config.sequence_length
    rows = batch * length
    steps = NUM_SAMPLES // batch
    sample_calls = NUM_SAMPLES / SAMPLE_BLOCK * length  # [1024, V] draws
    sampling = [(p, sample_calls) for p in output_layer_work(SAMPLE_BLOCK, config, False)]
    # A reward: for each prefix length t < T, 16 completions of T - t sampled tokens for
    # the batch, each completion scored by D, and D on the batch itself.
    rollouts = config.rollout_num * (length - 1)
    completed_tokens = config.rollout_num * sum(length - t for t in range(1, length))
    reward = [(p, completed_tokens) for p in output_layer_work(batch, config, backward=False)] + [
        (p, rollouts + 1) for p in discriminator_forward_work(config, batch)
    ]
    policy_gradient = [(p, 1) for p in output_layer_work(rows, config, backward=True)]
    return {
        "mle_epoch_s": [(p, steps) for p in output_layer_work(rows, config, backward=True)],
        "nll_eval_s": sampling
        + [(p, steps) for p in output_layer_work(rows, config, backward=False)],
        "dis_epoch_s": [(p, 2 * steps) for p in discriminator_step_work(config)],
        "sample_9984_s": sampling,
        "gen_step_s": reward + policy_gradient,
    }


def matmul_flops(parts: list[tuple[object, float]]) -> float:
    """The FLOPs of a unit's matrix products (2 per multiply-add)."""
    return sum(count * p.flops for p, count in parts if isinstance(p, MatMul))


def _median_time(fn, repeats: int) -> float:
    """Median wall time of ``repeats`` calls after a warm-up (bench.seqgan_speed's timer)."""
    return time_unit(fn, repeats)["median_s"]


def time_primitive(primitive, iterations: int, repeats: int) -> dict[str, float]:
    """Seconds per execution of ``primitive``: {"graph": ..., "xla": ...} (one or both)."""
    rng = np.random.default_rng(0)
    if isinstance(primitive, MatMul):
        a = tf.constant(rng.normal(size=(primitive.m, primitive.k)).astype(np.float32))
        b = tf.constant(rng.normal(size=(primitive.k, primitive.n)).astype(np.float32))

        def loop(x, y):
            def body(i, x):
                product = tf.matmul(x, y)
                return i + 1, x + 0.0 * product[:1, :1]

            return tf.while_loop(lambda i, _: i < iterations, body, (0, x))[1]

        return {
            name: _median_time(lambda f=f: f(a, b).numpy(), repeats) / iterations
            for name, f in (
                ("graph", tf.function(loop)),
                ("xla", tf.function(loop, jit_compile=True)),
            )
        }
    if isinstance(primitive, ExpSum):
        logits = tf.constant(rng.normal(size=(primitive.rows, primitive.cols)).astype(np.float32))

        def exp_sum_loop(x):
            def body(i, shift):
                sums = tf.reduce_sum(tf.exp(x - shift), axis=1, keepdims=True)
                return i + 1, shift + 0.0 * sums

            shift0 = tf.zeros([primitive.rows, 1])
            return tf.while_loop(lambda i, _: i < iterations, body, (0, shift0))[1]

        f = tf.function(exp_sum_loop, jit_compile=True)
        return {"xla": _median_time(lambda: f(logits).numpy(), repeats) / iterations}
    if isinstance(primitive, AdamUpdate):
        arrays = [tf.constant(rng.normal(size=primitive.size).astype(np.float32)) for _ in range(4)]

        def adam_loop(p, g, m, v):
            def body(i, p, m, v):
                m = m + (g - m) * 0.1
                v = v + (g * g - v) * 0.001
                p = p - 1e-4 * m / (tf.sqrt(v) + 1e-8)
                return i + 1, p, m, v

            return tf.while_loop(lambda i, *_: i < iterations, body, (0, p, m, v))[1]

        f = tf.function(adam_loop, jit_compile=True)
        return {"xla": _median_time(lambda: f(*arrays).numpy(), repeats) / iterations}
    raise TypeError(f"unknown primitive {primitive!r}")


def time_mle_lstm_epoch(repeats: int) -> float:
    """Seconds per MLE epoch of the generator's LSTM alone (156 steps of 64: embedding,
    cell forward and backward, clipped Adam on those arrays; the output layer replaced by
    a trivial loss), compiled as ``Generator.pretrain_epoch`` is. Work the floor leaves
    out that an exact gradient cannot skip either."""
    from seqgan_tf.models.generator import Generator
    from seqgan_tf.models.optimizers import apply_gradients

    config = ModelConfig()
    generator = Generator(config, seed=0)
    steps = NUM_SAMPLES // config.batch_size
    batches = tf.constant(
        np.random.default_rng(0).integers(
            0, config.vocab_size, (steps, config.batch_size, config.sequence_length)
        ),
        tf.int32,
    )
    cell = generator.cell
    variables = [generator.embedding, cell.input_kernel, cell.recurrent_kernel, cell.bias]

    def step(tokens):
        with tf.GradientTape() as tape:
            states, _ = generator.teacher_forced_states(tokens)
            loss = tf.reduce_mean(states * states)
        gradients = tape.gradient(loss, variables)
        apply_gradients(generator.pretrain_optimizer, gradients, variables, 5.0)
        return loss

    def epoch(batches):
        losses = tf.TensorArray(tf.float32, size=steps)
        for i in tf.range(steps):
            losses = losses.write(i, step(batches[i]))
        return tf.reduce_mean(losses.stack())

    f = tf.function(epoch, jit_compile=True)
    return _median_time(lambda: f(batches).numpy(), repeats)


def schedule_floors(units: dict, args: argparse.Namespace) -> dict:
    """Each preset's floor on this CPU (from the units' floors), the same work at the
    reference product's measured rate, and on a GPU at its peak rate (an estimate)."""
    seconds = time_primitive(REFERENCE_MATMUL, args.iterations, args.repeats)
    cpu_rate = REFERENCE_MATMUL.flops / min(seconds.values())
    gpu_rate = args.gpu_tflops * 1e12
    print(
        f"\n{REFERENCE_MATMUL}: {cpu_rate / 1e9:.1f} GFLOP/s on this CPU; GPU estimate at "
        f"{args.gpu_tflops:g} TFLOP/s (--gpu_tflops), its peak: a bound, not a measurement"
    )
    print(f"{'unit':<14}{'GFLOP':>10}{'at that rate (s)':>18}{'GPU estimate (ms)':>19}")
    for unit, figures in units.items():
        flops = figures["matmul_flops"]
        cpu_s, gpu_ms = flops / cpu_rate, flops / gpu_rate * 1e3
        print(f"{unit:<14}{flops / 1e9:>10.1f}{cpu_s:>18.2f}{gpu_ms:>19.2f}")
    costs = {
        "floor": UnitCosts(**{unit: figures["floor_s"] for unit, figures in units.items()}),
        "matmul rate": UnitCosts(
            **{unit: figures["matmul_flops"] / cpu_rate for unit, figures in units.items()}
        ),
        "GPU estimate": UnitCosts(
            **{unit: figures["matmul_flops"] / gpu_rate for unit, figures in units.items()}
        ),
    }
    report: dict = {"cpu_matmul_gflops": cpu_rate / 1e9, "gpu_tflops": args.gpu_tflops}
    print("\nwhole schedules (the products alone; hours):")
    print(f"{'preset':<10}" + "".join(f"{name:>16}" for name in costs))
    for preset in ("quick", "original", "paper"):
        schedule = preset_schedule(preset)
        hours = {name: projected_seconds(schedule, c)["total"] / 3600 for name, c in costs.items()}
        print(f"{preset:<10}" + "".join(f"{h:>16.3f}" for h in hours.values()))
        report[preset] = hours
    return report


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--gpu_tflops",
        type=float,
        default=19.5,
        help="the GPU estimate's rate: an A100's FP32 peak (TF32 tensor cores: 156)",
    )
    parser.add_argument("--iterations", type=int, default=20, help="repetitions per loop")
    parser.add_argument("--repeats", type=int, default=3, help="timed loops per primitive")
    parser.add_argument("--json", default=None, help="write the figures to this JSON file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    work = unit_work(ModelConfig())
    timings: dict[object, dict[str, float]] = {}
    for primitives in work.values():
        for primitive, _ in primitives:
            if primitive not in timings:
                timings[primitive] = time_primitive(primitive, args.iterations, args.repeats)
                best = min(timings[primitive].values())
                rate = (
                    f"{primitive.flops / best / 1e9:6.1f} GFLOP/s"
                    if isinstance(primitive, MatMul)
                    else ""
                )
                print(f"  {primitive!s:<40} {best * 1e3:8.3f} ms  {rate}", flush=True)

    report: dict = {"load_average": os.getloadavg(), "units": {}}
    print(f"\n{'unit':<14}{'floor (s)':>11}{'target (s)':>12}  verdict")
    for unit, primitives in work.items():
        floor = sum(count * min(timings[p].values()) for p, count in primitives)
        target = TARGET_S.get(unit)
        verdict = (
            ""
            if target is None
            else "target below floor"
            if target < floor
            else "floor below target"
        )
        print(f"{unit:<14}{floor:>11.2f}{'' if target is None else f'{target:.2f}':>12}  {verdict}")
        report["units"][unit] = {
            "floor_s": floor,
            "target_s": target,
            "matmul_flops": matmul_flops(primitives),
            "parts": [
                {"primitive": str(p), "count": count, "seconds_each": timings[p]}
                for p, count in primitives
            ],
        }
    report["schedules"] = schedule_floors(report["units"], args)
    lstm = time_mle_lstm_epoch(args.repeats)
    mle = report["units"]["mle_epoch_s"]
    print(
        f"\nbeyond the floor: the MLE epoch's LSTM alone {lstm:.2f} s (timed apart: inside "
        f"one XLA epoch it overlaps other work, so floor + LSTM = "
        f"{mle['floor_s'] + lstm:.2f} s is not a bound)"
    )
    mle["lstm_alone_s"] = lstm
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
        print(f"wrote {args.json}")
    return report


if __name__ == "__main__":
    main()
