"""A corpus as users have it: sentences of any length, words or characters, an end token.

The corpora of the text-GAN benchmarks (Image COCO captions, one sentence a line, words
separated by spaces), any file of that kind, and the paper's Chinese quatrains (one poem a
line, ``--tokens=char``: twenty characters, then END, like any other sentence).

* **Tokens**: ``word`` splits a line on whitespace, ``char`` takes its characters (its
  leading and trailing whitespace stripped), ``nltk`` splits it as Texygen does, with
  nltk's Treebank word tokenizer (``nltk.word_tokenize`` without its punkt sentence
  splitter, whose model is a separate download; the two differ only where a line holds
  two sentences). The COCO files need ``nltk``: most of their lines end in a period
  attached to the last word ("... front wheel."), which ``word`` would keep as a word of
  its own. ``lowercase`` folds case first. Lines that are empty or whitespace only are
  skipped and counted.
* **End and padding**: id 0 is :data:`END`. Every sequence is its tokens, then END, then END
  again up to ``max_length`` (the padding is END repeated, not an id of its own). The
  original SeqGAN code pads its real data to one fixed length; Texygen, the benchmark's
  reference implementation, pads with one "EOF" id repeated and has no other end mark
  (``utils/text_process.py``: ``text_to_code``), so its padding is also END repeated,
  except that its longest line gets none. Here every line gets one END, so
  ``max_length`` defaults to the training split's longest line + 1. One id for both keeps
  the vocabulary and the output layer one row smaller and makes a sampled sequence
  canonical (END from its first END on) the same thing as a real one
  (:mod:`seqgan_tf.models.generator`). Decoding stops at the first END (Texygen's
  ``code_to_text`` skips every EOF instead, so a sentence can resume after one).
* **Start**: the generator's start token is id 0 too (END: "the previous sentence has
  ended", the convention of many language models; the original's start token is an
  ordinary id as well). END is also the input at every padding step; the first step
  differs from those by its zero initial state.
* **Unknown**: id 1 is :data:`UNKNOWN` (tokens the training split lacks, those below
  ``min_count``, those past ``max_vocab``). A corpus's own literal ``<unk>`` (Penn
  Treebank style) is that id too.
* **Vocabulary** (:mod:`seqgan_tf.data.vocabulary`): from the training split only,
  frequency-sorted (ties by the token's code points), saved to the workdir as JSON and
  reused on resume and by sampling. (Texygen builds its dictionary from an unordered set of the
  training file's words, so its ids differ from run to run.)
* **Split**: ``test_data`` names a test file (COCO has one); otherwise a seeded split
  (:func:`seqgan_tf.data.split.seeded_split`).
* **Long lines**: lines of more than ``max_length - 1`` tokens are dropped or cut to
  ``max_length - 1`` tokens (then END), as ``long_lines`` says, and counted. BLEU's
  references (:attr:`TextCorpus.test_references`) keep every test line whole.

The module runs past 300 lines: reading, tokenising, the vocabulary, the split and the
padding are the steps of one :meth:`TextCorpus.load`, and their checks name the same flags.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os

import numpy as np

from seqgan_tf.data.split import seeded_split
from seqgan_tf.data.vocabulary import END, TOKEN_KINDS, UNKNOWN_ID, CorpusError, TokenVocabulary

TOKENS = TOKEN_KINDS
LONG_LINES = ("drop", "cut")


def _help(text: str) -> dict:
    return {"help": text}


@dataclasses.dataclass(frozen=True)
class CorpusSettings:
    """How a text file becomes sequences (the fields are ``--mode=text``'s flags)."""

    tokens: str = dataclasses.field(
        default="word",
        metadata=_help(
            "word: tokens are the line's whitespace-separated words; char: its characters; "
            "nltk: nltk's Treebank words and punctuation, as Texygen splits COCO"
        ),
    )
    lowercase: bool = dataclasses.field(
        default=False, metadata=_help("fold every line to lower case before tokenising")
    )
    max_length: int | None = dataclasses.field(
        default=None,
        metadata=_help(
            "tokens per sequence, the end token included (default: the training split's "
            "longest line + 1)"
        ),
    )
    long_lines: str = dataclasses.field(
        default="drop",
        metadata=_help(
            "lines with more than max_length - 1 tokens: drop them, or cut them to "
            "max_length - 1 tokens (both counted in the log)"
        ),
    )
    min_count: int = dataclasses.field(
        default=1,
        metadata=_help("tokens seen fewer times in the training split become the unknown id"),
    )
    max_vocab: int | None = dataclasses.field(
        default=None,
        metadata=_help(
            "largest vocabulary, the end and unknown ids included; the rarest tokens beyond "
            "it become the unknown id (default: no cap)"
        ),
    )
    test_data: str | None = dataclasses.field(
        default=None,
        metadata=_help(
            "a test file of the same kind (BLEU's references, the test NLL); default: a "
            "seeded split of --data"
        ),
    )
    test_fraction: float = dataclasses.field(
        default=0.1, metadata=_help("without --test_data: share of the lines held out as test")
    )

    def __post_init__(self) -> None:
        if self.tokens not in TOKENS:
            raise ValueError(f"--tokens={self.tokens!r}: expected one of {', '.join(TOKENS)}")
        if self.long_lines not in LONG_LINES:
            raise ValueError(
                f"--long_lines={self.long_lines!r}: expected one of {', '.join(LONG_LINES)}"
            )
        if self.max_length is not None and self.max_length < 2:
            raise ValueError(
                f"--max_length={self.max_length}: below 2 (a sequence needs a token and the end)"
            )
        if self.min_count < 1:
            raise ValueError(f"--min_count={self.min_count}: must be at least 1")
        if self.max_vocab is not None and self.max_vocab < 3:
            raise ValueError(
                f"--max_vocab={self.max_vocab}: must be at least 3 (end, unknown and a token)"
            )
        if not 0.0 < self.test_fraction < 1.0:
            raise ValueError(f"--test_fraction={self.test_fraction}: must lie in (0, 1)")


def read_corpus_file(path: str | os.PathLike) -> bytes:
    """The bytes of ``path``, read once: :func:`parse_lines` parses them and
    :attr:`TextCorpus.sha256` hashes the same bytes.

    Raises:
      CorpusError: naming ``path`` when there is no such file.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise CorpusError(f"{path}: file not found")
    with open(path, "rb") as f:
        return f.read()


def parse_lines(content: bytes, path: str, settings: CorpusSettings) -> tuple[list[list[str]], int]:
    """(the tokens of each non-empty line of ``content``, the number of empty lines skipped).

    Raises:
      CorpusError: naming ``path`` (and the line) for bytes that are not UTF-8, a reserved
        token in the text, or no non-empty line at all.
    """
    sentences: list[list[str]] = []
    empty = 0
    raw_lines = content.split(b"\n")
    if raw_lines and raw_lines[-1] == b"":
        raw_lines.pop()  # the final newline does not start an empty line
    for number, raw in enumerate(raw_lines, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CorpusError(
                f"{path}:{number}: not UTF-8 (byte {error.start + 1} of the line: "
                f"{raw[error.start : error.start + 1]!r})"
            ) from None
        if number == 1:
            line = line.removeprefix("\ufeff")  # a byte-order mark is not text
        tokens = tokenize(line, settings)
        if not tokens:
            empty += 1
            continue
        if END in tokens:
            raise CorpusError(f"{path}:{number}: holds {END}, the token reserved for the end")
        sentences.append(tokens)
    if not sentences:
        raise CorpusError(f"{path}: no lines with text (an empty corpus)")
    return sentences, empty


def tokenize(line: str, settings: CorpusSettings) -> list[str]:
    """The tokens of one line (no end token)."""
    line = line.strip()
    if settings.lowercase:
        line = line.lower()
    if settings.tokens == "nltk":
        return _treebank_tokenizer().tokenize(line)
    return line.split() if settings.tokens == "word" else list(line)


_TOKENIZER: list = []


def _treebank_tokenizer():
    if not _TOKENIZER:
        from nltk.tokenize import NLTKWordTokenizer  # only --tokens=nltk needs nltk

        _TOKENIZER.append(NLTKWordTokenizer())
    return _TOKENIZER[0]


def fit_length(
    sentences: list[list[str]], max_length: int, long_lines: str
) -> tuple[list[list[str]], int]:
    """(the sentences that fit ``max_length`` with their END, cut or dropped as
    ``long_lines`` says; the number of lines that did not fit)."""
    limit = max_length - 1
    long = sum(len(s) > limit for s in sentences)
    if long_lines == "cut":
        return [s[:limit] for s in sentences], long
    return [s for s in sentences if len(s) <= limit], long


@dataclasses.dataclass(frozen=True)
class TextCorpus:
    """A corpus read, split, encoded; a function of the files, the settings and the seed."""

    path: str
    test_path: str | None
    sha256: str  # of the training file, then the test file's, when there is one
    settings: CorpusSettings
    vocabulary: TokenVocabulary
    max_length: int
    train: np.ndarray  # [N_train, max_length] ids, END-terminated and END-padded
    test: np.ndarray  # [N_test, max_length]
    train_references: list[list[str]]  # every training line's tokens (BLEU of the real row)
    test_references: list[list[str]]  # every test line's tokens, whole (BLEU's references)
    counts: dict[str, int]  # empty and long lines, unknown test tokens, ...

    @classmethod
    def load(
        cls,
        path: str,
        settings: CorpusSettings,
        seed: int,
        batch_size: int,
        vocabulary: TokenVocabulary | None = None,
    ) -> TextCorpus:
        """Reads ``path`` (and ``settings.test_data``), with ``vocabulary`` when resuming.

        Raises:
          CorpusError: one line naming the file and the problem (see the module
            docstring), before anything is written.
        """
        content = read_corpus_file(path)
        sentences, empty = parse_lines(content, path, settings)
        digest = hashlib.sha256(content)
        counts = {"empty_lines": empty}
        if settings.test_data is None:
            if len(sentences) < 2:
                raise CorpusError(f"{path}: one line; a train/test split needs two")
            train_sentences, test_sentences = seeded_split(sentences, settings.test_fraction, seed)
        else:
            train_sentences = sentences
            test_content = read_corpus_file(settings.test_data)
            test_sentences, counts["test_empty_lines"] = parse_lines(
                test_content, settings.test_data, settings
            )
            digest.update(test_content)
        if vocabulary is None:
            vocabulary = TokenVocabulary.build(
                train_sentences,
                settings.min_count,
                settings.max_vocab,
                settings.tokens,
                settings.lowercase,
            )
        elif (vocabulary.kind, vocabulary.lowercase) != (settings.tokens, settings.lowercase):
            raise CorpusError(
                f"{path}: the saved vocabulary is of --tokens={vocabulary.kind} "
                f"--lowercase={vocabulary.lowercase}, the flags say --tokens={settings.tokens} "
                f"--lowercase={settings.lowercase}"
            )
        max_length = settings.max_length or max(len(s) for s in train_sentences) + 1
        train_fit, counts["long_train_lines"] = fit_length(
            train_sentences, max_length, settings.long_lines
        )
        test_fit, counts["long_test_lines"] = fit_length(
            test_sentences, max_length, settings.long_lines
        )
        if len(train_fit) < batch_size:
            raise CorpusError(
                f"{path}: {len(train_fit)} training sequences (of {len(train_sentences)} lines, "
                f"{counts['long_train_lines']} longer than --max_length={max_length} - 1), "
                f"fewer than one batch of {batch_size}"
            )
        test_source = settings.test_data or f"{path} (its test split)"
        if not test_fit:
            raise CorpusError(f"{test_source}: no test line fits --max_length={max_length}")
        test_ids = vocabulary.ids(test_sentences)
        test_tokens = sum(len(ids) for ids in test_ids)
        unknown = sum(ids.count(UNKNOWN_ID) for ids in test_ids)
        if unknown == test_tokens:
            raise CorpusError(
                f"{test_source}: none of its {test_tokens} tokens is in the vocabulary of "
                f"{path}; is it a test file of the same corpus?"
            )
        counts.update(
            test_tokens=test_tokens,
            unknown_test_tokens=unknown,
            train_lines=len(train_sentences),
            test_lines=len(test_sentences),
        )
        return cls(
            path=path,
            test_path=settings.test_data,
            sha256=digest.hexdigest(),
            settings=settings,
            vocabulary=vocabulary,
            max_length=max_length,
            train=vocabulary.encode(train_fit, max_length),
            test=vocabulary.encode(test_fit, max_length),
            train_references=train_sentences,
            test_references=test_sentences,
            counts=counts,
        )

    def summary(self) -> str:
        """One log line: sizes, vocabulary, and every line skipped, dropped or cut."""
        c = self.counts
        verb = "cut" if self.settings.long_lines == "cut" else "dropped"
        return (
            f"corpus {self.path}: {len(self.train)} training / {len(self.test)} test "
            f"sequences of {self.max_length} tokens (end included), vocabulary "
            f"{len(self.vocabulary)} ids; {c['empty_lines'] + c.get('test_empty_lines', 0)} "
            f"empty lines skipped; {c['long_train_lines']} training and "
            f"{c['long_test_lines']} test lines longer than {self.max_length - 1} tokens "
            f"{verb}; {c['unknown_test_tokens']} of {c['test_tokens']} test tokens unknown"
        )
