"""Data sources: folder errors naming the file, the pipeline, synthetic facades, tfds offline."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from cyclegan_tf import data, synthetic_facades
from cyclegan_tf.evaluate import pair_metrics
from cyclegan_tf.transforms import InferenceTransform


def write_image(path, array, fmt=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(array).save(path, format=fmt)


def make_folder(root, n=3, size=12):
    rng = np.random.default_rng(0)
    for split in data.SPLITS:
        for i in range(n):
            write_image(
                os.path.join(root, split, f"{i + 1}_{split[-1]}.png"),
                rng.integers(0, 256, (size, size, 3), dtype=np.uint8),
            )


def test_folder_loads_and_aligns_pairs_only_when_told(tmp_path):
    make_folder(tmp_path)
    images = data.load_folder(str(tmp_path), paired_test=True)
    assert len(images.train_a) == len(images.test_b) == 3
    assert images.aligned
    assert [data.pair_key(n) for n in images.test_a.names] == ["1", "2", "3"]
    assert not data.load_folder(str(tmp_path)).aligned  # names alone are no evidence
    os.rename(tmp_path / "testB" / "3_B.png", tmp_path / "testB" / "4_B.png")
    with pytest.raises(data.DataError, match="--paired_test: the names in"):
        data.load_folder(str(tmp_path), paired_test=True)


def test_folder_missing_split_names_the_folder(tmp_path):
    make_folder(tmp_path)
    for f in os.listdir(tmp_path / "testB"):
        os.remove(tmp_path / "testB" / f)
    os.rmdir(tmp_path / "testB")
    with pytest.raises(data.DataError, match=r"testB.*split folder missing"):
        data.load_folder(str(tmp_path))


def test_folder_unreadable_image_names_the_file(tmp_path):
    make_folder(tmp_path)
    (tmp_path / "trainA" / "broken.jpg").write_bytes(b"\xff\xd8 definitely not a jpeg")
    with pytest.raises(data.DataError, match=r"trainA/broken\.jpg: cannot read image"):
        data.load_folder(str(tmp_path))


@pytest.mark.parametrize("mode, channels", [("L", 1), ("RGBA", 4), ("P", 1)])
def test_folder_converts_other_modes_to_rgb_as_the_official_loader(
    tmp_path, mode, channels, caplog
):
    """PIL's .convert('RGB') of the file, as the official loader does, and one log line."""
    make_folder(tmp_path)
    shape = (12, 12) if channels == 1 else (12, 12, channels)
    pixels = np.random.default_rng(3).integers(0, 256, shape, dtype=np.uint8)
    odd = Image.fromarray(pixels, "L" if mode == "P" else mode)
    odd = odd.convert("P") if mode == "P" else odd
    odd.save(tmp_path / "testA" / "odd.png")
    with caplog.at_level("WARNING"):
        images = data.load_folder(str(tmp_path))
    decoded = [data.load_image(images.test_a, i) for i in range(len(images.test_a))]
    want = np.asarray(odd.convert("RGB"), np.float32)
    assert any(d.shape == want.shape and np.array_equal(d, want) for d in decoded)
    assert sum("converted to RGB" in r.getMessage() for r in caplog.records) == 1


def test_downscaling_antialiases_as_pil_does():
    """A 1-pixel checkerboard shrunk 4x: PIL's bicubic (the official transform) averages it
    to grey, a resize without antialiasing keeps stripes."""
    board = (np.indices((64, 64)).sum(axis=0) % 2 * 255).astype(np.uint8)
    rgb = np.repeat(board[..., None], 3, axis=2)
    encoded = synthetic_facades.encode_png(rgb)
    a, _ = next(
        iter(
            data.test_dataset(
                data.DomainImages([encoded], ["x.png"]),
                data.DomainImages([encoded], ["y.png"]),
                InferenceTransform(16),
            )
        )
    )
    ours = (a.numpy()[0] + 1) * 127.5
    pil = np.asarray(Image.fromarray(rgb).resize((16, 16), Image.BICUBIC), np.float32)
    assert np.abs(ours - pil).max() < 8  # both grey; without antialiasing: 0 / 255 stripes
    assert ours.std() < 8


def test_train_pipeline_range_shape_determinism_and_skip():
    images = data.load_synthetic(seed=1, n_train=6, n_test=2, size=24)
    kwargs = dict(global_batch=2, load_size=24, crop_size=20, flip=True, seed=4)
    full = [(a.numpy(), b.numpy()) for a, b in data.train_dataset(images, 0, 0, **kwargs)]
    assert len(full) == data.steps_per_epoch(images, 2) == 3
    a, b = full[0]
    assert a.shape == b.shape == (2, 20, 20, 3)
    assert a.min() >= -1 and a.max() <= 1 and a.std() > 0.05
    again = [(a.numpy(), b.numpy()) for a, b in data.train_dataset(images, 0, 0, **kwargs)]
    np.testing.assert_array_equal(np.stack([x for x, _ in again]), np.stack([x for x, _ in full]))
    # Resuming at batch 1 yields batches 1 and 2 of the same epoch.
    tail = [(a.numpy(), b.numpy()) for a, b in data.train_dataset(images, 0, 1, **kwargs)]
    assert len(tail) == 2
    np.testing.assert_array_equal(tail[0][0], full[1][0])
    np.testing.assert_array_equal(tail[1][1], full[2][1])
    other = [a.numpy() for a, _ in data.train_dataset(images, 1, 0, **kwargs)]
    assert not np.array_equal(other[0], full[0][0])  # another epoch, another order/crops


def test_btoa_swaps_the_domains_after_sampling():
    """Official --direction=BtoA: the same draws (A in shuffled order, B at random), then
    real_A and real_B swapped, as set_input does."""
    images = data.load_synthetic(seed=1, n_train=4, n_test=1, size=24)
    kwargs = dict(global_batch=1, load_size=24, crop_size=20, flip=True, seed=4)
    ab = list(data.train_dataset(images, 0, 0, **kwargs))
    ba = list(data.train_dataset(images, 0, 0, **kwargs, direction="BtoA"))
    assert len(ab) == len(ba) == 4
    for (a, b), (b_first, a_second) in zip(ab, ba, strict=True):
        np.testing.assert_array_equal(b_first.numpy(), b.numpy())
        np.testing.assert_array_equal(a_second.numpy(), a.numpy())
    assert not np.array_equal(ab[0][0].numpy(), ab[0][1].numpy())


# Photos of several non-square sizes (height, width); the test pairs share theirs.
NON_SQUARE = {
    "trainA": [(20, 28), (26, 36), (18, 30)],
    "trainB": [(22, 30), (20, 28), (30, 24)],
    "testA": [(20, 28), (24, 34)],
    "testB": [(20, 28), (24, 34)],
}


def make_non_square_folder(root) -> None:
    rng = np.random.default_rng(1)
    for split, shapes in NON_SQUARE.items():
        for i, shape in enumerate(shapes):
            array = rng.integers(0, 256, (*shape, 3), dtype=np.uint8)
            write_image(os.path.join(root, split, f"{i}_{split[-1]}.png"), array)


@pytest.mark.parametrize("preprocess", ["none", "scale_width"])
def test_varying_size_modes_train_each_photo_at_its_own_shape(tmp_path, preprocess):
    """Batches of one photo, each at the shape the official transform gives it (sides
    rounded to multiples of 4)."""
    from test_cyclegan_transforms import official_make_power_2, official_scale_width

    make_non_square_folder(tmp_path)
    images = data.load_folder(str(tmp_path))
    load, crop = 40, 16

    def shape(height, width):
        if preprocess == "scale_width":
            width, height = official_scale_width(width, height, load, crop)
        return official_make_power_2(width, height)[::-1]

    kwargs = dict(global_batch=1, load_size=load, crop_size=crop, flip=False, seed=2)
    seen = set()
    for epoch in range(3):
        for a, b in data.train_dataset(images, epoch, 0, **kwargs, preprocess=preprocess):
            assert a.shape[0] == b.shape[0] == 1
            assert a.shape[1:3] in {shape(*s) for s in NON_SQUARE["trainA"]}
            assert b.shape[1:3] in {shape(*s) for s in NON_SQUARE["trainB"]}
            seen.add(tuple(a.shape[1:3]))
    assert len(seen) >= 2  # sizes vary from batch to batch


def test_test_pipeline_is_plain_resize_to_minus1_1():
    photo, label = synthetic_facades.render_pair(2, 0, 16)
    d = data.DomainImages([synthetic_facades.encode_png(photo)], ["1_A.png"])
    e = data.DomainImages([synthetic_facades.encode_png(label)], ["1_B.png"])
    a, b = next(iter(data.test_dataset(d, e, InferenceTransform(16))))
    np.testing.assert_allclose(a.numpy()[0], photo / 127.5 - 1, atol=1e-5)
    np.testing.assert_allclose(b.numpy()[0], label / 127.5 - 1, atol=1e-5)


def test_synthetic_facades_deterministic_paired_and_labelled():
    p1, l1 = synthetic_facades.render_pair(5, 3, 64)
    p2, l2 = synthetic_facades.render_pair(5, 3, 64)
    np.testing.assert_array_equal(p1, p2)
    np.testing.assert_array_equal(l1, l2)
    assert not np.array_equal(synthetic_facades.render_pair(6, 3, 64)[0], p1)
    palette = {tuple(c) for c in synthetic_facades.LABEL_COLOURS.values()}
    assert {tuple(c) for c in l1.reshape(-1, 3)} <= palette  # flat label colours only
    # The photo follows the label map: window pixels are darker than facade pixels.
    window = np.all(l1 == synthetic_facades.LABEL_COLOURS["window"], axis=-1)
    facade = np.all(l1 == synthetic_facades.LABEL_COLOURS["facade"], axis=-1)
    assert window.any() and facade.any()


def test_pair_metrics_match_numpy_psnr_and_identity_ssim():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (2, 16, 16, 3)).astype(np.float32)
    y = np.clip(x + rng.normal(0, 0.1, x.shape), -1, 1).astype(np.float32)
    m = pair_metrics(tf.constant(x), tf.constant(y))
    xs, ys = (x + 1) / 2, (y + 1) / 2
    mse = ((xs - ys) ** 2).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(m["psnr"], 10 * np.log10(1 / mse), rtol=1e-4)
    np.testing.assert_allclose(m["l1"], np.abs(xs - ys).mean(axis=(1, 2, 3)), rtol=1e-5)
    np.testing.assert_allclose(pair_metrics(tf.constant(x), tf.constant(x))["ssim"], 1.0, rtol=1e-5)


def jpeg(array) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def test_tfds_facades_builds_offline_from_manual_zip(tmp_path, monkeypatch):
    """The real tfds builder runs on a small fake facades.zip in its manual folder."""
    # tfds 4.9 imports importlib_resources but declares it only for Python < 3.9.
    pytest.importorskip(
        "importlib_resources",
        reason="tfds needs importlib_resources (pip install importlib_resources)",
    )
    import tensorflow_datasets as tfds
    from tensorflow_datasets.core.download import checksums
    from tensorflow_datasets.image_classification import cycle_gan

    counts = {"trainA": 3, "trainB": 3, "testA": 5, "testB": 5}
    originals = {}
    zip_path = tmp_path / "data" / "downloads" / "manual" / "facades.zip"
    os.makedirs(zip_path.parent)
    with zipfile.ZipFile(zip_path, "w") as z:
        for split, n in counts.items():
            for i in range(1, n + 1):
                photo, label = synthetic_facades.render_pair(99 + (split[:4] == "test"), i, 32)
                array = photo if split.endswith("A") else label
                originals[(split, i)] = array
                z.writestr(f"facades/{split}/{i}_{split[-1]}.jpg", jpeg(array))
    blob = zip_path.read_bytes()
    url = cycle_gan._DL_URLS["facades"]
    # The registered checksum is the real zip's; register the fake one's instead.
    monkeypatch.setattr(
        cycle_gan.CycleGAN,
        "url_infos",
        {
            url: checksums.UrlInfo(
                size=len(blob), checksum=hashlib.sha256(blob).hexdigest(), filename="facades.zip"
            )
        },
    )

    data_dir = str(tmp_path / "data")
    assert data.facades_available(data_dir, None)
    images = data.load_tfds_facades(data_dir=data_dir)
    assert tfds.builder(data.TFDS_NAME, data_dir=data_dir).is_prepared()
    assert [len(images.train_a), len(images.train_b), len(images.test_a), len(images.test_b)] == [
        3,
        3,
        5,
        5,
    ]
    assert images.aligned
    # The recovered names are right: each decoded image is closest to its named original,
    # and test A/B share an index per pair.
    for split, domain in (
        ("testA", images.test_a),
        ("testB", images.test_b),
        ("trainA", images.train_a),
    ):
        for encoded, name in zip(domain.encoded, domain.names, strict=True):
            decoded = tf.io.decode_image(encoded, channels=3).numpy().astype(float)
            errors = {
                i: np.abs(decoded - originals[(split, i)]).mean()
                for i in range(1, counts[split] + 1)
            }
            assert min(errors, key=errors.get) == int(data.pair_key(name)), (split, name)
    assert [data.pair_key(n) for n in images.test_a.names] == [
        data.pair_key(n) for n in images.test_b.names
    ]
    # Prepared, but the zip gone: no names to match, so no pairs claimed.
    zip_path.unlink()
    assert not data.load_tfds_facades(data_dir=data_dir).aligned


def test_tfds_without_zip_or_network_explains(tmp_path, monkeypatch):
    pytest.importorskip("importlib_resources", reason="tfds needs importlib_resources")
    from tensorflow_datasets.image_classification import cycle_gan

    def no_network(*args, **kwargs):
        raise ConnectionError("no network")

    monkeypatch.setattr(cycle_gan.CycleGAN, "_split_generators", no_network)
    with pytest.raises(data.DataError, match=r"put facades\.zip .* in .*downloads/manual"):
        data.load_tfds_facades(data_dir=str(tmp_path))


def test_folder_images_stream_from_files_and_shard_before_reading(tmp_path, monkeypatch):
    """A folder's images are not held in memory: the pipeline reads each file when it needs
    it, and the shards of a multi-worker run each read only their own images; together
    their batches are the one-machine batches."""
    make_folder(tmp_path, n=4, size=12)
    images = data.load_folder(str(tmp_path))
    for domain in (images.train_a, images.train_b, images.test_a, images.test_b):
        assert domain.encoded == [] and len(domain.paths) == len(domain) == 4
    reads = []
    read_rgb = data.read_rgb
    monkeypatch.setattr(data, "read_rgb", lambda path: reads.append(path) or read_rgb(path))
    kwargs = dict(global_batch=2, load_size=12, crop_size=8, flip=True, seed=5)
    full = [(a.numpy(), b.numpy()) for a, b in data.train_dataset(images, 0, 0, **kwargs)]
    assert len(full) == 2 and len(reads) == 8  # 4 steps' worth of A and B images
    shards = []
    for index in range(2):
        reads.clear()
        ds = data.train_dataset(images, 0, 0, num_shards=2, shard_index=index, batch=1, **kwargs)
        shards.append([(a.numpy(), b.numpy()) for a, b in ds])
        assert len(reads) == 4, index  # half of the epoch's images, A and B
    for step, (a, b) in enumerate(full):
        np.testing.assert_array_equal(a, np.concatenate([s[step][0] for s in shards]))
        np.testing.assert_array_equal(b, np.concatenate([s[step][1] for s in shards]))
    # What the pipeline reads is the file through PIL's .convert('RGB').
    want = np.asarray(Image.open(images.train_a.paths[0]).convert("RGB"), np.float32)
    np.testing.assert_array_equal(data.load_image(images.train_a, 0), want)
