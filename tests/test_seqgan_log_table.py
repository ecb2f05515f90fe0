"""seqgan_tf.reporting.log_table: a run's wall time per phase and its log beside the original's."""

import json

import pytest

from seqgan_tf.reporting.log_table import log_beside_original, main, markdown, phase_minutes
from seqgan_tf.reporting.results import ORIGINAL_ADVERSARIAL_LOG, ORIGINAL_LOG, ORIGINAL_MLE_LOG


def _write_run(workdir) -> None:
    """A finished run's metrics.jsonl with known durations: 6 s of oracle samples, 120 MLE
    epochs of 3 s (the last logged as phase mle_final), 2 discriminator rounds of 60 s,
    2 adversarial iterations of 2 parts of 30 s, a 90 s re-scoring."""
    rows, wall = [], 0.0

    def add(phase, step, part, seconds, nll=None):
        nonlocal wall
        wall += seconds
        rows.append(
            {"phase": phase, "step": step, "part": part, "nll_oracle": nll, "wall_seconds": wall}
        )

    add("oracle_samples", 0, 0, 6.0, 11.4)
    for epoch in range(119):
        add("mle", epoch, 0, 3.0, 10.0 - 0.01 * epoch if epoch % 5 == 0 else None)
    add("mle_final", 119, 0, 3.0, 9.0)
    for round_ in range(2):
        add("dis_pretrain", round_, 0, 60.0)
    for iteration in range(2):
        add("adversarial", iteration, 0, 30.0, 8.9 - 0.1 * iteration)
        add("adversarial", iteration, 1, 30.0)
    add("rescore", 0, 0, 90.0)
    with open(workdir / "metrics.jsonl", "w") as f:
        f.writelines(json.dumps(row) + "\n" for row in rows)


def test_phase_minutes_add_up_each_phase(tmp_path):
    _write_run(tmp_path)
    from seqgan_tf.reporting.curves import metrics_rows

    phases = phase_minutes(metrics_rows(str(tmp_path)))
    assert [(phase, units) for phase, units, _ in phases] == [
        ("oracle_samples", 1),
        ("mle", 120),  # mle_final is MLE's last epoch
        ("dis_pretrain", 2),
        ("adversarial", 4),
        ("rescore", 1),
    ]
    assert [minutes for _, _, minutes in phases] == pytest.approx([0.1, 6.0, 2.0, 2.0, 1.5])


def test_log_beside_original_pairs_every_logged_step(tmp_path):
    _write_run(tmp_path)
    from seqgan_tf.reporting.curves import metrics_rows

    table = log_beside_original(metrics_rows(str(tmp_path)))
    mle = {step: (ours, original) for phase, step, ours, original in table if phase == "mle"}
    assert sorted(mle) == [*range(0, 120, 5), 119]
    assert mle[115] == pytest.approx((10.0 - 1.15, ORIGINAL_MLE_LOG[115]))
    assert mle[119] == (9.0, None)  # the original logs every 5 epochs only
    adversarial = {s: (a, b) for phase, s, a, b in table if phase == "adversarial"}
    assert adversarial[0] == pytest.approx((8.9, ORIGINAL_ADVERSARIAL_LOG[0]))
    assert adversarial[1] == pytest.approx((8.8, None))
    assert adversarial[150] == (None, ORIGINAL_ADVERSARIAL_LOG[150])  # not reached yet
    # the committed log's figures, as the results table quotes them
    assert ORIGINAL_MLE_LOG[115] == pytest.approx(ORIGINAL_LOG["MLE (epoch 115)"], abs=0.005)
    assert sorted(ORIGINAL_MLE_LOG) == list(range(0, 120, 5))


def test_markdown_and_command_line(tmp_path, capsys):
    _write_run(tmp_path)
    text = markdown(str(tmp_path))
    assert "| total | 128 | 11.6 |" in text
    assert f"| mle | 115 | 8.8500 | {ORIGINAL_MLE_LOG[115]:.4f} | -0.2206 |" in text
    assert "| adversarial | 1 | 8.8000 |  |  |" in text
    main([f"--workdir={tmp_path}"])
    assert capsys.readouterr().out == text
    with pytest.raises(ValueError, match="no metrics.jsonl"):
        markdown(str(tmp_path / "missing"))


def _write_adversarial_run(workdir, rewards, minutes_per_iteration, finished) -> None:
    """One discriminator round (60 s), then one adversarial iteration per reward: a
    generator part (evaluated every 5th iteration, NLL 9 - iteration / 100) and a
    discriminator part, together ``minutes_per_iteration``; a re-scoring unit if
    ``finished``."""
    workdir.mkdir()
    rows, wall = [{"phase": "dis_pretrain", "step": 0, "part": 0, "wall_seconds": 60.0}], 60.0
    for iteration, reward in enumerate(rewards):
        for part in (0, 1):
            wall += 30.0 * minutes_per_iteration
            row = {"phase": "adversarial", "step": iteration, "part": part, "wall_seconds": wall}
            if part == 0:
                row["mean_reward"] = reward
                row["nll_oracle"] = 9.0 - iteration / 100 if iteration % 5 == 0 else None
            rows.append(row)
    if finished:
        rows.append({"phase": "rescore", "step": 0, "part": 0, "wall_seconds": wall + 30.0})
    with open(workdir / "metrics.jsonl", "w") as f:
        f.writelines(json.dumps(row) + "\n" for row in rows)


def test_adversarial_pace_counts_complete_iterations(tmp_path):
    from seqgan_tf.reporting.curves import metrics_rows
    from seqgan_tf.reporting.log_table import adversarial_pace

    _write_adversarial_run(tmp_path / "done", [0.1] * 4, 2.0, finished=True)
    assert adversarial_pace(metrics_rows(str(tmp_path / "done"))) == pytest.approx((4, 8.0, 2.0))
    # still running: the last iteration begun may lack parts, so it does not count yet
    _write_adversarial_run(tmp_path / "running", [0.1] * 4, 3.0, finished=False)
    assert adversarial_pace(metrics_rows(str(tmp_path / "running"))) == pytest.approx(
        (3, 12.0, 3.0)
    )
    assert adversarial_pace(metrics_rows(str(tmp_path / "running"))[:1]) == (0, 0.0, None)


def test_reward_medians_over_windows(tmp_path):
    from seqgan_tf.reporting.log_table import reward_medians

    rewards = [float(i) for i in range(12)]  # iteration i has mean reward i
    _write_adversarial_run(tmp_path / "run", rewards, 1.0, finished=False)
    # windows of 5: 0-4 -> median 2, 5-9 -> 7, 10-11 (incomplete) -> 10.5
    assert reward_medians(str(tmp_path / "run"), 5) == {0: (4, 2.0), 5: (9, 7.0), 10: (11, 10.5)}


def test_comparison_of_runs_side_by_side(tmp_path, capsys):
    _write_adversarial_run(tmp_path / "long", [1e-3] * 10, 2.0, finished=True)
    _write_adversarial_run(tmp_path / "short", [2e-3, 4e-3, 3e-3], 5.0, finished=False)
    main(
        [
            f"--run=long={tmp_path / 'long'}",
            f"--run=short={tmp_path / 'short'}",
            "--reward_window=5",
        ]
    )
    text = capsys.readouterr().out
    assert "| long | 10 | 20.0 | 2.00 |" in text
    assert "| short | 2 | 15.0 | 5.00 |" in text
    assert f"| 0 | 9.0000 | 9.0000 | {ORIGINAL_ADVERSARIAL_LOG[0]:.4f} |" in text
    assert f"| 5 | 8.9500 |  | {ORIGINAL_ADVERSARIAL_LOG[5]:.4f} |" in text
    assert f"| 150 |  |  | {ORIGINAL_ADVERSARIAL_LOG[150]:.4f} |" in text
    assert "| 0-4 | 1.00e-03 | 3.00e-03 (0-2) |" in text
    assert "| 5-9 | 1.00e-03 |  |" in text


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--run=nolabel"], "expected LABEL=WORKDIR"),
        (["--run=a=x", "--run=a=y"], "label 'a' given twice"),
        (["--run=a=x", "--reward_window=0"], "must be at least 1"),
        (["--run=a=x", "--workdir=x"], "not allowed with"),
    ],
)
def test_command_line_rejects_bad_runs(argv, message, capsys):
    with pytest.raises(SystemExit):
        main(argv)
    assert message in capsys.readouterr().err
