"""Which published benchmark a text run's corpus is, and the paper's numbers on it.

A run's reports set a benchmark's published numbers beside its own only when the corpus is
that benchmark (the Image COCO captions for Texygen's numbers, the quatrains for the
paper's Table 2): another corpus's numbers are not comparable. Kept free of TensorFlow so
that the reporting tools read results without it.
"""

from __future__ import annotations

import os

# The paper's Table 2 (Chinese quatrains, BLEU-2; split, sample count, smoothing unstated).
PAPER_POEM_BLEU2 = {"mle": 0.6670, "seqgan": 0.7389, "real": 0.746}


def is_coco(results: dict) -> bool:
    """Whether a text run's ``results`` are of the Image COCO captions."""
    return os.path.basename(results["corpus"]).startswith("image_coco")


def is_poems(results: dict) -> bool:
    """Whether a text run's ``results`` are of the paper's quatrains."""
    return "quatrain" in os.path.basename(results["corpus"])
