"""absl flags of ``python -m cyclegan_tf.main`` (the shared ones come from flags.common)."""

from __future__ import annotations

import os

from absl import flags as absl_flags

from cyclegan_tf.config import DATASET_CHOICES, LABEL_PALETTE_CHOICES, RunConfig
from cyclegan_tf.discriminator import DISCRIMINATOR_CHOICES
from cyclegan_tf.generator import UPSAMPLE_CHOICES
from flags import common

D = RunConfig()
MODE = absl_flags.DEFINE_enum(
    "mode",
    "train",
    ["train", "test"],
    "'train' (resumes in --workdir) or 'test' (translate the test split).",
)
absl_flags.DEFINE_enum(
    "dataset",
    D.dataset,
    list(DATASET_CHOICES),
    "'facades' (tfds cycle_gan/facades), 'folder' (--data_folder with trainA, "
    "trainB, testA, testB), 'synthetic_facades' (generated, no network), or "
    "'auto': facades if prepared or its zip is in the manual folder, else "
    "--data_folder if it exists, else synthetic_facades.",
)
absl_flags.DEFINE_string("data_dir", None, "tfds data_dir (default: tfds' ~/tensorflow_datasets).")
absl_flags.DEFINE_string(
    "manual_dir",
    None,
    "Folder holding facades.zip for an offline tfds build (default: <data_dir>/downloads/manual).",
)
absl_flags.DEFINE_string(
    "data_folder", None, "Root of trainA/trainB/testA/testB for --dataset=folder."
)
absl_flags.DEFINE_integer("synthetic_train", D.synthetic_train, "Synthetic training pairs.")
absl_flags.DEFINE_integer("synthetic_test", D.synthetic_test, "Synthetic test pairs.")
absl_flags.DEFINE_integer(
    "synthetic_size", D.synthetic_size, "Side of generated images; 0 = --load_size."
)
absl_flags.DEFINE_integer("load_size", D.load_size, "Resize side before cropping (official 286).")
absl_flags.DEFINE_integer("crop_size", D.crop_size, "Training crop side = model input (256).")
absl_flags.DEFINE_bool("flip", D.flip, "Random horizontal flips.")
absl_flags.DEFINE_integer("n_blocks", D.n_blocks, "Residual blocks of the generators.")
absl_flags.DEFINE_enum(
    "upsample",
    D.upsample,
    list(UPSAMPLE_CHOICES),
    "'transpose' (official ConvTranspose) or 'resize' (seed: Upsample+Conv).",
)
absl_flags.DEFINE_enum(
    "discriminator",
    D.discriminator,
    list(DISCRIMINATOR_CHOICES),
    "'patch70' (official, 30x30 at 256 px) or 'seed16' (16x16 output).",
)
absl_flags.DEFINE_float("lambda_cycle", D.lambda_cycle, "Cycle-consistency L1 weight.")
absl_flags.DEFINE_float(
    "lambda_identity",
    D.lambda_identity,
    "Identity L1 weight as a share of --lambda_cycle (official 0.5: weight 0.5 x 10 = 5).",
)
absl_flags.DEFINE_integer("pool_size", D.pool_size, "Image pool size per replica (0: off).")
absl_flags.DEFINE_float("lr", D.lr, "Adam learning rate (official 2e-4; the seed 3e-4).")
absl_flags.DEFINE_float("beta_1", D.beta_1, "Adam beta_1.")
absl_flags.DEFINE_float("beta_2", D.beta_2, "Adam beta_2.")
absl_flags.DEFINE_integer("n_epochs", D.n_epochs, "Epochs at the initial learning rate.")
absl_flags.DEFINE_integer(
    "n_epochs_decay", D.n_epochs_decay, "Epochs of linear decay towards zero after --n_epochs."
)
absl_flags.DEFINE_integer("batch_size", D.batch_size, "Batch size per replica.")
absl_flags.DEFINE_bool(
    "jit_compile",
    D.jit_compile,
    "XLA-compile the step (single device; slower on CPU, see PERFORMANCE.md).",
)
absl_flags.DEFINE_bool(
    "run_eagerly", D.run_eagerly, "Run the step eagerly (debugging; very short runs skip tracing)."
)
absl_flags.DEFINE_integer("sample_every", D.sample_every, "Steps between sample grids (0: end).")
absl_flags.DEFINE_integer("n_samples", D.n_samples, "Test pairs in each sample grid.")
absl_flags.DEFINE_integer(
    "checkpoint_every", D.checkpoint_every, "Steps between checkpoints (also at each epoch's end)."
)
absl_flags.DEFINE_integer("summary_every", D.summary_every, "Steps between TensorBoard scalars.")
absl_flags.DEFINE_integer(
    "max_steps", D.max_steps, "Stop (checkpointed) at this global step; 0: train to the end."
)
absl_flags.DEFINE_enum(
    "label_palette",
    D.label_palette,
    list(LABEL_PALETTE_CHOICES),
    "--mode=test: score G_AB's outputs as label maps in this palette (pixel accuracy, class "
    "accuracy, class IoU); auto: the data set's own (facades, synthetic_facades), none for "
    "a folder.",
)

_FIELDS = [
    f
    for f in RunConfig.__dataclass_fields__
    if f not in ("workdir", "seed", "strategy", "progress_interval", "replicas")
]


def config_from_flags() -> RunConfig:
    """A RunConfig from the parsed flags (shared ones from flags.common)."""
    values = {name: absl_flags.FLAGS[name].value for name in _FIELDS}
    workdir = common.WORKDIR.value or f"runs/cyclegan_{values['dataset']}"
    return RunConfig(
        workdir=workdir,
        seed=common.SEED.value,
        strategy=common.STRATEGY.value,
        progress_interval=common.PROGRESS_INTERVAL.value,
        **values,
    )


def test_config_from_flags() -> RunConfig:
    """For --mode=test: flags not given on the command line take the trained run's values.

    So ``--mode=test --workdir=W`` translates the same test split the run in W sampled from.
    """
    config = config_from_flags()
    path = os.path.join(config.workdir, "config.json")
    if os.path.exists(path):
        saved = RunConfig.load(path)
        for name in [*_FIELDS, "seed"]:
            if not absl_flags.FLAGS[name].present:
                setattr(config, name, getattr(saved, name))
    return config
