"""A text corpus as SeqGAN's data: fixed-length lines, a character vocabulary, a split.

The paper's real-data experiments (Chinese quatrains, Obama speeches, music) are not in
the authors' public code, so this follows the paper where it speaks and says what it
chooses where it does not:

* One sequence per line, one token per character, every line of the same length (the
  generator and discriminator work on fixed-length sequences; the quatrains are 20
  characters, the oracle experiment's length). Blank lines are skipped.
* A deterministic train/test split from the seed: a NumPy permutation of the lines, the
  first ``test_fraction`` of it held out (the paper held out about 10% of its poems).
* A character vocabulary from the training split only, sorted by frequency (ties by code
  point), after id 0, which is reserved for characters the training split lacks
  (``UNKNOWN``). The generator's start token is id 0 too, as in the original code, where
  the start token is an ordinary id; here no training target is ever 0.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import json
import os

import numpy as np

VOCABULARY_FILE = "vocab.json"  # in a text run's workdir
UNKNOWN = "\ufffd"  # id 0: a character the training split does not have
DISPLAYED_UNKNOWN = "□"


@dataclasses.dataclass(frozen=True)
class TextSettings:
    """The text experiment's data and evaluation settings (``--mode=text``)."""

    text_test_fraction: float = 0.1
    text_max_vocab: int = 10_000
    text_eval_samples: int = 1000
    text_line_width: int = 5  # a five-character quatrain: four lines of five

    def __post_init__(self) -> None:
        if not 0.0 < self.text_test_fraction < 1.0:
            raise ValueError(
                f"--text_test_fraction must lie in (0, 1), got {self.text_test_fraction}"
            )
        if self.text_max_vocab < 2:
            raise ValueError(f"--text_max_vocab must be at least 2, got {self.text_max_vocab}")
        if self.text_eval_samples < 2:
            raise ValueError(
                f"--text_eval_samples must be at least 2 (self-BLEU needs two), got "
                f"{self.text_eval_samples}"
            )
        if self.text_line_width < 0:
            raise ValueError(f"--text_line_width must be >= 0, got {self.text_line_width}")


TEXT_HELP = {
    "text_test_fraction": "--mode=text: share of the corpus's lines held out as the test split "
    "(BLEU's references and the test NLL)",
    "text_max_vocab": "--mode=text: largest vocabulary (characters + the unknown id) accepted",
    "text_eval_samples": "--mode=text: sequences generated at each evaluation for BLEU and "
    "self-BLEU",
    "text_line_width": "--mode=text: characters per line when samples are written (5: "
    "quatrains as four lines of five; 0: one line)",
}


class CorpusError(ValueError):
    """A corpus that cannot be used as-is; the message names the file and the line."""


def read_corpus(path: str | os.PathLike) -> list[str]:
    """The non-blank lines of ``path`` (UTF-8), each stripped of its line ending.

    Raises:
      FileNotFoundError: when ``path`` does not exist.
      CorpusError: naming the file and line for bytes that are not UTF-8, a line of another
        length than the first, or no lines at all.
    """
    return parse_corpus(_read_bytes(path), os.fspath(path))


def _read_bytes(path: str | os.PathLike) -> bytes:
    if not os.path.isfile(path):
        raise FileNotFoundError(f"--data={os.fspath(path)}: file not found")
    with open(path, "rb") as f:
        return f.read()


def parse_corpus(content: bytes, path: str) -> list[str]:
    """:func:`read_corpus` of a file's ``content``; errors name ``path``."""
    raw_lines = content.split(b"\n")
    lines: list[str] = []
    length = None
    for number, raw in enumerate(raw_lines, start=1):
        try:
            line = raw.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as error:
            raise CorpusError(
                f"{path}:{number}: not UTF-8 (byte {error.start + 1} of the line: "
                f"{raw[error.start : error.start + 1]!r})"
            ) from None
        if number == 1:
            line = line.removeprefix("\ufeff")  # a byte-order mark is not a character
        if not line.strip():
            continue
        if length is None:
            length = len(line)
        elif len(line) != length:
            raise CorpusError(
                f"{path}:{number}: {len(line)} characters, but the corpus's first line has "
                f"{length}; every line must be one sequence of the same length"
            )
        lines.append(line)
    if not lines:
        raise CorpusError(f"{path}: no lines (an empty corpus)")
    return lines


def split_corpus(lines: list[str], test_fraction: float, seed: int) -> tuple[list[str], list[str]]:
    """(train, test): a seeded permutation of ``lines``, its first ``test_fraction`` (at
    least one line) held out; each part keeps the order of the permutation."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"--text_test_fraction must lie in (0, 1), got {test_fraction}")
    if len(lines) < 2:
        raise ValueError(f"a train/test split needs at least 2 lines, the corpus has {len(lines)}")
    order = np.random.default_rng(seed).permutation(len(lines))
    num_test = min(len(lines) - 1, max(1, round(test_fraction * len(lines))))
    return [lines[i] for i in order[num_test:]], [lines[i] for i in order[:num_test]]


@dataclasses.dataclass(frozen=True)
class Vocabulary:
    """Characters by id; id 0 is :data:`UNKNOWN`."""

    characters: tuple[str, ...]

    @classmethod
    def build(cls, lines: list[str], max_size: int, source: str = "the corpus") -> Vocabulary:
        """Frequency-sorted characters of ``lines`` after :data:`UNKNOWN`.

        Raises:
          CorpusError: when more than ``max_size`` ids (unknown included) would be needed,
            naming the line (of ``lines``) that brings the first character over the cap.
        """
        counts: collections.Counter[str] = collections.Counter()
        for number, line in enumerate(lines, start=1):
            counts.update(line)
            if len(counts) + 1 > max_size:
                raise CorpusError(
                    f"{source}: line {number} of the training split brings the vocabulary to "
                    f"{len(counts) + 1} ids (with the unknown id), over --text_max_vocab="
                    f"{max_size}"
                )
        if UNKNOWN in counts:
            raise CorpusError(f"{source}: holds U+FFFD, the id reserved for unknown characters")
        ordered = sorted(counts, key=lambda ch: (-counts[ch], ch))
        return cls((UNKNOWN, *ordered))

    def __len__(self) -> int:
        return len(self.characters)

    def encode(self, lines: list[str]) -> np.ndarray:
        """Token ids [N, T] (int32); characters outside the vocabulary become 0."""
        index = {ch: i for i, ch in enumerate(self.characters)}
        return np.asarray([[index.get(ch, 0) for ch in line] for line in lines], np.int32)

    def decode(self, tokens: np.ndarray) -> list[str]:
        """One string per row of ``tokens`` [N, T]; id 0 is shown as □."""
        shown = (DISPLAYED_UNKNOWN, *self.characters[1:])
        return ["".join(shown[int(t)] for t in row) for row in np.asarray(tokens)]

    def save(self, path: str | os.PathLike) -> None:
        tmp = f"{os.fspath(path)}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"characters": list(self.characters)}, f, ensure_ascii=False, indent=0)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Vocabulary:
        with open(path, encoding="utf-8") as f:
            characters = tuple(json.load(f)["characters"])
        if not characters or characters[0] != UNKNOWN:
            raise CorpusError(f"{path}: not a vocabulary written by this project")
        return cls(characters)


def layout(text: str, line_width: int) -> str:
    """``text`` broken into lines of ``line_width`` characters (a quatrain: 4 lines of 5);
    0 keeps it on one line."""
    if line_width <= 0:
        return text
    return "\n".join(text[i : i + line_width] for i in range(0, len(text), line_width))


def write_poems(path: str | os.PathLike, texts: list[str], line_width: int) -> None:
    """``texts`` laid out by :func:`layout`, a blank line between them, atomically."""
    directory = os.path.dirname(os.fspath(path))
    if directory:
        os.makedirs(directory, exist_ok=True)
    tmp = f"{os.fspath(path)}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n\n".join(layout(text, line_width) for text in texts) + "\n")
    os.replace(tmp, path)


@dataclasses.dataclass(frozen=True)
class TextData:
    """A corpus read, split and encoded; everything is a function of the file and seed."""

    path: str
    sha256: str
    vocabulary: Vocabulary
    train: np.ndarray  # [N_train, T] token ids
    test: np.ndarray  # [N_test, T]
    unknown_test_characters: int  # test characters the training split lacks (id 0)

    @classmethod
    def load(cls, path: str, settings: TextSettings, seed: int) -> TextData:
        content = _read_bytes(path)
        lines = parse_corpus(content, path)
        train_lines, test_lines = split_corpus(lines, settings.text_test_fraction, seed)
        vocabulary = Vocabulary.build(train_lines, settings.text_max_vocab, source=path)
        test = vocabulary.encode(test_lines)
        return cls(
            path,
            hashlib.sha256(content).hexdigest(),
            vocabulary,
            vocabulary.encode(train_lines),
            test,
            int((test == 0).sum()),
        )
