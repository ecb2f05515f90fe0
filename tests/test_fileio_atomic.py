"""Atomic writes: the bytes land whole, a failed write keeps the old file, gs://-style paths."""

from __future__ import annotations

import os

import pytest

from fileio.atomic import write_atomically


def test_text_is_written_as_utf8_and_bytes_unchanged_replacing_the_old_file(tmp_path):
    path = tmp_path / "state.json"
    path.write_bytes(b"old content, longer than the new")
    write_atomically(path, "caf\u00e9 \u8bd7\n")
    assert path.read_bytes() == "caf\u00e9 \u8bd7\n".encode()
    write_atomically(str(path), b"\x00\xffMThd")
    assert path.read_bytes() == b"\x00\xffMThd"
    assert os.listdir(tmp_path) == ["state.json"]  # no temporary file left


def test_a_write_that_fails_before_the_rename_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "vocab.json"
    path.write_text("old")

    def crash(src, dst):
        raise OSError("killed before the rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="killed"):
        write_atomically(path, "new")
    assert path.read_text() == "old"


def test_a_path_with_a_scheme_goes_through_tf_gfile():
    tf = pytest.importorskip("tensorflow")
    path = "ram://fileio_atomic_test/config.json"
    write_atomically(path, '{"a": 1}')
    write_atomically(path, '{"a": 2}')
    with tf.io.gfile.GFile(path, "rb") as f:
        assert f.read() == b'{"a": 2}'
    assert not tf.io.gfile.exists(f"{path}.tmp")
