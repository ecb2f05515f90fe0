"""Builds the CycleGAN model, its optimisers and the distributed train step from a config."""

from __future__ import annotations

import dataclasses

import keras
import tensorflow as tf

from cyclegan_tf.discriminator import PatchDiscriminator
from cyclegan_tf.generator import ResnetGenerator
from cyclegan_tf.image_pool import ImagePool
from cyclegan_tf.model import CycleGAN
from cyclegan_tf.schedule import LinearDecaySchedule


@dataclasses.dataclass
class ModelConfig:
    """Architecture and optimisation settings (the flags of the same names, official values).

    ``image_size`` and ``seed`` are not flags: a run sets them from ``--crop_size`` (None:
    images of varying size, ``--preprocess=scale_width|none``) and ``--seed``
    (:meth:`cyclegan_tf.config.RunConfig.model_config`).
    """

    image_size: int | None = dataclasses.field(default=256, metadata={"flag": False})
    n_blocks: int = 9
    ngf: int = 64  # filters of the generator's first layer
    ndf: int = 64  # filters of the discriminator's first layer
    n_layers_d: int = 3  # official --n_layers_D: stride-2 blocks of the 70x70 PatchGAN
    upsample: str = "transpose"
    discriminator: str = "patch70"
    norm: str = "instance"  # official --norm: instance, batch or none
    gan_mode: str = "lsgan"  # official default; or "vanilla" (BCE on logits)
    lambda_a: float = 10.0  # official lambda_A: cycle A -> B -> A
    lambda_b: float = 10.0  # official lambda_B: cycle B -> A -> B
    lambda_identity: float = 0.5  # official: identity weights = 0.5 x lambda_A, lambda_B
    pool_size: int = 50
    lr: float = 2e-4
    beta_1: float = 0.5
    beta_2: float = 0.999
    n_epochs: int = 100
    n_epochs_decay: int = 100
    batch_size: int = 1  # per replica
    jit_compile: bool = False
    mixed_precision: str = "none"  # or "bfloat16": bfloat16 compute, float32 variables
    seed: int = dataclasses.field(default=0, metadata={"flag": False})


MIXED_PRECISION_CHOICES = ("none", "bfloat16")
POLICIES = {"none": "float32", "bfloat16": "mixed_bfloat16"}


def generator(config: ModelConfig, name: str, use_running_statistics: bool = True) -> keras.Model:
    """One ResNet generator of the settings in ``config``; ``use_running_statistics``: what
    its batch norms normalise with at inference (:class:`ResnetGenerator`)."""
    return ResnetGenerator(
        config.n_blocks,
        config.upsample,
        config.ngf,
        name=name,
        norm=config.norm,
        use_running_statistics=use_running_statistics,
    )


def _networks(config: ModelConfig) -> dict[str, keras.Model]:
    def discriminator(name: str) -> keras.Model:
        return PatchDiscriminator(
            config.discriminator, config.ndf, name, config.n_layers_d, norm=config.norm
        )

    return dict(
        g_ab=generator(config, "G_AB"),
        g_ba=generator(config, "G_BA"),
        d_a=discriminator("D_A"),
        d_b=discriminator("D_B"),
    )


def _swap_domains(nets: dict[str, keras.Model]) -> dict[str, keras.Model]:
    return dict(g_ab=nets["g_ba"], g_ba=nets["g_ab"], d_a=nets["d_b"], d_b=nets["d_a"])


def networks_by_domain(model: CycleGAN, direction: str) -> dict[str, keras.Model]:
    """The four networks named after the data's domains: ``g_ab`` maps the images of
    domain A (trainA, testA) to domain B, ``d_a`` judges domain A, whichever way the run
    was trained. ``--direction=BtoA`` (the official swap of roles) feeds domain B to the
    model as its A, so there the model's ``g_ab`` is the data's ``g_ba``."""
    nets = dict(g_ab=model.g_ab, g_ba=model.g_ba, d_a=model.d_a, d_b=model.d_b)
    return nets if direction == "AtoB" else _swap_domains(nets)


def build_cyclegan(
    config: ModelConfig,
    strategy: tf.distribute.Strategy,
    steps_per_epoch: int,
    run_eagerly: bool = False,
    direction: str = "AtoB",
) -> CycleGAN:
    """Creates the four networks, the pools and the optimisers under ``strategy``, all
    built, and compiles the model for ``fit``. ``direction='BtoA'`` (official
    ``--direction``) swaps the roles of the domains: the model's A is the data's B, so
    its G_AB is the network named G_BA (:func:`networks_by_domain`), and ``lambda_a``
    weighs the cycle that starts from the data's B. ``config.jit_compile`` XLA-compiles the step
    on a single device (XLA cannot compile a MirroredStrategy step's all-reduce from here);
    ``run_eagerly`` skips tf.function (debugging, and runs of a handful of steps, where
    tracing costs more than it saves)."""
    replicas = strategy.num_replicas_in_sync
    if config.mixed_precision not in MIXED_PRECISION_CHOICES:
        raise ValueError(
            f"--mixed_precision={config.mixed_precision}: expected one of "
            + ", ".join(MIXED_PRECISION_CHOICES)
        )
    previous_policy = keras.mixed_precision.global_policy()
    with strategy.scope():
        keras.utils.set_random_seed(config.seed)
        # Layers take the policy when made; the global one is restored right after.
        keras.mixed_precision.set_global_policy(POLICIES[config.mixed_precision])
        try:
            nets = _networks(config)
        finally:
            keras.mixed_precision.set_global_policy(previous_policy)
        if direction == "BtoA":  # the model's roles from the data's names
            nets = _swap_domains(nets)
        # None x None: images of varying size (--preprocess=scale_width|none, batch 1).
        shape = (config.image_size, config.image_size, 3)
        model = CycleGAN(
            **nets,
            pool_a=ImagePool(config.pool_size, shape, replicas, seed=config.seed, name="pool_A"),
            pool_b=ImagePool(
                config.pool_size, shape, replicas, seed=config.seed + 1, name="pool_B"
            ),
            lambda_a=config.lambda_a,
            lambda_b=config.lambda_b,
            lambda_identity=config.lambda_identity,
            gan_mode=config.gan_mode,
            global_batch_size=config.batch_size * replicas,
        )

        def adam(name: str) -> keras.optimizers.Optimizer:
            schedule = LinearDecaySchedule(
                config.lr, steps_per_epoch, config.n_epochs, config.n_epochs_decay
            )
            # PyTorch's Adam epsilon (Keras' default is 1e-7).
            return keras.optimizers.Adam(
                schedule, beta_1=config.beta_1, beta_2=config.beta_2, epsilon=1e-8, name=name
            )

        model.compile(
            g_optimizer=adam("adam_G"),
            d_optimizer=adam("adam_D"),
            jit_compile=config.jit_compile and replicas == 1,
            run_eagerly=run_eagerly,
        )
        model.build_all(shape)
    return model
