"""Every exercise: its reference solution passes its checker, a typical wrong answer does not, and an
unanswered cell is reported as such without an error. Also: every checker is used in its notebook."""

from __future__ import annotations

import importlib.util
import inspect
import math
from pathlib import Path

import keras
import numpy as np
import pytest
from keras import layers

import edsr_helpers as eh
from edsr_helpers import exercises

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = {path.name[:2]: path for path in (ROOT / "solutions").glob("[0-9]*.py")}
ALL = [(notebook, checker) for notebook, checkers in exercises.CHECKERS.items() for checker in checkers]


def solution_module(notebook: str):
    spec = importlib.util.spec_from_file_location(f"solutions_{notebook}", SOLUTIONS[notebook])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


def _plain_upscale(model, lr):
    return eh.inference.upscale(model, lr, tile=None)


def _seam_answers_off_by_a_lot():
    return {overlap: 100 for overlap in exercises.SEAM_OVERLAPS}, 0


#: One typical wrong answer per checker (what a student is likely to hand in), as checker arguments.
WRONG = {
    "check_hr_shift": lambda: (20.0,),
    "check_flip_pair": lambda: (lambda lr, hr: (np.flip(lr), np.flip(hr)),),  # keras-io's RGB->BGR flip
    "check_crop_pair": lambda: (
        lambda lr, hr, t, x, s, k: (lr[t : t + s, x : x + s], hr[t : t + s * k, x : x + s * k]),
    ),
    "check_patch_count": lambda: (1000,),
    "check_residual_block": lambda: (_residual_without_skip,),
    "check_edsr_one_step": lambda: (_one_step_edsr_without_global_skip,),
    "check_upsampler_parameters": lambda: (2 * (9 * 64 * 256 + 256),),
    "check_receptive_field": lambda: (2 * eh.model.receptive_field(4, 16),),
    "check_psnr_y": lambda: (lambda hr, sr, shave: eh.metrics.psnr(hr, sr, shave=shave),),  # RGB, not Y
    "check_mse_to_psnr": lambda: (10 * math.log10(1 / 10),),
    "check_schedule": lambda: (lambda step: 5e-4 * 0.5 ** (step // 1000),),  # no warm-up
    "check_loss_experiment": None,  # built from the solution's own runs below
    "check_warmup_experiment": None,  # likewise
    "check_seam_errors": _seam_answers_off_by_a_lot,
    "check_effective_radius": lambda: (0,),
    "check_self_ensemble": lambda: (_plain_upscale,),
    "check_tile_count": lambda: (3,),
}


#: Checkers of experiments: they take trained models, so their answers come from the solution's own runs.
EXPERIMENTS = ("check_loss_experiment", "check_warmup_experiment")


@pytest.fixture(scope="module")
def experiment_runs():
    """The solution's ``(runs, better)`` of an experiment, trained once per module."""
    trained = {}

    def runs(name: str):
        if name not in trained:
            trained[name] = getattr(solution_module("03"), name)()
        return trained[name]

    return runs


@pytest.mark.parametrize(("notebook", "checker"), ALL, ids=lambda item: getattr(item, "__name__", item))
def test_solution_passes(notebook, checker, experiment_runs, capsys):
    arguments = (
        experiment_runs(checker.__name__)
        if checker.__name__ in EXPERIMENTS
        else getattr(solution_module(notebook), checker.__name__)()
    )
    verdict = checker(*arguments)
    assert verdict, verdict.message
    assert capsys.readouterr().out.startswith("✅ Right.")


@pytest.mark.parametrize(("notebook", "checker"), ALL, ids=lambda item: getattr(item, "__name__", item))
def test_wrong_answer_is_rejected_with_a_hint(notebook, checker, experiment_runs, capsys):
    if checker.__name__ in EXPERIMENTS:
        runs, better = experiment_runs(checker.__name__)
        arguments = (runs, next(name for name in runs if name != better))
        first, second = (exercises._validation_psnr(model) for model in runs.values())
        if abs(first - second) <= 0.05:
            pytest.skip("the two short runs tie; either answer is right")
    else:
        arguments = WRONG[checker.__name__]()
    verdict = checker(*arguments)
    out = capsys.readouterr().out
    assert not verdict and out.startswith("❌ Not yet.") and len(verdict.message) > 20


@pytest.mark.parametrize(("notebook", "checker"), ALL, ids=lambda item: getattr(item, "__name__", item))
def test_unanswered_is_reported_not_raised(notebook, checker, capsys):
    arity = len(inspect.signature(checker).parameters)
    verdict = checker(*([None] * arity))
    assert not verdict and capsys.readouterr().out.startswith("⏳ Not answered yet")


def test_checkers_never_print_the_answer(capsys):
    """The numeric answers must not appear in what a wrong attempt prints."""
    for name, arguments in [
        ("check_patch_count", (1,)),
        ("check_upsampler_parameters", (1,)),
        ("check_tile_count", (1,)),
    ]:
        getattr(exercises, name)(*arguments)
    out = capsys.readouterr().out
    right = [
        str(solution_module(nb).__dict__[name]()[0])
        for nb, name in [("01", "check_patch_count"), ("02", "check_upsampler_parameters"), ("04", "check_tile_count")]
    ]
    assert not any(answer in out or f"{int(answer):,}" in out for answer in right)


@pytest.mark.parametrize("notebook", sorted(exercises.CHECKERS))
def test_every_checker_is_in_its_notebook(notebook):
    cells = next((ROOT / "notebooks").glob(f"{notebook}_*.py")).read_text()
    for checker in exercises.CHECKERS[notebook]:
        assert f"eh.exercises.{checker.__name__}(" in cells


def _compiled(rate) -> keras.Model:
    model = eh.model.edsr(4, num_res_blocks=1, num_filters=8)
    model.compile(optimizer=keras.optimizers.Adam(rate), loss="mean_absolute_error")
    return model


@pytest.mark.parametrize(
    ("warm", "none", "hint"),
    [
        (5e-4, 5e-4, "has no warm-up"),  # neither warms up
        (eh.training.WarmupHalving(5e-4, 1000, 200),) * 2 + ("still warms up",),
        (eh.training.WarmupHalving(5e-4, 1000, 200), eh.training.WarmupHalving(2e-3, 1000, 0), "same peak"),
    ],
)
def test_warmup_experiment_compares_only_the_warmup(warm, none, hint, capsys):
    verdict = exercises.check_warmup_experiment({"warm-up": _compiled(warm), "none": _compiled(none)}, "none")
    assert not verdict and hint in verdict.message and capsys.readouterr().out.startswith("❌ Not yet.")


def test_warmup_experiment_reads_keras_own_cosine_warmup():
    cosine = keras.optimizers.schedules.CosineDecay(0.0, 1000, warmup_target=5e-4, warmup_steps=100)
    assert exercises._peak_and_warmup(_compiled(cosine)) == (pytest.approx(5e-4), 100)
    assert exercises._peak_and_warmup(_compiled(5e-4)) == (pytest.approx(5e-4), 0)
