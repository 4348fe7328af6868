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
    close,
    exercise,
    say,
)

__all__ = [
    "check_mse_to_psnr",
    "check_error_spread",
    "check_halvings",
    "check_loss_experiment",
    "check_warmup_experiment",
    "WARMUP_RUNS",
]


@exercise("set psnr_db to your answer in dB.")
def check_mse_to_psnr(value) -> Verdict:
    """03, exercise 2: PSNR of an image whose mean squared error is 10 (0-255 scale)."""
    right = 10 * math.log10(255**2 / 10)
    if close(value, right, 0.01):
        return say(True, "An average error of about 3 grey levels is a good reconstruction.")
    if close(value, 10 * math.log10(1 / 10), 0.01):
        return say(False, "That uses a peak of 1 with a 0-255 error: the keras-io example's scale mix-up.")
    return say(False, "PSNR = 10 log10(peak^2 / MSE), with the peak on the same scale as the error.")


@exercise("set psnr_even and psnr_sparse to the two PSNRs in dB.")
def check_error_spread(psnr_even, psnr_sparse) -> Verdict:
    """03, exercise 2: two predictions with the same mean absolute error (4 grey levels): every pixel off by 4,
    or one pixel in 16 off by 64 and the rest exact. PSNR is an L2 measure: it punishes the second far more."""
    even, sparse = 10 * math.log10(255**2 / 4**2), 10 * math.log10(255**2 / (64**2 / 16))
    if close(psnr_even, even, 0.05) and close(psnr_sparse, sparse, 0.05):
        return say(
            True,
            "Same L1 error, 12 dB apart: PSNR squares the errors, so a few large ones cost most. A model trained "
            "on L2 learns to avoid them by blurring; L1 weighs every grey level of error alike.",
        )
    if close(psnr_even, psnr_sparse, 0.05):
        return say(False, "Equal mean absolute errors, but PSNR uses the mean *squared* error: square first.")
    if close(psnr_even, sparse, 0.05) and close(psnr_sparse, even, 0.05):
        return say(False, "The two are swapped: which prediction has the larger mean squared error?")
    return say(False, "MSE of the first is 4^2; of the second, 64^2 on 1 pixel in 16. Then 10 log10(255^2 / MSE).")


#: Exercise 03.3's rate: below it, Adam's steps are too small to change the picture much.
SMALL_RATE = 1e-5


def _first_step_below(peak: float, halving_steps: int) -> int:
    halvings = 0
    while peak * 0.5**halvings >= SMALL_RATE:
        halvings += 1
    return halvings * halving_steps


@exercise("set cpu_step and paper_step to the two step numbers.")
def check_halvings(cpu_step, paper_step) -> Verdict:
    """03, exercise 3: from which step on the halving schedule's rate is below 1e-5: the ``cpu`` recipe
    (5e-4, halved every 1,000 steps) and the paper's (1e-4, halved every 200,000)."""
    cpu = training.WarmupHalving(5e-4, 1000, 200)
    right_cpu, right_paper = _first_step_below(5e-4, 1000), _first_step_below(1e-4, 200_000)
    assert float(cpu(right_cpu)) < SMALL_RATE <= float(cpu(right_cpu - 1))  # the notebook's own schedule agrees
    if close(cpu_step, right_cpu, 0.5) and close(paper_step, right_paper, 0.5):
        return say(
            True,
            "Neither run gets there: the lab's 1,200 steps end at 2.5e-4 and the paper's 300k at 5e-5. Both stop "
            "while the rate is still large enough for every step to change the model.",
        )
    for got, right, peak, every in ((cpu_step, right_cpu, 5e-4, 1000), (paper_step, right_paper, 1e-4, 200_000)):
        if close(got, right - every, 0.5):
            return say(False, f"One halving short: at that step the rate is still {peak:g} x 0.5^k >= 1e-5.")
        if not close(got, right, 0.5):
            return say(
                False,
                f"After k halvings the rate is {peak:g} x 0.5^k; find the first k where that is below 1e-5, then "
                f"the step where the k-th halving happens (every {every:,} steps).",
            )
    return say(False, "Check both numbers.")


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


def solve_mse_to_psnr():
    psnr_db = 10 * math.log10(255**2 / 10)
    return (psnr_db,)


def solve_error_spread():
    psnr_even = 10 * math.log10(255**2 / 4**2)  # MSE 16
    psnr_sparse = 10 * math.log10(255**2 / (64**2 / 16))  # MSE 256
    return psnr_even, psnr_sparse


def solve_halvings():
    # 5e-4 * 0.5**k < 1e-5  <=>  2**k > 50  <=>  k >= 6;   1e-4 * 0.5**k < 1e-5  <=>  2**k > 10  <=>  k >= 4
    cpu_step = 6 * 1000
    paper_step = 4 * 200_000
    return cpu_step, paper_step


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
    peak = profile.recipe.learning_rate * peak_factor
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
    Exercise(check_mse_to_psnr, solve_mse_to_psnr, lambda: (10 * math.log10(1 / 10),)),
    Exercise(check_error_spread, solve_error_spread, lambda: (36.09, 36.09)),  # the L1 view: both alike
    Exercise(check_halvings, solve_halvings, lambda: (5000, 600_000)),  # one halving short on both
    Exercise(check_loss_experiment, solve_loss_experiment, None),
    Exercise(check_warmup_experiment, solve_warmup_experiment, None),
)
