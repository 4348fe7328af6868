"""Generated from notebooks/05_real_photos.py, the cells marked ``#| export gradient_similarity``.

Do not edit: change the notebook (its .py or .ipynb), then run `make sync`.
"""

# From notebooks/05_real_photos.py, under "A number for structure: GMSD"
import numpy as np

#: Prewitt's horizontal gradient, as the paper's code writes it (the vertical one is its transpose).
PREWITT = np.array([[1.0, 0.0, -1.0], [1.0, 0.0, -1.0], [1.0, 0.0, -1.0]]) / 3


def gmsd(reference, test, *, shave: int = 0, constant: float = 170.0) -> float:
    """Gradient magnitude similarity deviation (Xue et al., 2014) of two 0-255 images; 0 means identical."""
    from scipy.signal import convolve2d

    if np.shape(reference) != np.shape(test):
        raise ValueError(f"Images differ in shape: {np.shape(reference)} vs {np.shape(test)}.")
    magnitudes = []
    for image in (reference, test):
        luma = np.asarray(image, np.float64)
        luma = luma @ [0.299, 0.587, 0.114] if luma.ndim == 3 else luma  # the paper's grey level
        luma = luma[shave : luma.shape[0] - shave, shave : luma.shape[1] - shave]
        luma = luma[: luma.shape[0] // 2 * 2, : luma.shape[1] // 2 * 2]
        half = (luma[0::2, 0::2] + luma[1::2, 0::2] + luma[0::2, 1::2] + luma[1::2, 1::2]) / 4  # 2x2 means
        dx, dy = convolve2d(half, PREWITT, mode="same"), convolve2d(half, PREWITT.T, mode="same")
        magnitudes.append(np.hypot(dx, dy))
    ref, out = magnitudes
    similarity = (2 * ref * out + constant) / (ref**2 + out**2 + constant)
    return float(np.std(similarity, ddof=1))


# The public names the cells above define, in order.
__all__ = [
    "PREWITT",
    "gmsd",
]
