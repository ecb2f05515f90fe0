"""Vectorised sentence BLEU against a fixed reference set: the PG-BLEU baseline's reward.

The paper's PG-BLEU baseline (Table 1) replaces SeqGAN's discriminator reward with the
sentence BLEU (equal 1-, 2-, 3-gram weights) of each generated sequence against the whole
real data set as references: ~10,000 references, ~1,200 hypotheses an iteration. Calling
nltk once per hypothesis is far too slow for that, so ``BleuScorer`` precomputes, once, the
largest count of every reference n-gram in any single reference, and scores a whole batch
of hypotheses with numpy array operations.

What is computed is exactly nltk's (3.10) ``sentence_bleu(references, hypothesis, weights)``
with its default smoothing (``SmoothingFunction().method0``), auto_reweigh off:

* p_n = sum over distinct hypothesis n-grams of min(count in the hypothesis, largest count in
  any single reference) / max(1, number of hypothesis n-grams). A hypothesis shorter than n
  has no n-grams: p_n = 0 / 1.
* If the unigram numerator is 0 (which includes the empty hypothesis), BLEU = 0.
* Otherwise every p_n whose numerator is 0 is replaced by ``sys.float_info.min`` (nltk warns
  and does this "so that log returns a 0 precision score"), so BLEU is then not 0 but a
  positive number far below any real score: with weights 1/3, exp(log(2.2e-308) / 3) ~ 6e-104
  times the other factors. This is matched, not rounded to 0.
* BLEU = BP * exp(sum_n w_n log p_n), with the brevity penalty BP = 1 if the hypothesis is
  longer than the closest reference length r, else exp(1 - r / hypothesis length) (ties in
  "closest" go to the shorter reference; 1 when the lengths are equal).

Lengths: references are one [R, L] array and hypotheses one [N, H] array, so every reference
has length L and every hypothesis length H. There is no padding or variable length (the
project's sequences are all 20 tokens, as in the original code); H may differ from L, in
which case r = L and the brevity penalty applies when H < L.

Token ids are non-negative integers. Hypothesis ids that occur in no reference (including
ids above the largest reference id) are allowed; their n-grams simply never match.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np

_INT64_MAX = int(np.iinfo(np.int64).max)
# Bound on the [rows, P, P] boolean equality tensor built at a time when scoring.
_MAX_COMPARISONS_PER_CHUNK = 1 << 24


def _as_token_array(x: np.ndarray, name: str) -> np.ndarray:
    """Checks a rank-2, integer, non-negative token array; returns it (not yet cast)."""
    arr = np.asarray(x)
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a rank-2 array [count, length] of token ids, got shape {arr.shape}"
        )
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name} must hold integer token ids, got dtype {arr.dtype}")
    if arr.size and arr.min() < 0:
        raise ValueError(f"{name} must hold non-negative token ids, found {arr.min()}")
    return arr


def _ngram_keys(ids: np.ndarray, n: int, base: int) -> np.ndarray:
    """Base-``base`` integer keys [rows, length - n + 1] of the n-grams of ``ids`` [rows, length].

    ``ids`` must be int64 with every id < ``base`` and base**n <= 2**63.
    """
    positions = ids.shape[1] - n + 1
    keys = np.zeros((ids.shape[0], positions), dtype=np.int64)
    for k in range(n):
        keys = keys * base + ids[:, k : k + positions]
    return keys


class BleuScorer:
    """Sentence BLEU of many hypotheses against one fixed reference set (nltk's definition).

    Args:
      references: [R, L] non-negative integer token ids, R >= 1, L >= 1. All references have
        the same length L (no padding; see the module docstring).
      max_n: the largest n-gram order (BLEU-``max_n``).
      weights: ``max_n`` weights for the 1..max_n-gram log precisions; uniform (1 / max_n)
        by default, as PG-BLEU's (1/3, 1/3, 1/3).

    Raises:
      ValueError: for references that are not a non-empty rank-2 array of non-negative
        integers, a ``max_n`` below 1, weights of the wrong length or not finite, or a
        vocabulary so large that its n-gram keys (V**max_n, V = largest reference id + 1)
        do not fit in int64.
    """

    def __init__(
        self,
        references: np.ndarray,
        max_n: int = 3,
        weights: Sequence[float] | None = None,
    ) -> None:
        refs = _as_token_array(references, "references")
        if refs.shape[0] == 0:
            raise ValueError("references is empty: BLEU needs at least one reference")
        if refs.shape[1] == 0:
            raise ValueError("references have length 0: there are no n-grams to match")
        if isinstance(max_n, bool) or not isinstance(max_n, int | np.integer) or max_n < 1:
            raise ValueError(f"max_n must be an integer >= 1, got {max_n!r}")
        max_n = int(max_n)
        if weights is None:
            weights = [1.0 / max_n] * max_n
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (max_n,):
            raise ValueError(f"weights must have max_n={max_n} entries, got {list(weights)}")
        if not np.all(np.isfinite(w)):
            raise ValueError(f"weights must be finite, got {list(weights)}")

        self.vocab_size = int(refs.max()) + 1
        if self.vocab_size**max_n > _INT64_MAX + 1:
            raise ValueError(
                f"{max_n}-gram keys over a vocabulary of {self.vocab_size} "
                f"(largest reference id + 1) do not fit in int64: "
                f"{self.vocab_size}**{max_n} > 2**63"
            )
        self.max_n = max_n
        self.weights = w
        self.reference_length = int(refs.shape[1])
        ids = refs.astype(np.int64)
        # For each n: sorted distinct n-gram keys and their largest count in any one reference.
        self._keys: list[np.ndarray] = []
        self._max_counts: list[np.ndarray] = []
        for n in range(1, max_n + 1):
            keys, counts = self._reference_table(ids, n)
            self._keys.append(keys)
            self._max_counts.append(counts)

    def _reference_table(self, ids: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        if ids.shape[1] < n:  # references shorter than n have no n-grams
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        rows, positions = ids.shape[0], ids.shape[1] - n + 1
        keys = np.sort(_ngram_keys(ids, n, self.vocab_size), axis=1).ravel()
        row = np.repeat(np.arange(rows), positions)
        # Runs of equal keys within one reference: their lengths are the per-reference counts.
        starts = np.flatnonzero(
            np.concatenate([[True], (keys[1:] != keys[:-1]) | (row[1:] != row[:-1])])
        )
        run_keys = keys[starts]
        run_counts = np.diff(np.append(starts, keys.size))
        # Largest count per key: sort by (key, count) and keep each key's last entry.
        order = np.lexsort((run_counts, run_keys))
        run_keys, run_counts = run_keys[order], run_counts[order]
        last = np.append(run_keys[1:] != run_keys[:-1], True)
        return run_keys[last], run_counts[last].astype(np.int64)

    def score(self, hypotheses: np.ndarray) -> np.ndarray:
        """Sentence BLEU [N] (float64) of each row of ``hypotheses`` [N, H].

        Raises:
          ValueError: for hypotheses that are not a rank-2 array of non-negative integers.
        """
        hyp = _as_token_array(hypotheses, "hypotheses")
        num_hyp, length = hyp.shape
        if num_hyp == 0 or length == 0:  # nltk: an empty hypothesis scores 0
            return np.zeros(num_hyp, dtype=np.float64)
        out_of_vocab = hyp >= self.vocab_size  # compared before any cast: no overflow
        ids = np.where(out_of_vocab, 0, hyp).astype(np.int64)

        numerators = np.zeros((num_hyp, self.max_n), dtype=np.int64)
        largest_p = length  # unigram positions
        chunk = max(1, _MAX_COMPARISONS_PER_CHUNK // (largest_p * largest_p))
        for start in range(0, num_hyp, chunk):
            stop = min(start + chunk, num_hyp)
            numerators[start:stop] = self._clipped_counts(ids[start:stop], out_of_vocab[start:stop])

        orders = np.arange(1, self.max_n + 1)
        denominators = np.maximum(1, length - orders + 1).astype(np.float64)
        precisions = numerators / denominators
        precisions = np.where(numerators == 0, sys.float_info.min, precisions)
        log_bleu = np.sum(self.weights * np.log(precisions), axis=1)

        r = self.reference_length
        brevity = 1.0 if length > r else float(np.exp(1.0 - r / length))
        bleu = brevity * np.exp(log_bleu)
        return np.where(numerators[:, 0] == 0, 0.0, bleu)

    def _clipped_counts(self, ids: np.ndarray, out_of_vocab: np.ndarray) -> np.ndarray:
        """Clipped n-gram match counts [rows, max_n] (the numerators of p_1..p_max_n)."""
        rows, length = ids.shape
        numerators = np.zeros((rows, self.max_n), dtype=np.int64)
        for n in range(1, min(self.max_n, length) + 1):
            positions = length - n + 1
            keys = _ngram_keys(ids, n, self.vocab_size)
            oov = np.zeros((rows, positions), dtype=bool)
            for k in range(n):
                oov |= out_of_vocab[:, k : k + positions]
            # An n-gram with an id no reference has cannot match; give it a negative key that
            # is unique within its row, so it equals no other n-gram of the hypothesis.
            keys = np.where(oov, -1 - np.arange(positions), keys)

            table_keys, table_counts = self._keys[n - 1], self._max_counts[n - 1]
            if table_keys.size:
                idx = np.minimum(np.searchsorted(table_keys, keys), table_keys.size - 1)
                ref_max = np.where(table_keys[idx] == keys, table_counts[idx], 0)
            else:
                ref_max = np.zeros_like(keys)

            equal = keys[:, :, None] == keys[:, None, :]  # [rows, P, P]
            count_in_hyp = equal.sum(axis=2)
            # Each distinct n-gram counted once, at its first position: sum of min(count, max).
            first = ~np.any(np.tril(equal, k=-1), axis=2)
            clipped = np.minimum(count_in_hyp, ref_max)
            numerators[:, n - 1] = np.sum(np.where(first, clipped, 0), axis=1)
        return numerators
