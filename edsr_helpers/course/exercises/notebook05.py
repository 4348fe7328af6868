"""Notebook 05's exercises (real photos): checkers, reference solutions (``solve_*``) and typical
wrong answers (see :mod:`edsr_helpers.course.exercises`)."""

from __future__ import annotations

import functools
import math

import numpy as np

import edsr_helpers as eh
from edsr_helpers import degradations, inference, metrics
from edsr_helpers.course.exercises.checking import Exercise, Verdict, call_student, close, exercise, monarch_pair, say
from edsr_helpers.images import upscale_bicubic

__all__ = ["check_jpeg_price", "check_photon_noise", "check_gaussian_kernel", "check_noise_crossover", "NOISE_SIGMAS"]

#: Exercise 05.1's JPEG qualities.
JPEG_QUALITIES = (10, 50, 90)


@exercise("fill psnr_by_quality = {quality: PSNR in dB} for 10, 50 and 90.")
def check_jpeg_price(psnr_by_quality) -> Verdict:
    """05, exercise 1: Y-PSNR of monarch's HR image after JPEG at three qualities."""
    hr = monarch_pair()[1]
    right = {quality: metrics.psnr(hr, degradations.jpeg(hr, quality), y_only=True) for quality in JPEG_QUALITIES}
    if not isinstance(psnr_by_quality, dict) or set(psnr_by_quality) != set(JPEG_QUALITIES):
        return say(False, f"psnr_by_quality needs one entry for each quality in {JPEG_QUALITIES}.")
    rgb = {quality: metrics.psnr(hr, degradations.jpeg(hr, quality)) for quality in JPEG_QUALITIES}
    if all(close(psnr_by_quality[quality], rgb[quality], 0.02) for quality in JPEG_QUALITIES):
        return say(False, "Those are RGB PSNRs; measure on Y (y_only=True), as everywhere in the series.")
    for quality in JPEG_QUALITIES:
        if not close(psnr_by_quality[quality], right[quality], 0.02):
            return say(False, f"Quality {quality}: compress with eh.degradations.jpeg(hr, {quality}), then PSNR on Y.")
    return say(
        True, "Every step down in quality costs dB, and at 10 the 8x8 blocks show: a model must not sharpen them."
    )


@exercise("set noise_dark and noise_bright to the two standard deviations, in grey levels.")
def check_photon_noise(noise_dark, noise_bright) -> Verdict:
    """05, exercise 2: standard deviation of Poisson noise at grey levels 50 and 200, 2 photons per level."""
    right = {level: math.sqrt(level * 2) / 2 for level in (50, 200)}  # sqrt(photons) / photons per level
    if close(noise_dark, right[50], 0.05) and close(noise_bright, right[200], 0.05):
        return say(
            True,
            "Brighter pixels get more noise in grey levels, yet less relative to their value: a dark night photo "
            "collects few photons, so its noise is large next to its signal.",
        )
    if close(noise_dark, math.sqrt(50 * 2), 0.05) or close(noise_bright, math.sqrt(200 * 2), 0.05):
        return say(False, "That is in photons; divide by the photons per grey level to get grey levels.")
    if close(noise_dark, math.sqrt(50), 0.05) and close(noise_bright, math.sqrt(200), 0.05):
        return say(False, "With 1 photon per level that would be right; here each grey level is 2 photons.")
    return say(False, "Count photons (level x 2), take the square root (Poisson), convert back to grey levels.")


def _reference_kernel(sigma: float) -> np.ndarray:
    radius = math.ceil(3 * sigma)
    offsets = np.arange(-radius, radius + 1)
    kernel = np.exp(-0.5 * (offsets[:, None] ** 2 + offsets[None, :] ** 2) / sigma**2)
    return kernel / kernel.sum()


@exercise("define my_kernel(sigma) and pass it in.")
def check_gaussian_kernel(my_kernel) -> Verdict:
    """05, exercise 3: an isotropic Gaussian kernel of side 2 ceil(3 sigma) + 1, normalised."""
    for sigma in (0.8, 1.5, 2.0):
        result, error = call_student(my_kernel, sigma)
        if error:
            return say(False, error)
        result = np.asarray(result, dtype=np.float64)
        right = _reference_kernel(sigma)
        if result.shape != right.shape:
            return say(
                False, f"For sigma={sigma} the kernel is {right.shape[0]} x {right.shape[0]}: 2*ceil(3*sigma)+1."
            )
        if not close(result.sum(), 1.0, 1e-6):
            return say(False, "Divide by the sum: a blur must keep the brightness (the kernel sums to 1).")
        if not np.allclose(result, right, atol=1e-9):
            return say(False, "exp(-(x^2 + y^2) / (2 sigma^2)), with x and y the offsets from the centre pixel.")
    return say(True, "The same kernel as eh.degradations.gaussian_kernel(sigma), cut at 3 sigma.")


#: Exercise 05.4's noise levels, in grey levels.
NOISE_SIGMAS = (2, 5, 10, 20)


@functools.lru_cache(maxsize=1)
def _noise_gains() -> dict[int, float]:
    lr, hr = monarch_pair()
    model = eh.pretrained.load_pretrained(4)
    gains = {}
    for sigma in NOISE_SIGMAS:
        noisy = degradations.gaussian_noise(lr.astype(np.float64), sigma, np.random.default_rng(0))
        noisy = np.clip(np.round(noisy), 0, 255).astype(np.uint8)
        edsr = metrics.psnr(hr, inference.upscale(model, noisy), shave=4, y_only=True)
        gains[sigma] = edsr - metrics.psnr(hr, upscale_bicubic(noisy, 4), shave=4, y_only=True)
    return gains


@exercise("write guess first, then fill gains = {sigma: EDSR PSNR - bicubic PSNR}.")
def check_noise_crossover(guess, gains) -> Verdict:
    """05, exercise 4: EDSR's gain over bicubic on monarch's LR with added noise, guessed then measured."""
    right = _noise_gains()
    if guess not in NOISE_SIGMAS and guess is not None:
        return say(False, f"guess must be one of {NOISE_SIGMAS}: the smallest sigma where you expect bicubic to win.")
    if not isinstance(gains, dict) or set(gains) != set(NOISE_SIGMAS):
        return say(False, f"gains needs one entry for each sigma in {NOISE_SIGMAS}.")
    for sigma in NOISE_SIGMAS:
        if close(gains[sigma], -right[sigma], 0.02):
            return say(False, "The sign is reversed: EDSR's PSNR minus bicubic's.")
        if not close(gains[sigma], right[sigma], 0.02):
            return say(
                False,
                f"sigma={sigma}: add the noise to lr with default_rng(0), round and clip to uint8, then compare "
                "both upscalings with hr (Y, shave 4).",
            )
    losing = [sigma for sigma in NOISE_SIGMAS if right[sigma] < 0]
    verdict = "never lost within these levels" if not losing else f"lost from sigma = {min(losing)} on"
    hit = "right" if (min(losing) if losing else None) == guess else "not what you guessed"
    return say(True, f"EDSR {verdict}: {hit}. It sharpens noise it was never taught to remove.")


# ------------------------------------------------------------------------------------------- reference solutions


def solve_jpeg_price():
    _, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
    psnr_by_quality = {q: eh.metrics.psnr(hr, eh.degradations.jpeg(hr, q), y_only=True) for q in (10, 50, 90)}
    return (psnr_by_quality,)


def solve_photon_noise():
    # a pixel at grey level L collects L * 2 photons; Poisson: std = sqrt(photons); back in grey levels: / 2
    noise_dark = math.sqrt(50 * 2) / 2
    noise_bright = math.sqrt(200 * 2) / 2
    return noise_dark, noise_bright


def solve_gaussian_kernel():
    def my_kernel(sigma):
        radius = math.ceil(3 * sigma)
        x = np.arange(-radius, radius + 1)
        kernel = np.exp(-(x[:, None] ** 2 + x[None, :] ** 2) / (2 * sigma**2))
        return kernel / kernel.sum()

    return (my_kernel,)


def solve_noise_crossover():
    guess = 10  # written before measuring
    lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
    model = eh.pretrained.load_pretrained(4)
    gains = {}
    for sigma in (2, 5, 10, 20):
        noisy = eh.degradations.gaussian_noise(lr.astype(float), sigma, np.random.default_rng(0))
        noisy = np.clip(np.round(noisy), 0, 255).astype(np.uint8)
        edsr = eh.metrics.psnr(hr, eh.inference.upscale(model, noisy), shave=4, y_only=True)
        bicubic = eh.metrics.psnr(hr, eh.images.upscale_bicubic(noisy, 4), shave=4, y_only=True)
        gains[sigma] = edsr - bicubic
    return guess, gains


# ------------------------------------------------------------------------------------------- typical wrong answers


def _kernel_not_normalised(sigma):
    radius = math.ceil(3 * sigma)
    x = np.arange(-radius, radius + 1)
    return np.exp(-(x[:, None] ** 2 + x[None, :] ** 2) / (2 * sigma**2))


def _gains_reversed():
    guess, gains = solve_noise_crossover()
    return guess, {sigma: -gain for sigma, gain in gains.items()}


#: The exercises in the order the notebook asks them.
EXERCISES: tuple[Exercise, ...] = (
    Exercise(check_jpeg_price, solve_jpeg_price, lambda: ({10: 30.0, 50: 35.0, 90: 40.0},)),
    Exercise(check_photon_noise, solve_photon_noise, lambda: (10.0, 20.0)),  # in photons, not grey levels
    Exercise(check_gaussian_kernel, solve_gaussian_kernel, lambda: (_kernel_not_normalised,)),
    Exercise(check_noise_crossover, solve_noise_crossover, _gains_reversed),
)
