"""bench/seqgan_floor.py: the work each unit cannot skip, counted from the spec's shapes,
and a timing loop that runs (its figures are never asserted: benchmarks print them)."""

from __future__ import annotations

from bench.seqgan_floor import AdamUpdate, ExpSum, MatMul, time_primitive, unit_work
from seqgan_tf.config import ModelConfig
from seqgan_tf.models.discriminator import Discriminator


def _flops(parts) -> float:
    return sum(count * p.flops for p, count in parts if isinstance(p, MatMul))


def test_mle_epoch_is_156_steps_of_three_output_layer_products_and_one_exp_per_logit():
    parts = unit_work(ModelConfig())["mle_epoch_s"]
    logits_flops = 2 * (64 * 20) * 32 * 5000  # [1280, 32] x [32, 5000]
    assert _flops(parts) == 156 * 3 * logits_flops
    assert [(p, c) for p, c in parts if isinstance(p, ExpSum)] == [(ExpSum(1280, 5000), 156)]


def test_nll_evaluation_samples_and_scores_9984_sequences_of_20():
    parts = unit_work(ModelConfig())["nll_eval_s"]
    exp_logits = sum(count * p.rows * p.cols for p, count in parts if isinstance(p, ExpSum))
    assert exp_logits == 2 * 9984 * 20 * 5000  # one softmax row per token, drawn and scored
    assert _flops(parts) == 2 * 9984 * 20 * (2 * 32 * 5000)


def test_discriminator_epoch_counts_every_convolution_product_and_the_highway():
    config = ModelConfig()
    parts = unit_work(config)["dis_epoch_s"]
    # VALID convolution of width w over 20 positions of 64-dim embeddings, per sequence:
    # (21 - w) windows of w * 64 inputs times f filters; forward, kernel and input gradients.
    conv = sum(
        2 * (21 - w) * (w * 64) * f
        for w, f in zip(config.dis_filter_sizes, config.dis_num_filters, strict=True)
    )
    assert conv * 64 == 971_571_200
    highway = 6 * 2 * 64 * 1720 * 1720
    assert _flops(parts) == 312 * (3 * conv * 64 + highway)
    (adam,) = [p for p, _ in parts if isinstance(p, AdamUpdate)]
    parameters = sum(int(v.shape.num_elements()) for v in Discriminator(config).trainable_variables)
    assert adam.size == parameters == 7_045_402


def test_every_primitive_kind_times_to_a_positive_duration():
    for primitive in (MatMul(8, 4, 16), ExpSum(4, 32), AdamUpdate(100)):
        seconds = time_primitive(primitive, iterations=2, repeats=1)
        assert seconds and all(value > 0 for value in seconds.values())


def test_reward_is_19_prefixes_of_16_completions_scored_by_the_discriminator():
    """19 x 16 completions (190 sampled tokens each over the 19 prefixes) and 19 x 16 + 1
    discriminator passes of the batch, plus the policy-gradient step's output layer."""
    config = ModelConfig()
    parts = unit_work(config)["gen_step_s"]
    logits = 2 * 64 * 32 * 5000  # one [64, 32] x [32, 5000] product per sampled token
    conv = sum(
        2 * 64 * (21 - w) * (w * 64) * f
        for w, f in zip(config.dis_filter_sizes, config.dis_num_filters, strict=True)
    )
    highway = 2 * 2 * 64 * 1720 * 1720
    policy_gradient = 3 * 2 * (64 * 20) * 32 * 5000
    expected = 16 * 190 * logits + (19 * 16 + 1) * (conv + highway) + policy_gradient
    assert _flops(parts) == expected
    assert 0.5e12 < expected < 0.6e12  # the ~0.53 TFLOP of the 19,520 passes, and sampling


def test_sampling_unit_is_the_evaluations_sampling_half():
    work = unit_work(ModelConfig())
    assert 2 * _flops(work["sample_9984_s"]) == _flops(work["nll_eval_s"])


def test_speed_bench_runs_end_to_end_with_no_unit_timed(oracle_pickle_path, monkeypatch, capsys):
    """bench.seqgan_speed builds its full-size models and data (the published files where
    the project looks for them; it never downloads) and reports; no unit is timed here."""
    import bench.seqgan_speed as speed
    from seqgan_tf.data import published as data_paths

    monkeypatch.setenv(data_paths.DATA_DIR_ENV, str(oracle_pickle_path.parent))
    report = speed.main(["--units=none", "--repeats=1"])
    assert report["machine"]["cpus"] >= 1
    assert "no projection" in capsys.readouterr().out
