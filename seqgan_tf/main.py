"""SeqGAN driver.

    python -m seqgan_tf.main --mode=oracle --workdir=DIR [--preset=original|paper|quick|cpu]
    python -m seqgan_tf.main --mode=table1 --workdir=DIR [--preset=original|paper|quick|cpu]
    python -m seqgan_tf.main --mode=text --data=CORPUS --workdir=DIR [--preset=...]
    python -m seqgan_tf.main --mode=music --data=MIDI_FOLDER --workdir=DIR [--preset=quick|hour]
    python -m seqgan_tf.main --mode=score --oracle_params=PKL --data=FILE
    python -m seqgan_tf.main --mode=sample --workdir=DIR --num_samples=N --output=FILE
    python -m seqgan_tf.main --mode=smoke --workdir=DIR

Every hyper-parameter of the original is a flag whose default is the original's value;
a preset changes the ones it names unless they are given on the command line.
"""

from __future__ import annotations

import os
import sys

from absl import app
from absl import flags as absl_flags

import flags as shared_flags
from flags import console
from flags.dataclass_flags import dataclass_values, define_dataclass_flags, explicitly_set
from seqgan_tf.config import ModelConfig
from seqgan_tf.data import published as data_paths
from seqgan_tf.data.music_corpus import MUSIC_HELP, MusicData, MusicSettings
from seqgan_tf.data.text_corpus import TEXT_HELP, TextData, TextSettings
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
    BaselineSchedule,
    Schedule,
    apply_preset,
    check_table1_schedules,
    preset_schedule,
)

FLAGS = absl_flags.FLAGS
_MODE = absl_flags.DEFINE_enum(
    "mode",
    "oracle",
    ["oracle", "table1", "text", "music", "score", "sample", "smoke"],
    "oracle: the synthetic-data experiment; table1: the paper's Table 1 (Random, MLE, "
    "scheduled sampling, PG-BLEU and SeqGAN on one oracle); text: SeqGAN on a text corpus "
    "(--data; the paper's poem experiment), BLEU against its test split; music: SeqGAN on "
    "a folder of MIDI tunes (--data; the paper's Nottingham experiment); score: NLL_oracle "
    "of --data; sample: write samples of a trained --workdir to --output (decoded to text "
    "for a text run, MIDI files in the folder --output for a music run); smoke: one step "
    "of every model.",
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
        "docs/PERFORMANCE.md. " + "; ".join(lines) + ". " + music_presets_help()
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
    "--mode=score: the token file to score; --mode=text: the corpus, UTF-8, one sequence of "
    "fixed length a line (e.g. ../shared/data/poems/quatrains_5char.txt); --mode=music: a "
    "folder of MIDI files, one tune each (e.g. ../shared/data/nottingham/melody).",
)
_OUTPUT = absl_flags.DEFINE_string("output", None, "--mode=sample: the token file to write.")
MODEL_FLAGS = define_dataclass_flags(ModelConfig, MODEL_HELP)
SCHEDULE_FLAGS = define_dataclass_flags(Schedule, SCHEDULE_HELP)
_NUM_SAMPLES = absl_flags.DEFINE_integer(
    "num_samples", 9984, "--mode=sample: how many sequences to write.", lower_bound=1
)


BASELINE_FLAGS = define_dataclass_flags(BaselineSchedule, BASELINE_HELP)
TEXT_FLAGS = define_dataclass_flags(TextSettings, TEXT_HELP)
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
    ("Sampling a trained run (--mode=sample)", ("output", "num_samples")),
    ("Schedule: how long each phase runs (a preset sets these)", SCHEDULE_FLAGS),
    (
        "Generator, oracle and rollout networks",
        tuple(name for name in MODEL_FLAGS if not name.startswith("dis_")),
    ),
    ("Discriminator", tuple(name for name in MODEL_FLAGS if name.startswith("dis_"))),
    ("Table 1's baselines (--mode=table1)", BASELINE_FLAGS),
    ("Real text (--mode=text)", TEXT_FLAGS),
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


def _text_data(config: ModelConfig) -> TextData:
    """The corpus of --mode=text, read, split and encoded before anything is written."""
    if not _DATA.value:
        raise ValueError("--mode=text needs --data=CORPUS (one sequence a line)")
    given = sorted(set(CORPUS_SHAPE_FLAGS) & explicitly_set(ModelConfig, FLAGS))
    if given:
        raise ValueError(
            "--mode=text takes the vocabulary and sequence length from the corpus: drop "
            + ", ".join(f"--{name}" for name in given)
        )
    settings = TextSettings(**dataclass_values(TextSettings, FLAGS))
    return TextData.load(_DATA.value, settings, shared_flags.SEED.value)


def _music_data() -> MusicData:
    """The tunes of --mode=music, read, checked and split before anything is written."""
    if not _DATA.value:
        raise ValueError("--mode=music needs --data=FOLDER (MIDI files, one tune each)")
    given = sorted(set(CORPUS_SHAPE_FLAGS) & explicitly_set(ModelConfig, FLAGS))
    if given:
        raise ValueError(
            "--mode=music takes the vocabulary (89 ids) and the sequence length "
            "(--music_sequence_length) from the tunes: drop "
            + ", ".join(f"--{name}" for name in given)
        )
    settings = MusicSettings(**dataclass_values(MusicSettings, FLAGS))
    return MusicData.load(_DATA.value, settings, shared_flags.SEED.value)


def _resolve_music(cls: type):
    """As :func:`_resolve`, with the music presets."""
    return apply_music_preset(
        cls, _PRESET.value, dataclass_values(cls, FLAGS), explicitly_set(cls, FLAGS)
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
    if mode == "score" and not _DATA.value:
        raise ValueError("--mode=score needs --data=FILE")
    if mode == "sample" and not _OUTPUT.value:
        raise ValueError("--mode=sample needs --output=FILE")
    if mode == "music":
        config, schedule = _resolve_music(ModelConfig), _resolve_music(Schedule)
    elif _PRESET.value not in PRESETS:
        raise ValueError(f"--preset={_PRESET.value} is a --mode=music preset")
    else:
        config, schedule = _resolve(ModelConfig), _resolve(Schedule)
    music_data = _music_data() if mode == "music" else None
    text_data = _text_data(config) if mode == "text" else None
    oracle_params = _oracle_params_path() if mode not in ("sample", "text", "music") else None
    real_data = _real_data_path() if mode in ("oracle", "table1", "smoke") else None
    baselines = _resolve(BaselineSchedule) if mode == "table1" else None
    if baselines is not None:
        check_table1_schedules(schedule, baselines)

    console.import_tensorflow()  # without CUDA's start-up lines on a machine with no GPU
    from seqgan_tf import commands

    if mode == "score":
        commands.score(oracle_params, _DATA.value, config)
        return
    workdir = _require_workdir()
    if mode == "sample" and not os.path.isdir(workdir):
        raise ValueError(f"--workdir={workdir}: no such directory (--mode=sample reads a run)")
    shared_flags.setup_logging(workdir)
    shared_flags.set_global_seed(shared_flags.SEED.value)
    if mode == "sample":
        commands.sample(workdir, _OUTPUT.value, _NUM_SAMPLES.value, shared_flags.SEED.value)
    elif mode == "smoke":
        commands.smoke(workdir, oracle_params, real_data, shared_flags.SEED.value, config)
    elif mode == "text":
        commands.text_experiment(
            workdir=workdir,
            data=text_data,
            config=config,
            schedule=schedule,
            settings=TextSettings(**dataclass_values(TextSettings, FLAGS)),
            preset=_PRESET.value,
            seed=shared_flags.SEED.value,
            num_negatives=FLAGS.dis_samples if FLAGS["dis_samples"].present else None,
            strategy_name=shared_flags.STRATEGY.value,
            progress_interval=shared_flags.PROGRESS_INTERVAL.value,
        )
    elif mode == "music":
        commands.music_experiment(
            workdir=workdir,
            data=music_data,
            config=config,
            schedule=schedule,
            settings=MusicSettings(**dataclass_values(MusicSettings, FLAGS)),
            preset=_PRESET.value,
            seed=shared_flags.SEED.value,
            num_negatives=FLAGS.dis_samples if FLAGS["dis_samples"].present else None,
            strategy_name=shared_flags.STRATEGY.value,
            progress_interval=shared_flags.PROGRESS_INTERVAL.value,
        )
    else:
        commands.oracle_experiment(
            workdir=workdir,
            config=config,
            schedule=schedule,
            preset=_PRESET.value,
            oracle_params=oracle_params,
            real_data=real_data,
            seed=shared_flags.SEED.value,
            strategy_name=shared_flags.STRATEGY.value,
            progress_interval=shared_flags.PROGRESS_INTERVAL.value,
            baselines=baselines,
        )


def main(argv: list[str]) -> None:
    try:
        run(argv)
    except (ValueError, FileNotFoundError) as error:
        # Bad flags and bad files: one clear line, no traceback.
        sys.exit(f"error: {error}")


if __name__ == "__main__":
    console.run(main, __doc__, HELP_GROUPS)
