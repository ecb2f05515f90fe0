"""SeqGAN driver.

    python -m seqgan_tf.main --mode=oracle --workdir=DIR [--preset=original|paper|quick|cpu]
    python -m seqgan_tf.main --mode=table1 --workdir=DIR [--preset=original|paper|quick|cpu]
    python -m seqgan_tf.main --mode=text --data=CORPUS [--test_data=FILE] --workdir=DIR \
        [--tokens=word|char|nltk] [--preset=coco|texygen|poems|...]
    python -m seqgan_tf.main --mode=music --data=MIDI_FOLDER --workdir=DIR [--preset=quick|hour]
    python -m seqgan_tf.main --mode=score --oracle_params=PKL --data=FILE
    python -m seqgan_tf.main --mode=score --workdir=DIR [--seed=S] (a finished --mode=text run)
    python -m seqgan_tf.main --mode=sample --workdir=DIR --num_samples=N [--output=FILE] \
        [--temperature=T]
    python -m seqgan_tf.main --mode=temperature_sweep --workdir=DIR (a --mode=text run)
    python -m seqgan_tf.main --mode=smoke --workdir=DIR

Every hyper-parameter of the original is a flag whose default is the original's value;
a preset changes the ones it names unless they are given on the command line.

After checking the flags and files, :func:`run` calls the mode's function: for training,
``seqgan_tf/experiments/<mode>.py`` (``oracle_experiment``, ``table1_experiment``,
``text_experiment``, ``music_experiment``, ``run_smoke``), whose experiment's ``train``
calls Algorithm 1 (:func:`seqgan_tf.train.seqgan`); the other modes are in
:mod:`seqgan_tf.commands`. The module runs past 300 lines: the flags, their --help groups
and their checks, all made before TensorFlow loads, read best in one place.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import sys

from absl import app
from absl import flags as absl_flags

import flags as shared_flags
from flags import console
from flags.dataclass_flags import dataclass_values, define_dataclass_flags, explicitly_set
from seqgan_tf.config import ModelConfig, check_temperature
from seqgan_tf.data import published as data_paths
from seqgan_tf.data.corpus import CorpusSettings, TextCorpus
from seqgan_tf.data.music_corpus import MUSIC_HELP, MusicData, MusicSettings
from seqgan_tf.data.vocabulary import VOCABULARY_FILE, TokenVocabulary
from seqgan_tf.experiments.music_presets import (
    MUSIC_PRESETS,
    apply_music_preset,
    music_presets_help,
)
from seqgan_tf.schedule import (
    BASELINE_HELP,
    MODEL_HELP,
    PRESET_SUMMARIES,
    PRESETS,
    SCHEDULE_HELP,
    TEXT_PRESETS,
    BaselineSchedule,
    Schedule,
    apply_preset,
    check_table1_schedules,
    preset_schedule,
)

FLAGS = absl_flags.FLAGS
DEFAULT_TEMPERATURES = ("0.5", "0.7", "0.8", "0.9", "1.0", "1.1", "1.2", "1.5")
_MODE = absl_flags.DEFINE_enum(
    "mode",
    "oracle",
    ["oracle", "table1", "text", "music", "score", "sample", "temperature_sweep", "smoke"],
    "oracle: the synthetic-data experiment; table1: the paper's Table 1 (Random, MLE, "
    "scheduled sampling, PG-BLEU and SeqGAN on one oracle); text: SeqGAN on a text corpus "
    "(--data, sentences of any length, words or characters), BLEU against its test file; "
    "music: SeqGAN on a folder of MIDI tunes (--data; the paper's Nottingham experiment); "
    "score: NLL_oracle of --data, or without --data a finished text run's (--workdir) "
    "final MLE and SeqGAN generators under Texygen's protocols on 9,984 fresh samples each "
    "(drawn from --seed), into texygen_full.json there; sample: samples of a trained "
    "--workdir, to --output or "
    "standard output (sentences for a text run; MIDI files in the folder --output for a "
    "music run); temperature_sweep: BLEU against self-BLEU of a text run's MLE and SeqGAN "
    "generators over --temperatures; smoke: the whole loop at a tiny schedule.",
)


def _preset_help() -> str:
    """Each preset, what it is and its projected wall time on the reference CPU."""
    from seqgan_tf.training import projection

    lines = []
    for name, summary in PRESET_SUMMARIES.items():
        seconds = projection.projected_seconds(preset_schedule(name), projection.REFERENCE_COSTS)
        hours = seconds["total"] / 3600
        cost = f"{hours:.1f} h" if hours >= 1 else f"{hours * 60:.0f} min"
        lines.append(f"{name}: {summary} (projected {cost})")
    return (
        "Schedule preset; it sets the schedule and model flags it names (seqgan_tf/schedule.py) "
        "unless they are given. Projected times are on the reference 2-core CPU of "
        "docs/PERFORMANCE.md. " + "; ".join(lines) + ". --mode=text's presets, with "
        "their corpus settings: coco (the COCO captions in about an hour on a shared 2-core "
        "CPU), texygen (Texygen's own SeqGAN schedule) and poems (the quatrains as characters "
        "in about 73 minutes there); a text run prints its projection. " + music_presets_help()
    )


_PRESET = absl_flags.DEFINE_enum(
    "preset", "original", sorted({*PRESETS, *MUSIC_PRESETS}), _preset_help()
)
_ORACLE_PARAMS = absl_flags.DEFINE_string(
    "oracle_params",
    None,
    "The oracle's parameter pickle. Default: the published target_params_py3.pkl from "
    "$SEQGAN_DATA_DIR (default ../shared/data/seqgan), else downloaded once from the "
    "authors' repository into $SEQGAN_CACHE_DIR (default ~/.keras) and checked by SHA-256.",
)
_REAL_DATA = absl_flags.DEFINE_string(
    "real_data",
    None,
    "Train on this token file instead of drawing --train_samples sequences from the oracle; "
    "'published' means the paper-era real_data.txt (found or downloaded like the oracle).",
)
_RANDOM_ORACLE = absl_flags.DEFINE_boolean(
    "random_oracle",
    False,
    "Build a random N(0,1) oracle from --seed (the paper's recipe) instead of using the "
    "published one; results are then titled as not comparable with the paper's.",
)
_DATA = absl_flags.DEFINE_string(
    "data",
    None,
    "--mode=score: the token file to score; --mode=text: the training corpus, UTF-8, one "
    "sentence a line (e.g. ../shared/data/coco/image_coco_train.txt); --mode=music: a folder "
    "of MIDI files, one tune each (e.g. ../shared/data/nottingham/melody).",
)
_OUTPUT = absl_flags.DEFINE_string(
    "output",
    None,
    "--mode=sample: the file to write (sentences one a line for a text run, else a token "
    "file); default: print to standard output, one a line.",
)
_TEMPERATURE = absl_flags.DEFINE_float(
    "temperature", 1.0, "--mode=sample: draw from softmax(logits / this)."
)
_TEMPERATURES = absl_flags.DEFINE_list(
    "temperatures",
    list(DEFAULT_TEMPERATURES),
    "--mode=temperature_sweep: the temperatures of the curves.",
)
MODEL_FLAGS = define_dataclass_flags(ModelConfig, MODEL_HELP)
SCHEDULE_FLAGS = define_dataclass_flags(Schedule, SCHEDULE_HELP)
_NUM_SAMPLES = absl_flags.DEFINE_integer(
    "num_samples", 9984, "--mode=sample: how many sequences to write.", lower_bound=1
)


BASELINE_FLAGS = define_dataclass_flags(BaselineSchedule, BASELINE_HELP)
CORPUS_FLAGS = define_dataclass_flags(
    CorpusSettings,
    {field.name: field.metadata["help"] for field in dataclasses.fields(CorpusSettings)},
    reference=None,
)
# Not settings of the original code: no "(original: ...)" in --help.
MUSIC_FLAGS = define_dataclass_flags(MusicSettings, MUSIC_HELP, reference=None)
# The corpus decides these in --mode=text.
CORPUS_SHAPE_FLAGS = ("vocab_size", "sequence_length", "start_token")
absl_flags.adopt_module_key_flags(shared_flags.common)  # --workdir, --seed, ... in --help

# --help lists the flags in these groups (generated from the dataclasses, so a new field
# is listed without being named here).
HELP_GROUPS = (
    ("What to run", ("mode", "preset", "workdir", "seed", "progress_interval", "strategy")),
    ("Files", ("oracle_params", "random_oracle", "real_data", "data")),
    (
        "Sampling a trained run (--mode=sample, temperature_sweep)",
        ("output", "num_samples", "temperature", "temperatures"),
    ),
    ("Schedule: how long each phase runs (a preset sets these)", SCHEDULE_FLAGS),
    (
        "Generator, oracle and rollout networks",
        tuple(name for name in MODEL_FLAGS if not name.startswith("dis_")),
    ),
    ("Discriminator", tuple(name for name in MODEL_FLAGS if name.startswith("dis_"))),
    ("Table 1's baselines (--mode=table1)", BASELINE_FLAGS),
    ("Real text (--mode=text)", CORPUS_FLAGS),
    ("Music (--mode=music)", MUSIC_FLAGS),
)


def _resolve(cls: type):
    """The dataclass from the flags, with the preset's values for the flags not given."""
    return apply_preset(
        cls, _PRESET.value, dataclass_values(cls, FLAGS), explicitly_set(cls, FLAGS)
    )


def _oracle_params_path() -> str | None:
    """The oracle's pickle; None only for --random_oracle (never a silent fallback)."""
    if _RANDOM_ORACLE.value:
        if _ORACLE_PARAMS.value:
            raise ValueError("--random_oracle and --oracle_params exclude each other")
        return None
    if _ORACLE_PARAMS.value:
        if not os.path.isfile(_ORACLE_PARAMS.value):
            raise ValueError(f"--oracle_params={_ORACLE_PARAMS.value}: file not found")
        return _ORACLE_PARAMS.value
    return str(data_paths.locate(data_paths.ORACLE_PARAMS))


def _real_data_path() -> str | None:
    if _REAL_DATA.value == "published":
        return str(data_paths.locate(data_paths.REAL_DATA))
    return _REAL_DATA.value


def _refuse_shape_flags(mode: str, source: str) -> None:
    """The data of ``mode`` sets the model's shape flags: an error naming those given."""
    given = sorted(set(CORPUS_SHAPE_FLAGS) & explicitly_set(ModelConfig, FLAGS))
    if given:
        raise ValueError(
            f"--mode={mode} takes {source}: drop " + ", ".join(f"--{name}" for name in given)
        )


def _text_corpus(config: ModelConfig) -> TextCorpus:
    """The corpus of --mode=text, read, split and encoded before anything is written;
    with the workdir's vocabulary when resuming."""
    if not _DATA.value:
        raise ValueError("--mode=text needs --data=CORPUS (one sentence a line)")
    _refuse_shape_flags("text", "the vocabulary and sequence length from the corpus")
    settings = _resolve(CorpusSettings)
    vocabulary = None
    workdir = shared_flags.WORKDIR.value
    # A workdir whose first unit is done holds the vocabulary it was trained with.
    if workdir and os.path.exists(os.path.join(workdir, "experiment.json")):
        saved = os.path.join(workdir, VOCABULARY_FILE)
        if os.path.exists(saved):
            vocabulary = TokenVocabulary.load(saved)
    return TextCorpus.load(
        _DATA.value, settings, shared_flags.SEED.value, config.batch_size, vocabulary
    )


def _text_sample_counts() -> tuple[int | None, int | None]:
    """(--dis_samples, --eval_samples) when given or set by the preset; None: the text
    experiment's defaults (the training size; 1,000)."""
    preset = PRESETS[_PRESET.value]
    counts = []
    for name in ("dis_samples", "eval_samples"):
        counts.append(FLAGS[name].value if FLAGS[name].present else preset.get(name))
    return counts[0], counts[1]


def _music_data() -> tuple[MusicSettings, MusicData]:
    """The settings and the tunes of --mode=music, read, checked and split before anything
    is written."""
    if not _DATA.value:
        raise ValueError("--mode=music needs --data=FOLDER (MIDI files, one tune each)")
    _refuse_shape_flags(
        "music",
        "the vocabulary (89 ids) and the sequence length (--music_sequence_length) from the tunes",
    )
    settings = MusicSettings(**dataclass_values(MusicSettings, FLAGS))
    return settings, MusicData.load(_DATA.value, settings, shared_flags.SEED.value)


def _resolve_music(cls: type):
    """As :func:`_resolve`, with the music presets."""
    return apply_music_preset(
        cls, _PRESET.value, dataclass_values(cls, FLAGS), explicitly_set(cls, FLAGS)
    )


def _check_finished_text_run(workdir: str | None) -> None:
    """--mode=score without --data: ``workdir`` must hold a finished --mode=text run."""
    files = ("experiment.json", "results.json")
    if not workdir or not all(os.path.exists(os.path.join(workdir, f)) for f in files):
        raise ValueError(
            "--mode=score needs --data=FILE (NLL_oracle of a token file) or --workdir=DIR "
            "of a finished --mode=text run (its generators under Texygen's protocols)"
        )


def _require_workdir() -> str:
    workdir = shared_flags.WORKDIR.value
    if not workdir:
        raise ValueError("--workdir is required for this mode")
    return workdir


def run(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
    mode = _MODE.value
    # Flag and file checks first: a mistake is reported before TensorFlow loads (a
    # download of a published file loads it) and before the workdir is touched.
    for flag in (_REAL_DATA,) if mode == "music" else (_REAL_DATA, _DATA):
        if flag.value and flag.value != "published" and not os.path.isfile(flag.value):
            raise ValueError(f"--{flag.name}={flag.value}: file not found")
    # --mode=score without --data scores a finished text run's generators.
    scores_text_run = mode == "score" and not _DATA.value
    if scores_text_run:
        _check_finished_text_run(shared_flags.WORKDIR.value)
    if _PRESET.value in TEXT_PRESETS and mode != "text":
        raise ValueError(f"--preset={_PRESET.value} is a preset of --mode=text")
    check_temperature(_TEMPERATURE.value, "temperature")
    temperatures = [check_temperature(t, "temperatures") for t in _TEMPERATURES.value]
    if mode == "music":
        config, schedule = _resolve_music(ModelConfig), _resolve_music(Schedule)
    elif _PRESET.value not in PRESETS:
        raise ValueError(f"--preset={_PRESET.value} is a --mode=music preset")
    else:
        config, schedule = _resolve(ModelConfig), _resolve(Schedule)
    music_settings, music_data = _music_data() if mode == "music" else (None, None)
    corpus = _text_corpus(config) if mode == "text" else None
    reads_workdir = ("sample", "temperature_sweep")
    no_oracle = mode in ("text", "music", *reads_workdir) or scores_text_run
    oracle_params = None if no_oracle else _oracle_params_path()
    real_data = _real_data_path() if mode in ("oracle", "table1", "smoke") else None
    baselines = _resolve(BaselineSchedule) if mode == "table1" else None
    if baselines is not None:
        check_table1_schedules(schedule, baselines)

    console.import_tensorflow()  # without CUDA's start-up lines on a machine with no GPU
    from seqgan_tf import commands

    if mode == "score" and not scores_text_run:
        commands.score(oracle_params, _DATA.value, config)
        return
    workdir = _require_workdir()
    if mode in reads_workdir and not os.path.isdir(workdir):
        raise ValueError(f"--workdir={workdir}: no such directory (--mode={mode} reads a run)")
    shared_flags.setup_logging(workdir)
    seed = shared_flags.SEED.value
    shared_flags.set_global_seed(seed)
    # What every training mode's function takes alike.
    training = {
        "preset": _PRESET.value,
        "seed": seed,
        "strategy_name": shared_flags.STRATEGY.value,
        "progress_interval": shared_flags.PROGRESS_INTERVAL.value,
    }
    if scores_text_run:
        command = shlex.join(["python", "-m", "seqgan_tf.main", *sys.argv[1:]])
        commands.score_text_run(workdir, seed, command)
    elif mode == "sample":
        commands.sample(workdir, _OUTPUT.value, _NUM_SAMPLES.value, seed, _TEMPERATURE.value)
    elif mode == "temperature_sweep":
        eval_samples = FLAGS.eval_samples if FLAGS["eval_samples"].present else 1000
        commands.temperature_sweep(workdir, temperatures, eval_samples, seed)
    elif mode == "smoke":
        from seqgan_tf.experiments.smoke import run_smoke

        run_smoke(workdir, config, oracle_params, real_data, seed)
    elif mode == "text":
        from seqgan_tf.experiments.text import text_experiment

        num_negatives, eval_samples = _text_sample_counts()
        text_experiment(
            workdir=workdir,
            corpus=corpus,
            config=config,
            schedule=schedule,
            num_negatives=num_negatives,
            eval_samples=eval_samples,
            **training,
        )
    elif mode == "music":
        from seqgan_tf.experiments.music import music_experiment

        music_experiment(
            workdir=workdir,
            data=music_data,
            config=config,
            schedule=schedule,
            settings=music_settings,
            num_negatives=FLAGS.dis_samples if FLAGS["dis_samples"].present else None,
            **training,
        )
    elif mode == "table1":
        from seqgan_tf.experiments.table1 import table1_experiment

        table1_experiment(
            workdir=workdir,
            config=config,
            schedule=schedule,
            baselines=baselines,
            oracle_params=oracle_params,
            real_data=real_data,
            **training,
        )
    else:
        from seqgan_tf.experiments.oracle import oracle_experiment

        oracle_experiment(
            workdir=workdir,
            config=config,
            schedule=schedule,
            oracle_params=oracle_params,
            real_data=real_data,
            **training,
        )


def main(argv: list[str]) -> None:
    try:
        run(argv)
    except (ValueError, FileNotFoundError) as error:
        # Bad flags and bad files: one clear line, no traceback.
        sys.exit(f"error: {error}")


if __name__ == "__main__":
    console.run(main, __doc__, HELP_GROUPS)
