"""The driver's modes that train nothing, as importable functions: ``score`` (NLL_oracle of
a token file) and ``score_text_run`` (a finished text run's final generators under
Texygen's protocols, on fresh samples), ``sample`` (a trained run's sequences) and
``temperature_sweep`` (a text run's quality against diversity). The training modes are in
``seqgan_tf/experiments/``."""

from __future__ import annotations

import json
import os
import sys
import time

import tensorflow as tf

from seqgan_tf.config import ModelConfig
from seqgan_tf.data.corpus import CorpusSettings, TextCorpus
from seqgan_tf.data.token_files import read_token_file, write_token_file
from seqgan_tf.data.vocabulary import VOCABULARY_FILE, TokenVocabulary
from seqgan_tf.experiments.text import MLE_GENERATOR, text_generator, write_lines
from seqgan_tf.metrics import texygen
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.oracle import Oracle, load_params
from seqgan_tf.models.token_lstm import TokenLSTM
from seqgan_tf.training.environment import describe_environment

TEXYGEN_FULL_FILE = "texygen_full.json"


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


def _text_run(workdir: str, mode: str) -> tuple[dict, TextCorpus, dict[str, TokenLSTM]]:
    """(experiment.json, the corpus, the generators by name) of a ``--mode=text`` run in
    ``workdir``: ``mle`` from :data:`MLE_GENERATOR`, ``seqgan`` the latest checkpoint's
    when the schedule has adversarial iterations."""
    stored, seqgan, vocabulary = _trained_generator(workdir)
    if stored.get("mode") != "text":
        raise ValueError(f"--workdir={workdir}: --mode={mode} needs a --mode=text run")
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
    generators = {"mle": mle}
    if stored["schedule"]["adversarial_iterations"]:
        generators["seqgan"] = seqgan
    return stored, corpus, generators


def score_text_run(workdir: str, seed: int, command: str) -> dict:
    """A finished text run's final MLE and SeqGAN generators under Texygen's protocols
    (:func:`seqgan_tf.metrics.texygen.both_protocols`) on fresh samples drawn from
    ``seed``, with the training sentences: written to :data:`TEXYGEN_FULL_FILE` in the
    workdir with ``command``, the seed, the machine and code, and the seconds each step
    took; returns what it wrote."""
    if not os.path.exists(os.path.join(workdir, "results.json")):
        raise ValueError(f"--workdir={workdir}: the run has not finished (no results.json)")
    stored, corpus, generators = _text_run(workdir, "score")
    if corpus.sha256 != stored["corpus_sha256"]:
        raise ValueError(f"{stored['corpus']}: not the files the run in {workdir} trained on")
    start = time.perf_counter()
    samples = texygen.protocol_samples(generators, tf.random.Generator.from_seed(seed))
    seconds: dict = {"sampling": round(time.perf_counter() - start, 1)}
    sentences = texygen.decoded_with_real(samples, corpus)
    measured = texygen.both_protocols(sentences, corpus.test_references, seconds)
    start = time.perf_counter()
    after_end = texygen.after_end_protocol(samples, corpus.vocabulary, corpus.test_references)
    seconds["full_words_after_end"] = round(time.perf_counter() - start, 1)
    state = _read_json(os.path.join(workdir, "state.json"))
    scored = {
        "command": command,
        "seed": seed,
        "num_samples": texygen.NUM_SAMPLES,
        "test_references": len(corpus.test_references),
        "generators": {"mle": MLE_GENERATOR, "seqgan": state["checkpoint"]},
        "environment": describe_environment(),
        "seconds": seconds,
        "texygen": measured["fast"],
        "texygen_full": measured["full"],
        # The same samples decoded as Texygen decodes them (words after an end token kept).
        "texygen_full_words_after_end": after_end,
    }
    with open(os.path.join(workdir, TEXYGEN_FULL_FILE), "w") as f:
        json.dump(scored, f, indent=1)
    for name, metrics in measured["full"].items():
        print(f"{name}\t" + "\t".join(f"{key} {value:.4f}" for key, value in metrics.items()))
    print(f"wrote {os.path.join(workdir, TEXYGEN_FULL_FILE)}")
    return scored


def temperature_sweep(
    workdir: str, temperatures: list[float], num_samples: int, seed: int
) -> list[dict]:
    """BLEU-k against self-BLEU-k of a text run's MLE generator (``mle_generator.pkl``)
    and its latest SeqGAN generator over ``temperatures``: a table and a PNG in the
    workdir (``temperature_sweep.*``); returns the rows."""
    from seqgan_tf.experiments.text_sweep import write_sweep

    _, corpus, generators = _text_run(workdir, "temperature_sweep")
    labels = {"mle": "MLE", "seqgan": "SeqGAN"}
    labelled = {labels[name]: generator for name, generator in generators.items()}
    return write_sweep(workdir, labelled, corpus, temperatures, num_samples, seed)
