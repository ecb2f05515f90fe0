"""A MIDI folder as sequences: windows, the split by tune, the vocabulary, bad folders."""

from __future__ import annotations

import os
import pathlib

import numpy as np
import pytest
from conftest import seqgan_data_dir
from music_tunes import scale_tune, write_tune

from seqgan_tf.data.midi import MidiError
from seqgan_tf.data.music_corpus import (
    MusicData,
    MusicSettings,
    PitchVocabulary,
    midi_files,
    windows,
)

SETTINGS = MusicSettings(music_sequence_length=4, music_hop=4, music_test_fraction=0.25)


def test_windows_are_consecutive_and_the_remainder_is_dropped():
    keys = np.arange(1, 11)
    assert windows(keys, 4, 4).tolist() == [[1, 2, 3, 4], [5, 6, 7, 8]]
    assert windows(keys, 4, 3).tolist() == [[1, 2, 3, 4], [4, 5, 6, 7], [7, 8, 9, 10]]
    assert windows(keys[:3], 4, 4).shape == (0, 4)


def folder_of_tunes(root: pathlib.Path, steps: list[int]) -> pathlib.Path:
    """Tune i plays keys 20 + 3 i and 22 + 3 i, so every window names its tune."""
    root.mkdir(parents=True, exist_ok=True)
    for i, n in enumerate(steps):
        scale_tune(root / f"tune{i:02d}.mid", 40 + 3 * i, n)
    return root


def tune_of_window(window: np.ndarray) -> int:
    return (int(window.min()) - 20) // 3


def test_the_split_is_by_tune_with_all_its_windows(tmp_path):
    steps = [4, 9, 12, 3, 8, 16, 5, 4]  # tune 3 is shorter than a window
    data = MusicData.load(str(folder_of_tunes(tmp_path / "tunes", steps)), SETTINGS, seed=1)
    train_ids = {tune_of_window(w) for w in data.train}
    test_ids = {tune_of_window(w) for w in data.test}
    assert not train_ids & test_ids
    assert train_ids | test_ids == {0, 1, 2, 4, 5, 6, 7}
    assert {f"tune{i:02d}.mid" for i in test_ids} == set(data.test_tunes)
    assert len(data.test_tunes) == 2  # round(0.25 * 7 usable tunes)
    windows_per_tune = {i: n // 4 for i, n in enumerate(steps)}
    assert len(data.test) == sum(windows_per_tune[i] for i in test_ids)
    assert len(data.train) + len(data.test) == sum(windows_per_tune.values())
    assert data.train.dtype == np.int32 and data.train.shape[1] == 4
    summary = data.summary()
    assert summary["tunes_read"] == 8 and summary["short_tunes"] == 1
    assert summary["steps"] == sum(steps)
    assert summary["dropped_steps"] == sum(n % 4 if n >= 4 else n for n in steps)
    assert (summary["lowest_key"], summary["highest_key"]) == (20, 20 + 3 * 7 + 2)


def test_the_data_is_a_function_of_the_files_and_the_seed(tmp_path):
    folder = str(folder_of_tunes(tmp_path / "tunes", [8] * 10))
    a, b = (MusicData.load(folder, SETTINGS, seed=7) for _ in range(2))
    assert np.array_equal(a.train, b.train) and a.test_tunes == b.test_tunes
    assert a.sha256 == b.sha256
    assert MusicData.load(folder, SETTINGS, seed=8).test_tunes != a.test_tunes


def test_save_split_names_the_tunes_on_each_side(tmp_path):
    import json

    data = MusicData.load(str(folder_of_tunes(tmp_path / "tunes", [8] * 6)), SETTINGS, seed=0)
    data.save_split(tmp_path / "split.json")
    saved = json.loads((tmp_path / "split.json").read_text())
    assert saved["test_tune_names"] == list(data.test_tunes)
    assert saved["train_sequences"] == len(data.train)


def test_the_vocabulary_round_trips_and_names_the_keys(tmp_path):
    vocabulary = PitchVocabulary()
    assert len(vocabulary) == 89
    vocabulary.save(tmp_path / "vocab.json")
    assert PitchVocabulary.load(tmp_path / "vocab.json") == vocabulary
    assert vocabulary.decode(np.array([[40, 0, 88]])) == ["C4 - C8"]
    (tmp_path / "other.json").write_text('{"characters": ["a"]}')
    with pytest.raises(MidiError, match="other.json: not a pitch vocabulary"):
        PitchVocabulary.load(tmp_path / "other.json")


def test_other_files_in_the_folder_are_ignored(tmp_path):
    folder = folder_of_tunes(tmp_path / "tunes", [8, 8])
    (folder / "README.md").write_text("not a tune")
    write_tune(folder / "upper.MIDI", [(60, 0.0, 0.4)])
    assert [os.path.basename(p) for p in midi_files(folder)] == [
        "tune00.mid",
        "tune01.mid",
        "upper.MIDI",
    ]


@pytest.mark.parametrize(
    "name, make, message",
    [
        ("missing", lambda d: None, r"--data=\S+missing: not a folder"),
        ("empty", lambda d: d.mkdir(), r"empty: no MIDI files \(\*\.mid, \*\.midi\)$"),
        (
            "nested",
            lambda d: folder_of_tunes(d / "melody", [8]),
            r"nested: no MIDI files \(\*\.mid, \*\.midi\); its subfolder \S+melody has some",
        ),
        (
            "not-midi",
            lambda d: (folder_of_tunes(d, [8, 8]) / "tune01.mid").write_bytes(b"MThd broken"),
            r"tune01\.mid: not a MIDI file",
        ),
        (
            "no-notes",
            lambda d: write_tune(folder_of_tunes(d, [8, 8]) / "tune00.mid", []),
            r"tune00\.mid: no notes",
        ),
        (
            "too-short",
            lambda d: folder_of_tunes(d, [8, 3]),
            r"too-short: 1 of 2 tunes last 4 steps \(1\.6 s\); a split by tune needs 2",
        ),
    ],
)
def test_bad_folders_stop_with_one_line_naming_the_file(tmp_path, name, make, message):
    folder = tmp_path / name
    make(folder)
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises((MidiError, FileNotFoundError), match=message) as error:
        MusicData.load(str(folder), SETTINGS, seed=0)
    assert "\n" not in str(error.value)
    assert sorted(tmp_path.rglob("*")) == before  # nothing written


@pytest.mark.parametrize(
    "field, value, flag",
    [
        ("music_sequence_length", 1, "--music_sequence_length"),
        ("music_hop", 0, "--music_hop"),
        ("music_step_seconds", 0.0, "--music_step_seconds"),
        ("music_test_fraction", 1.0, "--music_test_fraction"),
    ],
)
def test_settings_name_the_flag(field, value, flag):
    with pytest.raises(ValueError, match=flag):
        MusicSettings(**{field: value})


NOTTINGHAM = seqgan_data_dir().parent / "nottingham" / "melody"


@pytest.mark.skipif(not NOTTINGHAM.is_dir(), reason=f"Nottingham melodies not at {NOTTINGHAM}")
def test_the_shared_nottingham_folder():
    data = MusicData.load(str(NOTTINGHAM), MusicSettings(), seed=88)
    summary = data.summary()
    assert summary["tunes_read"] == 1034
    assert summary["short_tunes"] == 1  # one tune is under 12.8 s
    assert len(data.train) + len(data.test) == 4926
    assert (summary["lowest_pitch"], summary["highest_pitch"]) == ("G3", "E6")  # MIDI 55..88
    assert not set(data.train_tunes) & set(data.test_tunes)
    assert len(data.train_tunes) + len(data.test_tunes) == 1033
    assert len(data.test_tunes) == round(0.1 * 1033)
