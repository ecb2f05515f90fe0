"""What the text experiment measures: BLEU against the test split, self-BLEU, test NLL.

The paper's Table 2 scores generated poems by BLEU-2 "with the whole test set as the
references" (confirmed by the authors in their repository's issue #12); it does not say
how many poems it generated or which smoothing it used. This follows Texygen (Zhu et al.,
2018), the benchmark platform whose numbers later papers compare with:

* **BLEU-n**: nltk's sentence BLEU (uniform weights 1/n, ``SmoothingFunction().method1``)
  of each generated sequence against every test sequence as a reference, averaged over
  the generated sequences. Texygen scores against its first 500 test sentences; here all
  of the test split is used, as the paper says.
* **self-BLEU-n**: the same BLEU of each generated sequence against all the *other*
  generated sequences, averaged (Texygen's diversity measure; higher = less diverse).
  Texygen takes 500 sequences; here as many as are generated for BLEU, so both numbers
  describe one set.
* **BLEU-2 against the training split** (``bleu2_train``): the same BLEU-2 with the training
  split as references. Not the paper's stated protocol, but the scale its numbers are on:
  training poems scored against the test split reach a BLEU-2 far below the paper's 0.746
  for real data, while test poems scored against the training split come close to it
  (docs/RESULTS.md), so a reference set of the training split's size is the likelier reading.
* **test NLL**: the mean per-token -log p of the test split under the generator, teacher
  forced, the same quantity as the MLE training loss (no 1e-20 clipping).

Both BLEU numbers are computed by :class:`seqgan_tf.metrics.bleu.BleuScorer`, which equals nltk
(``tests/test_seqgan_text_metrics.py``).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from seqgan_tf.metrics.bleu import BleuScorer
from seqgan_tf.models.token_lstm import TokenLSTM

BLEU_ORDERS = (2, 3, 4)
_NLL_BATCH = 512


def bleu_scorers(references: np.ndarray) -> dict[int, BleuScorer]:
    """Method-1 BLEU scorers of each order in :data:`BLEU_ORDERS` over ``references``."""
    return {n: BleuScorer(references, n, smoothing="method1") for n in BLEU_ORDERS}


def sample_metrics(
    samples: np.ndarray,
    test_scorers: dict[int, BleuScorer],
    train_scorer: BleuScorer | None = None,
) -> dict[str, float]:
    """``bleu{n}`` of ``samples`` [N, T] against the test split, ``self_bleu{n}``, and with
    ``train_scorer`` (a BLEU-2 scorer of the training split) ``bleu2_train``."""
    metrics = {f"bleu{n}": float(np.mean(s.score(samples))) for n, s in test_scorers.items()}
    if train_scorer is not None:
        metrics["bleu2_train"] = float(np.mean(train_scorer.score(samples)))
    for n in test_scorers:
        scores = BleuScorer(samples, n, smoothing="method1").score_leave_one_out()
        metrics[f"self_bleu{n}"] = float(np.mean(scores))
    return metrics


def sequence_nll(model: TokenLSTM, tokens: np.ndarray) -> np.ndarray:
    """Per-sequence mean -log p(y_t | y_<t) of ``tokens`` [N, T] under ``model``, [N]."""
    tokens = np.asarray(tokens, np.int32)
    parts = [
        -tf.reduce_mean(model.token_log_probs(tf.constant(tokens[i : i + _NLL_BATCH])), axis=1)
        for i in range(0, len(tokens), _NLL_BATCH)
    ]
    return np.concatenate([p.numpy() for p in parts]).astype(np.float64)


def mean_nll(model: TokenLSTM, tokens: np.ndarray) -> float:
    """Mean per-token NLL of the test split ``tokens`` under ``model`` (teacher forced)."""
    return float(np.mean(sequence_nll(model, tokens)))
