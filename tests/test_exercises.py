"""Every exercise: its reference solution passes its checker, a typical wrong answer does not, and an
unanswered cell is reported as such without an error. Also: every checker is used in its notebook."""

from __future__ import annotations

import inspect
from pathlib import Path

import keras
import numpy as np
import pytest

import edsr_helpers as eh
from edsr_helpers.course import exercises
from edsr_helpers.course.exercises import notebook03

ROOT = Path(__file__).resolve().parent.parent
#: Checkers of experiments: they take trained models, so their answers come from the solution's own runs.
EXPERIMENTS = tuple(
    exercise.name
    for exercises_ in exercises.EXERCISES.values()
    for exercise in exercises_
    if exercise.wrong_answer is None
)
#: Solutions that run the shipped model many times (5-10 s each): with the experiments, in `make test` only.
SLOW_SOLUTIONS = ("check_seam_errors", "check_ensemble_gains", "check_noise_crossover")
ALL = [
    pytest.param(
        notebook,
        exercise,
        id=exercise.name,
        marks=[pytest.mark.slow] if exercise.name in EXPERIMENTS + SLOW_SOLUTIONS else [],
    )
    for notebook, exercises_ in exercises.EXERCISES.items()
    for exercise in exercises_
]


@pytest.fixture(scope="module")
def experiment_runs():
    """The solution's ``(runs, better)`` of an experiment, trained once per module."""
    trained = {}

    def runs(exercise):
        if exercise.name not in trained:
            trained[exercise.name] = exercise.solution()
        return trained[exercise.name]

    return runs


@pytest.mark.parametrize(("notebook", "exercise"), ALL)
def test_solution_passes(notebook, exercise, experiment_runs, capsys):
    arguments = experiment_runs(exercise) if exercise.name in EXPERIMENTS else exercise.solution()
    verdict = exercise.checker(*arguments)
    assert verdict, verdict.message
    assert capsys.readouterr().out.startswith("✅ Right.")


@pytest.mark.parametrize(("notebook", "exercise"), ALL)
def test_wrong_answer_is_rejected_with_a_hint(notebook, exercise, experiment_runs, capsys):
    if exercise.name in EXPERIMENTS:
        runs, better = experiment_runs(exercise)
        arguments = (runs, next(name for name in runs if name != better))
        first, second = (notebook03._validation_psnr(model) for model in runs.values())
        if abs(first - second) <= 0.05:
            pytest.skip("the two short runs tie; either answer is right")
    else:
        arguments = exercise.wrong_answer()
    verdict = exercise.checker(*arguments)
    out = capsys.readouterr().out
    assert not verdict and out.startswith("❌ Not yet.") and len(verdict.message) > 20


@pytest.mark.parametrize(("notebook", "exercise"), ALL)
def test_unanswered_is_reported_not_raised(notebook, exercise, capsys):
    arity = len(inspect.signature(exercise.checker).parameters)
    verdict = exercise.checker(*([None] * arity))
    assert not verdict and capsys.readouterr().out.startswith("⏳ Not answered yet")


def test_checkers_never_print_the_answer(capsys):
    """The numeric answers must not appear in what a wrong attempt prints."""
    for name, arguments in [
        ("check_hr_shift", (30.0, 1.0)),
        ("check_upsampler_parameters", (1,)),
    ]:
        getattr(exercises, name)(*arguments)
    out = capsys.readouterr().out
    shift, (count,) = (
        exercises.find("check_hr_shift").solution()[-1],
        exercises.find("check_upsampler_parameters").solution(),
    )
    assert not any(answer in out for answer in (f"{shift:.1f}", f"{shift:.2f}", str(count), f"{count:,}"))


@pytest.mark.parametrize("notebook", sorted(exercises.CHECKERS))
def test_every_checker_is_in_its_notebook(notebook):
    cells = next((ROOT / "notebooks").glob(f"{notebook}_*.py")).read_text()
    for checker in exercises.CHECKERS[notebook]:
        assert f"course.exercises.{checker.__name__}(" in cells


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
    assert notebook03._peak_and_warmup(_compiled(cosine)) == (pytest.approx(5e-4), 100)
    assert notebook03._peak_and_warmup(_compiled(5e-4)) == (pytest.approx(5e-4), 0)


def test_every_exercise_has_a_solution_and_a_wrong_answer_beside_its_checker():
    """One exercise, one place: checker, solution and wrong answer come from the notebook's own module."""
    for notebook, exercises_ in exercises.EXERCISES.items():
        module = f"edsr_helpers.course.exercises.notebook{notebook}"
        for exercise in exercises_:
            assert exercise.checker.__module__ == exercise.solution.__module__ == module, exercise.name
            assert exercise.wrong_answer is not None or exercise.name in EXPERIMENTS, exercise.name


def test_show_solution_displays_the_reference_code_to_an_instructor_only(monkeypatch, capsys):
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    monkeypatch.delenv(exercises.INSTRUCTOR_ENV_VAR, raising=False)
    exercises.show_solution("check_tile_overhead")  # a student's session
    assert not shown and "check_tile_overhead's hint" in capsys.readouterr().out
    monkeypatch.setenv(exercises.INSTRUCTOR_ENV_VAR, "1")
    exercises.show_solution("check_tile_overhead")
    assert "def solve_tile_overhead" in shown[0].data
    for session in ("1", "0"):
        monkeypatch.setenv(exercises.INSTRUCTOR_ENV_VAR, session)
        with pytest.raises(KeyError, match="no exercise"):
            exercises.show_solution("check_nothing")


@pytest.mark.slow
def test_the_answer_key_is_generated_from_the_solutions():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "answer_key.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-500:]


def test_no_notebook_links_the_answer_key():
    for script in (ROOT / "notebooks").glob("[0-9]*.py"):
        assert "ANSWER_KEY" not in script.read_text(), script.name


def _answer_texts(value) -> set[str]:
    """How a numeric answer would read if printed: ints of 3+ digits, floats to 1 and 2 decimals."""
    numbers: list[float] = []

    def walk(item):
        if isinstance(item, bool):
            return
        if isinstance(item, int | float | np.number):
            numbers.append(float(item))
        elif isinstance(item, dict):
            for nested in item.values():
                walk(nested)
        elif isinstance(item, tuple | list):
            for nested in item:
                walk(nested)

    walk(value)
    texts = set()
    for number in numbers:
        if not np.isfinite(number):  # inf prints the same for every answer
            continue
        if number == int(number) and abs(number) >= 100:
            texts |= {f"{int(number)}", f"{int(number):,}"}
        elif number != int(number) and abs(number) >= 1:
            texts |= {f"{number:.2f}", f"{number:.1f}"}
    return texts


@pytest.mark.slow
@pytest.mark.parametrize(("notebook", "exercise"), [param for param in ALL if param.values[1].wrong_answer is not None])
def test_no_checker_prints_its_answer_to_a_wrong_attempt(notebook, exercise, capsys):
    asked = inspect.signature(exercise.checker).parameters
    answer = [value for name, value in zip(asked, exercise.solution(), strict=True) if name != "guess"]
    capsys.readouterr()
    exercise.checker(*exercise.wrong_answer())
    out = capsys.readouterr().out
    leaked = [text for text in _answer_texts(answer) if text in out]
    assert not leaked, out


def test_tile_overhead_counts_what_the_loop_runs(capsys):
    """The checker's arithmetic equals a count of the tiles the notebook's loop really runs, and the formula for a
    tile in the middle of the photo is rejected with its own hint."""
    from edsr_helpers.course.exercises import notebook04

    computed = []

    def counting(image):
        computed.append(image.shape[0] * image.shape[1])
        return image

    eh.tiling.upscale_in_tiles(counting, np.zeros((300, 410, 3), np.float32), 1, 64, 12)
    assert notebook04.tile_overhead(64, 12, (300, 410)) == pytest.approx(sum(computed) / (300 * 410) - 1)
    guess, overheads, tile = notebook04.solve_tile_overhead()
    assert exercises.check_tile_overhead(guess, overheads, tile)
    assert not exercises.check_tile_overhead(guess, overheads, 256)  # a right count, a wrong choice
    middle = notebook04._overheads_of_a_middle_tile()
    verdict = exercises.check_tile_overhead(*middle)
    assert not verdict and "middle of the photo" in verdict.message
    assert not exercises.check_tile_overhead("a lot", overheads, tile)


def test_metric_disagreement_asks_for_y_with_the_shave():
    guess, scores = exercises.find("check_metric_disagreement").solution()
    assert exercises.check_metric_disagreement(guess, scores)
    hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)[1]
    unshaved = {
        name: (eh.metrics.psnr(hr, exercises.distort(hr, name), y_only=True), scores[name][1]) for name in scores
    }
    assert not exercises.check_metric_disagreement(guess, unshaved)


@pytest.mark.slow
def test_ensemble_gains_accept_the_measurement_and_reject_a_swap():
    guess, gains = exercises.find("check_ensemble_gains").solution()
    assert abs(gains["bicubic"]) < 0.01 < gains["EDSR"]  # bicubic commutes with the symmetries, EDSR does not
    assert exercises.check_ensemble_gains(guess, gains)
    assert not exercises.check_ensemble_gains(guess, {"bicubic": gains["EDSR"], "EDSR": gains["bicubic"]})


@pytest.mark.slow
def test_ensemble_gains_accept_the_self_ensemble_of_8_bit_outputs():
    """The question allows `self_ensemble` around `eh.inference.upscale`, which averages outputs already rounded
    to 8 bits: that answer passes too."""
    from edsr_helpers.course.exercises import notebook04

    lr, hr = notebook04.monarch_pair()
    shipped = eh.pretrained.load_pretrained(4)
    plain = eh.inference.upscale(shipped, lr, tile=None)
    averaged = eh.inference.to_uint8(eh.tiling.self_ensemble(lambda x: eh.inference.upscale(shipped, x, tile=None), lr))
    bicubic = eh.images.upscale_bicubic(lr, 4)
    bicubic_averaged = eh.inference.to_uint8(eh.tiling.self_ensemble(lambda x: eh.images.upscale_bicubic(x, 4), lr))

    def gain(plain_image, ensembled):
        return eh.metrics.psnr(hr, ensembled, shave=4, y_only=True) - eh.metrics.psnr(
            hr, plain_image, shave=4, y_only=True
        )

    gains = {"bicubic": gain(bicubic, bicubic_averaged), "EDSR": gain(plain, averaged)}
    assert exercises.check_ensemble_gains({"bicubic": 0.0, "EDSR": 0.1}, gains)


@pytest.mark.parametrize(
    ("guess", "res_scale", "hint"),
    [(0.1, 0.5, "more than doubles"), (0.1, 0.05, "a larger one does too"), (0.1, 0.3, "among the five")],
)
def test_res_scale_choice_tells_a_wrong_choice_by_its_measured_growth(guess, res_scale, hint, capsys):
    verdict = exercises.check_res_scale_choice(guess, res_scale)
    assert not verdict and hint in verdict.message and capsys.readouterr().out.startswith("❌ Not yet.")


def test_res_scale_choice_is_the_largest_calm_factor_of_its_own_measurement():
    from edsr_helpers.course import lessons
    from edsr_helpers.course.exercises import notebook02

    growth = lessons.residual_growth(notebook02.SCALING_FACTORS, depth=32, num_filters=256)
    calm = [factor for factor in notebook02.SCALING_FACTORS if growth[factor][-1] < notebook02.CALM_GROWTH]
    assert calm and max(calm) < max(notebook02.SCALING_FACTORS)  # a choice to make, not the first factor
    assert exercises.check_res_scale_choice(max(calm), max(calm))


def test_one_step_checker_states_the_reach_it_loses(capsys):
    from edsr_helpers.course.exercises import notebook02

    (build,) = exercises.find("check_edsr_one_step").solution()
    verdict = exercises.check_edsr_one_step(build)
    one_step, two_steps = notebook02._one_step_receptive_field(16), eh.model.receptive_field(4, 16)
    assert verdict and two_steps - one_step == 1  # the second x2 step's conv: 2 px at twice the LR resolution
    assert f"{one_step:g} LR px" in verdict.message and f"{two_steps:g}" in verdict.message
    assert "same reach" not in verdict.message.lower()
    measured = eh.model.measure_receptive_field(build(2, 8), lr_size=48)
    assert abs(measured - notebook02._one_step_receptive_field(2)) <= 1


@pytest.mark.parametrize("notebook", sorted(exercises.EXERCISES))
def test_answer_cells_and_model_answers_come_in_pairs(notebook):
    """An exercise asks a question in words (a *Your answer* cell after it) exactly when the answer key has its
    model answer: no question without a model answer for the instructor, no model answer to an unasked one."""
    import re

    script = next((ROOT / "notebooks").glob(f"{notebook}_*.py")).read_text()
    parts = re.split(r"^# \*\*(\d)\. ", script[script.index("## Exercises") :], flags=re.M)[1:]
    asked = {int(number) for number, text in zip(parts[::2], parts[1::2], strict=True) if "*Your answer*" in text}
    answered = {number for number, exercise in enumerate(exercises.EXERCISES[notebook], 1) if exercise.model_answer}
    assert asked == answered
    key = (ROOT / "docs" / "ANSWER_KEY.md").read_text()
    for number in answered:
        answer = exercises.EXERCISES[notebook][number - 1].model_answer
        assert len(answer) > 100 and answer in key, number
