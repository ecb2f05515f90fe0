"""Token files in the original format: round trip and errors naming file and line."""

from __future__ import annotations

import numpy as np
import pytest

from seqgan_tf.data.token_files import TokenFileError, read_token_file, write_token_file


def test_round_trip(tmp_path):
    tokens = np.random.default_rng(0).integers(0, 5000, size=(7, 20))
    path = tmp_path / "samples.txt"
    write_token_file(path, tokens)
    lines = path.read_text().splitlines()
    assert lines[0] == " ".join(str(t) for t in tokens[0])  # the original's format
    np.testing.assert_array_equal(read_token_file(path), tokens)


def test_reads_the_published_samples(real_data_path):
    tokens = read_token_file(real_data_path)
    assert tokens.shape == (9984, 20)
    assert tokens.dtype == np.int32


@pytest.mark.parametrize(
    "content, message",
    [
        ("1 2 3\n", r"bad\.txt:1: expected 20 token ids, found 3"),
        (
            " ".join(["1"] * 20) + "\n" + " ".join(["5000"] * 20) + "\n",
            r"bad\.txt:2: token 1 is 5000, outside the vocabulary \[0, 5000\)",
        ),
        (" ".join(["1"] * 19) + " x\n", r"bad\.txt:1: 'x' is not an integer token id"),
        (" ".join(["1"] * 19) + " -3\n", r"bad\.txt:1: token 20 is -3, outside the vocabulary"),
        ("\n\n", r"bad\.txt: no sequences found"),
    ],
)
def test_bad_files_name_file_line_and_problem(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_text(content)
    with pytest.raises(TokenFileError, match=message):
        read_token_file(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.txt"):
        read_token_file(tmp_path / "nope.txt")
