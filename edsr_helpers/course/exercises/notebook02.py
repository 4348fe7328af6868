"""Notebook 02's exercises (the model): checkers, reference solutions (``solve_*``) and typical
wrong answers (see :mod:`edsr_helpers.course.exercises`)."""

from __future__ import annotations

import functools

import keras
import numpy as np
from keras import layers

import edsr_helpers as eh
from edsr_helpers import course, model
from edsr_helpers.course.exercises.checking import (
    Exercise,
    Verdict,
    as_numpy,
    call_student,
    close,
    exercise,
    monarch_pair,
    say,
)

__all__ = [
    "check_space_to_depth",
    "check_res_scale_choice",
    "check_edsr_one_step",
    "check_upsampler_parameters",
    "check_receptive_field",
    "DEEPER_BLOCKS",
]


#: Exercise 02.1: the factors to choose from, and the growth (after the last of the full model's 32 blocks of
#: 256 filters, at initialisation) the chosen one must stay below.
SCALING_FACTORS = (1.0, 0.5, 0.2, 0.1, 0.05)
CALM_GROWTH = 2.0


@functools.cache
def _full_stack_growth() -> dict[float, float]:
    """The spread after the last block for each of SCALING_FACTORS, measured as the notebook measures it."""
    growth = course.lessons.residual_growth(SCALING_FACTORS, depth=32, num_filters=256)
    return {factor: spreads[-1] for factor, spreads in growth.items()}


@exercise("write the factor you predict in guess before you measure, then set res_scale to your measured choice.")
def check_res_scale_choice(guess, res_scale) -> Verdict:
    """02, exercise 1: the largest of SCALING_FACTORS whose growth after 32 blocks of 256 filters (seed 0, a
    16x16 input of spread 1, ``lessons.residual_growth``'s defaults) stays below CALM_GROWTH. The guess is
    recorded and compared, never judged."""
    factors = ", ".join(f"{factor:g}" for factor in SCALING_FACTORS)
    try:
        guessed, chosen = float(guess), float(res_scale)
    except (TypeError, ValueError):
        return say(False, f"Write your prediction and your choice as numbers, each one of {factors}.")
    if not any(close(chosen, factor, 1e-9) for factor in SCALING_FACTORS):
        return say(False, f"Choose res_scale among the five factors: {factors}.")
    growth = _full_stack_growth()
    right = max(factor for factor in SCALING_FACTORS if growth[factor] < CALM_GROWTH)
    if close(chosen, right, 1e-9):
        how = "right" if close(guessed, right, 1e-9) else ("too large" if guessed > right else "too small")
        return say(
            True,
            f"Your prediction was {how}. Each block adds its correction times res_scale, so a block's added "
            "variance shrinks with the factor squared, and 32 blocks compound whatever is left.",
        )
    if growth[chosen] < CALM_GROWTH:
        return say(False, "That factor keeps the growth below x2, but a larger one does too: measure all five.")
    return say(False, "Measure that factor: with it the spread after the last block more than doubles.")


def _edsr_one_step(num_res_blocks: int, num_filters: int) -> keras.Model:
    """The checker's reference for exercise 02.2: EDSR x4 with one x4 pixel-shuffle step."""
    inputs = keras.Input((None, None, 3))
    x = model.MeanShift(sign=-1.0)(inputs)
    head = x = keras.layers.Conv2D(num_filters, 3, padding="same")(x)
    for _ in range(num_res_blocks):
        x = model.ResidualBlock(num_filters)(x)
    x = keras.layers.Add()([head, keras.layers.Conv2D(num_filters, 3, padding="same")(x)])
    x = model.PixelShuffle(4)(keras.layers.Conv2D(num_filters * 16, 3, padding="same")(x))
    x = keras.layers.Conv2D(3, 3, padding="same")(x)
    return keras.Model(inputs, model.MeanShift(sign=1.0)(x))


@exercise("define my_edsr_one_step(num_res_blocks, num_filters) and pass it in.")
def check_edsr_one_step(build) -> Verdict:
    """02, exercise 2: EDSR x4 whose upsampler is one conv to 16x the channels and one x4 pixel shuffle."""
    lr = monarch_pair()[0][40:64, 100:124][None].astype("float32")
    student, error = call_student(build, 2, 16)
    if error:
        return say(False, error)
    if not isinstance(student, keras.Model):
        return say(False, "Return a keras.Model (keras.Model(inputs, outputs)).")
    reference = _edsr_one_step(2, 16)
    if student.count_params() == model.count_parameters(4, 2, 16):
        return say(False, "That is the parameter count of EDSR's two x2 steps. Use a single x4 step.")
    if student.count_params() != reference.count_params():
        return say(
            False,
            f"{student.count_params():,} parameters with 2 blocks of 16 filters, which is not what one x4 step "
            "gives. Count the convolutions of the head, the blocks, the body's end, the upsampler, the tail.",
        )
    weights = student.get_weights()
    if [w.shape for w in weights] != [w.shape for w in reference.get_weights()]:
        return say(False, "The parameter count is right but the layers come in another order than EDSR's.")
    reference.set_weights(weights)
    got, want = as_numpy(student(lr)), as_numpy(reference(lr))
    if got.shape != want.shape:
        return say(False, f"The output is {got.shape[1:3]}; x4 of 24x24 should be {want.shape[1:3]}.")
    if not np.allclose(got, want, atol=1e-2):
        return say(
            False,
            "Same weights, different output. Check the mean shifts and the global skip connection around the "
            "body (head output + body output).",
        )
    one_step, two_steps = _upsampler_parameters(64, (4,)), _upsampler_parameters(64, (2, 2))
    return say(
        True,
        f"Same output size. At 64 filters the one upsampling conv has {one_step:,} parameters against "
        f"{two_steps:,} for the two x2 convs, and one output pixel sees {_one_step_receptive_field(16):g} LR px "
        f"across instead of {model.receptive_field(4, 16):g}: the second x2 step's conv, which ran at twice the LR "
        "resolution, is gone.",
    )


def _upsampler_parameters(num_filters: int, factors: tuple[int, ...]) -> int:
    """Parameters of the upsampling convs: a 3x3 conv from num_filters to num_filters * r * r per step."""
    return sum(9 * num_filters * num_filters * r * r + num_filters * r * r for r in factors)


def _one_step_receptive_field(num_res_blocks: int) -> float:
    """Receptive field (LR px) of EDSR x4 with one x4 step: head, 2 convs per block, body end and the upsampling
    conv widen it by 2 LR px each; the tail, at 4x the resolution, by 2/4."""
    return 1 + 2 * (2 * num_res_blocks + 3) + 2 / 4


@exercise("set count to the number of parameters.")
def check_upsampler_parameters(count) -> Verdict:
    """02, exercise 3: parameters of EDSR-baseline's x3 upsampler (its convolutions; the shuffle has none), the
    count that explains why the x3 model is larger than the x4 one."""
    built = model.edsr(3)
    right = sum(layer.count_params() for layer in built.layers if layer.name.startswith("upsample_conv"))
    if close(count, right, 0.5):
        return say(True, "One 3x3 conv from 64 to 64*3*3 channels, weights plus biases.")
    if close(count, 2 * (9 * 64 * 256 + 256), 0.5):
        return say(False, "That is the x4 upsampler (two x2 steps). x3 is one step with 3*3 times the channels.")
    if close(count, 9 * 64 * 576, 0.5):
        return say(False, "Almost: do not forget the biases, one per output channel.")
    return say(False, "A 3x3 conv from c_in to c_out channels has 9*c_in*c_out + c_out parameters.")


def _depth_to_space(batch: np.ndarray, block_size: int) -> np.ndarray:
    return as_numpy(model.pixel_shuffle(keras.ops.convert_to_tensor(batch), block_size))


@exercise("define space_to_depth(x, r) and pass it in.")
def check_space_to_depth(space_to_depth) -> Verdict:
    """02, exercise 5: the inverse of pixel shuffle, ``(B, H*r, W*r, C) -> (B, H, W, C*r*r)``, such that the
    notebook's ``pixel_shuffle`` gives back the input exactly."""
    rng = np.random.default_rng(2)
    for block_size, shape in ((2, (2, 8, 12, 3)), (3, (1, 9, 6, 2))):
        x = rng.uniform(0, 255, shape).astype("float32")
        result, error = call_student(space_to_depth, x.copy(), block_size)
        if error:
            return say(False, error)
        result = np.asarray(result, dtype="float32")
        batch, height, width, channels = shape
        expected_shape = (batch, height // block_size, width // block_size, channels * block_size**2)
        if result.shape != expected_shape:
            return say(False, f"For r={block_size} an input of shape {shape} should become {expected_shape}.")
        if np.array_equal(_depth_to_space(result, block_size), x):
            continue
        plain = x.reshape(expected_shape)
        if np.array_equal(result, plain):
            return say(
                False,
                "A plain reshape takes r neighbours along a row, not an r x r block: split H into (H/r, r) and W "
                "into (W/r, r), move the two r axes next to the channels, then merge them.",
            )
        return say(
            False,
            "The values are all there but in another order: pixel_shuffle reads channel (i*r + j)*C + c for "
            "sub-pixel (i, j), so the merged axes must be ordered (r_row, r_col, C).",
        )
    return say(True, "pixel_shuffle undoes it exactly, at r=2 and r=3: no value is computed, only moved.")


#: Exercise 02.4's network: deeper than the baseline, and not in the notebook's architecture table.
DEEPER_BLOCKS = 24


@exercise("write your prediction in guess before you measure, then set width to the measured receptive field.")
def check_receptive_field(guess, width) -> Verdict:
    """02, exercise 4: receptive field (LR pixels across) of EDSR x4 with DEEPER_BLOCKS residual blocks, predicted
    then measured with ``eh.model.measure_receptive_field``. The guess is recorded and compared, never judged.

    The measurement (a whole number of pixels) and the formula (which counts the half pixel of the x4 upsampler's
    second step) are both right: within a pixel of the formula's value.
    """
    try:
        guessed, width = float(guess), float(width)
    except (TypeError, ValueError):
        return say(False, "Write your prediction and the measured width as numbers of LR pixels.")
    right = model.receptive_field(4, DEEPER_BLOCKS)
    baseline = model.receptive_field(4, 16)
    if close(width, right, 0.6):
        how = "right" if close(guessed, right, 1.0) else ("too large" if guessed > right else "too small")
        return say(
            True,
            f"Your prediction was {how}. Each block adds two 3x3 convolutions at LR resolution, 4 LR pixels across "
            "per block; the head, the upsampler and the tail stay as they are.",
        )
    if close(width, baseline * DEEPER_BLOCKS / 16, 0.6):
        return say(False, "Adding blocks does not scale everything: the head, tail and upsampler stay as they are.")
    if close(width, baseline + (DEEPER_BLOCKS - 16) * 2, 0.6):
        return say(False, "Each block has two convolutions, and each widens the field by 2 (one pixel per side).")
    return say(
        False,
        "Measure it again: eh.model.measure_receptive_field on a x4 EDSR with 24 blocks, with an LR input wider than "
        "the field you expect.",
    )


# ------------------------------------------------------------------------------------------- reference solutions


def solve_res_scale_choice():
    guess = 0.1  # written before measuring: the paper's factor
    factors = (1.0, 0.5, 0.2, 0.1, 0.05)
    growth = course.lessons.residual_growth(factors, depth=32, num_filters=256)
    res_scale = max(factor for factor in factors if growth[factor][-1] < 2)
    return guess, res_scale


def solve_edsr_one_step():
    def my_edsr_one_step(num_res_blocks, num_filters):
        inputs = keras.Input((None, None, 3))
        x = eh.model.MeanShift(sign=-1.0)(inputs)
        head = x = layers.Conv2D(num_filters, 3, padding="same")(x)
        for _ in range(num_res_blocks):
            x = eh.model.ResidualBlock(num_filters)(x)
        x = layers.Conv2D(num_filters, 3, padding="same")(x)
        x = layers.Add()([head, x])
        x = layers.Conv2D(num_filters * 4 * 4, 3, padding="same")(x)
        x = eh.model.PixelShuffle(4)(x)
        x = layers.Conv2D(3, 3, padding="same")(x)
        return keras.Model(inputs, eh.model.MeanShift(sign=1.0)(x))

    return (my_edsr_one_step,)


def solve_upsampler_parameters():
    count = 9 * 64 * (64 * 3 * 3) + 64 * 3 * 3
    return (count,)


def solve_space_to_depth():
    def space_to_depth(x, r):
        batch, height, width, channels = x.shape
        blocks = x.reshape(batch, height // r, r, width // r, r, channels)
        return blocks.transpose(0, 1, 3, 2, 4, 5).reshape(batch, height // r, width // r, r * r * channels)

    return (space_to_depth,)


def solve_receptive_field():
    # before measuring: 8 more blocks, 2 convolutions each, each 3x3 conv widens the field by 2 LR pixels
    guess = 72 + (DEEPER_BLOCKS - 16) * 2 * 2  # the measured 16-block value, plus 4 px per block
    deeper = eh.model.edsr(scale=4, num_res_blocks=DEEPER_BLOCKS)
    width = eh.model.measure_receptive_field(deeper, lr_size=128)
    return guess, width


# ------------------------------------------------------------------------------------------- typical wrong answers


def _one_step_edsr_without_global_skip(num_res_blocks, num_filters):
    inputs = keras.Input((None, None, 3))
    x = eh.model.MeanShift(sign=-1.0)(inputs)
    x = layers.Conv2D(num_filters, 3, padding="same")(x)
    for _ in range(num_res_blocks):
        x = eh.model.ResidualBlock(num_filters)(x)
    x = layers.Conv2D(num_filters, 3, padding="same")(x)
    x = eh.model.PixelShuffle(4)(layers.Conv2D(num_filters * 16, 3, padding="same")(x))
    return keras.Model(inputs, eh.model.MeanShift(sign=1.0)(layers.Conv2D(3, 3, padding="same")(x)))


def _space_to_depth_by_plain_reshape(x, r):
    batch, height, width, channels = x.shape
    return x.reshape(batch, height // r, width // r, r * r * channels)


#: The exercises in the order the notebook asks them.
EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        check_res_scale_choice,
        solve_res_scale_choice,
        lambda: (0.1, 0.1),  # the paper's factor: calm, but not the largest calm one
        model_answer=(
            "Not on its own. The growth at initialisation is set by depth far more than by width, while the "
            "trouble at width 256 appeared only once training started: at the same depth and with about the same "
            "growth, the wide unscaled stack had far larger gradients and spiking losses, the narrow one did "
            "not. A factor that keeps step 0 calm says nothing about how far each Adam step moves a wide block. "
            "The test is a training run, as above (loss and gradient norm over many steps); the paper chose 0.1 "
            "from its training runs, and a smaller factor than needed also shrinks every block's contribution."
        ),
    ),
    Exercise(
        check_edsr_one_step,
        solve_edsr_one_step,
        lambda: (_one_step_edsr_without_global_skip,),
        model_answer=(
            "More parameters: one conv from 64 to 64 x 16 = 1,024 channels has 9 x 64 x 1,024 + 1,024 = 590,848, "
            "twice the two x2 convs (2 x 147,712 = 295,424), because the x4 conv makes all 16 sub-pixels from "
            "64 channels at once. A narrower receptive field, by one LR pixel (71.5 against 72.5 at 16 blocks): "
            "the second x2 step's 3x3 conv ran at twice the LR resolution and widened the field by 2 of its "
            "pixels, one LR pixel; with a single step it is gone."
        ),
    ),
    Exercise(
        check_upsampler_parameters,
        solve_upsampler_parameters,
        lambda: (2 * (9 * 64 * 256 + 256),),  # the x4 upsampler's two convolutions
        model_answer=(
            "An upsampling convolution makes r x r sub-pixels from 64 channels, so its parameters grow with r "
            "squared per step: x3's one conv from 64 to 64 x 9 = 576 channels has 9 x 64 x 576 + 576 = 332,352, "
            "while x4's two convs to 64 x 4 = 256 channels have 2 x (9 x 64 x 256 + 256) = 295,424, because "
            "9 > 4 + 4 (x2's one conv has 147,712). The head, the blocks, the body's end and the tail are the same "
            "at every scale, so the x3 model has exactly 332,352 - 295,424 = 36,928 parameters more than the x4 "
            "one (1,554,499 against 1,517,571 in the table). The x4 model's second step runs at twice the LR "
            "resolution: that costs computation per output pixel, not parameters."
        ),
    ),
    Exercise(
        check_receptive_field,
        solve_receptive_field,
        lambda: (104, eh.model.receptive_field(4, 16) * DEEPER_BLOCKS / 16),  # every layer scaled with the blocks
        model_answer=(
            "4 LR pixels per block: a residual block holds two 3x3 convolutions, and each widens the field by one "
            "LR pixel on every side, 2 across. So 8 more blocks add 32 to the 16-block field: about 104 LR pixels, "
            "which the measurement confirms. The head's and the body's last convolution, the upsampler and the "
            "tail are the same at any depth, so they add the same amount to both models: every block added widens "
            "the field by the same 4 pixels."
        ),
    ),
    Exercise(
        check_space_to_depth,
        solve_space_to_depth,
        lambda: (_space_to_depth_by_plain_reshape,),
        model_answer=(
            "pixel_shuffle reads channel (i*r + j)*C + c of an LR pixel as sub-pixel (i, j) of colour channel c: "
            "the channels count (i, j, c) with c fastest. So space_to_depth must lay its channels out in that "
            "order: reshape (B, H*r, W*r, C) to (B, H, r, W, r, C), transpose to (B, H, W, r, r, C), with the "
            "row offset i before the column offset j and both before c, then merge the last three axes. A plain "
            "reshape without the transpose, or the axes in another order, gives the right shape with the values "
            "in the wrong channels; only the round trip through pixel_shuffle shows it."
        ),
    ),
)
