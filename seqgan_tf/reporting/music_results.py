"""results.md of a music run (``--mode=music``): each generator beside the real data's rows
and the paper's numbers, with what each metric is."""

from __future__ import annotations

import os

from seqgan_tf.metrics.music import ROW_TITLES

COLUMNS = ("bleu4", "mse", "bleu4_train", "mse_train", "self_bleu4")


def music_results_table(results: dict) -> str:
    """The Markdown table and its notes."""
    data, methods, paper = results["data"], results["methods"], results["paper"]
    lines = [
        f"## SeqGAN on {os.path.basename(os.path.normpath(data['folder']))} "
        f"(preset {results['preset']}, seed {results['seed']}, rollout r = "
        f"{results['rollout_update_rate']})",
        "",
        "| | BLEU-4 vs test | MSE vs test | BLEU-4 vs train | MSE vs train | self-BLEU-4 "
        "| paper BLEU-4 | paper MSE |",
        "|" + " --- |" * 8,
    ]
    rows = (
        ("random", "Untrained generator"),
        ("mle", "MLE (epoch {step})"),
        ("seqgan", "SeqGAN (iteration {step})"),
    )
    for key, label in rows:
        metrics = methods.get(key)
        if metrics is None:
            continue
        step = metrics.get("step")  # 0-based in the results, 1-based in the table
        cells = [_fmt(metrics.get(name), name) for name in COLUMNS]
        cited = paper.get(key, {})
        lines.append(
            f"| {label.format(step=None if step is None else step + 1)} | "
            + " | ".join(cells)
            + f" | {_fmt(cited.get('bleu4'), 'bleu4')} | {_fmt(cited.get('mse'), 'mse')} |"
        )
    real = results.get("real") or {}
    for name, row in real.items():
        # Each real row is scored against one side: its cells go under that side's columns.
        against_train = name == "real_test_vs_train"
        cells = ["", "", "", "", ""]
        cells[2 if against_train else 0] = _fmt(row["bleu4"], "bleu4")
        cells[3 if against_train else 1] = _fmt(row["mse"], "mse")
        lines.append(f"| {ROW_TITLES[name]} ({row['sequences']}) | " + " | ".join(cells) + " | | |")
    overrides = results.get("overrides") or {}
    lines += [
        "",
        f"Data: {data['tunes_read']} tunes ({data['short_tunes']} shorter than one sequence), "
        f"split by tune: {data['train_tunes']} tunes / {data['train_sequences']} sequences for "
        f"training, {data['test_tunes']} / {data['test_sequences']} held out; keys "
        f"{data['lowest_pitch']}..{data['highest_pitch']}, "
        f"{results['music']['music_step_seconds']:g} s a step, "
        f"{results['music']['music_sequence_length']} steps a sequence.",
        "",
        f"Each generator row scores {results['eval_samples']} fresh samples at its phase's "
        "final evaluation. BLEU-4: nltk sentence BLEU-4 (uniform weights, smoothing method1) "
        "of each sequence of keys against every sequence of the reference split, averaged. "
        "MSE: for each sequence x, the mean over its steps of the squared key difference "
        "(semitones^2) to the closest reference sequence r, min_r (1/T) sum_t (x_t - r_t)^2, "
        "averaged (the paper does not define its MSE; why this reading: "
        "seqgan_tf/metrics/music.py). Lower is better; it falls as references are added, so "
        "compare a generator with the real row of the same references. self-BLEU-4: each "
        "sample against the others (diversity; higher means more alike). 'vs train' is the "
        "scale the paper's BLEU-4 appears to be on (docs/runs/music-real-data/README.md). "
        "The paper used 695 tunes and states no split, sample count or smoothing: compare "
        "directions, not decimals.",
        "",
        "Flags departing from the preset: "
        + (", ".join(f"--{k}={v}" for k, v in sorted(overrides.items())) or "none")
        + f". Wall time {results['wall_seconds'] / 60:.1f} min. Piano roll: "
        f"{results['piano_roll']}; MIDI files of each evaluation's first samples: samples/.",
        "",
    ]
    return "\n".join(lines)


def _fmt(value: float | None, name: str) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if name.startswith("mse") else f"{value:.4f}"
