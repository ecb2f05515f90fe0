"""``python -m cyclegan_tf.main``: train (resuming in --workdir), test, translate or export.

Every flag is checked before anything is written: a bad command prints one line naming the
flag (or file) and leaves no workdir behind.
"""

from __future__ import annotations

import sys

from absl import app
from absl import flags as absl_flags

from cyclegan_tf import cli
from flags import common

# --help lists the driver's flags and the shared ones.
absl_flags.adopt_module_key_flags(cli)
absl_flags.adopt_module_key_flags(common)

# The shared --seed's help speaks of SeqGAN; this driver's says what it seeds here.
absl_flags.FLAGS["seed"].help = (
    "Seed of the run: weight initialisation, data order, crops and flips, image pools, "
    "and the synthetic facades"
)
HELP_ARGS = ("-h", "-?", "--help", "--helpshort")


def main(argv: list[str]) -> None:
    try:
        run(argv)
    except ValueError as error:  # bad flags, data or workdir: one line naming the problem
        sys.exit(f"error: {error}")


def run(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
    mode = cli.MODE.value
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
    from cyclegan_tf import snapshots

    snapshots.load_run_config(config.workdir)  # raises, writing nothing, if no run is there
    common.set_global_seed(config.seed)
    if mode == "test":
        from cyclegan_tf.evaluate import evaluate

        common.setup_logging(config.workdir, "cyclegan.log")
        evaluate(config, cli.CHECKPOINT.value)
    elif mode == "translate":
        from cyclegan_tf.translate import translate

        translate(
            config.workdir,
            cli.INPUT.value,
            cli.OUTPUT.value,
            cli.DIRECTION.value,
            cli.CHECKPOINT.value,
        )
    else:
        from cyclegan_tf.export import export

        export(config.workdir, cli.OUTPUT.value, cli.DIRECTION.value, cli.CHECKPOINT.value)


def parse_flags(argv: list[str]) -> list[str]:
    """absl's parser, except that --help/--helpfull print to stdout and exit 0 (absl exits 1)."""
    if any(arg in HELP_ARGS for arg in argv[1:]):
        app.usage(shorthelp=True, writeto_stdout=True, exitcode=0)
    if "--helpfull" in argv[1:]:
        app.usage(shorthelp=False, writeto_stdout=True, exitcode=0)
    return app.parse_flags_with_usage(argv)


if __name__ == "__main__":
    app.run(main, flags_parser=parse_flags)
