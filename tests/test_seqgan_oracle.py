"""The oracle (target LSTM): the published pickle, its NLL, export, and bad files."""

from __future__ import annotations

import hashlib
import pickle

import numpy as np
import numpy_reference as ref
import pytest
import tensorflow as tf

from seqgan_tf.config import ModelConfig
from seqgan_tf.data.token_files import read_token_file
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.oracle import Oracle, load_params, random_params, save_params

PUBLISHED_SHA256 = "5ac794a695dd6e0eb2bb689f3dfda55e4e0053e8c0399e6242630a95f1e60e8a"
SMALL = ModelConfig(vocab_size=40, sequence_length=6, gen_emb_dim=4, gen_hidden_dim=3)


def test_published_pickle_is_loaded_unchanged(oracle_pickle_path):
    assert hashlib.sha256(oracle_pickle_path.read_bytes()).hexdigest() == PUBLISHED_SHA256
    with open(oracle_pickle_path, "rb") as f:
        raw = pickle.load(f)  # the trusted published file, read the plain way for comparison
    oracle = Oracle.from_file(oracle_pickle_path)
    for got, want in zip(oracle.export_params(), raw, strict=True):
        np.testing.assert_array_equal(got, want)


def test_published_oracle_nll_on_published_samples(oracle_pickle_path, real_data_path):
    """5.761 +- 0.002, the value a float64 NumPy pass gives (computed here too, on a subset)."""
    oracle = Oracle.from_file(oracle_pickle_path)
    tokens = read_token_file(real_data_path)
    nll = oracle.nll(tokens)
    assert abs(nll - 5.761) < 0.002
    subset = tokens[:640]
    float64_nll = -ref.token_log_probs(load_params(oracle_pickle_path), subset).mean()
    assert abs(oracle.nll(subset) - float64_nll) < 1e-5


def test_published_oracle_nll_of_uniformly_random_tokens(oracle_pickle_path):
    """The spec's 11.43 for uniformly random tokens, within 4 standard errors of the mean
    over 9,984 sequences plus the spec's rounding."""
    oracle = Oracle.from_file(oracle_pickle_path)
    tokens = np.random.default_rng(0).integers(0, 5000, size=(9984, 20))
    per_sequence = oracle.sequence_nll(tokens)
    standard_error = per_sequence.std() / np.sqrt(len(per_sequence))
    assert abs(oracle.nll(tokens) - 11.43) < 4 * standard_error + 0.005


def test_nll_is_mean_of_per_token_negative_log_probs_without_clipping():
    rng = np.random.default_rng(0)
    params = ref.random_params(rng, vocab=40, emb=4, hidden=3, scale=1.0)
    params[13] *= 40.0  # a very peaked output layer
    tokens = rng.integers(0, 40, size=(70, 6))  # 70: one whole batch of 64 and a part
    want = -ref.token_log_probs(params, tokens)
    assert want.max() > -np.log(1e-20)  # some tokens fall below the generator's clip
    oracle = Oracle(params, SMALL)
    np.testing.assert_allclose(oracle.sequence_nll(tokens), want.mean(axis=1), rtol=1e-5)
    np.testing.assert_allclose(oracle.nll(tokens), want.mean(), rtol=1e-5)


def test_nll_of_samples_scores_the_samples_generate_many_draws():
    """Scoring each call's samples while the next are drawn gives generate_many's samples
    and nll's number: 2,500 samples = calls of 1,024, 1,024 and 452 (7 batches of 64 and
    a partial one)."""
    oracle = Oracle.from_seed(2, SMALL)
    generator = Generator(SMALL, seed=3)
    nll, samples = oracle.nll_of_samples(generator, 2500, tf.random.Generator.from_seed(4))
    expected = generator.generate_many(2500, tf.random.Generator.from_seed(4))
    np.testing.assert_array_equal(samples, expected)
    assert nll == oracle.nll(expected)
    assert nll != oracle.nll(expected[:2436])  # the partial batch is scored too


def test_nll_and_standard_error_of_fresh_samples():
    """The mean and std / sqrt(N) (ddof 1) of the per-sequence NLL of the same draws, in
    float64 NumPy."""
    oracle = Oracle.from_seed(2, SMALL)
    generator = Generator(SMALL, seed=3)
    nll, error = oracle.nll_and_standard_error(generator, 1500, tf.random.Generator.from_seed(4))
    samples = generator.generate_many(1500, tf.random.Generator.from_seed(4))
    per_sequence = oracle.sequence_nll(samples).astype(np.float64)
    assert nll == pytest.approx(per_sequence.mean(), rel=1e-12)
    expected = np.sqrt(((per_sequence - per_sequence.mean()) ** 2).sum() / 1499 / 1500)
    assert error == pytest.approx(expected, rel=1e-9)


def test_any_generator_exports_as_an_oracle(tmp_path):
    generator = Generator(SMALL, seed=7)
    path = tmp_path / "generator_as_oracle.pkl"
    save_params(path, generator.export_params())
    with open(path, "rb") as f:
        raw = pickle.load(f)
    assert isinstance(raw, list) and len(raw) == 15
    assert all(isinstance(a, np.ndarray) and a.dtype == np.float32 for a in raw)
    oracle = Oracle.from_file(path, SMALL)
    tokens = tf.constant(np.random.default_rng(1).integers(0, 40, size=(5, 6)), tf.int32)
    np.testing.assert_allclose(
        oracle.token_log_probs(tokens).numpy(), generator.token_log_probs(tokens).numpy()
    )


def test_random_oracle_is_the_papers_normal_and_seeded():
    a, b, c = random_params(1, SMALL), random_params(1, SMALL), random_params(2, SMALL)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], c[0])
    values = np.concatenate([x.ravel() for x in random_params(3)])
    assert abs(values.mean()) < 0.01 and abs(values.std() - 1.0) < 0.01
    assert Oracle.from_seed(1, SMALL).source.startswith("random N(0,1)")


def _write_pickle(path, obj):
    with open(path, "wb") as f:
        pickle.dump(obj, f)
    return path


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda a: a[:14], r"expected 15 arrays .*got 14"),
        (
            lambda a: a[:5] + [a[5].T[:, :2]] + a[6:],
            r"array 5 \(Uf\) has shape \(3, 2\), expected \(3, 3\)",
        ),
        (lambda a: a[:13] + [a[13].astype(np.int32)] + a[14:], r"array 13 \(Wo\) has dtype int32"),
        (lambda a: a[:1] + [np.full_like(a[1], np.nan)] + a[2:], r"array 1 \(Wi\) holds NaN"),
        (lambda a: {"params": a}, r"expected a list of 15 arrays, got dict"),
    ],
)
def test_bad_pickles_name_file_array_and_problem(tmp_path, mutate, message):
    arrays = random_params(0, SMALL)
    path = _write_pickle(tmp_path / "bad_params.pkl", mutate(arrays))
    with pytest.raises(ValueError, match=message) as info:
        load_params(path, SMALL)
    assert "bad_params.pkl" in str(info.value)


def test_pickle_that_is_not_arrays_is_refused_without_running_it(tmp_path):
    class Payload:
        def __reduce__(self):
            return (print, ("this must never run",))

    path = _write_pickle(tmp_path / "hostile.pkl", [Payload()])
    with pytest.raises(ValueError, match=r"hostile\.pkl: not a pickle of numpy arrays.*builtins"):
        load_params(path, SMALL)
    (tmp_path / "garbage.pkl").write_bytes(b"not a pickle")
    with pytest.raises(ValueError, match=r"garbage\.pkl: not a pickle"):
        load_params(tmp_path / "garbage.pkl", SMALL)


def test_missing_pickle(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.pkl"):
        load_params(tmp_path / "missing.pkl")
