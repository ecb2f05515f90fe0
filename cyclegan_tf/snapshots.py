"""Choosing a trained state: the latest checkpoint, or a snapshot picked with --checkpoint.

Training keeps the last 3 checkpoints in ``workdir/checkpoints`` (``ckpt-<step>``) and one
snapshot every ``--save_epoch_freq`` epochs in ``workdir/snapshots`` (``epoch-<n>``, all
kept, as the official code's ``<epoch>_net_G_A.pth``). Test, translate and export restore
the two generators from either.
"""

from __future__ import annotations

import os

import keras
import tensorflow as tf

from cyclegan_tf.builder import generator
from cyclegan_tf.config import CONFIG_FILE, RunConfig, saved_run_config

CHECKPOINTS = "checkpoints"
SNAPSHOTS = "snapshots"


def load_run_config(workdir: str) -> RunConfig:
    """The trained run's settings; raises naming --workdir when there is no run."""
    saved = saved_run_config(workdir)
    if saved is None:
        raise ValueError(f"--workdir={workdir}: no trained run here (no {CONFIG_FILE})")
    return saved


def resolve_checkpoint(workdir: str, checkpoint: str | None) -> str:
    """The checkpoint prefix to restore.

    Args:
      workdir: the run.
      checkpoint: None or '' for the latest in ``checkpoints/``; else a snapshot name
        (``epoch-10``), a checkpoint name (``ckpt-600``), a bare epoch number (``10``), or a
        path prefix.
    """
    if not checkpoint:
        latest = tf.train.latest_checkpoint(os.path.join(workdir, CHECKPOINTS))
        if latest is None:
            raise ValueError(f"--workdir={workdir}: no checkpoint in {CHECKPOINTS}/ to use")
        return latest
    candidates = [checkpoint, os.path.join(workdir, checkpoint)]
    if checkpoint.isdigit():
        candidates.append(os.path.join(workdir, SNAPSHOTS, f"epoch-{checkpoint}"))
    candidates += [
        os.path.join(workdir, SNAPSHOTS, checkpoint),
        os.path.join(workdir, CHECKPOINTS, checkpoint),
    ]
    for prefix in candidates:
        if tf.io.gfile.exists(f"{prefix}.index"):
            return prefix
    available = sorted(
        os.path.basename(p)[: -len(".index")]
        for folder in (CHECKPOINTS, SNAPSHOTS)
        for p in tf.io.gfile.glob(os.path.join(workdir, folder, "*.index"))
    )
    raise ValueError(
        f"--checkpoint={checkpoint}: not found in {workdir} "
        f"(available: {', '.join(available) or 'none'})"
    )


def restore_generators(
    config: RunConfig, prefix: str, eval_mode: bool = False
) -> tuple[keras.Model, keras.Model]:
    """G_AB (domain A to B) and G_BA of the run ``config`` describes, with the weights
    saved at ``prefix`` (a checkpoint names the generators after the data's domains,
    whichever ``--direction`` the run trained).

    ``eval_mode`` is the official test's ``--eval`` (default off, as there): with
    ``--norm=batch``, the generators called with ``training=False`` normalise with the
    running statistics; without it, each image with its own statistics, as the official
    test's networks in train mode on one image at a time. Neither moves the restored
    running statistics; instance norm is the same either way.
    """
    g_ab, g_ba = (
        generator(config.model, name, use_running_statistics=eval_mode) for name in ("G_AB", "G_BA")
    )
    status = tf.train.Checkpoint(g_ab=g_ab, g_ba=g_ba).restore(prefix).expect_partial()
    status.assert_existing_objects_matched()
    return g_ab, g_ba
