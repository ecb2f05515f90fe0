"""python -m divergence.main --workdir=DIR: the seed's GAN theory, computed and checked.

Prints the reference-vs-estimate table and writes it (table.txt, results.json) with PNG
figures into --workdir. The shared flags come from the ``flags`` package; --strategy is
accepted but unused, since every model here is a few hundred parameters on one device.
"""

from __future__ import annotations

from absl import app, logging
from absl import flags as absl_flags

import flags
from flags import console

# The same names as divergence.gan1d.LOSSES (a test checks); repeated here so that parsing
# the flags does not import TensorFlow.
GAN_LOSSES = ("minimax", "non_saturating")

QUICK = absl_flags.DEFINE_bool(
    "quick", False, "Tiny settings (seconds, loose numbers): for smoke tests, not for results."
)
GAN_LOSS = absl_flags.DEFINE_enum(
    "gan_loss",
    "minimax",
    list(GAN_LOSSES),
    "Generator objective of the 1-D GAN: the seed's minimax V, or the non-saturating -log D.",
)
GAN_STEPS = absl_flags.DEFINE_integer(
    "gan_steps",
    None,
    "Generator steps of the 1-D GAN (default: 3000, or 100 with --quick).",
    lower_bound=1,
)


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    workdir = flags.WORKDIR.value
    if not workdir:
        raise app.UsageError("--workdir is required")
    flags.setup_logging(workdir, "divergence.log")

    tf = console.import_tensorflow()  # without CUDA's start-up lines on a machine with no GPU
    import keras

    from divergence import report

    # Same --seed, same table: seeded initialisers and generators, deterministic kernels.
    flags.set_global_seed(flags.SEED.value)
    keras.utils.set_random_seed(flags.SEED.value)
    tf.config.experimental.enable_op_determinism()
    make = report.RunConfig.quick if QUICK.value else report.RunConfig.default
    report.run(
        make(gan_loss=GAN_LOSS.value, gan_steps=GAN_STEPS.value),
        seed=flags.SEED.value,
        workdir=workdir,
        log=logging.info,
        progress_interval=flags.PROGRESS_INTERVAL.value,
    )


absl_flags.adopt_module_key_flags(flags.common)
HELP_GROUPS = (
    ("What to run", ("workdir", "seed", "progress_interval")),
    ("Settings", ("quick", "gan_loss", "gan_steps")),
    ("Accepted for a common command line, unused here", ("strategy",)),
)

if __name__ == "__main__":
    console.run(main, __doc__, HELP_GROUPS)
