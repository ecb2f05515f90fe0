"""MIDI files the music tests write themselves: known notes at known seconds."""

from __future__ import annotations

import os

import pretty_midi


def write_tune(
    path: str | os.PathLike,
    notes: list[tuple[int, float, float]],
    tempo: float = 120.0,
    resolution: int = 960,
    drums: list[tuple[int, float, float]] | None = None,
) -> str:
    """Writes ``notes`` ((MIDI pitch, start s, end s), ...) as one piano track, and
    ``drums`` as a drum track, to ``path``; returns the path."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=tempo, resolution=resolution)
    piano = pretty_midi.Instrument(program=0)
    piano.notes = [pretty_midi.Note(90, p, s, e) for p, s, e in notes]
    midi.instruments.append(piano)
    if drums:
        kit = pretty_midi.Instrument(program=0, is_drum=True)
        kit.notes = [pretty_midi.Note(90, p, s, e) for p, s, e in drums]
        midi.instruments.append(kit)
    midi.write(os.fspath(path))
    return os.fspath(path)


def scale_tune(path: str | os.PathLike, pitch: int, steps: int, step: float = 0.4) -> str:
    """A tune of ``steps`` notes of 0.4 s alternating ``pitch`` and ``pitch + 2``."""
    notes = [(pitch + 2 * (i % 2), i * step, (i + 1) * step) for i in range(steps)]
    return write_tune(path, notes)
