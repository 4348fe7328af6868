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
from edsr_helpers.pairs import crop_pair, random_crop_pair

__all__ = [
    "check_costliest_degradation",
    "check_photon_noise",
    "check_patch_alignment",
    "check_noise_crossover",
    "DEGRADATION_PIECES",
    "NOISE_SIGMAS",
    "PATCH_SEEDS",
]

#: Exercise 05.1's pieces of the evaluation degradation, each applied alone.
DEGRADATION_PIECES = ("blur", "noise", "jpeg")


def _to_uint8(image: np.ndarray) -> np.ndarray:
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


def _one_piece(hr: np.ndarray, piece: str) -> np.ndarray:
    """Monarch's LR with one piece of :func:`~edsr_helpers.degradations.degrade_for_evaluation` ("clean": none)."""
    size = (hr.shape[1] // 4, hr.shape[0] // 4)
    if piece == "blur":
        return _to_uint8(degradations.resize(degradations.blur(hr, degradations.gaussian_kernel(1.2)), size, "bicubic"))
    down = degradations.resize(hr, size, "bicubic")
    if piece == "noise":
        return _to_uint8(degradations.gaussian_noise(down, 5.0, np.random.default_rng(0)))
    if piece == "jpeg":
        return _to_uint8(degradations.jpeg(down, 75))
    return _to_uint8(down)


@functools.lru_cache(maxsize=1)
def _piece_costs() -> dict[str, dict[str, float]]:
    """What each piece costs, in dB of Y-PSNR (shave 4), for the shipped x4 and for bicubic."""
    hr = monarch_pair()[1]
    model = eh.pretrained.load_pretrained(4)
    upscalers = {"edsr": lambda lr: inference.upscale(model, lr), "bicubic": lambda lr: upscale_bicubic(lr, 4)}
    costs = {}
    for method, upscale in upscalers.items():
        scores = {
            piece: metrics.psnr(hr, upscale(_one_piece(hr, piece)), shave=4, y_only=True)
            for piece in ("clean", *DEGRADATION_PIECES)
        }
        costs[method] = {piece: scores["clean"] - scores[piece] for piece in DEGRADATION_PIECES}
    return costs


@exercise("write guess first, then fill costs = {'blur': dB, 'noise': dB, 'jpeg': dB}.")
def check_costliest_degradation(guess, costs) -> Verdict:
    """05, exercise 1: the dB that each piece of the evaluation degradation, alone, costs the shipped x4."""
    right, bicubic = _piece_costs()["edsr"], _piece_costs()["bicubic"]
    if guess not in DEGRADATION_PIECES:
        return say(False, f"guess must be one of {DEGRADATION_PIECES}: the piece you expect to cost most.")
    if not isinstance(costs, dict) or set(costs) != set(DEGRADATION_PIECES):
        return say(False, f"costs needs one entry for each piece in {DEGRADATION_PIECES}.")
    if all(close(costs[piece], bicubic[piece], 0.05) for piece in DEGRADATION_PIECES):
        return say(False, "Those are bicubic's losses; the question is about the shipped EDSR's output.")
    if all(close(costs[piece], -right[piece], 0.05) for piece in DEGRADATION_PIECES):
        return say(False, "The sign is reversed: PSNR on the clean LR minus PSNR on the degraded LR.")
    for piece in DEGRADATION_PIECES:
        if not close(costs[piece], right[piece], 0.05):
            return say(
                False,
                f"{piece}: make the LR with that piece alone as the question says (a float resize, one rounding "
                "and clipping at the end), upscale with the shipped model and compare with hr (Y, shave 4).",
            )
    costliest = max(right, key=right.get)
    hit = "as you guessed" if guess == costliest else "not what you guessed"
    return say(
        True,
        f"The costliest piece is {costliest}, {hit}. Compare with bicubic's losses for the same inputs: a model "
        "that sharpens loses more than the blur it replaces.",
    )


@exercise("set noise_dark and noise_bright to the two standard deviations, in grey levels.")
def check_photon_noise(noise_dark, noise_bright) -> Verdict:
    """05, exercise 2: standard deviation of Poisson noise at grey levels 50 and 200, 2 photons per level."""
    right = {level: math.sqrt(level * 2) / 2 for level in (50, 200)}  # sqrt(photons) / photons per level
    if close(noise_dark, right[50], 0.05) and close(noise_bright, right[200], 0.05):
        return say(True, "Brighter pixels get more noise in grey levels. Now compare each with its signal.")
    if close(noise_dark, math.sqrt(50 * 2), 0.05) or close(noise_bright, math.sqrt(200 * 2), 0.05):
        return say(False, "That is in photons; divide by the photons per grey level to get grey levels.")
    if close(noise_dark, math.sqrt(50), 0.05) and close(noise_bright, math.sqrt(200), 0.05):
        return say(False, "With 1 photon per level that would be right; here each grey level is 2 photons.")
    return say(False, "Count photons (level x 2), take the square root (Poisson), convert back to grey levels.")


#: Exercise 05.3's patch: LR side, margin (LR pixels), scale, and the seeds the checker cuts with.
PATCH_SIZE, PATCH_MARGIN, PATCH_SEEDS = 24, 4, (0, 1, 2, 3)


def _reference_patch(lr: np.ndarray, hr: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    _, hr_region = random_crop_pair(lr, hr, seed, scale=4, lr_patch_size=PATCH_SIZE + 2 * PATCH_MARGIN)
    lr_region = degradations.degrade_for_evaluation(hr_region, 4)
    return crop_pair(lr_region, hr_region, PATCH_MARGIN, PATCH_MARGIN, scale=4, lr_patch_size=PATCH_SIZE)


@exercise("set shift to the HR pixels, then fix my_patch and pass both in.")
def check_patch_alignment(shift, my_patch) -> Verdict:
    """05, exercise 3: the HR pixels by which the broken patch maker shifts its HR patch, and the repaired maker."""
    if not close(shift, PATCH_MARGIN * 4 - PATCH_MARGIN, 0.01):
        if close(shift, PATCH_MARGIN, 0.01) or close(shift, PATCH_MARGIN * 4, 0.01):
            return say(False, "Count both sides: where does the HR patch start now, and where should it start?")
        return say(False, "The HR patch should start where the LR patch does, times the scale. Where does it start?")
    lr, hr = monarch_pair()
    for seed in PATCH_SEEDS:
        result, error = call_student(my_patch, lr, hr, seed)
        if error:
            return say(False, error)
        if not isinstance(result, tuple) or len(result) != 2:
            return say(False, "my_patch must return (lr_patch, hr_patch).")
        right = _reference_patch(lr, hr, seed)
        if any(np.shape(got) != want.shape for got, want in zip(result, right, strict=True)):
            return say(False, f"The patches must be {PATCH_SIZE} LR and {PATCH_SIZE * 4} HR pixels on a side.")
        if not np.array_equal(result[1], right[1]):
            return say(False, "The HR patch is still not the region above the LR patch: measure its alignment.")
        if not np.array_equal(result[0], right[0]):
            return say(False, "The LR patch changed: keep the degradation and the LR cut as they were.")
    return say(
        True,
        "Every offset in an LR image is scale times larger in its HR image; the margin is counted in LR pixels.",
    )


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
    if guess not in NOISE_SIGMAS and guess != "never":
        return say(
            False,
            f"guess must be one of {NOISE_SIGMAS} (or 'never'): the smallest sigma where you expect bicubic to win.",
        )
    if not isinstance(gains, dict) or set(gains) != set(NOISE_SIGMAS):
        return say(False, f"gains needs one entry for each sigma in {NOISE_SIGMAS}.")
    for sigma in NOISE_SIGMAS:
        if close(gains[sigma], -right[sigma], 0.02):
            return say(False, "The sign is reversed: EDSR's PSNR minus bicubic's.")
        if not close(gains[sigma], right[sigma], 0.02):
            return say(
                False,
                f"sigma={sigma}: add the noise to lr with a fresh default_rng(0), round and clip to uint8, then "
                "compare both upscalings with hr (Y, shave 4).",
            )
    losing = [sigma for sigma in NOISE_SIGMAS if right[sigma] < 0]
    verdict = "never lost within these levels" if not losing else f"lost from sigma = {min(losing)} on"
    hit = "right" if (min(losing) if losing else "never") == guess else "not what you guessed"
    return say(True, f"EDSR {verdict}: {hit}. It sharpens noise it was never taught to remove.")


# ------------------------------------------------------------------------------------------- reference solutions


def solve_costliest_degradation():
    guess = "noise"  # written before measuring
    _, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
    model = eh.pretrained.load_pretrained(4)
    size = (hr.shape[1] // 4, hr.shape[0] // 4)
    down = eh.degradations.resize(hr, size, "bicubic")
    lrs = {
        "clean": down,
        "blur": eh.degradations.resize(eh.degradations.blur(hr, eh.degradations.gaussian_kernel(1.2)), size, "bicubic"),
        "noise": eh.degradations.gaussian_noise(down, 5.0, np.random.default_rng(0)),
        "jpeg": eh.degradations.jpeg(down, 75),
    }
    psnr = {}
    for piece, lr in lrs.items():
        lr = np.clip(np.round(lr), 0, 255).astype(np.uint8)
        psnr[piece] = eh.metrics.psnr(hr, eh.inference.upscale(model, lr), shave=4, y_only=True)
    costs = {piece: psnr["clean"] - psnr[piece] for piece in ("blur", "noise", "jpeg")}
    return guess, costs


def solve_photon_noise():
    # a pixel at grey level L collects L * 2 photons; Poisson: std = sqrt(photons); back in grey levels: / 2
    noise_dark = math.sqrt(50 * 2) / 2
    noise_bright = math.sqrt(200 * 2) / 2
    return noise_dark, noise_bright


def solve_patch_alignment():
    shift = 4 * 4 - 4  # the HR patch starts at margin (4) instead of margin x scale (16): 12 HR pixels off

    def my_patch(lr, hr, seed, scale=4, lr_patch_size=24, margin=4):
        _, hr_region = eh.data.random_crop_pair(lr, hr, seed, scale=scale, lr_patch_size=lr_patch_size + 2 * margin)
        lr_region = eh.degradations.degrade_for_evaluation(hr_region, scale)
        lr_patch = lr_region[margin : margin + lr_patch_size, margin : margin + lr_patch_size]
        top = margin * scale  # the margin is in LR pixels: scale times more in HR
        hr_patch = hr_region[top : top + lr_patch_size * scale, top : top + lr_patch_size * scale]
        return lr_patch, hr_patch

    return shift, my_patch


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


def broken_patch(lr, hr, seed, scale=4, lr_patch_size=24, margin=4):
    """Exercise 05.3's patch maker as the notebook gives it: its HR patch is cut at the wrong offset."""
    _, hr_region = random_crop_pair(lr, hr, seed, scale=scale, lr_patch_size=lr_patch_size + 2 * margin)
    lr_region = degradations.degrade_for_evaluation(hr_region, scale)
    lr_patch = lr_region[margin : margin + lr_patch_size, margin : margin + lr_patch_size]
    hr_patch = hr_region[margin : margin + lr_patch_size * scale, margin : margin + lr_patch_size * scale]
    return lr_patch, hr_patch


def _costs_of_bicubic():
    guess, _ = solve_costliest_degradation()
    return guess, dict(_piece_costs()["bicubic"])


def _gains_reversed():
    guess, gains = solve_noise_crossover()
    return guess, {sigma: -gain for sigma, gain in gains.items()}


#: The exercises in the order the notebook asks them.
EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        check_costliest_degradation,
        solve_costliest_degradation,
        _costs_of_bicubic,
        model_answer=(
            "JPEG at quality 75 costs the shipped x4 most on monarch (about 3 dB), blur and noise less than half "
            "of that each. JPEG removes fine detail in 8x8 blocks and leaves block edges and ringing that "
            "bicubic downscaling never makes: the model reads them as detail and sharpens them. Bicubic loses "
            "far less on the same inputs, so most of the cost is what the model adds, not what the input lost."
        ),
    ),
    Exercise(
        check_photon_noise,
        solve_photon_noise,
        lambda: (10.0, 20.0),  # in photons, not grey levels
        model_answer=(
            "5 and 10 grey levels: the bright pixel has twice the noise, yet relative to its value it is half "
            "as noisy (10/200 = 5 % against 5/50 = 10 %), because the signal grows with the photon count and "
            "the noise only with its square root. A night scene sends few photons; the camera raises the gain "
            "(ISO) to make it bright, which multiplies the noise with the signal: the noise is large next to "
            "the signal, and the more so the darker the scene."
        ),
    ),
    Exercise(
        check_patch_alignment,
        solve_patch_alignment,
        lambda: (12, broken_patch),  # the shift found, the bug left in
        model_answer=(
            "The margin is counted in LR pixels, so the HR patch must start at margin x scale = 16 HR pixels "
            "into the region, not at 4: the broken maker's HR patch is 12 HR pixels (3 LR pixels) up and left "
            "of its LR patch. eh.data.alignment_psnr shows it: about 26 dB for the repaired pair (the blur, "
            "noise and JPEG cost the rest), 11-13 dB for the broken one. crop_pair does the multiplication."
        ),
    ),
    Exercise(
        check_noise_crossover,
        solve_noise_crossover,
        _gains_reversed,
        model_answer=(
            "The shipped model learned from clean bicubic pairs, where every small variation of the LR image is "
            "detail to rebuild. Noise is such a variation to it: it sharpens and enlarges the grains along with "
            "the edges, so its error grows with the noise faster than bicubic's, whose smooth interpolation "
            "passes the noise on without sharpening it. At small sigma the detail EDSR rebuilds outweighs the "
            "noise it amplifies; at large sigma the amplified noise wins. Training on degraded pairs (the "
            "fine-tune above) is meant to teach the model to leave noise alone; shrinking a noisy photo first "
            "averages the noise away."
        ),
    ),
)
