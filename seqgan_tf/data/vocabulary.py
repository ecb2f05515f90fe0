"""The vocabulary of a text corpus: tokens by id, the end token, the unknown id.

Id 0 is :data:`END`, which ends every sequence and pads it (the padding is END repeated,
see :mod:`seqgan_tf.data.corpus` for why); id 1 is :data:`UNKNOWN`; the corpus's tokens
follow, the most frequent first. Decoding stops at a sequence's first END, so nothing
after it (the padding, or what a generator drew after ending) is ever shown or scored.
The vocabulary is saved to a run's workdir as JSON (:data:`VOCABULARY_FILE`) and read
back on resume and by sampling.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import os

import numpy as np

from fileio.atomic import write_atomically

END = "<end>"  # id 0: ends every sequence and pads it
UNKNOWN = "<unk>"  # id 1
END_ID, UNKNOWN_ID = 0, 1
TOKEN_KINDS = ("word", "char", "nltk")
VOCABULARY_FILE = "vocabulary.json"
_FORMAT = "seqgan_tf text vocabulary 1"


class CorpusError(ValueError):
    """A corpus that cannot be used as-is; the message names the file (and the line)."""


@dataclasses.dataclass(frozen=True)
class TokenVocabulary:
    """Tokens by id: :data:`END` (0), :data:`UNKNOWN` (1), then by frequency."""

    tokens: tuple[str, ...]
    kind: str = "word"  # how decoded tokens are joined: by spaces, or not at all (char)
    lowercase: bool = False

    @classmethod
    def build(
        cls,
        sentences: list[list[str]],
        min_count: int = 1,
        max_vocab: int | None = None,
        kind: str = "word",
        lowercase: bool = False,
    ) -> TokenVocabulary:
        """The vocabulary of ``sentences``: tokens seen ``min_count`` times or more, the
        most frequent first (ties by code points), at most ``max_vocab`` ids in all."""
        counts = collections.Counter(token for sentence in sentences for token in sentence)
        counts.pop(UNKNOWN, None)  # a corpus's own <unk> is the unknown id
        kept = sorted(
            (t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t)
        )
        if max_vocab is not None:
            kept = kept[: max_vocab - 2]
        return cls((END, UNKNOWN, *kept), kind, lowercase)

    def __len__(self) -> int:
        return len(self.tokens)

    def index(self) -> dict[str, int]:
        return {token: i for i, token in enumerate(self.tokens)}

    def ids(self, sentences: list[list[str]]) -> list[list[int]]:
        """Token ids of each sentence (no end token); unknown tokens become 1."""
        index = self.index()
        return [[index.get(token, UNKNOWN_ID) for token in sentence] for sentence in sentences]

    def encode(self, sentences: list[list[str]], max_length: int) -> np.ndarray:
        """[N, max_length] int32: each sentence's ids, END, END padding. Every sentence
        must have at most ``max_length - 1`` tokens (see :func:`fit_length`)."""
        out = np.full((len(sentences), max_length), END_ID, np.int32)
        for row, ids in enumerate(self.ids(sentences)):
            if len(ids) >= max_length:
                raise ValueError(
                    f"a sentence of {len(ids)} tokens does not fit max_length={max_length} "
                    "with its end token"
                )
            out[row, : len(ids)] = ids
        return out

    def decode(self, tokens: np.ndarray) -> list[list[str]]:
        """The tokens of each row of ``tokens`` [N, T] up to its first END (excluded)."""
        return [[self.tokens[int(t)] for t in row] for row in strip_end(tokens)]

    def decode_all_but_end(self, tokens: np.ndarray) -> list[list[str]]:
        """Every token of each row of ``tokens`` [N, T] but END, wherever END stands: what
        Texygen's ``code_to_text`` writes, keeping the words a generator drew after it
        ended (:mod:`seqgan_tf.metrics.texygen`). Not this project's decoding."""
        return [[self.tokens[int(t)] for t in row if t != END_ID] for row in np.asarray(tokens)]

    def decode_text(self, tokens: np.ndarray) -> list[str]:
        """One string per row: words joined by spaces, characters joined as they are."""
        joiner = "" if self.kind == "char" else " "
        return [joiner.join(sentence) for sentence in self.decode(tokens)]

    def save(self, path: str | os.PathLike) -> None:
        """As JSON, atomically (a crash leaves the old file or the new one)."""
        content = {
            "format": _FORMAT,
            "tokens": self.kind,
            "lowercase": self.lowercase,
            "vocabulary": list(self.tokens),
        }
        write_atomically(path, json.dumps(content, ensure_ascii=False, indent=0))

    @classmethod
    def load(cls, path: str | os.PathLike) -> TokenVocabulary:
        """A vocabulary :meth:`save` wrote; CorpusError naming ``path`` otherwise."""
        try:
            with open(path, encoding="utf-8") as f:
                content = json.load(f)
            if content.get("format") != _FORMAT:
                raise KeyError("format")
            tokens = tuple(content["vocabulary"])
            kind, lowercase = content["tokens"], bool(content["lowercase"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise CorpusError(
                f"{path}: not a vocabulary written by this project ({error})"
            ) from None
        if tokens[:2] != (END, UNKNOWN) or kind not in TOKEN_KINDS:
            raise CorpusError(f"{path}: not a vocabulary written by this project")
        return cls(tokens, kind, lowercase)


def strip_end(tokens: np.ndarray) -> list[np.ndarray]:
    """Each row of ``tokens`` [N, T] up to its first END (excluded): what samples, BLEU
    and decoding see, never the padding."""
    tokens = np.asarray(tokens)
    is_end = tokens == END_ID
    lengths = np.where(is_end.any(axis=1), is_end.argmax(axis=1), tokens.shape[1])
    return [row[:length] for row, length in zip(tokens, lengths, strict=True)]
