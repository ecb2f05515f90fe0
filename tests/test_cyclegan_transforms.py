"""The official transforms of --preprocess, against PIL (the official code's resize) and a
plain-Python reading of get_transform, __scale_width and __make_power_2."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from cyclegan_tf.transforms import InferenceTransform, augment


def smooth_image(height: int, width: int, seed: int) -> np.ndarray:
    """A smooth uint8 image (a 5 x 5 random grid, bilinear): PIL and TF resize it alike."""
    coarse = np.random.default_rng(seed).integers(0, 256, (5, 5, 3), dtype=np.uint8)
    return np.asarray(Image.fromarray(coarse).resize((width, height), Image.BILINEAR))


def official_scale_width(width: int, height: int, target: int, crop: int) -> tuple[int, int]:
    """The official __scale_width's (width, height)."""
    if width == target and height >= crop:
        return width, height
    return target, int(max(target * height / width, crop))


def official_make_power_2(width: int, height: int, base: int = 4) -> tuple[int, int]:
    """The official __make_power_2's (width, height) (Python's round: half to even)."""
    return int(round(width / base) * base), int(round(height / base) * base)


def pil_resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """The official resize: PIL bicubic, unless the size is already right."""
    if image.shape[:2] == (height, width):
        return image.astype(np.float64)
    return np.asarray(Image.fromarray(image).resize((width, height), Image.BICUBIC), np.float64)


def pixels(output: tf.Tensor) -> np.ndarray:
    return (output.numpy() + 1.0) * 127.5


def _windows_matching(output, resized, crop, tolerance=2.0):
    """(flipped, top, left) of every crop window of ``resized`` or of its mirror image that
    equals ``output`` within ``tolerance`` grey levels."""
    found = []
    for flipped, image in ((False, resized), (True, resized[:, ::-1])):
        for top in range(resized.shape[0] - crop + 1):
            for left in range(resized.shape[1] - crop + 1):
                window = image[top : top + crop, left : left + crop]
                if np.abs(window - output).max() < tolerance:
                    found.append((flipped, top, left))
    return found


@pytest.mark.parametrize("flip", [True, False])
def test_augment_is_a_random_window_of_the_bicubic_resize_flipped_half_the_time(flip):
    """The official 'resize_and_crop' + flip: PIL's bicubic resize to load_size (computed
    here by PIL), a crop window chosen uniformly, and a mirror with probability 1/2."""
    rng = np.random.default_rng(5)
    coarse = rng.integers(0, 256, (5, 5, 3), dtype=np.uint8)  # smooth: PIL and TF agree
    image = np.asarray(Image.fromarray(coarse).resize((20, 20), Image.BILINEAR))
    load, crop, draws = 26, 20, 300
    resized = np.asarray(Image.fromarray(image).resize((load, load), Image.BICUBIC), np.float64)
    matches = []
    for seed in range(draws):
        output = augment(tf.constant(image, tf.float32), tf.constant([seed, 7]), load, crop, flip)
        found = _windows_matching((output.numpy() + 1.0) * 127.5, resized, crop)
        assert len(found) == 1, (seed, found)  # one window, told apart from its neighbours
        matches.append(found[0])
    flips = sum(flipped for flipped, _, _ in matches)
    if flip:
        assert abs(flips - draws / 2) < 4 * np.sqrt(draws / 4)  # binomial(300, 1/2), 4 sd
    else:
        assert flips == 0
    # 300 draws over 7 x 7 offsets: each offset is missed with probability (48/49)^300.
    assert len({(top, left) for _, top, left in matches}) >= 45


@pytest.mark.parametrize(
    "shape, load, crop, resized_hw",
    [((20, 40), 30, 12, (15, 30)), ((40, 20), 24, 12, (48, 24)), ((10, 40), 32, 12, (12, 32))],
)
def test_scale_width_and_crop_keeps_the_aspect_ratio_as_the_official(shape, load, crop, resized_hw):
    """The official __scale_width: width load_size, height int(max(load * h / w, crop)),
    PIL bicubic; then a random crop window (flip off here)."""
    rng = np.random.default_rng(2)
    coarse = rng.integers(0, 256, (5, 5, 3), dtype=np.uint8)  # smooth: PIL and TF agree
    image = np.asarray(Image.fromarray(coarse).resize(shape[::-1], Image.BILINEAR))
    height, width = resized_hw
    resized = np.asarray(Image.fromarray(image).resize((width, height), Image.BICUBIC), float)
    for seed in range(5):
        output = augment(
            tf.constant(image, tf.float32),
            tf.constant([seed, 3]),
            load,
            crop,
            False,
            "scale_width_and_crop",
        )
        assert output.shape == (crop, crop, 3)
        assert _windows_matching((output.numpy() + 1.0) * 127.5, resized, crop), seed


def test_crop_preprocess_takes_a_window_of_the_image_itself():
    image = np.random.default_rng(4).integers(0, 256, (16, 20, 3)).astype(np.float32)
    output = augment(tf.constant(image), tf.constant([1, 2]), 99, 8, False, "crop")
    assert _windows_matching((output.numpy() + 1.0) * 127.5, image, 8, tolerance=1e-3)


@pytest.mark.parametrize(
    "shape, load, crop",
    [
        ((20, 40), 32, 12),  # wide: width 32, height 16
        ((40, 20), 24, 12),  # tall: height 48
        ((10, 40), 32, 12),  # the height raised to the crop size
        ((30, 40), 36, 12),  # height int(27.0) = 27, rounded to 28
        ((26, 32), 32, 12),  # height 26 = 4 x 6.5, rounded half to even: 24
        ((15, 30), 30, 12),  # width 30 = 4 x 7.5: 32; height 15: 16
        ((16, 32), 32, 12),  # already the size: returned as it is
    ],
)
def test_scale_width_keeps_the_aspect_ratio_without_a_crop(shape, load, crop):
    """'scale_width': the official __scale_width (width load_size, height int(max(load *
    h / w, crop))), then sides rounded to multiples of 4 as __make_power_2 does, in one PIL
    bicubic resize; no crop (flip off here)."""
    image = smooth_image(*shape, seed=2)
    width, height = official_make_power_2(*official_scale_width(shape[1], shape[0], load, crop))
    want = pil_resize(image, width, height)
    output = pixels(
        augment(
            tf.constant(image, tf.float32), tf.constant([1, 3]), load, crop, False, "scale_width"
        )
    )
    assert output.shape == (height, width, 3)
    tolerance = 1e-3 if image.shape[:2] == (height, width) else 2.0  # 1e-3: no resampling
    assert np.abs(output - want).max() < tolerance


@pytest.mark.parametrize(
    "shape, rounded",
    [((16, 24), (16, 24)), ((17, 30), (16, 32)), ((18, 22), (16, 24)), ((40, 21), (40, 20))],
)
def test_none_only_makes_the_sides_multiples_of_4(shape, rounded):
    """'none': __make_power_2(base=4) alone, PIL bicubic; an image of such sides untouched."""
    image = smooth_image(*shape, seed=3)
    assert official_make_power_2(shape[1], shape[0])[::-1] == rounded
    want = pil_resize(image, rounded[1], rounded[0])
    output = pixels(
        augment(tf.constant(image, tf.float32), tf.constant([1, 3]), 99, 16, False, "none")
    )
    assert output.shape == (*rounded, 3)
    tolerance = 1e-3 if shape == rounded else 2.0
    assert np.abs(output - want).max() < tolerance


def test_inference_transform_resizes_square_or_keeps_the_shape_by_mode():
    """Test, translate and export: the fixed-size modes resize to crop_size x crop_size
    (the official test's --load_size defaults to --crop_size), 'scale_width' and 'none'
    transform as training does, without a flip; one image per batch for those."""
    image = smooth_image(30, 40, seed=4)
    x = tf.constant(image[None], tf.float32)  # a batch of one
    for mode in ("resize_and_crop", "scale_width_and_crop", "crop"):
        transform = InferenceTransform(16, mode, 36)
        assert not transform.varying_size and transform.batch_size(4) == 4
        want = np.asarray(Image.fromarray(image).resize((16, 16), Image.BICUBIC), float)
        assert np.abs(pixels(transform(x))[0] - want).max() < 2.0, mode
    for mode, size in (("scale_width", (28, 36)), ("none", (32, 40))):
        transform = InferenceTransform(16, mode, 36)
        assert transform.varying_size and transform.batch_size(4) == 1
        want = pil_resize(image, size[1], size[0])
        assert np.abs(pixels(transform(x))[0] - want).max() < 2.0, mode
