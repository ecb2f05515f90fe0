"""The MLE phase of a parity run: both programs train ``--mle_epochs`` epochs from the one
set of initial weights, in file order.

MLE has no randomness in either program (no shuffling, no dropout, no sampling), so the
two runs should end at the same parameters up to float32 rounding; the comparison is
parameter by parameter, and each final generator's NLL_oracle by the one scorer.
"""

from __future__ import annotations

import json

import numpy as np

from bench import parity_port
from seqgan_tf.models.oracle import load_params
from seqgan_tf.models.param_layout import PARAM_NAMES


def parameter_differences(port: list[np.ndarray], original: list[np.ndarray]) -> dict:
    """Per array: the largest absolute difference and its ratio to the array's largest
    magnitude."""
    out = {}
    for name, a, b in zip(PARAM_NAMES, port, original, strict=True):
        a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
        largest = float(np.max(np.abs(a - b)))
        out[name] = {"max_abs": largest, "relative": largest / float(np.max(np.abs(b)))}
    return out


def run_phase(args, workdir, start_dir, real_path, oracle, programs, log) -> dict:
    from bench import original_parity

    base = workdir / "mle"
    for program in programs:
        out_dir = base / program
        if (out_dir / parity_port.RESULT_FILE).exists():
            continue
        log(f"MLE phase, {program}: {args.mle_epochs} epochs")
        if program == "port":
            parity_port.run_port_mle(
                start_dir, real_path, out_dir, args.mle_epochs, args.export_every
            )
        else:
            original_parity.run_original_seed(
                args, start_dir, real_path, out_dir, 0, (f"--mle_epochs={args.mle_epochs}",)
            )
    epochs = sorted(
        {e for e in range(args.export_every, args.mle_epochs + 1, args.export_every)}
        | {args.mle_epochs}
    )
    results = {"mle_epochs": args.mle_epochs, "points": {}, "runs": {}}
    for program in programs:
        result = json.loads((base / program / parity_port.RESULT_FILE).read_text())
        results["runs"][program] = {"wall_s": result["wall_s"], "times": result["times"]}
    for epoch in epochs:
        name = f"generator_epoch{epoch:03d}.pkl"
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
