"""The common start of a parity run: the port's MLE generator and a briefly trained
discriminator, written in the layouts both programs read (``bench.parity_weights``).

The generator is pre-trained by MLE on the training file in file order, as both programs
do; the discriminator gets a few rounds on that generator's samples so that its rewards
carry a signal. Both are written once per workdir and reused by every seed of both
programs; each program then starts its own fresh optimiser states from these weights.
"""

from __future__ import annotations

import json
import os
import pathlib
import time

import numpy as np
import tensorflow as tf

from bench import parity_weights
from seqgan_tf.config import ModelConfig
from seqgan_tf.data.token_files import read_token_file
from seqgan_tf.models.discriminator import Discriminator
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.oracle import Oracle

GENERATOR_FILE = "generator.pkl"
DISCRIMINATOR_FILE = "discriminator.npz"
INITIAL_GENERATOR_FILE = "initial_generator.pkl"
INFO_FILE = "start.json"


def read_real(path: str | os.PathLike, batch_size: int) -> np.ndarray:
    """The training file's sequences, whole batches only (both data loaders drop the rest)."""
    real = np.asarray(read_token_file(path), np.int32)
    return real[: len(real) // batch_size * batch_size]


def prepare_start(
    start_dir: pathlib.Path,
    real_path: pathlib.Path,
    oracle: Oracle,
    seed: int,
    mle_epochs: int,
    dis_rounds: int,
    dis_epochs: int,
    log=print,
) -> dict:
    """Writes the start once (skipped when ``start.json`` exists); returns its record."""
    info_path = start_dir / INFO_FILE
    if info_path.exists():
        return json.loads(info_path.read_text())
    start_dir.mkdir(parents=True, exist_ok=True)
    config = ModelConfig()
    real = read_real(real_path, config.batch_size)
    rng = tf.random.Generator.from_seed(seed)
    generator = Generator(config, seed=seed)
    parity_weights.save_generator(start_dir / INITIAL_GENERATOR_FILE, generator)
    batches = tf.constant(real.reshape(-1, config.batch_size, config.sequence_length))
    wall = time.perf_counter()
    for epoch in range(mle_epochs):
        loss = float(generator.pretrain_epoch(batches))
        if epoch % 10 == 0 or epoch == mle_epochs - 1:
            log(f"start: MLE epoch {epoch} loss {loss:.4f} ({time.perf_counter() - wall:.0f} s)")
    mle_s = time.perf_counter() - wall
    discriminator = Discriminator(config, seed=seed)
    wall = time.perf_counter()
    for round_index in range(dis_rounds):
        generated = generator.generate_many(len(real), rng)
        loss = discriminator.train_round(real, generated, dis_epochs, shuffle_seed=round_index)
        log(f"start: discriminator round {round_index} loss {loss:.4f}")
    dis_s = time.perf_counter() - wall
    nll, _ = oracle.nll_of_samples(generator, 20_000, tf.random.Generator.from_seed(seed + 1))
    parity_weights.save_generator(start_dir / GENERATOR_FILE, generator)
    parity_weights.save_discriminator(start_dir / DISCRIMINATOR_FILE, discriminator)
    info = {
        "seed": seed,
        "mle_epochs": mle_epochs,
        "dis_rounds": dis_rounds,
        "dis_epochs": dis_epochs,
        "training_file": os.fspath(real_path),
        "oracle": oracle.source,
        "nll_oracle_20000": nll,
        "mle_wall_s": mle_s,
        "dis_wall_s": dis_s,
    }
    info_path.write_text(json.dumps(info, indent=2))
    log(f"start: NLL_oracle of the start generator {nll:.4f} (20,000 samples)")
    return info
