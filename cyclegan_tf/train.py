"""The training driver: data, model, checkpoints and callbacks around ``model.fit``.

The keras-io CycleGAN pattern (``CycleGAN.train_step`` run by ``fit``; sampling, progress,
TensorBoard and checkpoints as callbacks), with one ``fit`` per epoch: each epoch has its own
data order, and after a kill the run restarts in the middle of its epoch, at the step of the
last checkpoint (the learning rate and the data follow from that step). The checkpoint
(``tf.train.CheckpointManager``) holds the four networks, both optimisers, both pools and
the epoch. (Over 300 lines: the multi-worker loop, its stop agreement and the driver share
the stop request and the step function; the loop could move to a module of its own.)
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time

import keras
import tensorflow as tf
from absl import logging

from cyclegan_tf import data
from cyclegan_tf.builder import build_cyclegan, networks_by_domain
from cyclegan_tf.callbacks import (
    PeriodicCheckpoint,
    ProgressLogger,
    SampleGrid,
    StepHooks,
    TensorBoardScalars,
)
from cyclegan_tf.config import CONFIG_FILE, RunConfig, saved_run_config
from cyclegan_tf.model import CycleGAN
from flags.common import is_chief, setup_logging


def load_images(config: RunConfig) -> data.ImageSet:
    """The ImageSet named by ``--dataset`` ('auto': facades, else the folder, else synthetic)."""
    name = config.dataset
    if name == "auto":
        if data.facades_available(config.data_dir, config.manual_dir):
            name = "facades"
        elif config.data_folder and os.path.isdir(config.data_folder):
            name = "folder"
        else:
            name = "synthetic_facades"
        logging.info("--dataset=auto: using %s", name)
    if name == "facades":
        return data.load_tfds_facades(config.data_dir, config.manual_dir)
    if name == "folder":
        return data.load_folder(config.data_folder, config.paired_test)
    size = config.synthetic_size or config.load_size
    return data.load_synthetic(config.seed, config.synthetic_train, config.synthetic_test, size)


def make_checkpoint(
    model: CycleGAN, epoch: tf.Variable, direction: str = "AtoB"
) -> tf.train.Checkpoint:
    """Everything a resumed run needs; the optimisers carry the step (``iterations``).

    The networks are saved under the data's domains (``g_ab`` maps domain A to B whichever
    ``direction`` the run trains: :func:`networks_by_domain`), so that test, translate and
    export read every checkpoint alike; the pools under the model's (its A is the data's B
    when ``direction`` is BtoA).
    """
    return tf.train.Checkpoint(
        **networks_by_domain(model, direction),
        g_optimizer=model.g_optimizer,
        d_optimizer=model.d_optimizer,
        pool_a=model.pool_a,
        pool_b=model.pool_b,
        epoch=epoch,
    )


class _StopRequest:
    """SIGTERM/SIGINT set a flag; the loop checkpoints after the current step and returns.

    ``requested`` is this process's signal. Workers of a multi-worker run must stop after
    the same step, so there the loop sets ``agreed`` from all the workers' requests (see
    :func:`fit_epoch`), and :attr:`should_stop` follows it alone.
    """

    def __init__(self):
        self.requested = False
        self.agreed: bool | None = None  # None: one process, the local request decides
        self._previous = {}

    @property
    def should_stop(self) -> bool:
        return self.requested if self.agreed is None else self.agreed

    def __enter__(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                self._previous[sig] = signal.signal(sig, self._handle)
            except ValueError:  # not the main thread: rely on periodic checkpoints
                pass
        return self

    def _handle(self, signum, frame):
        logging.warning("signal %d: stopping after this step (checkpointed)", signum)
        self.requested = True

    def __exit__(self, *exc):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


STOP_KEY = "stop_requests"


def distributed_step(model: CycleGAN, strategy: tf.distribute.Strategy):
    """One ``tf.function`` running ``train_step`` on every replica, made once per run (a
    function made per epoch would be traced again every epoch). ``step_fn(batch, stop)``
    also sums ``stop`` (1.0 where a stop was requested) over the replicas of all workers."""

    def replica_step(batch, stop):
        logs = model.train_step(batch)
        # Preemption agreement: the workers' stop requests, summed with the step's losses,
        # so that every worker learns of a SIGTERM sent to any of them at the same step.
        # (tf.identity: a copy on this replica's device, which the all-reduce needs.)
        logs[STOP_KEY] = tf.distribute.get_replica_context().all_reduce(
            tf.distribute.ReduceOp.SUM, tf.identity(stop)
        )
        return logs

    @tf.function
    def step_fn(batch, stop):
        logs = strategy.run(replica_step, args=(batch, stop))
        # train_step's losses are already summed over the replicas: any replica's will do.
        return {k: strategy.experimental_local_results(v)[0] for k, v in logs.items()}

    return step_fn


def _local_replicas(strategy: tf.distribute.Strategy) -> int:
    """Replicas in this process (train_step's Python runs once for each in a trace)."""
    try:
        return len(strategy.extended.worker_devices)
    except RuntimeError:  # the default strategy: one replica, no worker_devices
        return 1


def fit_epoch(
    model: CycleGAN,
    strategy: tf.distribute.Strategy,
    make_dataset,
    epoch: int,
    steps: int,
    global_batch: int,
    callbacks: list,
    step_fn=None,
    stop=None,
) -> None:
    """``steps`` steps of ``epoch`` with ``callbacks``; ``make_dataset(num_shards,
    shard_index, batch)`` gives the epoch's images of one shard in batches of ``batch``.

    ``model.fit`` on one machine. Keras 3's ``fit`` fails under MultiWorkerMirroredStrategy
    (keras-team/keras#20585), so there the same ``train_step`` and callbacks run in a loop
    of their own: each worker reads only its shard, every n-th image (n = workers) of the
    epoch's sequence, sharded before any file is read, so that each step's global batch
    holds the images it holds on one machine. ``step_fn``: :func:`distributed_step` of the
    run (multi-worker only). ``stop``: the run's stop request (SIGTERM/SIGINT); in the
    multi-worker loop a request on any worker stops every worker after the same step, so
    that they all make the same (collective) checkpoint save instead of waiting for one
    another in different collectives.
    """
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        model.fit(
            make_dataset(1, 0, global_batch),
            initial_epoch=epoch,
            epochs=epoch + 1,
            steps_per_epoch=steps,
            callbacks=callbacks,
            shuffle=False,  # the data set holds the epoch's own order
            verbose=0,
        )
        return

    def per_worker(context: tf.distribute.InputContext) -> tf.data.Dataset:
        return make_dataset(
            context.num_input_pipelines,
            context.input_pipeline_id,
            context.get_per_replica_batch_size(global_batch),
        )

    step_fn = step_fn or distributed_step(model, strategy)
    if stop is not None and stop.agreed is None:
        stop.agreed = False  # from now on only the workers' agreement stops the loop
    callback_list = keras.callbacks.CallbackList(callbacks, model=model)
    model.stop_training = False
    model.reset_metrics()
    callback_list.on_train_begin()
    callback_list.on_epoch_begin(epoch)
    logs: dict = {}
    for index, batch in enumerate(strategy.distribute_datasets_from_function(per_worker)):
        if index >= steps or model.stop_training:
            break
        requested = 1.0 if stop is not None and stop.requested else 0.0
        logs = dict(step_fn(batch, tf.constant(requested)))
        agreed = float(logs.pop(STOP_KEY)) > 0
        if stop is not None:
            if agreed and not stop.agreed and not stop.requested:
                logging.warning("another worker is stopping: stopping after this step")
            stop.agreed = agreed
        callback_list.on_train_batch_end(index, logs)
    callback_list.on_epoch_end(epoch, logs)
    callback_list.on_train_end(logs)


def train(
    config: RunConfig,
    strategy: tf.distribute.Strategy | None = None,
    on_step=None,
    log_name: str | None = None,
) -> dict:
    """Trains (or resumes) the run in ``config.workdir``; returns a summary dict.

    Every flag and every input image is checked before the workdir is touched, so a bad
    command leaves nothing behind; ``config.json`` of a run that never checkpointed is
    replaced by the next command's, whatever its settings.

    Under a multi-worker strategy every worker runs this; the chief writes the workdir and
    the others write their (collective) checkpoint saves, samples and summaries to a
    temporary folder deleted at the end, and every worker resumes from the chief's
    checkpoints. ``log_name``: also log to this file in the workdir (the chief's driver).

    ``on_step(step, logs)`` is called after every step, before the callbacks (so before any
    checkpoint of that step): tests record losses with it and simulate a kill by raising.
    """
    config.validate()
    if config.deterministic:
        # Seeds are set by the driver; this makes GPU kernels (and tf.data) repeatable.
        tf.config.experimental.enable_op_determinism()
    strategy = strategy or tf.distribute.get_strategy()
    config.replicas = strategy.num_replicas_in_sync
    chief = is_chief(strategy)
    images = load_images(config)
    global_batch = config.model.batch_size * config.replicas
    if config.varying_size and global_batch != 1:
        raise ValueError(
            f"--preprocess={config.preprocess} gives images of varying size, which train one "
            f"at a time: it needs one replica, not {config.replicas} (--strategy={config.strategy})"
        )
    steps_per_epoch = data.steps_per_epoch(images, global_batch)
    # Inputs are good: from here on the workdir is written.
    tf.io.gfile.makedirs(config.workdir)
    if log_name:
        setup_logging(config.workdir, log_name)
    output_dir = config.workdir if chief else tempfile.mkdtemp(prefix="cyclegan_worker_")
    try:
        return _train(config, strategy, on_step, chief, output_dir, images, steps_per_epoch)
    finally:
        if not chief:
            shutil.rmtree(output_dir, ignore_errors=True)


def _train(
    config, strategy, on_step, chief: bool, output_dir: str, images, steps_per_epoch: int
) -> dict:
    config_path = os.path.join(config.workdir, CONFIG_FILE)
    logging.info(
        "data: %s (train %d A / %d B, test %d A / %d B, aligned=%s)",
        images.description,
        len(images.train_a),
        len(images.train_b),
        len(images.test_a),
        len(images.test_b),
        images.aligned,
    )
    replicas = strategy.num_replicas_in_sync
    global_batch = config.model.batch_size * replicas
    total_steps = steps_per_epoch * (config.model.n_epochs + config.model.n_epochs_decay)
    model = build_cyclegan(
        config.model_config(), strategy, steps_per_epoch, config.run_eagerly, config.direction
    )
    with strategy.scope():
        epoch_var = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
    checkpoint = make_checkpoint(model, epoch_var, config.direction)
    manager = tf.train.CheckpointManager(
        checkpoint, os.path.join(output_dir, "checkpoints"), max_to_keep=3
    )
    latest = tf.train.latest_checkpoint(os.path.join(config.workdir, "checkpoints"))
    if latest:
        # Only a run that checkpointed binds the workdir to its settings.
        saved = saved_run_config(config.workdir)
        if saved is not None:
            config.check_resumable(saved, config_path)
        checkpoint.restore(latest).assert_existing_objects_matched()
        logging.info("resumed from %s", latest)
    if chief:
        config.save(config_path)
    start_step = int(model.g_optimizer.iterations.numpy())
    step = start_step
    if int(epoch_var.numpy()) != step // steps_per_epoch:
        raise ValueError(
            f"{latest}: epoch {int(epoch_var.numpy())} does not match step "
            f"{step} at {steps_per_epoch} steps per epoch (was the data changed?)"
        )
    logging.info(
        "global batch %d (%d per replica x %d replicas), %d steps per epoch, step %d of %d",
        global_batch,
        config.model.batch_size,
        replicas,
        steps_per_epoch,
        step,
        total_steps,
    )

    n = min(config.n_samples, len(images.test_a), len(images.test_b))
    transform = config.inference_transform()
    samples = data.test_dataset(images.test_a, images.test_b, transform, batch=n)
    if transform.varying_size:  # one pair per batch: a list of batches of one
        sample_pairs = [(a.numpy(), b.numpy()) for a, b in samples.take(n)]
        sample_a, sample_b = [a for a, _ in sample_pairs], [b for _, b in sample_pairs]
    else:
        sample_a, sample_b = (x.numpy() for x in next(iter(samples)))
    by_domain = networks_by_domain(model, config.direction)
    sampler = SampleGrid(
        os.path.join(output_dir, "samples"),
        sample_a,
        sample_b,
        config.sample_every,
        by_domain["g_ab"],
        by_domain["g_ba"],
    )
    snapshot_manager = tf.train.CheckpointManager(
        checkpoint, os.path.join(output_dir, "snapshots"), max_to_keep=None, checkpoint_name="epoch"
    )
    checkpointer = PeriodicCheckpoint(
        manager,
        config.checkpoint_every,
        steps_per_epoch,
        snapshot_manager,
        config.save_epoch_freq,
    )
    last_step = total_steps if config.max_steps <= 0 else min(total_steps, config.max_steps)
    start_time = time.time()
    with _StopRequest() as stop:
        hooks = StepHooks(epoch_var, steps_per_epoch, last_step, stop, on_step)
        # In order: the hooks first (a test's kill lands before the step's checkpoint).
        callbacks = [
            hooks,
            ProgressLogger(total_steps, steps_per_epoch, global_batch, config.progress_interval),
            TensorBoardScalars(
                os.path.join(output_dir, "tensorboard"),
                config.summary_every,
                lambda: model.g_optimizer.learning_rate,
            ),
            sampler,
            checkpointer,
        ]
        step_fn = (
            distributed_step(model, strategy)
            if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
            else None
        )
        while step < last_step and not stop.should_stop:
            # One fit per epoch: each epoch has its own data order, and a resumed epoch
            # starts at the step where the run stopped.
            epoch, offset = divmod(step, steps_per_epoch)

            def make_dataset(num_shards, shard_index, batch, epoch=epoch, offset=offset):
                return data.train_dataset(
                    images,
                    epoch,
                    offset,
                    global_batch,
                    config.load_size,
                    config.crop_size,
                    config.flip,
                    config.seed,
                    num_shards,
                    shard_index,
                    batch,
                    config.preprocess,
                    config.direction,
                )

            steps = min(steps_per_epoch - offset, last_step - step)
            fit_epoch(
                model, strategy, make_dataset, epoch, steps, global_batch, callbacks, step_fn, stop
            )
            step = model.global_step
        # Decided from the step alone, so that every worker of a multi-worker run makes
        # the same (collective) save.
        already_saved = checkpointer.saved_step == step or (step == start_step and latest)
        if not already_saved:
            manager.save(checkpoint_number=step)
    if step > start_step and (
        sampler.last_path is None or not sampler.last_path.endswith(f"{step:07d}.png")
    ):
        sampler.write(step)
    logs = hooks.logs
    traces = model.traced_replica_steps // _local_replicas(strategy)
    elapsed = time.time() - start_time
    logging.info(
        "stopped at step %d of %d (epoch %d) after %.1f s; checkpoint %s; step traced %d time(s)",
        step,
        total_steps,
        int(epoch_var.numpy()),
        elapsed,
        manager.latest_checkpoint,
        traces,
    )
    return {
        "step": step,
        "start_step": start_step,
        "total_steps": total_steps,
        "epoch": int(epoch_var.numpy()),
        "logs": logs,
        "checkpoint": manager.latest_checkpoint,
        "samples": sampler.last_path,
        "model": model,
        "traces": traces,
    }
