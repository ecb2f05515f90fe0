"""RESULTS.md's text and music tables (seqgan_tf/reporting/corpus_runs.py), on run folders
the test writes: which runs count, how they group, and the mean (sd) rows against NumPy."""

from __future__ import annotations

import json

import numpy as np

from seqgan_tf.reporting.corpus_runs import group_section, groups, load_corpus_runs

AVX2 = {"cpu": "AMD EPYC", "cpu_count": 2, "cpu_vector_extensions": ["avx2"]}
AVX512 = {"cpu": "AMD EPYC", "cpu_count": 2, "cpu_vector_extensions": ["avx2", "avx512f"]}


def _write(
    folder,
    mode,
    seed,
    bleu4,
    machine=AVX2,
    overrides=None,
    methods=("mle", "seqgan"),
    corpus="/data/image_coco_train.txt",
):
    folder.mkdir(parents=True)
    scores = {"bleu2": 0.5, "bleu4": bleu4, "self_bleu2": 0.7, "self_bleu4": 0.9}
    scores |= {"nll_per_word": 4.0, "mse": 10.0 + seed}
    results = {
        "mode": mode,
        "corpus": corpus,
        "preset": "quick",
        "seed": seed,
        "overrides": overrides or {},
        "methods": {method: dict(scores) for method in methods},
        "wall_seconds": 600.0,
        "processes": [{**machine, "commit": f"{seed:07d}" + "0" * 33}],
    }
    if mode == "music":
        results["paper"] = {"mle": {"bleu4": 0.921, "mse": 22.38}}
    (folder / "results.json").write_text(json.dumps(results))


def test_only_finished_text_and_music_runs_one_level_down_count(tmp_path):
    _write(tmp_path / "text-a" / "run", "text", 1, 0.3)
    _write(tmp_path / "music-a" / "workdir", "music", 1, 0.8)
    _write(tmp_path / "oracle" / "run", "oracle", 1, 0.3)
    _write(tmp_path / "unfinished" / "run", "text", 2, 0.3, methods=("mle",))
    _write(tmp_path / "top-level", "text", 3, 0.3)  # an oracle-table folder's depth
    names = [run.name for run in load_corpus_runs(tmp_path)]
    assert names == ["music-a", "text-a"]


def test_seeds_group_by_flags_and_machine_and_the_mean_row_matches_numpy(tmp_path):
    bleu4 = {1: 0.31, 2: 0.35, 3: 0.28}
    for seed, value in bleu4.items():
        # Where the data lies is not a flag of the experiment.
        _write(tmp_path / f"t{seed}" / "run", "text", seed, value, overrides={"data": f"/d{seed}"})
    _write(tmp_path / "t4" / "run", "text", 4, 0.5, machine=AVX512)
    _write(tmp_path / "t5" / "run", "text", 5, 0.5, overrides={"min_count": 3})
    grouped = groups(load_corpus_runs(tmp_path))
    assert sorted(grouped) == [
        ("text", "--preset=quick"),
        ("text", "--preset=quick --min_count=3"),
    ]
    lines = group_section("text", "--preset=quick", grouped[("text", "--preset=quick")])
    table = _table_after(lines, "Whole test file as references:")
    mean_rows = [row for row in table if row["run"].startswith("mean (sd)")]
    # One row per model, over the seeds of every machine (each run's MLE and SeqGAN ran on
    # one); the other flags' run stays out.
    assert [row["model"] for row in mean_rows] == ["MLE", "SeqGAN"]
    assert all("4 seeds" in row["run"] for row in mean_rows)
    values = np.array([*bleu4.values(), 0.5])
    assert mean_rows[0]["BLEU-4"] == f"{values.mean():.3f} (sd {values.std(ddof=1):.3f})"


def _table_after(lines: list[str], caption: str) -> list[dict[str, str]]:
    """The rows of the Markdown table that follows ``caption``, as {column: cell}."""
    start = lines.index(caption) + 2
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(dict(zip(header, (c.strip() for c in line.strip("|").split("|")), strict=True)))
    return rows


def test_negatives_the_run_chose_are_not_a_flag_of_older_text_runs(tmp_path):
    # Runs before the text mode recorded the flags as given listed the negatives a round
    # they chose (the training split in whole batches of 64) as --dis_samples.
    for seed, negatives in ((1, 15_040), (2, 9_984)):
        folder = tmp_path / f"t{seed}" / "run"
        _write(folder, "text", seed, 0.3, overrides={"dis_samples": negatives})
        results = json.loads((folder / "results.json").read_text())
        (folder / "results.json").write_text(json.dumps({**results, "train_sequences": 15_061}))
    grouped = groups(load_corpus_runs(tmp_path))
    assert sorted(grouped) == [
        ("text", "--preset=quick"),
        ("text", "--preset=quick --dis_samples=9984"),
    ]


def test_music_tables_carry_the_papers_numbers(tmp_path):
    _write(tmp_path / "m1" / "workdir", "music", 1, 0.8)
    lines = group_section("music", "--preset=quick", load_corpus_runs(tmp_path))
    header = [cell.strip() for cell in lines[2].split("|")]
    paper = [cell.strip() for cell in lines[-1].split("|")]
    assert paper[1] == "paper"
    assert paper[header.index("MLE BLEU-4")] == "0.921"
    assert paper[header.index("MLE MSE")] == "22.38"
    assert paper[header.index("SeqGAN BLEU-4")] == ""  # not given: left empty, not invented


def test_text_tables_show_the_final_evaluations_sentences(tmp_path):
    folder = tmp_path / "t1" / "run"
    _write(folder, "text", 1, 0.3)
    samples = folder / "samples"
    samples.mkdir()
    for name, word in [("mle_epoch_0005", "early"), ("mle_epoch_0040", "final")]:
        (samples / f"{name}.txt").write_text("".join(f"{word} {i}\n" for i in range(30)))
    (samples / "seqgan_iteration_0016.txt").write_text("a b .\n")
    lines = group_section("text", "--preset=quick", load_corpus_runs(tmp_path))
    shown = [line.strip() for line in lines if line.startswith("    ")]
    assert shown == [f"final {i}" for i in range(20)] + ["a b ."]
    assert any("run/samples/mle_epoch_0040.txt" in line for line in lines)


def _full(bleu2: float) -> dict:
    """Texygen-protocol scores of MLE, SeqGAN and the training sentences."""
    metrics = {f"{kind}{n}": 0.5 for kind in ("bleu", "self_bleu") for n in (2, 3, 4, 5)}
    return {method: {**metrics, "bleu2": bleu2} for method in ("mle", "seqgan", "real")}


def test_the_full_protocol_table_takes_the_runs_own_or_the_rescoring(tmp_path):
    """Runs whose results.json holds the full protocol, runs re-scored on fresh samples
    (texygen_full.json), a run with neither (left out); the mean (sd) row over both kinds."""
    published = {"mle": {"bleu2": 0.731}, "seqgan": {"bleu2": 0.745}}
    for seed in (1, 2, 3):
        folder = tmp_path / f"t{seed}" / "run"
        _write(folder, "text", seed, 0.3)
        results = json.loads((folder / "results.json").read_text())
        results["texygen_published"] = published
        if seed == 1:
            results["texygen_full"] = _full(0.70)
        (folder / "results.json").write_text(json.dumps(results))
    rescoring = {"seed": 88, "texygen_full": _full(0.74)}
    for seed in (1, 2):  # seed 1's own results win over a re-scoring
        (tmp_path / f"t{seed}" / "run" / "texygen_full.json").write_text(json.dumps(rescoring))
    lines = group_section("text", "--preset=quick", load_corpus_runs(tmp_path))
    caption = next(line for line in lines if line.startswith("Texygen's full protocol"))
    table = _table_after(lines, caption)
    assert [(row["run"], row["model"], row["BLEU-2"]) for row in table] == [
        ("`t1`, its samples", "MLE", "0.700"),
        ("`t1`, its samples", "SeqGAN", "0.700"),
        ("`t1`, its samples", "training sentences", "0.700"),
        ("`t2`, fresh samples (--seed=88)", "MLE", "0.740"),
        ("`t2`, fresh samples (--seed=88)", "SeqGAN", "0.740"),
        ("`t2`, fresh samples (--seed=88)", "training sentences", "0.740"),
        ("mean (sd), 2 seeds", "MLE", f"0.720 (sd {np.std([0.70, 0.74], ddof=1):.3f})"),
        ("mean (sd), 2 seeds", "SeqGAN", f"0.720 (sd {np.std([0.70, 0.74], ddof=1):.3f})"),
        ("Texygen, published", "MLE", "0.731"),
        ("Texygen, published", "SeqGAN", "0.745"),
    ]
    # No run with it, no table.
    (tmp_path / "t2" / "run" / "texygen_full.json").unlink()
    results = json.loads((tmp_path / "t1" / "run" / "results.json").read_text())
    del results["texygen_full"]
    (tmp_path / "t1" / "run" / "results.json").write_text(json.dumps(results))
    (tmp_path / "t1" / "run" / "texygen_full.json").unlink()
    lines = group_section("text", "--preset=quick", load_corpus_runs(tmp_path))
    assert not any(line.startswith("Texygen's full protocol") for line in lines)


def test_poem_tables_carry_the_papers_bleu2_and_bleu2_against_the_training_split(tmp_path):
    """The quatrains: BLEU-2 vs train where runs have it (the real data's is its BLEU-2,
    as text runs record it), the paper's Table 2 under BLEU-2, and no Texygen COCO
    numbers."""
    for seed, train_bleu in ((1, 0.61), (2, 0.65)):
        folder = tmp_path / f"p{seed}" / "run"
        _write(folder, "text", seed, 0.3, corpus="/d/quatrains_5char.txt")
        results = json.loads((folder / "results.json").read_text())
        for method in ("mle", "seqgan"):
            results["methods"][method]["bleu2_train"] = train_bleu
        results["methods"]["real"] = {"bleu2": 0.72, "bleu2_train": 0.72}
        results["texygen_published"] = {"mle": {"bleu2": 0.731}}
        results["texygen_full"] = _full(0.70)
        (folder / "results.json").write_text(json.dumps(results))
    lines = group_section("text", "--preset=quick", load_corpus_runs(tmp_path))
    caption = "Whole test file as references (and the training split, BLEU-2 vs train):"
    table = _table_after(lines, caption)
    cells = [(row["run"], row["model"], row["BLEU-2"], row["BLEU-2 vs train"]) for row in table]
    assert cells[:3] == [
        ("`p1`", "MLE", "0.500", "0.610"),
        ("`p1`", "SeqGAN", "0.500", "0.610"),
        ("`p1`", "real data", "0.720", "0.720"),
    ]
    assert cells[6] == (
        "mean (sd), 2 seeds",
        "MLE",
        "0.500 (sd 0.000)",
        f"0.630 (sd {np.std([0.61, 0.65], ddof=1):.3f})",
    )
    assert cells[-3:] == [
        ("paper, Table 2", "MLE", "0.667", ""),
        ("paper, Table 2", "SeqGAN", "0.7389", ""),
        ("paper, Table 2", "real data", "0.746", ""),
    ]
    assert not any("Texygen, published" in line for line in lines)
    # COCO runs made before the column existed: no column, no paper row.
    coco = tmp_path / "coco"
    _write(coco / "c1" / "run", "text", 1, 0.3)
    lines = group_section("text", "--preset=quick", load_corpus_runs(coco))
    assert "Whole test file as references:" in lines
    assert not any("paper, Table 2" in line or "vs train" in line for line in lines)
