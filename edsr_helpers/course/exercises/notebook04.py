"""Notebook 04's exercises (inference and the widget): checkers, reference solutions (``solve_*``) and typical
wrong answers (see :mod:`edsr_helpers.course.exercises`)."""

from __future__ import annotations

import functools

import keras
import numpy as np

import edsr_helpers as eh
from edsr_helpers import inference, metrics
from edsr_helpers.course.exercises.checking import (
    Exercise,
    Verdict,
    close,
    exercise,
    monarch_pair,
    say,
)

__all__ = [
    "check_seam_errors",
    "check_tile_overhead",
    "check_ensemble_gains",
    "check_metric_disagreement",
    "distort",
    "DISTORTIONS",
    "SEAM_CROP",
    "seam_error",
    "PHONE_PHOTO",
    "OVERHEAD_TILES",
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


@functools.lru_cache(maxsize=1)
def _seam_errors() -> dict[int, int]:
    lr = monarch_pair()[0][SEAM_CROP]
    return {overlap: seam_error(_shipped_x4(), lr, overlap) for overlap in SEAM_OVERLAPS}


@exercise("write guess (the overlap you predict), then fill errors = {overlap: largest difference} and set enough.")
def check_seam_errors(guess, errors, enough) -> Verdict:
    """04, exercise 1: seam error for each overlap, and the smallest overlap that keeps it within 1 grey level,
    predicted first from the effective receptive field."""
    if guess not in SEAM_OVERLAPS:
        return say(False, f"guess must be one of the overlaps {SEAM_OVERLAPS}, chosen before you measure.")
    if not isinstance(errors, dict) or set(errors) != set(SEAM_OVERLAPS):
        return say(False, f"errors needs one entry per overlap in {SEAM_OVERLAPS}.")
    right = _seam_errors()
    for overlap in SEAM_OVERLAPS:
        if not close(errors[overlap], right[overlap], 1.0):
            return say(False, f"Overlap {overlap}: measure the largest |one pass - tiled| with the shipped x4 model.")
    smallest = min(overlap for overlap in SEAM_OVERLAPS if right[overlap] <= 1)
    if enough != smallest:
        return say(False, "Your measurements are right; read off the smallest overlap whose error is at most 1.")
    verdict = "right" if guess == smallest else ("too cautious" if guess > smallest else "too bold")
    return say(
        True,
        f"Far less context than the receptive field is enough: the effective one is small. "
        f"Your prediction was {verdict}.",
    )


#: Exercise 04.2's phone photo (height, width), upscaled as it is, and the tile sides it compares.
PHONE_PHOTO = (3024, 4032)
OVERHEAD_TILES = (32, 64, 104, 128, 256)
#: Exercise 04.2's design rule: the extra pixels the margins cost, at most this share of the photo's.
OVERHEAD_LIMIT = 0.5


def _covered(length: int, tile: int, overlap: int) -> int:
    """LR pixels that the tile loop runs along one side of a photo: each tile plus its margins, clipped."""
    return sum(min(start + tile + overlap, length) - max(start - overlap, 0) for start in range(0, length, tile))


def tile_overhead(tile: int, overlap: int = inference.DEFAULT_OVERLAP, size: tuple[int, int] = PHONE_PHOTO) -> float:
    """Extra LR pixels the tile loop runs, as a share of the photo's: the tiles form a grid, so the pixels they run
    are the product of what they cover along each side."""
    height, width = size
    return _covered(height, tile, overlap) * _covered(width, tile, overlap) / (height * width) - 1


@exercise("write guess (the share you predict), then fill overheads = {tile: extra share} and set tile.")
def check_tile_overhead(guess, overheads, tile) -> Verdict:
    """04, exercise 2: the extra work of the tiles' margins for each tile side, and the smallest tile that keeps
    it within :data:`OVERHEAD_LIMIT`."""
    if not close(guess, 0.0, 100.0):
        return say(False, "guess must be a number: the extra share you predict for the default tile, e.g. 0.2.")
    if not isinstance(overheads, dict) or set(overheads) != set(OVERHEAD_TILES):
        return say(False, f"overheads needs one entry per tile side in {OVERHEAD_TILES}.")
    right = {side: tile_overhead(side) for side in OVERHEAD_TILES}
    overlap = inference.DEFAULT_OVERLAP
    if all(close(overheads[side], ((side + 2 * overlap) / side) ** 2 - 1, 0.002) for side in OVERHEAD_TILES):
        return say(
            False,
            "That is the formula for a tile in the middle of the photo. Tiles at the photo's edges have "
            "context on fewer sides and the last tile of a row is partial: count what the loop really runs.",
        )
    for side in OVERHEAD_TILES:
        if not close(overheads[side], right[side], 0.002):
            return say(
                False,
                f"Tile {side}: count the pixels of every tile the loop runs, margins included, "
                "divide by the photo's pixels and subtract 1.",
            )
    smallest = min(side for side in OVERHEAD_TILES if right[side] <= OVERHEAD_LIMIT)
    if tile != smallest:
        return say(False, "Your measurements are right; read off the smallest tile whose extra share is at most 0.5.")
    off = abs(guess - right[inference.DEFAULT_TILE])
    how = "close" if off <= 0.1 else "off by more than 0.1"
    return say(
        True, f"A margin looks thin beside a tile but is paid on every side of every tile. Your guess was {how}."
    )


def _gain(hr: np.ndarray, plain: np.ndarray, ensembled: np.ndarray) -> float:
    return metrics.psnr(hr, ensembled, shave=4, y_only=True) - metrics.psnr(hr, plain, shave=4, y_only=True)


@functools.lru_cache(maxsize=1)
def _ensemble_gains() -> dict[str, float]:
    from edsr_helpers.images import upscale_bicubic
    from edsr_helpers.tiling import self_ensemble

    lr, hr = monarch_pair()
    trained = _shipped_x4()
    bicubic = _gain(hr, upscale_bicubic(lr, 4), inference.to_uint8(self_ensemble(lambda x: upscale_bicubic(x, 4), lr)))
    plain = inference.upscale(trained, lr, tile=None)
    edsr = _gain(hr, plain, inference.upscale(trained, lr, tile=None, self_ensemble=True))
    return {"bicubic": bicubic, "EDSR": edsr}


@exercise('write guess = {"bicubic": dB, "EDSR": dB} first, then fill gains the same way.')
def check_ensemble_gains(guess, gains) -> Verdict:
    """04, exercise 3: what the self-ensemble gains for bicubic and for EDSR on monarch (Y-PSNR, border of 4),
    predicted first."""
    names = ("bicubic", "EDSR")
    if not isinstance(guess, dict) or set(guess) != set(names) or not all(close(v, 0, 100) for v in guess.values()):
        return say(False, 'guess must be {"bicubic": dB, "EDSR": dB}, two numbers written before you measure.')
    if not isinstance(gains, dict) or set(gains) != set(names):
        return say(False, 'gains must be {"bicubic": dB, "EDSR": dB}.')
    right = _ensemble_gains()
    if any(close(gains[name], 0, 100) and gains[name] < -1 for name in names):
        return say(
            False,
            "A loss of dBs means the views were not turned back: untransform each output before "
            "averaging (self_ensemble above does).",
        )
    for name in names:
        if not close(gains[name], right[name], 0.02):
            return say(
                False,
                f"{name}: score both images on Y with a border of 4 (shave=4, y_only=True), each rounded "
                "to 8 bits, and subtract the plain PSNR from the self-ensemble's.",
            )
    return say(True, "Averaging views helps only a method whose answer depends on the view.")


#: Exercise 04.4's two distortions of monarch's HR image, by name.
DISTORTIONS = ("brighter", "blurred")


def distort(hr: np.ndarray, name: str) -> np.ndarray:
    """Exercise 04.4: ``brighter`` adds 10 grey levels; ``blurred`` is a 3x3 box blur (PIL's ``BoxBlur(1)``)."""
    from PIL import Image, ImageFilter

    if name == "brighter":
        return np.clip(hr.astype(np.int16) + 10, 0, 255).astype(np.uint8)
    return np.asarray(Image.fromarray(hr).filter(ImageFilter.BoxBlur(1)))


@exercise('write guess = {"psnr": ..., "ssim": ...} first, then fill scores = {name: (psnr, ssim)}.')
def check_metric_disagreement(guess, scores) -> Verdict:
    """04, exercise 4: which of two distortions PSNR prefers and which SSIM prefers (both on Y with a border of 4,
    as the series measures): guessed first, then measured."""
    hr = monarch_pair()[1]
    right = {
        name: (
            metrics.psnr(hr, distort(hr, name), shave=4, y_only=True),
            metrics.ssim(hr, distort(hr, name), shave=4, y_only=True),
        )
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
        if close(psnr_value, metrics.psnr(hr, distort(hr, name), shave=4), 0.01):
            return say(False, "That is PSNR on RGB; the series measures on Y (y_only=True), as the papers do.")
        if not (close(psnr_value, right[name][0], 0.01) and close(ssim_value, right[name][1], 0.001)):
            return say(
                False,
                f"Measure {name!r} against the original hr with eh.metrics.psnr and eh.metrics.ssim, "
                "both with y_only=True and shave=4.",
            )
    preferred = {index: max(DISTORTIONS, key=lambda name: right[name][i]) for i, index in enumerate(("psnr", "ssim"))}
    hits = sum(guess[metric] == preferred[metric] for metric in preferred)
    return say(
        True,
        f"The two metrics disagree: PSNR counts every grey level of error, SSIM asks whether local structure "
        f"survived. Your guess had {hits} of 2 right.",
    )


# ------------------------------------------------------------------------------------------- reference solutions


def solve_seam_errors():
    guess = 12  # written before measuring, from the figure: 99 % of the gradient lies within about 8 px
    model = eh.pretrained.load_pretrained(4)
    lr, _ = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
    lr = lr[SEAM_CROP]
    whole = eh.inference.upscale(model, lr, tile=None).astype(int)
    errors = {}
    for overlap in (0, 4, 12, 36):
        tiled = eh.inference.upscale(model, lr, tile=32, overlap=overlap).astype(int)
        errors[overlap] = int(np.abs(whole - tiled).max())
    enough = min(overlap for overlap, error in errors.items() if error <= 1)
    return guess, errors, enough


def solve_tile_overhead():
    guess = 0.3  # written before measuring
    photo = np.zeros((3024, 4032, 3), np.float32)
    computed = []  # the pixels of every tile the loop gives the model

    def counting(image):  # in the model's place: count the pixels, upscale by 1
        computed.append(image.shape[0] * image.shape[1])
        return image

    overheads = {}
    for side in (32, 64, 104, 128, 256):
        computed.clear()
        eh.tiling.upscale_in_tiles(counting, photo, 1, side, eh.inference.DEFAULT_OVERLAP)
        overheads[side] = sum(computed) / (photo.shape[0] * photo.shape[1]) - 1
    tile = min(side for side, extra in overheads.items() if extra <= 0.5)
    return guess, overheads, tile


def solve_ensemble_gains():
    guess = {"bicubic": 0.1, "EDSR": 0.1}  # written before measuring
    model = eh.pretrained.load_pretrained(4)
    lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)

    def bicubic(image):
        return eh.images.upscale_bicubic(image, 4)

    def edsr(image):
        return eh.inference.upscale(model, image, tile=None)

    gains = {}
    for name, upscale_one in {"bicubic": bicubic, "EDSR": edsr}.items():
        plain = upscale_one(lr)
        ensembled = eh.inference.to_uint8(eh.tiling.self_ensemble(upscale_one, lr))
        gains[name] = eh.metrics.psnr(hr, ensembled, shave=4, y_only=True) - eh.metrics.psnr(
            hr, plain, shave=4, y_only=True
        )
    return guess, gains


def solve_metric_disagreement():
    guess = {"psnr": "blurred", "ssim": "brighter"}  # written before measuring
    _, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
    scores = {}
    for name in DISTORTIONS:
        distorted = distort(hr, name)
        scores[name] = (
            eh.metrics.psnr(hr, distorted, shave=4, y_only=True),
            eh.metrics.ssim(hr, distorted, shave=4, y_only=True),
        )
    return guess, scores


# ------------------------------------------------------------------------------------------- typical wrong answers


def _seam_answers_off_by_a_lot():
    return 12, {overlap: 100 for overlap in SEAM_OVERLAPS}, 0


def _overheads_of_a_middle_tile():
    overlap = eh.inference.DEFAULT_OVERLAP
    return 0.3, {side: ((side + 2 * overlap) / side) ** 2 - 1 for side in OVERHEAD_TILES}, 128


def _views_not_turned_back():
    lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
    views = [eh.tiling.transform(lr, turns, flip) for turns, flip in eh.tiling.SYMMETRIES if turns % 2 == 0]
    mixed = np.mean([eh.images.upscale_bicubic(np.ascontiguousarray(view), 4) for view in views], axis=0)
    plain = eh.images.upscale_bicubic(lr, 4)
    gain = eh.metrics.psnr(hr, eh.inference.to_uint8(mixed), shave=4, y_only=True) - eh.metrics.psnr(
        hr, plain, shave=4, y_only=True
    )
    return {"bicubic": 0.1, "EDSR": 0.1}, {"bicubic": gain, "EDSR": 0.2}


def _metric_scores_on_rgb():
    _, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
    scores = {
        name: (eh.metrics.psnr(hr, distort(hr, name), shave=4), eh.metrics.ssim(hr, distort(hr, name), shave=4))
        for name in DISTORTIONS
    }
    return {"psnr": "blurred", "ssim": "brighter"}, scores


#: The exercises in the order the notebook asks them, with the model answers to their questions in words.
EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        check_seam_errors,
        solve_seam_errors,
        _seam_answers_off_by_a_lot,
        "The theoretical receptive field (72 LR px across, 36 px each way) says what an output pixel *can* see; "
        "the gradient says how much it *does*: 99 % of it lies within a few pixels of the centre. A margin of 12 "
        "px leaves out only the far tail, whose contribution is a fraction of a grey level and mostly vanishes "
        "when the output is rounded to 8 bits. Without a margin (overlap 0) the pixels at a tile's edge are "
        "computed from zero padding instead of their real neighbours, which is where the seam comes from.",
    ),
    Exercise(
        check_tile_overhead,
        solve_tile_overhead,
        _overheads_of_a_middle_tile,
        "A tile of side t with a margin o on every side runs (t + 2o)² pixels for t² it keeps: with t = 104 and "
        "o = 12 that is about 50 % more work, not the 12/104 = 12 % the numbers suggest at first sight, because "
        "the margin is paid on four sides and the cost grows with the area. Larger tiles waste less, but the "
        "model's activations grow with the tile's area (64 channels of float32 per pixel for each live layer), "
        "so the tile is chosen as the largest one that fits the memory of the device; the result array is "
        "the same whatever the tile.",
    ),
    Exercise(
        check_ensemble_gains,
        solve_ensemble_gains,
        _views_not_turned_back,
        "Bicubic interpolation applies the same symmetric kernel along rows and columns, so rotating or "
        "mirroring the input and turning the output back gives the same image: the 8 views agree, their mean "
        "is the plain result and the gain is zero up to rounding. EDSR's learned filters are not symmetric, so "
        "each view makes slightly different errors; averaging keeps what the views agree on (the real detail) "
        "and cancels part of what they disagree on. The gain measures how much a model's errors depend on "
        "orientation.",
    ),
    Exercise(
        check_metric_disagreement,
        solve_metric_disagreement,
        _metric_scores_on_rgb,
        "SSIM agrees with the eye here: the brighter copy keeps every edge and texture and looks the same, "
        "while the blurred one visibly loses detail. PSNR sees the opposite because it counts squared errors "
        "only: +10 grey levels is an error of about 8.6 levels of Y at every pixel, while blur changes pixels "
        "only near edges. SSIM compares local means, contrasts and structure separately, and a uniform shift "
        "touches the mean term only a little.",
    ),
)
