"""What each ``--mode`` of the driver does, as importable functions."""

from __future__ import annotations

import dataclasses
import json
import os
import sys

import tensorflow as tf
from absl import logging

import flags as shared_flags
from seqgan_tf.config import ModelConfig
from seqgan_tf.data.corpus import CorpusSettings, TextCorpus
from seqgan_tf.data.music_corpus import MusicData, MusicSettings
from seqgan_tf.data.token_files import read_token_file, write_token_file
from seqgan_tf.data.vocabulary import VOCABULARY_FILE, TokenVocabulary
from seqgan_tf.experiments.oracle import ExperimentSpec, OracleExperiment
from seqgan_tf.experiments.text import MLE_GENERATOR, text_generator, write_lines
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.oracle import Oracle, load_params
from seqgan_tf.schedule import BaselineSchedule, Schedule, preset_schedule
from seqgan_tf.training import projection


def oracle_experiment(
    workdir: str,
    config: ModelConfig,
    schedule: Schedule,
    preset: str,
    oracle_params: str | None,
    real_data: str | None,
    seed: int,
    strategy_name: str = "default",
    progress_interval: float = 10.0,
    baselines: BaselineSchedule | None = None,
) -> dict:
    """Runs or resumes the oracle experiment in ``workdir`` (with ``baselines``: the whole
    of Table 1, ``--mode=table1``); returns results.json's content."""
    strategy = _single_device_strategy(strategy_name)
    if oracle_params is None:
        logging.warning(
            "--random_oracle: a random N(0,1) oracle from --seed=%d; its NLL_oracle values "
            "are NOT comparable with the paper's",
            seed,
        )
    spec = ExperimentSpec(config, schedule, seed, preset, oracle_params, real_data, baselines)
    tf.get_logger().setLevel("WARNING")  # checkpoint writes log at INFO on every save
    announce("table1" if baselines else "oracle", preset, schedule, baselines)
    if baselines is None:
        logging.info("oracle experiment in %s: preset %s, %s", workdir, preset, schedule)
        return OracleExperiment(workdir, spec, progress_interval, strategy).run()
    from seqgan_tf.experiments.table1 import Table1Experiment

    logging.info("Table 1 in %s: preset %s, %s, %s", workdir, preset, schedule, baselines)
    return Table1Experiment(
        workdir, spec, progress_interval=progress_interval, strategy=strategy
    ).run()


def announce(
    mode: str, preset: str, schedule: Schedule, baselines: BaselineSchedule | None = None
) -> None:
    """Prints, before any work, the preset, what the run will do and its projected wall time
    on the reference CPU, and for the long presets the shorter ones."""
    rescored = mode in ("oracle", "smoke")  # text and Table 1 runs do not rescore
    print(f"--mode={mode}, preset {preset}: {plan_text(schedule, baselines, rescored)}")
    reference = "on the reference 2-core CPU (docs/PERFORMANCE.md) at the default model sizes"
    if baselines is not None:
        seqgan_part = dataclasses.replace(schedule, mle_epochs=baselines.mle_baseline_epochs)
        print(
            f"Projected wall time {reference}: more than {_hours(seqgan_part)} (SeqGAN and the "
            "MLE baseline; scheduled sampling and PG-BLEU have no projection)."
        )
    else:
        print(f"Projected wall time {reference}: {_hours(schedule)}.")
    if preset in ("original", "paper"):
        shorter = ", ".join(
            f"--preset={name} ({_hours(preset_schedule(name))})" for name in ("quick", "cpu")
        )
        print(f"Shorter presets: {shorter}.")


def plan_text(
    schedule: Schedule, baselines: BaselineSchedule | None = None, rescored: bool = True
) -> str:
    """What a schedule does, in one sentence."""
    parts = []
    if baselines is not None:
        parts.append(
            f"MLE baseline {baselines.mle_baseline_epochs} epochs (SeqGAN branches after "
            f"{schedule.mle_epochs}, PG-BLEU after {baselines.pg_bleu_mle_epochs}), scheduled "
            f"sampling {baselines.ss_epochs} epochs, PG-BLEU {baselines.pg_bleu_iterations} "
            "iterations"
        )
    else:
        parts.append(f"{schedule.mle_epochs} MLE epochs")
    parts.append(
        f"{_count(schedule.dis_pretrain_rounds, 'discriminator pre-training round')} of "
        f"{_count(schedule.dis_epochs_per_round, 'epoch')}"
    )
    parts.append(
        f"{_count(schedule.adversarial_iterations, 'adversarial iteration')} of "
        f"{_count(schedule.generator_steps_per_iteration, 'generator step')} and "
        f"{_count(schedule.dis_rounds_per_iteration, 'discriminator round')}"
    )
    if rescored and schedule.rescore_samples:
        parts.append(f"the reported generators rescored on {schedule.rescore_samples:,} samples")
    return "; ".join(parts) + "."


def _count(number: int, noun: str) -> str:
    """``1 epoch``, ``3 epochs``."""
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _hours(schedule: Schedule) -> str:
    seconds = projection.projected_seconds(schedule, projection.REFERENCE_COSTS)["total"]
    if seconds < 60:
        return "under 1 min"
    return f"{seconds / 3600:.2f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def text_experiment(
    workdir: str,
    corpus: TextCorpus,
    config: ModelConfig,
    schedule: Schedule,
    preset: str,
    seed: int,
    num_negatives: int | None = None,
    eval_samples: int | None = None,
    strategy_name: str = "default",
    progress_interval: float = 10.0,
) -> dict:
    """Runs or resumes SeqGAN on a text corpus in ``workdir``; returns results.json's content."""
    from seqgan_tf.experiments.text import TextExperiment
    from seqgan_tf.experiments.text_costs import duration, projected_text_seconds

    strategy = _single_device_strategy(strategy_name)
    tf.get_logger().setLevel("WARNING")
    experiment = TextExperiment(
        workdir,
        corpus,
        config,
        schedule,
        seed,
        preset,
        num_negatives,
        eval_samples,
        strategy,
        progress_interval,
    )
    run_schedule = experiment.schedule
    print(f"--mode=text, preset {preset}: {plan_text(run_schedule, rescored=False)}")
    seconds = projected_text_seconds(run_schedule, len(corpus.train))["total"]
    print(
        f"Projected wall time on the shared 2-core CPU, from units measured at the COCO "
        f"captions' shapes (seqgan_tf/experiments/text_costs.py): {duration(seconds)}."
    )
    if preset not in ("coco", "texygen"):
        shorter = ", ".join(
            f"--preset={name} ({duration(projected_text_seconds(_text_preset(name))['total'])})"
            for name in ("coco", "texygen")
        )
        print(f"Text presets: {shorter}.")
    logging.info("%s", corpus.summary())
    logging.info("text experiment in %s: preset %s, %s", workdir, preset, run_schedule)
    return experiment.run()


def _text_preset(name: str) -> Schedule:
    """A text preset's schedule as a run on COCO uses it (negatives: the training size)."""
    return dataclasses.replace(preset_schedule(name), dis_samples=9984)


def music_experiment(
    workdir: str,
    data: MusicData,
    config: ModelConfig,
    schedule: Schedule,
    settings: MusicSettings,
    preset: str,
    seed: int,
    num_negatives: int | None = None,
    strategy_name: str = "default",
    progress_interval: float = 10.0,
) -> dict:
    """Runs or resumes SeqGAN on a folder of MIDI tunes in ``workdir``; returns
    results.json's content."""
    from seqgan_tf.experiments.music import MusicExperiment

    strategy = _single_device_strategy(strategy_name)
    tf.get_logger().setLevel("WARNING")
    experiment = MusicExperiment(
        workdir,
        data,
        config,
        schedule,
        settings,
        seed,
        preset,
        num_negatives,
        strategy,
        progress_interval,
    )
    announce_music(preset, experiment.schedule, len(data.train))
    logging.info(
        "music experiment in %s: %s (%d train / %d test sequences), preset %s, %s",
        workdir,
        data.folder,
        len(data.train),
        len(data.test),
        preset,
        experiment.schedule,
    )
    return experiment.run()


def announce_music(preset: str, schedule: Schedule, train_windows: int) -> None:
    """The music run's plan and its projected wall time, and the other music presets'."""
    from seqgan_tf.experiments.music_presets import projection_text

    print(f"--mode=music, preset {preset}: {plan_text(schedule, rescored=False)}")
    print(projection_text(preset, schedule, train_windows))


def score(oracle_params: str | None, data: str, config: ModelConfig) -> float:
    """Prints ``NLL_oracle: <value>`` of a token file under the oracle."""
    if oracle_params is None:
        raise ValueError("--mode=score scores against a parameter file: drop --random_oracle")
    oracle = Oracle.from_file(oracle_params, config)
    nll = oracle.nll(read_token_file(data, config.vocab_size, config.sequence_length))
    print(f"NLL_oracle: {nll:.6f}")
    return nll


def _single_device_strategy(strategy_name: str) -> tf.distribute.Strategy:
    strategy = shared_flags.make_strategy(strategy_name)
    if strategy.num_replicas_in_sync > 1:
        raise ValueError(
            f"--strategy={strategy_name} gives {strategy.num_replicas_in_sync} replicas; the "
            "SeqGAN loops run on one device (the models have 0.3M and 7M parameters), use "
            "--strategy=one_device or default"
        )
    return strategy


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


def smoke(
    workdir: str,
    oracle_params: str | None,
    real_data: str | None,
    seed: int,
    config: ModelConfig | None = None,
) -> dict:
    """Every phase of Algorithm 1 once, at the model flags' sizes (``config``)."""
    from seqgan_tf.experiments.smoke import run_smoke, smoke_schedule

    config = config or ModelConfig()
    tf.get_logger().setLevel("WARNING")
    announce("smoke", "smoke", smoke_schedule(config))
    return run_smoke(workdir, config, oracle_params, real_data, seed)
