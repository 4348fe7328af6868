from __future__ import annotations

import numpy as np
import pytest

from edsr_helpers import metrics


def test_psnr_hand_computed():
    reference = np.zeros((4, 4, 3), np.uint8)
    test = reference.copy()
    test[0, 0, 0] = 16  # MSE = 256 / 48
    expected = 10 * np.log10(255**2 / (256 / 48))
    assert metrics.psnr(reference, test) == pytest.approx(expected)
    assert metrics.psnr(reference, reference) == float("inf")


def test_psnr_matches_tf_image_psnr_on_255_scale(photo):
    tf = pytest.importorskip("tensorflow")
    noisy = np.clip(photo.astype(int) + np.random.default_rng(0).integers(-9, 10, photo.shape), 0, 255)
    expected = float(tf.image.psnr(tf.constant(photo, tf.float32), tf.constant(noisy, tf.float32), 255.0))
    assert metrics.psnr(photo, noisy) == pytest.approx(expected, abs=1e-3)


def test_shave_ignores_the_border(photo):
    damaged = photo.copy()
    damaged[:4] = 0
    assert metrics.psnr(photo, damaged, shave=4) == float("inf")
    assert metrics.psnr(photo, damaged) < 30


def test_y_channel_is_matlab_rgb2ycbcr():
    assert metrics.rgb_to_y(np.array([0, 0, 0])) == pytest.approx(16.0)
    assert metrics.rgb_to_y(np.array([255, 255, 255])) == pytest.approx(235.0)
    assert metrics.rgb_to_y(np.array([255, 0, 0])) == pytest.approx(16 + 65.481)


def test_shape_mismatch_is_an_error(photo):
    with pytest.raises(ValueError, match="differ in shape"):
        metrics.psnr(photo, photo[:-1])


def test_score_is_psnr_and_ssim_on_y_with_the_border_shaved(photo):
    noisy = np.clip(photo.astype(int) + np.random.default_rng(1).integers(-9, 10, photo.shape), 0, 255).astype(np.uint8)
    on_y = metrics.score(photo, noisy, shave=4, with_ssim=True)
    assert on_y.psnr == metrics.psnr(photo, noisy, shave=4, y_only=True)
    assert on_y.ssim == metrics.ssim(photo, noisy, shave=4, y_only=True)
    on_rgb = metrics.score(photo, noisy, shave=4, y_only=False)
    assert on_rgb == (metrics.psnr(photo, noisy, shave=4), None) and on_rgb.psnr != on_y.psnr
    damaged = photo.copy()
    damaged[:4] = 0
    assert metrics.score(photo, damaged, shave=4).psnr == float("inf")
