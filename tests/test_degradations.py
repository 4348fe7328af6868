"""Notebook 05's degradation pipeline: blur, resizing, noise and JPEG as real photos have them, reproducible."""

from __future__ import annotations

import numpy as np
import pytest

from edsr_helpers import data, degradations, metrics, samples

pytestmark = pytest.mark.engine_free


@pytest.fixture(scope="module")
def hr():
    return data.make_pair(samples.load_photo("monarch")[:192, :256], 4)[1]


def test_kernels_keep_brightness_and_have_their_shape():
    round_kernel = degradations.gaussian_kernel(1.5)
    assert round_kernel.sum() == pytest.approx(1.0) and np.allclose(round_kernel, round_kernel.T)
    assert round_kernel.shape == (11, 11)  # 3 sigma each side
    wide = degradations.gaussian_kernel(3.0, 0.5)  # long along x, thin along y
    assert wide.sum() == pytest.approx(1.0)
    assert wide[10, :].std() < wide[:, 10].std()  # spread along the row, peaked down the column
    turned = degradations.gaussian_kernel(3.0, 0.5, np.pi / 2)
    np.testing.assert_allclose(turned, wide.T, atol=1e-12)
    assert degradations.gaussian_kernel(20.0).shape == (21, 21)  # capped


def test_blur_keeps_a_flat_image_flat_and_softens_edges(hr):
    flat = np.full((32, 32, 3), 100.0)
    np.testing.assert_allclose(degradations.blur(flat, degradations.gaussian_kernel(2.0)), flat, atol=1e-9)
    blurred = degradations.blur(hr, degradations.gaussian_kernel(2.0))
    assert blurred.shape == hr.shape and np.abs(np.diff(blurred, axis=1)).mean() < np.abs(np.diff(hr, axis=1)).mean()


def test_degrade_is_reproducible_by_seed_and_has_the_lr_size(hr):
    first, again, other = (degradations.degrade(hr, 4, seed) for seed in (3, 3, 4))
    assert first.dtype == np.uint8 and first.shape == (hr.shape[0] // 4, hr.shape[1] // 4, 3)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    for scale in (2, 3):
        assert degradations.degrade(hr, scale, 0).shape == (hr.shape[0] // scale, hr.shape[1] // scale, 3)


def test_the_evaluation_degradation_is_fixed_and_harder_than_bicubic(hr):
    lr_clean = data.make_pair(hr, 4)[0]
    first, again = degradations.degrade_for_evaluation(hr, 4), degradations.degrade_for_evaluation(hr, 4)
    np.testing.assert_array_equal(first, again)
    assert 20 < metrics.psnr(lr_clean, first) < 40  # close to the clean LR, but not it


def test_jpeg_costs_more_at_lower_quality(hr):
    scores = [metrics.psnr(hr, degradations.jpeg(hr, quality)) for quality in (10, 50, 90)]
    assert scores[0] < scores[1] < scores[2]


def test_noise_has_the_spread_it_promises():
    rng = np.random.default_rng(0)
    grey = np.full((200, 200, 3), 50.0)
    assert degradations.gaussian_noise(grey, 5.0, rng).std() == pytest.approx(5.0, rel=0.03)
    photons = degradations.poisson_noise(grey, 2.0, rng)  # variance = 100 photons -> std 10 photons = 5 levels
    assert photons.std() == pytest.approx(5.0, rel=0.05) and photons.mean() == pytest.approx(50.0, rel=0.01)
