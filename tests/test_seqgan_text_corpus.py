"""The text corpus: reading with clear errors, the seeded split, the vocabulary round trip."""

from __future__ import annotations

import pytest

from seqgan_tf.data.text_corpus import (
    DISPLAYED_UNKNOWN,
    UNKNOWN,
    CorpusError,
    Vocabulary,
    layout,
    read_corpus,
    split_corpus,
    write_poems,
)

POEMS = ["白日依山盡黃河入海流欲窮千里目更上一層樓", "床前明月光疑是地上霜舉頭望明月低頭思故鄉"]


def write(tmp_path, content: bytes, name: str = "corpus.txt"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_read_corpus_keeps_lines_and_skips_blank_ones(tmp_path):
    path = write(tmp_path, ("\ufeff" + POEMS[0] + "\r\n\n" + POEMS[1] + "\n").encode())
    assert read_corpus(path) == POEMS


@pytest.mark.parametrize(
    "content, where, message",
    [
        (b"", ":", "no lines (an empty corpus)"),
        (b"\n \n", ":", "no lines (an empty corpus)"),
        (b"abcd\nabcd\nabc\n", ":3:", "3 characters, but the corpus's first line has 4"),
        (b"abcd\nab\xffd\n", ":2:", "not UTF-8 (byte 3 of the line"),
    ],
)
def test_bad_corpus_names_file_and_line(tmp_path, content, where, message):
    path = write(tmp_path, content)
    with pytest.raises(CorpusError) as error:
        read_corpus(path)
    assert str(error.value).startswith(f"{path}{where}") and message in str(error.value)


def test_missing_corpus_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.txt: file not found"):
        read_corpus(tmp_path / "nope.txt")


def test_split_is_a_seeded_partition():
    lines = [f"{i:04d}" for i in range(1000)]
    train, test = split_corpus(lines, 0.1, seed=88)
    assert len(test) == 100 and len(train) == 900
    assert sorted(train + test) == lines
    assert split_corpus(lines, 0.1, seed=88) == (train, test)  # the same seed: the same split
    other_train, other_test = split_corpus(lines, 0.1, seed=89)
    assert set(other_test) != set(test)


def test_split_keeps_at_least_one_line_each_side():
    train, test = split_corpus(["aa", "bb", "cc"], 0.01, seed=0)
    assert len(test) == 1 and len(train) == 2
    with pytest.raises(ValueError, match="at least 2 lines"):
        split_corpus(["aa"], 0.5, seed=0)


def test_vocabulary_is_frequency_sorted_after_the_unknown_id():
    vocabulary = Vocabulary.build(["abca", "bcbd"], max_size=10)
    # counts: b 3, a 2, c 2, d 1; ties (a, c) by code point
    assert vocabulary.characters == (UNKNOWN, "b", "a", "c", "d")


def test_vocabulary_round_trip_through_ids_and_the_saved_file(tmp_path):
    vocabulary = Vocabulary.build(POEMS, max_size=100)
    tokens = vocabulary.encode(POEMS)
    assert tokens.shape == (2, 20) and tokens.min() >= 1  # no training character is unknown
    assert vocabulary.decode(tokens) == POEMS
    vocabulary.save(tmp_path / "vocab.json")
    assert Vocabulary.load(tmp_path / "vocab.json") == vocabulary


def test_unknown_characters_become_id_0_and_show_as_a_square():
    vocabulary = Vocabulary.build(["abab"], max_size=10)
    tokens = vocabulary.encode(["abzb"])
    assert tokens.tolist() == [[1, 2, 0, 2]] or tokens.tolist() == [[2, 1, 0, 1]]
    assert vocabulary.decode(tokens) == [f"ab{DISPLAYED_UNKNOWN}b"]


def test_vocabulary_over_the_cap_names_the_line(tmp_path):
    with pytest.raises(CorpusError, match=r"corpus.txt: line 2 .* 5 ids .*--text_max_vocab=4"):
        Vocabulary.build(["aab", "bcd", "eee"], max_size=4, source="corpus.txt")


def test_a_corpus_holding_the_reserved_character_is_refused():
    with pytest.raises(CorpusError, match="U\\+FFFD"):
        Vocabulary.build([f"a{UNKNOWN}"], max_size=10)


def test_quatrain_layout(tmp_path):
    assert layout(POEMS[1], 5) == "床前明月光\n疑是地上霜\n舉頭望明月\n低頭思故鄉"
    assert layout(POEMS[1], 0) == POEMS[1]
    write_poems(tmp_path / "samples" / "p.txt", POEMS, 5)
    text = (tmp_path / "samples" / "p.txt").read_text(encoding="utf-8")
    assert text.split("\n\n")[1] == "床前明月光\n疑是地上霜\n舉頭望明月\n低頭思故鄉\n"
