"""Times SeqGAN's units at a text corpus's shapes (default the COCO captions'), and the
peak memory.

Usage::

    python -m bench.seqgan_text_speed --repeats=3 --json=/tmp/seqgan_text_speed.json
    python -m bench.seqgan_text_speed --repeats=3 --tokens=char \
        --data=../shared/data/poems/quatrains_5char.txt

The shapes come from the real files. By default the COCO captions (``--coco_dir``,
default the shared data's ``coco/``, with its test file): with ``--tokens=nltk``
(Texygen's tokenisation) 10,000 training captions of at most 37 tokens, so sequences of
38 with the end token, and a vocabulary of 4,661 ids (``--tokens=word`` gives 36 and
6,096). ``--data=FILE`` times another corpus instead, split as ``--mode=text`` splits a
file without ``--test_data`` (10% held out by ``--seed``): with ``--tokens=char`` the
quatrains make 15,061 training and 1,673 test poems, sequences of 21 and 5,959 ids. Models
as the oracle experiment's otherwise (embedding 32, hidden 32, batch 64; the
discriminator's 12 windows, 1,720 filters).

Units (each a warm-up call, then the median of ``--repeats``):

- ``mle_epoch_s``: one MLE epoch, 156 batches of 64 training sequences.
- ``dis_epoch_s``: one discriminator epoch on 9,984 real + 9,984 generated sequences.
- ``reward_s``: one reward matrix, 16 rollouts of each prefix (length - 1 of them) of a
  batch of 64 scored by D, with the end token (canonical completions).
- ``sample_9984_s``: 9,984 sequences from the generator (one discriminator round's
  negatives).
- ``nll_test_s``: the test split's NLL (per word, per sentence).
- ``bleu_eval_s``: BLEU-2..5 of 1,000 samples against the whole test split and their
  self-BLEU-2..5 (NumPy).

Memory: the process's peak resident set (``ru_maxrss``) after loading the data and
building the models, then after each unit; a unit's figure is the peak so far, so the
growth from one line to the next is what that unit added.
"""

from __future__ import annotations

import argparse
import os
import resource
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
from seqgan_tf.config import ModelConfig  # noqa: E402
from seqgan_tf.data.corpus import CorpusSettings, TextCorpus  # noqa: E402
from seqgan_tf.data.vocabulary import END_ID  # noqa: E402
from seqgan_tf.metrics.text import bleu_and_self_bleu, nll_test  # noqa: E402
from seqgan_tf.models.discriminator import Discriminator  # noqa: E402
from seqgan_tf.models.generator import Generator  # noqa: E402
from seqgan_tf.models.rollout import Rollout  # noqa: E402

NUM_SAMPLES = 9_984  # 156 x 64, as the oracle experiment's sets
EVAL_SAMPLES = 1_000


def default_coco_dir() -> str:
    data = os.environ.get("SEQGAN_DATA_DIR", "/work/shared/data/seqgan")
    return os.path.join(os.path.dirname(os.path.abspath(data)), "coco")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def load_corpus(args: argparse.Namespace) -> TextCorpus:
    """``--data`` split as ``--mode=text`` splits it, else the COCO captions and their
    test file."""
    if args.data:
        path, settings = args.data, CorpusSettings(tokens=args.tokens)
    else:
        path = os.path.join(args.coco_dir, "image_coco_train.txt")
        test = os.path.join(args.coco_dir, "image_coco_test.txt")
        settings = CorpusSettings(tokens=args.tokens, test_data=test)
    return TextCorpus.load(path, settings, seed=args.seed, batch_size=64)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per unit (median)")
    parser.add_argument("--json", default=None, help="write the figures to this JSON file")
    parser.add_argument("--coco_dir", default=default_coco_dir(), help="the COCO caption files")
    parser.add_argument(
        "--data",
        default=None,
        help="time this corpus instead of COCO's (one sentence a line; a seeded 10%% test split)",
    )
    parser.add_argument("--tokens", default="nltk", choices=["nltk", "word", "char"])
    parser.add_argument(
        "--units",
        default="mle,dis,reward,sample,nll,bleu",
        help="comma-separated subset of mle,dis,reward,sample,nll,bleu",
    )
    parser.add_argument("--seed", type=int, default=88)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    units = {u.strip() for u in args.units.split(",") if u.strip()}
    load_before = load_average()
    start = time.perf_counter()
    data = load_corpus(args)
    load_s = time.perf_counter() - start
    print(data.summary(), f"(read in {load_s:.1f} s)", flush=True)
    config = ModelConfig(
        vocab_size=len(data.vocabulary), sequence_length=data.max_length, start_token=END_ID
    )
    batch, length = config.batch_size, config.sequence_length
    generator = Generator(config, seed=args.seed, end_token=END_ID)
    discriminator = Discriminator(config, seed=args.seed)
    rollout = Rollout(generator, update_rate=config.rollout_update_rate)
    rng = tf.random.Generator.from_seed(args.seed)
    real = data.train[:NUM_SAMPLES]
    mle_batches = tf.constant(real.reshape(-1, batch, length))
    fake = generator.generate_many(NUM_SAMPLES, rng)
    samples64 = generator.generate(batch, rng.make_seeds(length))
    memory = {"after_setup_mb": peak_rss_mb()}
    results: dict[str, dict] = {}

    def run(name: str, fn) -> None:
        results[name] = time_unit(fn, args.repeats)
        memory[name] = peak_rss_mb()
        r = results[name]
        print(
            f"  {name:<16} median {r['median_s']:8.3f} s   (cpu {r['cpu_median_s']:7.2f} s, "
            f"first call {r['first_call_s']:7.2f} s, steal {r['steal_s'] or 0.0:.1f} s; "
            f"peak RSS so far {memory[name]:,.0f} MB)",
            flush=True,
        )

    print(
        f"timing on {cpu_model()}, {os.cpu_count()} CPUs, load {load_before}; vocabulary "
        f"{config.vocab_size}, length {length}, batch {batch}",
        flush=True,
    )
    if "mle" in units:
        run("mle_epoch_s", lambda: float(generator.pretrain_epoch(mle_batches)))
    if "dis" in units:
        run("dis_epoch_s", lambda: discriminator.train_round(real, fake, 1, shuffle_seed=0))
    if "reward" in units:
        run(
            "reward_s",
            lambda: rollout.get_reward(
                samples64, config.rollout_num, discriminator, rng.make_seeds(length)
            ).numpy(),
        )
    if "sample" in units:
        run("sample_9984_s", lambda: generator.generate_many(NUM_SAMPLES, rng))
    if "nll" in units:
        run("nll_test_s", lambda: nll_test(generator, data.test, END_ID))
    if "bleu" in units:
        samples = data.vocabulary.decode(generator.generate_many(EVAL_SAMPLES, rng))
        run("bleu_eval_s", lambda: bleu_and_self_bleu(samples, data.test_references))

    load_after = load_average()
    print(f"\nload average before {load_before}, after {load_after}")
    report = {name: r["median_s"] for name, r in results.items()}
    report.update(
        details=results,
        peak_rss_mb=memory,
        shapes={
            "vocabulary": config.vocab_size,
            "length": length,
            "tokens": args.tokens,
            "train_sequences": len(data.train),
            "test_sequences": len(data.test),
        },
        corpus=data.summary(),
        machine={**machine_record(load_before), "load_average_after": load_after},
        command=bench_command("bench.seqgan_text_speed", args),
    )
    write_report(args.json, report)
    return report


if __name__ == "__main__":
    main()
