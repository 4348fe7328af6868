"""Notebook 01's exercises (data and augmentation): each checker, its reference solution and a typical wrong answer.

A checker works out the right answer itself and prints one line, right or a hint, never the answer. The reference
solutions (``solve_*``) are for after a student has tried: ``course.exercises.show_solution("check_hr_shift")``
displays one in class. The tests run every solution through its checker and every wrong answer past it.
"""

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

__all__ = ["check_hr_shift", "check_flip_pair", "check_crop_pair", "check_patch_count"]


@exercise("set shifted_psnr to the alignment PSNR you measured.")
def check_hr_shift(shifted_psnr) -> Verdict:
    """01, exercise 1: alignment PSNR of monarch's pair after shifting HR by one *HR* pixel to the right."""
    lr, hr = monarch_pair()
    right = data.alignment_psnr(lr, np.roll(hr, 1, axis=1), 4)
    if close(shifted_psnr, right, 0.05):
        return say(True, "One HR pixel is a quarter of an LR pixel: the pair is off, but far less than 1 LR px.")
    if close(shifted_psnr, data.alignment_psnr(lr, hr, 4), 0.05):
        return say(False, "That is the aligned pair's score. Shift `hr` (not `lr`) with np.roll(..., axis=1).")
    if close(shifted_psnr, data.alignment_psnr(np.roll(lr, 1, axis=1), hr, 4), 0.05):
        return say(False, "That is a one-pixel shift of the LR image. Shift the HR image instead.")
    return say(False, "Use the whole monarch pair, np.roll(hr, 1, axis=1) and eh.data.alignment_psnr(lr, ..., 4).")


@exercise("define flip_pair(lr, hr) and pass it in.")
def check_flip_pair(flip_pair) -> Verdict:
    """01, exercise 2: a left-right flip of an (lr, hr) pair that keeps it aligned and keeps colours RGB."""
    lr, hr = data.crop_pair(*monarch_pair(), 40, 100, scale=4, lr_patch_size=24)
    result, error = call_student(flip_pair, lr.copy(), hr.copy())
    if error:
        return say(False, error)
    try:
        lr_flipped, hr_flipped = (np.asarray(image) for image in result)
    except (TypeError, ValueError):
        return say(False, "Return a tuple (lr_flipped, hr_flipped).")
    if lr_flipped.shape != lr.shape or hr_flipped.shape != hr.shape:
        return say(False, "The shapes changed: a flip keeps the height, width and 3 colour channels.")
    if np.array_equal(lr_flipped, lr[:, :, ::-1]) or np.array_equal(lr_flipped[..., ::-1], lr[:, ::-1]):
        return say(False, "The colour channels were reversed too (RGB became BGR): flip along the width only.")
    if np.array_equal(lr_flipped, lr[::-1]):
        return say(False, "That is an up-down flip. Left-right reverses the width axis, axis=1.")
    if np.array_equal(lr_flipped, lr[:, ::-1]) and np.array_equal(hr_flipped, hr[:, ::-1]):
        return say(True, "Both images mirrored along the width, colours untouched, still aligned.")
    return say(False, "Mirror both images along the width (axis=1), and nothing else.")


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
    lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
    shifted_psnr = eh.data.alignment_psnr(lr, np.roll(hr, 1, axis=1), 4)
    return (shifted_psnr,)


def solve_flip_pair():
    def flip_pair(lr, hr):
        return np.flip(lr, axis=1), np.flip(hr, axis=1)

    return (flip_pair,)


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
    Exercise(check_hr_shift, solve_hr_shift, lambda: (20.0,)),
    Exercise(check_flip_pair, solve_flip_pair, lambda: (lambda lr, hr: (np.flip(lr), np.flip(hr)),)),
    Exercise(
        check_crop_pair,
        solve_crop_pair,
        lambda: (lambda lr, hr, t, x, s, k: (lr[t : t + s, x : x + s], hr[t : t + s * k, x : x + s * k]),),
    ),
    Exercise(check_patch_count, solve_patch_count, lambda: (1000,)),
)
