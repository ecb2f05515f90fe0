"""The oracle ("target LSTM"): the synthetic data's true distribution, and its NLL.

The paper draws every oracle parameter from N(0, 1). The published oracle
(``target_params_py3.pkl``: a pickled list of 15 float32 arrays in the layout of
:data:`seqgan_tf.models.param_layout.PARAM_NAMES`) is loaded unchanged. Any generator can be
written in the same format (:func:`save_params`) and then scored against, or used
as, an oracle by the original code.

NLL_oracle of a set of sequences is the mean of the per-token -log p_oracle,
without the generator's 1e-20 clipping.
"""

from __future__ import annotations

import codecs
import io
import os
import pickle
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import tensorflow as tf

from seqgan_tf.config import ModelConfig
from seqgan_tf.models.param_layout import param_shapes, validate_params
from seqgan_tf.models.token_lstm import TokenLSTM

try:  # NumPy >= 2
    from numpy._core import multiarray as _multiarray
except ImportError:  # pragma: no cover - NumPy 1.x
    from numpy.core import multiarray as _multiarray

# What a pickle of plain numpy arrays may reference (under NumPy 1 or 2 module names);
# anything else is refused, so a hostile file cannot run code when loaded.
_ALLOWED_PICKLE_GLOBALS = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _multiarray._reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _multiarray._reconstruct,
    ("numpy.core.multiarray", "scalar"): _multiarray.scalar,
    ("numpy._core.multiarray", "scalar"): _multiarray.scalar,
    ("_codecs", "encode"): codecs.encode,  # protocol-2 pickles spell array bytes this way
}


class _ArrayUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED_PICKLE_GLOBALS[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name}: only numpy arrays are allowed"
            ) from None


def load_params(path: str | os.PathLike, config: ModelConfig | None = None) -> list[np.ndarray]:
    """Reads a 15-array parameter pickle, checking count, shapes and values.

    Raises:
      FileNotFoundError: when ``path`` does not exist.
      ValueError: naming the file, the array and the problem.
    """
    config = config or ModelConfig()
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"oracle parameter file not found: {path}")
    with open(path, "rb") as f:
        raw = f.read()
    try:
        arrays = _ArrayUnpickler(io.BytesIO(raw), encoding="latin1").load()
    except Exception as error:  # noqa: BLE001 - any unpickling failure is a bad file
        raise ValueError(f"{path}: not a pickle of numpy arrays ({error})") from error
    expected = param_shapes(config.vocab_size, config.gen_emb_dim, config.gen_hidden_dim)
    return validate_params(arrays, expected, path)


def save_params(path: str | os.PathLike, arrays: list[np.ndarray]) -> None:
    """Writes 15 arrays as the original's pickle (a list of float32 numpy arrays)."""
    tmp = f"{os.fspath(path)}.tmp"
    with open(tmp, "wb") as f:
        pickle.dump([np.asarray(a, dtype=np.float32) for a in arrays], f, protocol=4)
    os.replace(tmp, path)


def random_params(seed: int, config: ModelConfig | None = None) -> list[np.ndarray]:
    """The paper's oracle: all 15 arrays drawn from N(0, 1) with a seeded NumPy generator."""
    config = config or ModelConfig()
    rng = np.random.default_rng(seed)
    shapes = param_shapes(config.vocab_size, config.gen_emb_dim, config.gen_hidden_dim)
    return [rng.normal(0.0, config.oracle_init_stddev, size=s).astype(np.float32) for s in shapes]


class Oracle(TokenLSTM):
    """The target LSTM: same cell as the generator, fixed parameters.

    Build it with :meth:`from_file` (the published pickle) or :meth:`from_seed`
    (a fresh N(0, 1) oracle, whose numbers are not comparable with the paper's).
    """

    def __init__(
        self,
        params: list[np.ndarray],
        config: ModelConfig | None = None,
        source: str = "parameters",
        **kwargs,
    ) -> None:
        config = config or ModelConfig()
        kwargs.setdefault("name", "oracle")
        super().__init__(
            **TokenLSTM.shape_kwargs(config),
            init_stddev=config.oracle_init_stddev,
            score_batch_size=config.batch_size,
            **kwargs,
        )
        self.config = config
        self.source = source
        self.import_params(params, source)
        self.trainable = False

    @classmethod
    def from_file(cls, path: str | os.PathLike, config: ModelConfig | None = None) -> Oracle:
        return cls(load_params(path, config), config, source=os.fspath(path))

    @classmethod
    def from_seed(cls, seed: int, config: ModelConfig | None = None) -> Oracle:
        return cls(random_params(seed, config), config, source=f"random N(0,1), seed {seed}")

    def nll(self, tokens: np.ndarray, batch_size: int | None = None) -> float:
        """NLL_oracle: mean over all tokens of -log p_oracle.

        The original averages per-batch means over whole batches of 64; for a number
        of sequences divisible by the batch size (the experiment's 9,984 = 156 x 64)
        that is the same number. Here a final partial batch is scored too.
        """
        return float(np.mean(self.sequence_nll(tokens, batch_size)))

    def nll_of_samples(
        self, model: TokenLSTM, num_sequences: int, rng: tf.random.Generator
    ) -> tuple[float, np.ndarray]:
        """NLL_oracle of ``num_sequences`` fresh samples of ``model``, and the samples [N, T].

        The samples of ``model.generate_many(num_sequences, rng)`` and the number
        :meth:`nll` gives for them, with each compiled call's samples scored on a second
        thread while the next are drawn. Calls of 1,024 samples hold
        whole batches of 64, so the batches scored are those of :meth:`nll`.
        """
        per_sequence, samples = self._sample_and_score(model, num_sequences, rng)
        return float(np.mean(per_sequence)), samples

    def nll_and_standard_error(
        self, model: TokenLSTM, num_sequences: int, rng: tf.random.Generator
    ) -> tuple[float, float]:
        """NLL_oracle of ``num_sequences`` fresh samples of ``model`` (the paper's 100,000)
        and its standard error, the per-sequence NLL's std / sqrt(N); samples not kept."""
        per_sequence, _ = self._sample_and_score(model, num_sequences, rng)
        error = np.std(per_sequence, ddof=1) / np.sqrt(len(per_sequence))
        return float(np.mean(per_sequence)), float(error)

    def _sample_and_score(
        self, model: TokenLSTM, num_sequences: int, rng: tf.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        chunks, scores = [], []
        with ThreadPoolExecutor(max_workers=1) as scorer:
            for chunk in model.generate_chunks(num_sequences, rng):
                chunks.append(chunk)
                scores.append(scorer.submit(self.sequence_nll, chunk))
            per_sequence = np.concatenate([score.result() for score in scores])
        return per_sequence, np.concatenate(chunks, axis=0)
