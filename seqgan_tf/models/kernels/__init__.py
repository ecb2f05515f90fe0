"""SeqGAN's speed kernels and the plain TensorFlow they replace: two implementations of
one interface, :class:`Kernels`, picked by ``--kernels`` (``ModelConfig.kernels``).

Every model calls :func:`select` once, when it is built, and from then on calls the
members of the instance it got; no other module tests which path it is on.

- ``reference`` (:mod:`.reference`): plain TensorFlow as the equations read: logits as
  matmul + bias, the softmax shifted by its row max, log-probabilities by
  ``tf.nn.sparse_softmax_cross_entropy_with_logits``, the LSTM as its step loop, the
  discriminator's convolutions as ``tf.nn.conv1d``; every gradient by autodiff; the
  discriminator's optimiser Keras' Adam.
- ``fast`` (the default; :mod:`.fast`): the softmax's shift from a bound (no row-max
  pass), the bias inside the logits' matmul, the output layer's and the LSTM's
  gradients written by hand, the discriminator's training convolutions as im2col
  matmuls under XLA, and its Adam as TF1's fused kernel.

The two compute the same functions to float32 round-off: the kernels reorder float32
sums, skip passes over memory and take gradients by hand
(tests/test_seqgan_kernels.py trains both side by side). Their samples from the same
seeds are the same tokens except where float32 rounding moves a draw across a boundary
of the cumulative sum, so runs on the two paths agree in distribution, not bit for bit.

What both paths share. ``reference`` makes plain only the members of :class:`Kernels`;
the rest of the port's speed work runs on both paths, so the reference path is not
"TensorFlow without tricks" and its timing is not that of a naive port:

- the sampler, :func:`seqgan_tf.models.sampling.categorical_sample` (exact two-level
  inverse-CDF sampling in float32, not ``tf.random.categorical``), in a sampling loop
  compiled by XLA;
- XLA compilation of the generator's MLE epoch, every model's per-sequence NLL over whole
  batches and the scheduled-sampling update;
- the oracle scoring one chunk of samples on a second thread while the next is drawn;
- the rollout: every completion of a batch sampled in one compiled call, in blocks of
  1,024 rows, and scored by the discriminator one prefix length at a time;
- the discriminator's inference (rewards, D(Y)) by ``tf.nn.conv1d`` and its highway
  layer as plain TensorFlow; its epochs as one compiled loop;
- the LSTM cell's gates fused into one kernel, and the generator's Adam (Keras').

``bench/seqgan_kernels.py`` times whole units on both paths; the measured gain of
``fast`` is in docs/PERFORMANCE.md.
"""

from __future__ import annotations

from seqgan_tf.config import check_kernels
from seqgan_tf.models.kernels.fast import FAST
from seqgan_tf.models.kernels.interface import Kernels
from seqgan_tf.models.kernels.reference import REFERENCE

__all__ = ["FAST", "REFERENCE", "Kernels", "select"]

_BY_NAME = {kernels.name: kernels for kernels in (FAST, REFERENCE)}


def select(name: str) -> Kernels:
    """The implementation ``--kernels=name`` names; a ValueError naming the flag for any
    other name."""
    return _BY_NAME[check_kernels(name)]
