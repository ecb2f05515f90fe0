"""BleuScorer equals nltk's sentence_bleu (weights 1/3 each, no smoothing) to 1e-12; with
smoothing method 1 (the text metrics') and leave one out (self-BLEU) too.

nltk is only the reference here; seqgan_tf.metrics.bleu does not import it.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

from seqgan_tf.metrics.bleu import BleuScorer

bleu_score = pytest.importorskip("nltk.translate.bleu_score")

WEIGHTS = (1 / 3, 1 / 3, 1 / 3)


def nltk_bleu(references, hypotheses, weights=WEIGHTS) -> np.ndarray:
    refs = np.asarray(references).tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nltk warns on every zero n-gram overlap
        return np.array(
            [
                float(bleu_score.sentence_bleu(refs, hyp, weights=weights))
                for hyp in np.asarray(hypotheses).tolist()
            ]
        )


def assert_matches_nltk(references, hypotheses, weights=WEIGHTS) -> np.ndarray:
    scorer = BleuScorer(np.asarray(references), max_n=len(weights), weights=weights)
    got = scorer.score(np.asarray(hypotheses))
    expected = nltk_bleu(references, hypotheses, weights)
    assert got.dtype == np.float64 and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
    return got


# (references, hypotheses, what the case checks)
HAND_MADE = {
    "identical": ([[1, 2, 3, 4, 5]], [[1, 2, 3, 4, 5]]),
    "disjoint": ([[1, 2, 3, 4, 5]], [[6, 7, 8, 9, 10]]),
    "partial_overlap": ([[1, 2, 3, 4, 5, 6]], [[1, 2, 3, 9, 5, 6]]),
    # "the the the ...": unigram count 6 clipped to the reference's 2
    "clipping": ([[7, 1, 2, 3, 7, 4]], [[7, 7, 7, 7, 7, 7]]),
    "clipping_bigrams": ([[1, 2, 1, 2, 3, 4]], [[1, 2, 1, 2, 1, 2]]),
    # max count comes from different references for different n-grams, never summed
    "multiple_references": (
        [[5, 5, 1, 2, 3, 4], [5, 1, 1, 1, 2, 9], [3, 4, 3, 4, 8, 8]],
        [[5, 5, 5, 1, 1, 1], [3, 4, 3, 4, 3, 4], [1, 2, 3, 4, 5, 5]],
    ),
    # unigrams and bigrams match, no trigram does: nltk substitutes sys.float_info.min for p_3
    "no_trigram_match": ([[1, 2, 3, 4, 5, 6]], [[1, 2, 9, 3, 4, 9]]),
    "no_bigram_match": ([[1, 2, 3, 4, 5, 6]], [[1, 9, 2, 9, 3, 9]]),
}


@pytest.mark.parametrize("case", sorted(HAND_MADE))
def test_hand_made_cases_match_nltk(case):
    references, hypotheses = HAND_MADE[case]
    got = assert_matches_nltk(references, hypotheses)
    if case == "identical":
        assert got[0] == 1.0
    if case == "disjoint":
        assert got[0] == 0.0


def test_identical_sentence_in_a_larger_reference_set_scores_one():
    rng = np.random.default_rng(3)
    refs = rng.integers(0, 50, size=(40, 20))
    scores = BleuScorer(refs).score(refs[[0, 17, 39]])
    np.testing.assert_array_equal(scores, 1.0)


def test_clipping_value():
    # unigram 6 of 6 hypothesis tokens are 7, the reference has two 7s: p_1 = 2/6
    got = BleuScorer(np.array([[7, 1, 2, 3, 7, 4]]), max_n=1, weights=[1.0]).score(
        np.array([[7, 7, 7, 7, 7, 7]])
    )
    np.testing.assert_allclose(got, [2 / 6], rtol=1e-15)


def test_zero_higher_order_precision_is_floored_like_nltk_not_zero():
    references, hypotheses = HAND_MADE["no_trigram_match"]
    got = BleuScorer(np.array(references)).score(np.array(hypotheses))
    # p1 = 4/6, p2 = 2/5, p3 = 0 -> float_info.min
    expected = np.exp((np.log(4 / 6) + np.log(2 / 5) + np.log(sys.float_info.min)) / 3)
    np.testing.assert_allclose(got, [expected], rtol=1e-12)
    assert 0.0 < got[0] < 1e-100


@pytest.mark.parametrize(
    "ref_length, hyp_length",
    [(2, 2), (1, 1), (2, 1), (20, 2), (20, 1), (2, 20), (1, 20), (5, 3)],
)
def test_short_sequences_match_nltk(ref_length, hyp_length):
    # shorter than n: no n-grams of that order (p_n = 0/1 -> floored); brevity penalty
    # exp(1 - r/h) when the hypothesis is shorter than the references
    rng = np.random.default_rng(ref_length * 100 + hyp_length)
    refs = rng.integers(0, 4, size=(6, ref_length))
    copies = np.resize(refs[:2], (2, hyp_length))
    hyps = np.concatenate([rng.integers(0, 4, size=(20, hyp_length)), copies])
    assert_matches_nltk(refs, hyps)


def test_empty_hypotheses_score_zero_like_nltk():
    refs = np.array([[1, 2, 3]])
    got = BleuScorer(refs).score(np.zeros((4, 0), dtype=np.int64))
    np.testing.assert_array_equal(got, np.zeros(4))
    assert nltk_bleu(refs, [[]])[0] == 0.0
    assert BleuScorer(refs).score(np.zeros((0, 3), dtype=np.int64)).shape == (0,)


def test_random_hypotheses_match_nltk():
    # the project's shape (length 20, so BP = 1) over a small vocabulary so that matches
    # happen; hypothesis ids 30..33 occur in no reference (above the largest reference id)
    rng = np.random.default_rng(20)
    refs = rng.integers(0, 30, size=(300, 20))
    hyps = rng.integers(0, 34, size=(200, 20))
    hyps[:10] = refs[:10]
    hyps[10:20, :10] = refs[10:20, :10]
    got = assert_matches_nltk(refs, hyps)
    assert len(np.unique(got)) > 40  # the comparison is not vacuous
    assert np.sum(got == 1.0) >= 10 and np.sum((got > 0) & (got < 1e-100)) >= 1


@pytest.mark.parametrize("ref_length, hyp_length", [(12, 9), (9, 12), (20, 20)])
def test_random_hypotheses_of_other_lengths_match_nltk(ref_length, hyp_length):
    # hypotheses shorter than the references get the brevity penalty exp(1 - r/h)
    rng = np.random.default_rng(ref_length * 100 + hyp_length)
    refs = rng.integers(0, 20, size=(100, ref_length))
    hyps = rng.integers(0, 20, size=(60, hyp_length))
    hyps[:5] = np.resize(refs[:5], (5, hyp_length))
    got = assert_matches_nltk(refs, hyps)
    assert len(np.unique(got)) > 10


@pytest.mark.parametrize("weights", [(1.0,), (0.5, 0.5), (0.25, 0.25, 0.25, 0.25), (0.1, 0.6, 0.3)])
def test_other_orders_and_weights_match_nltk(weights):
    rng = np.random.default_rng(len(weights))
    refs = rng.integers(0, 12, size=(50, 10))
    hyps = rng.integers(0, 12, size=(60, 10))
    assert_matches_nltk(refs, hyps, weights)


def test_scores_are_independent_of_batching_and_reference_order():
    rng = np.random.default_rng(5)
    refs = rng.integers(0, 20, size=(100, 20))
    hyps = rng.integers(0, 20, size=(64, 20))
    all_at_once = BleuScorer(refs).score(hyps)
    one_by_one = np.concatenate([BleuScorer(refs).score(h[None]) for h in hyps])
    shuffled = BleuScorer(refs[rng.permutation(100)]).score(hyps)
    np.testing.assert_array_equal(all_at_once, one_by_one)
    np.testing.assert_array_equal(all_at_once, shuffled)


def test_accepts_int32_and_the_project_vocabulary():
    rng = np.random.default_rng(6)
    refs = rng.integers(0, 5000, size=(64, 20)).astype(np.int32)
    scores = BleuScorer(refs).score(refs[:8])
    np.testing.assert_array_equal(scores, 1.0)


@pytest.mark.parametrize(
    "references, kwargs, message",
    [
        (np.array([1, 2, 3]), {}, r"references must be a rank-2 array .* shape \(3,\)"),
        (np.zeros((2, 3, 4), np.int64), {}, r"references must be a rank-2 array"),
        (np.zeros((0, 20), np.int64), {}, r"references is empty"),
        (np.zeros((3, 0), np.int64), {}, r"references have length 0"),
        (np.array([[1, -2, 3]]), {}, r"non-negative token ids, found -2"),
        (np.array([[1.0, 2.0]]), {}, r"integer token ids, got dtype float64"),
        (np.array([[1, 2]]), {"max_n": 0}, r"max_n must be an integer >= 1"),
        (np.array([[1, 2]]), {"weights": (0.5, 0.5)}, r"weights must have max_n=3 entries"),
        (np.array([[1, 2]]), {"weights": (1, 1, np.nan)}, r"weights must be finite"),
        (
            np.array([[2_100_000, 1]]),
            {},
            r"vocabulary of 2100001 .* do not fit in int64: 2100001\*\*3 > 2\*\*63",
        ),
    ],
)
def test_bad_references_raise_clear_errors(references, kwargs, message):
    with pytest.raises(ValueError, match=message):
        BleuScorer(references, **kwargs)


def test_largest_vocabulary_that_fits_is_accepted():
    largest = int(np.floor(2 ** (63 / 3)))  # 2097152 ** 3 == 2 ** 63
    assert largest**3 == 2**63
    refs = np.array([[largest - 1, 0, largest - 1, 5]])
    scores = BleuScorer(refs).score(refs)
    np.testing.assert_array_equal(scores, [1.0])


@pytest.mark.parametrize(
    "hypotheses, message",
    [
        (np.array([1, 2, 3]), r"hypotheses must be a rank-2 array"),
        (np.array([[1, -1, 3]]), r"hypotheses must hold non-negative token ids, found -1"),
        (np.array([[0.5, 1.0]]), r"hypotheses must hold integer token ids"),
    ],
)
def test_bad_hypotheses_raise_clear_errors(hypotheses, message):
    scorer = BleuScorer(np.array([[1, 2, 3]]))
    with pytest.raises(ValueError, match=message):
        scorer.score(hypotheses)


METHOD1 = bleu_score.SmoothingFunction().method1


def nltk_smoothed_bleu(references, hypothesis, n: int, smoothing=METHOD1) -> float:
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
        [
            nltk_smoothed_bleu(rows[:i] + rows[i + 1 :], rows[i], n, smoothing)
            for i in range(len(rows))
        ]
    )


@pytest.mark.parametrize("n", [2, 3, 4])
def test_method1_bleu_matches_nltk(n):
    rng = np.random.default_rng(n)
    references = rng.integers(0, 8, size=(60, 10))
    hypotheses = rng.integers(0, 10, size=(40, 10))
    hypotheses[0] = 9  # no unigram in any reference: nltk returns 0 before smoothing
    got = BleuScorer(references, n, smoothing="method1").score(hypotheses)
    expected = [nltk_smoothed_bleu(references, h, n) for h in hypotheses]
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
