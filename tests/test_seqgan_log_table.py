"""seqgan_tf.log_table: a run's wall time per phase and its log beside the original's."""

import json

import pytest

from seqgan_tf.log_table import log_beside_original, main, markdown, phase_minutes
from seqgan_tf.results import ORIGINAL_ADVERSARIAL_LOG, ORIGINAL_LOG, ORIGINAL_MLE_LOG


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
    from seqgan_tf.curves import metrics_rows

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
    from seqgan_tf.curves import metrics_rows

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
