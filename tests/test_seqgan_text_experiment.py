"""--mode=text end to end on a 200-line English file the test writes: the driver trains,
samples to standard output and evaluates with --tokens=word, and nothing shows padding;
each bad input stops the driver with one line before the workdir exists; a run
interrupted and resumed ends with the metrics of one never stopped."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from seqgan_tiny import (
    TINY_CONFIG,
    TINY_MODEL_FLAGS,
    TINY_SCHEDULE,
    TINY_SCHEDULE_FLAGS,
    Interrupted,
    interrupt_after,
)

from seqgan_tf.data.corpus import CorpusSettings, TextCorpus
from seqgan_tf.data.vocabulary import END

REPO = pathlib.Path(__file__).resolve().parents[1]
SEED = 7
EVAL_SAMPLES = 24
SUBJECTS = ["a man", "the dog", "two children", "an old woman", "a small cat", "the bus"]
VERBS = ["sits", "runs", "waits", "sleeps", "stands", "looks"]
PLACES = ["on the beach", "near the park", "in a kitchen", "under a tree", "by the road"]
ENDINGS = ["", "at night", "with a red ball", "while it rains and the sky is grey"]
# The driver's tiny model (tests/seqgan_tiny.py's sizes; the corpus sets the shapes).
TINY_TEXT_FLAGS = [
    *TINY_MODEL_FLAGS,
    "--dis_samples=32",
    f"--eval_samples={EVAL_SAMPLES}",
    *TINY_SCHEDULE_FLAGS,
    f"--seed={SEED}",
    "--progress_interval=0",
]


def english_sentences(count: int = 200, seed: int = 0) -> list[str]:
    """``count`` sentences of 4 to 14 words from a small grammar."""
    rng = np.random.default_rng(seed)
    pick = lambda words: words[rng.integers(len(words))]  # noqa: E731
    lines = []
    for _ in range(count):
        words = [pick(SUBJECTS), pick(VERBS), pick(PLACES), pick(ENDINGS)]
        lines.append(" ".join(w for w in words if w) + ("" if rng.random() < 0.5 else " ."))
    return lines


def write_english(path: pathlib.Path, count: int = 200) -> pathlib.Path:
    path.write_text("\n".join(english_sentences(count)) + "\n", encoding="utf-8")
    return path


def _main(*args: str, cwd: pathlib.Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "seqgan_tf.main", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def driver_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("text_driver")
    corpus = write_english(root / "sentences.txt")
    workdir = root / "run"
    result = _main(
        "--mode=text", f"--data={corpus}", f"--workdir={workdir}", *TINY_TEXT_FLAGS, cwd=root
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return corpus, workdir, result


def _no_padding(text: str) -> None:
    assert END not in text and "\ufffd" not in text and "□" not in text


def test_the_driver_trains_and_evaluates_a_word_corpus(driver_run):
    corpus, workdir, result = driver_run
    results = json.loads((workdir / "results.json").read_text())
    lines = corpus.read_text().splitlines()
    assert results["train_sequences"] + results["test_sequences"] == len(lines) == 200
    assert results["max_length"] == max(len(line.split()) for line in lines) + 1
    assert results["settings"]["tokens"] == "word"
    methods = results["methods"]
    keys = [f"{kind}{n}" for kind in ("bleu", "self_bleu") for n in (2, 3, 4, 5)]
    for name in ("random", "mle", "seqgan", "real"):
        for key in keys:
            assert 0.0 <= methods[name][key] <= 1.0, (name, key)
    for name in ("random", "mle", "seqgan"):
        assert methods[name]["nll_per_sentence"] > methods[name]["nll_per_word"] > 0
    assert methods["mle"]["nll_per_word"] < methods["random"]["nll_per_word"]
    # The test sentences are drawn from the training sentences' grammar.
    assert methods["real"]["bleu4"] > methods["random"]["bleu4"]
    assert set(results["texygen"]) == set(results["texygen_full"]) == {"mle", "seqgan", "real"}

    table = (workdir / "results.md").read_text()
    assert "| MLE (epoch 4) |" in table and "| SeqGAN (iteration 3) |" in table
    assert "### Texygen's fast protocol" in table and "### Texygen's full protocol" in table
    # Neither the paper's poem numbers nor Texygen's COCO numbers beside another corpus.
    assert "0.6670" not in table and "0.7389" not in table and "(Texygen, published)" not in table
    assert (workdir / "vocabulary.json").exists() and (workdir / "mle_generator.pkl").exists()
    # The run's announcement: plan and projection.
    assert "--mode=text, preset original: 4 MLE epochs" in result.stdout
    assert "Projected wall time" in result.stdout
    # Progress lines count the units not yet measured at their projection: the run's ETA
    # is known from the first line on, never a lower bound.
    progress = [line for line in result.stdout.splitlines() if "| run ETA " in line]
    assert progress and "run ETA ~ " in progress[0]
    assert not any("run ETA unknown" in line or "run ETA > " in line for line in progress)

    samples = sorted(path.name for path in (workdir / "samples").iterdir())
    assert samples == [
        "mle_epoch_0001.txt",
        "mle_epoch_0003.txt",
        "mle_epoch_0004.txt",
        "random.txt",
        "seqgan_iteration_0001.txt",
        "seqgan_iteration_0003.txt",
    ]
    vocabulary = json.loads((workdir / "vocabulary.json").read_text())["vocabulary"]
    for name in samples:
        text = (workdir / "samples" / name).read_text(encoding="utf-8")
        _no_padding(text)
        assert len(text.splitlines()) == EVAL_SAMPLES
        assert set(text.split()) <= set(vocabulary) - {END}
    for name in ("results.md", "experiment-log.txt"):
        _no_padding((workdir / name).read_text(encoding="utf-8"))


def test_bleu2_against_the_training_split_is_nltks(driver_run):
    """``bleu2_train`` of the final MLE evaluation: its written sentences against every
    training sentence, by nltk (uniform weights, method1); the real data's BLEU is against
    the training file already, so results.md shows it in both columns."""
    bleu_score = pytest.importorskip("nltk.translate.bleu_score")
    corpus_path, workdir, _ = driver_run
    results = json.loads((workdir / "results.json").read_text())
    train = TextCorpus.load(str(corpus_path), CorpusSettings(), SEED, 8).train_references
    written = (workdir / "samples" / "mle_epoch_0004.txt").read_text(encoding="utf-8")
    method1 = bleu_score.SmoothingFunction().method1
    expected = np.mean(
        [
            bleu_score.sentence_bleu(train, line.split(), (0.5, 0.5), smoothing_function=method1)
            for line in written.splitlines()
        ]
    )
    assert results["methods"]["mle"]["bleu2_train"] == pytest.approx(expected, rel=1e-9)
    assert results["methods"]["mle"]["bleu2_train"] != results["methods"]["mle"]["bleu2"]
    table = (workdir / "results.md").read_text()
    assert "BLEU-2 vs train |" in table.splitlines()[2]
    real = results["methods"]["real"]
    real_row = next(line for line in table.splitlines() if line.startswith("| Real data"))
    assert real_row.rstrip(" |").endswith(f"{real['bleu2']:.4f}")


def test_sample_mode_prints_sentences_to_standard_output(driver_run, tmp_path):
    _, workdir, _ = driver_run
    result = _main(
        "--mode=sample", f"--workdir={workdir}", "--num_samples=7", "--temperature=0.7",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert len(lines) == 7
    _no_padding(result.stdout)
    vocabulary = set(json.loads((workdir / "vocabulary.json").read_text())["vocabulary"])
    assert set(result.stdout.split()) <= vocabulary - {END}
    assert not list(tmp_path.iterdir())  # nothing written


def test_sample_mode_writes_sentences_to_output(driver_run, tmp_path):
    from seqgan_tf import commands

    _, workdir, _ = driver_run
    output = tmp_path / "sentences.txt"
    commands.sample(str(workdir), str(output), 5, seed=1, temperature=1.0)
    text = output.read_text(encoding="utf-8")
    assert len(text.splitlines()) == 5
    _no_padding(text)


def test_score_mode_rescores_a_finished_run_under_texygens_protocols(driver_run, tmp_path):
    _, workdir, _ = driver_run
    result = _main("--mode=score", f"--workdir={workdir}", "--seed=3", cwd=workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    scored = json.loads((workdir / "texygen_full.json").read_text())
    results = json.loads((workdir / "results.json").read_text())
    assert scored["seed"] == 3 and scored["num_samples"] == 9984
    command = f"python -m seqgan_tf.main --mode=score --workdir={workdir} --seed=3"
    assert scored["command"] == command
    final = json.loads((workdir / "state.json").read_text())["checkpoint"]
    assert scored["generators"] == {"mle": "mle_generator.pkl", "seqgan": final}
    # The training sentences are the run's: scored as the run's last unit scored them.
    for key in ("texygen", "texygen_full"):
        assert scored[key]["real"] == results[key]["real"]
        assert set(scored[key]) == {"mle", "seqgan", "real"}
    # Fresh samples: the generators' scores differ from the run's own draw.
    assert scored["texygen_full"]["mle"] != results["texygen_full"]["mle"]
    assert set(scored["seconds"]) == {"sampling", "fast", "full", "full_words_after_end"}
    # Texygen's decoding of the same samples: the full protocol's keys, and how many words
    # after an end it kept; the same scores wherever no sample has any.
    after_end = scored["texygen_full_words_after_end"]
    assert set(after_end) == {"mle", "seqgan"}
    for name, metrics in after_end.items():
        assert set(metrics) == set(scored["texygen_full"][name]) | {
            "share_with_words_after_end",
            "mean_words_after_end",
        }
        if metrics["share_with_words_after_end"] == 0:
            assert metrics["bleu2"] == scored["texygen_full"][name]["bleu2"]
    # An unfinished run is refused before anything loads.
    result = _main("--mode=score", f"--workdir={tmp_path}", cwd=tmp_path)
    assert result.returncode == 1 and "--mode=score needs --data=FILE" in result.stderr


def test_temperature_sweep_curves_mle_and_seqgan(driver_run):
    _, workdir, _ = driver_run
    result = _main(
        "--mode=temperature_sweep", f"--workdir={workdir}", "--temperatures=0.5,1.5",
        "--eval_samples=16", cwd=workdir,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    sweep = json.loads((workdir / "temperature_sweep.json").read_text())
    assert sweep["num_samples"] == 16
    assert [row["temperature"] for row in sweep["curves"]["MLE"]] == [0.5, 1.5]
    assert set(sweep["curves"]) == {"MLE", "SeqGAN"}
    # Each temperature draws its own sentences.
    for rows in sweep["curves"].values():
        assert rows[0] != rows[1]
    table = (workdir / "temperature_sweep.md").read_text()
    assert "| MLE | 0.5 |" in table and "| SeqGAN | 1.5 |" in table
    assert table in result.stdout
    for order in (2, 4):
        assert (workdir / f"temperature_sweep_bleu{order}.png").stat().st_size > 0


def _bad_input(tmp_path: pathlib.Path, case: str) -> tuple[list[str], str]:
    corpus = tmp_path / "corpus.txt"
    english = english_sentences()
    if case == "empty_lines_counted":
        return [], ""  # see test_empty_lines_are_skipped_and_counted
    if case == "smaller_than_a_batch":
        corpus.write_text("\n".join(english[:5]) + "\n")
        return [f"--data={corpus}"], "fewer than one batch of 8"
    if case == "test_file_shares_no_vocabulary":
        write_english(corpus)
        test = tmp_path / "test.txt"
        test.write_text("xyzzy plugh\nfrobnicate quux\n")
        return [f"--data={corpus}", f"--test_data={test}"], "none of its 4 tokens"
    if case == "not_utf8":
        corpus.write_bytes(b"a man sits\n\xff\xfe on the beach\n" * 20)
        return [f"--data={corpus}"], ":2: not UTF-8"
    if case == "max_length_below_2":
        write_english(corpus)
        return [f"--data={corpus}", "--max_length=1"], "--max_length=1: below 2"
    if case == "empty_corpus":
        corpus.write_text("\n \n\n")
        return [f"--data={corpus}"], "no lines with text"
    if case == "missing_test_file":
        write_english(corpus)
        return [f"--data={corpus}", f"--test_data={tmp_path / 'nope.txt'}"], "file not found"
    raise AssertionError(case)


BAD_INPUTS = [
    "smaller_than_a_batch",
    "test_file_shares_no_vocabulary",
    "not_utf8",
    "max_length_below_2",
    "empty_corpus",
    "missing_test_file",
]


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_stops_the_driver_with_one_line_and_no_workdir(tmp_path, case):
    flags, message = _bad_input(tmp_path, case)
    workdir = tmp_path / "run"
    result = _main("--mode=text", *flags, f"--workdir={workdir}", "--batch_size=8", cwd=tmp_path)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], result.stderr[-2000:]
    if case != "max_length_below_2":
        assert ".txt" in errors[0]  # the file is named
    assert "Traceback" not in result.stderr
    assert not workdir.exists()


def test_empty_lines_are_skipped_and_counted(tmp_path):
    corpus = tmp_path / "corpus.txt"
    english = english_sentences()
    corpus.write_text("\n".join(english[:100]) + "\n\n  \n" + "\n".join(english[100:]) + "\n")
    loaded = TextCorpus.load(str(corpus), CorpusSettings(), SEED, batch_size=8)
    assert loaded.counts["empty_lines"] == 2
    assert len(loaded.train) + len(loaded.test) == 200
    assert "2 empty lines skipped" in loaded.summary()


@pytest.mark.parametrize("preset", ["coco", "poems"])
def test_text_presets_belong_to_text_mode(tmp_path, preset):
    result = _main(
        "--mode=oracle", f"--preset={preset}", f"--workdir={tmp_path / 'r'}", cwd=tmp_path
    )
    assert result.returncode == 1
    assert f"--preset={preset} is a preset of --mode=text" in result.stderr


def test_text_mode_refuses_shape_flags_the_corpus_decides(tmp_path):
    corpus = write_english(tmp_path / "sentences.txt")
    result = _main(
        "--mode=text", f"--data={corpus}", f"--workdir={tmp_path / 'run'}", "--vocab_size=50",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1 and "--vocab_size" in result.stderr
    assert not (tmp_path / "run").exists()


# ---------------------------------------------------------------- in-process: resume
def make_experiment(workdir, corpus_path, after_unit=None, vocabulary=None):
    from seqgan_tf.experiments.text import TextExperiment

    corpus = TextCorpus.load(
        str(corpus_path), CorpusSettings(), SEED, TINY_CONFIG.batch_size, vocabulary
    )
    return TextExperiment(
        str(workdir),
        corpus,
        TINY_CONFIG,
        TINY_SCHEDULE,
        seed=SEED,
        eval_samples=EVAL_SAMPLES,
        progress_interval=0,
        print_fn=lambda _: None,
        after_unit=after_unit,
    )


def _rows(workdir):
    rows = [json.loads(line) for line in (workdir / "metrics.jsonl").read_text().splitlines()]
    for row in rows:
        row.pop("wall_seconds")
    return rows


@pytest.fixture(scope="module")
def text_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("text_run")
    corpus = write_english(root / "sentences.txt")
    workdir = root / "run"
    return corpus, workdir, make_experiment(workdir, corpus).run()


@pytest.mark.parametrize(
    "unit", [9, *(pytest.param(u, marks=pytest.mark.slow) for u in (0, 4, 10, 13))]
)
def test_text_run_resumes_after_an_interrupt_with_identical_metrics(text_run, tmp_path, unit):
    """Units: 0 the corpus, 1-4 MLE (4: the last, which keeps the MLE generator), 5-6
    discriminator pre-training, 7.. adversarial (9: an evaluated generator part, 10: a
    discriminator round), 13 Texygen's protocols. Unit 9 in the default suite, the rest
    with -m slow (each case is two tiny runs, mostly XLA compilation)."""
    from seqgan_tf.data.vocabulary import VOCABULARY_FILE, TokenVocabulary

    corpus, reference, results = text_run
    workdir = tmp_path / "run"
    with pytest.raises(Interrupted):
        make_experiment(workdir, corpus, after_unit=interrupt_after(unit)).run()
    saved = workdir / VOCABULARY_FILE
    vocabulary = TokenVocabulary.load(saved) if (workdir / "experiment.json").exists() else None
    resumed = make_experiment(workdir, corpus, vocabulary=vocabulary).run()
    assert _rows(workdir) == _rows(reference)
    assert resumed["methods"] == results["methods"]
    assert resumed["texygen"] == results["texygen"]
    assert resumed["texygen_full"] == results["texygen_full"]
    for name in ("experiment-log.txt", "samples/seqgan_iteration_0003.txt"):
        assert (workdir / name).read_text() == (reference / name).read_text()


def test_overrides_are_the_flags_not_the_counts_the_run_chose(text_run):
    # No --dis_samples: the run draws the training split's size in whole batches a round,
    # and the results' flags departing from the preset say what the flags and preset said.
    _, _, results = text_run
    batch = TINY_CONFIG.batch_size
    negatives = results["train_sequences"] // batch * batch
    assert results["schedule"]["dis_samples"] == negatives != TINY_SCHEDULE.dis_samples
    assert results["overrides"]["dis_samples"] == TINY_SCHEDULE.dis_samples


def test_a_workdir_of_another_corpus_is_refused(text_run, tmp_path):
    from seqgan_tf.training.runner import WorkdirMismatchError

    _, workdir, _ = text_run
    other = tmp_path / "other.txt"
    other.write_text("\n".join(english_sentences(seed=1)) + "\n")
    with pytest.raises(WorkdirMismatchError):
        make_experiment(workdir, other).run()
