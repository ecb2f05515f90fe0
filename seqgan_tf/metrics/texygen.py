"""Texygen's COCO benchmark: its published SeqGAN and MLE numbers and its protocol.

Texygen (Zhu et al., "Texygen: A Benchmarking Platform for Text Generation Models",
SIGIR 2018) is the reference implementation whose Image COCO numbers later text-GAN papers
(LeakGAN, RelGAN, TextGAN-PyTorch) compare with. Its repository's README (github.com/
geek-ai/Texygen, commit 3104e22, "Evaluation Results"; the same tables in
docs/evaluation.md) reports, on the COCO test file, BLEU-2..5 and self-BLEU-2..5 of
SeqGAN and MLE (:data:`PUBLISHED`). It publishes no NLL-test for COCO (its NLL figures are
of the oracle experiment), so none is given here.

What its code does where this project's protocol (:mod:`seqgan_tf.metrics.text`)
differs, read from the same commit:

* **References**: ``utils/metrics/Bleu.py`` ``get_score(is_fast=True)`` scores against
  ``reference[0:500]``, the first 500 lines of the test file in file order, not all of it.
* **Hypotheses**: every line of the generated file: ``main.py`` sets ``generate_num =
  10000`` and ``generate_samples`` writes ``int(10000 / 64) = 156`` batches of 64, 9,984
  sentences (:data:`NUM_SAMPLES`).
* **Self-BLEU**: ``utils/metrics/SelfBleu.py``, also ``is_fast``: the first 500 generated
  sentences, each against the other 499 (leave-one-out, as here, but within 500).
* **Smoothing, weights**: nltk ``SmoothingFunction().method1``, uniform 1/n: the same.
* **Tokens**: ``nltk.word_tokenize`` of each line, for the training data
  (``utils/text_process.py``) and the metrics alike (``--tokens=nltk`` here).
* **Samples**: decoded by ``code_to_text``, which drops every EOF id wherever it is, so
  words drawn after an EOF stay in the sentence; here samples end at their first end
  token (:mod:`seqgan_tf.models.generator`).
* **NLL-test**: ``models/seqgan/Seqgan.py`` ``init_real_metric`` names ``nll-test`` the
  generator's MLE loss (mean over all positions, EOF padding included) over
  ``gen_data_loader``, which holds the *training* file; ``nll_all_positions`` of
  :func:`seqgan_tf.metrics.text.nll_test` is that definition.
"""

from __future__ import annotations

from seqgan_tf.metrics.text import SENTENCE_BLEU_ORDERS, mean_bleu, mean_self_bleu

SOURCE = "github.com/geek-ai/Texygen README.md, commit 3104e22, 'Evaluation Results'"
NUM_REFERENCES = 500  # Bleu.sample_size
NUM_SELF_BLEU_SAMPLES = 500  # SelfBleu.sample_size
NUM_SAMPLES = 156 * 64  # generate_num 10,000 in whole batches of 64

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


def texygen_bleu(
    samples: list[list[str]],
    test_sentences: list[list[str]],
    orders: tuple[int, ...] = SENTENCE_BLEU_ORDERS,
) -> dict[str, float]:
    """Texygen's ``is_fast`` protocol: ``bleu{n}`` of every sample against the first
    :data:`NUM_REFERENCES` test sentences (in file order), ``self_bleu{n}`` within the
    first :data:`NUM_SELF_BLEU_SAMPLES` samples, leave-one-out. Give it
    :data:`NUM_SAMPLES` samples to match Texygen's count."""
    return {
        **mean_bleu(samples, test_sentences[:NUM_REFERENCES], orders),
        **mean_self_bleu(samples[:NUM_SELF_BLEU_SAMPLES], orders),
    }
