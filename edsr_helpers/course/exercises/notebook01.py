"""Notebook 01's exercises (data and augmentation): checkers, reference solutions (``solve_*``) and typical
wrong answers (see :mod:`edsr_helpers.course.exercises`)."""

from __future__ import annotations

import functools
import math

import numpy as np

import edsr_helpers as eh
from edsr_helpers import data, metrics
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
    "check_hr_shift",
    "check_area_downscale",
    "check_crop_pair",
    "check_colour_check",
    "check_patch_repeats",
]


# ----------------------------------------------------------------------------------------- 01.1 a smaller shift


@exercise("write your guess (in dB) in guess before you measure, then set shifted_psnr to your measurement.")
def check_hr_shift(guess, shifted_psnr) -> Verdict:
    """01, exercise 1: guess, then measure the alignment PSNR (RGB, border of 2 LR px) of monarch's x4 pair after
    shifting HR by one *HR* pixel to the right. The guess is recorded and compared, never judged."""
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


# ----------------------------------------------------------------------------------- 01.2 a camera's degradation


def _area_psnrs(downscale_area) -> tuple[float, ...]:
    """What a student may measure for the area LR against monarch's bicubic LR: the protocol's number (RGB,
    border of 2 LR px) and, for the hints, without the border and on Y."""
    lr, hr = monarch_pair()
    area = np.asarray(downscale_area(hr.copy(), 4), dtype=np.float64)
    return (
        metrics.psnr(lr, area, shave=2),
        metrics.psnr(lr, area),
        metrics.psnr(lr, area, shave=2, y_only=True),
    )


@exercise("write your guess (in dB) in guess, define downscale_area(hr, scale), then set area_psnr.")
def check_area_downscale(guess, downscale_area, area_psnr) -> Verdict:
    """01, exercise 2: the box-filter ("area") degradation a camera sensor resembles, each LR pixel the mean of its
    scale x scale HR block (one reshape and one mean), then how close it comes to the bicubic LR of monarch's x4
    pair: ``metrics.psnr(lr, downscale_area(hr, 4), shave=2)``, RGB. The guess is recorded, never judged."""
    try:
        guessed = float(guess)
    except (TypeError, ValueError):
        return say(False, "Write your guess as a number of dB (for example 30.0) before you measure.")
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
    protocol, unshaved, on_y = _area_psnrs(downscale_area)
    if not close(area_psnr, protocol, 0.1):
        if close(area_psnr, unshaved, 0.1):
            return say(False, "Your function is right. Leave out a border of 2 LR px (shave=2), as the question says.")
        if close(area_psnr, on_y, 0.1):
            return say(False, "Your function is right. Compare the three colours (RGB), not Y.")
        return say(
            False,
            "Your function is right; measure eh.metrics.psnr(lr, downscale_area(hr, 4), shave=2) on the whole "
            "monarch pair.",
        )
    lr, hr = monarch_pair()
    shift = data.alignment_psnr(lr, np.roll(hr, 1, axis=1), 4)  # exercise 1's quarter-pixel shift
    how = "close" if abs(guessed - protocol) <= 2 else ("too high" if guessed > protocol else "too low")
    nearer = "closer to" if protocol > shift else "farther from"
    return say(
        True,
        f"Your guess was {how}. The area LR is {nearer} the bicubic LR than exercise 1's quarter-pixel shift was: "
        "the two filters differ mostly in the finest detail.",
    )


# ---------------------------------------------------------------------------------------- 01.3 a crop that drifts


#: Exercise 01.3's cases: (scale, top, left, size). Every scale, even and odd sizes, the corner at 0 (where a
#: negative start would wrap around) and at the far edge of monarch's LR image at that scale.
CROP_CASES = (
    (4, 40, 90, 24),
    (4, 40, 90, 25),
    (3, 37, 101, 24),
    (3, 0, 0, 11),
    (2, 50, 13, 25),
    (2, 0, 0, 7),
    (4, 128 - 11, 192 - 11, 11),
)


def _hr_offset_error(hr, hr_patch, top, left, scale) -> tuple[int, int] | None:
    """Where the student's HR patch really starts, relative to the right corner, if within a few LR pixels."""
    size = hr_patch.shape[0]
    reach = 2 * scale
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            y, x = top * scale + dy, left * scale + dx
            if min(y, x) >= 0 and np.array_equal(hr[y : y + size, x : x + size], hr_patch):
                return dy, dx
    return None


def _drift(dy: int, dx: int) -> str:
    parts = [f"{abs(d)} HR px {word[d > 0]}" for d, word in ((dy, ("up", "down")), (dx, ("left", "right"))) if d]
    return " and ".join(parts)


@exercise("define crop(lr, hr, top, left, size, scale), your fixed crop_around_centre, and pass it in.")
def check_crop_pair(crop) -> Verdict:
    """01, exercise 3: the fixed crop cuts the LR patch at (top, left) and the HR patch exactly above it, at x2, x3
    and x4, for even and odd sizes, at the image's corners too (monarch's pair at each scale)."""
    for scale, top, left, size in CROP_CASES:
        lr, hr = monarch_pair(scale)
        result, error = call_student(crop, lr, hr, top, left, size, scale)
        if error:
            return say(False, f"At x{scale}, top={top}, left={left}, size={size}: {error}")
        right = data.crop_pair(lr, hr, top, left, scale=scale, lr_patch_size=size)
        try:
            lr_patch, hr_patch = (np.asarray(image) for image in result)
        except (TypeError, ValueError):
            return say(False, "Return a tuple (lr_patch, hr_patch).")
        case = f"At x{scale} with a {size}-pixel patch at top={top}, left={left}"
        if not np.array_equal(lr_patch, right[0]):
            return say(False, f"{case} the LR patch is not lr[top:top+size, left:left+size].")
        if hr_patch.shape != right[1].shape:
            wrap = " A negative start index counts from the far end in numpy." if min(top, left) == 0 else ""
            return say(
                False,
                f"{case} the HR patch is {hr_patch.shape[1]}x{hr_patch.shape[0]} px, not `scale` times the LR "
                f"patch's size.{wrap}",
            )
        if not np.array_equal(hr_patch, right[1]):
            offset = _hr_offset_error(hr, hr_patch, top, left, scale)
            where = f" it starts {_drift(*offset)} of the block under the LR corner" if offset else ""
            return say(
                False,
                f"{case} the HR patch has the right size but{where or ' sits elsewhere'}. Which HR pixel lies "
                "under the LR patch's top-left pixel, whatever the size and the scale?",
            )
    return say(True, "At x2, x3 and x4, even and odd sizes: every HR block sits exactly over its LR pixel.")


# ------------------------------------------------------------------------------ 01.4 a check that cannot see colours


#: Exercise 01.4's patches of monarch's HR image (top, left): colourful, so every reordering of the channels
#: changes each channel's content.
COLOUR_PATCHES = ((160, 360), (40, 100), (300, 200))


def _channel_swaps(patch: np.ndarray) -> list[tuple[str, np.ndarray]]:
    return [
        ("keras-io's flip (every axis)", np.flip(patch)),
        ("red and blue swapped", patch[..., ::-1]),
        ("a quarter turn with the channels rolled", np.rot90(patch)[..., [1, 2, 0]]),
    ]


@exercise(
    "write your guess (True or False) in guess, set flipped_psnr to your measurement and define "
    "keeps_colours(patch, augmented)."
)
def check_colour_check(guess, flipped_psnr, keeps_colours) -> Verdict:
    """01, exercise 4: the alignment check (RGB, border of 2 LR px) scores keras-io's flip, which reverses the
    colour channels of both LR and HR, as perfectly aligned; ``keeps_colours`` must accept the 8 symmetries of
    ``transform_pair`` and reject reordered channels, with or without a rotation. The guess is recorded."""
    if not isinstance(guess, bool | np.bool_):
        return say(False, "Write your guess as True (the alignment check catches the flip) or False.")
    try:
        measured = float(flipped_psnr)
    except (TypeError, ValueError):
        return say(False, "Set flipped_psnr to the number eh.data.alignment_psnr returns (inf counts as a number).")
    if not (math.isinf(measured) or measured > 60):
        return say(
            False,
            "Measure eh.data.alignment_psnr(np.flip(lr_crop), np.flip(hr_crop), 4): np.flip with no axis, on the "
            "aligned patches of the question, at x4.",
        )
    hr = monarch_pair()[1]
    for top, left in COLOUR_PATCHES:
        patch = hr[top : top + 96, left : left + 96]
        for quarter_turns in range(4):
            for flip in (False, True):
                augmented = data.transform_pair(patch, patch, quarter_turns, flip)[0]
                kept, error = call_student(keeps_colours, patch.copy(), augmented)
                if error:
                    return say(False, error)
                if not kept:
                    return say(
                        False,
                        f"Your check rejects a true symmetry ({quarter_turns} quarter turn(s)"
                        f"{' and a flip' if flip else ''}): a rotation moves pixels, so compare something that does "
                        "not depend on where each pixel is.",
                    )
        for name, swapped in _channel_swaps(patch):
            kept, error = call_student(keeps_colours, patch.copy(), swapped)
            if error:
                return say(False, error)
            if kept:
                return say(
                    False,
                    f"Your check accepts {name}. Compare something each colour channel keeps under a rotation but "
                    "that changes when the channels trade places.",
                )
    how = "right" if not guess else "wrong"
    return say(
        True,
        f"Your guess was {how}: the alignment check compares LR with HR, so it is blind to what is done to both "
        "alike. Your check compares the augmented patch with the original instead.",
    )


# ------------------------------------------------------------------------------ 01.5 how often a patch comes back


#: Exercise 01.5's stream: the `cpu` profile's patch size, batch and run length, PatchBatches's default seed.
REPEAT_STREAM = {"scale": 4, "lr_patch_size": 24, "batch_size": 16, "seed": 42}
REPEAT_BATCHES = 1200


@functools.cache
def _repeats() -> int:
    """How many of the stream's LR patches equal, pixel for pixel, one drawn before (the offline training photos)."""
    stream = eh.pairs.PatchBatches(data.load_sample(4, "train"), **REPEAT_STREAM)
    seen: set[bytes] = set()
    repeats = 0
    for index in range(REPEAT_BATCHES):
        for patch in stream[index][0]:
            key = patch.tobytes()
            repeats += key in seen
            seen.add(key)
    return repeats


@exercise("write your guess in guess before you measure, then set repeats to your measurement.")
def check_patch_repeats(guess, repeats) -> Verdict:
    """01, exercise 5: of the 1,200 x 16 LR patches that ``PatchBatches`` (x4, 24 px, seed 42, uniform) draws from
    the 6 offline training photos, how many equal one drawn before. The guess is recorded, never judged."""
    try:
        guessed = float(guess)
    except (TypeError, ValueError):
        return say(False, "Write your guess as a number of patches before you measure.")
    right = _repeats()
    total = REPEAT_BATCHES * REPEAT_STREAM["batch_size"]
    if close(repeats, right, 0.5):
        how = "close" if abs(guessed - right) <= 0.25 * right else ("too high" if guessed > right else "too low")
        return say(
            True,
            f"Your guess was {how}. Each photo offers tens of thousands of positions times 8 symmetries, so in "
            f"{total:,} draws a patch rarely comes back.",
        )
    if close(repeats, total - right, 0.5):
        return say(False, "That counts the patches seen for the first time. Count those seen before.")
    if close(repeats, 0, 0.5):
        return say(False, "Measure it: keep each LR patch's bytes (patch.tobytes()) in a set and count the hits.")
    return say(
        False,
        "Use PatchBatches(eh.data.load_sample(scale=4, split='train'), scale=4, lr_patch_size=24, batch_size=16, "
        "seed=42), batches 0 to 1,199, and count the LR patches whose bytes were seen before.",
    )


# ------------------------------------------------------------------------------------------- reference solutions


def solve_hr_shift():
    guess = 30.0  # written before measuring
    lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
    shifted_psnr = eh.data.alignment_psnr(lr, np.roll(hr, 1, axis=1), 4)
    return guess, shifted_psnr


def solve_area_downscale():
    guess = 35.0  # written before measuring

    def downscale_area(hr, scale):
        height, width = hr.shape[0] // scale, hr.shape[1] // scale
        blocks = hr[: height * scale, : width * scale].astype(np.float64)
        return blocks.reshape(height, scale, width, scale, 3).mean(axis=(1, 3))

    lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
    area_psnr = eh.metrics.psnr(lr, downscale_area(hr, 4), shave=2)
    return guess, downscale_area, area_psnr


def solve_crop_pair():
    def crop(lr, hr, top, left, size, scale):
        # the LR pixel (y, x) covers HR pixels y*scale ... y*scale + scale - 1: the corner scales, not the centre
        lr_patch = lr[top : top + size, left : left + size]
        hr_patch = hr[top * scale : (top + size) * scale, left * scale : (left + size) * scale]
        return lr_patch, hr_patch

    return (crop,)


def solve_colour_check():
    guess = True  # written before measuring
    lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
    lr_patch, hr_patch = eh.data.crop_pair(lr, hr, 40, 90, scale=4, lr_patch_size=24)
    flipped_psnr = eh.data.alignment_psnr(np.flip(lr_patch), np.flip(hr_patch), 4)

    def keeps_colours(patch, augmented):
        # a symmetry moves pixels but keeps each channel's values: the per-channel means stay put
        return bool(np.allclose(patch.mean(axis=(0, 1)), augmented.mean(axis=(0, 1))))

    return guess, flipped_psnr, keeps_colours


def solve_patch_repeats():
    guess = 0  # written before measuring
    stream = eh.pairs.PatchBatches(
        eh.data.load_sample(scale=4, split="train"), scale=4, lr_patch_size=24, batch_size=16, seed=42
    )
    seen, repeats = set(), 0
    for index in range(1200):
        for patch in stream[index][0]:
            repeats += patch.tobytes() in seen
            seen.add(patch.tobytes())
    return guess, repeats


# ------------------------------------------------------------------------------------------- typical wrong answers


def _crop_for_x4_only(lr, hr, top, left, size, scale):
    """Right at x4 only: the scale written as 4."""
    return lr[top : top + size, left : left + size], hr[top * 4 : (top + size) * 4, left * 4 : (left + size) * 4]


def _crop_at_the_lr_offset(lr, hr, top, left, size, scale):
    """The HR patch cut at the LR offset: the right size in the wrong place."""
    return lr[top : top + size, left : left + size], hr[top : top + size * scale, left : left + size * scale]


def _same_pixels(patch, augmented):
    """Equal arrays: rejects every rotation."""
    return np.array_equal(patch, augmented)


def _same_shape(patch, augmented):
    """Equal shapes: accepts swapped colours."""
    return patch.shape == augmented.shape


#: More wrong answers for the tests: each must be rejected (exercise name, arguments).
MORE_WRONG_ANSWERS: tuple[tuple[str, tuple], ...] = (
    ("check_crop_pair", (_crop_for_x4_only,)),
    ("check_colour_check", (False, float("inf"), _same_pixels)),
    ("check_colour_check", (False, 20.0, lambda patch, augmented: True)),
)


#: The exercises in the order the notebook asks them.
EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        check_hr_shift,
        solve_hr_shift,
        lambda: (30.0, 20.0),  # the LR image's shift, not the HR's
        model_answer=(
            "A quarter of an LR pixel still moves every edge, and PSNR counts the squared difference wherever an "
            "edge moved, so a sharp photo loses many dB even for a shift far below one LR pixel. A pair must "
            "therefore be aligned to the HR pixel, not roughly: a network trained on pairs that disagree by a "
            "fraction of a pixel cannot tell from the LR where the edge is, learns the average of the possible "
            "positions, and that average is a blur. The same sensitivity makes the alignment check useful: a "
            "crop that is off by a single HR pixel shows up as a drop of many dB."
        ),
    ),
    Exercise(
        check_area_downscale,
        solve_area_downscale,
        lambda: (35.0, lambda hr, scale: hr[::scale, ::scale], 30.0),
        model_answer=(
            "Not quite. The two LR images are close, closer than the quarter-pixel shift, because both filters "
            "average over about the same block and differ mostly in the finest detail: the antialiased bicubic "
            "kernel is wider and has negative lobes, so it removes a little more of the highest frequencies and "
            "aliases less than the box. But the finest detail is exactly what super-resolution amplifies: a model "
            "trained on bicubic pairs has learned to undo that one filter, and where an area LR image holds more "
            "fine detail and aliasing it sharpens it further, so its errors grow. Notebook 04 measures what the "
            "shipped model loses on area-averaged LR images; notebook 05 trains on many degradations for that "
            "reason."
        ),
    ),
    Exercise(
        check_crop_pair,
        solve_crop_pair,
        lambda: (_crop_at_the_lr_offset,),
        model_answer=(
            "LR pixel y covers the HR rows y*scale to y*scale + scale - 1, so its centre in HR lies half a block "
            "further, at y*scale + scale/2, while crop_around_centre takes y*scale, the block's first row. With an "
            "even size the LR patch's centre is the edge between two pixels, both ways of counting meet, and the "
            "HR patch starts at top*scale. With an odd size the centre falls in the middle of the pixel "
            "centre_y; the code starts the HR patch at centre_y*scale - (size*scale)//2 = top*scale - "
            "(scale//2), half an LR pixel too early, rounded down: 1 HR pixel at x2 and x3, 2 at x4. The fix "
            "scales the corner, not the centre: hr[top*scale : (top + size)*scale], as crop_pair does. At the "
            "image's top or left edge the bug also gives a negative start, which numpy reads from the far end."
        ),
    ),
    Exercise(
        check_colour_check,
        solve_colour_check,
        lambda: (True, float("inf"), _same_shape),
        model_answer=(
            "The alignment check compares the LR patch with the HR patch shrunk by the same filter. Anything done "
            "to both alike leaves them agreeing, and the bicubic filter works on each channel alone, so swapping "
            "the channels of both (as keras-io's flip without an axis does, together with a half turn) keeps "
            "them aligned: the score stays perfect. The check can only see differences between LR and HR. A "
            "colour check must compare the augmented patch with the original instead: a rotation or flip moves "
            "pixels but keeps each channel's values, so the per-channel means (or histograms) stay the same, "
            "while reordered channels trade them (a grey patch, with equal channels, cannot tell)."
        ),
    ),
    Exercise(
        check_patch_repeats,
        solve_patch_repeats,
        lambda: (0, 0),  # the guess "never" left unmeasured
        model_answer=(
            "No. A repeat is rare because a patch one pixel to the side counts as new, but it shares 23 of its 24 "
            "columns with its neighbour, and the 8 symmetries show the same content turned. What the network can "
            "learn from is the content of 6 small photos: a few hundred thousand LR pixels of a few kinds of "
            "scene. It can come to fit those photos, textures included, and do worse on photos unlike them: the "
            "validation photos, never used for training, are what tells. More photos (DIV2K's 800) add content "
            "that augmentation cannot make."
        ),
    ),
)
