"""Parity of the port with the authors' TF1 code, measured from identical starts.

Usage (``CLONE`` is your own clone of github.com/LantaoYu/SeqGAN; it has no licence, so
the project neither ships nor copies it)::

    nice -n 19 python -m bench.original_parity --original_repo=CLONE \
        --workdir=/tmp/seqgan-parity --seeds=1,2,3,4,5 --iterations=30

Both programs start every seed from the same generator (the port's MLE generator, in the
oracle pickle layout the original reads) and the same discriminator weights (mapped to
the original's variable names), train on the same file, run the same short adversarial
schedule (``--iterations`` of one generator step, the rollout update and ``--dis_rounds``
rounds of ``--dis_epochs`` epochs), and export their generators; every generator is then
scored by one scorer, the port's ``Oracle.nll`` on ``--score_samples`` fresh samples of the
published oracle. The comparison is of seed-level gains (``bench.parity_stats``).

The original runs in a subprocess (``bench.original_runner``) under ``tf.compat.v1``. The
port runs with ``--rollout_update_rate=0`` by default, which is what the original code
effectively does (docs/FIDELITY.md). Each finished run leaves ``result.json`` and
``scores.json`` in ``WORKDIR/{port,original}/seed_N``; a rerun skips them, and starts a
(program, seed) run killed midway again from its first iteration (the original's TF1
random ops keep their state inside the session, where no checkpoint reaches it, so a
resumed run could not continue its streams; seeds are short, and run as separate
processes with ``--seeds``, several can go at once). While a run
goes on, its progress (units done, median seconds of one, time left) is logged every
minute in which it advanced, and after each run the whole comparison's (runs done, time
left at each program's median run) (``bench.parity_progress``).

The MLE phase (``--phase=mle``, ``bench.parity_mle``) trains both programs ``--mle_epochs``
from one set of initial weights in file order; with ``--mle_starts=1,2,3,4,5`` from each of
the port's untrained generators at those seeds (no adversarial start is made), scored on
one stream per (start, epoch) shared by both programs, with the paired start-level test
at every export in ``WORKDIR/mle_starts/results.{json,md}``::

    nice -n 19 python -m bench.original_parity --original_repo=CLONE --workdir=DIR \
        --phase=mle --mle_starts=1,2,3,4,5 --mle_epochs=120 --export_every=10 \
        --score_samples=20000 --figure=DIR/mle-curves.png

Its wall time is about S * E * (t_port + t_original) + S * X * 2 * t_score, for S starts,
E epochs, X exports per run (E / --export_every, rounded up), the seconds per MLE epoch
of each program and the seconds of one scoring on --score_samples samples, each measured
on the machine (each run's ``result.json`` and ``scores.json`` record them), plus under
a minute per run to start TensorFlow and build or trace the graphs.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench import parity_original, parity_port, parity_progress, parity_start  # noqa: E402

ORIGINAL_MODULES = ("generator.py", "discriminator.py", "rollout.py", "dataloader.py")
PROGRAMS = ("port", "original")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--original_repo", default=None, help="your clone of LantaoYu/SeqGAN")
    parser.add_argument("--workdir", default=None, help="where runs and results go")
    parser.add_argument("--seeds", default="1,2,3,4,5", help="comma-separated seeds")
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--dis_rounds", type=int, default=1, help="per iteration")
    parser.add_argument("--dis_epochs", type=int, default=1, help="per round")
    parser.add_argument("--export_every", type=int, default=5, help="curve points")
    parser.add_argument("--score_samples", type=int, default=20_000)
    parser.add_argument("--curve_samples", type=int, default=10_000)
    parser.add_argument("--rollout_update_rate", type=float, default=0.0, help="the port's r")
    parser.add_argument("--start_seed", type=int, default=88)
    parser.add_argument("--start_mle_epochs", type=int, default=120)
    parser.add_argument("--start_dis_rounds", type=int, default=10)
    parser.add_argument("--start_dis_epochs", type=int, default=3)
    parser.add_argument("--programs", default="port,original", help="subset of port,original")
    parser.add_argument("--figure", default=None, help="also write the curves to this PNG")
    parser.add_argument(
        "--phase",
        default="adversarial",
        choices=("adversarial", "mle"),
        help="mle: --mle_epochs of MLE from the start's initial weights in both programs",
    )
    parser.add_argument("--mle_epochs", type=int, default=10, help="the original's is 120")
    parser.add_argument(
        "--mle_starts",
        default="",
        help="with --phase=mle: comma-separated seeds of the port's untrained generator, "
        "one paired MLE run per start (WORKDIR/mle_starts/start_N); empty: the one start "
        "of --start_seed",
    )
    return parser.parse_args(argv)


def check_args(args: argparse.Namespace) -> str | None:
    """The first problem with the flags, as one line, or None."""
    if not args.original_repo:
        return (
            "--original_repo is required: the path of your own clone of "
            "https://github.com/LantaoYu/SeqGAN (the project does not ship it)"
        )
    repo = pathlib.Path(args.original_repo)
    missing = [name for name in ORIGINAL_MODULES if not (repo / name).is_file()]
    if missing:
        return f"--original_repo={repo}: not a clone of LantaoYu/SeqGAN (no {', '.join(missing)})"
    if not args.workdir:
        return "--workdir is required (runs and results are written there)"
    try:
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    except ValueError:
        return f"--seeds={args.seeds}: expected comma-separated integers"
    if not seeds or len(set(seeds)) != len(seeds):
        return f"--seeds={args.seeds}: expected distinct seeds"
    try:
        starts = mle_starts(args)
    except ValueError:
        return f"--mle_starts={args.mle_starts}: expected comma-separated integers"
    if len(set(starts)) != len(starts) or any(start < 0 for start in starts):
        return f"--mle_starts={args.mle_starts}: expected distinct seeds, none negative"
    if starts and args.phase != "mle":
        return "--mle_starts needs --phase=mle"
    programs = [p.strip() for p in args.programs.split(",") if p.strip()]
    if not programs or set(programs) - set(PROGRAMS):
        return f"--programs={args.programs}: expected a subset of port,original"
    flags = ("iterations", "dis_epochs", "export_every", "score_samples", "curve_samples")
    for flag in flags + ("mle_epochs",):
        if getattr(args, flag) < 1:
            return f"--{flag}={getattr(args, flag)}: must be at least 1"
    if args.dis_rounds < 0:
        return f"--dis_rounds={args.dis_rounds}: must not be negative"
    if not 0.0 <= args.rollout_update_rate <= 1.0:
        return f"--rollout_update_rate={args.rollout_update_rate}: must lie in [0, 1]"
    return None


def mle_starts(args: argparse.Namespace) -> list[int]:
    """The seeds of ``--mle_starts`` (empty: the one-start MLE phase)."""
    return [int(s) for s in args.mle_starts.split(",") if s.strip()]


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    problem = check_args(args)
    if problem:
        print(problem, file=sys.stderr)
        raise SystemExit(2)
    # Imported only now: TensorFlow takes seconds to load, and bad flags should not wait.
    from seqgan_tf.data import published
    from seqgan_tf.models.oracle import Oracle

    real_path = published.locate(published.REAL_DATA)
    oracle = Oracle.from_file(published.locate(published.ORACLE_PARAMS))
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    programs = [p.strip() for p in args.programs.split(",") if p.strip()]
    workdir = pathlib.Path(args.workdir)
    start_dir = workdir / "start"

    def log(message: str) -> None:
        line = f"{time.strftime('%H:%M:%S')} {message}"
        print(line, flush=True)
        with open(workdir / "parity-log.txt", "a") as f:
            f.write(line + "\n")

    workdir.mkdir(parents=True, exist_ok=True)
    flags = " ".join(sys.argv[1:] if argv is None else argv)
    log(f"command: python -m bench.original_parity {flags}")
    if args.phase == "mle" and mle_starts(args):
        from bench import parity_mle, parity_report

        starts = mle_starts(args)
        results = parity_mle.run_starts(args, workdir, real_path, oracle, programs, starts, log)
        out_dir = workdir / parity_mle.STARTS_DIR
        parity_report.write_mle(out_dir, results, args.figure)
        log(f"wrote {out_dir / 'results.json'} and {out_dir / 'results.md'}")
        return results
    start = parity_start.prepare_start(
        start_dir,
        real_path,
        oracle,
        args.start_seed,
        args.start_mle_epochs,
        args.start_dis_rounds,
        args.start_dis_epochs,
        log=log,
    )
    if args.phase == "mle":
        from bench import parity_mle

        results = parity_mle.run_phase(args, workdir, start_dir, real_path, oracle, programs, log)
        log(f"wrote {workdir / 'mle' / 'results.json'}")
        return results
    start_nll = start["nll_oracle_20000"]
    port_models = None
    for seed in seeds:  # seed by seed, both programs, so a cut-short run stays paired
        for program in programs:
            out_dir = workdir / program / f"seed_{seed}"
            if not (out_dir / parity_port.RESULT_FILE).exists():
                log(f"{program} seed {seed}: running")
                with parity_progress.watched(
                    out_dir / "log.txt", args.iterations, f"{program} seed {seed}", log
                ):
                    if program == "port":
                        if port_models is None:
                            port_models = parity_port.PortModels(args.rollout_update_rate)
                        parity_port.run_port_seed(
                            port_models,
                            start_dir,
                            real_path,
                            out_dir,
                            seed,
                            args.iterations,
                            args.dis_rounds,
                            args.dis_epochs,
                            args.export_every,
                        )
                    else:
                        parity_original.run_original_seed(args, start_dir, real_path, out_dir, seed)
            scores = parity_port.score_run(
                oracle,
                out_dir,
                args.iterations,
                args.export_every,
                args.score_samples,
                args.curve_samples,
                seed,
            )
            wall = json.loads((out_dir / parity_port.RESULT_FILE).read_text())["wall_s"]
            log(
                f"{program} seed {seed}: final NLL_oracle {scores['final_nll']:.4f}, "
                f"gain {start_nll - scores['final_nll']:+.4f} ({wall:.0f} s beside other jobs)"
            )
            log(
                parity_progress.comparison_progress(
                    {p: [workdir / p / f"seed_{s}" for s in seeds] for p in programs}
                )
            )
    from bench import parity_report

    results = parity_report.collect(workdir, args, start, programs, seeds)
    parity_report.write(workdir, results, args.figure)
    log(f"wrote {workdir / 'results.json'} and {workdir / 'results.md'}")
    return results


if __name__ == "__main__":
    main()
