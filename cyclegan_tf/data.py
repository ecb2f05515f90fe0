"""Image sources (tfds facades, a folder, synthetic facades) and the tf.data pipelines.

Every source ends as an :class:`ImageSet`: for trainA/trainB/testA/testB the images' names
and either their file paths (a folder: read when the pipeline needs them) or their encoded
bytes (generated or tfds data), and whether the test pairs are aligned. The pipelines read
and decode in parallel and apply the official transforms (:mod:`cyclegan_tf.transforms`).
(Over 300 lines: the three sources and the pipelines share the ImageSet and the checks;
splitting the pipelines into their own module is a candidate.)

Resume: an epoch's order and each image's crop and flip follow from (seed, epoch), so a run
restarted at step k of an epoch skips the first k batches and continues with the same data.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
import zipfile

import numpy as np
import tensorflow as tf
from absl import logging
from PIL import Image

from cyclegan_tf import synthetic_facades
from cyclegan_tf.transforms import InferenceTransform, augment

SPLITS = ("trainA", "trainB", "testA", "testB")
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff")
TFDS_NAME = "cycle_gan/facades"
FACADES_ZIP = "facades.zip"


class DataError(ValueError):
    """Bad input data: the message names the file or folder and the problem."""


@dataclasses.dataclass
class DomainImages:
    """One split of one domain: its images and their names (for messages and outputs).

    Images are either ``encoded`` bytes held in memory (generated or tfds data) or, for a
    folder, only their file ``paths``: the pipelines read each file when they need it.
    """

    encoded: list[bytes]
    names: list[str]
    paths: list[str] | None = None

    def __len__(self) -> int:
        return len(self.names)


@dataclasses.dataclass
class ImageSet:
    train_a: DomainImages
    train_b: DomainImages
    test_a: DomainImages
    test_b: DomainImages
    aligned: bool  # test_a[i] and test_b[i] show the same scene
    description: str
    label_palette: str | None = None  # B is a label map painted in this palette (label_metrics)


def pair_key(name: str) -> str:
    """'12_A.jpg' -> '12': the name shared by the two halves of an aligned pair."""
    stem = os.path.splitext(os.path.basename(name))[0]
    return re.sub(r"[_-]?[AaBb]$", "", stem)


def _align(a: DomainImages, b: DomainImages) -> tuple[DomainImages, DomainImages, bool]:
    """Orders two test splits so equal pair keys share an index; aligned=False if they differ."""
    keys_a = [pair_key(n) for n in a.names]
    keys_b = [pair_key(n) for n in b.names]
    if len(a) != len(b) or sorted(keys_a) != sorted(keys_b) or len(set(keys_a)) != len(keys_a):
        return a, b, False

    def order(keys):
        return sorted(range(len(keys)), key=lambda i: (len(keys[i]), keys[i]))

    def take(d, idx):
        encoded = [d.encoded[i] for i in idx] if d.paths is None else []
        paths = None if d.paths is None else [d.paths[i] for i in idx]
        return DomainImages(encoded, [d.names[i] for i in idx], paths)

    return take(a, order(keys_a)), take(b, order(keys_b)), True


# ----------------------------------------------------------------------------- folder


def check_image(path: str, data: bytes) -> tuple[bytes, str | None]:
    """Bytes TensorFlow can decode as a 3-channel image, and the original mode when it had
    to be converted to RGB (the official loader's ``.convert('RGB')``); raises naming
    ``path`` for a file that is not an image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            fmt, mode = image.format, image.mode
            if mode != "RGB" or fmt not in ("JPEG", "PNG", "BMP", "GIF", "WEBP"):
                # Grayscale, palette, RGBA, CMYK ... as the official code sees them; formats
                # TensorFlow cannot decode (e.g. TIFF) re-encoded as PNG.
                buffer = io.BytesIO()
                image.convert("RGB").save(buffer, format="PNG")
                return buffer.getvalue(), (None if mode == "RGB" else mode)
    except Exception as e:  # PIL raises several types for corrupt files
        raise DataError(f"{path}: cannot read image ({type(e).__name__}: {e})") from e
    return data, None


def load_folder(root: str, paired_test: bool = False) -> ImageSet:
    """Reads ``root/{trainA,trainB,testA,testB}``; every image is checked before training.

    The test images are paired (``12_A.jpg`` with ``12_B.jpg``, or equal names) only when
    ``paired_test`` says they are: a folder of unpaired domains whose names happen to
    match must not be scored as pairs.
    """
    if not os.path.isdir(root):
        raise DataError(f"--data_folder={root}: no such directory")
    splits = {}
    converted: dict[str, list[str]] = {}
    for split in SPLITS:
        folder = os.path.join(root, split)
        if not os.path.isdir(folder):
            raise DataError(f"{folder}: split folder missing (need {', '.join(SPLITS)})")
        names = sorted(f for f in os.listdir(folder) if f.lower().endswith(IMAGE_EXTENSIONS))
        if not names:
            raise DataError(f"{folder}: no images ({', '.join(IMAGE_EXTENSIONS)})")
        paths = []
        for name in names:
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError as e:
                raise DataError(f"{path}: cannot read file ({e})") from e
            # Checked now, read again when used: the bytes are not kept.
            _, converted_from = check_image(path, data)
            if converted_from is not None:
                converted.setdefault(converted_from, []).append(path)
            paths.append(path)
        splits[split] = DomainImages([], names, paths)
    for mode, paths in converted.items():
        logging.warning(
            "%d image(s) in mode %s converted to RGB, as the official loader does (first: %s)",
            len(paths),
            mode,
            paths[0],
        )
    test_a, test_b, aligned = splits["testA"], splits["testB"], False
    if paired_test:
        test_a, test_b, aligned = _align(test_a, test_b)
        if not aligned:
            raise DataError(
                f"--paired_test: the names in {os.path.join(root, 'testA')} and "
                f"{os.path.join(root, 'testB')} do not pair up one to one (expected e.g. "
                "12_A.jpg with 12_B.jpg, or the same name in both)"
            )
    return ImageSet(splits["trainA"], splits["trainB"], test_a, test_b, aligned, f"folder {root}")


# ----------------------------------------------------------------------------- tfds


def tfds_manual_dir(data_dir: str | None, manual_dir: str | None) -> str:
    """tfds' manual download folder: ``--manual_dir``, else ``<data_dir>/downloads/manual``."""
    if manual_dir:
        return manual_dir
    import tensorflow_datasets as tfds

    base = data_dir or os.path.expanduser(tfds.core.constants.DATA_DIR)
    return os.path.join(base, "downloads", "manual")


def facades_available(data_dir: str | None, manual_dir: str | None) -> bool:
    """Whether tfds facades is prepared in ``data_dir`` or its zip waits in the manual folder."""
    import tensorflow_datasets as tfds

    if os.path.isfile(os.path.join(tfds_manual_dir(data_dir, manual_dir), FACADES_ZIP)):
        return True
    try:
        return tfds.builder(TFDS_NAME, data_dir=data_dir).is_prepared()
    except Exception:  # an unreadable data_dir means "not available"
        return False


def _tfds_names(split: str, encoded: list[bytes], zip_path: str) -> list[str] | None:
    """File names of a tfds cycle_gan split's records, found by content in the zip.

    tfds keeps no file name, but it stores each JPEG's bytes as they are in the archive, so
    each record is the zip entry with the same bytes; with the names, the photo and label
    map of a pair share an index. None when the zip is absent (a prepared data set whose
    zip was deleted) or a record matches no single entry: then there are no paired metrics.
    """
    if not os.path.isfile(zip_path):
        return None
    by_content: dict[str, list[str]] = {}
    with zipfile.ZipFile(zip_path) as z:
        for entry in z.namelist():
            if os.path.basename(os.path.dirname(entry)) == split and entry.lower().endswith(
                IMAGE_EXTENSIONS
            ):
                digest = hashlib.sha256(z.read(entry)).hexdigest()
                by_content.setdefault(digest, []).append(os.path.basename(entry))
    names = []
    for record in encoded:
        matches = by_content.get(hashlib.sha256(record).hexdigest(), [])
        if len(matches) != 1:
            return None
        names.append(matches[0])
    return names


def load_tfds_facades(data_dir: str | None = None, manual_dir: str | None = None) -> ImageSet:
    """Builds (offline if the zip is in the manual folder) and reads tfds ``cycle_gan/facades``."""
    import tensorflow_datasets as tfds

    try:
        import importlib_resources  # noqa: F401
    except ImportError as e:  # tfds 4.9 imports it but declares it only for Python < 3.9
        raise DataError(
            "--dataset=facades: tensorflow-datasets needs the package "
            "importlib_resources here: pip install importlib_resources"
        ) from e
    manual = tfds_manual_dir(data_dir, manual_dir)
    builder = tfds.builder(TFDS_NAME, data_dir=data_dir)
    if not builder.is_prepared():
        try:
            builder.download_and_prepare(
                download_config=tfds.download.DownloadConfig(manual_dir=manual)
            )
        except Exception as e:
            raise DataError(
                f"--dataset=facades: cannot build {TFDS_NAME} in {builder.data_dir} ({e}). "
                f"With no network, put {FACADES_ZIP} (35,135,868 bytes) in {manual}, or use "
                "--dataset=folder or --dataset=synthetic_facades."
            ) from e
    splits = {}
    for split in SPLITS:
        ds = builder.as_dataset(
            split=split, shuffle_files=False, decoders={"image": tfds.decode.SkipDecoding()}
        )
        encoded = [bytes(ex["image"]) for ex in tfds.as_numpy(ds)]
        names = _tfds_names(split, encoded, os.path.join(manual, FACADES_ZIP))
        if names is None:
            names = [f"{split}_{i:04d}.jpg" for i in range(len(encoded))]
        splits[split] = DomainImages(encoded, names)
    test_a, test_b, aligned = _align(splits["testA"], splits["testB"])
    if not aligned:
        logging.warning(
            "tfds facades: the test pairs are matched through %s, which is not in %s; "
            "without it there are no paired metrics",
            FACADES_ZIP,
            manual,
        )
    return ImageSet(
        splits["trainA"],
        splits["trainB"],
        test_a,
        test_b,
        aligned,
        f"tfds {TFDS_NAME} in {builder.data_dir}",
        label_palette="facades",
    )


# ----------------------------------------------------------------------------- synthetic


def load_synthetic(seed: int, n_train: int, n_test: int, size: int) -> ImageSet:
    """Paired synthetic facades: train pairs 0..n_train-1, test pairs after them."""
    if n_train < 1 or n_test < 1:
        raise DataError("--synthetic_train and --synthetic_test must be >= 1")
    photos, labels = synthetic_facades.generate(seed, n_train + n_test, size)

    def domain(images, lo, hi, suffix):
        return DomainImages(images[lo:hi], [f"{i + 1}_{suffix}.png" for i in range(lo, hi)])

    n = n_train + n_test
    return ImageSet(
        domain(photos, 0, n_train, "A"),
        domain(labels, 0, n_train, "B"),
        domain(photos, n_train, n, "A"),
        domain(labels, n_train, n, "B"),
        aligned=True,
        description=f"synthetic facades (seed {seed}, {size} px)",
        label_palette="synthetic_facades",
    )


# ----------------------------------------------------------------------------- pipelines


def decode(encoded: tf.Tensor) -> tf.Tensor:
    """Encoded bytes -> float32 HxWx3 in [0, 255]."""
    image = tf.io.decode_image(encoded, channels=3, expand_animations=False)
    return tf.cast(image, tf.float32)


def read_rgb(path: str) -> np.ndarray:
    """A file as the official loader reads it: PIL, ``.convert('RGB')``; uint8 HxWx3.
    Through tf.io.gfile, so paths may be on gs:// too."""
    with tf.io.gfile.GFile(path, "rb") as f:
        raw = f.read()
    with Image.open(io.BytesIO(raw)) as image:
        return np.asarray(image.convert("RGB"), np.uint8)


def image_loader(domain: DomainImages):
    """A function: index (int64 scalar tensor) -> the domain's image, float32 HxWx3 [0, 255].

    Folder images are read from their files when the pipeline asks for them (only the
    paths, in Python, are held; no image enters the graph); in-memory images are gathered
    from a constant of their bytes.
    """
    if domain.paths is None:
        table = tf.constant(domain.encoded, dtype=tf.string)
        return lambda index: decode(tf.gather(table, index))
    paths = list(domain.paths)

    def read(index) -> np.ndarray:
        # Looked up through the module so tests can count the reads.
        return globals()["read_rgb"](paths[int(index)])

    def load(index):
        image = tf.numpy_function(read, [index], tf.uint8, stateful=False)
        image.set_shape([None, None, 3])
        return tf.cast(image, tf.float32)

    return load


def load_image(domain: DomainImages, index: int) -> np.ndarray:
    """Image ``index`` of ``domain`` as the pipelines see it: float32 HxWx3 in [0, 255]."""
    return image_loader(domain)(tf.constant(index, tf.int64)).numpy()


def steps_per_epoch(images: ImageSet, global_batch: int) -> int:
    """Batches per epoch: max(|A|, |B|) images, as the seed's and the official datasets."""
    n = max(len(images.train_a), len(images.train_b))
    if n < global_batch:
        raise DataError(f"{images.description}: {n} training images < global batch {global_batch}")
    return n // global_batch


def train_dataset(
    images: ImageSet,
    epoch: int,
    start_step: int,
    global_batch: int,
    load_size: int,
    crop_size: int,
    flip: bool,
    seed: int,
    num_shards: int = 1,
    shard_index: int = 0,
    batch: int | None = None,
    preprocess: str = "resize_and_crop",
    direction: str = "AtoB",
) -> tf.data.Dataset:
    """The batches of ``epoch`` from batch ``start_step`` on, as (real_A, real_B) pairs
    (the model's A and B: with ``direction='BtoA'`` the pairs are (B, A), swapped after
    sampling as the official ``set_input`` swaps them).

    Unaligned sampling as in training both the seed and the official code: A goes through a
    shuffled order, B is drawn at random for each A. With ``num_shards`` > 1 (workers of a
    multi-worker run) this returns shard ``shard_index``: every ``num_shards``-th image of
    the epoch's sequence, sharded as indices, before any file is read or decoded. ``batch``:
    images per batch (default ``global_batch``; a worker's replica batch when sharded).
    """
    if crop_size > load_size:
        raise DataError(f"--crop_size={crop_size} exceeds --load_size={load_size}")
    n_a, n_b = len(images.train_a), len(images.train_b)
    n = max(n_a, n_b)
    steps = n // global_batch
    rng = np.random.default_rng([seed, epoch])
    idx_a = rng.permutation(n) % n_a
    idx_b = rng.integers(0, n_b, n)
    seeds = rng.integers(0, 2**31 - 1, (n, 2, 2))
    lo, hi = start_step * global_batch, steps * global_batch
    ds = tf.data.Dataset.from_tensor_slices((idx_a[lo:hi], idx_b[lo:hi], seeds[lo:hi]))
    if num_shards > 1:
        ds = ds.shard(num_shards, shard_index)
    load_a, load_b = image_loader(images.train_a), image_loader(images.train_b)

    def load(a, b, s):
        real_a = augment(load_a(a), s[0], load_size, crop_size, flip, preprocess)
        real_b = augment(load_b(b), s[1], load_size, crop_size, flip, preprocess)
        return (real_a, real_b) if direction == "AtoB" else (real_b, real_a)

    ds = ds.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return ds.batch(batch or global_batch, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def prepare_test_image(encoded: tf.Tensor, transform: InferenceTransform) -> tf.Tensor:
    """Encoded bytes -> the model's input, through ``transform``."""
    return transform(decode(encoded))


def domain_dataset(
    domain: DomainImages, transform: InferenceTransform, batch: int = 1
) -> tf.data.Dataset:
    """Every image of one domain, in order, through ``transform``, no augmentation; one
    image per batch when they vary in size."""
    load = image_loader(domain)
    ds = tf.data.Dataset.range(len(domain))
    ds = ds.map(lambda i: transform(load(i)), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.batch(transform.batch_size(batch)).prefetch(2)


def test_dataset(
    a: DomainImages, b: DomainImages, transform: InferenceTransform, batch: int = 1
) -> tf.data.Dataset:
    """Test pairs (index i of A with index i of B) through ``transform``, no augmentation;
    one pair per batch when the images vary in size."""
    n = min(len(a), len(b))
    load_a, load_b = image_loader(a), image_loader(b)
    ds = tf.data.Dataset.range(n).map(
        lambda i: (transform(load_a(i)), transform(load_b(i))),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    return ds.batch(transform.batch_size(batch)).prefetch(2)
