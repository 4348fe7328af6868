"""Notebook 03's exercises (training): checkers, reference solutions (``solve_*``) and typical
wrong answers (see :mod:`edsr_helpers.course.exercises`)."""

from __future__ import annotations

import math

import keras
import numpy as np

import edsr_helpers as eh
from edsr_helpers import data, inference, metrics, training
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
    "check_psnr_metric",
    "check_error_spread",
    "check_short_schedule",
    "check_loss_experiment",
    "check_warmup_experiment",
    "WARMUP_RUNS",
    "LOSS_RUNS",
]


def _metric_batch() -> tuple[np.ndarray, np.ndarray]:
    """Exercise 03.1's batch, as Keras hands it to a metric: two 128x128 crops of monarch, the uint8 originals
    (``y_true``) and their float32 bicubic upscalings (``y_pred``), both on 0-255."""
    lr, hr = monarch_pair()
    bicubic = eh.images.upscale_bicubic(lr, 4)
    crops = (np.s_[0:128, 0:128], np.s_[200:328, 300:428])
    return np.stack([hr[crop] for crop in crops]), np.stack([bicubic[crop] for crop in crops]).astype("float32")


@exercise("define psnr_metric(y_true, y_pred) and pass it in.")
def check_psnr_metric(metric) -> Verdict:
    """03, exercise 1: keras-io's metric, fixed. Called as Keras calls a metric, ``metric(y_true, y_pred)`` with a
    uint8 target batch and a float32 prediction batch (both 0-255), it must give the PSNR of every image (RGB, no
    border shaved, peak 255): one value per image, or their mean (Keras averages what a metric returns)."""
    y_true, y_pred = _metric_batch()
    right = [metrics.psnr(hr, sr) for hr, sr in zip(y_true, y_pred, strict=True)]
    tensors = keras.ops.convert_to_tensor(y_true), keras.ops.convert_to_tensor(y_pred)
    result, error = call_student(metric, *tensors)
    if error:
        return say(False, error)
    try:
        values = np.atleast_1d(as_numpy(result) if not isinstance(result, int | float) else result).astype("float64")
    except Exception:  # noqa: BLE001 - whatever the student returned, it is not a number
        return say(False, "Return a number or one number per image (a tensor or a numpy array).")
    if values.size not in (1, len(right)):
        return say(False, f"The batch holds {len(right)} images: return one PSNR per image, or their mean.")
    got = float(np.mean(values))
    if close(got, float(np.mean(right)), 0.01):
        return say(True, "Both images count, both on 0-255, in Keras's order.")
    if close(got, right[0], 0.01):
        return say(False, "That is the first image's PSNR only: score every image of the batch.")
    pooled = 10 * math.log10(255**2 / float(np.mean((y_true.astype("float64") - y_pred) ** 2)))
    if close(got, pooled, 0.01):
        return say(False, "That is the PSNR of the batch's mean error: papers average each image's own PSNR.")
    if got < 15:
        return say(
            False,
            "Far too low for bicubic: one of the two images is on another scale than the other or than the "
            "peak. Cast both to float32 on 0-255 before you compare them.",
        )
    return say(False, "PSNR = 10 log10(255^2 / MSE), the MSE of each image over its pixels and colours.")


def _damaged(hr: np.ndarray) -> dict[str, np.ndarray]:
    """Exercise 03.2's two predictions of ``hr``: every value 4 grey levels too high, or one pixel in 16 (every
    fourth row and column) 64 too high; both have a mean absolute error of exactly 4."""
    even = hr.astype("float64") + 4
    sparse = hr.astype("float64")
    sparse[::4, ::4] += 64
    return {"even": even, "sparse": sparse}


@exercise('write guess ("even", "sparse" or "equal") first, then fill psnrs = {"even": dB, "sparse": dB}.')
def check_error_spread(guess, psnrs) -> Verdict:
    """03, exercise 2: two predictions of monarch's HR image with the same mean absolute error (4 grey levels);
    their PSNR on RGB, no border shaved. PSNR squares the errors: the sparse one scores far lower. The guess
    (which one PSNR rates higher, or equal) is recorded and compared, never judged."""
    if guess not in ("even", "sparse", "equal"):
        return say(False, 'guess should be "even", "sparse" or "equal": what you expect PSNR to say.')
    if not isinstance(psnrs, dict) or set(psnrs) != {"even", "sparse"}:
        return say(False, 'psnrs needs the keys "even" and "sparse".')
    hr = monarch_pair()[1]
    right = {name: metrics.psnr(hr, damaged) for name, damaged in _damaged(hr).items()}
    if all(close(psnrs[name], right[name], 0.02) for name in right):
        how = {"even": "right", "sparse": "the other way round", "equal": "the L1 view, not PSNR's"}[guess]
        return say(
            True,
            f"Your guess was {how}. Same mean absolute error, yet PSNR rates the even error far higher: it squares "
            "each error before averaging, so a few large errors cost most.",
        )
    if close(psnrs["even"], psnrs["sparse"], 0.02):
        return say(False, "Equal mean absolute errors, but PSNR uses the mean *squared* error: measure, do not infer.")
    y_only = {name: metrics.psnr(hr, damaged, y_only=True) for name, damaged in _damaged(hr).items()}
    if any(close(psnrs[name], y_only[name], 0.02) for name in right):
        return say(False, "That is the Y channel: this exercise measures RGB (no y_only), with no border shaved.")
    return say(False, "Build both damaged copies as the question says (floats, not clipped) and score each on RGB.")


#: Exercise 03.3: the run a slow machine affords within the budget, and the recipe's peak rate it keeps.
SHORT_RUN_STEPS = 600
SHORT_RUN_PEAK = 5e-4


@exercise("define short_schedule (short_schedule(step) gives the rate) and pass it in.")
def check_short_schedule(schedule) -> Verdict:
    """03, exercise 3: a schedule for a SHORT_RUN_STEPS-step run, designed to four requirements: the peak is
    SHORT_RUN_PEAK; a warm-up (step 0 below half the peak, the peak reached by step 100); the rate never rises
    after the peak; at least half the run at half the peak or more; the last step at a quarter of the peak or
    less. Any schedule that meets them passes (a WarmupHalving, Keras's own, a function)."""
    rates = []
    for step in range(SHORT_RUN_STEPS):
        rate, error = call_student(schedule, step)
        if error:
            return say(False, error)
        try:
            rates.append(float(as_numpy(rate) if not isinstance(rate, int | float) else rate))
        except Exception:  # noqa: BLE001 - not a number
            return say(False, "schedule(step) should return the learning rate, a number.")
    rates = np.asarray(rates)
    peak = float(rates.max())
    if not close(peak, SHORT_RUN_PEAK, SHORT_RUN_PEAK * 0.01):
        return say(False, f"Keep the recipe's peak rate, {SHORT_RUN_PEAK:g}: change only how the rate gets there.")
    if rates[0] > peak / 2:
        return say(False, "The first step already runs at half the peak or more: that is no warm-up.")
    top = int(np.argmax(rates >= peak * 0.999))
    if top > 100:
        return say(False, f"The peak comes only at step {top}: a warm-up that long leaves little of the run at it.")
    if np.any(np.diff(rates[top:]) > peak * 1e-6):
        return say(False, "After the peak the rate rises again: a schedule should only come down from there.")
    if int(np.sum(rates >= peak / 2)) < SHORT_RUN_STEPS // 2:
        return say(False, "The rate falls too soon: half the run or more should train at half the peak or more.")
    if rates[-1] > peak / 4:
        return say(
            False,
            f"At the last step the rate is still {rates[-1] / peak:.2g} of the peak: within {SHORT_RUN_STEPS} "
            "steps it must come down to a quarter of it or less.",
        )
    return say(True, "A warm-up, most of the run near the peak, and a rate that comes down before the end.")


def _validation_psnr(trained: keras.Model) -> float:
    pairs = data.load_sample(4, "validation")
    return float(np.mean([metrics.psnr(hr, inference.upscale(trained, lr), shave=4, y_only=True) for lr, hr in pairs]))


def _equal_runs_verdict(runs: dict, better, names: tuple[str, str], follow_up: str) -> Verdict:
    """The part every two-run experiment shares: the same number of steps, then ``better`` must name the
    model that the checker itself scores higher on the validation photos (a tie within 0.05 dB accepts either)."""
    steps = {name: int(trained.optimizer.iterations) for name, trained in runs.items()}
    if min(steps.values()) == 0 or len(set(steps.values())) != 1:
        return say(False, f"Train both for the same number of steps (they did {steps}).")
    if better not in names:
        return say(False, f"better should be one of {names}.")
    scores = {name: _validation_psnr(trained) for name, trained in runs.items()}
    other = names[1 - names.index(better)]
    if scores[better] + 0.05 >= scores[other]:
        return say(True, f"Your runs agree ({steps[better]} steps each). {follow_up}")
    return say(False, "Your own two models say otherwise: score both on the validation photos and compare.")


#: The two runs of exercise 03.4: their keys in ``runs`` and the Keras names of the loss each must be compiled
#: with, whatever spelling the student used ("mae", "mean_absolute_error", keras.losses.MeanAbsoluteError()).
LOSS_RUNS = {"L1": "mean_absolute_error", "L2": "mean_squared_error"}


def _loss_name(loss) -> str | None:
    """The Keras name of a compiled loss, in any of its spellings; ``None`` when it is none of Keras's."""
    try:
        resolved = keras.losses.get(loss) if isinstance(loss, str) else loss
    except ValueError:
        return None
    name = getattr(resolved, "__name__", None) or getattr(resolved, "name", None)
    return name if isinstance(name, str) else None


@exercise('train both models into runs = {"L1": model, "L2": model}, then set better.')
def check_loss_experiment(runs, better) -> Verdict:
    """03, exercise 4: two equal runs, L1 and L2 (any spelling Keras accepts); ``better`` names the loss whose
    model the checker scores higher on the validation photos."""
    if set(runs) != set(LOSS_RUNS):
        return say(False, f"runs needs exactly the keys {tuple(LOSS_RUNS)}.")
    for key, trained in runs.items():
        loss = getattr(trained, "loss", None)
        if _loss_name(loss) != LOSS_RUNS[key]:
            return say(False, f"The model under {key!r} was compiled with loss={loss!r}, not {key}.")
    return _equal_runs_verdict(runs, better, tuple(LOSS_RUNS), "Does a longer run keep the order?")


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


@exercise('train both models into runs = {"warm-up": model, "none": model}, then set better.')
def check_warmup_experiment(runs, better) -> Verdict:
    """03, exercise 5: the same peak rate with and without a warm-up; ``better`` names the run that scores higher."""
    if set(runs) != set(WARMUP_RUNS):
        return say(False, f"runs needs exactly the keys {WARMUP_RUNS}.")
    schedules = {name: _peak_and_warmup(trained) for name, trained in runs.items()}
    if schedules["warm-up"][1] == 0:
        return say(False, 'The "warm-up" model\'s schedule has no warm-up: pass warmup_steps > 0.')
    if schedules["none"][1] != 0:
        return say(False, 'The "none" model still warms up: pass warmup_steps=0 (or a constant rate).')
    if not close(schedules["warm-up"][0], schedules["none"][0], 1e-9):
        return say(False, "Use the same peak rate for both, or the experiment compares two changes at once.")
    return _equal_runs_verdict(runs, better, WARMUP_RUNS, "And with a peak four times larger?")


# ------------------------------------------------------------------------------------------- reference solutions


def solve_psnr_metric():
    def psnr_metric(y_true, y_pred):
        y_true = keras.ops.cast(y_true, "float32")  # uint8 0-255 -> float 0-255: same scale as the prediction
        y_pred = keras.ops.cast(y_pred, "float32")
        mse = keras.ops.mean(keras.ops.square(y_true - y_pred), axis=(1, 2, 3))  # one per image
        return 10.0 * keras.ops.log10(255.0**2 / mse)

    return (psnr_metric,)


def solve_error_spread():
    guess = "even"  # written before measuring
    hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)[1]
    even = hr.astype("float64") + 4
    sparse = hr.astype("float64")
    sparse[::4, ::4] += 64
    psnrs = {"even": eh.metrics.psnr(hr, even), "sparse": eh.metrics.psnr(hr, sparse)}
    return guess, psnrs


def solve_short_schedule():
    # warm up over 100 steps, then halve every 200: 5e-4 until step 199, 2.5e-4 until 399, 1.25e-4 to the end
    schedule = eh.training.WarmupHalving(5e-4, halving_steps=200, warmup_steps=100)
    return (schedule,)


def solve_loss_experiment(steps: int = 10):
    profile = eh.profiles.PROFILES["ci"]
    pairs = eh.data.load_pairs(profile, "train", verbose=False)
    runs, scores = {}, {}
    for name, loss in (("L1", "mae"), ("L2", "mean_squared_error")):  # any spelling Keras knows
        keras.utils.set_random_seed(0)  # the same starting weights for both runs
        model = profile.recipe.build_model(4)
        model.compile(optimizer=eh.training.make_optimizer(profile), loss=loss)
        train = eh.data.make_train_dataset_for(profile, pairs, seed=0)  # the same patches for both runs
        model.fit(train, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0)
        runs[name] = model
        val = eh.data.load_sample(4, "validation")  # the three photos the checker scores on
        rows = eh.training.evaluate(model, val, 4)
        scores[name] = rows[-1]["edsr_psnr_y"]
    better = max(scores, key=scores.get)
    return runs, better


def solve_warmup_experiment(steps: int = 10, peak_factor: float = 1.0, profile_name: str = "ci"):
    """Both runs; ``peak_factor=4`` is the exercise's second question, ``profile_name="cpu"`` the notebook's data."""
    profile = eh.profiles.PROFILES[profile_name]
    pairs = eh.data.load_pairs(profile, "train", verbose=False)
    val = eh.data.load_sample(4, "validation")  # the three photos the checker scores on
    peak = profile.recipe.learning_rate * peak_factor
    runs, scores = {}, {}
    for name, warmup in (("warm-up", 200), ("none", 0)):
        schedule = eh.training.WarmupHalving(peak, halving_steps=1000, warmup_steps=warmup)
        keras.utils.set_random_seed(0)  # the same starting weights for both runs
        model = profile.recipe.build_model(4)
        model.compile(optimizer=eh.training.edsr_optimizer(schedule), loss="mean_absolute_error")
        train = eh.data.make_train_dataset_for(profile, pairs, seed=0)  # the same patches for both runs
        model.fit(train, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0)
        runs[name] = model
        scores[name] = eh.training.evaluate(model, val, 4)[-1]["edsr_psnr_y"]
    better = max(scores, key=scores.get)
    return runs, better


# ------------------------------------------------------------------------------------------- typical wrong answers


def _first_image_only(y_true, y_pred):
    """Right scale, but only the batch's first image: the other half of keras-io's bug."""
    error = keras.ops.cast(y_true[0], "float32") - keras.ops.cast(y_pred[0], "float32")
    return 10.0 * keras.ops.log10(255.0**2 / keras.ops.mean(keras.ops.square(error)))


def _the_l1_view():
    """Equal PSNRs, inferred from the equal mean absolute errors instead of measured."""
    return "even", {"even": 36.09, "sparse": 36.09}


#: The exercises in the order the notebook asks them.
EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        check_psnr_metric,
        solve_psnr_metric,
        lambda: (_first_image_only,),
        model_answer=(
            "Swapping only changes which image tf.image.psnr converts: it scales a uint8 image to [0, 1] and sets "
            "the peak by the dtype of its first argument. With the float prediction first, the uint8 target "
            "becomes 0-1 while the prediction stays 0-255 (about 7 dB whatever the model does); with the uint8 "
            "target first, max_val becomes 1 while both errors stay on 0-255 (about -41 dB). The fix puts both "
            "images on the same scale as the peak, by casting the target to float on 0-255 (or dividing both by "
            "255 with a peak of 1), and scores every image of the batch, not image [0]."
        ),
    ),
    Exercise(
        check_error_spread,
        solve_error_spread,
        _the_l1_view,
        model_answer=(
            "PSNR rates the even error higher by 12 dB (36.09 against 24.05 dB on RGB): its squared errors are "
            "16 everywhere, the sparse one's 4,096 on one pixel in 16, a mean of 256. A model trained on L2 "
            "is punished most for large errors, so where it cannot tell what lies under a pixel (an edge, a "
            "texture) it predicts the average of what could be there: a blur, which keeps every error moderate. "
            "The price is sharpness, lost edges and textures. L1 weighs every grey level of error alike, so it "
            "gives up less detail to avoid the occasional large error; the paper found it trained better."
        ),
    ),
    Exercise(
        check_short_schedule,
        solve_short_schedule,
        # the cpu recipe's own: a third of the 600 steps warming up, and it never halves within them
        lambda: (training.WarmupHalving(SHORT_RUN_PEAK, 1000, 200),),
        model_answer=(
            "At a constant rate Adam keeps taking steps of about the same size, so the weights keep moving around "
            "the minimum the random patches point at, and the validation PSNR jitters from epoch to epoch. A "
            "smaller rate at the end shrinks those moves: the last epochs "
            "settle and the last checkpoint is not a chance high or low. The cpu recipe halves at step 1,000, "
            "so a run the time budget stops at 1,000 steps, or a slow machine's 600, never trains at the lower "
            "rate; a schedule should be sized to the steps a run really gets."
        ),
    ),
    Exercise(
        check_loss_experiment,
        solve_loss_experiment,
        None,
        model_answer=(
            "A 10-step comparison says little: both models are still far below bicubic, every error is large, and "
            "the two losses push the same way (L2 even moves faster on large errors), so the order can go either "
            "way or tie. Over hundreds of steps the remaining errors are the hard ones, edges and textures, where "
            "L2 favours the blur that L1 does not; the paper found L1 better after full training. One seed of "
            "one short run is weak evidence: repeat both runs with another seed (the same for both streams) "
            "before trusting a difference of a few hundredths of a dB."
        ),
    ),
    Exercise(
        check_warmup_experiment,
        solve_warmup_experiment,
        None,
        model_answer=(
            "At the recipe's peak a warm-up costs a little in a short run: from scratch, 300 steps at 5e-4 ended "
            "0.21 dB below the run without one, since 200 of its 300 steps train below the peak. At a peak "
            "four times larger the order turns: without a warm-up Adam's first steps, each about as large as the "
            "rate whatever the gradient, throw the weights far off, and the warmed-up run ends higher (+0.91 dB, "
            "the best of the four runs). The warm-up matters when the rate is large, which is what a short run "
            "wants; by the same reasoning, also when the starting weights are worth protecting, as the copied x2 "
            "layers of the notebook's run (run the pair from the shipped x2 to test it)."
        ),
    ),
)
