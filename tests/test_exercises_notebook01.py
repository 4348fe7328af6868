"""Notebook 01's exercises beyond the shared tests: the debugging crop as the notebook shows it is rejected at the
scales its bug shows at, a crop that ignores ``scale`` is rejected, and each further wrong answer is caught."""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest

from edsr_helpers.course import exercises
from edsr_helpers.course.exercises import notebook01

ROOT = Path(__file__).resolve().parent.parent


def _notebook_function(name: str):
    """The function ``name`` as notebook 01 defines it in its exercises (its own cell, run on its own)."""
    cells = jupytext.read(ROOT / "notebooks" / "01_data.py").cells
    source = next(cell.source for cell in cells if cell.cell_type == "code" and f"def {name}(" in cell.source)
    namespace: dict = {}
    exec(source[: source.index("\n\n\n", source.index(f"def {name}("))], namespace)  # the definition only
    return namespace[name]


def test_the_notebooks_drifting_crop_is_rejected_with_where_it_drifts(capsys):
    verdict = exercises.check_crop_pair(_notebook_function("crop_around_centre"))
    assert not verdict and "HR px up" in verdict.message
    assert capsys.readouterr().out.startswith("❌ Not yet.")


def test_the_drifting_crop_is_right_for_even_sizes_only():
    """The bug the exercise asks for: even sizes align at every scale, odd ones drift by scale // 2 HR px."""
    import numpy as np

    from edsr_helpers import data
    from edsr_helpers.course.exercises.checking import monarch_pair

    crop_around_centre = _notebook_function("crop_around_centre")
    for scale in (2, 3, 4):
        lr, hr = monarch_pair(scale)
        for size in (24, 25):
            got = crop_around_centre(lr, hr, 40, 90, size, scale)
            right = data.crop_pair(lr, hr, 40, 90, scale=scale, lr_patch_size=size)
            aligned = all(np.array_equal(a, b) for a, b in zip(got, right, strict=True))
            assert aligned == (size % 2 == 0), (scale, size)


def test_a_crop_that_ignores_the_scale_is_rejected(capsys):
    verdict = exercises.check_crop_pair(notebook01._crop_for_x4_only)
    assert not verdict and "x3" in verdict.message


@pytest.mark.parametrize(("name", "arguments"), notebook01.MORE_WRONG_ANSWERS, ids=lambda value: str(value)[:30])
def test_more_wrong_answers_are_rejected(name, arguments, capsys):
    verdict = getattr(exercises, name)(*arguments)
    assert not verdict and capsys.readouterr().out.startswith("❌ Not yet.")


def test_colour_check_rejects_each_kind_of_channel_swap(capsys):
    """A check that only catches keras-io's flip (which also turns the patch) is not enough."""
    import numpy as np

    guess, flipped, _ = exercises.find("check_colour_check").solution()

    def catches_only_a_half_turn_with_swap(patch, augmented):
        return not np.array_equal(np.flip(patch), augmented)

    verdict = exercises.check_colour_check(guess, flipped, catches_only_a_half_turn_with_swap)
    assert not verdict and "accepts" in verdict.message


def test_area_measurement_must_follow_the_protocol(capsys):
    guess, downscale_area, right = exercises.find("check_area_downscale").solution()
    assert exercises.check_area_downscale(guess, downscale_area, right)
    _, unshaved, on_y = notebook01._area_psnrs(downscale_area)
    for measured, hint in ((unshaved, "shave=2"), (on_y, "RGB")):
        verdict = exercises.check_area_downscale(guess, downscale_area, measured)
        assert not verdict and hint in verdict.message
