"""MIDI to pitch sequences and back: the paper's sampling of the sounding pitch every 0.4 s.

The paper (music experiment): "88 numbers to represent 88 pitches, which correspond to the
88 keys on the piano. With the pitch sampling for every 0.4s, we transform the midi files
into sequences of numbers from 1 to 88". What it leaves open is read here as follows.

* **Keys.** Piano key k (1..88) is MIDI note k + 20: A0 (MIDI 21) is key 1, C8 (MIDI 108)
  key 88. A note outside the piano is an error naming the file, not folded into range.
* **Instants.** t_k = t_0 + k * 0.4 s from the first note's onset t_0 (leading silence is
  not part of the tune), for as long as t_k is before the last note ends. Times are the
  seconds pretty_midi computes from the file's tempo map, so the tempo marking of a file
  changes nothing as long as its notes sound at the same seconds.
* **The sounding note.** A note sounds on [start, end), judged at t_k + 1 ms: MIDI ticks
  round note times (the Nottingham files by up to 0.5 ms), and a note that starts a
  fraction of a millisecond after the instant is the one a listener hears there. When
  several sound, the one that started last wins (a monophonic instrument's last-note
  priority: in a legato overlap the new note has taken over); among notes that started
  together (a double stop, which the Nottingham melodies have about 750 of) the highest,
  the melody's top voice.
* **Rests.** An instant where nothing sounds holds the previous key. The paper's alphabet is
  the 88 pitches and nothing else, so silence must become a pitch; holding the last one is
  the reading of sampling that keeps a value until a new one arrives, and it makes the
  files' sub-millisecond gaps between notes (hundreds of them, from tick rounding) vanish
  instead of appearing as symbols. :attr:`SampledTune.rest_steps` counts the instants.
* **Instruments.** Drum tracks are skipped (their note numbers name drums, not pitches);
  the notes of all other tracks are pooled (a Nottingham file has one). Notes of 1 ms or
  less (zero-length ones included) are ignored: no instant can hear them.
* **Back to MIDI.** A sequence becomes one piano track, 0.4 s a step, tempo 120 (0.4 s is
  exactly 176 ticks at pretty_midi's 220 ticks a beat). Consecutive equal keys are merged
  into one note: the sampling cannot tell a held note from a re-struck one, and the held
  note is what the tune played. Id 0 (the generator's start token, never a training target)
  is a silent step. Sequences of keys 1..88 survive the round trip unchanged.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
from collections.abc import Sequence

import numpy as np
import pretty_midi

from fileio.atomic import write_atomically

PIANO_KEYS = 88
LOWEST_MIDI_PITCH = 21  # A0, the piano's key 1
STEP_SECONDS = 0.4
# The sounding note is judged this long after each instant (see the module docstring).
SAMPLE_DELAY_SECONDS = 1e-3
WRITE_TEMPO = 120.0
WRITE_VELOCITY = 90  # the Nottingham files' velocity
WRITE_PROGRAM = 0  # acoustic grand piano


class MidiError(ValueError):
    """A MIDI file that cannot be used; the message names the file."""


@dataclasses.dataclass(frozen=True)
class SampledTune:
    """One tune as keys 1..88, one per step, and where it came from."""

    name: str  # the file name
    sha256: str
    keys: np.ndarray  # [steps] int32 in 1..88
    rest_steps: int  # instants where nothing sounded (the previous key held)


def key_of_midi_pitch(pitch: int) -> int:
    """Piano key (1..88) of MIDI note ``pitch`` (21..108)."""
    return int(pitch) - LOWEST_MIDI_PITCH + 1


def midi_pitch_of_key(key: int) -> int:
    """MIDI note (21..108) of piano key ``key`` (1..88)."""
    return int(key) + LOWEST_MIDI_PITCH - 1


def key_name(key: int) -> str:
    """Scientific pitch name of piano key ``key``: 1 is A0, 40 is C4 (middle C)."""
    return pretty_midi.note_number_to_name(midi_pitch_of_key(key))


def parse_midi(content: bytes, source: str) -> pretty_midi.PrettyMIDI:
    """The MIDI file whose bytes are ``content``; errors name ``source``.

    Raises:
      MidiError: when the bytes are not a MIDI file pretty_midi can read.
    """
    try:
        return pretty_midi.PrettyMIDI(io.BytesIO(content))
    except Exception as error:  # mido raises OSError, EOFError, KeyError, ValueError, ...
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise MidiError(f"{source}: not a MIDI file ({reason})") from None


def sample_keys(
    midi: pretty_midi.PrettyMIDI, source: str, step_seconds: float = STEP_SECONDS
) -> tuple[np.ndarray, int]:
    """(keys [steps] int32 in 1..88, rest steps) of ``midi`` sampled every ``step_seconds``
    by the rules of the module docstring; errors name ``source``.

    Raises:
      MidiError: for a file without notes (drum tracks and notes of 1 ms or less aside) or with
        a note outside the piano's 88 keys.
    """
    notes = [
        note
        for instrument in midi.instruments
        if not instrument.is_drum
        for note in instrument.notes
        # A note that ends within the judging delay of its onset is never heard at an
        # instant; dropping it also keeps t_0 on a note that sounds there.
        if note.end - note.start > SAMPLE_DELAY_SECONDS
    ]
    if not notes:
        raise MidiError(f"{source}: no notes (a tune needs at least one pitched note)")
    for note in notes:
        if not 1 <= key_of_midi_pitch(note.pitch) <= PIANO_KEYS:
            raise MidiError(
                f"{source}: MIDI note {note.pitch} at {note.start:.3f} s is outside the piano's "
                f"88 keys (MIDI {LOWEST_MIDI_PITCH}..{midi_pitch_of_key(PIANO_KEYS)})"
            )
    # Rank = place in (onset, pitch) order; at each instant the sounding note of highest
    # rank wins: the latest onset, then the highest pitch.
    notes.sort(key=lambda note: (note.start, note.pitch))
    start = np.array([note.start for note in notes])
    end = np.array([note.end for note in notes])
    keys = np.array([key_of_midi_pitch(note.pitch) for note in notes], np.int32)

    first, last = start.min(), end.max()
    candidates = first + step_seconds * np.arange(int((last - first) / step_seconds) + 2)
    instants = candidates[candidates + SAMPLE_DELAY_SECONDS < last] + SAMPLE_DELAY_SECONDS
    sounding = (start[None, :] <= instants[:, None]) & (end[None, :] > instants[:, None])
    rank = np.where(sounding, np.arange(len(notes))[None, :], -1).max(axis=1)
    rests = rank < 0
    # Hold the previous key over rests; the first instant is the first onset, never a rest.
    held = np.maximum.accumulate(np.where(rests, 0, np.arange(len(rank))))
    return keys[rank[held]], int(rests.sum())


def read_tune(path: str | os.PathLike, step_seconds: float = STEP_SECONDS) -> SampledTune:
    """The MIDI file at ``path`` sampled by :func:`sample_keys`.

    Raises:
      MidiError: naming ``path`` (see :func:`parse_midi`, :func:`sample_keys`).
    """
    source = os.fspath(path)
    with open(source, "rb") as f:
        content = f.read()
    keys, rest_steps = sample_keys(parse_midi(content, source), source, step_seconds)
    return SampledTune(
        os.path.basename(source), hashlib.sha256(content).hexdigest(), keys, rest_steps
    )


def keys_to_midi(
    keys: Sequence[int] | np.ndarray, step_seconds: float = STEP_SECONDS
) -> pretty_midi.PrettyMIDI:
    """One piano track playing ``keys`` (ids 0..88; 0 is silent), ``step_seconds`` a step,
    consecutive equal keys merged into one note."""
    keys = [int(k) for k in np.asarray(keys).reshape(-1)]
    for key in keys:
        if not 0 <= key <= PIANO_KEYS:
            raise ValueError(f"keys must lie in 0..{PIANO_KEYS} (0: silent), got {key}")
    midi = pretty_midi.PrettyMIDI(initial_tempo=WRITE_TEMPO)
    piano = pretty_midi.Instrument(program=WRITE_PROGRAM)
    step = 0
    while step < len(keys):
        length = 1
        while step + length < len(keys) and keys[step + length] == keys[step]:
            length += 1
        if keys[step]:
            piano.notes.append(
                pretty_midi.Note(
                    velocity=WRITE_VELOCITY,
                    pitch=midi_pitch_of_key(keys[step]),
                    start=step * step_seconds,
                    end=(step + length) * step_seconds,
                )
            )
        step += length
    midi.instruments.append(piano)
    return midi


def write_midi(
    path: str | os.PathLike, keys: Sequence[int] | np.ndarray, step_seconds: float = STEP_SECONDS
) -> None:
    """``keys`` written by :func:`keys_to_midi` to ``path``, atomically."""
    target = os.fspath(path)
    directory = os.path.dirname(target)
    if directory:
        os.makedirs(directory, exist_ok=True)
    buffer = io.BytesIO()
    keys_to_midi(keys, step_seconds).write(buffer)
    write_atomically(target, buffer.getvalue())


def write_midi_files(
    directory: str | os.PathLike, sequences: np.ndarray, step_seconds: float = STEP_SECONDS
) -> list[str]:
    """Each row of ``sequences`` [N, T] (ids 0..88) written by :func:`write_midi` to
    ``directory/tune_000.mid``, ``tune_001.mid``, ...; returns the paths."""
    sequences = np.asarray(sequences)
    if sequences.ndim != 2:
        raise ValueError(f"sequences must be [N, T], got shape {sequences.shape}")
    width = max(3, len(str(len(sequences) - 1)))
    paths = [
        os.path.join(os.fspath(directory), f"tune_{i:0{width}d}.mid") for i in range(len(sequences))
    ]
    for path, keys in zip(paths, sequences, strict=True):
        write_midi(path, keys, step_seconds)
    return paths
