"""Piano rolls of key sequences: a few generated tunes beside a few real ones, as one PNG.

Each sequence (ids 0..88, 0 silent, one id a step of ``step_seconds``) is drawn as the
notes :func:`seqgan_tf.data.midi.keys_to_midi` would play: consecutive equal keys as one
bar, time across, pitch up, one panel a sequence and one column a group ("generated",
"real", ...). Every panel shares the pitch axis, so the groups' ranges compare at a glance.
"""

from __future__ import annotations

import os

import numpy as np

from seqgan_tf.data.midi import (
    PIANO_KEYS,
    STEP_SECONDS,
    key_name,
    key_of_midi_pitch,
    keys_to_midi,
    midi_pitch_of_key,
)


def piano_roll_matrix(keys: np.ndarray) -> np.ndarray:
    """[88, T] bool of a sequence ``keys`` [T]: row k - 1 is on where key k sounds."""
    keys = np.asarray(keys).reshape(-1)
    if keys.size and (keys.min() < 0 or keys.max() > PIANO_KEYS):
        raise ValueError(f"keys must lie in 0..{PIANO_KEYS}, got {keys.min()}..{keys.max()}")
    return keys[None, :] == np.arange(1, PIANO_KEYS + 1)[:, None]


def plot_piano_rolls(
    groups: dict[str, np.ndarray], output: str, step_seconds: float = STEP_SECONDS
) -> str:
    """Writes one column of piano rolls per group ({title: [k, T] ids}); returns ``output``.

    Raises:
      ValueError: for no groups, an empty group, or ids outside 0..88.
    """
    if not groups:
        raise ValueError("plot_piano_rolls needs at least one group of sequences")
    arrays = {}
    for title, sequences in groups.items():
        array = np.asarray(sequences)
        if array.ndim != 2 or not len(array):
            raise ValueError(f"group {title!r}: a non-empty [k, T] array needed, got {array.shape}")
        piano_roll_matrix(array.ravel())  # validates the ids
        arrays[title] = array
    sounding = np.concatenate([a[a > 0] for a in arrays.values()])
    low, high = (int(sounding.min()), int(sounding.max())) if sounding.size else (40, 52)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = max(len(a) for a in arrays.values())
    fig, axes = plt.subplots(
        rows, len(arrays), figsize=(5 * len(arrays), 1.6 * rows + 0.6), squeeze=False
    )
    for column, (title, array) in enumerate(arrays.items()):
        axes[0, column].set_title(title)
        for row in range(rows):
            ax = axes[row, column]
            if row >= len(array):
                ax.axis("off")
                continue
            for note in keys_to_midi(array[row], step_seconds).instruments[0].notes:
                key = key_of_midi_pitch(note.pitch)
                ax.broken_barh([(note.start, note.end - note.start)], (key - 0.4, 0.8))
            ax.set_xlim(0, array.shape[1] * step_seconds)
            ax.set_ylim(low - 1.5, high + 1.5)
            ticks = [k for k in range(low - 1, high + 2) if midi_pitch_of_key(k) % 12 == 0]
            ticks = ticks or [low]
            ax.set_yticks(ticks, [key_name(k) for k in ticks])
            ax.grid(axis="y", alpha=0.3)
            if row == len(array) - 1:
                ax.set_xlabel("seconds")
    fig.tight_layout()
    directory = os.path.dirname(output)
    if directory:
        os.makedirs(directory, exist_ok=True)
    fig.savefig(output, dpi=100)
    plt.close(fig)
    return output
