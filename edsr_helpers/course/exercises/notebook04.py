"""Notebook 04's exercises (inference and the widget): checkers, reference solutions (``solve_*``) and typical
wrong answers (see :mod:`edsr_helpers.course.exercises`)."""

from __future__ import annotations

import functools
import math

import keras
import numpy as np

import edsr_helpers as eh
from edsr_helpers import inference, metrics
from edsr_helpers.course.exercises.checking import (
    Exercise,
    Verdict,
    call_student,
    close,
    exercise,
    monarch_pair,
    say,
)

__all__ = [
    "check_seam_errors",
    "check_metric_disagreement",
    "distort",
    "DISTORTIONS",
    "check_self_ensemble",
    "check_tile_count",
    "SEAM_CROP",
    "seam_error",
]


@functools.lru_cache(maxsize=1)
def _shipped_x4() -> keras.Model:
    from edsr_helpers.pretrained import load_pretrained

    return load_pretrained(4)


#: The crop of monarch's LR image that exercise 04.1 tiles (small, so every overlap runs in seconds).
SEAM_CROP = (slice(16, 112), slice(48, 144))
#: Tile side and overlaps of exercise 04.1.
SEAM_TILE, SEAM_OVERLAPS = 32, (0, 4, 12, 36)


def seam_error(trained: keras.Model, lr: np.ndarray, overlap: int, tile: int = SEAM_TILE) -> int:
    """Largest difference, in grey levels, between a tiled and a one-pass upscale of ``lr``."""
    whole = inference.upscale(trained, lr, tile=None).astype(int)
    return int(np.abs(whole - inference.upscale(trained, lr, tile=tile, overlap=overlap).astype(int)).max())


@exercise("fill errors = {overlap: largest difference} and set enough.")
def check_seam_errors(errors, enough) -> Verdict:
    """04, exercise 1: seam error for each overlap, and the smallest overlap that keeps it within 1 grey level."""
    if set(errors) != set(SEAM_OVERLAPS):
        return say(False, f"errors needs one entry per overlap in {SEAM_OVERLAPS}.")
    lr = monarch_pair()[0][SEAM_CROP]
    right = {overlap: seam_error(_shipped_x4(), lr, overlap) for overlap in SEAM_OVERLAPS}
    for overlap in SEAM_OVERLAPS:
        if not close(errors[overlap], right[overlap], 1.0):
            return say(False, f"Overlap {overlap}: measure the largest |one pass - tiled| with the shipped x4 model.")
    smallest = min(overlap for overlap in SEAM_OVERLAPS if right[overlap] <= 1)
    if enough != smallest:
        return say(False, "Your measurements are right; read off the smallest overlap whose error is at most 1.")
    return say(True, "Far less context than the receptive field is enough: the effective one is small.")


#: Exercise 04.2's two distortions of monarch's HR image, by name.
DISTORTIONS = ("brighter", "blurred")


def distort(hr: np.ndarray, name: str) -> np.ndarray:
    """Exercise 04.2: ``brighter`` adds 10 grey levels; ``blurred`` is a 3x3 box blur (PIL's ``BoxBlur(1)``)."""
    from PIL import Image, ImageFilter

    if name == "brighter":
        return np.clip(hr.astype(np.int16) + 10, 0, 255).astype(np.uint8)
    return np.asarray(Image.fromarray(hr).filter(ImageFilter.BoxBlur(1)))


@exercise('write guess = {"psnr": ..., "ssim": ...} first, then fill scores = {name: (psnr, ssim)}.')
def check_metric_disagreement(guess, scores) -> Verdict:
    """04, exercise 2: which of two distortions PSNR prefers and which SSIM prefers (on Y, as the series
    measures): guessed first, then measured."""
    hr = monarch_pair()[1]
    right = {
        name: (metrics.psnr(hr, distort(hr, name), y_only=True), metrics.ssim(hr, distort(hr, name), y_only=True))
        for name in DISTORTIONS
    }
    if not isinstance(guess, dict) or set(guess) != {"psnr", "ssim"} or not set(guess.values()) <= set(DISTORTIONS):
        return say(False, f'guess must be {{"psnr": name, "ssim": name}}, each name one of {DISTORTIONS}.')
    if not isinstance(scores, dict) or set(scores) != set(DISTORTIONS):
        return say(False, f"scores must have one (psnr, ssim) pair for each of {DISTORTIONS}.")
    for name in DISTORTIONS:
        try:
            psnr_value, ssim_value = scores[name]
        except (TypeError, ValueError):
            return say(False, f"scores[{name!r}] must be a pair (psnr, ssim).")
        if close(psnr_value, metrics.psnr(hr, distort(hr, name)), 0.01):
            return say(False, "That is PSNR on RGB; the series measures on Y (y_only=True), as the papers do.")
        if not (close(psnr_value, right[name][0], 0.01) and close(ssim_value, right[name][1], 0.001)):
            return say(False, f"Measure {name!r} against the original hr with eh.metrics.psnr and eh.metrics.ssim.")
    preferred = {index: max(DISTORTIONS, key=lambda name: right[name][i]) for i, index in enumerate(("psnr", "ssim"))}
    hits = sum(guess[metric] == preferred[metric] for metric in preferred)
    return say(
        True,
        f"The two metrics disagree: PSNR counts every grey level of error, SSIM asks whether local structure "
        f"survived. Your guess had {hits} of 2 right.",
    )


@exercise("define edsr_plus(model, lr) and pass it in.")
def check_self_ensemble(edsr_plus) -> Verdict:
    """04, exercise 3: ``edsr_plus(model, lr)`` averages the 8 rotations/flips, each turned back."""
    trained = _shipped_x4()
    lr = monarch_pair()[0][60:92, 120:160]
    got, error = call_student(edsr_plus, trained, lr)
    if error:
        return say(False, error)
    got = np.asarray(got, dtype=float)
    want = inference.upscale(trained, lr, tile=None, self_ensemble=True).astype(float)
    if got.shape != want.shape:
        return say(False, f"The result is {got.shape}; it should be {want.shape}, like one upscale. Turned back?")
    # rounding each view to uint8 before averaging (or clipping it) moves a few pixels by a few grey levels, so
    # "the same" means within 50 dB here; a plain upscale or a view not turned back is below 40 dB
    if metrics.psnr(want, got) >= 50:
        return say(True, "EDSR+: eight views of the same photo, averaged, for free.")
    plain = inference.upscale(trained, lr, tile=None).astype(float)
    if metrics.psnr(plain, got) >= 50:
        return say(False, "That is one plain upscale: run all 8 rotations/flips and average.")
    return say(False, "Undo each transform on the output in reverse order (flip back first, then rotate back).")


@exercise("set tiles to your answer.")
def check_tile_count(count) -> Verdict:
    """04, exercise 4: how many tiles ``upscale`` runs for a 4032x3024 phone photo with its default tile."""
    right = math.ceil(3024 / inference.DEFAULT_TILE) * math.ceil(4032 / inference.DEFAULT_TILE)
    if close(count, right, 0.5):
        return say(True, "Memory stays that of one tile, whatever the photo's size.")
    if close(count, (3024 // inference.DEFAULT_TILE) * (4032 // inference.DEFAULT_TILE), 0.5):
        return say(False, "The last row and column of tiles are partial, but they still count.")
    return say(False, "Tiles cover the LR image in rows and columns of DEFAULT_TILE pixels (the overlap adds none).")


# ------------------------------------------------------------------------------------------- reference solutions


def _crop():
    lr, _ = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
    return lr[SEAM_CROP]


def solve_seam_errors():
    model = eh.pretrained.load_pretrained(4)
    lr = _crop()
    whole = eh.inference.upscale(model, lr, tile=None).astype(int)
    errors = {}
    for overlap in (0, 4, 12, 36):
        tiled = eh.inference.upscale(model, lr, tile=32, overlap=overlap).astype(int)
        errors[overlap] = int(np.abs(whole - tiled).max())
    enough = min(overlap for overlap, error in errors.items() if error <= 1)
    return errors, enough


def solve_metric_disagreement():
    guess = {"psnr": "blurred", "ssim": "brighter"}  # written before measuring
    _, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
    scores = {}
    for name in DISTORTIONS:
        distorted = distort(hr, name)
        scores[name] = (eh.metrics.psnr(hr, distorted, y_only=True), eh.metrics.ssim(hr, distorted, y_only=True))
    return guess, scores


def solve_self_ensemble():
    def edsr_plus(model, lr):
        total = 0.0
        for flip in (False, True):
            for turns in range(4):
                view = np.rot90(lr, turns)
                view = view[:, ::-1] if flip else view
                sr = eh.inference.upscale(model, np.ascontiguousarray(view), tile=None).astype(np.float64)
                sr = sr[:, ::-1] if flip else sr
                total = total + np.rot90(sr, -turns)
        return np.clip(np.round(total / 8), 0, 255).astype(np.uint8)

    return (edsr_plus,)


def solve_tile_count():
    tile = eh.inference.DEFAULT_TILE
    tiles = -(-3024 // tile) * -(-4032 // tile)
    return (tiles,)


# ------------------------------------------------------------------------------------------- typical wrong answers


def _plain_upscale(model, lr):
    return eh.inference.upscale(model, lr, tile=None)


def _seam_answers_off_by_a_lot():
    return {overlap: 100 for overlap in SEAM_OVERLAPS}, 0


def _metric_scores_on_rgb():
    _, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
    scores = {
        name: (eh.metrics.psnr(hr, distort(hr, name)), eh.metrics.ssim(hr, distort(hr, name))) for name in DISTORTIONS
    }
    return {"psnr": "blurred", "ssim": "brighter"}, scores


#: The exercises in the order the notebook asks them.
EXERCISES: tuple[Exercise, ...] = (
    Exercise(check_tile_count, solve_tile_count, lambda: (3,)),
    Exercise(check_metric_disagreement, solve_metric_disagreement, _metric_scores_on_rgb),
    Exercise(check_seam_errors, solve_seam_errors, _seam_answers_off_by_a_lot),
    Exercise(check_self_ensemble, solve_self_ensemble, lambda: (_plain_upscale,)),
)
