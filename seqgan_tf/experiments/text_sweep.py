"""``--mode=temperature_sweep``: a text run's MLE and SeqGAN generators along the
quality-diversity curve (Caccia et al., ICLR 2020; :mod:`seqgan_tf.metrics.temperature_sweep`).

Each generator samples ``num_samples`` sentences at each temperature; BLEU-k against the
whole test file and self-BLEU-k among the sentences (as a run's evaluations measure them)
go to ``temperature_sweep.json`` and ``temperature_sweep.md``, and the curves to
``temperature_sweep_bleu2.png`` and ``temperature_sweep_bleu4.png`` in the workdir. A
model whose curve lies above and to the left of another's is better at every diversity.
"""

from __future__ import annotations

import json
import os

from seqgan_tf.data.corpus import TextCorpus
from seqgan_tf.metrics.temperature_sweep import plot_temperature_sweep, temperature_sweep
from seqgan_tf.metrics.text import SENTENCE_BLEU_ORDERS
from seqgan_tf.models.token_lstm import TokenLSTM

SWEEP_FILE = "temperature_sweep"
PLOTTED_ORDERS = (2, 4)


def write_sweep(
    workdir: str,
    generators: dict[str, TokenLSTM],
    corpus: TextCorpus,
    temperatures: list[float],
    num_samples: int,
    seed: int,
) -> dict[str, list[dict]]:
    """Sweeps each of ``generators`` (by label) and writes the table, JSON and PNGs;
    prints the table; returns {label: rows}."""
    curves = {
        label: temperature_sweep(
            generator,
            temperatures,
            corpus.test_references,
            corpus.vocabulary.decode,
            num_samples,
            seed,
        )
        for label, generator in generators.items()
    }
    path = os.path.join(workdir, SWEEP_FILE)
    with open(f"{path}.json", "w") as f:
        json.dump({"num_samples": num_samples, "seed": seed, "curves": curves}, f, indent=1)
    name = os.path.basename(corpus.path)
    for order in PLOTTED_ORDERS:
        plot_temperature_sweep(
            curves,
            f"{path}_bleu{order}.png",
            order,
            f"{name}: BLEU-{order} against self-BLEU-{order} over the temperature",
        )
    table = sweep_table(curves, num_samples, len(corpus.test_references), name)
    with open(f"{path}.md", "w") as f:
        f.write(table)
    print(table)
    return curves


def sweep_table(curves: dict[str, list[dict]], num_samples: int, references: int, name: str) -> str:
    """The sweep as a Markdown table: one row per model and temperature."""
    keys = [f"bleu{n}" for n in SENTENCE_BLEU_ORDERS] + [
        f"self_bleu{n}" for n in SENTENCE_BLEU_ORDERS
    ]
    headers = [f"BLEU-{n}" for n in SENTENCE_BLEU_ORDERS] + [
        f"self-BLEU-{n}" for n in SENTENCE_BLEU_ORDERS
    ]
    lines = [
        f"## Quality against diversity over the temperature ({name})",
        "",
        "| model | temperature | " + " | ".join(headers) + " |",
        "|" + " --- |" * (len(headers) + 2),
    ]
    for label, rows in curves.items():
        for row in rows:
            cells = " | ".join(f"{row[key]:.4f}" for key in keys)
            lines.append(f"| {label} | {row['temperature']:g} | {cells} |")
    lines += [
        "",
        f"{num_samples} sentences per model and temperature; BLEU against all {references} "
        "test sentences, self-BLEU leave-one-out among the sentences (nltk, smoothing "
        "method1). Curves: "
        + ", ".join(f"{SWEEP_FILE}_bleu{order}.png" for order in PLOTTED_ORDERS)
        + ".",
        "",
    ]
    return "\n".join(lines)
