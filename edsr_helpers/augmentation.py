"""Aligned augmentation of a pair: random patches (notebook 01's crop and 8 symmetries, cut many at a time) and
the checks that show a pair stayed aligned.

The crop and the symmetries themselves are written in notebook 01 (:mod:`edsr_helpers.pairs`); this module cuts
batches of them for the pipelines and measures alignment.
"""

from __future__ import annotations

import warnings

import numpy as np

from edsr_helpers.pairs import downscale, random_patch
from edsr_helpers.photo_pairs import Pair, check_pair


def patches_from_image(
    lr: np.ndarray, hr: np.ndarray, seed: int, *, scale: int, lr_patch_size: int, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` random patches of one pair, stacked: ``(count, p, p, 3)`` and ``(count, p*scale, p*scale, 3)``.

    Patch ``k`` uses the seed ``(seed, k)``. An image smaller than the patch gives no patches (and a warning)
    instead of stopping the run; a pair whose sizes do not match ``scale`` raises ``ValueError``.
    """
    if not usable_pair(lr, hr, scale, lr_patch_size):
        hr_patch_size = lr_patch_size * scale
        return (
            np.zeros((0, lr_patch_size, lr_patch_size, 3), np.uint8),
            np.zeros((0, hr_patch_size, hr_patch_size, 3), np.uint8),
        )
    return stack_pairs(
        [random_patch(lr, hr, (int(seed), k), scale=scale, lr_patch_size=lr_patch_size) for k in range(count)]
    )


def usable_pair(lr: np.ndarray, hr: np.ndarray, scale: int, lr_patch_size: int) -> bool:
    """Whether a pair can give patches: sizes that do not match ``scale`` raise ``ValueError`` (a wrong dataset
    must stop the run); an image smaller than the patch is skipped with a warning (one small photo must not)."""
    check_pair(lr, hr, scale)
    if min(lr.shape[:2]) < lr_patch_size:
        warnings.warn(
            f"edsr_helpers: skipping an image whose LR size {lr.shape[1]}x{lr.shape[0]} is smaller than the "
            f"{lr_patch_size}px LR patch",
            stacklevel=3,
        )
        return False
    return True


def stack_pairs(patches: list[Pair]) -> tuple[np.ndarray, np.ndarray]:
    """A list of pairs as two batches, ``(n, h, w, 3)`` each."""
    return np.stack([lr for lr, _ in patches]), np.stack([hr for _, hr in patches])


TRANSFORM_NAMES = tuple(
    f"rot {90 * turns}°" + (" + flip" if flip else "") for flip in (False, True) for turns in range(4)
)


def alignment_psnr(lr: np.ndarray, hr: np.ndarray, scale: int, border: int = 2) -> float:
    """How well ``lr`` matches ``hr`` downscaled: high (> 35 dB) for an aligned pair, 20-25 dB when shifted by
    one LR pixel.

    Downscaling the HR patch alone sees no pixels outside it, so the outermost ``border`` LR pixels (where
    the bicubic kernel reaches past the patch) are left out of the comparison.
    """
    from edsr_helpers.metrics import psnr

    return psnr(lr.astype(np.float64), downscale(np.asarray(hr), scale).astype(np.float64), shave=border)
