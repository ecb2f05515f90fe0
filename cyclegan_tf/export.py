"""``--mode=export``: the trained generators as files other programs load without this package.

``--output=DIR`` receives
- ``G_AB.keras`` and ``G_BA.keras``: the Functional generators ([-1, 1] images of any size
  that is a multiple of 4); ``keras.models.load_model`` reads them (the custom layers are
  registered under ``cyclegan_tf`` by ``cyclegan_tf.layers`` and, for ``--norm=batch``,
  ``cyclegan_tf.normalization``, so those imports are needed for this format);
- ``saved_model/``: a TensorFlow SavedModel with the signatures ``a_to_b`` and ``b_to_a``
  (``serving_default`` is the ``--direction`` one, by default the direction the run
  trained), each taking ``image``: uint8 [batch, height, width, 3] of any size and
  returning ``image``: uint8 [batch, size, size, 3] at the trained ``--crop_size`` (for
  ``--preprocess=scale_width|none``: at the input's shape after that transform). The
  signatures prepare the images as test mode does
  (:class:`cyclegan_tf.transforms.InferenceTransform`: bicubic, antialiased) and scale, so
  ``tf.saved_model.load`` runs them with TensorFlow alone.

Both follow the official test's ``--eval`` (:func:`snapshots.restore_generators`): the
batch norms of a ``--norm=batch`` run normalise with their running statistics with
``--eval``, else each image with its own statistics; the ``.keras`` files record it in
each batch norm's config (``use_running_statistics``), and the export's output line says
it. Instance norm is the same either way.
"""

from __future__ import annotations

import os

import keras
import tensorflow as tf
from absl import logging

from cyclegan_tf import snapshots
from cyclegan_tf.config import DIRECTIONS
from cyclegan_tf.normalization import inference_note
from cyclegan_tf.transforms import InferenceTransform


class ServingModule(tf.Module):
    """The two generators behind uint8-in, uint8-out serving functions."""

    def __init__(self, g_ab: keras.Model, g_ba: keras.Model, transform: InferenceTransform):
        super().__init__()
        self.g_ab, self.g_ba, self.transform = g_ab, g_ba, transform
        spec = tf.TensorSpec([None, None, None, 3], tf.uint8, name="image")
        self.a_to_b = tf.function(lambda image: self._serve(self.g_ab, image), [spec])
        self.b_to_a = tf.function(lambda image: self._serve(self.g_ba, image), [spec])

    def _serve(self, generator: keras.Model, image: tf.Tensor) -> dict[str, tf.Tensor]:
        x = self.transform(tf.cast(image, tf.float32))
        y = generator(x, training=False)
        pixels = tf.round((tf.cast(y, tf.float32) + 1.0) * 127.5)
        return {"image": tf.cast(tf.clip_by_value(pixels, 0.0, 255.0), tf.uint8)}


def export(
    workdir: str,
    output: str,
    direction: str = "AtoB",
    checkpoint: str | None = None,
    eval_mode: bool = False,
) -> list[str]:
    """Writes the .keras generators and the SavedModel of the run in ``workdir``;
    ``eval_mode``: the official ``--eval``."""
    if direction not in DIRECTIONS:
        raise ValueError(f"--direction={direction}: expected one of {', '.join(DIRECTIONS)}")
    if not output:
        raise ValueError("--mode=export needs --output (a folder for the exported models)")
    config = snapshots.load_run_config(workdir)
    prefix = snapshots.resolve_checkpoint(workdir, checkpoint)
    g_ab, g_ba = snapshots.restore_generators(config, prefix, eval_mode=eval_mode)
    tf.io.gfile.makedirs(output)
    paths = []
    for model in (g_ab, g_ba):
        path = os.path.join(output, f"{model.name}.keras")
        model.save(path)
        paths.append(path)
    module = ServingModule(g_ab, g_ba, config.inference_transform())
    default = module.a_to_b if direction == "AtoB" else module.b_to_a
    saved_model = os.path.join(output, "saved_model")
    tf.saved_model.save(
        module,
        saved_model,
        signatures={
            "serving_default": default.get_concrete_function(),
            "a_to_b": module.a_to_b.get_concrete_function(),
            "b_to_a": module.b_to_a.get_concrete_function(),
        },
    )
    paths.append(saved_model)
    note = inference_note(config.model.norm, eval_mode)
    logging.info("exported the generators of %s%s to %s", prefix, note, output)
    print(f"exported {prefix}{note}: {', '.join(paths)}")
    return paths
