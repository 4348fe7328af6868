from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from edsr_helpers import images
from edsr_helpers.pairs import downscale

pytestmark = pytest.mark.engine_free


def test_grey_becomes_three_equal_channels(photo):
    grey = photo[..., 1]
    rgb = images.to_rgb_uint8(grey)
    assert rgb.shape == photo.shape and rgb.dtype == np.uint8
    np.testing.assert_array_equal(rgb[..., 0], grey)
    np.testing.assert_array_equal(rgb[..., 2], grey)
    np.testing.assert_array_equal(images.to_rgb_uint8(grey[..., None]), rgb)


def test_rgba_is_composited_on_white(photo):
    rgba = np.concatenate([photo, np.full(photo.shape[:2] + (1,), 255, np.uint8)], axis=-1)
    np.testing.assert_array_equal(images.to_rgb_uint8(rgba), photo)  # opaque: unchanged
    rgba[..., 3] = 0
    assert (images.to_rgb_uint8(rgba) == 255).all()  # transparent: white, not black


def test_16_bit_is_scaled_to_8_bit(photo):
    sixteen = photo.astype(np.uint16) * 257  # the standard 8 -> 16 bit expansion
    np.testing.assert_array_equal(images.to_rgb_uint8(sixteen), photo)


def test_16_bit_png_file_is_read(tmp_path, photo):
    grey16 = photo[..., 0].astype(np.uint16) * 257
    path = tmp_path / "grey16.png"
    Image.fromarray(grey16).save(path)
    assert Image.open(path).mode.startswith("I")
    np.testing.assert_array_equal(images.load_image(path)[..., 1], photo[..., 0])


def test_float_in_unit_range_and_refusal_above(photo):
    np.testing.assert_array_equal(images.to_rgb_uint8(photo / 255.0), photo)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        images.to_rgb_uint8(photo.astype(np.float32))


@pytest.mark.parametrize("shape", [(10,), (4, 4, 5), (2, 2, 2, 3), (0, 4, 3)])
def test_not_an_image_shape(shape):
    with pytest.raises(ValueError):
        images.to_rgb_uint8(np.zeros(shape, np.uint8))


def test_load_image_from_path_bytes_and_pil(tmp_path, photo):
    path = tmp_path / "photo.png"
    Image.fromarray(photo).save(path)
    np.testing.assert_array_equal(images.load_image(path), photo)
    np.testing.assert_array_equal(images.load_image(path.read_bytes()), photo)
    np.testing.assert_array_equal(images.load_image(Image.open(path)), photo)


def test_corrupt_and_truncated_files_get_clear_errors(tmp_path, photo):
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"this is not a picture")
    with pytest.raises(ValueError, match="not a readable image"):
        images.load_image(junk)
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, format="JPEG")
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 3])
    with pytest.raises(ValueError, match="not a readable image"):
        images.load_image(truncated)
    with pytest.raises(FileNotFoundError, match="No image at"):
        images.load_image(tmp_path / "missing.png")


def test_decompression_bomb_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "big.png"
    Image.new("RGB", (300, 300)).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 300 * 300 // 3)  # PIL refuses above 2x this
    with pytest.raises(ValueError, match="too large to open safely"):
        images.load_image(path)


def test_crop_and_downscale(photo):
    odd = photo[:203, :150]
    cropped = images.crop_to_multiple(odd, 4)
    assert cropped.shape == (200, 148, 3)
    assert downscale(cropped, 4).shape == (50, 37, 3)
    with pytest.raises(ValueError, match="not a multiple of the scale"):
        downscale(odd, 4)


def test_bicubic_round_trip_is_close_but_lossy(photo):
    from edsr_helpers.metrics import psnr

    back = images.upscale_bicubic(downscale(photo, 4), 4)
    assert back.shape == photo.shape
    assert 22.0 < psnr(photo, back, shave=4) < 35.0
