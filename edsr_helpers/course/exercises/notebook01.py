"""Notebook 01's exercises (data and augmentation): checkers, reference solutions (``solve_*``) and typical
wrong answers (see :mod:`edsr_helpers.course.exercises`)."""

from __future__ import annotations

import numpy as np

import edsr_helpers as eh
from edsr_helpers import data
from edsr_helpers.course.exercises.checking import (
    Exercise,
    Verdict,
    call_student,
    close,
    exercise,
    monarch_pair,
    say,
)

__all__ = ["check_hr_shift", "check_area_downscale", "check_crop_pair", "check_patch_count"]


@exercise("write your guess (in dB) in guess before you measure, then set shifted_psnr to your measurement.")
def check_hr_shift(guess, shifted_psnr) -> Verdict:
    """01, exercise 1: guess, then measure the alignment PSNR of monarch's pair after shifting HR by one *HR*
    pixel to the right. The guess is recorded and compared, never judged."""
    lr, hr = monarch_pair()
    right = data.alignment_psnr(lr, np.roll(hr, 1, axis=1), 4)
    try:
        guessed = float(guess)
    except (TypeError, ValueError):
        return say(False, "Write your guess as a number of dB (for example 30.0) before you measure.")
    if close(shifted_psnr, right, 0.05):
        how = "close" if abs(guessed - right) <= 2 else ("too high" if guessed > right else "too low")
        return say(
            True,
            f"One HR pixel is a quarter of an LR pixel: the pair is off, but far less than 1 LR px. Your guess "
            f"was {how}.",
        )
    if close(shifted_psnr, data.alignment_psnr(lr, hr, 4), 0.05):
        return say(False, "That is the aligned pair's score. Shift `hr` (not `lr`) with np.roll(..., axis=1).")
    if close(shifted_psnr, data.alignment_psnr(np.roll(lr, 1, axis=1), hr, 4), 0.05):
        return say(False, "That is a one-pixel shift of the LR image. Shift the HR image instead.")
    return say(False, "Use the whole monarch pair, np.roll(hr, 1, axis=1) and eh.data.alignment_psnr(lr, ..., 4).")


@exercise("define downscale_area(hr, scale) and pass it in.")
def check_area_downscale(downscale_area) -> Verdict:
    """01, exercise 2: the box-filter ("area") degradation a camera sensor resembles: each LR pixel the mean of
    its scale x scale HR block, written with one reshape and one mean."""
    hr = monarch_pair()[1][:96, :120]  # a multiple of 4 and of 3 on both sides
    for scale in (4, 3):
        height, width = hr.shape[0] // scale, hr.shape[1] // scale
        right = hr.astype(np.float64).reshape(height, scale, width, scale, 3).mean(axis=(1, 3))
        result, error = call_student(downscale_area, hr.copy(), scale)
        if error:
            return say(False, error)
        result = np.asarray(result, dtype=np.float64)
        if result.shape != right.shape:
            return say(False, f"At x{scale} a {hr.shape[1]}x{hr.shape[0]} image becomes {width}x{height}, 3 colours.")
        if np.array_equal(result, hr[::scale, ::scale]):
            return say(False, "That keeps one pixel of each block (nearest neighbour): average all scale x scale.")
        if not np.allclose(result, right, atol=0.5 + 1e-9):
            return say(
                False,
                "Split each axis into (blocks, scale): reshape to (H/scale, scale, W/scale, scale, 3), then average "
                "the two `scale` axes. Reshaping to (scale, H/scale, ...) groups pixels that are not neighbours.",
            )
    return say(True, "Each LR pixel is the mean of its HR block, at x4 and at x3; round only when saving.")


@exercise("define crop(lr, hr, top, left, size, scale) and pass it in.")
def check_crop_pair(crop) -> Verdict:
    """01, exercise 3: cut the LR patch at (top, left) and the HR patch exactly above it."""
    lr, hr = monarch_pair()
    for top, left, size in ((0, 0, 24), (37, 101, 24), (50, 13, 11)):
        result, error = call_student(crop, lr, hr, top, left, size, 4)
        if error:
            return say(False, error)
        right = data.crop_pair(lr, hr, top, left, scale=4, lr_patch_size=size)
        try:
            lr_patch, hr_patch = (np.asarray(image) for image in result)
        except (TypeError, ValueError):
            return say(False, "Return a tuple (lr_patch, hr_patch).")
        if not np.array_equal(lr_patch, right[0]):
            return say(False, f"The LR patch at top={top}, left={left}, size={size} is not lr[top:top+size, ...].")
        if hr_patch.shape != right[1].shape:
            return say(False, "The HR patch must be `scale` times larger than the LR patch in both sides.")
        if not np.array_equal(hr_patch, right[1]):
            return say(False, "The HR patch is the right size but in the wrong place: its offset is scaled too.")
    return say(True, "Every HR block of 4x4 pixels sits exactly over its LR pixel.")


@exercise("set count to the number of different patches.")
def check_patch_count(count) -> Verdict:
    """01, exercise 4: how many different 24x24 training patches (position x symmetry) monarch's LR gives."""
    lr, _ = monarch_pair()
    height, width = lr.shape[:2]
    positions = (height - 24 + 1) * (width - 24 + 1)
    if close(count, positions * 8, 0.5):
        return say(True, "Every position, times the 8 rotations/flips: the offline photos still give plenty.")
    if close(count, positions, 0.5):
        return say(False, "Those are the positions. Each can also be rotated and flipped: how many ways?")
    if close(count, (height - 24) * (width - 24) * 8, 0.5):
        return say(False, "Off by one: a patch can start at 0 and at (side - 24) inclusive.")
    return say(False, "Count the top-left corners a 24x24 patch can have inside the LR image, then the symmetries.")


# ------------------------------------------------------------------------------------------- reference solutions


def solve_hr_shift():
    guess = 30.0  # written before measuring
    lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
    shifted_psnr = eh.data.alignment_psnr(lr, np.roll(hr, 1, axis=1), 4)
    return guess, shifted_psnr


def solve_area_downscale():
    def downscale_area(hr, scale):
        height, width = hr.shape[0] // scale, hr.shape[1] // scale
        blocks = hr[: height * scale, : width * scale].astype(np.float64)
        return blocks.reshape(height, scale, width, scale, 3).mean(axis=(1, 3))

    return (downscale_area,)


def solve_crop_pair():
    def crop(lr, hr, top, left, size, scale):
        lr_patch = lr[top : top + size, left : left + size]
        hr_patch = hr[top * scale : (top + size) * scale, left * scale : (left + size) * scale]
        return lr_patch, hr_patch

    return (crop,)


def solve_patch_count():
    lr, _ = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
    height, width = lr.shape[:2]
    count = (height - 24 + 1) * (width - 24 + 1) * 8
    return (count,)


# ------------------------------------------------------------------------------------------- typical wrong answers


#: The exercises in the order the notebook asks them.
EXERCISES: tuple[Exercise, ...] = (
    Exercise(check_hr_shift, solve_hr_shift, lambda: (30.0, 20.0)),  # the LR image's shift, not the HR's
    Exercise(check_area_downscale, solve_area_downscale, lambda: (lambda hr, scale: hr[::scale, ::scale],)),
    Exercise(
        check_crop_pair,
        solve_crop_pair,
        lambda: (lambda lr, hr, t, x, s, k: (lr[t : t + s, x : x + s], hr[t : t + s * k, x : x + s * k]),),
    ),
    Exercise(check_patch_count, solve_patch_count, lambda: (1000,)),
)
