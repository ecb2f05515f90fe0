"""Training speed of the Keras CycleGAN beside the seed's PyTorch CycleGAN, same run, same CPU.

    python -m bench.cyclegan_speed                  # 128 px, batch 1, 9 blocks, seed layout
    python -m bench.cyclegan_speed --arch=official  # ConvTranspose + 70x70 PatchGAN in both

One training iteration = the seed's: G_AB and G_BA update (identity, GAN, cycle terms), then
D_A and D_B on real images and pooled fakes. Both frameworks get the same layer list; their
timed steps are interleaved (Keras, PyTorch, Keras, ...) after warm-up so that load from
other processes hits both alike. Prints the median seconds per step, images per second and
the ratio. PyTorch is imported lazily and is not a project dependency:
``pip install torch`` (a CPU build) to run the comparison.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import time

import numpy as np


def machine() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        model = next(
            line.split(":", 1)[1].strip()
            for line in out.splitlines()
            if line.startswith("Model name")
        )
    except Exception:  # lscpu missing: fall back to platform
        model = platform.processor() or platform.machine()
    return f"{model}, {os.cpu_count()} logical CPUs"


# ----------------------------------------------------------------------------- Keras


def keras_step(args):
    import tensorflow as tf

    from cyclegan_tf.builder import ModelConfig, build_cyclegan

    config = ModelConfig(
        image_size=args.size,
        n_blocks=args.blocks,
        batch_size=1,
        upsample="resize" if args.arch == "seed" else "transpose",
        discriminator="seed16" if args.arch == "seed" else "patch70",
        lr=3e-4 if args.arch == "seed" else 2e-4,
        jit_compile=args.jit,
    )
    strategy = tf.distribute.get_strategy()
    model = build_cyclegan(config, strategy, steps_per_epoch=1000)
    rng = np.random.default_rng(0)
    batch = tuple(
        tf.constant(rng.uniform(-1, 1, (1, args.size, args.size, 3)), tf.float32) for _ in range(2)
    )

    def run():
        # fit's compiled step, one batch at a time (as fit runs it, without the dataset).
        logs = model.train_on_batch(*batch, return_dict=True)
        return float(logs["g_loss"])  # waits for the step to finish

    return run


# ----------------------------------------------------------------------------- PyTorch


def torch_step(args):
    try:
        import torch
        import torch.nn as nn
    except ImportError as e:
        raise SystemExit(
            "PyTorch is not installed: pip install torch (CPU build), or run "
            "with --no-torch for the Keras figure alone."
        ) from e
    import random

    torch.manual_seed(0)
    random.seed(0)

    class ResidualBlock(nn.Module):  # the seed's
        def __init__(self, f):
            super().__init__()
            self.block = nn.Sequential(
                nn.ReflectionPad2d(1),
                nn.Conv2d(f, f, 3),
                nn.InstanceNorm2d(f),
                nn.ReLU(True),
                nn.ReflectionPad2d(1),
                nn.Conv2d(f, f, 3),
                nn.InstanceNorm2d(f),
            )

        def forward(self, x):
            return x + self.block(x)

    def generator():
        m = [nn.ReflectionPad2d(3), nn.Conv2d(3, 64, 7), nn.InstanceNorm2d(64), nn.ReLU(True)]
        f = 64
        for _ in range(2):
            m += [
                nn.Conv2d(f, f * 2, 3, stride=2, padding=1),
                nn.InstanceNorm2d(f * 2),
                nn.ReLU(True),
            ]
            f *= 2
        m += [ResidualBlock(f) for _ in range(args.blocks)]
        for _ in range(2):
            if args.arch == "seed":
                m += [nn.Upsample(scale_factor=2), nn.Conv2d(f, f // 2, 3, stride=1, padding=1)]
            else:
                m += [nn.ConvTranspose2d(f, f // 2, 3, stride=2, padding=1, output_padding=1)]
            m += [nn.InstanceNorm2d(f // 2), nn.ReLU(True)]
            f //= 2
        m += [nn.ReflectionPad2d(3), nn.Conv2d(64, 3, 7), nn.Tanh()]
        return nn.Sequential(*m)

    def discriminator():
        def block(i, o, norm=True, stride=2):
            layers = [nn.Conv2d(i, o, 4, stride=stride, padding=1)]
            if norm:
                layers.append(nn.InstanceNorm2d(o))
            return layers + [nn.LeakyReLU(0.2, inplace=True)]

        if args.arch == "seed":
            return nn.Sequential(
                *block(3, 64, False),
                *block(64, 128),
                *block(128, 256),
                *block(256, 512),
                nn.ZeroPad2d((1, 0, 1, 0)),
                nn.Conv2d(512, 1, 4, padding=1),
            )
        return nn.Sequential(
            *block(3, 64, False),
            *block(64, 128),
            *block(128, 256),
            *block(256, 512, stride=1),
            nn.Conv2d(512, 1, 4, padding=1),
        )

    def init(m):
        if "Conv" in m.__class__.__name__:
            nn.init.normal_(m.weight.data, 0.0, 0.02)
            nn.init.constant_(m.bias.data, 0.0)

    g_ab, g_ba, d_a, d_b = generator(), generator(), discriminator(), discriminator()
    for net in (g_ab, g_ba, d_a, d_b):
        net.apply(init)
    lr = 3e-4 if args.arch == "seed" else 2e-4
    opt_g = torch.optim.Adam(
        list(g_ab.parameters()) + list(g_ba.parameters()), lr=lr, betas=(0.5, 0.999)
    )
    opt_da = torch.optim.Adam(d_a.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_db = torch.optim.Adam(d_b.parameters(), lr=lr, betas=(0.5, 0.999))
    mse, l1 = nn.MSELoss(), nn.L1Loss()

    class ReplayBuffer:  # the seed's
        def __init__(self, max_size=50):
            self.max_size, self.data = max_size, []

        def push_and_pop(self, data):
            out = []
            for element in data.data:
                element = torch.unsqueeze(element, 0)
                if len(self.data) < self.max_size:
                    self.data.append(element)
                    out.append(element)
                elif random.uniform(0, 1) > 0.5:
                    i = random.randint(0, self.max_size - 1)
                    out.append(self.data[i].clone())
                    self.data[i] = element
                else:
                    out.append(element)
            return torch.cat(out)

    buf_a, buf_b = ReplayBuffer(), ReplayBuffer()
    rng = np.random.default_rng(0)
    real_a = torch.tensor(rng.uniform(-1, 1, (1, 3, args.size, args.size)), dtype=torch.float32)
    real_b = torch.tensor(rng.uniform(-1, 1, (1, 3, args.size, args.size)), dtype=torch.float32)

    def run():
        # Generators (the seed's loss form, official weights 10 and 5).
        opt_g.zero_grad()
        id_loss = (l1(g_ba(real_a), real_a) + l1(g_ab(real_b), real_b)) / 2
        fake_b, fake_a = g_ab(real_a), g_ba(real_b)
        out_b, out_a = d_b(fake_b), d_a(fake_a)
        gan = (mse(out_b, torch.ones_like(out_b)) + mse(out_a, torch.ones_like(out_a))) / 2
        cyc = (l1(g_ba(fake_b), real_a) + l1(g_ab(fake_a), real_b)) / 2
        loss_g = gan + 10.0 * cyc + 5.0 * id_loss
        loss_g.backward()
        opt_g.step()
        for d, opt, real, fake, buf in (
            (d_a, opt_da, real_a, fake_a, buf_a),
            (d_b, opt_db, real_b, fake_b, buf_b),
        ):
            opt.zero_grad()
            pr = d(real)
            pf = d(buf.push_and_pop(fake).detach())
            loss = (mse(pr, torch.ones_like(pr)) + mse(pf, torch.zeros_like(pf))) / 2
            loss.backward()
            opt.step()
        return float(loss_g.detach())

    return run, torch.__version__, torch.get_num_threads()


# ----------------------------------------------------------------------------- main


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--blocks", type=int, default=9)
    parser.add_argument("--arch", choices=["seed", "official"], default="seed")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--jit", action="store_true", help="XLA-compile the Keras step")
    parser.add_argument("--no-torch", dest="torch", action="store_false")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    print(f"machine: {machine()}")
    print(
        f"config: {args.size} px, batch 1, {args.blocks} residual blocks, {args.arch} layout, "
        f"{args.warmup} warm-up + {args.steps} timed steps each, interleaved"
    )
    runners = {"keras": keras_step(args)}
    versions = {"keras": f"TensorFlow {tf.__version__}, jit_compile={args.jit}"}
    if args.torch:
        run, version, threads = torch_step(args)
        runners["pytorch"] = run
        versions["pytorch"] = f"PyTorch {version}, {threads} threads"
    t0 = {}
    for name, run in runners.items():
        t0[name] = timed(run)  # first call: tracing / allocation
        for _ in range(args.warmup - 1):
            timed(run)
    times = {name: [] for name in runners}
    for _ in range(args.steps):
        for name, run in runners.items():
            times[name].append(timed(run))
    print("| framework | first step (s) | median s/step | images/s | timed steps (s) |")
    print("| --- | ---: | ---: | ---: | --- |")
    medians = {}
    for name, ts in times.items():
        medians[name] = statistics.median(ts)
        print(
            f"| {name} ({versions[name]}) | {t0[name]:.1f} | {medians[name]:.3f} | "
            f"{1 / medians[name]:.3f} | {', '.join(f'{t:.2f}' for t in ts)} |"
        )
    if "pytorch" in medians:
        print(
            f"Keras / PyTorch speed (images/s ratio): {medians['pytorch'] / medians['keras']:.2f}"
        )


if __name__ == "__main__":
    main()
