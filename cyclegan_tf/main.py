"""``python -m cyclegan_tf.main``: train (resuming in --workdir) or test a Keras CycleGAN."""

from __future__ import annotations

import sys

from absl import app
from absl import flags as absl_flags

from cyclegan_tf import cli
from flags import common

# --help lists the driver's flags and the shared ones.
absl_flags.adopt_module_key_flags(cli)
absl_flags.adopt_module_key_flags(common)


def main(argv: list[str]) -> None:
    try:
        run(argv)
    except ValueError as error:  # bad flags, data or workdir: one line naming the problem
        sys.exit(f"error: {error}")


def run(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
    test = cli.MODE.value == "test"
    config = cli.test_config_from_flags() if test else cli.config_from_flags()
    # A multi-worker strategy must exist before TensorFlow runs anything else.
    strategy = None if test else common.make_strategy(config.strategy)
    chief = strategy is None or common.is_chief(strategy)
    common.setup_logging(config.workdir, "cyclegan.log" if chief else None)
    common.set_global_seed(config.seed)
    if test:
        from cyclegan_tf.evaluate import evaluate

        evaluate(config)
    else:
        from cyclegan_tf.train import train

        train(config, strategy)


if __name__ == "__main__":
    app.run(main)
