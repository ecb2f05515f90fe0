"""Token files in the original format: one sequence a line, space-separated integer ids.

This is the format of the original code's ``real_data.txt`` / ``generator_sample.txt``
(``generate_samples`` writes ``' '.join(str(x) for x in poem)`` a line).
"""

from __future__ import annotations

import os

import numpy as np

from fileio.atomic import write_atomically


class TokenFileError(ValueError):
    """A token file that does not hold fixed-length sequences of in-vocabulary ids."""


def read_token_file(
    path: str | os.PathLike, vocab_size: int = 5000, sequence_length: int = 20
) -> np.ndarray:
    """Reads sequences [N, sequence_length] (int32), checking every line.

    Raises:
      FileNotFoundError: when ``path`` does not exist.
      TokenFileError: naming the file, the line and the problem (wrong number of
        ids, a non-integer, an id outside [0, vocab_size), or no sequences at all).
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"token file not found: {path}")
    rows = []
    with open(path, encoding="utf-8") as f:
        for line_number, line in enumerate(f, start=1):
            fields = line.split()
            if not fields:
                continue  # tolerate blank lines (e.g. a trailing newline)
            if len(fields) != sequence_length:
                raise TokenFileError(
                    f"{path}:{line_number}: expected {sequence_length} token ids, "
                    f"found {len(fields)}"
                )
            try:
                ids = [int(field) for field in fields]
            except ValueError:
                bad = next(field for field in fields if not _is_int(field))
                raise TokenFileError(
                    f"{path}:{line_number}: {bad!r} is not an integer token id"
                ) from None
            for position, token in enumerate(ids, start=1):
                if not 0 <= token < vocab_size:
                    raise TokenFileError(
                        f"{path}:{line_number}: token {position} is {token}, outside the "
                        f"vocabulary [0, {vocab_size})"
                    )
            rows.append(ids)
    if not rows:
        raise TokenFileError(f"{path}: no sequences found (empty file)")
    return np.asarray(rows, dtype=np.int32)


def write_token_file(path: str | os.PathLike, tokens: np.ndarray) -> None:
    """Writes sequences [N, T] one a line, atomically (a killed write leaves no half file)."""
    tokens = np.asarray(tokens)
    if tokens.ndim != 2:
        raise ValueError(f"expected token ids of shape [N, T], got {tokens.shape}")
    path = os.fspath(path)
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    write_atomically(path, "".join(" ".join(str(int(t)) for t in row) + "\n" for row in tokens))


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True
