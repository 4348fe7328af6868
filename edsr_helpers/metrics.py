"""Image-quality numbers on the 0-255 scale (stage 3 of the series builds its Keras metrics on these).

Super-resolution papers report PSNR on the luma (Y) channel of ITU-R BT.601 YCbCr, computed as MATLAB's
``rgb2ycbcr`` does, with a border of ``scale`` pixels shaved off; others report plain RGB PSNR. Both are here,
for whole numpy images, so that every number the series prints is computed one way.
"""

from __future__ import annotations

import numpy as np

#: BT.601 luma weights for 0-255 RGB, as MATLAB's rgb2ycbcr (studio swing: Y in [16, 235]).
_Y_WEIGHTS = np.array([65.481, 128.553, 24.966], dtype=np.float64) / 255.0
_Y_OFFSET = 16.0


def rgb_to_y(image: np.ndarray) -> np.ndarray:
    """Luma channel (float64, 16-235) of an RGB image on the 0-255 scale, as MATLAB's ``rgb2ycbcr``."""
    return np.asarray(image, dtype=np.float64) @ _Y_WEIGHTS + _Y_OFFSET


def psnr(
    reference: np.ndarray, test: np.ndarray, *, shave: int = 0, y_only: bool = False, max_val: float = 255.0
) -> float:
    """Peak signal-to-noise ratio in dB between two images on the 0-255 scale.

    Args:
        reference: the ground truth (H, W, 3), any numeric dtype, values in [0, 255].
        test: the image to score, same shape.
        shave: pixels dropped from every border before comparing (the SR convention: ``scale``).
        y_only: compare the BT.601 luma channel only (the SR papers' convention) instead of RGB.
        max_val: the peak value; 255 for this series' images.

    Returns:
        PSNR in dB; ``inf`` for identical images.
    """
    reference, test = np.asarray(reference, dtype=np.float64), np.asarray(test, dtype=np.float64)
    if reference.shape != test.shape:
        raise ValueError(f"Images differ in shape: {reference.shape} vs {test.shape}.")
    if y_only:
        reference, test = rgb_to_y(reference), rgb_to_y(test)
    if shave:
        reference, test = reference[shave:-shave, shave:-shave], test[shave:-shave, shave:-shave]
    mse = float(np.mean((reference - test) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(max_val**2 / mse)
