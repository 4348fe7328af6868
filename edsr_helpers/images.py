"""Reading images and making them what EDSR expects: uint8, height x width x 3, RGB.

Photos arrive in every shape: greyscale scans, PNGs with an alpha channel, 16-bit TIFFs, floats in [0, 1].
Everything that enters the series passes through :func:`to_rgb_uint8` so the model only ever sees one kind of
array, and a file that cannot be read fails with a message that says what to do.
"""

from __future__ import annotations

import io
import os

import numpy as np
from PIL import Image, ImageOps

from edsr_helpers import pairs  # the degradation, written in notebook 01
from edsr_helpers.constants import LR_FROM

ImageLike = np.ndarray | Image.Image | str | os.PathLike | bytes


def to_rgb_uint8(image: np.ndarray | Image.Image) -> np.ndarray:
    """Convert an image array (or PIL image) to a uint8 ``(H, W, 3)`` RGB array.

    Greyscale is repeated into three channels, alpha is dropped (composited on white, so transparent areas
    do not turn black), 16-bit data is scaled down to 8 bits, floats are read as [0, 1] values.

    Raises:
        ValueError: for shapes that are not an image (for example 1-D data or 5 channels).
    """
    if isinstance(image, Image.Image):
        image = _pil_to_array(image)
    array = np.asarray(image)
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3 or array.shape[-1] not in (1, 2, 3, 4):
        raise ValueError(f"Expected an image of shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4); got {array.shape}.")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"The image is empty (shape {array.shape}).")
    array = _to_unit_float_or_uint8(array)
    channels = array.shape[-1]
    if channels in (2, 4):  # colour (or grey) plus alpha: composite over white
        colour, alpha = array[..., :-1].astype(np.float32), array[..., -1:].astype(np.float32) / 255.0
        array = np.round(colour * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)
    if array.shape[-1] == 1:
        array = np.repeat(array, 3, axis=-1)
    return np.ascontiguousarray(array)


def _to_unit_float_or_uint8(array: np.ndarray) -> np.ndarray:
    """Bring any numeric dtype to uint8 on a 0-255 scale."""
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.bool_:
        return array.astype(np.uint8) * 255
    if array.dtype == np.uint16:
        return (array >> 8).astype(np.uint8)  # 65535 -> 255, the exact inverse of 8 -> 16 bit expansion
    if np.issubdtype(array.dtype, np.floating):
        finite = np.isfinite(array)
        if not finite.all():
            raise ValueError(
                f"The image holds {array.size - int(finite.sum()):,} NaN or infinite values (of {array.size:,}); "
                "an image needs a number in every pixel. Find where they came from (a division by zero, a model "
                "that diverged) or replace them, e.g. with np.nan_to_num(image)."
            )
        if array.max() > 1.0 + 1e-6:
            raise ValueError(
                "Float images must hold values in [0, 1]; this one goes up to "
                f"{float(array.max()):.3g}. Divide by 255 (8-bit data) or 65535 (16-bit data) first."
            )
        return np.round(np.clip(array, 0.0, 1.0) * 255.0).astype(np.uint8)
    if np.issubdtype(array.dtype, np.integer):
        top = 65535 if array.max(initial=0) > 255 else 255
        return np.round(np.clip(array, 0, top) * (255.0 / top)).astype(np.uint8)
    raise ValueError(f"Cannot read an image of dtype {array.dtype}.")


def _pil_to_array(image: Image.Image) -> np.ndarray:
    """PIL image -> array, keeping 16-bit precision and alpha so :func:`to_rgb_uint8` can treat them."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return np.asarray(image, dtype=np.uint16 if image.mode.startswith("I;16") else np.int32)
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return np.asarray(image)
    if image.mode == "P" and "transparency" in image.info:
        return np.asarray(image.convert("RGBA"))
    return np.asarray(image.convert("RGB"))


def load_image(source: ImageLike) -> np.ndarray:
    """Read a photo from a path, bytes, a PIL image or an array into a uint8 RGB array, upright.

    Files and bytes are turned the way their EXIF orientation tag says, as photo viewers do.

    Raises:
        FileNotFoundError: if a path does not exist.
        ValueError: if the file is not an image PIL can read, is truncated, or is so large that it looks
            like a decompression bomb; the message says which and what to do.
    """
    if isinstance(source, (np.ndarray, Image.Image)):
        return to_rgb_uint8(source)
    if isinstance(source, bytes):
        stream, name = io.BytesIO(source), "the uploaded data"
    else:
        path = os.fspath(source)
        if not os.path.exists(path):
            raise FileNotFoundError(f"No image at {path!r}; check the path (relative paths start at {os.getcwd()}).")
        stream, name = path, repr(path)
    try:
        with Image.open(stream) as image:
            image.load()
            # Phones store photos as the sensor saw them plus an EXIF "Orientation" tag; apply it, or portrait
            # photos come out sideways.
            return to_rgb_uint8(ImageOps.exif_transpose(image))
    except Image.DecompressionBombError as error:
        raise ValueError(
            f"{name} is too large to open safely ({error}). Resize it below "
            f"{Image.MAX_IMAGE_PIXELS:,} pixels first, or raise PIL.Image.MAX_IMAGE_PIXELS if you trust it."
        ) from error
    except (OSError, SyntaxError) as error:  # UnidentifiedImageError is an OSError; truncated files too
        reason = str(error).replace(repr(stream), "it") if isinstance(source, bytes) else str(error)
        raise ValueError(
            f"{name} is not a readable image ({reason}). Use a PNG or JPEG file; re-save it if it is damaged."
        ) from error


def crop_to_multiple(image: np.ndarray, scale: int) -> np.ndarray:
    """Crop the bottom/right edge so both sides are multiples of ``scale`` (as DIV2K's HR images are)."""
    height, width = image.shape[:2]
    return image[: height - height % scale, : width - width % scale]


def resize_bicubic(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Antialiased bicubic resize to ``(height, width)`` with PIL, rounded back to uint8.

    PIL's bicubic widens its kernel when shrinking (antialiasing), like MATLAB's ``imresize`` that made
    DIV2K's low-resolution images; both use the Keys cubic with a = -0.5.
    """
    height, width = size
    return np.asarray(Image.fromarray(to_rgb_uint8(image)).resize((width, height), Image.BICUBIC))


def make_lr(hr: np.ndarray, scale: int, lr_from: str = "bicubic") -> np.ndarray:
    """The LR input of an original whose sides are multiples of ``scale``, made the ``lr_from`` way
    (``constants.LR_FROM``): the series' bicubic downscaling, or notebook 05's fixed camera-like degradation."""
    if lr_from not in LR_FROM:
        raise ValueError(f"the LR can be made {' or '.join(map(repr, LR_FROM))}, not {lr_from!r}.")
    if lr_from == "camera-like":
        from edsr_helpers.degradations import degrade_for_evaluation  # written in notebook 05

        return degrade_for_evaluation(to_rgb_uint8(hr), scale)
    return pairs.downscale(to_rgb_uint8(hr), scale)


def upscale_bicubic(lr: np.ndarray, scale: int) -> np.ndarray:
    """The bicubic baseline every super-resolution result is compared with."""
    height, width = lr.shape[:2]
    return resize_bicubic(lr, (height * scale, width * scale))
