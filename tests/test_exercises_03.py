"""Notebook 03's exercises beyond what tests/test_exercises.py checks for every exercise: the spellings of a loss
that Keras accepts, the design checker's requirements one at a time, and the model answers of the questions
asked in words."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

import edsr_helpers as eh
from edsr_helpers.course import exercises
from edsr_helpers.course.exercises import notebook03

ROOT = Path(__file__).resolve().parent.parent


def _compiled(loss) -> keras.Model:
    model = eh.model.edsr(4, num_res_blocks=1, num_filters=8)
    model.compile(optimizer=keras.optimizers.Adam(1e-4), loss=loss)
    return model


@pytest.mark.parametrize(
    ("l1", "l2"),
    [
        ("mae", "mse"),
        ("mean_absolute_error", "mean_squared_error"),
        (keras.losses.MeanAbsoluteError(), keras.losses.MeanSquaredError()),
        (keras.losses.mean_absolute_error, keras.losses.mean_squared_error),
    ],
)
def test_loss_experiment_accepts_every_spelling_keras_accepts(l1, l2, capsys):
    """Untrained models get past the loss check to the step count: the spelling is never what is wrong."""
    verdict = exercises.check_loss_experiment({"L1": _compiled(l1), "L2": _compiled(l2)}, "L1")
    assert not verdict and "same number of steps" in verdict.message, verdict.message


def test_loss_experiment_rejects_a_model_under_the_wrong_loss(capsys):
    verdict = exercises.check_loss_experiment({"L1": _compiled("mse"), "L2": _compiled("mse")}, "L1")
    assert not verdict and "'L1'" in verdict.message


@pytest.mark.parametrize(
    ("schedule", "hint"),
    [
        (eh.training.WarmupHalving(1e-3, 200, 100), "peak rate"),
        (eh.training.WarmupHalving(5e-4, 200, 0), "no warm-up"),
        (eh.training.WarmupHalving(5e-4, 1000, 300), "peak comes only"),
        (lambda step: 2.5e-4 if 200 <= step < 400 else 5e-4 * min(1.0, (step + 1) / 100), "rises again"),
        (eh.training.WarmupHalving(5e-4, 100, 50), "falls too soon"),
        (eh.training.WarmupHalving(5e-4, 1000, 100), "still"),  # halved every 1,000 steps: never within 600
    ],
)
def test_short_schedule_names_the_requirement_a_schedule_misses(schedule, hint, capsys):
    verdict = exercises.check_short_schedule(schedule)
    assert not verdict and hint in verdict.message, verdict.message


def test_short_schedule_accepts_other_designs(capsys):
    cosine = keras.optimizers.schedules.CosineDecay(0.0, 600, warmup_target=5e-4, warmup_steps=100)
    assert exercises.check_short_schedule(cosine)
    assert exercises.check_short_schedule(eh.training.WarmupHalving(5e-4, 250, 50))


def test_psnr_metric_tells_the_keras_io_scale_mix_from_a_first_image_only_metric(capsys):
    def keras_io_scales(y_true, y_pred):  # the uint8 target converted to [0, 1], the prediction on 0-255
        error = keras.ops.cast(y_true, "float32") / 255.0 - keras.ops.cast(y_pred, "float32")
        return 10.0 * keras.ops.log10(255.0**2 / keras.ops.mean(keras.ops.square(error), axis=(1, 2, 3)))

    verdict = exercises.check_psnr_metric(keras_io_scales)
    assert not verdict and "scale" in verdict.message
    verdict = exercises.check_psnr_metric(notebook03._first_image_only)
    assert not verdict and "first image" in verdict.message


def test_error_spread_names_the_y_channel_when_measured_there(capsys):
    hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)[1]
    on_y = {name: eh.metrics.psnr(hr, image, y_only=True) for name, image in notebook03._damaged(hr).items()}
    verdict = exercises.check_error_spread("even", on_y)
    assert not verdict and "Y channel" in verdict.message
    assert all(np.mean(np.abs(image - hr)) == 4 for image in notebook03._damaged(hr).values())
