"""--mode=text end to end on a corpus the test writes: the files a user reads, resume,
bad input stopped before the workdir is touched, and --mode=sample decoding to text."""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from seqgan_tiny import TINY_CONFIG, TINY_SCHEDULE, Interrupted, interrupt_after

from seqgan_tf.data.text_corpus import TextSettings, Vocabulary

REPO = pathlib.Path(__file__).resolve().parents[1]
SETTINGS = TextSettings(
    text_test_fraction=0.1, text_max_vocab=100, text_eval_samples=24, text_line_width=3
)
SEED = 7


def write_corpus(path: pathlib.Path, lines: int = 240) -> pathlib.Path:
    """Six-character lines with structure (a rhyme-like last character per first one)."""
    rng = np.random.default_rng(0)
    alphabet = "春花秋月山水風雲江河"
    rows = []
    for _ in range(lines):
        body = "".join(rng.choice(list(alphabet), size=5))
        rows.append(body + alphabet[(alphabet.index(body[0]) + 3) % len(alphabet)])
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def make_experiment(workdir, corpus, after_unit=None):
    from seqgan_tf.experiments.text import TextData, TextExperiment

    data = TextData.load(str(corpus), SETTINGS, SEED)
    return TextExperiment(
        str(workdir),
        data,
        TINY_CONFIG,
        TINY_SCHEDULE,
        SETTINGS,
        seed=SEED,
        progress_interval=0,
        print_fn=lambda _: None,
        after_unit=after_unit,
    )


@pytest.fixture(scope="module")
def text_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("text_run")
    corpus = write_corpus(root / "poems.txt")
    workdir = root / "run"
    results = make_experiment(workdir, corpus).run()
    return corpus, workdir, results


def _rows(workdir):
    rows = [json.loads(line) for line in (workdir / "metrics.jsonl").read_text().splitlines()]
    for row in rows:
        row.pop("wall_seconds")
    return rows


def test_a_text_run_writes_what_a_user_reads(text_run):
    corpus, workdir, results = text_run
    assert results["train_sequences"] == 216 and results["test_sequences"] == 24
    assert results["vocabulary"] == 11  # ten characters and the unknown id
    methods = results["methods"]
    for name in ("random", "mle", "seqgan", "real"):
        for key in ("bleu2", "bleu3", "bleu4", "self_bleu2", "self_bleu3", "self_bleu4"):
            assert 0.0 < methods[name][key] <= 1.0, (name, key)
    assert 0.0 < methods["seqgan"]["bleu2_train"] <= 1.0 and "bleu2_train" not in methods["real"]
    assert methods["mle"]["step"] == TINY_SCHEDULE.mle_epochs - 1
    assert methods["seqgan"]["step"] == TINY_SCHEDULE.adversarial_iterations - 1
    assert methods["mle"]["test_nll"] < methods["random"]["test_nll"]  # MLE learnt something
    # The training poems are far closer to the test split than the untrained generator.
    assert methods["real"]["bleu2"] > methods["random"]["bleu2"]

    table = (workdir / "results.md").read_text(encoding="utf-8")
    # Numbered from 1 in the table and the sample files, as in the progress lines.
    assert "| MLE (epoch 4) |" in table and "| SeqGAN (iteration 3) |" in table
    assert "0.6670" in table and "0.7389" in table
    assert "24 test sequences as references" in table
    assert (workdir / "text_curves.png").stat().st_size > 0
    assert list((workdir / "tensorboard" / "text").iterdir())

    vocabulary = Vocabulary.load(workdir / "vocab.json")
    train = (workdir / "train.txt").read_text(encoding="utf-8").split()
    test = (workdir / "test.txt").read_text(encoding="utf-8").split()
    corpus_lines = corpus.read_text(encoding="utf-8").split()
    assert sorted(train + test) == sorted(corpus_lines)
    assert vocabulary.decode(vocabulary.encode(train)) == train

    poems = (workdir / "samples" / "seqgan_iteration_0003.txt").read_text(encoding="utf-8")
    blocks = poems.strip().split("\n\n")
    assert len(blocks) == SETTINGS.text_eval_samples
    assert all(len(line) == 3 for block in blocks for line in block.split("\n"))
    assert len(blocks[0].split("\n")) == 2
    assert sorted(path.name for path in (workdir / "samples").iterdir()) == [
        "mle_epoch_0001.txt",
        "mle_epoch_0003.txt",
        "mle_epoch_0004.txt",
        "random.txt",
        "real.txt",
        "seqgan_iteration_0001.txt",
        "seqgan_iteration_0003.txt",
    ]
    log = (workdir / "experiment-log.txt").read_text(encoding="utf-8")
    assert log.startswith("random\tbleu2 ") and "mle_epoch_0003\t" in log


def test_text_run_resumes_after_an_interrupt_as_if_never_stopped(text_run, tmp_path):
    corpus, reference, results = text_run
    workdir = tmp_path / "run"
    # Unit 9: the second adversarial iteration's generator part, an evaluated one.
    with pytest.raises(Interrupted):
        make_experiment(workdir, corpus, after_unit=interrupt_after(9)).run()
    resumed = make_experiment(workdir, corpus).run()
    assert _rows(workdir) == _rows(reference)
    assert resumed["methods"] == results["methods"]
    assert (workdir / "experiment-log.txt").read_text() == (
        reference / "experiment-log.txt"
    ).read_text()


def test_a_workdir_of_another_corpus_is_refused(text_run, tmp_path):
    from seqgan_tf.data.text_corpus import CorpusError
    from seqgan_tf.training.runner import WorkdirMismatchError

    _, workdir, _ = text_run
    other = tmp_path / "other.txt"
    other.write_text("甲乙丙丁戊己\n己戊丁丙乙甲\n" * 20, encoding="utf-8")
    with pytest.raises((WorkdirMismatchError, CorpusError), match="another"):
        make_experiment(workdir, other)


def test_sample_mode_decodes_to_poems(text_run, tmp_path):
    from seqgan_tf import commands

    _, workdir, _ = text_run
    output = tmp_path / "poems.txt"
    commands.sample(str(workdir), str(output), 5, seed=1)
    blocks = output.read_text(encoding="utf-8").strip().split("\n\n")
    assert len(blocks) == 5
    assert all(len(line) == 3 for block in blocks for line in block.split("\n"))


def _main(*args, cwd):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    return subprocess.run(
        [sys.executable, "-m", "seqgan_tf.main", "--mode=text", *args],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )


BAD_CORPORA = {
    "empty": (b"", "no lines (an empty corpus)"),
    "length": ("春花秋月山水\n春花秋月山\n".encode(), ":2: 5 characters"),
    "encoding": (b"abcdef\n\xff\xfeabcd\n", ":2: not UTF-8"),
    "vocabulary": (
        "".join(f"{chr(0x4E00 + i) * 6}\n" for i in range(40)).encode(),
        "over --text_max_vocab=10",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CORPORA))
def test_bad_corpus_stops_the_driver_before_the_workdir_is_written(tmp_path, case):
    content, message = BAD_CORPORA[case]
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(content)
    workdir = tmp_path / "run"
    result = _main(f"--data={corpus}", f"--workdir={workdir}", "--text_max_vocab=10", cwd=tmp_path)
    assert result.returncode == 1
    assert message in result.stderr and "corpus.txt" in result.stderr
    assert "Traceback" not in result.stderr
    assert not workdir.exists()


def test_text_mode_refuses_shape_flags_the_corpus_decides(tmp_path):
    corpus = write_corpus(tmp_path / "poems.txt")
    result = _main(
        f"--data={corpus}", f"--workdir={tmp_path / 'run'}", "--vocab_size=50", cwd=tmp_path
    )
    assert result.returncode == 1 and "--vocab_size" in result.stderr


def test_the_settings_are_checked():
    with pytest.raises(ValueError, match="--text_eval_samples"):
        dataclasses.replace(SETTINGS, text_eval_samples=1)
