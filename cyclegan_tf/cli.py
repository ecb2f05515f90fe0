"""absl flags of ``python -m cyclegan_tf.main``: one per field of :class:`RunConfig` and of
its :class:`ModelConfig`, generated from the dataclasses (the shared ``--workdir``, ``--seed``,
``--strategy`` and ``--progress_interval`` come from flags.common)."""

from __future__ import annotations

import dataclasses

from absl import flags as absl_flags

from cyclegan_tf import snapshots
from cyclegan_tf.config import DATASET_CHOICES, LABEL_PALETTE_CHOICES, ModelConfig, RunConfig
from cyclegan_tf.discriminator import DISCRIMINATOR_CHOICES
from cyclegan_tf.generator import UPSAMPLE_CHOICES
from cyclegan_tf.normalization import NORM_CHOICES
from flags import common
from flags.dataclass_flags import dataclass_values, define_dataclass_flags

MODE = absl_flags.DEFINE_enum(
    "mode",
    "train",
    ["train", "test", "translate", "export"],
    "'train' (resumes in --workdir), 'test' (translate and score the test split), "
    "'translate' (--input files or folder -> --output with G_AB or G_BA), or 'export' "
    "(the generators as .keras files and a SavedModel in --output).",
)
INPUT = absl_flags.DEFINE_string(
    "input", None, "--mode=translate: an image file, or a folder of image files"
)
OUTPUT = absl_flags.DEFINE_string(
    "output", None, "--mode=translate or export: the folder to write (created)"
)
CHECKPOINT = absl_flags.DEFINE_string(
    "checkpoint",
    None,
    "--mode=test/translate/export: the state to use: a snapshot (epoch-10, or 10), a "
    "checkpoint (ckpt-600) or a path prefix; default the latest checkpoint",
)
EVAL = absl_flags.DEFINE_bool(
    "eval",
    False,
    "--mode=test/translate/export: the official test's --eval (model.eval()), default off "
    "as there. With --norm=batch, the generators normalise with the batch norms' running "
    "statistics; without it, each image with its own statistics, as the official networks "
    "in train mode on one test image at a time (the running statistics stay as trained). "
    "Instance norm is the same either way",
)

RUN_HELP = {
    "dataset": f"One of {', '.join(DATASET_CHOICES)}: 'facades' (tfds cycle_gan/facades), "
    "'folder' (--data_folder with trainA, trainB, testA, testB), 'synthetic_facades' "
    "(generated, no network), or 'auto': facades if prepared or its zip is in the manual "
    "folder, else --data_folder if it exists, else synthetic_facades",
    "data_dir": "tfds data_dir (default: tfds' ~/tensorflow_datasets)",
    "manual_dir": "Folder holding facades.zip for an offline tfds build (default: "
    "<data_dir>/downloads/manual)",
    "data_folder": "Root of trainA/trainB/testA/testB for --dataset=folder",
    "paired_test": "--dataset=folder: testA and testB hold aligned pairs, matched by name "
    "(12_A.jpg with 12_B.jpg, or equal names), so test mode scores them as pairs",
    "synthetic_train": "Synthetic training pairs",
    "synthetic_test": "Synthetic test pairs",
    "synthetic_size": "Side of generated images; 0 = --load_size",
    "load_size": "Resize side before cropping (official 286)",
    "crop_size": "Training crop side = model input (official 256)",
    "flip": "Random horizontal flips",
    "preprocess": "Official --preprocess: 'resize_and_crop' (bicubic to --load_size square, "
    "random crop --crop_size), 'scale_width_and_crop' (width --load_size, aspect kept, height "
    ">= --crop_size; random crop), 'crop' (random crop only), 'scale_width' (the same "
    "scaling, no crop, sides rounded to multiples of 4) or 'none' (sides rounded to "
    "multiples of 4); the last two keep each photo's shape, in training (--batch_size=1, one "
    "replica) and in test, translate and export",
    "direction": "Official --direction: 'AtoB' or 'BtoA' between the data's domains A "
    "(trainA, testA) and B. Training: the direction the run learns, BtoA swapping the roles "
    "of A and B for the whole run as the official code does (the cycle weighed by "
    "--lambda_a starts from B). Test, translate, export: the translation to run (translate) "
    "or serve by default (export); default the trained run's",
    "run_eagerly": "Run the step eagerly (debugging; very short runs skip tracing)",
    "sample_every": "Steps between sample grids (0: end)",
    "n_samples": "Test pairs in each sample grid",
    "checkpoint_every": "Steps between checkpoints (also at each epoch's end)",
    "summary_every": "Steps between TensorBoard scalars",
    "max_steps": "Stop (checkpointed) at this global step; 0: train to the end",
    "deterministic": "Deterministic ops (tf.config.experimental.enable_op_determinism): the "
    "same seed gives bit-identical runs on GPUs too, at some speed; CPU runs here are already "
    "repeatable",
    "save_epoch_freq": "Keep a snapshot (snapshots/epoch-N, never deleted) every this many "
    "epochs, as the official --save_epoch_freq (0: none)",
    "label_palette": f"--mode=test: score G_AB's outputs as label maps in this palette "
    f"({', '.join(LABEL_PALETTE_CHOICES)}; pixel accuracy, class accuracy, class IoU); auto: "
    "the data set's own (facades, synthetic_facades), none for a folder",
}
MODEL_HELP = {
    "n_blocks": "Residual blocks of the generators",
    "ngf": "Filters of the generators' first layer (official 64; doubled twice downwards)",
    "n_layers_d": "Stride-2 blocks of the 'patch70' discriminator (official --n_layers_D 3: "
    "70x70 patches)",
    "ndf": "Filters of the discriminators' first layer (official 64)",
    "upsample": f"One of {', '.join(UPSAMPLE_CHOICES)}: 'transpose' (official ConvTranspose) "
    "or 'resize' (seed: Upsample+Conv)",
    "discriminator": f"One of {', '.join(DISCRIMINATOR_CHOICES)}: 'patch70' (official, 30x30 "
    "at 256 px) or 'seed16' (16x16 output)",
    "norm": f"Official --norm, one of {', '.join(NORM_CHOICES)}: instance norm without affine "
    "parameters (official default), batch norm (affine, running statistics with momentum "
    "0.1, used by test, translate and export with --eval) or none; the convolutions "
    "before a norm have a bias only with instance norm, as the official networks",
    "gan_mode": "'lsgan' (official default: least squares) or 'vanilla' (cross-entropy on "
    "the discriminator's logits)",
    "lambda_a": "Weight of the cycle loss A -> B -> A (official --lambda_A)",
    "lambda_b": "Weight of the cycle loss B -> A -> B (official --lambda_B)",
    "lambda_identity": "Identity L1 weights as a share of --lambda_a / --lambda_b (official 0.5: "
    "weight 0.5 x 10 = 5)",
    "pool_size": "Image pool size per replica (0: off)",
    "lr": "Adam learning rate (official 2e-4; the seed 3e-4)",
    "beta_1": "Adam beta_1",
    "beta_2": "Adam beta_2",
    "n_epochs": "Epochs at the initial learning rate",
    "n_epochs_decay": "Epochs of linear decay towards zero after --n_epochs",
    "batch_size": "Batch size per replica",
    "mixed_precision": "'none' (float32) or 'bfloat16' (Keras mixed_bfloat16: bfloat16 "
    "compute, float32 variables; instance norm, the output tanh and the losses in float32)",
    "jit_compile": "XLA-compile the step (single device; slower on CPU, see PERFORMANCE.md)",
}
# Fields that are shared flags (flags.common) rather than flags of this driver.
COMMON_FIELDS = ("workdir", "seed", "strategy", "progress_interval")

RUN_FLAGS = define_dataclass_flags(RunConfig, RUN_HELP, skip=COMMON_FIELDS, reference=None)
MODEL_FLAGS = define_dataclass_flags(ModelConfig, MODEL_HELP, reference=None)


def config_from_flags() -> RunConfig:
    """A RunConfig from the parsed flags (shared ones from flags.common)."""
    values = dataclass_values(RunConfig, absl_flags.FLAGS, skip=COMMON_FIELDS)
    return RunConfig(
        workdir=common.WORKDIR.value or f"runs/cyclegan_{values['dataset']}",
        seed=common.SEED.value,
        strategy=common.STRATEGY.value,
        progress_interval=common.PROGRESS_INTERVAL.value,
        model=ModelConfig(**dataclass_values(ModelConfig, absl_flags.FLAGS)),
        **values,
    )


def test_config_from_flags() -> RunConfig:
    """For --mode=test, translate and export: flags not given on the command line take the
    trained run's values; raises naming --workdir, before anything is written, when there is
    no trained run.

    So ``--mode=test --workdir=W`` translates the same test split the run in W sampled from.
    """
    config = config_from_flags()
    saved = snapshots.load_run_config(config.workdir)

    def given(name: str) -> bool:
        return absl_flags.FLAGS[name].present

    run_values = dataclass_values(RunConfig, absl_flags.FLAGS, skip=COMMON_FIELDS)
    model_values = dataclass_values(ModelConfig, absl_flags.FLAGS)
    return dataclasses.replace(
        config,
        seed=config.seed if given("seed") else saved.seed,
        model=dataclasses.replace(
            saved.model, **{k: v for k, v in model_values.items() if given(k)}
        ),
        **{k: (v if given(k) else getattr(saved, k)) for k, v in run_values.items()},
    )
