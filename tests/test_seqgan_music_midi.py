"""MIDI to piano keys every 0.4 s and back, on MIDI files written here with known notes."""

from __future__ import annotations

import os

import numpy as np
import pretty_midi
import pytest
from music_tunes import write_tune

from seqgan_tf.data.midi import (
    MidiError,
    key_name,
    key_of_midi_pitch,
    keys_to_midi,
    midi_pitch_of_key,
    read_tune,
    write_midi,
    write_midi_files,
)

C4, D4, E4, C5 = 60, 62, 64, 72  # MIDI; piano keys 40, 42, 44, 52


def keys_of(tmp_path, notes, **kwargs):
    tune = read_tune(write_tune(tmp_path / "tune.mid", notes, **kwargs))
    return tune.keys.tolist(), tune.rest_steps


def test_piano_keys_are_midi_pitch_minus_20():
    assert [key_of_midi_pitch(p) for p in (21, 60, 108)] == [1, 40, 88]
    assert [midi_pitch_of_key(k) for k in (1, 40, 88)] == [21, 60, 108]
    assert [key_name(k) for k in (1, 40, 88)] == ["A0", "C4", "C8"]


def test_known_notes_give_known_keys(tmp_path):
    # Instants 0, 0.4, 0.8, 1.2, 1.6 (2.0 is where the last note ends: not sampled).
    notes = [(C4, 0.0, 0.8), (D4, 0.8, 1.2), (E4, 1.2, 2.0)]
    assert keys_of(tmp_path, notes) == ([40, 40, 42, 44, 44], 0)


def test_sampling_starts_at_the_first_onset(tmp_path):
    notes = [(C4, 1.0, 1.4), (D4, 1.4, 2.2)]
    assert keys_of(tmp_path, notes) == ([40, 42, 42], 0)


def test_a_rest_holds_the_previous_key_and_is_counted(tmp_path):
    notes = [(C4, 0.0, 0.4), (E4, 1.2, 1.6)]  # silence at 0.4 and 0.8
    assert keys_of(tmp_path, notes) == ([40, 40, 40, 44], 2)


def test_notes_started_together_give_the_highest(tmp_path):
    notes = [(C4, 0.0, 0.8), (E4, 0.0, 0.8), (D4, 0.8, 1.2)]
    assert keys_of(tmp_path, notes) == ([44, 44, 42], 0)


def test_the_note_started_last_wins_even_when_lower(tmp_path):
    notes = [(C5, 0.0, 1.2), (E4, 0.4, 0.8)]  # C5 held, E4 played under it
    assert keys_of(tmp_path, notes) == ([52, 44, 52], 0)


def test_a_note_starting_a_fraction_of_a_millisecond_late_sounds_at_the_instant(tmp_path):
    # Tick rounding puts the boundary 0.2 ms after the instant 0.4.
    notes = [(C4, 0.0, 0.4002), (D4, 0.4002, 0.8)]
    assert keys_of(tmp_path, notes) == ([40, 42], 0)


@pytest.mark.parametrize("tempo", [60.0, 97.0, 133.0, 200.0])
def test_the_tempo_marking_does_not_matter_for_notes_at_the_same_seconds(tmp_path, tempo):
    notes = [(C4, 0.0, 0.8), (D4, 0.8, 1.2), (E4, 1.6, 2.0), (C5, 2.0, 2.8)]
    assert keys_of(tmp_path, notes, tempo=tempo) == ([40, 40, 42, 42, 44, 52, 52], 1)


def test_drum_tracks_and_notes_of_a_millisecond_or_less_are_ignored(tmp_path):
    # (pretty_midi itself drops a zero-length note when it reads the file.)
    notes = [(E4, 0.0, 0.0), (D4, 0.1, 0.1005), (C4, 0.2, 1.0), (E4 + 1, 0.6, 0.6)]
    drums = [(36, 0.0, 0.1), (38, 0.4, 0.5)]
    assert keys_of(tmp_path, notes, drums=drums) == ([40, 40], 0)


def test_a_tune_of_only_zero_length_notes_has_no_notes(tmp_path):
    path = write_tune(tmp_path / "blips.mid", [(C4, 0.0, 0.0), (D4, 0.4, 0.4)])
    with pytest.raises(MidiError, match=r"blips\.mid: no notes"):
        read_tune(path)


def test_sequences_of_keys_survive_the_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    sequences = [
        [40] * 32,
        [1, 88] * 16,
        np.repeat(rng.integers(1, 89, 16), 2).tolist(),
        rng.integers(30, 60, 32).tolist(),
    ]
    for i, keys in enumerate(sequences):
        path = tmp_path / f"generated_{i}.mid"
        write_midi(path, keys)
        assert read_tune(path).keys.tolist() == keys


def test_equal_keys_merge_into_one_note_and_id_0_is_silent():
    notes = keys_to_midi([40, 40, 42, 0, 0, 42, 44]).instruments[0].notes
    got = [(n.pitch, round(n.start, 6), round(n.end, 6)) for n in notes]
    assert got == [(C4, 0.0, 0.8), (D4, 0.8, 1.2), (D4, 2.0, 2.4), (E4, 2.4, 2.8)]


def test_keys_to_midi_writes_one_piano_track_at_0_4_s_a_step():
    midi = keys_to_midi([40, 42])
    assert len(midi.instruments) == 1 and midi.instruments[0].program == 0
    assert midi.get_end_time() == pytest.approx(0.8)


def test_keys_outside_0_to_88_cannot_be_written():
    with pytest.raises(ValueError, match=r"keys must lie in 0\.\.88 \(0: silent\), got 89"):
        keys_to_midi([40, 89])


def test_a_file_that_is_not_midi_names_the_file(tmp_path):
    path = tmp_path / "notes.mid"
    path.write_bytes(b"X:1\nT:not a MIDI file but ABC\n")
    with pytest.raises(MidiError, match=r"notes\.mid: not a MIDI file \("):
        read_tune(path)


def test_a_tune_with_no_notes_names_the_file(tmp_path):
    path = tmp_path / "silent.mid"
    pretty_midi.PrettyMIDI().write(str(path))
    with pytest.raises(MidiError, match=r"silent\.mid: no notes"):
        read_tune(path)


def test_a_drums_only_tune_has_no_notes(tmp_path):
    path = write_tune(tmp_path / "drums.mid", [], drums=[(36, 0.0, 0.4)])
    with pytest.raises(MidiError, match=r"drums\.mid: no notes"):
        read_tune(path)


def test_a_note_outside_the_piano_names_the_file_and_the_note(tmp_path):
    path = write_tune(tmp_path / "high.mid", [(C4, 0.0, 0.4), (110, 0.4, 0.8)])
    with pytest.raises(MidiError, match=r"high\.mid: MIDI note 110 at 0\.400 s is outside"):
        read_tune(path)


def test_write_midi_files_writes_one_tune_per_row(tmp_path):
    sequences = np.array([[40, 40, 42], [52, 0, 44]])
    paths = write_midi_files(tmp_path / "samples", sequences)
    assert [p.rsplit("/", 1)[-1] for p in paths] == ["tune_000.mid", "tune_001.mid"]
    assert read_tune(paths[0]).keys.tolist() == [40, 40, 42]
    assert read_tune(paths[1]).keys.tolist() == [52, 52, 44]  # the silent step reads as held
    assert sorted(os.listdir(tmp_path / "samples")) == ["tune_000.mid", "tune_001.mid"]


def test_a_tempo_change_inside_the_file_is_followed_in_seconds(tmp_path):
    import mido

    # 480 ticks a beat; 120 bpm for the first beat (0.5 s), then 60 bpm (1 s a beat).
    track = mido.MidiTrack(
        [
            mido.MetaMessage("set_tempo", tempo=500_000, time=0),
            mido.Message("note_on", note=C4, velocity=90, time=0),
            mido.Message("note_off", note=C4, velocity=0, time=480),
            mido.MetaMessage("set_tempo", tempo=1_000_000, time=0),
            mido.Message("note_on", note=D4, velocity=90, time=0),
            mido.Message("note_off", note=D4, velocity=0, time=480),
        ]
    )
    path = tmp_path / "tempo_change.mid"
    mido.MidiFile(ticks_per_beat=480, tracks=[track]).save(str(path))
    # C4 sounds 0-0.5 s, D4 0.5-1.5 s: instants 0, 0.4 | 0.8, 1.2.
    assert read_tune(path).keys.tolist() == [40, 40, 42, 42]


def naive_keys(notes: list[tuple[int, float, float]], step: float = 0.4) -> list[int]:
    """The module docstring's rules, one instant at a time (an independent reading)."""
    notes = [n for n in notes if n[2] - n[1] > 1e-3]
    t0, last = min(n[1] for n in notes), max(n[2] for n in notes)
    keys, k = [], 0
    while t0 + k * step + 1e-3 < last:
        t = t0 + k * step + 1e-3
        sounding = [(s, p) for p, s, e in notes if s <= t < e]
        keys.append(max(sounding)[1] - 20 if sounding else keys[-1])
        k += 1
    return keys


def test_sampling_equals_a_naive_reading_on_random_tunes(tmp_path):
    rng = np.random.default_rng(4)
    for i in range(30):
        notes = []
        for _ in range(int(rng.integers(1, 25))):
            # starts on a 1/8 s grid (so within 1 ms of an instant only when on it)
            start = float(rng.integers(0, 80)) / 8
            notes.append((int(rng.integers(40, 90)), start, start + float(rng.integers(1, 12)) / 8))
        path = write_tune(tmp_path / f"random_{i}.mid", notes)
        read = [
            (n.pitch, n.start, n.end) for n in pretty_midi.PrettyMIDI(path).instruments[0].notes
        ]
        assert read_tune(path).keys.tolist() == naive_keys(read), read
