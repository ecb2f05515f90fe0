"""The music metrics: the MSE on hand-computed cases and a brute-force loop, BLEU-4 = nltk."""

from __future__ import annotations

import json
import os
import subprocess

import numpy as np
import pytest
from music_tunes import scale_tune

from seqgan_tf.metrics import music
from seqgan_tf.metrics.music import (
    mean_pairwise_mse,
    music_metrics,
    nearest_reference_mse,
    pitch_histogram_mse,
    real_data_rows,
    unigram_samples,
)


def brute_force_nearest_mse(samples, references) -> np.ndarray:
    out = []
    for x in samples:
        out.append(
            min(
                sum((float(a) - float(b)) ** 2 for a, b in zip(x, r, strict=True))
                for r in references
            )
        )
    return np.array(out) / len(samples[0])


def test_nearest_reference_mse_by_hand():
    samples = np.array([[1, 2], [3, 3]])
    references = np.array([[1, 1], [4, 4]])
    # [1, 2]: (0 + 1) / 2 = 0.5 to [1, 1], (9 + 4) / 2 = 6.5 to [4, 4] -> 0.5
    # [3, 3]: (4 + 4) / 2 = 4 to [1, 1], (1 + 1) / 2 = 1 to [4, 4] -> 1.0
    assert nearest_reference_mse(samples, references).tolist() == [0.5, 1.0]
    assert music_metrics(samples, references)["mse"] == 0.75


def test_a_sample_equal_to_a_reference_has_mse_0():
    references = np.array([[40, 42, 44, 45], [50, 50, 50, 50]])
    assert nearest_reference_mse(references[::-1], references).tolist() == [0.0, 0.0]


def test_nearest_reference_mse_equals_a_loop_in_chunks(monkeypatch):
    rng = np.random.default_rng(0)
    samples = rng.integers(0, 89, (37, 32))
    references = rng.integers(30, 70, (23, 32))
    monkeypatch.setattr(music, "_MSE_CHUNK", 5)
    np.testing.assert_array_equal(
        nearest_reference_mse(samples, references), brute_force_nearest_mse(samples, references)
    )


def test_nearest_reference_mse_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"one length T needed, got shapes \(1, 3\) and \(2, 4\)"):
        nearest_reference_mse(np.ones((1, 3)), np.ones((2, 4)))


def test_mean_pairwise_mse_by_hand_and_blind_to_melody():
    samples = np.array([[1, 2], [3, 3]])
    references = np.array([[1, 1], [4, 4]])
    # pairs: 0.5, 6.5, 4, 1 -> 3.0
    assert mean_pairwise_mse(samples, references) == 3.0
    # Reshuffling each position across the samples destroys every melody but leaves the
    # all-pairs reading unchanged; the nearest-reference reading sees it.
    rng = np.random.default_rng(1)
    melodies = np.stack([np.arange(40, 72) + rng.integers(-1, 2) for _ in range(50)])
    melodies[25:] = melodies[25:, ::-1]  # half rise, half fall
    shuffled = np.stack([rng.permutation(column) for column in melodies.T], axis=1)
    assert mean_pairwise_mse(shuffled, melodies) == pytest.approx(
        mean_pairwise_mse(melodies, melodies)
    )
    assert nearest_reference_mse(melodies, melodies).mean() == 0.0
    assert nearest_reference_mse(shuffled, melodies).mean() > 50.0


def test_pitch_histogram_mse_by_hand():
    a, b = np.array([[1, 1, 2, 2]]), np.array([[1, 1, 1, 2]])
    # frequencies of id 1: 0.5 vs 0.75, of id 2: 0.5 vs 0.25, 87 other ids 0: 2 * 0.0625 / 89
    assert pitch_histogram_mse(a, b) == pytest.approx(0.125 / 89)


def test_bleu4_is_nltks_method1_sentence_bleu_against_every_reference():
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    rng = np.random.default_rng(2)
    references = rng.integers(40, 46, (12, 32))
    no_bigram_matches = np.array([[40, *range(50, 81)]])  # smoothing decides its score
    samples = np.concatenate([rng.integers(40, 46, (5, 32)), references[:2], no_bigram_matches])
    smoothing = SmoothingFunction().method1
    expected = np.mean(
        [
            sentence_bleu(references.tolist(), s.tolist(), smoothing_function=smoothing)
            for s in samples
        ]
    )
    assert music_metrics(samples, references)["bleu4"] == pytest.approx(expected, rel=1e-12)


def test_unigram_samples_draw_from_the_training_histogram():
    train = np.array([[40, 40, 40, 44]] * 10)
    drawn = unigram_samples(train, 2000, seed=0)
    assert drawn.shape == (2000, 4) and set(np.unique(drawn)) == {40, 44}
    assert (drawn == 40).mean() == pytest.approx(0.75, abs=0.02)
    assert np.array_equal(drawn, unigram_samples(train, 2000, seed=0))


def test_real_data_rows_score_each_side_against_the_other():
    rng = np.random.default_rng(3)
    train, test = rng.integers(40, 50, (30, 8)), rng.integers(40, 50, (7, 8))
    rows = real_data_rows(train, test, seed=0)
    assert rows["real_train_vs_test"]["mse"] == music_metrics(train, test)["mse"]
    assert rows["real_test_vs_train"]["bleu4"] == music_metrics(test, train)["bleu4"]
    assert (rows["real_test_vs_train"]["sequences"], rows["unigram_vs_test"]["references"]) == (
        7,
        7,
    )


def test_the_command_measures_a_folder_and_rejects_a_bad_one(tmp_path, capsys):
    folder = tmp_path / "tunes"
    folder.mkdir()
    for i in range(6):
        scale_tune(folder / f"t{i}.mid", 50 + i, 70)
    out = tmp_path / "out"
    assert music.main([f"--data={folder}", "--seed=1", f"--output_dir={out}"]) == 0
    results = json.loads((out / "results.json").read_text())
    assert results["data"]["tunes_read"] == 6
    assert results["machine"].endswith(f", {os.cpu_count()} cpus")
    head = subprocess.run(
        ["git", "-C", os.path.dirname(__file__), "rev-parse", "HEAD"], capture_output=True
    )
    if head.returncode == 0:  # a git checkout, not an installed copy
        assert results["commit"].removesuffix("+changes") == head.stdout.decode().strip()
    assert results["data"]["train_sequences"] + results["data"]["test_sequences"] == 12
    assert (out / "piano_roll.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = (out / "results.md").read_text()
    row = results["rows"]["real_train_vs_test"]
    assert f"| {row['bleu4']:.4f} | {row['mse']:.2f} |" in table
    assert "| paper, SeqGAN | | | 0.9406 | 20.62 |" in table
    assert table in capsys.readouterr().out
    assert music.main([f"--data={tmp_path / 'nowhere'}", f"--output_dir={tmp_path / 'x'}"]) == 2
    assert capsys.readouterr().err.strip().endswith("nowhere: not a folder")
    assert not (tmp_path / "x").exists()


def test_the_committed_real_data_table_matches_its_results():
    import pathlib

    run = pathlib.Path(__file__).resolve().parents[1] / "docs" / "runs" / "music-real-data"
    readme = (run / "README.md").read_text()
    results = [json.loads((run / f"seed{s}" / "results.json").read_text()) for s in (88, 1, 2)]
    for name, title in music.ROW_TITLES.items():
        bleu = [r["rows"][name]["bleu4"] for r in results]
        mse = [r["rows"][name]["mse"] for r in results]
        line = next(x for x in readme.splitlines() if x.startswith(f"| {title} |"))
        cells = [c.strip() for c in line.strip("|").split("|")]
        pairs = [r["rows"][name]["readings_not_taken"]["mean_pairwise_mse"] for r in results]
        for cell, values in ((cells[1], bleu), (cells[2], mse), (cells[3], pairs)):
            mean, spread = (float(v) for v in cell.split(" ± "))
            digits = len(cell.split(" ± ")[0].split(".")[1])
            assert mean == round(float(np.mean(values)), digits)
            assert spread == round(float(np.std(values, ddof=1)), len(cell.split(" ± ")[1]) - 2)
