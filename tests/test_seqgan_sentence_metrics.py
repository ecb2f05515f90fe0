"""Metrics of sentences of different lengths: BLEU-2..5 and self-BLEU against nltk, the
test NLL against a float64 reference, the temperature sweep (Texygen's protocols:
test_seqgan_texygen.py)."""

from __future__ import annotations

import warnings

import numpy as np
import numpy_reference as ref
import pytest

from seqgan_tf.config import ModelConfig
from seqgan_tf.metrics.bleu import BleuScorer, closest_lengths
from seqgan_tf.metrics.temperature_sweep import plot_temperature_sweep, temperature_sweep
from seqgan_tf.metrics.text import (
    ReferenceBleu,
    SentenceBleu,
    bleu_and_self_bleu,
    mean_self_bleu,
    nll_test,
    real_data_metrics,
)
from seqgan_tf.models.generator import Generator

bleu_score = pytest.importorskip("nltk.translate.bleu_score")
METHOD1 = bleu_score.SmoothingFunction().method1
WORDS = "a man dog the on rides beach horse two cats at night walk and".split()


def nltk_bleu(references, hypothesis, n: int) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nltk warns on every zero n-gram overlap
        return bleu_score.sentence_bleu(
            references, hypothesis, tuple([1.0 / n] * n), smoothing_function=METHOD1
        )


def random_sentences(rng, count: int, low: int, high: int, words=WORDS) -> list[list[str]]:
    return [list(rng.choice(words, size=rng.integers(low, high + 1))) for _ in range(count)]


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_bleu_of_sentences_of_different_lengths_matches_nltk(n):
    rng = np.random.default_rng(n)
    references = random_sentences(rng, 40, 3, 12, WORDS[:10])
    hypotheses = random_sentences(rng, 60, 1, 14)  # some shorter than n, some with new words
    longest = max(references, key=len)
    assert len(longest) >= 5  # n-grams of every order: an exact match scores 1
    hypotheses += [[], ["zebra", "zebra"], longest, references[5][:2]]
    got = SentenceBleu(references, n).score(hypotheses)
    expected = [nltk_bleu(references, h, n) for h in hypotheses]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)
    assert got[-4] == 0.0 and got[-3] == 0.0
    assert got[-2] == pytest.approx(1.0)


@pytest.mark.parametrize("n", [2, 5])
def test_self_bleu_of_sentences_of_different_lengths_matches_nltk(n):
    """Leave-one-out with the lengths too: a sentence whose length no other has takes its
    closest length among the others only."""
    rng = np.random.default_rng(10 + n)
    samples = random_sentences(rng, 30, 2, 9, WORDS[:6])
    samples += [samples[4], list(rng.choice(WORDS[:6], 15)), ["a"]]  # duplicate, unique lengths
    got = SentenceBleu(samples, n).score_leave_one_out()
    expected = [nltk_bleu(samples[:i] + samples[i + 1 :], samples[i], n) for i in range(33)]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)
    assert mean_self_bleu(samples, (n,))[f"self_bleu{n}"] == pytest.approx(np.mean(expected))


def test_closest_reference_length_is_nltks():
    closest_ref_length = bleu_score.closest_ref_length
    reference_lengths = np.array([3, 5, 5, 8, 11])
    for h in range(0, 14):
        want = closest_ref_length([[0] * r for r in reference_lengths], h)
        assert closest_lengths(np.array([h]), reference_lengths)[0] == want
    # Leave-one-out: reference i's own length counts only when another has it.
    got = closest_lengths(reference_lengths, reference_lengths, leave_one_out=True)
    for i, r in enumerate(reference_lengths):
        others = [[0] * x for x in np.delete(reference_lengths, i)]
        assert got[i] == closest_ref_length(others, r)


def test_padding_past_the_lengths_is_never_counted():
    rng = np.random.default_rng(3)
    lengths = rng.integers(1, 9, size=50)
    references = rng.integers(0, 6, size=(50, 9))
    hypotheses = rng.integers(0, 7, size=(20, 9))
    hyp_lengths = rng.integers(0, 10, size=20)
    scorer = BleuScorer(references, 4, smoothing="method1", reference_lengths=lengths)
    got = scorer.score(hypotheses, hyp_lengths)
    noisy_refs = np.where(np.arange(9) >= lengths[:, None], 5, references)  # other padding
    noisy = BleuScorer(noisy_refs, 4, smoothing="method1", reference_lengths=lengths)
    np.testing.assert_array_equal(noisy.score(hypotheses, hyp_lengths), got)
    refs_as_lists = [list(r[:k]) for r, k in zip(references, lengths, strict=True)]
    expected = [
        nltk_bleu(refs_as_lists, list(h[:k]), 4)
        for h, k in zip(hypotheses, hyp_lengths, strict=True)
    ]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)
    with pytest.raises(ValueError, match=r"lengths must lie in \[0, 9\]"):
        scorer.score(hypotheses, np.full(20, 10))


def test_bleu_and_self_bleu_are_the_means():
    rng = np.random.default_rng(5)
    references = random_sentences(rng, 30, 4, 10)
    samples = random_sentences(rng, 12, 2, 11)
    metrics = bleu_and_self_bleu(samples, references)
    assert sorted(metrics) == sorted([f"bleu{n}" for n in range(2, 6)]) + sorted(
        [f"self_bleu{n}" for n in range(2, 6)]
    )
    for n in (2, 5):
        want = np.mean([nltk_bleu(references, s, n) for s in samples])
        assert metrics[f"bleu{n}"] == pytest.approx(want, rel=1e-12)
        want = np.mean(
            [nltk_bleu(samples[:i] + samples[i + 1 :], samples[i], n) for i in range(12)]
        )
        assert metrics[f"self_bleu{n}"] == pytest.approx(want, rel=1e-12)


def test_reference_tables_built_once_score_every_sample_set_as_nltk():
    """One ReferenceBleu over a run's evaluations: each set scored as on its own, and as
    nltk scores it (a word no earlier set had included)."""
    rng = np.random.default_rng(6)
    references = random_sentences(rng, 25, 3, 9)
    bleu = ReferenceBleu(references, (2, 4))
    for count in (9, 14):
        samples = random_sentences(rng, count, 2, 10, words=[*WORDS, "unseen"])
        metrics = bleu.bleu_and_self_bleu(samples)
        assert metrics == bleu_and_self_bleu(samples, references, (2, 4))
        want = np.mean([nltk_bleu(references, s, 4) for s in samples])
        assert metrics["bleu4"] == pytest.approx(want, rel=1e-12)


def test_real_data_row_scores_test_sentences_against_the_training_file():
    rng = np.random.default_rng(6)
    train = random_sentences(rng, 50, 4, 10)
    test = random_sentences(rng, 30, 4, 10)
    row = real_data_metrics(test, train, num_samples=10, seed=1, orders=(2,))
    chosen = np.random.default_rng(1).choice(30, 10, replace=False)
    assert row == bleu_and_self_bleu([test[i] for i in chosen], train, (2,))
    assert real_data_metrics(train[:5], train, 100, seed=0, orders=(3,))["bleu3"] == 1.0


SMALL = ModelConfig(vocab_size=6, sequence_length=7, gen_emb_dim=4, gen_hidden_dim=5)


def test_test_nll_counts_tokens_up_to_the_first_end():
    rng = np.random.default_rng(8)
    params = ref.random_params(rng, vocab=6, emb=4, hidden=5, scale=0.7)
    generator = Generator(SMALL, seed=0, end_token=0)
    generator.import_params(params)
    tokens = rng.integers(1, 6, size=(40, 7))
    ends = rng.integers(0, 8, size=40)  # 7: no end token in the row
    for row, end in zip(tokens, ends, strict=True):
        row[end:] = 0
    log_p = ref.token_log_probs(params, tokens)
    sums, counted = [], 0
    for row, end in zip(log_p, ends, strict=True):
        stop = min(end + 1, 7)  # the end token itself is counted
        sums.append(-row[:stop].sum())
        counted += stop
    got = nll_test(generator, tokens, end_token=0)
    assert got["nll_per_word"] == pytest.approx(sum(sums) / counted, rel=1e-5)
    assert got["nll_per_sentence"] == pytest.approx(np.mean(sums), rel=1e-5)
    assert got["nll_all_positions"] == pytest.approx(-log_p.mean(), rel=1e-5)
    # Sentences holding the unknown id (1) before their end, left out of the *_known ones.
    has_unknown = [1 in row[: min(end + 1, 7)] for row, end in zip(tokens, ends, strict=True)]
    assert 0 < sum(has_unknown) < 40
    known = nll_test(generator, tokens, end_token=0, unknown_token=1)
    keep = [i for i in range(40) if not has_unknown[i]]
    assert known["known_sentences"] == len(keep)
    kept_sums = [sums[i] for i in keep]
    kept_count = sum(min(ends[i] + 1, 7) for i in keep)
    assert known["nll_per_word_known"] == pytest.approx(sum(kept_sums) / kept_count, rel=1e-5)
    assert known["nll_per_sentence_known"] == pytest.approx(np.mean(kept_sums), rel=1e-5)


def test_temperature_sweep_rows_reproducible_and_ordered_by_diversity(tmp_path):
    rng = np.random.default_rng(9)
    params = ref.random_params(rng, vocab=6, emb=4, hidden=5, scale=1.0)
    generator = Generator(SMALL, seed=0, end_token=0)
    generator.import_params(params)
    names = ["<end>", "<unk>", "a", "b", "c", "d"]

    def decode(tokens):
        out = []
        for row in tokens:
            stop = list(row).index(0) if 0 in row else len(row)
            out.append([names[t] for t in row[:stop]])
        return out

    references = random_sentences(rng, 20, 2, 6, names[2:])
    rows = temperature_sweep(generator, [0.3, 1.0, 3.0], references, decode, 200, seed=1)
    assert [row["temperature"] for row in rows] == [0.3, 1.0, 3.0]
    alone = temperature_sweep(generator, [1.0], references, decode, 200, seed=1)
    assert alone[0] == rows[1]  # a row does not depend on the other temperatures
    # Colder samples repeat themselves more (Caccia et al.'s trade-off).
    assert rows[0]["self_bleu2"] > rows[1]["self_bleu2"] > rows[2]["self_bleu2"]
    path = plot_temperature_sweep({"MLE": rows, "SeqGAN": alone}, str(tmp_path / "sweep.png"))
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="--temperature=0"):
        temperature_sweep(generator, [0], references, decode, 10, seed=1)
