"""Pairs from photos: ``(lr, hr)``, two uint8 ``(H, W, 3)`` RGB images, ``hr`` exactly ``scale`` times larger.

:func:`make_pair` makes one from any photo (HR cropped to a multiple of the scale, LR by notebook 01's bicubic
degradation); :func:`load_sample` gives the offline photo set, split by photo. Everything downstream takes a list
of such pairs or DIV2K's ``tf.data`` stream of the same pairs (:mod:`edsr_helpers.div2k`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from edsr_helpers import samples
from edsr_helpers.constants import DEFAULT_SCALE, SCALES
from edsr_helpers.images import ImageLike, crop_to_multiple, load_image
from edsr_helpers.pairs import downscale

#: One training example: an LR and an HR uint8 RGB image, HR ``scale`` times larger.
Pair = tuple[np.ndarray, np.ndarray]
SPLITS = ("train", "validation", "test")


def check_scale(scale: int) -> None:
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, not {scale!r}.")


def check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}.")


def make_pair(image: ImageLike, scale: int = DEFAULT_SCALE) -> tuple[np.ndarray, np.ndarray]:
    """One ``(lr, hr)`` pair from a photo: HR cropped to a multiple of ``scale``, LR by bicubic downscaling.

    Grey, RGBA and 16-bit photos are converted to 8-bit RGB first.
    """
    check_scale(scale)
    hr = crop_to_multiple(load_image(image), scale)
    if min(hr.shape[:2]) < scale:
        raise ValueError(f"The image ({hr.shape[1]}x{hr.shape[0]} px) is too small to downscale by {scale}.")
    return downscale(hr, scale), hr


def pairs_from_images(images: Iterable[ImageLike], scale: int = DEFAULT_SCALE) -> list[Pair]:
    """``(lr, hr)`` pairs made from your own photos (paths, arrays or PIL images), as a list in memory.

    The pairs are made once, here, so a corrupt file fails now with its name rather than mid-training.
    """
    return [make_pair(image, scale) for image in images]


def load_sample(scale: int = DEFAULT_SCALE, split: str = "train") -> list[Pair]:
    """``(lr, hr)`` pairs from the offline photo set (see :mod:`edsr_helpers.samples`).

    The same kind of pairs as :func:`load_div2k`, so everything downstream works on either. The split is by
    photo and fixed: 6 training, 3 validation and 6 test photos.
    """
    check_split(split)
    return pairs_from_images((samples.load_photo(name) for name in samples.photo_names(split)), scale)


def first_pairs(pairs, count: int | None = None) -> list[Pair]:
    """The first ``count`` pairs (all when None) as numpy arrays, from a list or a tf.data dataset alike."""
    if isinstance(pairs, Sequence):
        return [(np.asarray(lr), np.asarray(hr)) for lr, hr in pairs[:count]]
    return list(pairs.take(-1 if count is None else count).as_numpy_iterator())


def check_pair(lr: np.ndarray, hr: np.ndarray, scale: int) -> None:
    """Fail with a clear message unless ``hr`` is exactly ``scale`` times ``lr`` in both sides."""
    lr_size, hr_size = tuple(np.shape(lr)[:2]), tuple(np.shape(hr)[:2])
    if hr_size != (lr_size[0] * scale, lr_size[1] * scale):
        raise ValueError(
            f"LR/HR sizes do not match scale {scale}: HR is {hr_size[1]}x{hr_size[0]} px, LR "
            f"{lr_size[1]}x{lr_size[0]} px, so HR should be {lr_size[1] * scale}x{lr_size[0] * scale}. Is the "
            "dataset made for another scale, or was the HR not cropped to a multiple of the scale "
            "(edsr_helpers.images.crop_to_multiple)?"
        )
