"""The driver's modes that train nothing, as importable functions: ``score`` (NLL_oracle of
a token file), ``sample`` (a trained run's sequences) and ``temperature_sweep`` (a text
run's quality against diversity). The training modes are in ``seqgan_tf/experiments/``."""

from __future__ import annotations

import json
import os
import sys

import tensorflow as tf

from seqgan_tf.config import ModelConfig
from seqgan_tf.data.corpus import CorpusSettings, TextCorpus
from seqgan_tf.data.token_files import read_token_file, write_token_file
from seqgan_tf.data.vocabulary import VOCABULARY_FILE, TokenVocabulary
from seqgan_tf.experiments.text import MLE_GENERATOR, text_generator, write_lines
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.oracle import Oracle, load_params


def score(oracle_params: str | None, data: str, config: ModelConfig) -> float:
    """Prints ``NLL_oracle: <value>`` of a token file under the oracle."""
    if oracle_params is None:
        raise ValueError("--mode=score scores against a parameter file: drop --random_oracle")
    oracle = Oracle.from_file(oracle_params, config)
    nll = oracle.nll(read_token_file(data, config.vocab_size, config.sequence_length))
    print(f"NLL_oracle: {nll:.6f}")
    return nll


def sample(
    workdir: str,
    output: str | None,
    num_samples: int,
    seed: int,
    temperature: float = 1.0,
) -> None:
    """``num_samples`` sequences of the workdir's latest generator at ``temperature``,
    written to ``output`` or, without it, printed to standard output one a line: token
    ids, or for a text run (``--mode=text``) its sentences, each up to its end token."""
    stored, generator, vocabulary = _trained_generator(workdir)
    state = _read_json(os.path.join(workdir, "state.json"))
    rng = tf.random.Generator.from_seed(seed)
    samples = generator.generate_many(num_samples, rng, temperature=temperature)
    if stored.get("mode") == "music":
        if output is None:
            raise ValueError("--mode=sample on a --mode=music run needs --output=FOLDER")
        from seqgan_tf.data.midi import write_midi_files

        write_midi_files(output, samples, stored["music"]["music_step_seconds"])
        print(
            f"wrote {num_samples} MIDI files of {workdir} (unit {state['next_unit']}) to {output}/"
        )
        return
    if vocabulary is not None:
        lines = vocabulary.decode_text(samples)
    else:
        lines = [" ".join(str(int(t)) for t in row) for row in samples]
    if output is None:
        sys.stdout.writelines(f"{line}\n" for line in lines)
        sys.stdout.flush()
        return
    if vocabulary is not None:
        write_lines(output, lines)
    else:
        write_token_file(output, samples)
    print(f"wrote {num_samples} samples of {workdir} (unit {state['next_unit']}) to {output}")


def _read_json(path: str) -> dict:
    with open(path) as f:
        return json.load(f)


def _stored_config(stored: dict) -> ModelConfig:
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in stored["config"].items()}
    return ModelConfig(**values)


def _trained_generator(workdir: str) -> tuple[dict, Generator, TokenVocabulary | None]:
    """(experiment.json, the latest checkpoint's generator, the vocabulary of a text run)."""
    experiment_path = os.path.join(workdir, "experiment.json")
    state_path = os.path.join(workdir, "state.json")
    if not os.path.exists(experiment_path) or not os.path.exists(state_path):
        raise ValueError(f"--workdir={workdir} holds no trained experiment (no state.json)")
    stored, state = _read_json(experiment_path), _read_json(state_path)
    if not state["checkpoint"]:
        raise ValueError(f"--workdir={workdir} has no checkpoint yet")
    config = _stored_config(stored)
    vocabulary = None
    if stored.get("mode") == "text":
        vocabulary = TokenVocabulary.load(os.path.join(workdir, VOCABULARY_FILE))
        generator = text_generator(config)
    else:
        generator = Generator(config)
    tf.train.Checkpoint(generator=generator).read(
        os.path.join(workdir, state["checkpoint"])
    ).expect_partial()
    return stored, generator, vocabulary


def temperature_sweep(
    workdir: str, temperatures: list[float], num_samples: int, seed: int
) -> list[dict]:
    """BLEU-k against self-BLEU-k of a text run's MLE generator (``mle_generator.pkl``)
    and its latest SeqGAN generator over ``temperatures``: a table and a PNG in the
    workdir (``temperature_sweep.*``); returns the rows."""
    from seqgan_tf.experiments.text_sweep import write_sweep

    stored, seqgan, vocabulary = _trained_generator(workdir)
    if stored.get("mode") != "text":
        raise ValueError(f"--workdir={workdir}: --mode=temperature_sweep needs a --mode=text run")
    mle_path = os.path.join(workdir, MLE_GENERATOR)
    if not os.path.exists(mle_path):
        raise ValueError(f"--workdir={workdir}: no {MLE_GENERATOR} yet (MLE has not finished)")
    settings = CorpusSettings(**stored["text"])
    config = _stored_config(stored)
    corpus = TextCorpus.load(
        stored["corpus"], settings, stored["seed"], config.batch_size, vocabulary
    )
    mle = text_generator(config)
    mle.import_params(load_params(mle_path, config), mle_path)
    generators = {"MLE": mle}
    if stored["schedule"]["adversarial_iterations"]:
        generators["SeqGAN"] = seqgan
    return write_sweep(workdir, generators, corpus, temperatures, num_samples, seed)
