"""A few CycleGAN training steps on the first GPU: throughput and peak memory.

    python -m bench.cyclegan_gpu_check                        # 256 px, 9 blocks, batch 1
    python -m bench.cyclegan_gpu_check --size=128 --blocks=6 --batch_size=4 --jit

For a new GPU machine before a long run: it builds the official model, runs ``--warmup``
steps (tracing), then times ``--steps`` steps of the same ``train_step`` the driver runs and
prints seconds per step, images per second and the peak GPU memory TensorFlow reports.
Without a GPU it says so and exits 0 (nothing to check). Random images: no data needed.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256, help="image side (official 256)")
    parser.add_argument("--blocks", type=int, default=9, help="residual blocks (official 9)")
    parser.add_argument("--batch_size", type=int, default=1, help="images per step (official 1)")
    parser.add_argument("--steps", type=int, default=20, help="timed steps")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first (tracing)")
    parser.add_argument("--jit", action="store_true", help="XLA-compile the step")
    parser.add_argument(
        "--cpu", action="store_true", help="run on the CPU instead (checks this script)"
    )
    args = parser.parse_args(argv)
    for name in ("size", "blocks", "batch_size", "steps", "warmup"):
        low = 0 if name in ("blocks", "warmup") else 1
        if getattr(args, name) < low:
            parser.error(f"--{name}={getattr(args, name)}: must be >= {low}")

    import tensorflow as tf

    gpus = tf.config.list_logical_devices("GPU")
    if not gpus and not args.cpu:
        print("no GPU visible to TensorFlow: nothing to check (skipped)")
        return 0
    device = "/cpu:0" if args.cpu else gpus[0].name

    from cyclegan_tf.builder import ModelConfig, build_cyclegan

    config = ModelConfig(
        image_size=args.size,
        n_blocks=args.blocks,
        batch_size=args.batch_size,
        jit_compile=args.jit,
    )
    strategy = tf.distribute.OneDeviceStrategy(device)
    with strategy.scope():
        model = build_cyclegan(config, strategy, steps_per_epoch=1000)
        rng = np.random.default_rng(0)
        shape = (args.batch_size, args.size, args.size, 3)
        batch = tuple(tf.constant(rng.uniform(-1, 1, shape), tf.float32) for _ in range(2))
        # The driver's step: train_step on the strategy's replica (it all-reduces its logs).
        step = tf.function(
            lambda b: strategy.run(model.train_step, args=(b,)), jit_compile=args.jit
        )
        for _ in range(args.warmup):
            logs = step(batch)
        float(logs["g_loss"])  # wait for the device
        if not args.cpu:
            tf.config.experimental.reset_memory_stats(device)
        start = time.perf_counter()
        for _ in range(args.steps):
            logs = step(batch)
        float(logs["g_loss"])
        seconds = (time.perf_counter() - start) / args.steps
    if args.cpu:
        name, memory = "CPU", "n/a on CPU"
    else:
        details = tf.config.experimental.get_device_details(
            tf.config.list_physical_devices("GPU")[0]
        )
        name = details.get("device_name", device)
        memory = f"{tf.config.experimental.get_memory_info(device)['peak'] / 2**20:.0f} MiB"
    print(
        f"{name}: {args.size} px, {args.blocks} blocks, batch {args.batch_size}"
        f"{', XLA' if args.jit else ''}: {seconds:.3f} s/step, "
        f"{args.batch_size / seconds:.2f} images/s, peak memory {memory} "
        f"(g_loss {float(logs['g_loss']):.3f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
