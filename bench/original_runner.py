"""Runs the authors' TF1 SeqGAN code (a user's own clone) under ``tf.compat.v1`` from
given starting weights, for the parity harness (``bench.original_parity``).

Run as its own process (it switches TensorFlow to graph mode for good)::

    python -m bench.original_runner --original_repo=CLONE --start_dir=DIR --out_dir=DIR \
        --seed=1 --iterations=30 --dis_rounds=1 --dis_epochs=1 --export_every=5

Nothing of the clone is copied or edited. Its modules (``generator``, ``discriminator``,
``rollout``, ``dataloader``) are imported from the clone with two shims applied at import
time: ``import tensorflow`` inside them yields ``tf.compat.v1`` (with v2 behaviour off), and
``control_flow_ops.while_loop``, which TF 2.x moved, is pointed at ``tf.compat.v1.while_loop``.
The adversarial loop below calls the clone's classes in the order of its
``sequence_gan.py`` (which is Python 2 and is not imported): one generator step (sample a
batch, ``ROLLOUT.get_reward`` with 16 rollouts, ``g_updates``), ``rollout.update_params()``,
then ``dis_rounds`` rounds of: 10,000 // 64 batches sampled to a file,
``Dis_dataloader.load_train_data`` (its own NumPy shuffle), ``dis_epochs`` epochs of
``train_op`` with dropout keep 0.75.

Outputs in ``out_dir``: ``generator_iter{i:03d}.pkl`` (the generator's 15 arrays in the
oracle pickle layout, after iteration i, counted from 1), ``log.txt``, and ``result.json``
last (its presence marks the seed finished).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pickle
import random
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

# The original's hyper-parameters (its sequence_gan.py).
VOCAB_SIZE = 5000
BATCH_SIZE = 64
EMB_DIM = 32
HIDDEN_DIM = 32
SEQ_LENGTH = 20
START_TOKEN = 0
DIS_EMB_DIM = 64
DIS_FILTER_SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20]
DIS_NUM_FILTERS = [100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160, 160]
DIS_DROPOUT_KEEP = 0.75
DIS_L2_LAMBDA = 0.2
GENERATED_NUM = 10000
ROLLOUT_NUM = 16
ROLLOUT_RATE = 0.8


def import_original(repo: str):
    """The clone's modules, imported with TF1 names; returns (tf1, modules dict)."""
    import tensorflow as real_tf
    from tensorflow.python.ops import control_flow_ops

    tf1 = real_tf.compat.v1
    tf1.disable_v2_behavior()
    if not hasattr(control_flow_ops, "while_loop"):
        control_flow_ops.while_loop = tf1.while_loop
    sys.path.insert(0, os.path.abspath(repo))
    sys.modules["tensorflow"] = tf1
    try:
        modules = {
            name: importlib.import_module(name)
            for name in ("generator", "discriminator", "rollout", "dataloader")
        }
    finally:
        sys.modules["tensorflow"] = real_tf
        sys.path.pop(0)
    return tf1, modules


def write_samples(sess, generator, path: str) -> None:
    """10,000 // 64 batches of the generator's samples, one line each, as the original."""
    lines = []
    for _ in range(GENERATED_NUM // BATCH_SIZE):
        for sequence in generator.generate(sess):
            lines.append(" ".join(str(int(token)) for token in sequence))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--original_repo", required=True)
    parser.add_argument("--start_dir", required=True)
    parser.add_argument("--positive_file", required=True)
    parser.add_argument("--out_dir", required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--dis_rounds", type=int, default=1)
    parser.add_argument("--dis_epochs", type=int, default=1)
    parser.add_argument("--export_every", type=int, default=5)
    parser.add_argument(
        "--mle_epochs",
        type=int,
        default=0,
        help="instead of the adversarial schedule, this many MLE epochs from "
        "start_dir/initial_generator.pkl (exports generator_epoch{e:03d}.pkl; "
        "no discriminator is read)",
    )
    return parser.parse_args(argv)


def run_mle(args, sess, generator, gen_data_loader, export, log) -> dict:
    """The original's pre_train_epoch, ``mle_epochs`` times over the file in order."""
    gen_data_loader.create_batches(args.positive_file)
    times, cpu_times = [], []
    for epoch in range(1, args.mle_epochs + 1):
        start, cpu_start = time.perf_counter(), time.process_time()
        gen_data_loader.reset_pointer()
        losses = []
        for _ in range(gen_data_loader.num_batch):
            _, loss = generator.pretrain_step(sess, gen_data_loader.next_batch())
            losses.append(loss)
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
        log(f"MLE epoch {epoch}: loss {float(np.mean(losses)):.5f}, {times[-1]:.1f} s")
        if epoch % args.export_every == 0 or epoch == args.mle_epochs:
            export(f"generator_epoch{epoch:03d}.pkl")
    return {"mle_epoch_s": times, "mle_epoch_cpu_s": cpu_times}


def main(argv=None) -> None:
    args = parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    log_file = open(os.path.join(args.out_dir, "log.txt"), "w")

    def log(message: str) -> None:
        print(message, flush=True)
        log_file.write(message + "\n")
        log_file.flush()

    tf, original = import_original(args.original_repo)
    random.seed(args.seed)
    np.random.seed(args.seed)
    tf.set_random_seed(args.seed)
    generator = original["generator"].Generator(
        VOCAB_SIZE, BATCH_SIZE, EMB_DIM, HIDDEN_DIM, SEQ_LENGTH, START_TOKEN
    )
    discriminator = original["discriminator"].Discriminator(
        sequence_length=SEQ_LENGTH,
        num_classes=2,
        vocab_size=VOCAB_SIZE,
        embedding_size=DIS_EMB_DIM,
        filter_sizes=DIS_FILTER_SIZES,
        num_filters=DIS_NUM_FILTERS,
        l2_reg_lambda=DIS_L2_LAMBDA,
    )
    rollout = original["rollout"].ROLLOUT(generator, ROLLOUT_RATE)
    dis_data_loader = original["dataloader"].Dis_dataloader(BATCH_SIZE)
    sess = tf.Session(config=tf.ConfigProto())
    sess.run(tf.global_variables_initializer())

    # Identical starting parameters: the port's generator and discriminator.
    start_file = "initial_generator.pkl" if args.mle_epochs else "generator.pkl"
    with open(os.path.join(args.start_dir, start_file), "rb") as f:
        generator_arrays = pickle.load(f)
    if len(generator_arrays) != len(generator.g_params):
        raise ValueError(f"{len(generator_arrays)} generator arrays for 15 variables")
    for variable, value in zip(generator.g_params, generator_arrays, strict=True):
        variable.load(value, sess)
    if not args.mle_epochs:  # MLE never uses the discriminator: its start has none
        load_discriminator(sess, discriminator, os.path.join(args.start_dir, "discriminator.npz"))
    log(f"loaded the start from {args.start_dir}; seed {args.seed}")

    def export(name: str) -> None:
        path = os.path.join(args.out_dir, name)
        arrays = [np.asarray(a, np.float32) for a in sess.run(generator.g_params)]
        with open(path + ".tmp", "wb") as f:
            pickle.dump(arrays, f, protocol=4)
        os.replace(path + ".tmp", path)

    if args.mle_epochs:
        wall = time.perf_counter()
        gen_data_loader = original["dataloader"].Gen_Data_loader(BATCH_SIZE)
        times = run_mle(args, sess, generator, gen_data_loader, export, log)
        write_result(args, {"program": "original", "seed": args.seed, "times": times}, wall, log)
        return
    negative_file = os.path.join(args.out_dir, "generator_sample.txt")
    times = {"generator_step_s": [], "discriminator_round_s": [], "iteration_s": []}
    wall = time.perf_counter()
    for iteration in range(1, args.iterations + 1):
        start = time.perf_counter()
        samples = generator.generate(sess)
        rewards = rollout.get_reward(sess, samples, ROLLOUT_NUM, discriminator)
        if iteration == 1:
            log(f"first reward matrix after {time.perf_counter() - start:.1f} s")
        sess.run(generator.g_updates, {generator.x: samples, generator.rewards: rewards})
        times["generator_step_s"].append(time.perf_counter() - start)
        rollout.update_params()
        for _ in range(args.dis_rounds):
            round_start = time.perf_counter()
            write_samples(sess, generator, negative_file)
            if iteration == 1:
                log(f"first 9,984 samples written after {time.perf_counter() - round_start:.1f} s")
            dis_data_loader.load_train_data(args.positive_file, negative_file)
            for _ in range(args.dis_epochs):
                dis_data_loader.reset_pointer()
                for _ in range(dis_data_loader.num_batch):
                    x_batch, y_batch = dis_data_loader.next_batch()
                    feed = {
                        discriminator.input_x: x_batch,
                        discriminator.input_y: y_batch,
                        discriminator.dropout_keep_prob: DIS_DROPOUT_KEEP,
                    }
                    sess.run(discriminator.train_op, feed)
            times["discriminator_round_s"].append(time.perf_counter() - round_start)
        times["iteration_s"].append(time.perf_counter() - start)
        log(
            f"iteration {iteration}: mean reward {float(np.mean(rewards)):.4f}, "
            f"{times['iteration_s'][-1]:.1f} s (generator step "
            f"{times['generator_step_s'][-1]:.1f} s)"
        )
        if iteration % args.export_every == 0 or iteration == args.iterations:
            export(f"generator_iter{iteration:03d}.pkl")
    if os.path.exists(negative_file):
        os.remove(negative_file)
    result = {"program": "original", "seed": args.seed, "iterations": args.iterations}
    write_result(args, dict(result, times=times), wall, log)


def load_discriminator(sess, discriminator, path: str) -> None:
    """The port's discriminator weights, stored under the original's variable names."""
    with np.load(path) as weights:
        names = {variable.name[: -len(":0")]: variable for variable in discriminator.params}
        if set(names) != set(weights.files):
            raise ValueError(
                "discriminator names differ: original has "
                f"{sorted(set(names) - set(weights.files))}, file has "
                f"{sorted(set(weights.files) - set(names))}"
            )
        for name, variable in names.items():
            variable.load(weights[name], sess)


def write_result(args, result: dict, wall: float, log) -> None:
    result["wall_s"] = time.perf_counter() - wall
    with open(os.path.join(args.out_dir, "result.json.tmp"), "w") as f:
        json.dump(result, f, indent=2)
    os.replace(
        os.path.join(args.out_dir, "result.json.tmp"), os.path.join(args.out_dir, "result.json")
    )
    log(f"done in {result['wall_s']:.0f} s")


if __name__ == "__main__":
    main()
