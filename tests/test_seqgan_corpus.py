"""Sentences of any length: tokens, the end token, padding, the vocabulary, the errors."""

from __future__ import annotations

import hashlib
import json
import os

import numpy as np
import pytest

from seqgan_tf.data.corpus import (
    CorpusSettings,
    TextCorpus,
    parse_lines,
    read_corpus_file,
)
from seqgan_tf.data.vocabulary import (
    END,
    END_ID,
    UNKNOWN,
    UNKNOWN_ID,
    VOCABULARY_FILE,
    CorpusError,
    TokenVocabulary,
    strip_end,
)

SENTENCES = [
    "a man rides a horse",
    "a dog on the beach",
    "two cats",
    "a man and a dog walk on the beach at night",
]
COCO = "/work/shared/data/coco"
if "SEQGAN_DATA_DIR" in os.environ:
    COCO = os.path.join(os.path.dirname(os.environ["SEQGAN_DATA_DIR"].rstrip("/")), "coco")


def write(tmp_path, lines, name="corpus.txt") -> str:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode() if isinstance(lines, list) else lines)
    return str(path)


def corpus(tmp_path, lines, batch_size=2, **settings) -> TextCorpus:
    return TextCorpus.load(
        write(tmp_path, lines), CorpusSettings(**settings), seed=1, batch_size=batch_size
    )


def test_word_sequences_end_and_pad_with_end_and_decode_back(tmp_path):
    test = write(tmp_path, ["a dog", "the man rides"], "test.txt")
    data = corpus(tmp_path, SENTENCES, test_data=test)
    words = [s.split() for s in SENTENCES]
    assert data.max_length == max(len(w) for w in words) + 1 == 12
    assert data.train.shape == (4, 12) and data.train.dtype == np.int32
    for row, sentence in zip(data.train, words, strict=True):
        assert (row[len(sentence) :] == END_ID).all()  # the end, then END as padding
        assert (row[: len(sentence)] > UNKNOWN_ID).all()
    assert data.vocabulary.decode(data.train) == words
    assert data.vocabulary.decode_text(data.test) == ["a dog", "the man rides"]
    assert data.test_references == [["a", "dog"], ["the", "man", "rides"]]


def test_the_digest_is_of_the_training_file_then_the_test_file(tmp_path):
    test = write(tmp_path, ["a dog", "the man rides"], "test.txt")
    data = corpus(tmp_path, SENTENCES, test_data=test)
    files = (tmp_path / "corpus.txt").read_bytes() + (tmp_path / "test.txt").read_bytes()
    assert data.sha256 == hashlib.sha256(files).hexdigest()
    split = corpus(tmp_path, SENTENCES)
    assert split.sha256 == hashlib.sha256((tmp_path / "corpus.txt").read_bytes()).hexdigest()


def test_vocabulary_order_reserved_ids_and_min_count():
    words = [s.split() for s in SENTENCES]
    vocabulary = TokenVocabulary.build(words)
    # a: 6, the 2, beach 2, dog 2, man 2, on 2 (ties by code point), then the ones
    assert vocabulary.tokens[:8] == (END, UNKNOWN, "a", "beach", "dog", "man", "on", "the")
    assert len(vocabulary) == 2 + len({w for s in words for w in s})
    frequent = TokenVocabulary.build(words, min_count=2)
    assert frequent.tokens == (END, UNKNOWN, "a", "beach", "dog", "man", "on", "the")
    capped = TokenVocabulary.build(words, max_vocab=4)
    assert capped.tokens == (END, UNKNOWN, "a", "beach")
    assert capped.ids([["a", "horse", "beach"]]) == [[2, UNKNOWN_ID, 3]]


def test_a_corpus_unk_is_the_unknown_id():
    vocabulary = TokenVocabulary.build([["a", UNKNOWN, "b"]])
    assert UNKNOWN not in vocabulary.tokens[2:]
    assert vocabulary.ids([["a", UNKNOWN]]) == [[2, UNKNOWN_ID]]


def test_characters_lowercase_and_decoding_joins_without_spaces(tmp_path):
    test = write(tmp_path, ["BAC"], "test.txt")
    data = corpus(tmp_path, [" Ab c ", "ab", "BA"], tokens="char", lowercase=True, test_data=test)
    assert data.vocabulary.kind == "char" and data.max_length == 5
    assert data.vocabulary.tokens == (END, UNKNOWN, "a", "b", " ", "c")
    assert data.vocabulary.decode_text(data.train) == ["ab c", "ab", "ba"]
    assert data.vocabulary.decode_text(data.test) == ["bac"]


def test_decoding_stops_at_the_first_end_so_no_padding_is_ever_shown():
    vocabulary = TokenVocabulary((END, UNKNOWN, "x", "y"))
    tokens = np.array([[2, 3, 0, 2, 3], [0, 2, 2, 2, 2], [2, 2, 2, 2, 2], [3, 1, 0, 0, 0]])
    assert vocabulary.decode_text(tokens) == ["x y", "", "x x x x x", f"y {UNKNOWN}"]
    assert [len(row) for row in strip_end(tokens)] == [2, 0, 5, 2]


def test_empty_lines_are_skipped_and_counted(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbfa b\r\n\n   \nc d e\n\n")
    sentences, empty = parse_lines(read_corpus_file(path), path, CorpusSettings())
    assert sentences == [["a", "b"], ["c", "d", "e"]] and empty == 3


@pytest.mark.parametrize("long_lines", ["drop", "cut"])
def test_long_lines_are_counted_and_dropped_or_cut(tmp_path, long_lines):
    data = corpus(tmp_path, SENTENCES, max_length=6, long_lines=long_lines, test_fraction=0.25)
    assert data.max_length == 6
    every = data.counts["long_train_lines"] + data.counts["long_test_lines"]
    assert every == 1  # the eleven-word line
    rows = np.concatenate([data.train, data.test])
    assert (rows[:, -1] == END_ID).all()  # every kept sequence ends within max_length
    assert len(rows) == (4 if long_lines == "cut" else 3)
    if long_lines == "cut":
        assert ["a", "man", "and", "a", "dog"] in data.vocabulary.decode(rows) or (
            data.counts["long_test_lines"] == 1
        )


def test_vocabulary_file_round_trip_and_reuse(tmp_path):
    data = corpus(tmp_path, SENTENCES, lowercase=True)
    path = tmp_path / VOCABULARY_FILE
    data.vocabulary.save(path)
    loaded = TokenVocabulary.load(path)
    assert loaded == data.vocabulary
    assert json.loads(path.read_text())["vocabulary"][:2] == [END, UNKNOWN]
    again = TextCorpus.load(
        data.path, CorpusSettings(lowercase=True), seed=1, batch_size=2, vocabulary=loaded
    )
    np.testing.assert_array_equal(again.train, data.train)
    with pytest.raises(CorpusError, match="saved vocabulary is of --tokens=word"):
        TextCorpus.load(data.path, CorpusSettings(tokens="char"), 1, 2, vocabulary=loaded)


def test_a_file_that_is_not_a_vocabulary_is_named(tmp_path):
    path = tmp_path / "vocab.json"
    path.write_text('{"characters": ["x"]}')
    with pytest.raises(CorpusError, match=f"{path}: not a vocabulary"):
        TokenVocabulary.load(path)


def test_the_seeded_split_is_a_partition_and_repeats(tmp_path):
    lines = [f"w{i} x{i % 7}" for i in range(100)]
    one = corpus(tmp_path, lines, test_fraction=0.2)
    two = corpus(tmp_path, lines, test_fraction=0.2)
    assert len(one.test_references) == 20 and len(one.train_references) == 80
    assert sorted(map(" ".join, one.train_references + one.test_references)) == sorted(lines)
    np.testing.assert_array_equal(one.test, two.test)


@pytest.mark.parametrize(
    "content, settings, batch_size, message",
    [
        (b"", {}, 1, "corpus.txt: no lines with text"),
        (b"a b\n\xff c\n", {}, 1, r"corpus.txt:2: not UTF-8 \(byte 1 of the line"),
        (
            b"a b\nc d\ne f\n",
            {},
            4,
            "2 training sequences .* fewer than one batch of 4",
        ),
        (b"a <end> b\nc\n", {}, 1, "corpus.txt:1: holds <end>"),
        (
            b"a b c d\nc d e f\ne\n",
            {"max_length": 3},
            2,
            "corpus.txt: 1 training sequences .* 1 longer than --max_length=3",
        ),
    ],
)
def test_bad_corpora_stop_with_one_line_naming_the_file(
    tmp_path, content, settings, batch_size, message
):
    with pytest.raises(CorpusError, match=message) as error:
        TextCorpus.load(write(tmp_path, content), CorpusSettings(**settings), 1, batch_size)
    assert "\n" not in str(error.value) and str(tmp_path) in str(error.value)
    assert sorted(os.listdir(tmp_path)) == ["corpus.txt"]  # nothing written


def test_a_test_file_sharing_no_vocabulary_is_refused(tmp_path):
    test = write(tmp_path, ["xyz uvw", "qqq"], "test.txt")
    with pytest.raises(CorpusError, match=r"test.txt: none of its 3 tokens is in the vocabulary"):
        corpus(tmp_path, SENTENCES, test_data=test)
    missing = str(tmp_path / "nope.txt")
    with pytest.raises(CorpusError, match="nope.txt: file not found"):
        corpus(tmp_path, SENTENCES, test_data=missing)


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"max_length": 1}, "--max_length=1: below 2"),
        ({"tokens": "bpe"}, "--tokens='bpe'"),
        ({"long_lines": "wrap"}, "--long_lines='wrap'"),
        ({"min_count": 0}, "--min_count=0"),
        ({"max_vocab": 2}, "--max_vocab=2"),
        ({"test_fraction": 1.0}, "--test_fraction=1.0"),
    ],
)
def test_bad_settings_name_the_flag(settings, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        CorpusSettings(**settings)


def test_settings_have_help_texts():
    import dataclasses

    for field in dataclasses.fields(CorpusSettings):
        assert len(field.metadata["help"]) > 20, field.name


needs_coco = pytest.mark.skipif(
    not os.path.isfile(os.path.join(COCO, "image_coco_train.txt")),
    reason=f"the shared COCO captions are not at {COCO}",
)


def load_coco(tokens: str) -> TextCorpus:
    return TextCorpus.load(
        os.path.join(COCO, "image_coco_train.txt"),
        CorpusSettings(tokens=tokens, test_data=os.path.join(COCO, "image_coco_test.txt")),
        seed=88,
        batch_size=64,
    )


@needs_coco
def test_the_coco_captions_split_on_whitespace():
    data = load_coco("word")
    # 10,000 captions each (the last without a newline: `wc -l` says 9,999), 7 to 35
    # words; 6,094 distinct training words (`tr ' ' '\n' | sort -u`), + end and unknown.
    assert data.train.shape == (10000, 36) and data.test.shape == (10000, 36)
    assert len(data.vocabulary) == 6094 + 2
    assert min(len(s) for s in data.train_references) == 7
    assert data.counts["long_test_lines"] == 0 and data.counts["empty_lines"] == 0
    with open(os.path.join(COCO, "image_coco_train.txt"), encoding="utf-8") as f:
        train_words = set(f.read().split())
    with open(os.path.join(COCO, "image_coco_test.txt"), encoding="utf-8") as f:
        test_lines = f.read().splitlines()
    test_words = [w for line in test_lines for w in line.split()]
    assert data.counts["test_tokens"] == len(test_words)
    assert data.counts["unknown_test_tokens"] == sum(w not in train_words for w in test_words)
    shown = [" ".join(w if w in train_words else UNKNOWN for w in s.split()) for s in test_lines]
    assert data.vocabulary.decode_text(data.test[:100]) == shown[:100]


@needs_coco
def test_the_coco_captions_split_as_texygen_does():
    """Texygen's shapes: its longest training caption is 37 nltk tokens, its dictionary
    the training file's 4,659 distinct tokens (its vocab_size 4,660 adds the EOF id);
    here + 1 for the end token and 2 reserved ids."""
    data = load_coco("nltk")
    assert data.train.shape == (10000, 38) and data.test.shape == (10000, 38)
    assert len(data.vocabulary) == 4659 + 2
    assert data.train_references[0][-2:] == ["wheel", "."]
    from nltk.tokenize import NLTKWordTokenizer

    with open(os.path.join(COCO, "image_coco_test.txt"), encoding="utf-8") as f:
        test_tokens = [w for line in f for w in NLTKWordTokenizer().tokenize(line.strip())]
    known = set(data.vocabulary.tokens[2:])
    assert data.counts["test_tokens"] == len(test_tokens)
    assert data.counts["unknown_test_tokens"] == sum(w not in known for w in test_tokens)
