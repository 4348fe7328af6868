"""GMSD (Xue et al., 2014), as notebook 05 writes it, against the paper's reference code on known cases."""

from __future__ import annotations

import numpy as np
import pytest

from edsr_helpers import degradations, metrics

pytestmark = pytest.mark.engine_free


def _matlab_conv2_same(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """MATLAB's ``conv2(A, B, 'same')``, by loops: the full convolution (kernel flipped, zeros outside), then
    its central part starting at row and column ``floor(size / 2)`` (0-based)."""
    rows, cols = image.shape
    krows, kcols = kernel.shape
    full = np.zeros((rows + krows - 1, cols + kcols - 1))
    for i in range(rows):
        for j in range(cols):
            full[i : i + krows, j : j + kcols] += image[i, j] * kernel
    top, left = krows // 2, kcols // 2
    return full[top : top + rows, left : left + cols]


def _reference_gmsd(y1: np.ndarray, y2: np.ndarray) -> float:
    """The paper's GMSD.m, line by line: 2x2 average with conv2 'same', every second pixel from the first,
    Prewitt gradients / 3, T = 170, std2 of the map (MATLAB's std: n - 1)."""
    dx = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]]) / 3
    average = np.full((2, 2), 0.25)
    maps = []
    for y in (y1, y2):
        y = _matlab_conv2_same(y, average)[::2, ::2]
        maps.append(np.sqrt(_matlab_conv2_same(y, dx) ** 2 + _matlab_conv2_same(y, dx.T) ** 2))
    quality = (2 * maps[0] * maps[1] + 170) / (maps[0] ** 2 + maps[1] ** 2 + 170)
    return float(np.std(quality, ddof=1))


def test_gmsd_is_the_papers_reference_code_on_random_grey_images():
    rng = np.random.default_rng(0)
    reference = rng.uniform(0, 255, (20, 26))
    test = np.clip(reference + rng.normal(0, 20, reference.shape), 0, 255)
    assert metrics.gmsd(reference, test) == pytest.approx(_reference_gmsd(reference, test), rel=1e-12)


def test_gmsd_takes_the_papers_grey_level_of_a_colour_image():
    rng = np.random.default_rng(1)
    reference, test = rng.uniform(0, 255, (2, 16, 18, 3))
    grey = [0.299, 0.587, 0.114]
    assert metrics.gmsd(reference, test) == pytest.approx(_reference_gmsd(reference @ grey, test @ grey), rel=1e-12)


def test_gmsd_is_zero_for_a_copy_and_grows_with_the_damage():
    photo = degradations.resize(np.random.default_rng(2).uniform(0, 255, (64, 64, 3)), (96, 96), "bicubic")
    assert metrics.gmsd(photo, photo) == 0.0
    blurred = [degradations.blur(photo, degradations.gaussian_kernel(sigma)) for sigma in (0.5, 1.0, 2.0)]
    scores = [metrics.gmsd(photo, image) for image in blurred]
    assert 0 < scores[0] < scores[1] < scores[2]


def test_gmsd_shaves_the_border_and_refuses_images_of_different_sizes():
    rng = np.random.default_rng(3)
    reference, test = rng.uniform(0, 255, (2, 24, 24))
    assert metrics.gmsd(reference, test, shave=4) == pytest.approx(
        _reference_gmsd(reference[4:-4, 4:-4], test[4:-4, 4:-4])
    )
    with pytest.raises(ValueError, match="differ in shape"):
        metrics.gmsd(reference, test[:-1])
