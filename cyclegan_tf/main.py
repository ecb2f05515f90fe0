"""``python -m cyclegan_tf.main``: train (resuming in --workdir), test, translate or export.

Every flag is checked before anything is written: a bad command prints one line naming the
flag (or file) and leaves no workdir behind.
"""

from __future__ import annotations

import sys

from absl import app
from absl import flags as absl_flags

from flags import common, console

# The flag definitions import TensorFlow: first, without its CUDA lines on a CPU machine.
console.import_tensorflow()
from cyclegan_tf import cli  # noqa: E402

# --help lists the driver's flags and the shared ones.
absl_flags.adopt_module_key_flags(cli)
absl_flags.adopt_module_key_flags(common)

# The shared --seed's help speaks of SeqGAN; this driver's says what it seeds here.
absl_flags.FLAGS["seed"].help = (
    "Seed of the run: weight initialisation, data order, crops and flips, image pools, "
    "and the synthetic facades"
)
_DATA = (
    "dataset",
    "data_dir",
    "manual_dir",
    "data_folder",
    "paired_test",
    "synthetic_train",
    "synthetic_test",
    "synthetic_size",
    "load_size",
    "crop_size",
    "flip",
    "preprocess",
)
HELP_GROUPS = (
    (
        "What to run",
        (
            "mode",
            "direction",
            "workdir",
            "seed",
            "strategy",
            "progress_interval",
            "max_steps",
            "deterministic",
        ),
    ),
    (
        "Test, translate and export (--mode=test|translate|export)",
        ("input", "output", "checkpoint", "eval", "label_palette"),
    ),
    ("Data", _DATA),
    ("Networks and losses (the official options)", tuple(cli.MODEL_FLAGS)),
    (
        "Checkpoints, samples and logs",
        tuple(
            name
            for name in cli.RUN_FLAGS
            if name not in _DATA
            and name not in ("max_steps", "deterministic", "label_palette", "direction")
        ),
    ),
)


def main(argv: list[str]) -> None:
    try:
        run(argv)
    except ValueError as error:  # bad flags, data or workdir: one line naming the problem
        sys.exit(f"error: {error}")


def run(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
    mode = cli.MODE.value
    # The other modes' config raises, writing nothing, when --workdir holds no trained run.
    config = cli.config_from_flags() if mode == "train" else cli.test_config_from_flags()
    config.validate()
    common.setup_logging(None)  # the log file starts once the workdir may be written
    if mode == "train":
        # A multi-worker strategy must exist before TensorFlow runs anything else.
        strategy = common.make_strategy(config.strategy)
        common.set_global_seed(config.seed)
        from cyclegan_tf.train import train

        train(config, strategy, log_name="cyclegan.log" if common.is_chief(strategy) else None)
        return
    common.set_global_seed(config.seed)
    if mode == "test":
        from cyclegan_tf.evaluate import evaluate

        common.setup_logging(config.workdir, "cyclegan.log")
        evaluate(config, cli.CHECKPOINT.value, cli.EVAL.value)
    elif mode == "translate":
        from cyclegan_tf.translate import translate

        translate(
            config.workdir,
            cli.INPUT.value,
            cli.OUTPUT.value,
            config.direction,
            cli.CHECKPOINT.value,
            cli.EVAL.value,
        )
    else:
        from cyclegan_tf.export import export

        export(
            config.workdir,
            cli.OUTPUT.value,
            config.direction,
            cli.CHECKPOINT.value,
            cli.EVAL.value,
        )


if __name__ == "__main__":
    console.run(main, __doc__, HELP_GROUPS)
