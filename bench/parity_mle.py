"""The MLE phase of a parity run: both programs train ``--mle_epochs`` epochs from one set
of initial weights, in file order; with ``--mle_starts``, from each of several.

MLE has no randomness in either program (no shuffling, no dropout, no sampling), so the
two runs should end at the same parameters up to float32 rounding; the comparison is
parameter by parameter, and each exported generator's NLL_oracle by the one scorer.

One start (``run_phase``, without ``--mle_starts``): the initial weights are the common
start's ``initial_generator.pkl`` (the port's generator at ``--start_seed`` before
training); runs in ``WORKDIR/mle/{port,original}``; each program's generators are scored on
a stream of their own (the stream's seed has the program's index in it).

Several starts (``run_starts``): start N's initial weights are the port's untrained
generator at seed N, ``WORKDIR/mle_starts/start_N/initial_generator.pkl``; runs in
``WORKDIR/mle_starts/start_N/{port,original}``, start by start with both programs, so a
cut-short run stays paired. Every export is scored on ``--score_samples`` fresh samples
from the stream of (start, epoch), the same for both programs (common random numbers): the
two generators barely differ, so they draw mostly the same sequences, and NLL_oracle, a
function of the samples alone, differs only through the sequences that differ. The
start-level differences are the sample of the paired test (``parity_stats.compare_paired``).
A finished run leaves ``result.json`` and is not rerun; its scores are cached epoch by
epoch in ``scores.json``.
"""

from __future__ import annotations

import json
import pathlib
import platform
import time

import numpy as np

from bench import parity_original, parity_port, parity_progress, parity_stats
from seqgan_tf.models.oracle import load_params
from seqgan_tf.models.param_layout import PARAM_NAMES

STARTS_DIR = "mle_starts"


def parameter_differences(port: list[np.ndarray], original: list[np.ndarray]) -> dict:
    """Per array: the largest absolute difference and its ratio to the array's largest
    magnitude."""
    out = {}
    for name, a, b in zip(PARAM_NAMES, port, original, strict=True):
        a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
        largest = float(np.max(np.abs(a - b)))
        out[name] = {"max_abs": largest, "relative": largest / float(np.max(np.abs(b)))}
    return out


def export_epochs(mle_epochs: int, export_every: int) -> list[int]:
    """The epochs after which both programs export their generators."""
    return sorted(set(range(export_every, mle_epochs + 1, export_every)) | {mle_epochs})


def checkpoint_name(epoch: int) -> str:
    return f"generator_epoch{epoch:03d}.pkl"


def run_phase(args, workdir, start_dir, real_path, oracle, programs, log) -> dict:
    base = workdir / "mle"
    for program in programs:
        out_dir = base / program
        if (out_dir / parity_port.RESULT_FILE).exists():
            continue
        log(f"MLE phase, {program}: {args.mle_epochs} epochs")
        with parity_progress.watched(out_dir / "log.txt", args.mle_epochs, f"MLE {program}", log):
            if program == "port":
                parity_port.run_port_mle(
                    start_dir, real_path, out_dir, args.mle_epochs, args.export_every
                )
            else:
                parity_original.run_original_seed(
                    args, start_dir, real_path, out_dir, 0, (f"--mle_epochs={args.mle_epochs}",)
                )
    epochs = export_epochs(args.mle_epochs, args.export_every)
    results = {"mle_epochs": args.mle_epochs, "points": {}, "runs": {}}
    for program in programs:
        result = json.loads((base / program / parity_port.RESULT_FILE).read_text())
        results["runs"][program] = {"wall_s": result["wall_s"], "times": result["times"]}
    for epoch in epochs:
        name = checkpoint_name(epoch)
        point = {}
        for index, program in enumerate(programs):
            point[f"{program}_nll"] = parity_port.score_generator(
                oracle, base / program / name, args.score_samples, 7_000_001 * epoch + index
            )
        if set(programs) == {"port", "original"}:
            point["differences"] = parameter_differences(
                load_params(base / "port" / name), load_params(base / "original" / name)
            )
        results["points"][str(epoch)] = point
        scores = {k: v for k, v in point.items() if k != "differences"}
        log(f"MLE epoch {epoch}: {json.dumps(scores)}")
    parity_port.write_json(base / "results.json", results)
    return results


def start_dir(workdir: pathlib.Path, start: int) -> pathlib.Path:
    return workdir / STARTS_DIR / f"start_{start}"


def score_stream_seed(start: int, epoch: int) -> int:
    """The seed of the sampling stream scoring both programs' generators of ``start``
    after ``epoch``: one stream per (start, epoch), shared by port and original."""
    return 1_000_003 * start + epoch


def write_initial_generator(directory: pathlib.Path, start: int) -> None:
    """The port's untrained generator at seed ``start``, in the pickle both programs read
    (written once)."""
    from bench import parity_start, parity_weights
    from seqgan_tf.config import ModelConfig
    from seqgan_tf.models.generator import Generator

    path = directory / parity_start.INITIAL_GENERATOR_FILE
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        parity_weights.save_generator(path, Generator(ModelConfig(), seed=start))


def finished_epochs(run_dir: pathlib.Path) -> int | None:
    """The MLE epochs of a finished run (None while it has not finished)."""
    path = run_dir / parity_port.RESULT_FILE
    if not path.exists():
        return None
    return len(json.loads(path.read_text())["times"]["mle_epoch_s"])


def score_start_run(oracle, run_dir: pathlib.Path, start: int, epochs, num_samples: int) -> dict:
    """NLL_oracle and its sample-level standard error at each exported epoch of a finished
    run, on the (start, epoch) stream; cached in ``scores.json`` after every epoch (for
    that number of samples and start)."""
    import tensorflow as tf

    path = run_dir / parity_port.SCORES_FILE
    scores = json.loads(path.read_text()) if path.exists() else {}
    if (scores.get("score_samples"), scores.get("start")) != (num_samples, start):
        scores = {"score_samples": num_samples, "start": start, "epochs": {}}
    for epoch in epochs:
        if str(epoch) in scores["epochs"]:
            continue
        generator = parity_port.scored_generator(run_dir / checkpoint_name(epoch))
        wall = time.perf_counter()
        stream = tf.random.Generator.from_seed(score_stream_seed(start, epoch))
        nll, error = oracle.nll_and_standard_error(generator, num_samples, stream)
        scores["epochs"][str(epoch)] = {
            "nll": nll,
            "standard_error": error,
            "seconds": time.perf_counter() - wall,
        }
        parity_port.write_json(path, scores)
    return scores


def run_starts(args, workdir, real_path, oracle, programs, starts: list[int], log) -> dict:
    """Each start's MLE in both programs, scored, then the start-level comparison."""
    epochs = export_epochs(args.mle_epochs, args.export_every)
    for start in starts:
        directory = start_dir(workdir, start)
        write_initial_generator(directory, start)
        for program in programs:
            out_dir = directory / program
            done = finished_epochs(out_dir)
            if done is None:
                log(f"MLE start {start}, {program}: {args.mle_epochs} epochs")
                label = f"MLE start {start}, {program}"
                with parity_progress.watched(out_dir / "log.txt", args.mle_epochs, label, log):
                    if program == "port":
                        parity_port.run_port_mle(
                            directory, real_path, out_dir, args.mle_epochs, args.export_every
                        )
                    else:
                        extra = (f"--mle_epochs={args.mle_epochs}",)
                        parity_original.run_original_seed(
                            args, directory, real_path, out_dir, start, extra
                        )
            elif done != args.mle_epochs:
                raise SystemExit(
                    f"{out_dir} holds a finished run of {done} epochs, not --mle_epochs="
                    f"{args.mle_epochs}: use another --workdir"
                )
            scores = score_start_run(oracle, out_dir, start, epochs, args.score_samples)
            final = scores["epochs"][str(args.mle_epochs)]["nll"]
            log(f"MLE start {start}, {program}: NLL_oracle {final:.4f} after the last epoch")
            log(
                parity_progress.comparison_progress(
                    {p: [start_dir(workdir, s) / p for s in starts] for p in programs}
                )
            )
    return collect_starts(
        workdir, args.mle_epochs, args.export_every, args.score_samples, programs, starts
    )


def collect_starts(
    workdir: pathlib.Path,
    mle_epochs: int,
    export_every: int,
    score_samples: int,
    programs: list[str],
    starts: list[int],
) -> dict:
    """Every finished run's curve and times, the parameter differences of every start both
    programs finished, and the paired start-level test at every exported epoch."""
    epochs = export_epochs(mle_epochs, export_every)
    runs = {program: {} for program in programs}
    for program in programs:
        for start in starts:
            run_dir = start_dir(workdir, start) / program
            scores_path = run_dir / parity_port.SCORES_FILE
            if finished_epochs(run_dir) != mle_epochs or not scores_path.exists():
                continue
            scored = json.loads(scores_path.read_text())["epochs"]
            times = json.loads((run_dir / parity_port.RESULT_FILE).read_text())["times"]
            runs[program][str(start)] = {
                "curve": {e: v["nll"] for e, v in scored.items()},
                "standard_errors": {e: v["standard_error"] for e, v in scored.items()},
                "median_epoch_s": float(np.median(times["mle_epoch_s"])),
                "median_epoch_cpu_s": float(np.median(times.get("mle_epoch_cpu_s", [np.nan]))),
            }
    pair = ("port", "original")
    paired = [s for s in map(str, starts) if all(s in runs.get(p, {}) for p in pair)]
    differences = {}
    for start in paired:
        directory = start_dir(workdir, int(start))
        differences[start] = {
            str(epoch): parameter_differences(
                load_params(directory / "port" / checkpoint_name(epoch)),
                load_params(directory / "original" / checkpoint_name(epoch)),
            )
            for epoch in epochs
        }
    by_epoch = {}
    for epoch in map(str, epochs):
        both = [s for s in paired if all(epoch in runs[p][s]["curve"] for p in pair)]
        if len(both) >= 2:
            by_epoch[epoch] = parity_stats.compare_paired(
                [runs["port"][s]["curve"][epoch] for s in both],
                [runs["original"][s]["curve"][epoch] for s in both],
            )
            by_epoch[epoch]["starts"] = [int(s) for s in both]
    return {
        "mle_epochs": mle_epochs,
        "export_every": export_every,
        "score_samples": score_samples,
        "scoring": "one stream per (start, epoch), the same for port and original",
        "starts": starts,
        "runs": runs,
        "parameter_differences": differences,
        "comparison_by_epoch": by_epoch,
        "machine": {"platform": platform.platform(), "note": "times beside other jobs"},
    }
