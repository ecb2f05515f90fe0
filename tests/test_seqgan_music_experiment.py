"""--mode=music end to end on MIDI tunes the test writes: trained through the driver with
tiny model flags, the metrics recomputed independently (nltk, a plain loop), the MIDI
samples and piano roll a user opens, resume after an interrupt, --mode=sample writing
MIDI, and bad input stopped with one line before the workdir is touched."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from music_tunes import write_tune
from seqgan_tiny import (
    TINY_CONFIG,
    TINY_MODEL_FLAGS,
    TINY_SCHEDULE,
    TINY_SCHEDULE_FLAGS,
    Interrupted,
    interrupt_after,
)

from seqgan_tf.data.midi import key_of_midi_pitch, read_tune
from seqgan_tf.data.music_corpus import MusicSettings

REPO = pathlib.Path(__file__).resolve().parents[1]
SEED = 7
SETTINGS = MusicSettings(music_sequence_length=8, music_hop=8, music_test_fraction=0.25)
SCHEDULE_FLAGS = ["--eval_samples=16", *TINY_SCHEDULE_FLAGS]
MODEL_FLAGS = TINY_MODEL_FLAGS
MUSIC_FLAGS = ["--music_sequence_length=8", "--music_hop=8", "--music_test_fraction=0.25"]


def write_tunes(folder: pathlib.Path, count: int = 8, steps: int = 32) -> pathlib.Path:
    """``count`` tunes of ``steps`` 0.4 s notes walking a C-major scale from a seeded start."""
    folder.mkdir(parents=True, exist_ok=True)
    scale = [60, 62, 64, 65, 67, 69, 71, 72]
    rng = np.random.default_rng(0)
    for tune in range(count):
        position = int(rng.integers(len(scale)))
        notes = []
        for step in range(steps):
            position = int(np.clip(position + rng.choice([-1, 1]), 0, len(scale) - 1))
            notes.append((scale[position], step * 0.4, (step + 1) * 0.4))
        write_tune(folder / f"tune{tune}.mid", notes)
    return folder


def _main(*args, cwd, mode="music"):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "seqgan_tf.main", f"--mode={mode}", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def make_experiment(workdir, folder, after_unit=None, seed=SEED):
    import dataclasses

    from seqgan_tf.experiments.music import MusicData, MusicExperiment

    schedule = dataclasses.replace(TINY_SCHEDULE, eval_samples=16)
    return MusicExperiment(
        str(workdir),
        MusicData.load(str(folder), SETTINGS, seed),
        TINY_CONFIG,
        schedule,
        SETTINGS,
        seed=seed,
        progress_interval=0,
        print_fn=lambda _: None,
        after_unit=after_unit,
    )


@pytest.fixture(scope="module")
def music_run(tmp_path_factory):
    """The tiny run through the driver."""
    root = tmp_path_factory.mktemp("music_run")
    folder = write_tunes(root / "tunes")
    workdir = root / "run"
    result = _main(
        f"--data={folder}",
        f"--workdir={workdir}",
        f"--seed={SEED}",
        "--progress_interval=0",
        *SCHEDULE_FLAGS,
        *MODEL_FLAGS,
        *MUSIC_FLAGS,
        cwd=root,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads((workdir / "results.json").read_text())
    return folder, workdir, results, result.stdout


def _rows(workdir):
    rows = [json.loads(line) for line in (workdir / "metrics.jsonl").read_text().splitlines()]
    for row in rows:
        row.pop("wall_seconds")
    return rows


def test_a_music_run_writes_what_a_user_reads(music_run):
    _, workdir, results, stdout = music_run
    assert "--mode=music, preset original" in stdout and "Projected wall time" in stdout
    assert "--preset=quick" in stdout and "--preset=hour" in stdout
    assert results["data"]["train_tunes"] == 6 and results["data"]["test_tunes"] == 2
    assert results["data"]["train_sequences"] == 24 and results["data"]["test_sequences"] == 8
    methods = results["methods"]
    for name in ("random", "mle", "seqgan"):
        assert 0.0 < methods[name]["bleu4"] <= 1.0 and 0.0 < methods[name]["bleu4_train"] <= 1.0
        assert methods[name]["mse"] >= 0.0 and 0.0 < methods[name]["self_bleu4"] <= 1.0
    assert methods["mle"]["step"] == 3 and methods["seqgan"]["step"] == 2
    # MLE on scale walks moves the keys from all 88 to the tunes' octave.
    assert methods["mle"]["mse"] < methods["random"]["mse"]
    assert set(results["real"]) == {"real_train_vs_test", "real_test_vs_train", "unigram_vs_test"}

    table = (workdir / "results.md").read_text()
    assert "| MLE (epoch 4) |" in table and "| SeqGAN (iteration 3) |" in table
    for cited in ("0.9210", "0.9406", "22.38", "20.62"):
        assert cited in table
    assert "min_r (1/T) sum_t (x_t - r_t)^2" in table
    assert (workdir / "piano_roll.png").stat().st_size > 0
    config = json.loads((workdir / "experiment.json").read_text())["config"]
    assert (config["vocab_size"], config["sequence_length"], config["start_token"]) == (89, 8, 0)
    assert json.loads((workdir / "pitch_vocab.json").read_text())["ids"][39]["name"] == "C4"
    split = json.loads((workdir / "music_split.json").read_text())
    assert sorted(split["train_tune_names"] + split["test_tune_names"]) == [
        f"tune{i}.mid" for i in range(8)
    ]
    log = (workdir / "experiment-log.txt").read_text()
    assert log.startswith("random\tbleu4 ") and "seqgan_iteration_0003\t" in log


def test_the_metrics_match_nltk_and_a_plain_nearest_neighbour_loop(music_run):
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    folder, workdir, results, _ = music_run
    from seqgan_tf.data.music_corpus import MusicData

    data = MusicData.load(str(folder), SETTINGS, SEED)
    final = results["methods"]["seqgan"]
    samples = np.loadtxt(workdir / final["samples"], dtype=int, ndmin=2)
    assert samples.shape == (16, 8)
    references = [list(row) for row in data.test]
    smoothing = SmoothingFunction().method1
    bleu = np.mean(
        [sentence_bleu(references, list(x), smoothing_function=smoothing) for x in samples]
    )
    mse = np.mean([min(np.mean((x - r) ** 2) for r in data.test) for x in samples])
    mse_train = np.mean([min(np.mean((x - r) ** 2) for r in data.train) for x in samples])
    assert final["bleu4"] == pytest.approx(bleu, abs=1e-9)
    assert final["mse"] == pytest.approx(mse, abs=1e-9)
    assert final["mse_train"] == pytest.approx(mse_train, abs=1e-9)


def test_each_evaluation_writes_midi_files_that_play_its_samples(music_run):
    _, workdir, results, _ = music_run
    samples = np.loadtxt(workdir / results["methods"]["seqgan"]["samples"], dtype=int, ndmin=2)
    folder = workdir / "samples" / "seqgan_iteration_0003"
    files = sorted(folder.glob("*.mid"))
    assert len(files) == 8
    checked = 0
    for path, keys in zip(files, samples, strict=False):
        if keys.min() > 0:  # id 0 (the start token) is a silent step, not a key
            np.testing.assert_array_equal(read_tune(path).keys, keys)
            checked += 1
    assert checked
    assert sorted(p.name for p in (workdir / "samples" / "real_test").glob("*.mid"))


def test_sample_mode_writes_midi_files(music_run, tmp_path):
    _, workdir, _, _ = music_run
    output = tmp_path / "tunes"
    result = _main(
        f"--workdir={workdir}", f"--output={output}", "--num_samples=3", cwd=tmp_path, mode="sample"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    files = sorted(output.glob("*.mid"))
    assert [p.name for p in files] == ["tune_000.mid", "tune_001.mid", "tune_002.mid"]
    for path in files:
        keys = read_tune(path).keys
        assert 1 <= keys.min() and keys.max() <= 88


def test_music_run_resumes_after_an_interrupt_as_if_never_stopped(music_run, tmp_path):
    folder, reference, results, _ = music_run
    workdir = tmp_path / "run"
    # Unit 10: the second adversarial iteration's generator part, an evaluated one.
    with pytest.raises(Interrupted):
        make_experiment(workdir, folder, after_unit=interrupt_after(10)).run()
    resumed = make_experiment(workdir, folder).run()
    assert _rows(workdir) == _rows(reference)
    assert resumed["methods"] == results["methods"]
    assert (workdir / "experiment-log.txt").read_text() == (
        reference / "experiment-log.txt"
    ).read_text()


def test_a_workdir_of_another_split_is_refused(music_run):
    from seqgan_tf.data.midi import MidiError

    folder, workdir, _, _ = music_run
    with pytest.raises(MidiError, match="another split"):
        make_experiment(workdir, folder, seed=SEED + 1)


def _bad_folder(root: pathlib.Path, case: str) -> tuple[pathlib.Path, str]:
    folder = write_tunes(root / "tunes", count=3)
    if case == "not_midi":
        (folder / "broken.mid").write_bytes(b"this is not a MIDI file\n")
        return folder, "broken.mid: not a MIDI file"
    if case == "no_notes":
        write_tune(folder / "silent.mid", [])
        return folder, "silent.mid: no notes"
    for path in folder.iterdir():
        path.rename(path.with_suffix(".txt"))
    return folder, "no MIDI files"


@pytest.mark.parametrize("case", ["not_midi", "no_notes", "no_midi_files"])
def test_bad_input_stops_the_driver_before_the_workdir_is_written(tmp_path, case):
    folder, message = _bad_folder(tmp_path, case)
    workdir = tmp_path / "run"
    result = _main(f"--data={folder}", f"--workdir={workdir}", *MUSIC_FLAGS, cwd=tmp_path)
    assert result.returncode == 1
    assert message in result.stderr and str(folder) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not workdir.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mode=music", "--sequence_length=32"], "drop --sequence_length"),
        (["--mode=music", "--preset=paper"], "--mode=music has the presets"),
        (["--mode=oracle", "--preset=hour"], "--preset=hour is a --mode=music preset"),
        (["--mode=music", "--data=missing"], "--data=missing: not a folder"),
    ],
)
def test_flags_the_music_mode_refuses(tmp_path, args, message):
    folder = write_tunes(tmp_path / "tunes", count=3)
    given = any(a.startswith("--data") for a in args) or args[0] != "--mode=music"
    data = [] if given else [f"--data={folder}"]
    result = _main(
        *data, f"--workdir={tmp_path / 'run'}", *args[1:], cwd=tmp_path, mode=args[0].split("=")[1]
    )
    assert result.returncode == 1 and message in result.stderr, result.stderr[-2000:]
    assert not (tmp_path / "run").exists()


def test_the_projection_counts_every_unit():
    from seqgan_tf.experiments.music_presets import (
        REFERENCE_COSTS,
        music_preset_schedule,
        projected_seconds,
        unit_seconds,
    )

    schedule = music_preset_schedule("quick")
    c = REFERENCE_COSTS
    evaluation = c.evaluation_s * schedule.eval_samples / c.eval_samples
    negatives = schedule.dis_samples  # 9,984 by default; the windows' count in a run
    # One epoch over the training windows and the negatives: the bench's (windows + windows).
    epoch = c.dis_epoch_s * (c.train_windows + negatives) / (2 * c.train_windows)
    dis_round = c.sample_negatives_s * negatives / c.train_windows + epoch
    expected = (
        3 * evaluation
        + 40 * c.mle_epoch_s
        + 5 * evaluation  # MLE epochs 1, 11, 21, 31, 40
        + 5 * dis_round
        + 20 * (c.gen_step_s + dis_round)
        + 5 * evaluation  # iterations 1, 6, 11, 16, 20
    )
    assert projected_seconds(schedule, c.train_windows)["total"] == pytest.approx(expected)
    units = unit_seconds(schedule, c.train_windows)
    assert units[("adversarial", True)] == pytest.approx(dis_round)
    assert units[("adversarial", False)] == pytest.approx(c.gen_step_s + evaluation * 5 / 20)


def test_key_ids_are_the_papers_1_to_88():
    assert key_of_midi_pitch(21) == 1 and key_of_midi_pitch(108) == 88
