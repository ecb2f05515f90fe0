"""The fast path's discriminator convolutions in training: im2col matmuls under XLA.

The same function as :func:`seqgan_tf.models.kernels.reference.conv_max_features`
(tests/test_seqgan_discriminator.py compares features and gradients).
"""

from __future__ import annotations

import tensorflow as tf


def im2col_max_features(embedded: tf.Tensor, convolutions: list) -> tf.Tensor:
    """:func:`conv_max_features` as im2col matmuls (the fast path's training step, under XLA).

    Each convolution of width w is one matmul of the [B * (T - w + 1), w * E] windows
    (im2col) with its [w, E, f] kernel seen as [w * E, f]: the same products and sums
    as the original's VALID conv2d. ReLU(x + b) is monotonic, so the max over
    positions is taken before bias and ReLU: max_t relu(z_t + b) = relu(max_t z_t + b),
    exactly, with the same gradient (to the maximising position).
    """
    length, emb_dim = embedded.shape[1], embedded.shape[2]
    pooled = []
    for conv in convolutions:
        width, _, filters = conv.kernel.shape
        positions = length - width + 1
        windows = tf.concat(
            [embedded[:, k : k + positions] for k in range(width)], axis=2
        )  # [B, positions, width * E], offset-major as the kernel's [w, E] layout
        z = tf.matmul(
            tf.reshape(windows, [-1, width * emb_dim]),
            tf.reshape(conv.kernel, [width * emb_dim, filters]),
        )
        z = tf.reduce_max(tf.reshape(z, [-1, positions, filters]), axis=1)
        pooled.append(tf.nn.relu(z + conv.bias))
    return tf.concat(pooled, axis=1)
