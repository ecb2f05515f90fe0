"""A folder of MIDI tunes as SeqGAN's data: windows of 32 keys, a split by tune, the vocabulary.

Each ``*.mid`` / ``*.midi`` file directly in the folder is one tune, sampled into piano keys
1..88 by :mod:`seqgan_tf.data.midi` (other files are ignored). Then:

* **Windows.** A tune of S steps gives the windows starting at 0, hop, 2 * hop, ... that fit
  whole: with the default hop of 32 (= the length), consecutive non-overlapping windows, and
  the remainder of fewer than 32 steps at the end of the tune is dropped (padding it would
  need a symbol outside the paper's 88). A tune shorter than one window gives none and is
  counted in :attr:`MusicData.short_tunes`.
* **Split by tune.** The tunes with at least one window, in file-name order, are permuted by
  the seed (NumPy's ``default_rng``) and the first ``test_fraction`` of them (at least one)
  held out with all their windows, so no tune has windows on both sides (overlapping or
  repeated phrases of one tune would otherwise let the test split leak into training).
* **Ids.** The sequence's ids are the keys themselves, 1..88, the paper's numbers; id 0 is
  the generator's start token (as in the original code) and never a training target, so the
  models' vocabulary has 89 ids. :class:`PitchVocabulary` names them for the workdir.

Every file is read and checked before anything is returned, so a bad file stops a run
before its workdir is written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os

import numpy as np

from fileio.atomic import write_atomically
from seqgan_tf.data.midi import (
    PIANO_KEYS,
    STEP_SECONDS,
    MidiError,
    key_name,
    midi_pitch_of_key,
    read_tune,
)
from seqgan_tf.data.split import seeded_split

MIDI_SUFFIXES = (".mid", ".midi")
VOCABULARY_FILE = "pitch_vocab.json"  # in a music run's workdir
SPLIT_FILE = "music_split.json"  # the tunes on each side, in a music run's workdir


@dataclasses.dataclass(frozen=True)
class MusicSettings:
    """How a MIDI folder becomes sequences (``--mode=music``)."""

    music_sequence_length: int = 32
    music_hop: int = 32
    music_step_seconds: float = STEP_SECONDS
    music_test_fraction: float = 0.1

    def __post_init__(self) -> None:
        if self.music_sequence_length < 2:
            raise ValueError(
                f"--music_sequence_length must be at least 2, got {self.music_sequence_length}"
            )
        if self.music_hop < 1:
            raise ValueError(f"--music_hop must be at least 1, got {self.music_hop}")
        if not self.music_step_seconds > 0:
            raise ValueError(f"--music_step_seconds must be > 0, got {self.music_step_seconds}")
        if not 0.0 < self.music_test_fraction < 1.0:
            raise ValueError(
                f"--music_test_fraction must lie in (0, 1), got {self.music_test_fraction}"
            )


MUSIC_HELP = {
    "music_sequence_length": "--mode=music: steps per sequence (the paper: 32)",
    "music_hop": "--mode=music: steps between window starts in a tune (32: consecutive, "
    "non-overlapping windows; the remainder at a tune's end is dropped)",
    "music_step_seconds": "--mode=music: seconds between pitch samples (the paper: 0.4)",
    "music_test_fraction": "--mode=music: share of the tunes held out, with all their "
    "windows, as the test split",
}


def midi_files(folder: str | os.PathLike) -> list[str]:
    """The MIDI files directly in ``folder``, sorted by name.

    Raises:
      FileNotFoundError: when ``folder`` is not a folder.
      MidiError: when it holds no MIDI file (naming a subfolder that does, if one does).
    """
    folder = os.fspath(folder)
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"--data={folder}: not a folder")
    names = sorted(os.listdir(folder))
    found = [
        os.path.join(folder, name)
        for name in names
        if name.lower().endswith(MIDI_SUFFIXES) and os.path.isfile(os.path.join(folder, name))
    ]
    if found:
        return found
    hint = ""
    for name in names:
        sub = os.path.join(folder, name)
        if os.path.isdir(sub) and any(n.lower().endswith(MIDI_SUFFIXES) for n in os.listdir(sub)):
            hint = f"; its subfolder {sub} has some"
            break
    raise MidiError(f"{folder}: no MIDI files (*.mid, *.midi){hint}")


def windows(keys: np.ndarray, length: int, hop: int) -> np.ndarray:
    """[n, length] int32: the windows of ``keys`` starting every ``hop`` steps that fit whole."""
    starts = range(0, len(keys) - length + 1, hop)
    return np.asarray([keys[s : s + length] for s in starts], np.int32).reshape(-1, length)


def _uncovered_steps(steps: int, length: int, hop: int) -> int:
    """Steps of a tune of ``steps`` steps that no window of :func:`windows` covers."""
    covered = np.zeros(steps, bool)
    for start in range(0, steps - length + 1, hop):
        covered[start : start + length] = True
    return int(steps - covered.sum())


@dataclasses.dataclass(frozen=True)
class PitchVocabulary:
    """The fixed ids of the music experiment: 0 the start token, k = 1..88 piano key k."""

    def __len__(self) -> int:
        return PIANO_KEYS + 1

    def decode(self, tokens: np.ndarray) -> list[str]:
        """One line of pitch names per row of ``tokens`` [N, T]; id 0 is shown as ``-``."""
        return [" ".join(key_name(int(t)) if t else "-" for t in row) for row in np.asarray(tokens)]

    def save(self, path: str | os.PathLike) -> None:
        ids = [
            {"id": k, "midi_pitch": midi_pitch_of_key(k), "name": key_name(k)}
            for k in range(1, PIANO_KEYS + 1)
        ]
        write_atomically(path, json.dumps({"start_token": 0, "ids": ids}, indent=0))

    @classmethod
    def load(cls, path: str | os.PathLike) -> PitchVocabulary:
        with open(path, encoding="utf-8") as f:
            content = json.load(f)
        ids = content.get("ids") if isinstance(content, dict) else None
        if not ids or [entry.get("midi_pitch") for entry in ids] != [
            midi_pitch_of_key(k) for k in range(1, PIANO_KEYS + 1)
        ]:
            raise MidiError(f"{path}: not a pitch vocabulary written by this project")
        return cls()


@dataclasses.dataclass(frozen=True)
class MusicData:
    """A MIDI folder read, windowed, split by tune; a function of the files and the seed."""

    folder: str
    sha256: str  # of the sorted (file name, file sha256) pairs
    vocabulary: PitchVocabulary
    train: np.ndarray  # [N_train, T] int32 keys 1..88
    test: np.ndarray  # [N_test, T]
    train_tunes: tuple[str, ...]  # file names, in the split's order
    test_tunes: tuple[str, ...]
    tunes_read: int
    short_tunes: int  # tunes shorter than one window (in neither split)
    steps: int  # samples over all tunes
    rest_steps: int  # of them, instants with no note sounding (previous key held)
    dropped_steps: int  # steps of the tunes in no window

    @classmethod
    def load(cls, folder: str, settings: MusicSettings, seed: int) -> MusicData:
        """Reads every MIDI file of ``folder`` (errors name the file; nothing is written)."""
        tunes = [read_tune(path, settings.music_step_seconds) for path in midi_files(folder)]
        length, hop = settings.music_sequence_length, settings.music_hop
        cut = {tune.name: windows(tune.keys, length, hop) for tune in tunes}
        usable = [tune for tune in tunes if len(cut[tune.name])]
        if len(usable) < 2:
            raise MidiError(
                f"{folder}: {len(usable)} of {len(tunes)} tunes last {length} steps "
                f"({length * settings.music_step_seconds:g} s); a split by tune needs 2"
            )
        train_tunes, test_tunes = seeded_split(usable, settings.music_test_fraction, seed)
        steps = sum(len(tune.keys) for tune in tunes)
        digest = hashlib.sha256(
            "\n".join(f"{tune.name} {tune.sha256}" for tune in tunes).encode()
        ).hexdigest()
        return cls(
            folder=folder,
            sha256=digest,
            vocabulary=PitchVocabulary(),
            train=np.concatenate([cut[tune.name] for tune in train_tunes]),
            test=np.concatenate([cut[tune.name] for tune in test_tunes]),
            train_tunes=tuple(tune.name for tune in train_tunes),
            test_tunes=tuple(tune.name for tune in test_tunes),
            tunes_read=len(tunes),
            short_tunes=len(tunes) - len(usable),
            steps=steps,
            rest_steps=sum(tune.rest_steps for tune in tunes),
            dropped_steps=sum(_uncovered_steps(len(tune.keys), length, hop) for tune in tunes),
        )

    def summary(self) -> dict:
        """The counts a run logs and saves (JSON-ready)."""
        keys = np.concatenate([self.train.ravel(), self.test.ravel()])
        return {
            "folder": self.folder,
            "sha256": self.sha256,
            "tunes_read": self.tunes_read,
            "short_tunes": self.short_tunes,
            "train_tunes": len(self.train_tunes),
            "test_tunes": len(self.test_tunes),
            "train_sequences": len(self.train),
            "test_sequences": len(self.test),
            "steps": self.steps,
            "rest_steps": self.rest_steps,
            "dropped_steps": self.dropped_steps,
            "lowest_key": int(keys.min()),
            "highest_key": int(keys.max()),
            "lowest_pitch": key_name(int(keys.min())),
            "highest_pitch": key_name(int(keys.max())),
        }

    def save_split(self, path: str | os.PathLike) -> None:
        """The tunes on each side and the counts, as JSON (atomically)."""
        content = {
            **self.summary(),
            "train_tune_names": list(self.train_tunes),
            "test_tune_names": list(self.test_tunes),
        }
        write_atomically(path, json.dumps(content, indent=1))
