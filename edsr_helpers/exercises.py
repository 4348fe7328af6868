"""Checkers for the exercises at the end of every notebook.

Each checker takes what the student produced (a number, a function, trained models), works out the right
answer itself from the same real photos, and prints one line: right, or not yet with a hint. It never prints
the answer. It returns a :class:`Verdict` (true when right) so that tests can prove both outcomes; in a
notebook the verdict adds nothing to the printed line.

Reference solutions are in the repository's ``solutions/`` folder, not in this package, so a student on Colab
does not stumble on them; ``tests/test_exercises.py`` runs every solution through its checker and shows that
each checker rejects a typical wrong answer.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable

import keras
import numpy as np

from edsr_helpers import data, inference, metrics, model, samples, training
from edsr_helpers.images import upscale_bicubic


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The outcome of one check: ``bool(verdict)`` is whether the answer is right."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def _ipython_display_(self) -> None:  # the message is already printed
        pass


def _say(ok: bool, message: str) -> Verdict:
    print(("✅ Right. " if ok else "❌ Not yet. ") + message)
    return Verdict(ok, message)


def _unanswered(what: str) -> Verdict:
    message = f"Not answered yet: {what}"
    print("⏳ " + message)
    return Verdict(False, message)


class _UnansweredError(Exception):
    """The student's function still raises NotImplementedError (the exercise cell's starting point)."""


def _is_unanswered(answer) -> bool:
    return answer is None or answer is Ellipsis or (isinstance(answer, dict) and not answer)


def _exercise(todo: str):
    """Make a checker report an untouched exercise (``None``, ``...``, ``{}`` or a function that still raises
    ``NotImplementedError``) as "not answered yet: <todo>" rather than as a wrong answer."""

    def wrap(check):
        @functools.wraps(check)
        def run(*answers) -> Verdict:
            if any(_is_unanswered(answer) for answer in answers):
                return _unanswered(todo)
            try:
                return check(*answers)
            except _UnansweredError:
                return _unanswered(todo)

        return run

    return wrap


def _close(value, target: float, tolerance: float) -> bool:
    try:
        return math.isclose(float(value), target, abs_tol=tolerance)
    except (TypeError, ValueError):
        return False


@functools.cache
def _monarch_pair(scale: int = 4) -> tuple[np.ndarray, np.ndarray]:
    lr, hr = data.make_pair(samples.load_photo("monarch"), scale=scale)
    lr.flags.writeable = hr.flags.writeable = False
    return lr, hr


def _numpy(tensor) -> np.ndarray:
    """A model's output as numpy on every engine (a torch tensor that requires grad refuses ``np.asarray``)."""
    return keras.ops.convert_to_numpy(tensor)


def _call(function: Callable, *args):
    """Run the student's function; an exception becomes a hint instead of a traceback."""
    try:
        return function(*args), None
    except NotImplementedError as todo:
        raise _UnansweredError from todo
    except Exception as error:  # noqa: BLE001 - any error in student code is reported, not raised
        return None, f"your function raised {type(error).__name__}: {error}"


# ------------------------------------------------------------------------------------------- notebook 01


@_exercise("set shifted_psnr to the alignment PSNR you measured.")
def check_hr_shift(shifted_psnr) -> Verdict:
    """01, exercise 1: alignment PSNR of monarch's pair after shifting HR by one *HR* pixel to the right."""
    lr, hr = _monarch_pair()
    right = data.alignment_psnr(lr, np.roll(hr, 1, axis=1), 4)
    if _close(shifted_psnr, right, 0.05):
        return _say(True, "One HR pixel is a quarter of an LR pixel: the pair is off, but far less than 1 LR px.")
    if _close(shifted_psnr, data.alignment_psnr(lr, hr, 4), 0.05):
        return _say(False, "That is the aligned pair's score. Shift `hr` (not `lr`) with np.roll(..., axis=1).")
    if _close(shifted_psnr, data.alignment_psnr(np.roll(lr, 1, axis=1), hr, 4), 0.05):
        return _say(False, "That is a one-pixel shift of the LR image. Shift the HR image instead.")
    return _say(False, "Use the whole monarch pair, np.roll(hr, 1, axis=1) and eh.data.alignment_psnr(lr, ..., 4).")


@_exercise("define flip_pair(lr, hr) and pass it in.")
def check_flip_pair(flip_pair) -> Verdict:
    """01, exercise 2: a left-right flip of an (lr, hr) pair that keeps it aligned and keeps colours RGB."""
    lr, hr = data.crop_pair(*_monarch_pair(), 40, 100, scale=4, lr_patch_size=24)
    result, error = _call(flip_pair, lr.copy(), hr.copy())
    if error:
        return _say(False, error)
    try:
        lr_flipped, hr_flipped = (np.asarray(image) for image in result)
    except (TypeError, ValueError):
        return _say(False, "Return a tuple (lr_flipped, hr_flipped).")
    if lr_flipped.shape != lr.shape or hr_flipped.shape != hr.shape:
        return _say(False, "The shapes changed: a flip keeps the height, width and 3 colour channels.")
    if np.array_equal(lr_flipped, lr[:, :, ::-1]) or np.array_equal(lr_flipped[..., ::-1], lr[:, ::-1]):
        return _say(False, "The colour channels were reversed too (RGB became BGR): flip along the width only.")
    if np.array_equal(lr_flipped, lr[::-1]):
        return _say(False, "That is an up-down flip. Left-right reverses the width axis, axis=1.")
    if np.array_equal(lr_flipped, lr[:, ::-1]) and np.array_equal(hr_flipped, hr[:, ::-1]):
        return _say(True, "Both images mirrored along the width, colours untouched, still aligned.")
    return _say(False, "Mirror both images along the width (axis=1), and nothing else.")


@_exercise("define crop(lr, hr, top, left, size, scale) and pass it in.")
def check_crop_pair(crop) -> Verdict:
    """01, exercise 3: cut the LR patch at (top, left) and the HR patch exactly above it."""
    lr, hr = _monarch_pair()
    for top, left, size in ((0, 0, 24), (37, 101, 24), (50, 13, 11)):
        result, error = _call(crop, lr, hr, top, left, size, 4)
        if error:
            return _say(False, error)
        right = data.crop_pair(lr, hr, top, left, scale=4, lr_patch_size=size)
        try:
            lr_patch, hr_patch = (np.asarray(image) for image in result)
        except (TypeError, ValueError):
            return _say(False, "Return a tuple (lr_patch, hr_patch).")
        if not np.array_equal(lr_patch, right[0]):
            return _say(False, f"The LR patch at top={top}, left={left}, size={size} is not lr[top:top+size, ...].")
        if hr_patch.shape != right[1].shape:
            return _say(False, "The HR patch must be `scale` times larger than the LR patch in both sides.")
        if not np.array_equal(hr_patch, right[1]):
            return _say(False, "The HR patch is the right size but in the wrong place: its offset is scaled too.")
    return _say(True, "Every HR block of 4x4 pixels sits exactly over its LR pixel.")


@_exercise("set count to the number of different patches.")
def check_patch_count(count) -> Verdict:
    """01, exercise 4: how many different 24x24 training patches (position x symmetry) monarch's LR gives."""
    lr, _ = _monarch_pair()
    height, width = lr.shape[:2]
    positions = (height - 24 + 1) * (width - 24 + 1)
    if _close(count, positions * 8, 0.5):
        return _say(True, "Every position, times the 8 rotations/flips: the offline photos still give plenty.")
    if _close(count, positions, 0.5):
        return _say(False, "Those are the positions. Each can also be rotated and flipped: how many ways?")
    if _close(count, (height - 24) * (width - 24) * 8, 0.5):
        return _say(False, "Off by one: a patch can start at 0 and at (side - 24) inclusive.")
    return _say(False, "Count the top-left corners a 24x24 patch can have inside the LR image, then the symmetries.")


# ------------------------------------------------------------------------------------------- notebook 02


def _features(channels: int) -> np.ndarray:
    """Feature maps made from a real photo crop (its colours repeated), for comparing two blocks."""
    lr, _ = _monarch_pair()
    patch = lr[40:56, 100:116].astype("float32") / 255.0
    return np.repeat(patch, -(-channels // 3), axis=-1)[None, :, :, :channels]


@_exercise("define residual_block(x, num_filters, res_scale) and pass it in.")
def check_residual_block(residual_block) -> Verdict:
    """02, exercise 1: ``residual_block(x, num_filters, res_scale)`` on a Keras tensor equals EDSR's block."""
    inputs = keras.Input((None, None, 16))
    outputs, error = _call(residual_block, inputs, 16, 0.1)
    if error:
        return _say(False, error)
    try:
        student = keras.Model(inputs, outputs)
    except Exception as failure:  # noqa: BLE001
        return _say(False, f"Return a Keras tensor built from x ({type(failure).__name__}).")
    reference = model.ResidualBlock(num_filters=16, res_scale=0.1)
    features = _features(16)
    reference(features)
    if student.count_params() != reference.count_params():
        return _say(False, f"{student.count_params():,} parameters; the block has two 3x3 convolutions of 16 filters.")
    weights = student.get_weights()
    if [w.shape for w in weights] != [w.shape for w in reference.get_weights()]:
        return _say(False, "Use two Conv2D layers with padding='same', one after the other.")
    reference.set_weights(weights)
    got, want = _numpy(student(features)), _numpy(reference(features))
    if np.allclose(got, want, atol=1e-4):
        return _say(True, "x + res_scale * conv(relu(conv(x))): the block EDSR stacks 16 times.")
    if np.allclose(got, np.maximum(want, 0), atol=1e-4):
        return _say(False, "There is a ReLU after the addition; EDSR has none there.")
    if np.allclose(got - features, (want - features) * 10, atol=1e-3):
        return _say(False, "The correction is not multiplied by res_scale.")
    return _say(False, "Check the order: conv with ReLU, conv without, times res_scale, plus the input x.")


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


@_exercise("define my_edsr_one_step(num_res_blocks, num_filters) and pass it in.")
def check_edsr_one_step(build) -> Verdict:
    """02, exercise 2: EDSR x4 whose upsampler is one conv to 16x the channels and one x4 pixel shuffle."""
    lr = _monarch_pair()[0][40:64, 100:124][None].astype("float32")
    student, error = _call(build, 2, 16)
    if error:
        return _say(False, error)
    if not isinstance(student, keras.Model):
        return _say(False, "Return a keras.Model (keras.Model(inputs, outputs)).")
    reference = _edsr_one_step(2, 16)
    if student.count_params() == model.count_parameters(4, 2, 16):
        return _say(False, "That is the parameter count of EDSR's two x2 steps. Use a single x4 step.")
    if student.count_params() != reference.count_params():
        return _say(
            False,
            f"{student.count_params():,} parameters with 2 blocks of 16 filters, which is not what one x4 step "
            "gives. Count the convolutions of the head, the blocks, the body's end, the upsampler, the tail.",
        )
    weights = student.get_weights()
    if [w.shape for w in weights] != [w.shape for w in reference.get_weights()]:
        return _say(False, "The parameter count is right but the layers come in another order than EDSR's.")
    reference.set_weights(weights)
    got, want = _numpy(student(lr)), _numpy(reference(lr))
    if got.shape != want.shape:
        return _say(False, f"The output is {got.shape[1:3]}; x4 of 24x24 should be {want.shape[1:3]}.")
    if not np.allclose(got, want, atol=1e-2):
        return _say(
            False,
            "Same weights, different output. Check the mean shifts and the global skip connection around the "
            "body (head output + body output).",
        )
    return _say(True, "Same reach, same output size, but the upsampling conv now has twice the parameters.")


@_exercise("set count to the number of parameters.")
def check_upsampler_parameters(count) -> Verdict:
    """02, exercise 3: parameters of EDSR-baseline's x3 upsampler (its convolutions; the shuffle has none)."""
    built = model.edsr(3)
    right = sum(layer.count_params() for layer in built.layers if layer.name.startswith("upsample_conv"))
    if _close(count, right, 0.5):
        return _say(True, "One 3x3 conv from 64 to 64*3*3 channels, weights plus biases.")
    if _close(count, 2 * (9 * 64 * 256 + 256), 0.5):
        return _say(False, "That is the x4 upsampler (two x2 steps). x3 is one step with 3*3 times the channels.")
    if _close(count, 9 * 64 * 576, 0.5):
        return _say(False, "Almost: do not forget the biases, one per output channel.")
    return _say(False, "A 3x3 conv from c_in to c_out channels has 9*c_in*c_out + c_out parameters.")


@_exercise("set width to the receptive field in LR pixels.")
def check_receptive_field(width) -> Verdict:
    """02, exercise 4: receptive field (LR pixels across) of EDSR x4 with 32 residual blocks."""
    right = model.receptive_field(4, 32)
    if _close(width, right, 0.01):
        return _say(True, "Each block adds two 3x3 convolutions at LR resolution: 4 LR pixels across.")
    if _close(width, 2 * model.receptive_field(4, 16), 0.6) or _close(width, 2 * model.receptive_field(4, 16) - 1, 0.6):
        return _say(False, "Doubling the blocks does not double everything: the head, tail and upsampler stay.")
    if _close(width, model.receptive_field(4, 16) + 32, 0.01):
        return _say(False, "Each block has two convolutions, and each widens the field by 2 (one pixel per side).")
    return _say(False, "Start from the 16-block value and add what 16 more blocks add.")


# ------------------------------------------------------------------------------------------- notebook 03


@_exercise("define psnr_y(hr, sr, shave) and pass it in.")
def check_psnr_y(psnr_y) -> Verdict:
    """03, exercise 1: PSNR on the BT.601 luma channel with a shaved border, from scratch."""
    lr, hr = _monarch_pair()
    sr = upscale_bicubic(lr, 4)
    for shave in (4, 0):
        got, error = _call(psnr_y, hr, sr, shave)
        if error:
            return _say(False, error)
        right = metrics.psnr(hr, sr, shave=shave, y_only=True)
        if _close(got, right, 1e-3):
            continue
        if _close(got, metrics.psnr(hr, sr, shave=shave), 1e-3):
            return _say(False, "That is RGB PSNR. Convert both images to Y first: 16 + (65.481 R + ...)/255.")
        if shave and _close(got, metrics.psnr(hr, sr, y_only=True), 1e-3):
            return _say(False, "The border was not shaved: drop `shave` pixels on every side before the mean.")
        if isinstance(got, int | float | np.floating) and got < 20:
            return _say(False, "The images are on 0-255 and so is the peak: do not mix in a 0-1 scale.")
        return _say(False, f"shave={shave}: 10*log10(255^2 / mean squared error of Y), on float64 values.")
    return _say(True, "The papers' PSNR: luma only, border of `scale` pixels left out.")


@_exercise("set psnr_db to your answer in dB.")
def check_mse_to_psnr(value) -> Verdict:
    """03, exercise 2: PSNR of an image whose mean squared error is 10 (0-255 scale)."""
    right = 10 * math.log10(255**2 / 10)
    if _close(value, right, 0.01):
        return _say(True, "An average error of about 3 grey levels is a good reconstruction.")
    if _close(value, 10 * math.log10(1 / 10), 0.01):
        return _say(False, "That uses a peak of 1 with a 0-255 error: the keras-io example's scale mix-up.")
    return _say(False, "PSNR = 10 log10(peak^2 / MSE), with the peak on the same scale as the error.")


@_exercise("define learning_rate(step) and pass it in.")
def check_schedule(learning_rate) -> Verdict:
    """03, exercise 3: the ``cpu`` profile's schedule (peak 5e-4, warm-up 200 steps, halved every 1,000)."""
    reference = training.WarmupHalving(5e-4, 1000, 200)
    for step in (0, 1, 99, 199, 200, 999, 1000, 2500, 4000):
        got, error = _call(learning_rate, step)
        if error:
            return _say(False, error)
        want = float(reference(step))
        if not _close(got, want, 1e-9):
            if step < 200:
                return _say(False, f"Step {step} is in the warm-up: the rate is the peak times (step + 1) / 200.")
            return _say(False, f"Step {step}: after the warm-up, the peak halves once per 1,000 steps completed.")
    return _say(True, "Warm-up, then halving: the same curve as eh.training.WarmupHalving.")


def _validation_psnr(trained: keras.Model) -> float:
    pairs = data.load_sample(4, "validation")
    return float(np.mean([metrics.psnr(hr, inference.upscale(trained, lr), shave=4, y_only=True) for lr, hr in pairs]))


def _equal_runs_verdict(runs: dict, better, names: tuple[str, str], follow_up: str) -> Verdict:
    """The part every two-run experiment shares: the same number of steps, then ``better`` must name the
    model that the checker itself scores higher on the validation photos (a tie within 0.05 dB accepts either)."""
    steps = {name: int(trained.optimizer.iterations) for name, trained in runs.items()}
    if min(steps.values()) == 0 or len(set(steps.values())) != 1:
        return _say(False, f"Train both for the same number of steps (they did {steps}).")
    if better not in names:
        return _say(False, f"better should be one of {names}.")
    scores = {name: _validation_psnr(trained) for name, trained in runs.items()}
    other = names[1 - names.index(better)]
    if scores[better] + 0.05 >= scores[other]:
        return _say(True, f"Your runs agree ({steps[better]} steps each). {follow_up}")
    return _say(False, "Your own two models say otherwise: score both on the validation photos and compare.")


@_exercise("train both models into runs = {loss: model}, then set better.")
def check_loss_experiment(runs, better) -> Verdict:
    """03, exercise 4: two equal runs, L1 and L2; ``better`` names the loss whose model scores higher."""
    losses = ("mean_absolute_error", "mean_squared_error")
    if set(runs) != set(losses):
        return _say(False, f"runs needs exactly the keys {losses}.")
    for loss, trained in runs.items():
        if getattr(trained, "loss", None) != loss:
            return _say(False, f"The model under {loss!r} was compiled with loss={getattr(trained, 'loss', None)!r}.")
    return _equal_runs_verdict(runs, better, losses, "Does a longer run keep the order?")


def _peak_and_warmup(trained: keras.Model) -> tuple[float, int]:
    """The peak learning rate and the warm-up steps of a compiled model's optimizer, read from its config."""
    rate = trained.optimizer.get_config()["learning_rate"]
    if not isinstance(rate, dict):
        return float(rate), 0  # a constant rate: no warm-up
    config = rate["config"]
    peak = config.get("warmup_target") or config.get("learning_rate") or config.get("initial_learning_rate")
    return float(peak), int(config.get("warmup_steps") or 0)


#: The two runs of exercise 03.5.
WARMUP_RUNS = ("warm-up", "none")


@_exercise('train both models into runs = {"warm-up": model, "none": model}, then set better.')
def check_warmup_experiment(runs, better) -> Verdict:
    """03, exercise 5: the same peak rate with and without a warm-up; ``better`` names the run that scores higher."""
    if set(runs) != set(WARMUP_RUNS):
        return _say(False, f"runs needs exactly the keys {WARMUP_RUNS}.")
    schedules = {name: _peak_and_warmup(trained) for name, trained in runs.items()}
    if schedules["warm-up"][1] == 0:
        return _say(False, 'The "warm-up" model\'s schedule has no warm-up: pass warmup_steps > 0.')
    if schedules["none"][1] != 0:
        return _say(False, 'The "none" model still warms up: pass warmup_steps=0 (or a constant rate).')
    if not _close(schedules["warm-up"][0], schedules["none"][0], 1e-9):
        return _say(False, "Use the same peak rate for both, or the experiment compares two changes at once.")
    return _equal_runs_verdict(runs, better, WARMUP_RUNS, "And with a peak four times larger?")


# ------------------------------------------------------------------------------------------- notebook 04


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


@_exercise("fill errors = {overlap: largest difference} and set enough.")
def check_seam_errors(errors, enough) -> Verdict:
    """04, exercise 1: seam error for each overlap, and the smallest overlap that keeps it within 1 grey level."""
    if set(errors) != set(SEAM_OVERLAPS):
        return _say(False, f"errors needs one entry per overlap in {SEAM_OVERLAPS}.")
    lr = _monarch_pair()[0][SEAM_CROP]
    right = {overlap: seam_error(_shipped_x4(), lr, overlap) for overlap in SEAM_OVERLAPS}
    for overlap in SEAM_OVERLAPS:
        if not _close(errors[overlap], right[overlap], 1.0):
            return _say(False, f"Overlap {overlap}: measure the largest |one pass - tiled| with the shipped x4 model.")
    smallest = min(overlap for overlap in SEAM_OVERLAPS if right[overlap] <= 1)
    if enough != smallest:
        return _say(False, "Your measurements are right; read off the smallest overlap whose error is at most 1.")
    return _say(True, "Far less context than the receptive field is enough: the effective one is small.")


@_exercise("set radius to the number of LR pixels you found.")
def check_effective_radius(radius) -> Verdict:
    """04, exercise 2: LR radius around the centre holding 99.9 % of the shipped model's gradient."""
    gradient = model.gradient_map(_shipped_x4(), _monarch_pair()[0][SEAM_CROP])
    right = model.effective_radius(gradient, 0.999)
    if _close(radius, right, 1.0):
        return _say(True, "Almost all of what one output pixel depends on is within that radius.")
    if _close(radius, model.effective_radius(gradient, 0.99), 0.5):
        return _say(False, "That is the 99 % radius; the exercise asks for 99.9 %.")
    return _say(False, "Use eh.model.gradient_map on the crop and eh.model.effective_radius(..., 0.999).")


@_exercise("define edsr_plus(model, lr) and pass it in.")
def check_self_ensemble(edsr_plus) -> Verdict:
    """04, exercise 3: ``edsr_plus(model, lr)`` averages the 8 rotations/flips, each turned back."""
    trained = _shipped_x4()
    lr = _monarch_pair()[0][60:92, 120:160]
    got, error = _call(edsr_plus, trained, lr)
    if error:
        return _say(False, error)
    got = np.asarray(got, dtype=float)
    want = inference.upscale(trained, lr, tile=None, self_ensemble=True).astype(float)
    if got.shape != want.shape:
        return _say(False, f"The result is {got.shape}; it should be {want.shape}, like one upscale. Turned back?")
    # rounding each view to uint8 before averaging (or clipping it) moves a few pixels by a few grey levels, so
    # "the same" means within 50 dB here; a plain upscale or a view not turned back is below 40 dB
    if metrics.psnr(want, got) >= 50:
        return _say(True, "EDSR+: eight views of the same photo, averaged, for free.")
    plain = inference.upscale(trained, lr, tile=None).astype(float)
    if metrics.psnr(plain, got) >= 50:
        return _say(False, "That is one plain upscale: run all 8 rotations/flips and average.")
    return _say(False, "Undo each transform on the output in reverse order (flip back first, then rotate back).")


@_exercise("set tiles to your answer.")
def check_tile_count(count) -> Verdict:
    """04, exercise 4: how many tiles ``upscale`` runs for a 4032x3024 phone photo with its default tile."""
    right = math.ceil(3024 / inference.DEFAULT_TILE) * math.ceil(4032 / inference.DEFAULT_TILE)
    if _close(count, right, 0.5):
        return _say(True, "Memory stays that of one tile, whatever the photo's size.")
    if _close(count, (3024 // inference.DEFAULT_TILE) * (4032 // inference.DEFAULT_TILE), 0.5):
        return _say(False, "The last row and column of tiles are partial, but they still count.")
    return _say(False, "Tiles cover the LR image in rows and columns of DEFAULT_TILE pixels (the overlap adds none).")


#: Every checker, by notebook (what the tests and the instructor guide enumerate).
CHECKERS: dict[str, tuple[Callable[..., Verdict], ...]] = {
    "01": (check_hr_shift, check_flip_pair, check_crop_pair, check_patch_count),
    "02": (check_residual_block, check_edsr_one_step, check_upsampler_parameters, check_receptive_field),
    "03": (check_psnr_y, check_mse_to_psnr, check_schedule, check_loss_experiment, check_warmup_experiment),
    "04": (check_seam_errors, check_effective_radius, check_self_ensemble, check_tile_count),
}
