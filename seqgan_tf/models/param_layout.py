"""The original's 15-array parameter layout of an LSTM language model.

Embedding; Wi, Ui, bi; Wf, Uf, bf; Wog, Uog, bog; Wc, Uc, bc; Wo, bo: the layout of the
published ``target_params_py3.pkl``, in which every
:class:`~seqgan_tf.models.token_lstm.TokenLSTM` imports and exports its parameters.
"""

from __future__ import annotations

import numpy as np

from seqgan_tf.models.lstm_cell import GATE_ARRAY_NAMES

PARAM_NAMES = ("embedding",) + GATE_ARRAY_NAMES + ("Wo", "bo")


def param_shapes(vocab_size: int, emb_dim: int, hidden_dim: int) -> list[tuple[int, ...]]:
    """Shapes of the 15 arrays of the original's parameter layout."""
    gate = [(emb_dim, hidden_dim), (hidden_dim, hidden_dim), (hidden_dim,)]
    return [(vocab_size, emb_dim)] + gate * 4 + [(hidden_dim, vocab_size), (vocab_size,)]


def validate_params(
    arrays, expected_shapes: list[tuple[int, ...]], source: str
) -> list[np.ndarray]:
    """Checks a 15-array parameter list; raises ValueError naming the array and problem."""
    if not isinstance(arrays, (list, tuple)):
        raise ValueError(
            f"{source}: expected a list of {len(expected_shapes)} arrays, "
            f"got {type(arrays).__name__}"
        )
    if len(arrays) != len(expected_shapes):
        raise ValueError(
            f"{source}: expected {len(expected_shapes)} arrays "
            f"({', '.join(PARAM_NAMES)}), got {len(arrays)}"
        )
    checked = []
    for index, (array, shape, name) in enumerate(
        zip(arrays, expected_shapes, PARAM_NAMES, strict=True)
    ):
        if not isinstance(array, np.ndarray):
            raise ValueError(
                f"{source}: array {index} ({name}) is a {type(array).__name__}, not a numpy array"
            )
        if tuple(array.shape) != tuple(shape):
            raise ValueError(
                f"{source}: array {index} ({name}) has shape {tuple(array.shape)}, "
                f"expected {tuple(shape)}"
            )
        if not np.issubdtype(array.dtype, np.floating):
            raise ValueError(f"{source}: array {index} ({name}) has dtype {array.dtype}, not float")
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{source}: array {index} ({name}) holds NaN or infinite values")
        checked.append(array.astype(np.float32))
    return checked
