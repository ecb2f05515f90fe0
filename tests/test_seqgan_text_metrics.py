"""Text metrics: BLEU with smoothing method1 and self-BLEU equal nltk's; test NLL equals a
NumPy float64 reference."""

from __future__ import annotations

import warnings

import numpy as np
import numpy_reference as ref
import pytest

from seqgan_tf.metrics.bleu import BleuScorer
from seqgan_tf.metrics.text import bleu_scorers, mean_nll, sample_metrics, sequence_nll

bleu_score = pytest.importorskip("nltk.translate.bleu_score")
METHOD1 = bleu_score.SmoothingFunction().method1


def nltk_bleu(references, hypothesis, n: int, smoothing=METHOD1) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nltk warns on every zero n-gram overlap
        return bleu_score.sentence_bleu(
            [list(r) for r in references],
            list(hypothesis),
            tuple([1.0 / n] * n),
            smoothing_function=smoothing,
        )


def nltk_self_bleu(samples, n: int, smoothing=METHOD1) -> np.ndarray:
    rows = [list(map(int, row)) for row in samples]
    return np.array(
        [nltk_bleu(rows[:i] + rows[i + 1 :], rows[i], n, smoothing) for i in range(len(rows))]
    )


@pytest.mark.parametrize("n", [2, 3, 4])
def test_method1_bleu_matches_nltk(n):
    rng = np.random.default_rng(n)
    references = rng.integers(0, 8, size=(60, 10))
    hypotheses = rng.integers(0, 10, size=(40, 10))
    hypotheses[0] = 9  # no unigram in any reference: nltk returns 0 before smoothing
    got = BleuScorer(references, n, smoothing="method1").score(hypotheses)
    expected = [nltk_bleu(references, h, n) for h in hypotheses]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    assert got[0] == 0.0


@pytest.mark.parametrize("smoothing", ["method0", "method1"])
@pytest.mark.parametrize("n", [2, 4])
def test_leave_one_out_bleu_is_self_bleu_with_duplicates(n, smoothing):
    rng = np.random.default_rng(10 + n)
    samples = rng.integers(0, 5, size=(30, 8))
    samples[5] = samples[3]  # a repeated sequence: its n-grams' largest count is shared
    samples[7, :4] = samples[8, :4]
    got = BleuScorer(samples, n, smoothing=smoothing).score_leave_one_out()
    method = getattr(bleu_score.SmoothingFunction(), smoothing)
    np.testing.assert_allclose(got, nltk_self_bleu(samples, n, method), rtol=1e-12, atol=1e-300)


def test_unknown_smoothing_and_a_single_reference_are_refused():
    with pytest.raises(ValueError, match="smoothing"):
        BleuScorer(np.zeros((2, 3), int), 2, smoothing="method7")
    with pytest.raises(ValueError, match="two references"):
        BleuScorer(np.zeros((1, 3), int), 2).score_leave_one_out()


def test_sample_metrics_are_nltk_means():
    rng = np.random.default_rng(3)
    test = rng.integers(0, 6, size=(25, 7))
    samples = rng.integers(0, 6, size=(12, 7))
    train = rng.integers(0, 6, size=(40, 7))
    metrics = sample_metrics(samples, bleu_scorers(test), BleuScorer(train, 2, smoothing="method1"))
    assert metrics["bleu2_train"] == pytest.approx(
        np.mean([nltk_bleu(train, s, 2) for s in samples]), rel=1e-12
    )
    for n in (2, 3, 4):
        assert metrics[f"bleu{n}"] == pytest.approx(
            np.mean([nltk_bleu(test, s, n) for s in samples]), rel=1e-12
        )
        assert metrics[f"self_bleu{n}"] == pytest.approx(
            np.mean(nltk_self_bleu(samples, n)), rel=1e-12
        )


def test_test_nll_matches_the_numpy_reference():
    from seqgan_tf.config import ModelConfig
    from seqgan_tf.models.generator import Generator

    config = ModelConfig(vocab_size=11, sequence_length=5, gen_emb_dim=4, gen_hidden_dim=6)
    generator = Generator(config, seed=3)
    tokens = np.random.default_rng(0).integers(0, 11, size=(1030, 5))  # 2 full batches + part
    params = [np.asarray(p, np.float64) for p in generator.export_params()]
    expected = -ref.token_log_probs(params, tokens).mean(axis=1)
    np.testing.assert_allclose(sequence_nll(generator, tokens), expected, rtol=2e-5)
    assert mean_nll(generator, tokens) == pytest.approx(expected.mean(), rel=2e-5)
