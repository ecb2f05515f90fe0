"""``--mode=translate``: a trained generator applied to the user's own image files.

The official repository's ``--model test --dataset_mode single``: every image of
``--input`` (one file, or the image files of a folder) is converted as the training data
are (any mode to RGB, then the run's test transform: bicubic resize to the trained
``--crop_size``, or its shape kept for ``--preprocess=scale_width|none``; [-1, 1]),
translated from domain A to B by G_AB (``--direction=AtoB``) or from B to A by G_BA
(``BtoA``; the default is the direction the run trained), and written to ``--output`` under
its own name (``photo.jpg`` -> ``photo.png``), with the input as the model saw it in
``inputs/`` and an ``index.html`` of the pairs.
"""

from __future__ import annotations

import html
import os

import tensorflow as tf
from absl import logging

from cyclegan_tf import data, snapshots
from cyclegan_tf import images as image_io
from cyclegan_tf.config import DIRECTIONS
from cyclegan_tf.normalization import inference_note


def list_inputs(path: str) -> list[str]:
    """The image files named by ``--input``: the file itself, or a folder's image files
    (sorted, not recursive). Raises naming --input when there are none."""
    if tf.io.gfile.isdir(path):
        files = sorted(
            os.path.join(path, name)
            for name in tf.io.gfile.listdir(path)
            if name.lower().endswith(data.IMAGE_EXTENSIONS)
        )
        if not files:
            raise ValueError(f"--input={path}: no image files ({', '.join(data.IMAGE_EXTENSIONS)})")
        return files
    if not tf.io.gfile.exists(path):
        raise ValueError(f"--input={path}: no such file or folder")
    return [path]


def output_names(files: list[str]) -> list[str]:
    """``<stem>.png`` for each input; raises if two inputs would share an output name."""
    names, seen = [], {}
    for path in files:
        name = os.path.splitext(os.path.basename(path))[0] + ".png"
        if name in seen:
            raise ValueError(f"--input: {seen[name]} and {path} would both be written as {name}")
        seen[name] = path
        names.append(name)
    return names


def read_checked(path: str) -> bytes:
    """The file's bytes as an image TensorFlow decodes to RGB; raises naming the file."""
    with tf.io.gfile.GFile(path, "rb") as f:
        raw = f.read()
    return data.check_image(path, raw)[0]


def write_index(output: str, names: list[str], sources: list[str], title: str) -> str:
    """``index.html``: one row per image, input as the model saw it beside its translation."""
    rows = "\n".join(
        f"<tr><td>{html.escape(os.path.basename(src))}</td>"
        f'<td><img src="inputs/{html.escape(name)}"></td>'
        f'<td><img src="{html.escape(name)}"></td></tr>'
        for name, src in zip(names, sources, strict=True)
    )
    page = (
        f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{html.escape(title)}"
        f"</title></head>\n<body><h1>{html.escape(title)}</h1>\n<table>\n"
        f"<tr><th>file</th><th>input</th><th>output</th></tr>\n{rows}\n</table></body></html>\n"
    )
    path = os.path.join(output, "index.html")
    with tf.io.gfile.GFile(path, "w") as f:
        f.write(page)
    return path


def translate(
    workdir: str,
    input_path: str,
    output: str,
    direction: str,
    checkpoint: str | None,
    eval_mode: bool = False,
) -> list[str]:
    """Translates ``input_path`` with the run in ``workdir``; returns the written files.
    ``eval_mode``: the official ``--eval`` (:func:`snapshots.restore_generators`).

    Everything is checked (the run, the checkpoint, every input image, the names) before
    ``output`` is written.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"--direction={direction}: expected one of {', '.join(DIRECTIONS)}")
    if not output:
        raise ValueError("--mode=translate needs --output (a folder for the translations)")
    if not input_path:
        raise ValueError("--mode=translate needs --input (an image file or a folder)")
    config = snapshots.load_run_config(workdir)
    prefix = snapshots.resolve_checkpoint(workdir, checkpoint)
    files = list_inputs(input_path)
    names = output_names(files)
    # Every file read and checked before anything is written; their (encoded) bytes are
    # kept for the translation, so each file is read once.
    encoded = [read_checked(path) for path in files]
    g_ab, g_ba = snapshots.restore_generators(config, prefix, eval_mode=eval_mode)
    generator = g_ab if direction == "AtoB" else g_ba
    transform = config.inference_transform()
    side = None if transform.varying_size else config.crop_size
    run = tf.function(
        lambda x: generator(x, training=False),
        input_signature=[tf.TensorSpec([None, side, side, 3], tf.float32)],
    )
    tf.io.gfile.makedirs(os.path.join(output, "inputs"))
    written = []
    for name, raw in zip(names, encoded, strict=True):
        image = data.prepare_test_image(tf.constant(raw), transform)[None]
        image_io.save_png(image[0].numpy(), os.path.join(output, "inputs", name))
        target = os.path.join(output, name)
        image_io.save_png(run(image)[0].numpy(), target)
        written.append(target)
    title = f"{direction} translations by {os.path.basename(prefix)} of {workdir}"
    index = write_index(output, names, files, title)
    note = inference_note(config.model.norm, eval_mode)
    logging.info(
        "translated %d image(s) %s with %s%s into %s", len(files), direction, prefix, note, output
    )
    print(f"{len(written)} translation(s) in {output}; pairs: {index}")
    return written
