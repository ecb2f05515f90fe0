"""Times SeqGAN's units at the Nottingham melodies' shapes, for the music presets' projection.

Usage::

    python -m bench.seqgan_music_speed --repeats=2 --json=/tmp/seqgan_music_speed.json

The shapes come from the real folder (``--data``, default the shared data's
``nottingham/melody``) as ``--mode=music`` reads it (seed 88): about 4,400 training
windows of 32 keys, 89 ids. Models as the oracle experiment's (embedding 32, hidden 32,
batch 64; the discriminator's 12 windows, 1,720 filters).

Units (each a warm-up call, then the median of ``--repeats``):

- ``mle_epoch_s``: one MLE epoch over the training windows (whole batches).
- ``dis_epoch_s``: one discriminator epoch on the training windows and as many generated.
- ``sample_negatives_s``: the generated half of that (one discriminator round's negatives).
- ``gen_step_s``: one policy-gradient step: 64 samples, 16 x 32 rollouts scored by D, update.
- ``evaluation_s``: one evaluation of ``--eval_samples`` samples: generated, BLEU-4 against
  the test and the training windows, the nearest-reference MSE.

:func:`seqgan_tf.experiments.music_presets.projected_seconds` multiplies these by a
schedule's unit counts; the figures it uses are this bench's, recorded there.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

from bench.seqgan_speed import (  # noqa: E402
    bench_command,
    cpu_model,
    load_average,
    machine_record,
    time_unit,
    write_report,
)
from seqgan_tf import train  # noqa: E402
from seqgan_tf.config import ModelConfig  # noqa: E402
from seqgan_tf.data.music_corpus import MusicData, MusicSettings  # noqa: E402
from seqgan_tf.metrics import music  # noqa: E402
from seqgan_tf.models.discriminator import Discriminator  # noqa: E402
from seqgan_tf.models.generator import Generator  # noqa: E402
from seqgan_tf.models.rollout import Rollout  # noqa: E402


def default_data_dir() -> str:
    data = os.environ.get("SEQGAN_DATA_DIR", "/work/shared/data/seqgan")
    return os.path.join(os.path.dirname(os.path.abspath(data)), "nottingham", "melody")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per unit (median)")
    parser.add_argument("--json", default=None, help="write the figures to this JSON file")
    parser.add_argument("--data", default=default_data_dir(), help="the MIDI folder")
    parser.add_argument("--eval_samples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=88)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    load_before = load_average()
    start = time.perf_counter()
    data = MusicData.load(args.data, MusicSettings(), args.seed)
    print(data.summary(), f"(read in {time.perf_counter() - start:.1f} s)", flush=True)
    config = ModelConfig(vocab_size=len(data.vocabulary), sequence_length=data.train.shape[1])
    length = config.sequence_length
    generator = Generator(config, seed=args.seed)
    discriminator = Discriminator(config, seed=args.seed)
    rollout = Rollout(generator, update_rate=config.rollout_update_rate)
    rollout.copy_params_from(generator)
    rng = tf.random.Generator.from_seed(args.seed)
    negatives = len(data.train) // config.batch_size * config.batch_size
    batches = train.mle_batches(data.train, config.batch_size)
    fake = generator.generate_many(negatives, rng)
    test_scorer, train_scorer = music.bleu4_scorer(data.test), music.bleu4_scorer(data.train)

    def reward(samples, seeds):
        return rollout.get_reward(samples, config.rollout_num, discriminator, seeds)

    def evaluation() -> None:
        samples = generator.generate_many(args.eval_samples, rng)
        music.music_metrics(samples, data.test, test_scorer)
        music.music_metrics(samples, data.train, train_scorer)

    units = {
        "mle_epoch_s": lambda: float(generator.pretrain_epoch(batches)),
        "dis_epoch_s": lambda: discriminator.train_round(data.train, fake, 1, shuffle_seed=0),
        "sample_negatives_s": lambda: generator.generate_many(negatives, rng),
        "gen_step_s": lambda: train.policy_gradient_step(generator, reward, rng),
        "evaluation_s": evaluation,
    }
    print(
        f"timing on {cpu_model()}, {os.cpu_count()} CPUs, load {load_before}; vocabulary "
        f"{config.vocab_size}, length {length}, {len(data.train)} training windows",
        flush=True,
    )
    results = {}
    for name, fn in units.items():
        results[name] = time_unit(fn, args.repeats)
        r = results[name]
        print(
            f"  {name:<20} median {r['median_s']:8.3f} s   (cpu {r['cpu_median_s']:7.2f} s, "
            f"first call {r['first_call_s']:7.2f} s)",
            flush=True,
        )
    load_after = load_average()
    print(f"\nload average before {load_before}, after {load_after}")
    report = {name: r["median_s"] for name, r in results.items()}
    report.update(
        details=results,
        shapes={
            "vocabulary": config.vocab_size,
            "length": length,
            "train_windows": len(data.train),
            "negatives": negatives,
            "eval_samples": args.eval_samples,
        },
        machine={**machine_record(load_before), "load_average_after": load_after},
        command=bench_command("bench.seqgan_music_speed", args),
    )
    write_report(args.json, report)
    return report


if __name__ == "__main__":
    main()
