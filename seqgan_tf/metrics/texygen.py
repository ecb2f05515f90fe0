"""Texygen's COCO benchmark: its published SeqGAN and MLE numbers and its two protocols.

Texygen (Zhu et al., "Texygen: A Benchmarking Platform for Text Generation Models",
SIGIR 2018) is the reference implementation whose Image COCO numbers later text-GAN papers
(LeakGAN, RelGAN, TextGAN-PyTorch) compare with. Its repository's README (github.com/
geek-ai/Texygen, commit 3104e22, "Evaluation Results"; the same tables in
docs/evaluation.md) reports, on the COCO test file, BLEU-2..5 and self-BLEU-2..5 of
SeqGAN and MLE (:data:`PUBLISHED`). It publishes no NLL-test for COCO (its NLL figures are
of the oracle experiment), so none is given here.

**Two protocols.** ``utils/metrics/Bleu.py`` and ``SelfBleu.py`` (commit 3104e22) each
have two code paths, chosen by ``get_score(is_fast=True)`` (Bleu.py:24-32,
SelfBleu.py:23-31):

* :func:`fast_protocol`, ``is_fast=True``, the default: BLEU against
  ``reference[0:500]``, the first 500 lines of the test file in file order
  (``get_bleu_fast``, Bleu.py:62-66); self-BLEU within the first 500 generated
  sentences, each against the other 499 (SelfBleu.py:61-65).
* :func:`full_protocol`, ``is_fast=False``: ``get_bleu_parallel()`` with ``reference=None``
  takes every line of the test file as a reference (Bleu.py:68-71, ``get_reference``
  Bleu.py:34-44) for every generated line (Bleu.py:75-78); self-BLEU scores every
  generated sentence against all the others, leave-one-out over the whole generated file
  (SelfBleu.py:67-78). This is :mod:`seqgan_tf.metrics.text`'s own protocol, with
  :data:`NUM_SAMPLES` samples instead of a run's ``eval_samples``.

**The published numbers follow the full protocol.** Nothing in Texygen's code creates a
``Bleu`` or ``SelfBleu`` (no ``Bleu(`` or ``SelfBleu(`` call in the repository; models
import ``Bleu`` unused, e.g. models/mle/Mle.py:6): SeqGAN's ``init_real_metric`` adds
only an embedding similarity and the NLL (models/seqgan/Seqgan.py:287-294), the metrics
``Gan.evaluate`` scores during training (models/Gan.py:57). So the published
tables came from a separate evaluation, and only ``is_fast=False`` is consistent with
them: under the fast protocol even the COCO training file's own first 9,984 sentences
score far below the BLEU published for MLE, while under the full one this port's MLE lands
near every published BLEU (docs/RESULTS.md, "Text", tables both).

What else its code does where this project differs, read from the same commit:

* **Hypotheses**: every line of the generated file: ``main.py`` sets ``generate_num =
  10000`` (main.py:28) and ``generate_samples`` writes ``int(10000 / 64) = 156`` batches
  of 64 (utils/utils.py:8), 9,984 sentences (:data:`NUM_SAMPLES`).
* **Smoothing, weights**: nltk ``SmoothingFunction().method1``, uniform 1/n: the same.
* **Tokens**: ``nltk.word_tokenize`` of each line, for the training data
  (``utils/text_process.py``) and the metrics alike (``--tokens=nltk`` here). Samples are
  scored here as the token lists they were generated as, not written and re-split.
* **Samples**: decoded by ``code_to_text``, which drops every EOF id wherever it is, so
  words drawn after an EOF stay in the sentence; here samples end at their first end
  token (:mod:`seqgan_tf.models.generator`). :func:`after_end_protocol` scores the same
  draws decoded Texygen's way.
* **NLL-test**: ``models/seqgan/Seqgan.py`` ``init_real_metric`` names ``nll-test`` the
  generator's MLE loss (mean over all positions, EOF padding included) over
  ``gen_data_loader``, which holds the *training* file; ``nll_all_positions`` of
  :func:`seqgan_tf.metrics.text.nll_test` is that definition.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from seqgan_tf.data.vocabulary import END_ID
from seqgan_tf.metrics.text import (
    SENTENCE_BLEU_ORDERS,
    bleu_and_self_bleu,
    mean_bleu,
    mean_self_bleu,
)

SOURCE = "github.com/geek-ai/Texygen README.md, commit 3104e22, 'Evaluation Results'"
NUM_REFERENCES = 500  # Bleu.sample_size, the fast protocol's references
NUM_SELF_BLEU_SAMPLES = 500  # SelfBleu.sample_size, the fast protocol's self-BLEU samples
NUM_SAMPLES = 156 * 64  # generate_num 10,000 in whole batches of 64

if TYPE_CHECKING:
    import tensorflow as tf

    from seqgan_tf.data.corpus import TextCorpus
    from seqgan_tf.data.vocabulary import TokenVocabulary
    from seqgan_tf.models.token_lstm import TokenLSTM

# BLEU-n on the COCO test file and self-BLEU-n, SeqGAN and MLE, as published.
PUBLISHED = {
    "seqgan": {
        "bleu2": 0.745,
        "bleu3": 0.498,
        "bleu4": 0.294,
        "bleu5": 0.180,
        "self_bleu2": 0.950,
        "self_bleu3": 0.840,
        "self_bleu4": 0.670,
        "self_bleu5": 0.489,
    },
    "mle": {
        "bleu2": 0.731,
        "bleu3": 0.497,
        "bleu4": 0.305,
        "bleu5": 0.189,
        "self_bleu2": 0.916,
        "self_bleu3": 0.769,
        "self_bleu4": 0.583,
        "self_bleu5": 0.408,
    },
}


def fast_protocol(
    samples: list[list[str]],
    test_sentences: list[list[str]],
    orders: tuple[int, ...] = SENTENCE_BLEU_ORDERS,
) -> dict[str, float]:
    """Texygen's ``is_fast=True`` protocol: ``bleu{n}`` of every sample against the first
    :data:`NUM_REFERENCES` test sentences (in file order), ``self_bleu{n}`` within the
    first :data:`NUM_SELF_BLEU_SAMPLES` samples, leave-one-out. Give it
    :data:`NUM_SAMPLES` samples to match Texygen's count."""
    return {
        **mean_bleu(samples, test_sentences[:NUM_REFERENCES], orders),
        **mean_self_bleu(samples[:NUM_SELF_BLEU_SAMPLES], orders),
    }


def full_protocol(
    samples: list[list[str]],
    test_sentences: list[list[str]],
    orders: tuple[int, ...] = SENTENCE_BLEU_ORDERS,
) -> dict[str, float]:
    """Texygen's ``is_fast=False`` protocol, the one its published numbers follow:
    ``bleu{n}`` of every sample against every test sentence, ``self_bleu{n}`` of every
    sample against all the other samples (leave-one-out over all of them). Give it
    :data:`NUM_SAMPLES` samples to match Texygen's count."""
    return bleu_and_self_bleu(samples, test_sentences, orders)


def protocol_samples(
    generators: dict[str, TokenLSTM], rng: tf.random.Generator
) -> dict[str, np.ndarray]:
    """:data:`NUM_SAMPLES` token rows [N, T] of each of ``generators`` (by name), drawn
    in their order from ``rng``, as the LSTM drew them (``raw``: the tokens after a
    sample's first END too, which Texygen's decoding keeps; :func:`decoded_with_real`
    stops at that END, as a canonical sample does)."""
    return {
        name: generator.generate_many(NUM_SAMPLES, rng, raw=True)
        for name, generator in generators.items()
    }


def protocol_sentences(
    generators: dict[str, TokenLSTM], corpus: TextCorpus, rng: tf.random.Generator
) -> dict[str, list[list[str]]]:
    """:func:`protocol_samples` as :func:`decoded_with_real` gives them."""
    return decoded_with_real(protocol_samples(generators, rng), corpus)


def decoded_with_real(samples: dict[str, np.ndarray], corpus: TextCorpus) -> dict:
    """``samples`` decoded (each up to its first end token), and as ``real`` the training
    file's first :data:`NUM_SAMPLES` sentences."""
    sentences = {name: corpus.vocabulary.decode(tokens) for name, tokens in samples.items()}
    sentences["real"] = corpus.train_references[:NUM_SAMPLES]
    return sentences


def words_after_end(tokens: np.ndarray) -> np.ndarray:
    """[N]: how many tokens other than END each row of ``tokens`` [N, T] holds after its
    first END (0 for a row without one): the words Texygen's decoding keeps and this
    project's drops."""
    tokens = np.asarray(tokens)
    is_end = tokens == END_ID
    after_first_end = np.cumsum(is_end, axis=1) > 0
    return np.sum(after_first_end & ~is_end, axis=1)


def after_end_protocol(
    samples: dict[str, np.ndarray],
    vocabulary: TokenVocabulary,
    test_sentences: list[list[str]],
) -> dict[str, dict[str, float]]:
    """:func:`full_protocol` of the same samples decoded as Texygen's ``code_to_text``
    decodes them (every token but END, the words drawn after an end kept), by name, with
    the share of samples that hold such words and their mean count per sample: one of
    the differences between Texygen's self-BLEU and this project's, measured on its own
    (docs/runs/READINGS.md, the text section)."""
    measured = {}
    for name, tokens in samples.items():
        after = words_after_end(tokens)
        measured[name] = {
            **full_protocol(vocabulary.decode_all_but_end(tokens), test_sentences),
            "share_with_words_after_end": float(np.mean(after > 0)),
            "mean_words_after_end": float(np.mean(after)),
        }
    return measured


def both_protocols(
    sentences: dict[str, list[list[str]]],
    test_sentences: list[list[str]],
    seconds: dict[str, dict[str, float]] | None = None,
) -> dict[str, dict[str, dict[str, float]]]:
    """Each set of ``sentences`` (by name) under both protocols: {"fast": {name: metrics},
    "full": {name: metrics}}; with ``seconds``, the time each scoring took, alike."""
    measured: dict[str, dict[str, dict[str, float]]] = {}
    for protocol, score in (("fast", fast_protocol), ("full", full_protocol)):
        measured[protocol] = {}
        for name, chosen in sentences.items():
            start = time.perf_counter()
            measured[protocol][name] = score(chosen, test_sentences)
            if seconds is not None:
                seconds.setdefault(protocol, {})[name] = round(time.perf_counter() - start, 1)
    return measured
