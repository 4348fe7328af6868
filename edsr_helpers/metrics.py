"""Image-quality numbers on the 0-255 scale (stage 3 of the series builds its Keras metrics on these).

Super-resolution papers report PSNR on the luma (Y) channel of ITU-R BT.601 YCbCr, computed as MATLAB's
``rgb2ycbcr`` does, with a border of ``scale`` pixels shaved off; others report plain RGB PSNR. Both are here,
for whole numpy images, so that every number the series prints is computed one way.
"""

from __future__ import annotations

from typing import NamedTuple

import keras
import numpy as np
from keras import ops

from edsr_helpers.gradient_similarity import gmsd  # written in notebook 05
from edsr_helpers.objective import Y_OFFSET, Y_WEIGHTS, psnr, rgb_to_y  # written in notebook 03
from edsr_helpers.serialization import register_serializable

__all__ = ["PSNR", "Y_OFFSET", "Y_WEIGHTS", "Score", "gmsd", "psnr", "psnr_per_image", "rgb_to_y", "score", "ssim"]


def ssim(reference: np.ndarray, test: np.ndarray, *, shave: int = 0, y_only: bool = False) -> float:
    """Structural similarity (Wang et al., 2004) on the 0-255 scale: 11x11 Gaussian window, sigma 1.5.

    Computed with scikit-image's ``structural_similarity`` set up as the paper (and ``tf.image.ssim``) define
    it: Gaussian weights, population covariances, constants K1 = 0.01, K2 = 0.03, the mean taken over the
    windows that fit inside the image. On the Y channel when ``y_only``, per RGB channel (averaged) otherwise,
    after shaving ``shave`` border pixels. 1.0 means identical.
    """
    from skimage.metrics import structural_similarity

    reference, test = np.asarray(reference, dtype=np.float64), np.asarray(test, dtype=np.float64)
    if reference.shape != test.shape:
        raise ValueError(f"Images differ in shape: {reference.shape} vs {test.shape}.")
    if y_only:
        reference, test = rgb_to_y(reference)[..., None], rgb_to_y(test)[..., None]
    if shave:
        reference, test = reference[shave:-shave, shave:-shave], test[shave:-shave, shave:-shave]
    if min(reference.shape[:2]) < 11:
        raise ValueError(f"SSIM needs images of at least 11x11 pixels (after shaving); got {reference.shape[:2]}.")
    return float(
        structural_similarity(
            reference,
            test,
            data_range=255.0,
            channel_axis=-1,
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
        )
    )


class Score(NamedTuple):
    """PSNR (dB) of an image against its reference and, when asked for, its SSIM (``None`` otherwise)."""

    psnr: float
    ssim: float | None = None


def score(
    reference: np.ndarray, test: np.ndarray, *, shave: int = 0, y_only: bool = True, with_ssim: bool = False
) -> Score:
    """How close ``test`` (bicubic's or a model's upscaling) is to ``reference``, as SR papers measure it.

    On the Y channel by default (``y_only=False``: RGB), with a border of ``shave`` pixels left out (the papers'
    is the scale), PSNR and, ``with_ssim``, SSIM. Every table, curve and widget of the series scores through it,
    so bicubic and a model are always compared the same way.
    """
    return Score(
        psnr(reference, test, shave=shave, y_only=y_only),
        ssim(reference, test, shave=shave, y_only=y_only) if with_ssim else None,
    )


# ------------------------------------------------------------------------------------------ Keras metric


def _rgb_to_y_tensor(images):
    weights = ops.convert_to_tensor(Y_WEIGHTS.astype(np.float32))
    return ops.sum(images * weights, axis=-1, keepdims=True) + Y_OFFSET


def psnr_per_image(y_true, y_pred, shave: int = 0, y_only: bool = False):
    """PSNR of every image in a batch (a tensor of shape ``(batch,)``), on the 0-255 scale.

    Predictions are clipped to [0, 255] first (what saving them as an image would do). Both inputs are cast to
    float32, so uint8 targets and bfloat16/float16 predictions compare correctly.
    """
    y_true = ops.cast(y_true, "float32")
    y_pred = ops.clip(ops.cast(y_pred, "float32"), 0.0, 255.0)
    if y_only:
        y_true, y_pred = _rgb_to_y_tensor(y_true), _rgb_to_y_tensor(y_pred)
    if shave:
        y_true, y_pred = y_true[:, shave:-shave, shave:-shave], y_pred[:, shave:-shave, shave:-shave]
    mse = ops.mean(ops.square(y_true - y_pred), axis=(1, 2, 3))
    mse = ops.maximum(mse, 1e-10)  # identical images: a large finite number instead of inf
    return 10.0 * ops.log10(255.0**2 / mse)


@register_serializable(package="edsr_helpers")
class PSNR(keras.metrics.MeanMetricWrapper):
    """Mean PSNR over *every image* seen (not over batches, and not of image [0] only).

    Args:
        shave: border pixels left out (the SR convention is ``scale``).
        y_only: on the BT.601 Y channel (the papers' convention) instead of RGB.
        name: metric name in logs, e.g. ``psnr`` or ``psnr_y``.
    """

    def __init__(self, shave: int = 0, y_only: bool = False, name: str = "psnr", dtype=None):
        super().__init__(psnr_per_image, name=name, dtype=dtype, shave=shave, y_only=y_only)
        self.shave, self.y_only = shave, y_only

    def get_config(self):
        return {"shave": self.shave, "y_only": self.y_only, "name": self.name, "dtype": self.dtype}
