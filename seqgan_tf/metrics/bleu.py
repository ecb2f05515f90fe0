"""Vectorised sentence BLEU against a fixed reference set: PG-BLEU's reward, text BLEU.

The paper's PG-BLEU baseline (Table 1) replaces SeqGAN's discriminator reward with the
sentence BLEU (equal 1-, 2-, 3-gram weights) of each generated sequence against the whole
real data set as references: ~10,000 references, ~1,200 hypotheses an iteration. Calling
nltk once per hypothesis is far too slow for that, so ``BleuScorer`` precomputes, once, the
largest count of every reference n-gram in any single reference, and scores a whole batch
of hypotheses with numpy array operations.

What is computed is exactly nltk's (3.10) ``sentence_bleu(references, hypothesis, weights)``
with its default smoothing (``SmoothingFunction().method0``), auto_reweigh off, or with
``smoothing="method1"`` nltk's ``SmoothingFunction().method1`` (Texygen's choice for text
BLEU and self-BLEU):

* p_n = sum over distinct hypothesis n-grams of min(count in the hypothesis, largest count in
  any single reference) / max(1, number of hypothesis n-grams). A hypothesis shorter than n
  has no n-grams: p_n = 0 / 1.
* If the unigram numerator is 0 (which includes the empty hypothesis), BLEU = 0.
* Otherwise every p_n whose numerator is 0 is replaced by ``sys.float_info.min`` (nltk warns
  and does this "so that log returns a 0 precision score"), so BLEU is then not 0 but a
  positive number far below any real score: with weights 1/3, exp(log(2.2e-308) / 3) ~ 6e-104
  times the other factors. This is matched, not rounded to 0. With method1 the numerator
  0 becomes epsilon = 0.1 instead: p_n = 0.1 / denominator.
* BLEU = BP * exp(sum_n w_n log p_n), with the brevity penalty BP = 1 if the hypothesis is
  longer than the closest reference length r, else exp(1 - r / hypothesis length) (ties in
  "closest" go to the shorter reference; 1 when the lengths are equal).

Lengths: references are one [R, L] array and hypotheses one [N, H] array. Without lengths
every reference has length L and every hypothesis length H (the oracle's sequences are all
20 tokens, as in the original code); H may differ from L, in which case r = L and the
brevity penalty applies when H < L. Sentences of different lengths (text corpora) come
padded, with ``reference_lengths`` [R] and ``lengths`` [N]: the tokens of a row past its
length are not part of it (their n-grams are never counted), and r is each hypothesis's
closest reference length, as nltk's ``closest_ref_length`` picks it.

Token ids are non-negative integers. Hypothesis ids that occur in no reference (including
ids above the largest reference id) are allowed; their n-grams simply never match.

Self-BLEU (Texygen's diversity measure: each sequence of a set scored against all the
others) is :meth:`BleuScorer.score_leave_one_out`: for each reference, the clipping count
of an n-gram is its largest count among the *other* references, which the reference table
gives from each n-gram's two largest counts, and its closest reference length is taken
among the other references' lengths.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np

_INT64_MAX = int(np.iinfo(np.int64).max)
# Bound on the [rows, P, P] boolean equality tensor built at a time when scoring.
_MAX_COMPARISONS_PER_CHUNK = 1 << 24
SMOOTHINGS = ("method0", "method1")
METHOD1_EPSILON = 0.1  # nltk's SmoothingFunction(epsilon=0.1)


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


def _as_lengths(lengths, rows: int, width: int, name: str) -> np.ndarray:
    """``lengths`` [rows] as int64 in [0, width]; all ``width`` when None."""
    if lengths is None:
        return np.full(rows, width, np.int64)
    out = np.asarray(lengths)
    if out.shape != (rows,) or (out.size and not np.issubdtype(out.dtype, np.integer)):
        raise ValueError(f"{name} must be {rows} integer lengths, got shape {out.shape}")
    if out.size and (out.min() < 0 or out.max() > width):
        raise ValueError(f"{name} must lie in [0, {width}] (the padded width)")
    return out.astype(np.int64)


def closest_lengths(
    hypothesis_lengths: np.ndarray, reference_lengths: np.ndarray, leave_one_out: bool = False
) -> np.ndarray:
    """nltk's ``closest_ref_length`` for each hypothesis: the reference length nearest to
    its length, ties to the shorter. With ``leave_one_out``, hypothesis i is reference i
    and its own length counts only if another reference has it too."""
    values, counts = np.unique(reference_lengths, return_counts=True)
    h = np.asarray(hypothesis_lengths, np.int64)[:, None]
    available = np.broadcast_to(counts, (len(h), len(values)))
    if leave_one_out:
        available = available - (values[None, :] == h)
    # Distance first, then the length itself: the smaller of two equally near lengths.
    key = np.abs(values[None, :] - h) * (values.max() + 1) + values[None, :]
    key = np.where(available > 0, key, np.iinfo(np.int64).max)
    return values[np.argmin(key, axis=1)]


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
      smoothing: nltk's ``SmoothingFunction`` method, ``method0`` (none, nltk's default,
        PG-BLEU's) or ``method1`` (epsilon 0.1 for zero counts, Texygen's).
      reference_lengths: [R] the length of each padded reference (None: all L).

    Raises:
      ValueError: for references that are not a non-empty rank-2 array of non-negative
        integers, a ``max_n`` below 1, weights of the wrong length or not finite, or a
        vocabulary so large that its n-gram keys (V**max_n, V = largest reference id + 1)
        do not fit in int64, or an unknown smoothing.
    """

    def __init__(
        self,
        references: np.ndarray,
        max_n: int = 3,
        weights: Sequence[float] | None = None,
        smoothing: str = "method0",
        reference_lengths: np.ndarray | None = None,
    ) -> None:
        if smoothing not in SMOOTHINGS:
            raise ValueError(f"smoothing must be one of {SMOOTHINGS}, got {smoothing!r}")
        self.smoothing = smoothing
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
        self.reference_lengths = _as_lengths(
            reference_lengths, refs.shape[0], refs.shape[1], "reference_lengths"
        )
        self._reference_ids = refs.astype(np.int64)
        # For each n: sorted distinct n-gram keys, their largest count in any one reference,
        # the reference holding it when only one does (else -1), and the second largest.
        self._tables = [self._reference_table(self._reference_ids, n) for n in range(1, max_n + 1)]

    def _reference_table(self, ids: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
        if ids.shape[1] < n:  # references shorter than n have no n-grams
            empty = np.zeros(0, np.int64)
            return empty, empty, empty, empty
        rows, positions = ids.shape[0], ids.shape[1] - n + 1
        keys = _ngram_keys(ids, n, self.vocab_size)
        # n-grams reaching past a reference's length are not its own: key -1, dropped.
        beyond = np.arange(positions)[None, :] > self.reference_lengths[:, None] - n
        keys = np.sort(np.where(beyond, -1, keys), axis=1).ravel()
        row = np.repeat(np.arange(rows), positions)
        # Runs of equal keys within one reference: their lengths are the per-reference counts.
        starts = np.flatnonzero(
            np.concatenate([[True], (keys[1:] != keys[:-1]) | (row[1:] != row[:-1])])
        )
        run_keys, run_rows = keys[starts], row[starts]
        run_counts = np.diff(np.append(starts, keys.size))
        real = run_keys >= 0
        run_keys, run_rows, run_counts = run_keys[real], run_rows[real], run_counts[real]
        # Largest count per key: sort by (key, count) and keep each key's last entry; the
        # entry before it, when of the same key, is the second largest.
        order = np.lexsort((run_counts, run_keys))
        run_keys, run_counts, run_rows = run_keys[order], run_counts[order], run_rows[order]
        last = np.flatnonzero(np.append(run_keys[1:] != run_keys[:-1], True))
        has_second = (last > 0) & (run_keys[np.maximum(last - 1, 0)] == run_keys[last])
        second = np.where(has_second, run_counts[np.maximum(last - 1, 0)], 0)
        largest = run_counts[last]
        holder = np.where(second < largest, run_rows[last], -1)
        return (
            run_keys[last],
            largest.astype(np.int64),
            holder.astype(np.int64),
            second.astype(np.int64),
        )

    def score(self, hypotheses: np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray:
        """Sentence BLEU [N] (float64) of each row of ``hypotheses`` [N, H], each of
        ``lengths`` [N] tokens (None: all H).

        Raises:
          ValueError: for hypotheses that are not a rank-2 array of non-negative integers,
            or lengths outside [0, H].
        """
        hyp = _as_token_array(hypotheses, "hypotheses")
        lengths = _as_lengths(lengths, hyp.shape[0], hyp.shape[1], "lengths")
        return self._score(hyp, lengths, leave_one_out=False)

    def score_leave_one_out(self) -> np.ndarray:
        """Sentence BLEU [R] of each reference against all the other references (its
        mean is Texygen's self-BLEU); needs at least two references."""
        if len(self._reference_ids) < 2:
            raise ValueError("leave-one-out BLEU needs at least two references")
        return self._score(self._reference_ids, self.reference_lengths, leave_one_out=True)

    def _score(self, hyp: np.ndarray, lengths: np.ndarray, leave_one_out: bool) -> np.ndarray:
        num_hyp, length = hyp.shape
        if num_hyp == 0 or length == 0:  # nltk: an empty hypothesis scores 0
            return np.zeros(num_hyp, dtype=np.float64)
        # Tokens past a row's length are treated as ids no reference has: they never match.
        beyond = np.arange(length)[None, :] >= lengths[:, None]
        out_of_vocab = (hyp >= self.vocab_size) | beyond  # compared before any cast
        ids = np.where(out_of_vocab, 0, hyp).astype(np.int64)

        numerators = np.zeros((num_hyp, self.max_n), dtype=np.int64)
        largest_p = length  # unigram positions
        chunk = max(1, _MAX_COMPARISONS_PER_CHUNK // (largest_p * largest_p))
        for start in range(0, num_hyp, chunk):
            stop = min(start + chunk, num_hyp)
            rows = np.arange(start, stop) if leave_one_out else None
            numerators[start:stop] = self._clipped_counts(
                ids[start:stop], out_of_vocab[start:stop], rows
            )

        orders = np.arange(1, self.max_n + 1)
        denominators = np.maximum(1, lengths[:, None] - orders[None, :] + 1).astype(np.float64)
        precisions = numerators / denominators
        if self.smoothing == "method1":
            precisions = np.where(numerators == 0, METHOD1_EPSILON / denominators, precisions)
        else:
            precisions = np.where(numerators == 0, sys.float_info.min, precisions)
        log_bleu = np.sum(self.weights * np.log(precisions), axis=1)

        r = closest_lengths(lengths, self.reference_lengths, leave_one_out)
        with np.errstate(divide="ignore", invalid="ignore"):  # length 0 scores 0 below
            brevity = np.where(lengths > r, 1.0, np.exp(1.0 - r / lengths))
        bleu = brevity * np.exp(log_bleu)
        return np.where(numerators[:, 0] == 0, 0.0, bleu)

    def _clipped_counts(
        self, ids: np.ndarray, out_of_vocab: np.ndarray, reference_rows: np.ndarray | None
    ) -> np.ndarray:
        """Clipped n-gram match counts [rows, max_n] (the numerators of p_1..p_max_n);
        with ``reference_rows``, row i is reference ``reference_rows[i]``, clipped by the
        other references only."""
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

            table_keys, largest, holder, second = self._tables[n - 1]
            if table_keys.size:
                idx = np.minimum(np.searchsorted(table_keys, keys), table_keys.size - 1)
                counts = largest[idx]
                if reference_rows is not None:
                    counts = np.where(holder[idx] == reference_rows[:, None], second[idx], counts)
                ref_max = np.where(table_keys[idx] == keys, counts, 0)
            else:
                ref_max = np.zeros_like(keys)

            equal = keys[:, :, None] == keys[:, None, :]  # [rows, P, P]
            count_in_hyp = equal.sum(axis=2)
            # Each distinct n-gram counted once, at its first position: sum of min(count, max).
            first = ~np.any(np.tril(equal, k=-1), axis=2)
            clipped = np.minimum(count_in_hyp, ref_max)
            numerators[:, n - 1] = np.sum(np.where(first, clipped, 0), axis=1)
        return numerators
