"""Quality against diversity over the softmax temperature (Caccia et al., ICLR 2020).

"Language GANs Falling Short" showed that sampling an MLE model at a temperature below 1
raises BLEU (quality) and self-BLEU (less diversity) together, so that one point per model
cannot rank a GAN against MLE: each model is a curve, BLEU-k against self-BLEU-k as the
temperature moves, and the better model is the curve that lies above and to the left
(higher quality at the same diversity). :func:`temperature_sweep` computes one model's
curve, :func:`plot_temperature_sweep` draws several in one PNG.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence

import numpy as np
import tensorflow as tf

from seqgan_tf.config import check_temperature
from seqgan_tf.metrics.text import SENTENCE_BLEU_ORDERS, ReferenceBleu
from seqgan_tf.models.token_lstm import TokenLSTM


def temperature_sweep(
    generator: TokenLSTM,
    temperatures: Sequence[float],
    references: list[list[str]],
    decode: Callable[[np.ndarray], list[list[str]]],
    num_samples: int,
    seed: int,
    orders: tuple[int, ...] = SENTENCE_BLEU_ORDERS,
) -> list[dict[str, float]]:
    """One row per temperature: ``temperature``, ``bleu{n}`` of ``num_samples`` sentences
    sampled at it against ``references``, and their ``self_bleu{n}``.

    Args:
      decode: token ids [N, T] -> the sentences as token lists, up to each one's end
        (e.g. :meth:`seqgan_tf.data.corpus.TokenVocabulary.decode`).
      seed: every temperature samples from its own stream of this seed, so a row does not
        depend on which other temperatures are swept.
    """
    temperatures = [check_temperature(t) for t in temperatures]
    if not temperatures:
        raise ValueError("temperature_sweep needs at least one temperature")
    if num_samples < 2:
        raise ValueError(f"self-BLEU needs at least 2 samples, got {num_samples}")
    bleu = ReferenceBleu(references, orders)  # the references' tables, built once
    rows = []
    for temperature in temperatures:
        # The seed and the temperature's float64 bits key its stream: reproducible, and a
        # row is the same whichever other temperatures are swept.
        bits = int(np.float64(temperature).view(np.uint64))
        stream = np.random.SeedSequence([seed, bits]).generate_state(1, np.uint64)[0]
        rng = tf.random.Generator.from_seed(int(stream >> np.uint64(1)))
        tokens = generator.generate_many(num_samples, rng, temperature=temperature)
        metrics = bleu.bleu_and_self_bleu(decode(tokens))
        rows.append({"temperature": temperature, **metrics})
    return rows


def plot_temperature_sweep(
    curves: dict[str, list[dict[str, float]]],
    path: str,
    order: int = 2,
    title: str | None = None,
) -> str:
    """One line per model in the (self-BLEU-``order``, BLEU-``order``) plane, each point
    labelled with its temperature, written to ``path`` (PNG); returns ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 4.5))
    for (label, rows), marker in zip(curves.items(), "osd^v<>", strict=False):
        rows = sorted(rows, key=lambda row: row["temperature"])
        x = [row[f"self_bleu{order}"] for row in rows]
        y = [row[f"bleu{order}"] for row in rows]
        axis.plot(x, y, f"{marker}-", markersize=4, label=label)
        for row, xi, yi in zip(rows, x, y, strict=True):
            label_at = {"xytext": (3, 3), "textcoords": "offset points"}
            axis.annotate(f"{row['temperature']:g}", (xi, yi), fontsize=7, **label_at)
    axis.set_xlabel(f"self-BLEU-{order} (lower: more diverse)")
    axis.set_ylabel(f"BLEU-{order} against the test file (higher: closer to it)")
    # Wrapped: a title names the corpus, which can be long.
    title = title or f"Quality against diversity over the temperature (BLEU-{order})"
    axis.set_title("\n".join(textwrap.wrap(title, 60)), fontsize=10)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path
