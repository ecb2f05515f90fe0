"""What the text experiment measures: BLEU against the test split, self-BLEU, test NLL.

The paper's Table 2 scores generated poems by BLEU-2 "with the whole test set as the
references" (confirmed by the authors in their repository's issue #12); it does not say
how many poems it generated or which smoothing it used. This follows Texygen (Zhu et al.,
2018), the benchmark platform whose numbers later papers compare with, with the whole test
file as the references, as the paper says and as Texygen's published numbers have them.

Sentences of any length (:mod:`seqgan_tf.data.corpus`, the COCO benchmark) are scored as
token lists, everything from a sequence's first end token on cut away:

* **BLEU-2..5** (:func:`bleu_and_self_bleu`): each generated sentence against *every*
  sentence of the test file as references (nltk sentence BLEU, uniform weights, smoothing
  method 1, :class:`SentenceBleu`; :class:`ReferenceBleu` keeps the test file's tables for a
  run), averaged; **self-BLEU-2..5** the same of each generated sentence against all the
  *other* generated ones. This is Texygen's ``is_fast=False`` protocol, the one its
  published numbers follow, but for the number of samples; its code's default, the fast
  one (500 references, self-BLEU within the first 500 samples), differs:
  :mod:`seqgan_tf.metrics.texygen` computes both, labelled.
* **NLL of the test file** (:func:`nll_test`): -log p of each test sentence's tokens up
  to and including its first end token (the padding after it is not a choice of the
  model), per word (summed over every test sentence, divided by the number of tokens
  counted) and per sentence (the mean of the sums). Texygen's ``nll-test`` is the MLE
  loss instead, a mean over all T positions, padding included (``nll_all_positions``).
* **The real-data row** (:func:`real_data_metrics`): the same BLEU of a seeded sample of
  the test file's sentences, as many as are generated, against the training file, and
  their self-BLEU: the scores of sentences that are real.

BLEU is computed by :class:`seqgan_tf.metrics.bleu.BleuScorer`, which equals nltk
(``tests/test_seqgan_bleu.py``, ``tests/test_seqgan_sentence_metrics.py``).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from seqgan_tf.metrics.bleu import BleuScorer
from seqgan_tf.models.token_lstm import TokenLSTM

SENTENCE_BLEU_ORDERS = (2, 3, 4, 5)  # the COCO benchmark's
_NLL_BATCH = 512


class SentenceBleu:
    """Sentence BLEU of token sentences (lists of strings, any lengths) against a fixed
    set of reference sentences: nltk's ``sentence_bleu`` with uniform weights.

    Tokens are compared as strings: a hypothesis token that no reference holds matches
    nothing. Self-BLEU is :meth:`score_leave_one_out`.
    """

    def __init__(self, references: list[list[str]], max_n: int, smoothing: str = "method1") -> None:
        if not references:
            raise ValueError("BLEU needs at least one reference sentence")
        self.index: dict[str, int] = {}
        for sentence in references:
            for token in sentence:
                self.index.setdefault(token, len(self.index))
        ids, lengths = self._encode(references)
        self.scorer = BleuScorer(ids, max_n, smoothing=smoothing, reference_lengths=lengths)

    def _encode(self, sentences: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        unknown = len(self.index)  # above every reference id: never matches
        width = max(1, max((len(s) for s in sentences), default=0))
        ids = np.zeros((len(sentences), width), np.int64)
        for row, sentence in enumerate(sentences):
            ids[row, : len(sentence)] = [self.index.get(t, unknown) for t in sentence]
        return ids, np.array([len(s) for s in sentences], np.int64)

    def score(self, hypotheses: list[list[str]]) -> np.ndarray:
        """BLEU [N] of each hypothesis sentence against all the references."""
        if not hypotheses:
            return np.zeros(0)
        return self.scorer.score(*self._encode(hypotheses))

    def score_leave_one_out(self) -> np.ndarray:
        """BLEU [R] of each reference against the other references (self-BLEU's terms)."""
        return self.scorer.score_leave_one_out()


class ReferenceBleu:
    """BLEU-n of sentences against one fixed set of references for each of ``orders``,
    the references' n-gram tables built once: a run scores every evaluation against the
    same test file."""

    def __init__(
        self, references: list[list[str]], orders: tuple[int, ...] = SENTENCE_BLEU_ORDERS
    ) -> None:
        self.orders = orders
        self.scorers = {n: SentenceBleu(references, n) for n in orders}

    def mean_bleu(self, samples: list[list[str]]) -> dict[str, float]:
        """``bleu{n}``: the mean BLEU-n of ``samples`` against all the references."""
        return {f"bleu{n}": float(np.mean(s.score(samples))) for n, s in self.scorers.items()}

    def bleu_and_self_bleu(self, samples: list[list[str]]) -> dict[str, float]:
        """:meth:`mean_bleu` and :func:`mean_self_bleu` of ``samples`` in one dict."""
        return {**self.mean_bleu(samples), **mean_self_bleu(samples, self.orders)}


def mean_bleu(
    samples: list[list[str]],
    references: list[list[str]],
    orders: tuple[int, ...] = SENTENCE_BLEU_ORDERS,
) -> dict[str, float]:
    """``bleu{n}``: the mean BLEU-n of ``samples`` against all of ``references``."""
    return ReferenceBleu(references, orders).mean_bleu(samples)


def mean_self_bleu(
    samples: list[list[str]], orders: tuple[int, ...] = SENTENCE_BLEU_ORDERS
) -> dict[str, float]:
    """``self_bleu{n}``: the mean BLEU-n of each sample against the other samples."""
    return {
        f"self_bleu{n}": float(np.mean(SentenceBleu(samples, n).score_leave_one_out()))
        for n in orders
    }


def bleu_and_self_bleu(
    samples: list[list[str]],
    references: list[list[str]],
    orders: tuple[int, ...] = SENTENCE_BLEU_ORDERS,
) -> dict[str, float]:
    """:func:`mean_bleu` and :func:`mean_self_bleu` of ``samples`` in one dict."""
    return ReferenceBleu(references, orders).bleu_and_self_bleu(samples)


def real_data_metrics(
    test_sentences: list[list[str]],
    train_sentences: list[list[str]],
    num_samples: int,
    seed: int,
    orders: tuple[int, ...] = SENTENCE_BLEU_ORDERS,
) -> dict[str, float]:
    """:func:`bleu_and_self_bleu` of ``num_samples`` test sentences (a seeded choice;
    all of them when fewer) against the training sentences: the real-data row."""
    count = min(num_samples, len(test_sentences))
    chosen = np.random.default_rng(seed).choice(len(test_sentences), count, replace=False)
    return bleu_and_self_bleu([test_sentences[i] for i in chosen], train_sentences, orders)


def nll_test(
    model: TokenLSTM, tokens: np.ndarray, end_token: int, unknown_token: int | None = None
) -> dict[str, float]:
    """NLL of END-padded ``tokens`` [N, T] under ``model`` (teacher forced):

    ``nll_per_word``: the sum of -log p over every sentence's tokens up to and including
    its first ``end_token``, divided by how many tokens that is; ``nll_per_sentence``:
    the mean over sentences of that sum; ``nll_all_positions``: Texygen's, -log(clip(p,
    1e-20, 1)) averaged over all N x T positions, padding included (its MLE loss).

    With ``unknown_token``, also ``nll_per_word_known`` and ``nll_per_sentence_known``:
    the same over the sentences that hold no unknown token, and ``known_sentences``, how
    many. A vocabulary with no rare training token mapped to the unknown id never
    trains its probability, so each unknown test token would weigh like a near-impossible
    word (COCO: 32% of the test captions hold a word the training file lacks).
    """
    tokens = np.asarray(tokens, np.int32)
    log_p = np.concatenate(
        [
            model.token_log_probs(tf.constant(tokens[i : i + _NLL_BATCH])).numpy()
            for i in range(0, len(tokens), _NLL_BATCH)
        ]
    ).astype(np.float64)
    is_end = tokens == end_token
    first = np.where(is_end.any(axis=1), is_end.argmax(axis=1), tokens.shape[1] - 1)
    counted = np.arange(tokens.shape[1])[None, :] <= first[:, None]
    sums = -np.sum(np.where(counted, log_p, 0.0), axis=1)
    metrics = {
        "nll_per_word": float(sums.sum() / counted.sum()),
        "nll_per_sentence": float(sums.mean()),
        "nll_all_positions": float(-np.mean(np.maximum(log_p, np.log(1e-20)))),
    }
    if unknown_token is not None:
        known = ~np.any(counted & (tokens == unknown_token), axis=1)
        metrics["known_sentences"] = int(known.sum())
        if known.any():
            metrics["nll_per_word_known"] = float(sums[known].sum() / counted[known].sum())
            metrics["nll_per_sentence_known"] = float(sums[known].mean())
    return metrics
