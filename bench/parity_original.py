"""The original's side of a parity run: the authors' TF1 code, run by
``bench.original_runner`` in a process of its own (it switches TensorFlow to graph mode for
good), from the start the port also starts from."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run_original_seed(
    args, start_dir: pathlib.Path, real_path, out_dir, seed: int, extra: tuple = ()
) -> None:
    """One seed of the original from ``start_dir``, with ``args``' schedule (and ``extra``
    flags for the runner); its output goes to ``out_dir/stdout.txt``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "bench.original_runner",
        f"--original_repo={os.path.abspath(args.original_repo)}",
        f"--start_dir={start_dir}",
        f"--positive_file={real_path}",
        f"--out_dir={out_dir}",
        f"--seed={seed}",
        f"--iterations={args.iterations}",
        f"--dis_rounds={args.dis_rounds}",
        f"--dis_epochs={args.dis_epochs}",
        f"--export_every={args.export_every}",
        *extra,
    ]
    with open(out_dir / "stdout.txt", "w") as stdout:
        subprocess.run(command, cwd=ROOT, stdout=stdout, stderr=subprocess.STDOUT, check=True)
