"""Independent float64 NumPy references of the original SeqGAN computations.

Written from the original code's equations (separate W, U, b per gate, as in
``create_recurrent_unit``), not from the port, so that the port is checked against
something it does not share code with.
"""

from __future__ import annotations

import itertools

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def unpack(params: list[np.ndarray]) -> list[np.ndarray]:
    assert len(params) == 15
    return [np.asarray(p, dtype=np.float64) for p in params]


def lstm_step(params: list[np.ndarray], x, h, c):
    """One step of the original cell with per-gate arrays (float64)."""
    _, wi, ui, bi, wf, uf, bf, wog, uog, bog, wc, uc, bc, _, _ = params
    i = sigmoid(x @ wi + h @ ui + bi)
    f = sigmoid(x @ wf + h @ uf + bf)
    o = sigmoid(x @ wog + h @ uog + bog)
    c_tilde = np.tanh(x @ wc + h @ uc + bc)
    c = f * c + i * c_tilde
    h = o * np.tanh(c)
    return h, c


def token_log_probs(params: list[np.ndarray], tokens: np.ndarray, start_token: int = 0):
    """log p(y_t | y_<t) [B, T] by teacher forcing, float64."""
    params = unpack(params)
    embedding, wout, bout = params[0], params[13], params[14]
    tokens = np.asarray(tokens)
    batch, length = tokens.shape
    hidden = params[2].shape[0]
    h = np.zeros((batch, hidden))
    c = np.zeros((batch, hidden))
    x = embedding[np.full(batch, start_token)]
    out = np.zeros((batch, length))
    for t in range(length):
        h, c = lstm_step(params, x, h, c)
        logp = log_softmax(h @ wout + bout)
        out[:, t] = logp[np.arange(batch), tokens[:, t]]
        x = embedding[tokens[:, t]]
    return out


def all_sequence_probabilities(params: list[np.ndarray], length: int, start_token: int = 0):
    """Probability of every one of the V^T sequences of a tiny model, in itertools order."""
    vocab = params[0].shape[0]
    sequences = np.array(list(itertools.product(range(vocab), repeat=length)))
    log_p = token_log_probs(params, sequences, start_token).sum(axis=1)
    return sequences, np.exp(log_p)


def random_params(rng: np.random.Generator, vocab: int, emb: int, hidden: int, scale: float):
    shapes = [(vocab, emb)] + [(emb, hidden), (hidden, hidden), (hidden,)] * 4
    shapes += [(hidden, vocab), (vocab,)]
    return [rng.normal(0.0, scale, size=s).astype(np.float32) for s in shapes]


def discriminator_logits(
    embedding, conv_kernels, conv_biases, highway, output_kernel, output_bias, tokens
):
    """The original discriminator at inference (no dropout), float64.

    conv_kernels[k] has shape [w, E, F] (conv2d's [w, E, 1, F] without the 1);
    highway = (W_gate, b_gate, W_transform, b_transform) in "x @ W" orientation.
    """
    emb = np.asarray(embedding, np.float64)[np.asarray(tokens)]  # [B, T, E]
    batch, length, _ = emb.shape
    pooled = []
    for kernel, bias in zip(conv_kernels, conv_biases, strict=True):
        kernel = np.asarray(kernel, np.float64)
        width = kernel.shape[0]
        positions = length - width + 1
        out = np.zeros((batch, positions, kernel.shape[2]))
        for i in range(positions):
            window = emb[:, i : i + width, :]  # [B, w, E]
            out[:, i, :] = np.einsum("bwe,wef->bf", window, kernel) + bias
        pooled.append(np.maximum(out, 0.0).max(axis=1))
    z = np.concatenate(pooled, axis=1)
    w_gate, b_gate, w_transform, b_transform = (np.asarray(a, np.float64) for a in highway)
    t = sigmoid(z @ w_gate + b_gate + 0.0)
    g = np.maximum(z @ w_transform + b_transform, 0.0)
    z = t * g + (1.0 - t) * z
    return z @ np.asarray(output_kernel, np.float64) + np.asarray(output_bias, np.float64)
