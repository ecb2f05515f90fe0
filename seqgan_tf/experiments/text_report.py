"""What a text run reports: results.md's two tables and the learning curves.

The first table is this project's protocol (:mod:`seqgan_tf.metrics.text`); the next two
are Texygen's fast and full protocols (:mod:`seqgan_tf.metrics.texygen`), with Texygen's
published COCO numbers beside them only when the corpus is the COCO captions, and the
paper's poem BLEU-2 only when the corpus is the quatrains: another corpus's numbers are
not comparable.
"""

from __future__ import annotations

import os

from seqgan_tf.data.benchmarks import PAPER_POEM_BLEU2, is_coco, is_poems
from seqgan_tf.metrics.text import SENTENCE_BLEU_ORDERS
from seqgan_tf.metrics.texygen import NUM_REFERENCES, NUM_SELF_BLEU_SAMPLES, SOURCE
from seqgan_tf.training.metrics_log import metrics_rows

CURVES_FILE = "text_curves.png"
BLEU_KEYS = [f"bleu{n}" for n in SENTENCE_BLEU_ORDERS]
SELF_BLEU_KEYS = [f"self_bleu{n}" for n in SENTENCE_BLEU_ORDERS]
NLL_KEYS = ["nll_per_word", "nll_per_sentence", "nll_per_word_known"]


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _row(name: str, metrics: dict | None, keys: list[str]) -> str:
    cells = [_fmt((metrics or {}).get(key)) for key in keys]
    return f"| {name} | " + " | ".join(cells) + " |"


def text_results_table(results: dict) -> str:
    """results.md of a text run."""
    methods, counts = results["methods"], results["counts"]
    headers = [
        *(f"BLEU-{n}" for n in SENTENCE_BLEU_ORDERS),
        *(f"self-BLEU-{n}" for n in SENTENCE_BLEU_ORDERS),
        "NLL-test /word",
        "NLL-test /sentence",
        "NLL-test /word, known",
        "BLEU-2 vs train",
    ]
    keys = BLEU_KEYS + SELF_BLEU_KEYS + NLL_KEYS + ["bleu2_train"]
    lines = [
        f"## SeqGAN on {os.path.basename(results['corpus'])} (preset {results['preset']}, "
        f"seed {results['seed']}, rollout r = {results['rollout_update_rate']})",
        "",
        "| | " + " | ".join(headers) + " |",
        "|" + " --- |" * (len(headers) + 1),
    ]

    def step_label(key: str, text: str) -> str:
        step = (methods.get(key) or {}).get("step")  # 0-based in results, 1-based here
        return text.format(step=None if step is None else step + 1)

    lines.append(_row("Untrained generator", methods.get("random"), keys))
    lines.append(_row(step_label("mle", "MLE (epoch {step})"), methods.get("mle"), keys))
    if methods.get("seqgan"):
        lines.append(
            _row(step_label("seqgan", "SeqGAN (iteration {step})"), methods["seqgan"], keys)
        )
    real_count = min(results["eval_samples"], counts["test_lines"])
    lines.append(_row(f"Real data ({real_count} test sentences)", methods.get("real"), keys))
    known = (methods.get("mle") or {}).get("known_sentences")
    lines += [
        "",
        f"BLEU-n: nltk sentence BLEU (uniform weights 1/n, smoothing method1) of each of "
        f"{results['eval_samples']} generated sentences against all "
        f"{results['test_references']} test sentences as references, averaged; self-BLEU-n: "
        f"each generated sentence against the other {results['eval_samples'] - 1}. Real "
        "data: a seeded sample of the test sentences scored against the training file "
        "(BLEU) and among themselves (self-BLEU). Sentences end at their first end token. "
        "NLL-test: -log p of each test sentence's tokens up to and including its end token "
        "(teacher forced), per word (summed, divided by the tokens counted) and per "
        f"sentence; 'known': over the {known if known is not None else '?'} of "
        f"{results['test_sequences']} test sentences with no unknown token "
        f"({counts['unknown_test_tokens']} of {counts['test_tokens']} test tokens are "
        "unknown). BLEU-2 vs train: the generated sentences against every training sentence, "
        "the real data's reference set. Values are each phase's final evaluation.",
        "",
        f"Corpus: {results['train_sequences']} training / {results['test_sequences']} test "
        f"sequences of {results['max_length']} tokens (end included), --tokens="
        f"{results['settings']['tokens']}, vocabulary {results['vocabulary']} ids (end and "
        f"unknown included, --min_count={results['settings']['min_count']}); "
        f"{counts['empty_lines'] + counts.get('test_empty_lines', 0)} empty lines skipped, "
        f"{counts['long_train_lines']} training and {counts['long_test_lines']} test lines "
        f"longer than {results['max_length'] - 1} tokens {results['settings']['long_lines']}"
        f"{'ped' if results['settings']['long_lines'] == 'drop' else ''}.",
    ]
    if is_poems(results):
        paper = PAPER_POEM_BLEU2
        lines += [
            "",
            f"The paper's Table 2 (16,394 quatrains, BLEU-2 against its test set; split, "
            f"sample count and smoothing unstated): MLE {paper['mle']}, SeqGAN "
            f"{paper['seqgan']}, real {paper['real']}. Compare directions, not decimals; "
            "BLEU-2 vs train scores against a reference set the size of a training split, "
            "the real-data row's (docs/FIDELITY.md).",
        ]
    lines += _texygen_table(results)
    overrides = results.get("overrides") or {}
    lines += [
        "",
        "Flags departing from the preset: "
        + (", ".join(f"--{k}={v}" for k, v in sorted(overrides.items())) or "none")
        + f". Wall time {results['wall_seconds'] / 60:.1f} min. Curves: {results['curves']}.",
        "",
    ]
    return "\n".join(lines)


# Texygen's two protocols (seqgan_tf/metrics/texygen.py): results key, heading, how.
TEXYGEN_TABLES = (
    (
        "texygen",
        "Texygen's fast protocol (is_fast=True, its default)",
        f"utils/metrics/Bleu.py, SelfBleu.py with is_fast=True: 9,984 sentences per model, "
        f"each scored against the first {NUM_REFERENCES} test sentences in file order (not "
        f"all of them); self-BLEU within the first {NUM_SELF_BLEU_SAMPLES} sentences, each "
        f"against the other {NUM_SELF_BLEU_SAMPLES - 1}.",
    ),
    (
        "texygen_full",
        "Texygen's full protocol (is_fast=False, its published numbers')",
        "utils/metrics/Bleu.py, SelfBleu.py with is_fast=False: 9,984 sentences per model, "
        "each scored against every test sentence; self-BLEU: each sentence against the "
        "other 9,983. The same sentences as in the fast protocol.",
    ),
)


def _texygen_table(results: dict) -> list[str]:
    lines = []
    for key, heading, how in TEXYGEN_TABLES:
        if results.get(key):
            lines += _protocol_table(results, results[key], heading, how)
    return lines


def _protocol_table(results: dict, measured: dict, heading: str, how: str) -> list[str]:
    keys = BLEU_KEYS + SELF_BLEU_KEYS
    headers = [
        *(f"BLEU-{n}" for n in SENTENCE_BLEU_ORDERS),
        *(f"self-BLEU-{n}" for n in SENTENCE_BLEU_ORDERS),
    ]
    lines = [
        "",
        f"### {heading}",
        "",
        "| | " + " | ".join(headers) + " |",
        "|" + " --- |" * (len(headers) + 1),
        _row("MLE (this run)", measured.get("mle"), keys),
    ]
    if measured.get("seqgan"):
        lines.append(_row("SeqGAN (this run)", measured["seqgan"], keys))
    lines.append(_row("Training sentences (this corpus)", measured.get("real"), keys))
    if is_coco(results):
        published = results["texygen_published"]
        lines.append(_row("MLE (Texygen, published)", published["mle"], keys))
        lines.append(_row("SeqGAN (Texygen, published)", published["seqgan"], keys))
    lines += [
        "",
        f"{how} Training sentences: the training file's first 9,984. Where it still "
        "differs from Texygen: samples end at their first end token here (Texygen drops "
        "end ids wherever they fall), and the schedules differ (see the preset). Published "
        f"numbers: {SOURCE}"
        + (
            "."
            if is_coco(results)
            else "; not shown, as they are of the COCO captions, not of this corpus."
        ),
    ]
    return lines


def plot_curves(workdir: str, mle_epochs: int, corpus_name: str, seed: int) -> str:
    """BLEU-2 and self-BLEU-2 against training step (MLE epochs, then adversarial
    iterations) from metrics.jsonl, as :data:`CURVES_FILE` in ``workdir``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [row for row in metrics_rows(workdir) if "bleu2" in row]
    figure, axis = plt.subplots(figsize=(7, 4))
    for key, label in (("bleu2", "BLEU-2 vs test file"), ("self_bleu2", "self-BLEU-2")):
        for phase, style in (("mle", "o-"), ("adversarial", "s-")):
            points = [
                (row["step"] + (mle_epochs if phase == "adversarial" else 0), row[key])
                for row in rows
                if row["phase"] == phase
            ]
            if points:
                x, y = zip(*points, strict=True)
                name = "MLE" if phase == "mle" else "SeqGAN"
                axis.plot(x, y, style, markersize=3, label=f"{label}, {name}")
    axis.axvline(mle_epochs, color="grey", linestyle=":", linewidth=1)
    axis.set_xlabel("MLE epoch, then adversarial iteration (after the dotted line)")
    axis.set_ylabel("score")
    axis.legend(fontsize=8)
    axis.set_title(f"SeqGAN on {corpus_name} (seed {seed})")
    figure.tight_layout()
    figure.savefig(os.path.join(workdir, CURVES_FILE), dpi=120)
    plt.close(figure)
    return CURVES_FILE
