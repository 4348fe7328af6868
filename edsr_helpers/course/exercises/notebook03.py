"""Notebook 03's exercises (training): each checker, its reference solution and a typical wrong answer.

A checker works out the right answer itself and prints one line, right or a hint, never the answer. The reference
solutions (``solve_*``) are for after a student has tried: ``course.exercises.show_solution("check_psnr_y")``
displays one in class. The tests run every solution through its checker and every wrong answer past it.
"""

from __future__ import annotations

import math

import keras
import numpy as np

import edsr_helpers as eh
from edsr_helpers import data, inference, metrics, training
from edsr_helpers.course.exercises.checking import (
    Exercise,
    Verdict,
    call_student,
    close,
    exercise,
    monarch_pair,
    say,
)
from edsr_helpers.images import upscale_bicubic

__all__ = [
    "check_psnr_y",
    "check_mse_to_psnr",
    "check_schedule",
    "check_loss_experiment",
    "check_warmup_experiment",
    "WARMUP_RUNS",
]


@exercise("define psnr_y(hr, sr, shave) and pass it in.")
def check_psnr_y(psnr_y) -> Verdict:
    """03, exercise 1: PSNR on the BT.601 luma channel with a shaved border, from scratch."""
    lr, hr = monarch_pair()
    sr = upscale_bicubic(lr, 4)
    for shave in (4, 0):
        got, error = call_student(psnr_y, hr, sr, shave)
        if error:
            return say(False, error)
        right = metrics.psnr(hr, sr, shave=shave, y_only=True)
        if close(got, right, 1e-3):
            continue
        if close(got, metrics.psnr(hr, sr, shave=shave), 1e-3):
            return say(False, "That is RGB PSNR. Convert both images to Y first: 16 + (65.481 R + ...)/255.")
        if shave and close(got, metrics.psnr(hr, sr, y_only=True), 1e-3):
            return say(False, "The border was not shaved: drop `shave` pixels on every side before the mean.")
        if isinstance(got, int | float | np.floating) and got < 20:
            return say(False, "The images are on 0-255 and so is the peak: do not mix in a 0-1 scale.")
        return say(False, f"shave={shave}: 10*log10(255^2 / mean squared error of Y), on float64 values.")
    return say(True, "The papers' PSNR: luma only, border of `scale` pixels left out.")


@exercise("set psnr_db to your answer in dB.")
def check_mse_to_psnr(value) -> Verdict:
    """03, exercise 2: PSNR of an image whose mean squared error is 10 (0-255 scale)."""
    right = 10 * math.log10(255**2 / 10)
    if close(value, right, 0.01):
        return say(True, "An average error of about 3 grey levels is a good reconstruction.")
    if close(value, 10 * math.log10(1 / 10), 0.01):
        return say(False, "That uses a peak of 1 with a 0-255 error: the keras-io example's scale mix-up.")
    return say(False, "PSNR = 10 log10(peak^2 / MSE), with the peak on the same scale as the error.")


@exercise("define learning_rate(step) and pass it in.")
def check_schedule(learning_rate) -> Verdict:
    """03, exercise 3: the ``cpu`` profile's schedule (peak 5e-4, warm-up 200 steps, halved every 1,000)."""
    reference = training.WarmupHalving(5e-4, 1000, 200)
    for step in (0, 1, 99, 199, 200, 999, 1000, 2500, 4000):
        got, error = call_student(learning_rate, step)
        if error:
            return say(False, error)
        want = float(reference(step))
        if not close(got, want, 1e-9):
            if step < 200:
                return say(False, f"Step {step} is in the warm-up: the rate is the peak times (step + 1) / 200.")
            return say(False, f"Step {step}: after the warm-up, the peak halves once per 1,000 steps completed.")
    return say(True, "Warm-up, then halving: the same curve as eh.training.WarmupHalving.")


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


@exercise("train both models into runs = {loss: model}, then set better.")
def check_loss_experiment(runs, better) -> Verdict:
    """03, exercise 4: two equal runs, L1 and L2; ``better`` names the loss whose model scores higher."""
    losses = ("mean_absolute_error", "mean_squared_error")
    if set(runs) != set(losses):
        return say(False, f"runs needs exactly the keys {losses}.")
    for loss, trained in runs.items():
        if getattr(trained, "loss", None) != loss:
            return say(False, f"The model under {loss!r} was compiled with loss={getattr(trained, 'loss', None)!r}.")
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


def solve_psnr_y():
    def psnr_y(hr, sr, shave):
        weights = np.array([65.481, 128.553, 24.966]) / 255.0
        y_hr = hr.astype(np.float64) @ weights + 16.0
        y_sr = sr.astype(np.float64) @ weights + 16.0
        if shave:
            y_hr, y_sr = y_hr[shave:-shave, shave:-shave], y_sr[shave:-shave, shave:-shave]
        return 10 * np.log10(255.0**2 / np.mean((y_hr - y_sr) ** 2))

    return (psnr_y,)


def solve_mse_to_psnr():
    psnr_db = 10 * math.log10(255**2 / 10)
    return (psnr_db,)


def solve_schedule():
    def learning_rate(step):
        rate = 5e-4 * 0.5 ** (step // 1000)
        return rate * min(1.0, (step + 1) / 200)

    return (learning_rate,)


def solve_loss_experiment(steps: int = 10):
    profile = eh.profiles.PROFILES["ci"]
    pairs = eh.data.load_pairs(profile, "train", verbose=False)
    runs, scores = {}, {}
    for loss in ("mean_absolute_error", "mean_squared_error"):
        model = profile.recipe.build_model(4)
        model.compile(optimizer=eh.training.make_optimizer(profile), loss=loss)
        train = eh.data.make_train_dataset_for(profile, pairs)
        model.fit(train, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0)
        runs[loss] = model
        val = eh.data.load_pairs(profile, "validation", verbose=False)
        rows = eh.training.evaluate(model, val, 4)
        scores[loss] = rows[-1]["edsr_psnr_y"]
    better = max(scores, key=scores.get)
    return runs, better


def solve_warmup_experiment(steps: int = 10, peak_factor: float = 1.0, profile_name: str = "ci"):
    """Both runs; ``peak_factor=4`` is the exercise's second question, ``profile_name="cpu"`` the notebook's data."""
    profile = eh.profiles.PROFILES[profile_name]
    pairs = eh.data.load_pairs(profile, "train", verbose=False)
    val = eh.data.load_pairs(profile, "validation", verbose=False)
    peak = profile.learning_rate * peak_factor
    runs, scores = {}, {}
    for name, warmup in (("warm-up", 200), ("none", 0)):
        schedule = eh.training.WarmupHalving(peak, halving_steps=1000, warmup_steps=warmup)
        model = profile.recipe.build_model(4)
        model.compile(optimizer=keras.optimizers.Adam(schedule), loss="mean_absolute_error")
        train = eh.data.make_train_dataset_for(profile, pairs)
        model.fit(train, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0)
        runs[name] = model
        scores[name] = eh.training.evaluate(model, val, 4)[-1]["edsr_psnr_y"]
    better = max(scores, key=scores.get)
    return runs, better


# ------------------------------------------------------------------------------------------- typical wrong answers


#: The exercises in the order the notebook asks them.
EXERCISES: tuple[Exercise, ...] = (
    Exercise(check_psnr_y, solve_psnr_y, lambda: (lambda hr, sr, shave: eh.metrics.psnr(hr, sr, shave=shave),)),
    Exercise(check_mse_to_psnr, solve_mse_to_psnr, lambda: (10 * math.log10(1 / 10),)),
    Exercise(check_schedule, solve_schedule, lambda: (lambda step: 5e-4 * 0.5 ** (step // 1000),)),
    Exercise(check_loss_experiment, solve_loss_experiment, None),
    Exercise(check_warmup_experiment, solve_warmup_experiment, None),
)
