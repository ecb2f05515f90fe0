"""Every hyper-parameter of the original SeqGAN oracle experiment, with its value there.

Values are those of the authors' current published code (sequence_gan.py and the
model classes) as recorded in the project's spec; where the paper-era code differed
the comment says so.
"""

from __future__ import annotations

import dataclasses
import math

KERNELS = ("fast", "reference")  # seqgan_tf/models/kernels/


def check_kernels(kernels: str) -> str:
    """``kernels`` if it names a path of seqgan_tf/models/kernels/, else an error naming
    the flag."""
    if kernels not in KERNELS:
        raise ValueError(f"--kernels={kernels!r}: expected one of {', '.join(KERNELS)}")
    return kernels


def check_temperature(value: str | float, flag: str = "temperature") -> float:
    """``value`` as a sampling temperature (a finite number above 0), else an error naming
    ``--flag``. Free of TensorFlow, so the driver checks its flags with it before loading
    TensorFlow."""
    try:
        temperature = float(value)
    except ValueError:
        temperature = math.nan
    if not (math.isfinite(temperature) and temperature > 0.0):
        raise ValueError(f"--{flag}={value}: must be a finite number above 0")
    return temperature


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """Shapes and optimiser settings of the four networks."""

    vocab_size: int = 5000
    sequence_length: int = 20
    start_token: int = 0
    batch_size: int = 64

    # Generator (and oracle, and rollout network): same LSTM shapes.
    gen_emb_dim: int = 32
    gen_hidden_dim: int = 32
    gen_init_stddev: float = 0.1  # every generator parameter, biases included, ~ N(0, 0.1)
    oracle_init_stddev: float = 1.0  # the paper's oracle: every parameter ~ N(0, 1)
    gen_learning_rate: float = 0.01  # the paper-era code used Adam's default 1e-3
    gen_grad_clip: float = 5.0  # global norm
    adam_epsilon: float = 1e-8  # TF1's AdamOptimizer default (Keras' default is 1e-7)

    # Discriminator (CNN text classifier with one highway layer).
    dis_emb_dim: int = 64
    dis_filter_sizes: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20)
    dis_num_filters: tuple[int, ...] = (100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160, 160)
    dis_dropout_keep_prob: float = 0.75
    dis_l2_reg_lambda: float = 0.2
    dis_learning_rate: float = 1e-4
    dis_highway_gate_bias: float = 0.0  # highway() defaults to -2.0; the discriminator passes 0
    dis_highway_bias: bool = True  # the paper-era code's highway had no biases
    dis_shuffle: str = "per_round"  # the paper-era code reshuffled every epoch: "per_epoch"

    # Rollout.
    rollout_num: int = 16
    rollout_update_rate: float = 0.8  # 0.0 reproduces what the original code actually did

    # Not a setting of the original: the speed kernels or the plain TensorFlow path.
    kernels: str = dataclasses.field(default="fast", metadata={"original": False})

    def __post_init__(self) -> None:
        """Every value checked before anything runs; errors name the flag."""
        for name in (
            "vocab_size",
            "sequence_length",
            "batch_size",
            "gen_emb_dim",
            "gen_hidden_dim",
            "dis_emb_dim",
            "rollout_num",
        ):
            _at_least(name, getattr(self, name), 1)
        for name in ("dis_filter_sizes", "dis_num_filters"):
            if not getattr(self, name):
                raise ValueError(f"--{name} is empty")
            for value in getattr(self, name):
                _at_least(name, value, 1)
        if len(self.dis_filter_sizes) != len(self.dis_num_filters):
            raise ValueError(
                f"--dis_filter_sizes has {len(self.dis_filter_sizes)} entries but "
                f"--dis_num_filters has {len(self.dis_num_filters)}"
            )
        for name in (
            "gen_init_stddev",
            "oracle_init_stddev",
            "adam_epsilon",
            "gen_learning_rate",
            "gen_grad_clip",
            "dis_learning_rate",
        ):
            if not getattr(self, name) > 0:
                raise ValueError(f"--{name} must be positive, got {getattr(self, name)}")
        if not self.dis_l2_reg_lambda >= 0:
            raise ValueError(
                f"--dis_l2_reg_lambda must be at least 0, got {self.dis_l2_reg_lambda}"
            )
        if not 0.0 < self.dis_dropout_keep_prob <= 1.0:
            raise ValueError(
                f"--dis_dropout_keep_prob must lie in (0, 1], got {self.dis_dropout_keep_prob}"
            )
        if not 0.0 <= self.rollout_update_rate <= 1.0:
            raise ValueError(
                f"--rollout_update_rate must lie in [0, 1], got {self.rollout_update_rate}"
            )
        if self.dis_shuffle not in ("per_round", "per_epoch"):
            raise ValueError(f"--dis_shuffle={self.dis_shuffle!r}: expected per_round or per_epoch")
        check_kernels(self.kernels)
        if not 0 <= self.start_token < self.vocab_size:
            raise ValueError(
                f"--start_token={self.start_token} outside the vocabulary [0, {self.vocab_size})"
            )


def _at_least(name: str, value: int, minimum: int) -> None:
    if value < minimum:
        raise ValueError(f"--{name} must be at least {minimum}, got {value}")
