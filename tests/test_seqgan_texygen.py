"""Texygen's two protocols (seqgan_tf/metrics/texygen.py): the full one against a direct
nltk loop written from Texygen's ``is_fast=False`` code paths, the fast one's 500 sentences,
and the published numbers."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from seqgan_tf.metrics import texygen
from seqgan_tf.metrics.text import mean_bleu, mean_self_bleu

bleu_score = pytest.importorskip("nltk.translate.bleu_score")
METHOD1 = bleu_score.SmoothingFunction().method1
WORDS = "a man dog the on rides beach horse two cats at night walk and".split()
KEYS = [f"{kind}{n}" for kind in ("bleu", "self_bleu") for n in (2, 3, 4, 5)]


def random_sentences(rng, count: int, low: int, high: int, words=WORDS) -> list[list[str]]:
    return [list(rng.choice(words, size=rng.integers(low, high + 1))) for _ in range(count)]


def texygen_full_by_nltk(generated, test, n: int) -> dict[str, float]:
    """Texygen's ``is_fast=False`` paths as read at commit 3104e22, one nltk call per
    sentence: Bleu.get_bleu_parallel(reference=None) scores every generated line against
    every test line (Bleu.py:68-86); SelfBleu.get_bleu_parallel() each generated line
    against all the other generated lines (SelfBleu.py:67-87); uniform weights, method1."""
    weight = tuple(1.0 / n for _ in range(n))

    def calc_bleu(reference, hypothesis):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nltk warns on every zero n-gram overlap
            return bleu_score.sentence_bleu(
                reference, hypothesis, weight, smoothing_function=METHOD1
            )

    bleu = [calc_bleu(test, hypothesis) for hypothesis in generated]
    self_bleu = [
        calc_bleu(generated[:index] + generated[index + 1 :], generated[index])
        for index in range(len(generated))
    ]
    return {f"bleu{n}": sum(bleu) / len(bleu), f"self_bleu{n}": sum(self_bleu) / len(self_bleu)}


@pytest.fixture(name="corpus")
def _corpus():
    """A made-up test file and generated file: sentences of 1-11 words, an empty one, a
    duplicate, words no test sentence has."""
    rng = np.random.default_rng(21)
    test = random_sentences(rng, 60, 3, 11, WORDS[:11])
    generated = random_sentences(rng, 40, 1, 10)
    generated += [[], generated[3], ["zebra", "zebra", "a"], test[50]]
    return generated, test


def test_full_protocol_is_texygens_non_fast_code_as_nltk_computes_it(corpus, monkeypatch):
    # The fast protocol's slices cut to 20 references and 15 samples, so that on this
    # small corpus a full protocol that sliced as the fast one does fails the nltk loop.
    monkeypatch.setattr(texygen, "NUM_REFERENCES", 20)
    monkeypatch.setattr(texygen, "NUM_SELF_BLEU_SAMPLES", 15)
    generated, test = corpus
    expected = {}
    for n in (2, 3, 4, 5):
        expected |= texygen_full_by_nltk(generated, test, n)
    got = texygen.full_protocol(generated, test)
    assert sorted(got) == sorted(KEYS)
    for key in KEYS:
        assert got[key] == pytest.approx(expected[key], rel=1e-12), key
    fast = texygen.fast_protocol(generated, test)
    assert all(abs(fast[key] - expected[key]) > 1e-3 for key in KEYS)


def test_full_protocol_uses_test_lines_and_samples_past_500():
    """Texygen's sample sizes themselves, cheaply: a sentence whose only match lies past
    the first 500 test lines, and one whose only copy lies past the first 500 samples."""
    a = ["two", "cats", "at", "night", "walk"]
    b = ["a", "man", "rides", "the", "horse"]  # no word of a
    test = [a] * 510 + [b]
    assert texygen.full_protocol([b, b], test, (4,))["bleu4"] == 1.0
    assert texygen.fast_protocol([b, b], test, (4,))["bleu4"] == 0.0
    samples = [b] + [a] * 510 + [b]
    assert texygen.full_protocol(samples, test, (2,))["self_bleu2"] == 1.0
    assert texygen.fast_protocol(samples, test, (2,))["self_bleu2"] == pytest.approx(499 / 500)


def test_both_protocols_score_every_set_under_each(corpus, monkeypatch):
    monkeypatch.setattr(texygen, "NUM_REFERENCES", 20)  # the two then differ here
    generated, test = corpus
    sentences = {"mle": generated[:20], "real": generated[20:]}
    seconds = {}
    measured = texygen.both_protocols(sentences, test, seconds)
    for protocol, score in (("fast", texygen.fast_protocol), ("full", texygen.full_protocol)):
        assert measured[protocol] == {name: score(s, test) for name, s in sentences.items()}
        assert set(seconds[protocol]) == {"mle", "real"}
    assert measured["fast"] != measured["full"]


def test_fast_protocol_uses_the_first_500_references_and_samples():
    rng = np.random.default_rng(7)
    test = random_sentences(rng, 600, 4, 9, WORDS[:8])
    special = ["two", "cats", "at", "night", "walk", "and", "two", "cats"]
    test[550] = special  # only past the first 500 references
    samples = [special] + random_sentences(rng, 520, 4, 9, WORDS[:8])
    ours = mean_bleu([special], test, (4,))["bleu4"]
    theirs = texygen.fast_protocol([special, special], test, (4,))["bleu4"]
    assert ours == 1.0 and theirs < 0.5
    first = texygen.fast_protocol(samples, test, (2,))
    more = texygen.fast_protocol(samples + [samples[0]] * 30, test, (2,))
    assert more["self_bleu2"] == first["self_bleu2"]  # samples past 500 are not in it
    assert first["self_bleu2"] == mean_self_bleu(samples[:500], (2,))["self_bleu2"]
    assert mean_self_bleu(samples + [samples[0]] * 30, (2,)) != mean_self_bleu(samples, (2,))


def test_published_numbers_cover_both_models_and_every_metric():
    for model in ("seqgan", "mle"):
        assert sorted(texygen.PUBLISHED[model]) == sorted(KEYS)
    assert texygen.PUBLISHED["seqgan"]["bleu2"] == 0.745 and texygen.NUM_SAMPLES == 9984


def code_to_text(rows, tokens) -> list[list[str]]:
    """Texygen's ``utils/text_process.py`` ``code_to_text`` as read at commit 0421ed4: each
    id but the EOF id appended, wherever the EOF stands; here the EOF id is the end id 0."""
    sentences = []
    for row in rows:
        words = []
        for number in row:
            if number == 0:
                continue
            words.append(tokens[number])
        sentences.append(words)
    return sentences


def test_after_end_protocol_scores_texygens_decoding_of_the_same_samples(corpus):
    from seqgan_tf.data.vocabulary import TokenVocabulary

    generated, test = corpus
    vocabulary = TokenVocabulary.build(test + generated)
    # Rows ending early, then words drawn after the end (or more ends); one row with no end.
    rng = np.random.default_rng(5)
    rows = rng.integers(1, len(vocabulary), size=(30, 12))
    rows[::2, 6] = 0
    rows[::4, 9:] = 0
    rows[3, 2:] = 0
    after = [
        sum(1 for t in row[list(row).index(0) + 1 :] if t != 0) if 0 in row else 0 for row in rows
    ]
    assert max(after) > 0 and min(after) == 0
    np.testing.assert_array_equal(texygen.words_after_end(rows), after)
    decoded = code_to_text(rows, vocabulary.tokens)
    assert vocabulary.decode_all_but_end(rows) == decoded
    assert vocabulary.decode(rows) != decoded  # the project stops at the first end
    measured = texygen.after_end_protocol({"mle": rows}, vocabulary, test)
    expected = {}
    for n in (2, 3, 4, 5):
        expected |= texygen_full_by_nltk(decoded, test, n)
    for key in KEYS:
        assert measured["mle"][key] == pytest.approx(expected[key], rel=1e-12), key
    assert measured["mle"]["share_with_words_after_end"] == np.mean(np.array(after) > 0)
    assert measured["mle"]["mean_words_after_end"] == pytest.approx(np.mean(after))
