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


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def results_table(results: dict) -> str:
    """Markdown table of a finished oracle experiment."""
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
    best_iteration = results.get("seqgan_iteration_best")
    lines = [
        f"## NLL_oracle, preset `{results['preset']}`",
        "",
        f"Oracle: {oracle}. Rollout: {rollout}, {results['rollout_num']} rollouts. "
        f"Training data: {results['real_data']} (its own NLL_oracle: "
        f"{_fmt(results.get('real_data_nll'))}, the floor). Seed {results['seed']}; "
        f"wall time {results['wall_seconds'] / 60:.1f} min.",
        "",
        "| model | this run | paper Table 1 | original repo log |",
        "| --- | ---: | ---: | ---: |",
        f"| Random (untrained generator) | {_fmt(results.get('random_nll'))} | "
        f"{PAPER_TABLE_1['Random']:.3f} | |",
        f"| MLE ({results['mle_epochs']} epochs) | {_fmt(results.get('mle_nll'))} | "
        f"{PAPER_TABLE_1['MLE']:.3f} | {ORIGINAL_LOG['MLE (epoch 115)']:.2f} |",
        f"| Scheduled Sampling | | {PAPER_TABLE_1['Scheduled Sampling']:.3f} | |",
        f"| PG-BLEU | | {PAPER_TABLE_1['PG-BLEU']:.3f} | |",
        f"| SeqGAN, final (iteration {results['adversarial_iterations'] - 1}) | "
        f"{_fmt(results.get('seqgan_nll_final'))} | {PAPER_TABLE_1['SeqGAN']:.3f} | |",
        f"| SeqGAN, best (iteration {best_iteration}) | {_fmt(results.get('seqgan_nll_best'))} |"
        f" | {ORIGINAL_LOG['SeqGAN (best, iteration 145)']:.2f} |",
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
