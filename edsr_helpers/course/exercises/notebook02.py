"""Notebook 02's exercises (the model): checkers, reference solutions (``solve_*``) and typical
wrong answers (see :mod:`edsr_helpers.course.exercises`)."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

import edsr_helpers as eh
from edsr_helpers import model
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
    "check_residual_block",
    "check_edsr_one_step",
    "check_upsampler_parameters",
    "check_receptive_field",
    "DEEPER_BLOCKS",
]


def _features(channels: int) -> np.ndarray:
    """Feature maps made from a real photo crop (its colours repeated), for comparing two blocks."""
    lr, _ = monarch_pair()
    patch = lr[40:56, 100:116].astype("float32") / 255.0
    return np.repeat(patch, -(-channels // 3), axis=-1)[None, :, :, :channels]


@exercise("define residual_block(x, num_filters, res_scale) and pass it in.")
def check_residual_block(residual_block) -> Verdict:
    """02, exercise 1: ``residual_block(x, num_filters, res_scale)`` on a Keras tensor equals EDSR's block."""
    inputs = keras.Input((None, None, 16))
    outputs, error = call_student(residual_block, inputs, 16, 0.1)
    if error:
        return say(False, error)
    try:
        student = keras.Model(inputs, outputs)
    except Exception as failure:  # noqa: BLE001
        return say(False, f"Return a Keras tensor built from x ({type(failure).__name__}).")
    reference = model.ResidualBlock(num_filters=16, res_scale=0.1)
    features = _features(16)
    reference(features)
    if student.count_params() != reference.count_params():
        return say(False, f"{student.count_params():,} parameters; the block has two 3x3 convolutions of 16 filters.")
    weights = student.get_weights()
    if [w.shape for w in weights] != [w.shape for w in reference.get_weights()]:
        return say(False, "Use two Conv2D layers with padding='same', one after the other.")
    reference.set_weights(weights)
    got, want = as_numpy(student(features)), as_numpy(reference(features))
    if np.allclose(got, want, atol=1e-4):
        return say(True, "x + res_scale * conv(relu(conv(x))): the block EDSR stacks 16 times.")
    if np.allclose(got, np.maximum(want, 0), atol=1e-4):
        return say(False, "There is a ReLU after the addition; EDSR has none there.")
    if np.allclose(got - features, (want - features) * 10, atol=1e-3):
        return say(False, "The correction is not multiplied by res_scale.")
    return say(False, "Check the order: conv with ReLU, conv without, times res_scale, plus the input x.")


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
    return say(True, "Same reach, same output size, but the upsampling conv now has twice the parameters.")


@exercise("set count to the number of parameters.")
def check_upsampler_parameters(count) -> Verdict:
    """02, exercise 3: parameters of EDSR-baseline's x3 upsampler (its convolutions; the shuffle has none)."""
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
    """02, exercise 3: the inverse of pixel shuffle, ``(B, H*r, W*r, C) -> (B, H, W, C*r*r)``, such that the
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


@exercise("set width to the receptive field in LR pixels.")
def check_receptive_field(width) -> Verdict:
    """02, exercise 4: receptive field (LR pixels across) of EDSR x4 with DEEPER_BLOCKS residual blocks.

    Reasoning from the measured 16-block value (a whole number of pixels) or from the formula (which counts the
    half pixel of the x4 upsampler's second step) are both right: within a pixel of the formula's value.
    """
    right = model.receptive_field(4, DEEPER_BLOCKS)
    baseline = model.receptive_field(4, 16)
    if close(width, right, 0.6):
        return say(True, "Each block adds two 3x3 convolutions at LR resolution: 4 LR pixels across per block.")
    if close(width, baseline * DEEPER_BLOCKS / 16, 0.6):
        return say(False, "Adding blocks does not scale everything: the head, tail and upsampler stay as they are.")
    if close(width, baseline + (DEEPER_BLOCKS - 16) * 2, 0.6):
        return say(False, "Each block has two convolutions, and each widens the field by 2 (one pixel per side).")
    return say(False, "Start from the 16-block value and add what the extra blocks add.")


# ------------------------------------------------------------------------------------------- reference solutions


def solve_residual_block():
    def residual_block(x, num_filters, res_scale):
        residual = layers.Conv2D(num_filters, 3, padding="same", activation="relu")(x)
        residual = layers.Conv2D(num_filters, 3, padding="same")(residual)
        return layers.Add()([x, layers.Rescaling(res_scale)(residual)])

    return (residual_block,)


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
    # 8 more blocks, 2 convolutions each, each 3x3 conv widens the field by 2 LR pixels
    width = 72 + (DEEPER_BLOCKS - 16) * 2 * 2  # the measured 16-block value, plus 4 px per block
    return (width,)


# ------------------------------------------------------------------------------------------- typical wrong answers


def _residual_without_skip(x, num_filters, res_scale):
    residual = layers.Conv2D(num_filters, 3, padding="same", activation="relu")(x)
    return layers.Rescaling(res_scale)(layers.Conv2D(num_filters, 3, padding="same")(residual))


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
    Exercise(check_residual_block, solve_residual_block, lambda: (_residual_without_skip,)),
    Exercise(check_edsr_one_step, solve_edsr_one_step, lambda: (_one_step_edsr_without_global_skip,)),
    Exercise(check_upsampler_parameters, solve_upsampler_parameters, lambda: (2 * (9 * 64 * 256 + 256),)),
    Exercise(
        check_receptive_field, solve_receptive_field, lambda: (eh.model.receptive_field(4, 16) * DEEPER_BLOCKS / 16,)
    ),
    Exercise(check_space_to_depth, solve_space_to_depth, lambda: (_space_to_depth_by_plain_reshape,)),
)
