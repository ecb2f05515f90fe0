"""``python -m cyclegan_tf.main``: train (resuming in --workdir) or test a Keras CycleGAN."""

from __future__ import annotations

from absl import app

from cyclegan_tf import cli
from flags import common


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
    test = cli.MODE.value == "test"
    config = cli.test_config_from_flags() if test else cli.config_from_flags()
    common.setup_logging(config.workdir, "cyclegan.log")
    common.set_global_seed(config.seed)
    if test:
        from cyclegan_tf.evaluate import evaluate

        evaluate(config)
    else:
        from cyclegan_tf.train import train

        train(config, common.make_strategy(config.strategy))


if __name__ == "__main__":
    app.run(main)
