"""What the music experiment measures: BLEU-4 and the MSE against the test tunes.

The paper scores music by BLEU-4 (MLE 0.9210, SeqGAN 0.9406) and MSE (MLE 22.38, SeqGAN
20.62) and defines neither beyond the names. Here:

* **BLEU-4**: as the text experiment's BLEU (:mod:`seqgan_tf.metrics.text`): nltk's
  sentence BLEU-4 (uniform weights, ``SmoothingFunction().method1``) of each generated
  sequence of keys against every test sequence as a reference, averaged over the generated
  sequences; computed by :class:`seqgan_tf.metrics.bleu.BleuScorer`.
* **MSE**: for each generated sequence x, the mean squared difference in piano keys
  (semitones) to its closest test sequence r, min_r (1/T) sum_t (x_t - r_t)^2, averaged
  over the generated sequences. Why this reading: it is BLEU's protocol (every test sequence a
  reference, each hypothesis judged by what matches it best) with a squared error in place
  of n-gram matches, and it is in squared semitones, the unit in which the paper's values
  are plausible: on the Nottingham tunes the real training windows score well
  below the paper's models and sequences drawn independently from the training pitch
  histogram score near them (docs/runs/music-real-data/results.json). The readings it was
  weighed against fail on that scale or on sense: the squared difference of the two pitch
  histograms is orders of magnitude below 1, and the mean squared difference to *all* test
  sequences depends only on the pitches' means and variances, so it scores a melody and
  notes drawn independently from its histogram alike (``tests/test_seqgan_music_metrics.py``).
  Id 0 (the start token, which a barely trained generator may emit) counts as key 0.

The value depends on the reference set (more references, closer neighbours), so it is only
comparable between runs that score against the same test split; the real data's own row
(:func:`real_data_rows`, the training windows against the same test split) is the floor
to read a model's value against.

    python -m seqgan_tf.metrics.music --data=DIR [--seed=88] --output_dir=DIR

measures a MIDI folder's split, the real-data rows and a piano roll of real windows.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

from seqgan_tf.metrics.bleu import BleuScorer
from seqgan_tf.training.environment import cpu_model, source_commit

BLEU_ORDER = 4
# The paper's music results (Nottingham; its split, sample count and smoothing unstated).
PAPER = {"mle": {"bleu4": 0.9210, "mse": 22.38}, "seqgan": {"bleu4": 0.9406, "mse": 20.62}}
_MSE_CHUNK = 1024  # hypotheses per [chunk, R] distance matrix


def bleu4_scorer(references: np.ndarray) -> BleuScorer:
    """Method-1 BLEU-4 over ``references`` [R, T] (every test sequence)."""
    return BleuScorer(references, BLEU_ORDER, smoothing="method1")


def nearest_reference_mse(samples: np.ndarray, references: np.ndarray) -> np.ndarray:
    """[N] float64: for each row x of ``samples`` [N, T], min over rows r of ``references``
    [R, T] of mean_t (x_t - r_t)^2 (exact: integer keys, float64 sums far below 2**53)."""
    x = np.asarray(samples, np.float64)
    r = np.asarray(references, np.float64)
    if x.ndim != 2 or r.ndim != 2 or x.shape[1] != r.shape[1] or not len(r):
        raise ValueError(
            f"samples [N, T] and references [R >= 1, T] of one length T needed, got shapes "
            f"{x.shape} and {r.shape}"
        )
    r_norms = (r * r).sum(axis=1)
    out = np.empty(len(x))
    for start in range(0, len(x), _MSE_CHUNK):
        chunk = x[start : start + _MSE_CHUNK]
        squared = (chunk * chunk).sum(axis=1)[:, None] + r_norms[None, :] - 2.0 * chunk @ r.T
        out[start : start + len(chunk)] = squared.min(axis=1) / x.shape[1]
    return out


def mean_pairwise_mse(samples: np.ndarray, references: np.ndarray) -> float:
    """A reading of the paper's MSE weighed and not taken: mean_t (x_t - r_t)^2 averaged over
    *all* pairs (x, r). It depends only on each position's mean and mean square over
    ``samples`` and over ``references``, so any reshuffling of ``samples`` within a position
    leaves it unchanged."""
    x = np.asarray(samples, np.float64)
    r = np.asarray(references, np.float64)
    per_position = (x * x).mean(0) + (r * r).mean(0) - 2.0 * x.mean(0) * r.mean(0)
    return float(per_position.mean())


def pitch_histogram_mse(samples: np.ndarray, references: np.ndarray) -> float:
    """A reading weighed and not taken: the mean over ids 0..88 of the squared difference
    between the two sets' relative id frequencies."""
    bins = max(int(np.max(samples)), int(np.max(references)), 88) + 1
    p = np.bincount(np.asarray(samples).ravel(), minlength=bins) / np.size(samples)
    q = np.bincount(np.asarray(references).ravel(), minlength=bins) / np.size(references)
    return float(np.mean((p - q) ** 2))


def music_metrics(
    samples: np.ndarray, references: np.ndarray, scorer: BleuScorer | None = None
) -> dict[str, float]:
    """``bleu4`` and ``mse`` of ``samples`` [N, T] against ``references`` [R, T] (the test
    split); ``scorer`` is :func:`bleu4_scorer` of ``references``, when already built."""
    scorer = scorer or bleu4_scorer(references)
    return {
        "bleu4": float(np.mean(scorer.score(samples))),
        "mse": float(np.mean(nearest_reference_mse(samples, references))),
    }


def unigram_samples(train: np.ndarray, count: int, seed: int) -> np.ndarray:
    """[count, T] keys drawn independently from the pitch histogram of ``train`` [N, T]:
    what a model that learned the histogram and nothing of melody would produce."""
    train = np.asarray(train)
    values, counts = np.unique(train, return_counts=True)
    rng = np.random.default_rng(seed)
    return rng.choice(values, size=(count, train.shape[1]), p=counts / counts.sum()).astype(
        np.int32
    )


def real_data_rows(train: np.ndarray, test: np.ndarray, seed: int) -> dict[str, dict]:
    """The reference rows for a results table, each ``music_metrics`` plus its count:

    * ``real_train_vs_test``: the training windows against the test split, the protocol of
      the generated sequences: what a generator of the training tunes themselves scores
      (the "floor" of MSE and "ceiling" of BLEU-4, though not a bound: a generator that
      repeats the commonest phrases can do better on both, which self-BLEU would show);
    * ``real_test_vs_train``: the test windows against the training split (the text
      experiment's "real data" direction; more references, so a lower MSE);
    * ``unigram_vs_test``: as many sequences as the test split from the training pitch
      histogram, independently (what no melody at all scores).
    """
    test_scorer = bleu4_scorer(test)
    noise = unigram_samples(train, len(test), seed)
    rows = {
        "real_train_vs_test": (train, test, test_scorer),
        "real_test_vs_train": (test, train, None),
        "unigram_vs_test": (noise, test, test_scorer),
    }
    return {
        name: {
            **music_metrics(x, refs, scorer),
            "sequences": len(x),
            "references": len(refs),
            "readings_not_taken": {
                "mean_pairwise_mse": mean_pairwise_mse(x, refs),
                "pitch_histogram_mse": pitch_histogram_mse(x, refs),
            },
        }
        for name, (x, refs, scorer) in rows.items()
    }


ROW_TITLES = {
    "real_train_vs_test": "real: training windows against the test split",
    "real_test_vs_train": "real: test windows against the training split",
    "unigram_vs_test": "independent draws from the training pitch histogram, against test",
}


def results_table(results: dict) -> str:
    """The data's counts and a Markdown table of :func:`real_data_rows` beside the paper."""
    data = results["data"]
    lines = [
        f"{data['tunes_read']} tunes read ({data['short_tunes']} shorter than one sequence); "
        f"train {data['train_tunes']} tunes / {data['train_sequences']} sequences, test "
        f"{data['test_tunes']} tunes / {data['test_sequences']} sequences; keys "
        f"{data['lowest_key']}..{data['highest_key']} ({data['lowest_pitch']}.."
        f"{data['highest_pitch']}); {data['rest_steps']} of {data['steps']} steps were rests, "
        f"{data['dropped_steps']} in no sequence.",
        "",
        "| row | sequences | references | BLEU-4 | MSE |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in results["rows"].items():
        lines.append(
            f"| {ROW_TITLES[name]} | {row['sequences']} | {row['references']} | "
            f"{row['bleu4']:.4f} | {row['mse']:.2f} |"
        )
    for name, row in results["paper"].items():
        title = {"mle": "MLE", "seqgan": "SeqGAN"}[name]
        lines.append(f"| paper, {title} | | | {row['bleu4']:.4f} | {row['mse']:.2f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from seqgan_tf.data.music_corpus import MusicData, MusicSettings
    from seqgan_tf.reporting.piano_roll import plot_piano_rolls

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="folder of MIDI tunes")
    parser.add_argument("--seed", type=int, default=88, help="split and noise seed")
    parser.add_argument(
        "--output_dir", required=True, help="for results.json, results.md, piano_roll.png"
    )
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    try:
        data = MusicData.load(args.data, MusicSettings(), args.seed)
    except (OSError, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    os.makedirs(args.output_dir, exist_ok=True)
    results = {
        "command": " ".join(["python -m seqgan_tf.metrics.music", *argv]),
        "commit": source_commit(),
        "machine": f"{cpu_model()}, {os.cpu_count()} cpus",
        "data": data.summary(),
        "rows": real_data_rows(data.train, data.test, args.seed),
        "paper": PAPER,
    }
    with open(os.path.join(args.output_dir, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    rng = np.random.default_rng(args.seed)
    shown = {"training windows": data.train, "test windows": data.test}
    plot_piano_rolls(
        {
            title: windows[rng.choice(len(windows), min(4, len(windows)), replace=False)]
            for title, windows in shown.items()
        },
        os.path.join(args.output_dir, "piano_roll.png"),
    )
    table = results_table(results)
    with open(os.path.join(args.output_dir, "results.md"), "w") as f:
        f.write(table)
    print(table, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
