"""The settings of a run (one field per flag of cyclegan_tf.main)."""

from __future__ import annotations

import dataclasses
import json
import os

from cyclegan_tf.builder import MIXED_PRECISION_CHOICES, ModelConfig
from cyclegan_tf.discriminator import DISCRIMINATOR_CHOICES
from cyclegan_tf.generator import UPSAMPLE_CHOICES
from cyclegan_tf.losses import GAN_MODES
from cyclegan_tf.normalization import NORM_CHOICES
from cyclegan_tf.transforms import PREPROCESS_CHOICES, VARYING_SIZE_PREPROCESS, InferenceTransform
from fileio.atomic import write_atomically

CONFIG_FILE = "config.json"  # a run's settings, in its workdir
DATASET_CHOICES = ("auto", "facades", "synthetic_facades", "folder")
LABEL_PALETTE_CHOICES = ("auto", "none", "facades", "synthetic_facades")
# Official --direction: which way between the data's domains A and B the run translates.
DIRECTIONS = ("AtoB", "BtoA")
# Fields that fix the checkpoint's shapes or the meaning of its step: a resumed run must match.
ARCHITECTURE_FIELDS = ("crop_size", "direction")
MODEL_ARCHITECTURE_FIELDS = (
    "n_blocks",
    "ngf",
    "ndf",
    "n_layers_d",
    "upsample",
    "discriminator",
    "norm",
    "pool_size",
    "batch_size",
)


@dataclasses.dataclass
class RunConfig:
    """A run: data, the model's settings (``model``), and how the run is driven."""

    workdir: str = "runs/cyclegan"
    dataset: str = "auto"
    data_dir: str | None = None
    manual_dir: str | None = None
    data_folder: str | None = None
    paired_test: bool = False  # --dataset=folder: testA[i] and testB[i] pair up by name
    synthetic_train: int = 400
    synthetic_test: int = 106
    synthetic_size: int = 0  # 0: generate at load_size
    load_size: int = 286
    crop_size: int = 256
    flip: bool = True
    preprocess: str = "resize_and_crop"  # official --preprocess
    # Official --direction: training, BtoA swaps the roles of A and B; test, translate and
    # export, the translation to run (default: the trained run's).
    direction: str = "AtoB"
    model: ModelConfig = dataclasses.field(default_factory=ModelConfig)
    run_eagerly: bool = False
    seed: int = 88
    strategy: str = "default"
    sample_every: int = 100
    n_samples: int = 5
    checkpoint_every: int = 100
    summary_every: int = 10
    progress_interval: float = 10.0
    max_steps: int = 0  # > 0: stop (checkpointed) once the global step reaches it
    save_epoch_freq: int = 5  # official: a snapshot every 5 epochs, all kept
    deterministic: bool = False  # tf.config.experimental.enable_op_determinism()
    label_palette: str = "auto"  # test mode: score B outputs as label maps (label_metrics)
    # Set by training from the strategy (not a flag): the pools and the per-replica batch
    # are per replica, so a run resumes only on as many replicas as it was trained on.
    replicas: int = dataclasses.field(default=0, metadata={"flag": False})

    @property
    def varying_size(self) -> bool:
        """Whether the training images vary in size (``--preprocess=scale_width|none``)."""
        return self.preprocess in VARYING_SIZE_PREPROCESS

    def inference_transform(self) -> InferenceTransform:
        """How test, translate and export prepare images for this run's model."""
        return InferenceTransform(self.crop_size, self.preprocess, self.load_size)

    def model_config(self) -> ModelConfig:
        """The model's settings with the image size (the crop; None when the images vary
        in size) and the run's seed."""
        size = None if self.varying_size else self.crop_size
        return dataclasses.replace(self.model, image_size=size, seed=self.seed)

    def validate(self) -> None:
        """Raises ValueError naming the first bad flag; reads and writes nothing."""
        model = self.model
        at_least = [
            ("synthetic_train", self.synthetic_train, 1),
            ("synthetic_test", self.synthetic_test, 1),
            ("synthetic_size", self.synthetic_size, 0),
            ("load_size", self.load_size, 1),
            ("n_samples", self.n_samples, 1),
            ("sample_every", self.sample_every, 0),
            ("checkpoint_every", self.checkpoint_every, 0),
            ("summary_every", self.summary_every, 1),
            ("max_steps", self.max_steps, 0),
            ("save_epoch_freq", self.save_epoch_freq, 0),
            ("progress_interval", self.progress_interval, 0),
            ("n_blocks", model.n_blocks, 0),
            ("ngf", model.ngf, 1),
            ("ndf", model.ndf, 1),
            ("n_layers_d", model.n_layers_d, 1),
            ("batch_size", model.batch_size, 1),
            ("pool_size", model.pool_size, 0),
            ("n_epochs", model.n_epochs, 0),
            ("n_epochs_decay", model.n_epochs_decay, 0),
            ("lambda_a", model.lambda_a, 0),
            ("lambda_b", model.lambda_b, 0),
            ("lambda_identity", model.lambda_identity, 0),
        ]
        checks = [
            (
                self.dataset in DATASET_CHOICES,
                f"--dataset={self.dataset}: expected one of {', '.join(DATASET_CHOICES)}",
            ),
            *[
                (value >= low, f"--{name}={value}: must be >= {low}")
                for name, value, low in at_least
            ],
            (self.crop_size >= 16, f"--crop_size={self.crop_size}: must be >= 16"),
            (
                self.synthetic_size == 0 or self.synthetic_size >= 16,
                f"--synthetic_size={self.synthetic_size}: must be 0 (= --load_size) or >= 16",
            ),
            (
                model.discriminator != "patch70" or self.crop_size >= 3 * 2**model.n_layers_d,
                f"--crop_size={self.crop_size}: the PatchGAN with --n_layers_d="
                f"{model.n_layers_d} needs >= {3 * 2**model.n_layers_d} px",
            ),
            (
                self.crop_size % 4 == 0,
                f"--crop_size={self.crop_size}: must be a multiple of 4 "
                "(two stride-2 downsamplings)",
            ),
            (
                self.preprocess in PREPROCESS_CHOICES,
                f"--preprocess={self.preprocess}: expected one of " + ", ".join(PREPROCESS_CHOICES),
            ),
            (
                not self.varying_size or model.batch_size == 1,
                f"--preprocess={self.preprocess} gives images of varying size, which train "
                f"one at a time: it needs --batch_size=1, not {model.batch_size}",
            ),
            (
                not (self.varying_size and model.jit_compile),
                f"--jit_compile with --preprocess={self.preprocess}: XLA compiles a step per "
                "image shape and cannot compile the image pools of varying size",
            ),
            (
                self.direction in DIRECTIONS,
                f"--direction={self.direction}: expected one of {', '.join(DIRECTIONS)}",
            ),
            (
                model.norm in NORM_CHOICES,
                f"--norm={model.norm}: expected one of {', '.join(NORM_CHOICES)}",
            ),
            (
                self.load_size >= self.crop_size,
                f"--load_size={self.load_size} is smaller than --crop_size={self.crop_size}",
            ),
            (
                model.upsample in UPSAMPLE_CHOICES,
                f"--upsample={model.upsample}: expected one of {', '.join(UPSAMPLE_CHOICES)}",
            ),
            (
                model.discriminator in DISCRIMINATOR_CHOICES,
                f"--discriminator={model.discriminator}: expected one of "
                + ", ".join(DISCRIMINATOR_CHOICES),
            ),
            (
                model.mixed_precision in MIXED_PRECISION_CHOICES,
                f"--mixed_precision={model.mixed_precision}: expected one of "
                + ", ".join(MIXED_PRECISION_CHOICES)
                + " (float16 needs loss scaling, which this port does not do: use bfloat16)",
            ),
            (
                model.gan_mode in GAN_MODES,
                f"--gan_mode={model.gan_mode}: expected one of {', '.join(GAN_MODES)}",
            ),
            (model.lr > 0, f"--lr={model.lr}: must be > 0"),
            (0 <= model.beta_1 < 1, f"--beta_1={model.beta_1}: must be in [0, 1)"),
            (0 <= model.beta_2 < 1, f"--beta_2={model.beta_2}: must be in [0, 1)"),
            (
                model.n_epochs + model.n_epochs_decay >= 1,
                "--n_epochs + --n_epochs_decay must be >= 1",
            ),
            (
                self.label_palette in LABEL_PALETTE_CHOICES,
                f"--label_palette={self.label_palette}: expected one of "
                + ", ".join(LABEL_PALETTE_CHOICES),
            ),
            (
                self.dataset != "folder" or bool(self.data_folder),
                "--dataset=folder needs --data_folder",
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)

    def save(self, path: str) -> None:
        # Written aside and renamed: the other workers of a multi-worker run read this
        # file while the chief rewrites it, and must never see it half written.
        write_atomically(path, json.dumps(dataclasses.asdict(self), indent=1, sort_keys=True))

    @classmethod
    def load(cls, path: str) -> RunConfig:
        """Reads ``config.json``, also in the flat layout written before ``model`` existed."""
        import tensorflow as tf

        with tf.io.gfile.GFile(path) as f:
            values = json.loads(f.read())
        model_names = {f.name for f in dataclasses.fields(ModelConfig)}
        model_values = values.pop("model", None) or {
            k: values[k] for k in (model_names | {"lambda_cycle"}) & set(values) - {"seed"}
        }
        # Runs saved before --lambda_a/--lambda_b had one --lambda_cycle for both.
        if "lambda_cycle" in model_values:
            cycle = model_values.pop("lambda_cycle")
            model_values.setdefault("lambda_a", cycle)
            model_values.setdefault("lambda_b", cycle)
        known = {f.name for f in dataclasses.fields(cls)} - {"model"}
        model = ModelConfig(**{k: v for k, v in model_values.items() if k in model_names})
        return cls(model=model, **{k: v for k, v in values.items() if k in known})

    def check_resumable(self, saved: RunConfig, path: str) -> None:
        """Raises if a flag that shapes the checkpoint differs from the run in ``path``."""
        if saved.replicas and self.replicas and saved.replicas != self.replicas:
            raise ValueError(
                f"the run saved in {os.path.dirname(path)} trained on {saved.replicas} "
                f"replica(s) and this process has {self.replicas} (--strategy={self.strategy}): "
                "each replica keeps its own image pools and batch, so it resumes only on "
                f"{saved.replicas}; use the same --strategy and devices, or another --workdir."
            )
        if self.varying_size != saved.varying_size:
            raise ValueError(
                f"--preprocess={self.preprocess}: the run saved in {os.path.dirname(path)} "
                f"used --preprocess={saved.preprocess}, and the image pools of images of one "
                "size and of varying sizes differ; use another --workdir."
            )
        pairs = [(name, self, saved) for name in ARCHITECTURE_FIELDS]
        pairs += [(name, self.model, saved.model) for name in MODEL_ARCHITECTURE_FIELDS]
        for name, here, there in pairs:
            if getattr(here, name) != getattr(there, name):
                raise ValueError(
                    f"--{name}={getattr(here, name)} differs from {getattr(there, name)} used "
                    f"by the run saved in {os.path.dirname(path)}; use another --workdir."
                )


def saved_run_config(workdir: str) -> RunConfig | None:
    """The settings the run in ``workdir`` saved (its ``config.json``); None when there is
    none. Through tf.io.gfile, as every read of the workdir: it may be on gs://."""
    import tensorflow as tf

    path = os.path.join(workdir, CONFIG_FILE)
    if not tf.io.gfile.exists(path):
        return None
    return RunConfig.load(path)
