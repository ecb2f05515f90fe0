"""The results table: this run's NLL_oracle beside the paper's Table 1 and the original
repository's committed log."""

from __future__ import annotations

# Yu et al. (AAAI 2017), Table 1, NLL_oracle of length-20 sequences.
PAPER_TABLE_1 = {
    "Random": 10.310,
    "MLE": 9.038,
    "Scheduled Sampling": 8.985,
    "PG-BLEU": 8.946,
    "SeqGAN": 8.736,
}
# The original repository's save/experiment-log.txt (current code, r = 0 in effect).
ORIGINAL_LOG = {"MLE (epoch 115)": 9.07, "SeqGAN (best, iteration 145)": 8.68}
# Its MLE pre-training, NLL_oracle every 5 epochs.
ORIGINAL_MLE_LOG = {
    0: 10.1716, 5: 9.42939, 10: 9.2388, 15: 9.11899, 20: 9.13099, 25: 9.14474, 30: 9.12539,
    35: 9.13982, 40: 9.135, 45: 9.13081, 50: 9.10678, 55: 9.10694, 60: 9.10349, 65: 9.10403,
    70: 9.07613, 75: 9.091, 80: 9.08909, 85: 9.0807, 90: 9.08434, 95: 9.08936, 100: 9.07443,
    105: 9.08305, 110: 9.06973, 115: 9.07058,
}  # fmt: skip
# Its adversarial phase, NLL_oracle every 5 iterations (the curves' reference line).
ORIGINAL_ADVERSARIAL_LOG = {
    0: 9.08457, 5: 9.04511, 10: 9.03079, 15: 8.99239, 20: 8.96401, 25: 8.93864,
    30: 8.91642, 35: 8.87761, 40: 8.88582, 45: 8.8592, 50: 8.83388, 55: 8.81342,
    60: 8.80247, 65: 8.77778, 70: 8.7567, 75: 8.73002, 80: 8.72488, 85: 8.72233,
    90: 8.71473, 95: 8.71163, 100: 8.70113, 105: 8.69879, 110: 8.69208, 115: 8.69291,
    120: 8.68371, 125: 8.689, 130: 8.68989, 135: 8.68269, 140: 8.68647, 145: 8.68066,
    150: 8.6832,
}  # fmt: skip


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _setting(results: dict) -> tuple[str, str]:
    """How the oracle and the rollout setting are named in the tables."""
    oracle = {
        "published": "the published oracle (target_params_py3.pkl)",
        "random": "a random N(0,1) oracle (NOT comparable with the paper's numbers)",
        "file": "an oracle read from a parameter file other than the published one",
    }[results["oracle"]]
    rate = results["rollout_update_rate"]
    rollout = (
        f"r = {rate:g} (the original code's actual behaviour: rollout = current generator)"
        if rate == 0
        else f"r = {rate:g} (delayed update, as the paper describes)"
    )
    return oracle, rollout


def title(heading: str, results: dict) -> str:
    """``heading, preset `p``` plus every flag that departs from the preset, and a warning
    when the oracle is not the published one."""
    overrides = results.get("overrides") or {}
    flags = " ".join(
        f"--{name}={','.join(map(str, v)) if isinstance(v, list | tuple) else v}"
        for name, v in sorted(overrides.items())
    )
    text = f"## {heading}, preset `{results['preset']}`" + (f" with `{flags}`" if flags else "")
    if results["oracle"] == "random":
        text += ", random N(0,1) oracle: NOT comparable with the paper"
    elif results["oracle"] == "file":
        text += ", an oracle other than the published one"
    return text


def results_table(results: dict) -> str:
    """Markdown table of a finished oracle experiment."""
    oracle, rollout = _setting(results)
    best_iteration = results.get("seqgan_iteration_best")
    lines = [
        title("NLL_oracle", results),
        "",
        f"Oracle: {oracle}. Rollout: {rollout}, {results['rollout_num']} rollouts. "
        f"Training data: {results['real_data']} (its own NLL_oracle: "
        f"{_fmt(results.get('real_data_nll'))}, the floor). Seed {results['seed']}; "
        f"wall time {results['wall_seconds'] / 60:.1f} min.",
        "",
        f"| model | this run | {_rescored_header(results)}paper Table 1 | original repo log |",
        "| --- | ---: | " + ("---: | " if results.get("rescored") else "") + "---: | ---: |",
    ]
    rows = [
        ("Random (untrained generator)", "random_nll", None, "Random", ""),
        (
            f"MLE ({results['mle_epochs']} epochs)",
            "mle_nll",
            "mle_final",
            "MLE",
            f"{ORIGINAL_LOG['MLE (epoch 115)']:.2f}",
        ),
        ("Scheduled Sampling", None, None, "Scheduled Sampling", ""),
        ("PG-BLEU", None, None, "PG-BLEU", ""),
        (
            f"SeqGAN, final (iteration {results['adversarial_iterations']})",
            "seqgan_nll_final",
            "seqgan_final",
            "SeqGAN",
            "",
        ),
        (
            f"SeqGAN, best (iteration {_counted(best_iteration)})",
            "seqgan_nll_best",
            "seqgan_best",
            None,
            f"{ORIGINAL_LOG['SeqGAN (best, iteration 145)']:.2f}",
        ),
    ]
    for name, key, rescored_key, paper_key, original in rows:
        cells = [name, _fmt(results.get(key)) if key else ""]
        if results.get("rescored"):
            cells.append(_rescored_cell(results["rescored"].get(rescored_key)))
        cells += [f"{PAPER_TABLE_1[paper_key]:.3f}" if paper_key else "", original]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    if results.get("rescored"):
        lines += [
            f'"This run" is the evaluation on {_eval_samples(results):,} samples '
            "that the run logs (and, for the best, selects by: an optimistic value); the next "
            f"column scores the same generator on {results['rescore_samples']:,} fresh samples "
            "(\u00b1 standard error), the paper's count.",
            "",
        ]
    lines += [
        "Epochs and iterations are counted from 1, as in the progress lines; the log in the "
        "original's format (experiment-log.txt, and the original repository's) counts them "
        "from 0, as the original code does.",
        "",
    ]
    mle, best = results.get("mle_nll"), results.get("seqgan_nll_best")
    if mle is not None and best is not None:
        lines.append(
            f"SeqGAN minus MLE (best): {best - mle:+.3f} nats "
            f"(paper: {PAPER_TABLE_1['SeqGAN'] - PAPER_TABLE_1['MLE']:+.3f}; "
            f"original log: {8.68 - 9.07:+.2f})."
        )
        lines.append("")
    return "\n".join(lines)


def _counted(step: int | None) -> int | None:
    """A 0-based step of the metrics log as the tables count it, from 1."""
    return None if step is None else step + 1


def _rescored_header(results: dict) -> str:
    if not results.get("rescored"):
        return ""
    return f"fresh {results['rescore_samples']:,} samples | "


def _rescored_cell(entry: dict | None) -> str:
    if entry is None:
        return ""
    return f"{entry['nll']:.3f} \u00b1 {entry['standard_error']:.3f}"


def _ss_coin(baselines: dict) -> str:
    if baselines.get("ss_coin", "per_token") == "per_token":
        return ""
    return (
        f"; one coin for the whole run as the paper-era script drew it, "
        f"u = {baselines['ss_graph_coin']:.4f}"
    )


def _pg_bleu_setting(baselines: dict) -> str:
    fraction = baselines.get("pg_bleu_reference_fraction", 1.0)
    parts = [] if fraction >= 1.0 else [f"{fraction:.0%} of the data as references"]
    parts.append(f"rollout r = {baselines.get('pg_bleu_rollout_update_rate', 0.8):g}")
    return "; " + ", ".join(parts)


def _p_value(p: float) -> str:
    return f"{p:.2g}" if p >= 1e-300 else "< 1e-300"


def table1_table(results: dict) -> str:
    """Markdown table of a finished ``--mode=table1`` run: each method's NLL_oracle (final
    and best, and on fresh samples when the run rescored) beside the paper's Table 1, and
    Welch's t-test of SeqGAN against it."""
    oracle, rollout = _setting(results)
    methods, tests, baselines = results["methods"], results["t_tests"], results["baselines"]
    rescored = results.get("rescored")
    schedule = results["schedule"]
    described = {
        "random": "Random (untrained generator)",
        "mle": f"MLE ({baselines['mle_baseline_epochs']} epochs)",
        "ss": f"Scheduled Sampling ({baselines['ss_epochs']} epochs, true-input probability "
        f"1.0 -> {baselines['ss_final_true_input_prob']:.2f}{_ss_coin(baselines)})",
        "pg_bleu": f"PG-BLEU ({baselines['pg_bleu_mle_epochs']} MLE epochs + "
        f"{baselines['pg_bleu_iterations']} iterations, {baselines['pg_bleu_rollout_num']} "
        f"rollout(s){_pg_bleu_setting(baselines)})",
        "seqgan": f"SeqGAN ({schedule['mle_epochs']} MLE epochs + "
        f"{schedule['adversarial_iterations']} iterations)",
    }
    paper = dict(
        zip(("random", "mle", "ss", "pg_bleu", "seqgan"), PAPER_TABLE_1.values(), strict=True)
    )
    lines = [
        title("Table 1", results),
        "",
        f"Oracle: {oracle}. SeqGAN's and PG-BLEU's rollout: {rollout}; SeqGAN "
        f"{results['rollout_num']} rollouts. Training data: {results['real_data']} (its own "
        f"NLL_oracle: {_fmt(results.get('real_data_nll'))}, the floor). Seed "
        f"{results['seed']}; wall time {results['wall_seconds'] / 60:.1f} min.",
        "",
        "| method | NLL_oracle final | best (at) | "
        + (f"fresh {results['rescore_samples']:,} samples: final; best | " if rescored else "")
        + "paper Table 1 | SeqGAN final minus this | t | p | NLL_test |",
        "| --- |" + " ---: |" * (8 if rescored else 7),
    ]
    for key, name in described.items():
        method = methods[key]
        best = method.get("nll_best")
        at = "" if best is None else f" ({_counted(method['step_best'])})"
        cells = [name, _fmt(method["nll_final"]), "" if best is None else _fmt(best) + at]
        if rescored:
            cells.append(_fresh_cell(rescored, key))
        cells.append(f"{paper[key]:.3f}")
        test = tests.get(key)
        if test is None:  # SeqGAN itself, or a method given no training
            cells += ["", "", ""]
        else:
            cells += [
                f"{test['mean_a'] - test['mean_b']:+.3f}",
                f"{test['t']:.1f}",
                _p_value(test["p"]),
            ]
        cells.append(_fmt(method.get("nll_test")))
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Final = the last evaluation of each method; best = the lowest evaluation, with its "
        "epoch or iteration counted from 1. t and p: Welch's two-sided t-test of the per-sequence "
        "NLL_oracle of SeqGAN's final samples against each method's final samples "
        f"({_eval_samples(results)} fresh samples each). The original repository's"
        f" log (current code): MLE {ORIGINAL_LOG['MLE (epoch 115)']:.2f}, SeqGAN best "
        f"{ORIGINAL_LOG['SeqGAN (best, iteration 145)']:.2f}. NLL_test (not in the paper): "
        "each final generator's NLL of fresh oracle samples; NLL_oracle alone rewards a "
        "generator that collapses onto a few likely sequences, NLL_test rises when it does.",
        "",
    ]
    if rescored:
        lines += [
            f"Fresh: the final and the best generator scored again on "
            f"{results['rescore_samples']:,} samples of their own (\u00b1 standard error; the "
            "paper's Table 1 averages 100,000): the best evaluation, chosen on the samples it "
            "is reported from, is optimistic.",
            "",
        ]
    lines += [
        f"![learning curves]({results['learning_curves']})",
        "",
    ]
    return "\n".join(lines)


def _fresh_cell(rescored: dict, method: str) -> str:
    """``final; best`` of a method's fresh scores (Random has a final only; n/a: not scored)."""
    entries = [rescored.get(f"{method}_{which}") for which in ("final", "best")]
    if method == "random":
        entries = entries[:1]
    if not any(entries):
        return "n/a"
    return "; ".join(_rescored_cell(entry) or "n/a" for entry in entries)


def _eval_samples(results: dict) -> int:
    """Samples per evaluation (``num_samples`` in runs from before the sample counts split)."""
    schedule = results["schedule"]
    return schedule.get("eval_samples", schedule.get("num_samples"))
