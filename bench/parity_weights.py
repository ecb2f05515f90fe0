"""The port's starting parameters in the original TF1 code's layout.

The generator travels as the oracle's 15-array pickle (``oracle.save_params``), whose order
``[emb, Wi, Ui, bi, Wf, Uf, bf, Wog, Uog, bog, Wc, Uc, bc, Wo, bo]`` is also the order of
the original generator's ``g_params``. The discriminator travels as a ``.npz`` keyed by the
original's variable names (without ``:0``), each array in the original's shape:

- ``discriminator/embedding/W`` [V, 64]: the embedding;
- ``discriminator/conv-maxpool-{w}/W`` [w, 64, 1, f] and ``.../b`` [f]: a ``conv2d`` filter
  over [B, T, 64, 1] is the port's ``Conv1D`` kernel [w, 64, f] with a unit axis;
- ``discriminator/Highway/highway_lin_0/{Matrix,Bias}`` and ``.../highway_gate_0/...``: the
  original's ``linear()`` stores its matrix as [out, in] and computes ``x @ Matrix^T``, so
  Matrix is the port's kernel transposed; ``lin`` is the ReLU path (the port's
  ``transform``), ``gate`` the sigmoid gate;
- ``discriminator/output/W`` [1720, 2] and ``.../b`` [2].
"""

from __future__ import annotations

import os

import keras
import numpy as np

from seqgan_tf.models.discriminator import Discriminator
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.oracle import load_params, save_params
from seqgan_tf.models.token_lstm import TokenLSTM

PREFIX = "discriminator"


def _numpy(variable) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(variable), dtype=np.float32)


def discriminator_to_original(discriminator: Discriminator) -> dict[str, np.ndarray]:
    """The port's discriminator weights under the original's variable names and shapes."""
    highway = discriminator.highway
    if not highway.use_bias:
        raise ValueError("the current original code's highway layer has biases")
    arrays = {f"{PREFIX}/embedding/W": _numpy(discriminator.embedding)}
    for width, conv in zip(
        discriminator.config.dis_filter_sizes, discriminator.convolutions, strict=True
    ):
        arrays[f"{PREFIX}/conv-maxpool-{width}/W"] = _numpy(conv.kernel)[:, :, None, :]
        arrays[f"{PREFIX}/conv-maxpool-{width}/b"] = _numpy(conv.bias)
    arrays[f"{PREFIX}/Highway/highway_lin_0/Matrix"] = _numpy(highway.transform_kernel).T.copy()
    arrays[f"{PREFIX}/Highway/highway_lin_0/Bias"] = _numpy(highway.transform_bias)
    arrays[f"{PREFIX}/Highway/highway_gate_0/Matrix"] = _numpy(highway.gate_kernel).T.copy()
    arrays[f"{PREFIX}/Highway/highway_gate_0/Bias"] = _numpy(highway.gate_bias_weight)
    arrays[f"{PREFIX}/output/W"] = _numpy(discriminator.output_kernel)
    arrays[f"{PREFIX}/output/b"] = _numpy(discriminator.output_bias)
    return arrays


def discriminator_from_original(discriminator: Discriminator, arrays: dict[str, np.ndarray]):
    """Loads weights in the original's names and shapes into the port's discriminator
    (the inverse of :func:`discriminator_to_original`)."""
    expected = discriminator_to_original(discriminator)
    missing = sorted(set(expected) - set(arrays))
    if missing:
        raise ValueError(f"discriminator weights lack {', '.join(missing)}")
    for name, array in expected.items():
        if np.shape(arrays[name]) != array.shape:
            raise ValueError(f"{name}: shape {np.shape(arrays[name])}, expected {array.shape}")
    highway = discriminator.highway
    discriminator.embedding.assign(arrays[f"{PREFIX}/embedding/W"])
    for width, conv in zip(
        discriminator.config.dis_filter_sizes, discriminator.convolutions, strict=True
    ):
        conv.kernel.assign(arrays[f"{PREFIX}/conv-maxpool-{width}/W"][:, :, 0, :])
        conv.bias.assign(arrays[f"{PREFIX}/conv-maxpool-{width}/b"])
    highway.transform_kernel.assign(arrays[f"{PREFIX}/Highway/highway_lin_0/Matrix"].T)
    highway.transform_bias.assign(arrays[f"{PREFIX}/Highway/highway_lin_0/Bias"])
    highway.gate_kernel.assign(arrays[f"{PREFIX}/Highway/highway_gate_0/Matrix"].T)
    highway.gate_bias_weight.assign(arrays[f"{PREFIX}/Highway/highway_gate_0/Bias"])
    discriminator.output_kernel.assign(arrays[f"{PREFIX}/output/W"])
    discriminator.output_bias.assign(arrays[f"{PREFIX}/output/b"])


def save_discriminator(path: str | os.PathLike, discriminator: Discriminator) -> None:
    tmp = f"{os.fspath(path)}.tmp.npz"
    np.savez(tmp, **discriminator_to_original(discriminator))
    os.replace(tmp, path)


def load_discriminator(path: str | os.PathLike, discriminator: Discriminator) -> None:
    with np.load(path) as data:
        discriminator_from_original(discriminator, {name: data[name] for name in data.files})


def save_generator(path: str | os.PathLike, model: TokenLSTM) -> None:
    """The generator as the oracle's pickle, which the original's layout reads directly."""
    save_params(path, model.export_params())


def load_generator(path: str | os.PathLike, model: Generator) -> None:
    model.import_params(load_params(path, model.config), source=os.fspath(path))
