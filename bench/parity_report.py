"""The parity run's results: results.json, a Markdown table and the curves' figure, for the
adversarial phase (``collect``, ``write``) and the MLE phase over several starts
(``write_mle``, from ``parity_mle.collect_starts``)."""

from __future__ import annotations

import json
import math
import pathlib
import platform
import statistics

from bench import parity_port, parity_stats


def collect(workdir: pathlib.Path, args, start: dict, programs: list[str], seeds: list[int]):
    """Per-seed finals, gains and curves of every finished run, and the seed-level test."""
    start_nll = start["nll_oracle_20000"]
    runs = {program: {} for program in programs}
    for program in programs:
        for seed in seeds:
            out_dir = workdir / program / f"seed_{seed}"
            scores_path = out_dir / parity_port.SCORES_FILE
            if not scores_path.exists():
                continue
            scores = json.loads(scores_path.read_text())
            result = json.loads((out_dir / parity_port.RESULT_FILE).read_text())
            runs[program][str(seed)] = {
                "final_nll": scores["final_nll"],
                "gain": start_nll - scores["final_nll"],
                "curve": scores["curve"],
                "wall_s": result["wall_s"],
                "median_iteration_s": statistics.median(result["times"]["iteration_s"]),
            }
    gains = {p: [r["gain"] for r in runs[p].values()] for p in programs}
    comparison = None
    if all(len(gains.get(p, [])) >= 2 for p in ("port", "original")):
        comparison = parity_stats.compare_gains(gains["port"], gains["original"])
    # The same test at every curve point (10,000 samples there, the final's elsewhere).
    by_iteration = {}
    points = sorted({i for p in programs for r in runs[p].values() for i in r["curve"]}, key=int)
    for point in points:
        values = {
            p: [start_nll - r["curve"][point] for r in runs[p].values() if point in r["curve"]]
            for p in programs
        }
        if all(len(values.get(p, [])) >= 2 for p in ("port", "original")):
            by_iteration[point] = parity_stats.compare_gains(values["port"], values["original"])
    return {
        "start": start,
        "comparison_by_iteration": by_iteration,
        "schedule": {
            "iterations": args.iterations,
            "dis_rounds_per_iteration": args.dis_rounds,
            "dis_epochs_per_round": args.dis_epochs,
            "rollout_num": 16,
            "port_rollout_update_rate": args.rollout_update_rate,
            "score_samples": args.score_samples,
            "curve_samples": args.curve_samples,
        },
        "runs": runs,
        "comparison": comparison,
        "machine": {"platform": platform.platform(), "note": "wall times beside other jobs"},
    }


def discriminator_schedule(schedule: dict) -> str:
    """The discriminator's part of an adversarial schedule, in words."""
    rounds, epochs = schedule["dis_rounds_per_iteration"], schedule["dis_epochs_per_round"]
    if rounds == 0:
        return "the discriminator fixed"
    return (
        f"{rounds} discriminator round{'s' if rounds > 1 else ''} of "
        f"{epochs} epoch{'s' if epochs > 1 else ''} an iteration"
    )


def schedule_line(schedule: dict) -> str:
    """The adversarial schedule both programs ran, in words, so that each table says which
    units it compares."""
    return (
        f"Schedule: {schedule['iterations']} iterations of one generator step "
        f"({schedule['rollout_num']} rollouts per prefix, the port's rollout update rate "
        f"{schedule['port_rollout_update_rate']:g}), {discriminator_schedule(schedule)}."
    )


def markdown(results: dict) -> str:
    start_nll = results["start"]["nll_oracle_20000"]
    runs = results["runs"]
    seeds = sorted({int(s) for program in runs.values() for s in program})
    lines = [
        schedule_line(results["schedule"]),
        f"Start: NLL_oracle {start_nll:.4f} (20,000 samples). Gains = start - final.",
        "",
        "| seed | port final | port gain | original final | original gain |",
        "| --- | --- | --- | --- | --- |",
    ]

    def cell(program: str, seed: int, key: str) -> str:
        run = runs.get(program, {}).get(str(seed))
        return "--" if run is None else f"{run[key]:.4f}"

    for seed in seeds:
        lines.append(
            f"| {seed} | {cell('port', seed, 'final_nll')} | {cell('port', seed, 'gain')} | "
            f"{cell('original', seed, 'final_nll')} | {cell('original', seed, 'gain')} |"
        )
    comparison = results["comparison"]
    if comparison:
        port, original = comparison["port"], comparison["original"]
        lines += [
            f"| mean (sd) | | {port['mean']:.4f} ({port['std']:.4f}) | | "
            f"{original['mean']:.4f} ({original['std']:.4f}) |",
            "",
            f"Port - original gain: {comparison['difference_of_means']:+.4f}, Welch 95% CI "
            f"[{comparison['welch_ci95'][0]:+.4f}, {comparison['welch_ci95'][1]:+.4f}], "
            f"Welch t = {comparison['welch_t']:.2f} (df {comparison['welch_df']:.1f}), "
            f"p = {comparison['welch_p']:.3f}; Mann-Whitney U = "
            f"{comparison['mann_whitney_u']:.0f}, p = {comparison['mann_whitney_p']:.3f}.",
            "",
            "| gain after iteration | samples | seeds, port / original | port, mean (sd) | "
            "original, mean (sd) | Welch p |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        schedule = results["schedule"]
        for point, test in results["comparison_by_iteration"].items():
            port, original = test["port"], test["original"]
            # the last point is the final, scored on more samples than the curve's
            final = int(point) == schedule["iterations"]
            samples = schedule["score_samples" if final else "curve_samples"]
            lines.append(
                f"| {point} | {samples:,} | {port['n']} / {original['n']} | "
                f"{port['mean']:.4f} ({port['std']:.4f}) | "
                f"{original['mean']:.4f} ({original['std']:.4f}) | {test['welch_p']:.3f} |"
            )
    return "\n".join(lines) + "\n"


def summary_row(name: str, results: dict) -> str:
    """One comparison's verdict in a row: what was compared, over how many starts or seeds,
    the port - original difference of the final values with its 95% interval and p. For
    the MLE phase the values are NLL_oracle at the last epoch, paired over starts; for the
    adversarial phase the gains from the common start, over independent seeds (Welch)."""
    link = f"[`{name}`](runs/{name}/)"
    if "comparison_by_epoch" in results:
        last = str(results["mle_epochs"])
        test = results["comparison_by_epoch"].get(last)
        if test is None:
            return f"| MLE, {last} epochs | fewer than two starts finished | | | | | {link} |"
        low, high = test["paired_ci95"]
        return (
            f"| MLE, {last} epochs | {test['difference']['n']} starts, paired | "
            f"NLL_oracle after epoch {last} | {_number(test['difference']['mean'], sign=True)} "
            f"| [{_number(low, sign=True)}, {_number(high, sign=True)}] | "
            f"{_number(test['paired_p'], 3)} (paired t) | {link} |"
        )
    comparison, schedule = results["comparison"], results["schedule"]
    what = f"{schedule['iterations']} adversarial iterations, {discriminator_schedule(schedule)}"
    if comparison is None:
        return f"| {what} | fewer than two seeds finished in a program | | | | | {link} |"
    low, high = comparison["welch_ci95"]
    return (
        f"| {what} | "
        f"{comparison['port']['n']} / {comparison['original']['n']} seeds, independent | "
        f"gain in NLL_oracle from the common start | "
        f"{_number(comparison['difference_of_means'], sign=True)} | "
        f"[{_number(low, sign=True)}, {_number(high, sign=True)}] | "
        f"{_number(comparison['welch_p'], 3)} (Welch t) | {link} |"
    )


def summary_markdown(named_results: dict[str, dict]) -> str:
    """The verdicts of several parity runs, one row each (``summary_row``)."""
    lines = [
        "| comparison | starts or seeds (port / original) | value compared | port - original "
        "| 95% CI | p | run |",
        "| --- | --- | --- | ---: | --- | ---: | --- |",
    ]
    lines += [summary_row(name, results) for name, results in named_results.items()]
    return "\n".join(lines) + "\n"


def plot(results: dict, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    start_nll = results["start"]["nll_oracle_20000"]
    colours = {"port": "tab:blue", "original": "tab:red"}
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for program, runs in results["runs"].items():
        for index, run in enumerate(runs.values()):
            points = sorted((int(i), v) for i, v in run["curve"].items())
            xs = [0] + [i for i, _ in points]
            ys = [start_nll] + [v for _, v in points]
            label = program if index == 0 else None
            ax.plot(xs, ys, color=colours[program], alpha=0.7, marker=".", label=label)
    ax.set_xlabel("adversarial iteration (from the common start)")
    ax.set_ylabel("NLL_oracle (port's scorer)")
    ax.set_title(
        "Port vs original TF1 code from identical starts, one line per seed\n"
        f"({discriminator_schedule(results['schedule'])})",
        fontsize=10,
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(workdir: pathlib.Path, results: dict, figure: str | None) -> None:
    parity_port.write_json(workdir / "results.json", results)
    (workdir / "results.md").write_text(markdown(results))
    if figure:
        plot(results, figure)


def _number(value: float, digits: int = 4, sign: bool = False) -> str:
    if value != value:  # NaN: the paired t is undefined when every difference is equal
        return "--"
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def mle_markdown(results: dict) -> str:
    """The MLE phase over several starts: the last epoch start by start, then the paired
    start-level test at every exported epoch."""
    runs, last = results["runs"], str(results["mle_epochs"])
    lines = [
        f"MLE, {results['mle_epochs']} epochs in file order in both programs, from the "
        f"port's untrained generator at each seed of {', '.join(map(str, results['starts']))}. "
        "NLL_oracle on "
        f"{results['score_samples']:,} fresh samples (the port's scorer), one sampling "
        "stream per (start, epoch) shared by both programs. Differences are port - original.",
        "",
        f"| start | port, epoch {last} | original, epoch {last} | port - original | "
        "largest relative parameter difference |",
        "| --- | --- | --- | --- | --- |",
    ]
    for start in map(str, results["starts"]):
        port = runs.get("port", {}).get(start, {}).get("curve", {}).get(last, float("nan"))
        original = runs.get("original", {}).get(start, {}).get("curve", {}).get(last, float("nan"))
        arrays = results["parameter_differences"].get(start, {}).get(last)
        largest = f"{max(a['relative'] for a in arrays.values()):.1e}" if arrays else "--"
        lines.append(
            f"| {start} | {_number(port)} | {_number(original)} | "
            f"{_number(port - original, sign=True)} | {largest} |"
        )
    if not results["comparison_by_epoch"]:
        return "\n".join(lines + ["", "Fewer than two starts finished in both programs."]) + "\n"
    lines += [
        "",
        "| epoch | starts | port, mean (sd) | original, mean (sd) | difference, mean (sd) | "
        "paired t (df) | paired p | 95% CI | port lower / higher / equal | sign p | "
        "Wilcoxon p |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for epoch, test in results["comparison_by_epoch"].items():
        port, original, difference = test["port"], test["original"], test["difference"]
        low, high = test["paired_ci95"]
        lines.append(
            f"| {epoch} | {difference['n']} | {port['mean']:.4f} ({port['std']:.4f}) | "
            f"{original['mean']:.4f} ({original['std']:.4f}) | "
            f"{difference['mean']:+.4f} ({difference['std']:.4f}) | "
            f"{_number(test['paired_t'], 2)} ({test['paired_df']:.0f}) | "
            f"{_number(test['paired_p'], 3)} | [{_number(low, sign=True)}, "
            f"{_number(high, sign=True)}] | {test['port_lower']} / {test['port_higher']} / "
            f"{test['equal']} | {test['sign_p']:.3f} | {test['wilcoxon_p']:.3f} |"
        )
    return "\n".join(lines + ["", multiple_tests_line(results["comparison_by_epoch"])]) + "\n"


def multiple_tests_line(comparison_by_epoch: dict, alpha: float = 0.05) -> str:
    """How many of the exports' paired tests fall below ``alpha``, beside how many would by
    chance alone, and below Bonferroni's ``alpha / tests``: one test an export, so some
    small p-values are expected even when the programs agree."""
    tested = comparison_by_epoch.values()
    p_values = [test["paired_p"] for test in tested if math.isfinite(test["paired_p"])]
    if not p_values:
        return "No export has a paired test (every difference is equal)."
    tests, threshold = len(p_values), alpha / len(p_values)
    below = sum(p < alpha for p in p_values)
    below_bonferroni = sum(p < threshold for p in p_values)
    return (
        f"Paired p below {alpha:g}: {below} of {tests} exports ({alpha * tests:.2g} expected "
        f"by chance alone if the programs agree); below Bonferroni's {alpha:g} / {tests} = "
        f"{threshold:.4f}: {below_bonferroni}."
    )


def plot_mle(results: dict, path: str) -> None:
    """NLL_oracle against the epoch, one line per start and program; beside it the mean
    difference port - original with its paired 95% interval and each start's difference."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    styles = {"port": ("tab:blue", "-"), "original": ("tab:red", "--")}
    fig, (curves, gaps) = plt.subplots(1, 2, figsize=(10.0, 4.0))
    for program, runs in results["runs"].items():
        colour, line = styles[program]
        for index, run in enumerate(runs.values()):
            points = sorted((int(e), v) for e, v in run["curve"].items())
            curves.plot(
                [e for e, _ in points],
                [v for _, v in points],
                color=colour,
                linestyle=line,
                alpha=0.7,
                marker=".",
                label=program if index == 0 else None,
            )
    curves.set_xlabel("MLE epoch")
    curves.set_ylabel("NLL_oracle (port's scorer)")
    curves.set_title("One line per start and program")
    curves.legend()
    port_runs, original_runs = results["runs"].get("port", {}), results["runs"].get("original", {})
    for start in set(port_runs) & set(original_runs):
        port, original = port_runs[start]["curve"], original_runs[start]["curve"]
        points = sorted((int(e), port[e] - original[e]) for e in set(port) & set(original))
        gaps.plot([e for e, _ in points], [d for _, d in points], color="0.6", marker=".")
    tests = sorted((int(e), t) for e, t in results["comparison_by_epoch"].items())
    if tests:
        means = [t["difference"]["mean"] for _, t in tests]
        errors = [
            [m - t["paired_ci95"][0] for m, (_, t) in zip(means, tests, strict=True)],
            [t["paired_ci95"][1] - m for m, (_, t) in zip(means, tests, strict=True)],
        ]
        gaps.errorbar(
            [e for e, _ in tests],
            means,
            yerr=errors,
            color="black",
            marker="o",
            capsize=3,
            label="mean, paired 95% interval",
        )
        gaps.legend()
    gaps.axhline(0.0, color="0.3", linewidth=0.8)
    gaps.set_xlabel("MLE epoch")
    gaps.set_ylabel("NLL_oracle, port - original")
    gaps.set_title("Per start (grey) and mean")
    fig.suptitle("MLE from identical initial weights: port vs original TF1 code")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_mle(out_dir: pathlib.Path, results: dict, figure: str | None) -> None:
    parity_port.write_json(out_dir / "results.json", results)
    (out_dir / "results.md").write_text(mle_markdown(results))
    if figure:
        plot_mle(results, figure)
