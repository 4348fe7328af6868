"""The notebooks' prose checked against their stored outputs.

A number or a worded comparison ("far above", "smaller than") in a notebook's markdown that describes what the
run measured must agree with the outputs the committed ``.ipynb`` stores. Most of the series renders such numbers
from the computed values (a cell that displays Markdown); what markdown still states is listed in ``CLAIMS``: the
notebook, the words as they stand (the test fails when they are gone, so the table follows the prose), and how
they are checked. Every number in dB in a notebook's markdown is either one of those claims or listed in
``NOT_OF_THIS_RUN`` with the reason it describes no output (a published score, a measurement made elsewhere).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@dataclasses.dataclass(frozen=True)
class Notebook:
    name: str
    cells: tuple[dict, ...]

    @property
    def markdown(self) -> str:
        return "\n".join(_text(cell["source"]) for cell in self.cells if cell["cell_type"] == "markdown")

    def outputs(self) -> list[str]:
        """Every stored output as text: streams, Markdown displays, plain reprs."""
        texts = []
        for cell in self.cells:
            for output in cell.get("outputs", []):
                if "text" in output:
                    texts.append(_text(output["text"]))
                for kind in ("text/markdown", "text/plain"):
                    if kind in output.get("data", {}):
                        texts.append(_text(output["data"][kind]))
                        break
        return texts

    def number(self, pattern: str) -> float:
        """The first group of the first output that matches ``pattern``, as a number."""
        for text in self.outputs():
            if match := re.search(pattern, text):
                return float(match.group(1).replace(",", "").replace("−", "-"))
        raise AssertionError(f"{self.name}: no stored output matches {pattern!r}")

    def table(self, column: str, has_row: str | None = None) -> dict[str, list[str]]:
        """The first Markdown table output that has ``column`` in its header (and a row ``has_row``), as {first
        cell: the row's cells}."""
        for text in self.outputs():
            lines = [line for line in text.splitlines() if line.startswith("|")]
            if lines and column in [cell.strip() for cell in lines[0].strip("|").split("|")]:
                rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines[2:]]
                if has_row is None or has_row in {row[0] for row in rows}:
                    return {row[0]: row for row in rows}
        raise AssertionError(f"{self.name}: no stored table has a column {column!r} and a row {has_row!r}")

    def code_of_exercise(self, number: int) -> str:
        """The source of the first code cell after the exercise titled ``**number.``."""
        cells = list(self.cells)
        for index, cell in enumerate(cells):
            if cell["cell_type"] == "markdown" and re.search(rf"^\*\*{number}\. ", _text(cell["source"]), re.M):
                return next(_text(later["source"]) for later in cells[index + 1 :] if later["cell_type"] == "code")
        raise AssertionError(f"{self.name}: no exercise {number}")


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else source


@cache
def notebook(name: str) -> Notebook:
    path = next((ROOT / "notebooks").glob(f"{name}_*.ipynb"))
    return Notebook(path.stem, tuple(json.loads(path.read_text())["cells"]))


def db_value(text: str) -> float:
    return float(text.replace(" dB", "").replace("−", "-"))


# ------------------------------------------------------------------------------------------------ the checks


def _symmetries(nb: Notebook) -> dict[str, float]:
    rows = {}
    for text in nb.outputs():
        for name, value in re.findall(r"^(rot \d+°(?: \+ flip)?|shifted 1 px)\s+(inf|[\d.]+) dB", text, re.M):
            rows[name] = math.inf if value == "inf" else float(value)
    assert len(rows) == 9, rows
    return rows


def _symmetries_above_35_far_above_the_shift(nb):
    rows = _symmetries(nb)
    shift = rows.pop("shifted 1 px")
    assert min(rows.values()) > 35 and shift < 35 - 5, (rows, shift)


def _quarter_turns_near_56(nb):
    rows = _symmetries(nb)
    assert all(abs(value - 56) < 1 for name, value in rows.items() if "90°" in name or "270°" in name), rows


def _pil_rounds_between_its_passes(nb):
    """Shrunk in float, where PIL rounds nothing between its two passes, a quarter turn commutes with the shrink;
    in uint8 it does not."""
    import numpy as np
    from PIL import Image

    from edsr_helpers import samples

    hr = samples.load_photo("monarch")[:96, :96]

    def shrink(image, mode):
        planes = [Image.fromarray(image[..., c], mode=mode).resize((24, 24), Image.BICUBIC) for c in range(3)]
        return np.stack([np.asarray(plane, np.float64) for plane in planes], axis=-1)

    for dtype, mode, agree in ((np.float32, "F", True), (np.uint8, "L", False)):
        image = hr.astype(dtype)
        turned_first = shrink(np.ascontiguousarray(np.rot90(image)), mode)
        difference = np.abs(turned_first - np.rot90(shrink(image, mode))).max()
        assert (difference < 1e-3) == agree, (mode, difference)


def _difference_largest_at_the_border(nb):
    whole, inside = nb.number(r"largest difference: (\d+) in the whole"), nb.number(r"(\d+) inside its border")
    assert whole > inside, (whole, inside)


def _shift_in_the_mid_20s(nb):
    assert 23 <= _symmetries(nb)["shifted 1 px"] <= 27


def _training_consumes_at_most_160(nb):
    batch = nb.number(r"LR batch \((\d+),")
    step_floor = 0.1  # the prose's fastest step, in seconds
    assert batch / step_floor == pytest.approx(160)
    delivered, ratio = nb.number(r"([\d,]+) patches/s"), nb.number(r"([\d.]+)x the ~160 patches/s")
    assert delivered / 160 == pytest.approx(ratio, abs=0.05)


def _steps_take_a_tenth_of_a_second_or_more(nb):
    seconds = [float(s) for text in notebook("03").outputs() for s in re.findall(r"100/100 - (\d+)s", text)]
    assert seconds and all(s / 100 >= 0.1 for s in seconds), seconds


def _cpu_run_is_1200_batches_of_16(nb):
    epochs = notebook("03").number(r"Epoch \d+/(\d+)")
    steps = notebook("03").number(r"(\d+)/\1 - \d+s")
    assert epochs * steps == 1200 and nb.number(r"LR batch \((\d+),") == 16


def _summary_repeats_the_run_01(nb):
    """Notebook 01's rendered summary quotes the numbers its cells printed above it."""
    rows = _symmetries(nb)
    shift = rows.pop("shifted 1 px")
    assert nb.number(r"Bicubic ×4 on monarch: ([\d.]+) dB") == nb.number(r"bicubic upscaling .*PSNR ([\d.]+) dB")
    assert nb.number(r"symmetries of one patch ([\d.]+) dB or more") == min(rows.values())
    assert nb.number(r"shifted by one LR pixel ([\d.]+) dB") == shift
    assert nb.number(r"random training patches ([\d.]+) dB or more") == nb.number(r"lowest alignment PSNR ([\d.]+)")
    assert nb.number(r"delivered ([\d,]+) patches/s, ") == nb.number(r"^([\d,]+) patches/s delivered")


def _random_patches_stay_aligned(nb):
    assert nb.number(r"lowest alignment PSNR ([\d.]+) dB") > 35


def _odd_sizes_drift(nb):
    """Exercise 01.3's demonstration: the centre crop aligns 24-pixel patches and misaligns 25-pixel ones."""
    for text in nb.outputs():
        found = re.findall(r"^x(\d): 24 px\s+(inf|[\d.]+) dB\s+25 px\s+(inf|[\d.]+) dB", text, re.M)
        if found:
            assert len(found) == 3 and all(even == "inf" and float(odd) < 35 for _, even, odd in found), found
            return
    raise AssertionError("no output of the drifting crop")


def _baseline_x4_parameters(nb):
    rows = [row for row in _architecture(nb) if row[:2] == ["baseline", "×4"]]
    assert rows and rows[0][2] == "1,517,571", rows


def _architecture(nb) -> list[list[str]]:
    for text in nb.outputs():
        if "parameters (ours)" in text:
            return [[c.strip() for c in line.strip().strip("|").split("|")] for line in text.splitlines()[2:]]
    raise AssertionError("no architecture table")


def _growth(nb) -> dict[tuple[int, int], float]:
    """Notebook 02's growth grid: {(blocks, filters): the spread after the last block without scaling}."""
    rows = nb.table("256 filters, res_scale 0.1")
    return {
        (int(blocks), width): float(row[column].lstrip("×"))
        for blocks, row in rows.items()
        for column, width in ((1, 64), (2, 256))
    }


def _depth_far_more_than_width(nb):
    # "far more": twice the depth multiplies the growth at least four times as much as four times the width does
    growth = _growth(nb)
    by_depth = min(growth[32, width] / growth[16, width] for width in (64, 256))
    by_width = max(growth[blocks, 256] / growth[blocks, 64] for blocks in (16, 32))
    assert by_depth > 4 * by_width, growth


def _32_by_64_grows_by_hundreds(nb):
    assert 200 <= _growth(nb)[32, 64] < 1000, _growth(nb)


def _untrained_far_below_bicubic(nb):
    bicubic = nb.number(r"bicubic\s+PSNR\s+([\d.]+) dB")
    untrained = nb.number(r"EDSR, untrained\s+PSNR\s+([\d.]+) dB")
    assert untrained < bicubic - 10, (untrained, bicubic)


def _reload_gives_the_same_output(nb):
    assert nb.number(r"largest difference after reload: ([\d.e+-]+)") == 0


def _full_about_43m(nb):
    (full,) = [int(row[2].replace(",", "")) for row in _architecture(nb) if row[:2] == ["full", "×4"]]
    assert round(full / 1e6) == 43, full


def _full_about_43m_in_02(nb):
    _full_about_43m(notebook("02"))


def _full_costs_25_to_30x_more_at_x2(nb):
    rows = {(row[0], row[1]): float(row[4].rstrip("k").replace(",", "")) for row in _architecture(nb)}
    ratios = {scale: rows[("full", scale)] / rows[("baseline", scale)] for scale in ("×2", "×3", "×4")}
    assert all(24.5 <= ratio <= 30.5 for ratio in ratios.values()), ratios
    assert ratios["×2"] > ratios["×4"], ratios


def _x4_cheaper_than_x2(nb):
    rows = {(row[0], row[1]): float(row[4].rstrip("k").replace(",", "")) for row in _architecture(nb)}
    assert rows[("baseline", "×4")] < rows[("baseline", "×2")]


def _receptive_field_72(nb):
    measured = notebook("02").number(r"formula [\d.]+, measured (\d+) LR pixels")
    formula = notebook("02").number(r"formula ([\d.]+), measured")
    assert (measured, formula) == (72, 72.5)


def _overlap_12_a_third_of_the_reach(nb):
    overlap = nb.number(r"with (\d+) px overlap")
    reach = notebook("02").number(r"measured (\d+) LR pixels") / 2
    assert overlap == 12 and reach == 36 == 3 * overlap


def _keras_io_both_ways_round(nb):
    """About 7 dB in Keras's order, about -41 dB swapped, for bicubic, which scores far higher done right."""
    assert abs(nb.number(r"keras-io's way:\s+([\d.]+) dB") - 7) < 1
    assert abs(nb.number(r"arguments swapped:\s+(-[\d.]+) dB") + 41) < 1
    assert nb.number(r"RGB, 0-255, 4-pixel border shaved:\s+([\d.]+) dB") > 20


def _about_a_thousand_steps(nb):
    """The stored `cpu` run's steps, which the prose rounds to "about a thousand"."""
    done = nb.number(r"profile: ([\d,]+) of [\d,]+ steps")
    assert 900 <= done <= 1300, done


def _keras_logs_both_psnrs_on_both(nb):
    """Every epoch line logs the two metrics on the training patches and, prefixed, on the validation photos."""
    lines = [line for text in nb.outputs() for line in text.splitlines() if re.match(r"\d+/\d+ - \d+s", line)]
    names = ("psnr", "psnr_y", "val_psnr", "val_psnr_y")
    assert lines and all(all(f" - {name}: " in line for name in names) for line in lines), lines[:1]


def _time_budget_stops_before_an_epoch_that_would_pass(nb):
    """The stored run's budget message, if it stopped: at an epoch's end, before one more epoch would pass the
    budget. A run that did not stop trained every step of the profile."""
    stops = [text for text in nb.outputs() if text.startswith("Time budget: stopped after epoch")]
    if not stops:
        steps, total = re.search(r"'cpu' profile: ([\d,]+) of ([\d,]+) steps", "\n".join(nb.outputs())).groups()
        assert steps == total, (steps, total)
        return
    elapsed = nb.number(r"Time budget: .*?, ([\d.]+) minutes in")
    epoch = nb.number(r"one more epoch \(~([\d.]+) min\) would pass")
    budget = nb.number(r"would pass the ([\d.]+)-minute budget")
    assert elapsed <= budget < elapsed + epoch, stops


def _benchmarks_say(*words: str) -> None:
    """docs/benchmarks.md, where the prose's measurements from elsewhere live, still states ``words``."""
    flat = re.sub(r"\s+", " ", (ROOT / "docs" / "benchmarks.md").read_text())
    assert all(word in flat for word in words), [word for word in words if word not in flat]


def _gpu_numbers_from_the_benchmarks(nb):
    """The H200 measurements the prose quotes, and the T4 estimates derived from them by the datasheet ratio."""
    _benchmarks_say("took **48 s** on an NVIDIA H200", "gained +1.37 dB on the validation photos", "**5.4 ms/step**")
    _benchmarks_say("(989 / 65 TFLOP/s)")
    step, ratio = 5.4e-3, 989 / 65
    assert round(7000 * step) == 38  # "the 7,000 steps themselves take about 38 s"
    assert round(7000 * step * ratio / 60) == 10  # "the steps alone take about 10 minutes" on a T4
    assert round(300_000 * step / 60) == 27 and round(300_000 * step * ratio / 3600) == 7  # 27 min; 7 hours


def _tiles_differ_by_at_most_a_grey_level(nb):
    assert nb.number(r"differ from one pass by at most (\d+) grey level") <= 1


def _gradient_outside_the_overlap_is_small(nb):
    assert nb.number(r"Outside the overlap: \*\*([\d.]+)%\*\*") < 1.0


def _exercise_1_measures_the_seam(nb):
    assert "check_seam_errors(" in nb.code_of_exercise(1)


def _result_array_2_2_gib(nb):
    assert round(4032 * 3024 * 4**2 * 3 * 4 / 2**30, 1) == 2.2


def _edsr_plus_a_small_gain(nb):
    gain = db_value(nb.table("EDSR+ gain")["mean"][4])
    assert 0 < gain < 0.3


def _same_model_same_scores_within_a_hundredth(nb):
    """Notebook 04's EDSR column, in tiles, is notebook 03's test table of the same model within 0.01 dB."""
    from edsr_helpers import samples

    ours = nb.table("EDSR+ gain")
    theirs = notebook("03").table("EDSR PSNR-Y", has_row=samples.TEST_PHOTOS[0])  # 03's test table, not validation
    for photo in (*samples.TEST_PHOTOS, "mean"):
        assert abs(float(ours[photo][2]) - float(theirs[photo][2])) <= 0.01 + 1e-9, (photo, ours[photo], theirs[photo])
    assert nb.number(r"differ from one pass by at most (\d+) grey level") <= 1


def _default_tile_is_104(nb):
    from edsr_helpers import inference

    assert inference.DEFAULT_TILE == 104


def _shipped_weights_below_100_steps(nb):
    """The model cell's switch is the profile's, whose threshold the prose names."""
    from edsr_helpers import profiles

    assert profiles.STEPS_TO_SHOW_LEARNING == 100
    code = "\n".join(_text(cell["source"]) for cell in nb.cells if cell["cell_type"] == "code")
    assert "use_trained=profile.learns_enough_to_show" in code


def _seam_crop_is_the_figures(nb):
    """Exercise 1's crop is the one the gradient figure's cell spells out."""
    from edsr_helpers.course import exercises

    code = "\n".join(_text(cell["source"]) for cell in nb.cells if cell["cell_type"] == "code")
    assert "crop = lr[16:112, 48:144]" in code
    assert (slice(16, 112), slice(48, 144)) == exercises.SEAM_CROP


def _engines_on_the_gpu_from_the_docs(nb):
    flat = re.sub(r"\s+", " ", (ROOT / "docs" / "precision_and_engines.md").read_text())
    assert "| NVIDIA H200 GPU, bfloat16, 48 px patches | — | **5.4 ms/step** | 37.4 ms/step |" in flat


def _one_pass_memory_from_the_benchmarks(nb):
    _benchmarks_say("510×339 → 2040×1356 upscale", "one pass 2.60 GiB peak RSS", "**0.90 GiB")


def _psnr_changes(nb) -> dict[str, float]:
    return {choice: float(row[2]) for choice, row in nb.table("evaluation choice").items()}


def _change(changes: dict[str, float], start: str) -> float:
    (value,) = [value for choice, value in changes.items() if choice.startswith(start)]
    return value


def _studio_range_is_1_32(nb):
    studio = _change(_psnr_changes(nb), "Y stretched to 0-255")
    assert studio == pytest.approx(-round(20 * math.log10(255 / 219), 2), abs=0.005)


def _y_rgb_most_and_mostly_arithmetic(nb):
    changes = _psnr_changes(nb)
    rgb, studio = abs(_change(changes, "RGB instead of Y")), abs(_change(changes, "Y stretched"))
    conventions = [_change(changes, c) for c in ("no border", "border of scale + 6", "output not rounded")]
    assert rgb > max(map(abs, conventions)) and studio > rgb / 2


def _border_matters_little(nb):
    changes = _psnr_changes(nb)
    assert all(abs(_change(changes, c)) < 0.1 for c in ("no border", "border of scale + 6"))


def _lr_several_db_and_most_of_a_db(nb):
    changes = _psnr_changes(nb)
    without, area = _change(changes, "LR by bicubic without"), _change(changes, "LR by area")
    rgb = abs(_change(changes, "RGB instead of Y"))
    assert without < -2 and 0.5 < -area < 1 and abs(without) > rgb  # "can matter more than any convention"


def _rounding_under_a_hundredth(nb):
    assert abs(_change(_psnr_changes(nb), "output not rounded")) < 0.01


def _model_gap_between_the_choices(nb):
    changes, gap = _psnr_changes(nb), 29.25 - 28.95  # the published scores the prose quotes
    larger = ["RGB instead of Y", "LR by bicubic without", "LR by area"]
    smaller = ["no border", "border of scale + 6", "output not rounded"]
    assert all(abs(_change(changes, c)) > gap for c in larger)
    assert all(abs(_change(changes, c)) < gap for c in smaller)


def _gains_are_taken_before_rounding(nb):
    """Each evaluation table's gain is the unrounded scores' difference: within 0.01 dB of the rounded ones'."""
    from edsr_helpers import samples

    for photos in (samples.VALIDATION_PHOTOS, samples.TEST_PHOTOS):
        table = nb.table("EDSR PSNR-Y", has_row=photos[0])
        for photo in (*photos, "mean"):
            bicubic, edsr, gain = float(table[photo][1]), float(table[photo][2]), db_value(table[photo][-1])
            assert abs(gain - (edsr - bicubic)) <= 0.01 + 1e-9, (photo, table[photo])


def _summary_renders_the_tables(nb):
    table = nb.table("EDSR+ gain")["mean"]
    gain = nb.number(r"EDSR ([+-][\d.]+) dB over bicubic")
    assert gain == pytest.approx(float(table[2]) - float(table[1]), abs=0.011)
    assert nb.number(r"RGB instead of Y ([+-][\d.]+) dB") == _change(_psnr_changes(nb), "RGB instead of Y")


def _gap_rows(nb, *, fine_tuned: bool) -> dict[tuple[str, str], list[str]]:
    """A stored gap table's rows, {(input, method): cells}: the comparison's (``fine_tuned``) or the first's."""
    for text in nb.outputs():
        if "| over bicubic |" not in text or ("fine-tuned" in text) != fine_tuned:
            continue
        rows = {}
        for line in text.splitlines():
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if len(cells) == 5 and re.fullmatch(r"0\.\d+", cells[4]):  # a model's or bicubic's row
                rows[(cells[0], cells[1])] = cells
        return rows
    raise AssertionError(f"{nb.name}: no stored gap table {'with' if fine_tuned else 'without'} fine-tuned models")


def _gap_leads(nb, *, fine_tuned: bool) -> dict[tuple[str, str], float]:
    """A gap table's leads over bicubic, {(input, method): dB}, bicubic's own rows left out."""
    rows = _gap_rows(nb, fine_tuned=fine_tuned)
    return {key: db_value(cells[3]) for key, cells in rows.items() if re.fullmatch(r"[+-][\d.]+", cells[3])}


def _shipped_lead_shrinks_on_degraded(nb):
    leads = _gap_leads(nb, fine_tuned=False)
    assert leads[("degraded", "shipped x4")] < leads[("clean", "shipped x4")], leads


def _shipped_lead_shrinks_to_a_fraction(nb):
    leads = _gap_leads(nb, fine_tuned=False)
    assert 0 < leads[("degraded", "shipped x4")] < leads[("clean", "shipped x4")] / 2, leads


def _fine_tune_gains_on_degraded_loses_on_clean(nb):
    leads = _gap_leads(nb, fine_tuned=True)
    shipped, tuned = "shipped x4 (bicubic-trained)", "fine-tuned, mixed with clean"
    assert leads[("degraded", tuned)] > leads[("degraded", shipped)], leads
    assert leads[("clean", tuned)] < leads[("clean", shipped)], leads


def _shipped_best_on_clean_both_fine_tunes_beat_it_on_degraded(nb):
    psnr = {key: float(cells[2]) for key, cells in _gap_rows(nb, fine_tuned=True).items()}
    shipped = "shipped x4 (bicubic-trained)"
    models = {method for _, method in psnr if method != "bicubic"}
    assert all(psnr[("clean", shipped)] > psnr[("clean", other)] for other in models - {shipped}), psnr
    tunes = {method for method in models if method.startswith("fine-tuned")}
    assert len(tunes) == 2 and all(psnr[("degraded", tune)] > psnr[("degraded", shipped)] for tune in tunes), psnr


def _margin_covers_the_camera_like_reach(nb):
    """Blur radius (largest sigma, 2) plus the x4 bicubic's support (2 source pixels per output pixel's side, x4)
    fits in the default margin, in HR pixels."""
    import inspect

    from edsr_helpers import degradations

    margin_lr = inspect.signature(degradations.degraded_patch).parameters["margin"].default
    assert "sigma = rng.uniform(0.5, 2.0)" in inspect.getsource(degradations.degrade_camera_like)
    blur_radius = degradations.gaussian_kernel(2.0, 2.0).shape[0] // 2
    assert (margin_lr, blur_radius) == (4, 6) and blur_radius + 2 * 4 <= margin_lr * 4


def _fine_tune_rate_is_half_the_papers(nb):
    from edsr_helpers import recipes

    assert (
        recipes.get_recipe("realistic-finetune").learning_rate == 5e-5 == recipes.get_recipe("paper").learning_rate / 2
    )


def _bn_ranges(nb) -> dict[str, list[float]]:
    """The batch-norm demo's printed ranges: {"conv" / "conv+bn": [bright min, max, dim min, max]}, and the
    first patch's BN range among other patches under "other"."""
    ranges = {}
    for text in nb.outputs():
        for name, values in re.findall(r"^(conv\+bn|conv)\s+first patch, bright batch:(.*)$", text, re.M):
            ranges[name] = [float(v) for v in re.findall(r"-?\d+\.\d+", values)]
        if match := re.search(r"first patch among \d+ other patches:\s+(-?[\d.]+) \.\.\s+(-?[\d.]+)", text):
            ranges["other"] = [float(match.group(1)), float(match.group(2))]
    assert set(ranges) == {"conv", "conv+bn", "other"}, ranges
    return ranges


def _bn_hides_brightness_and_depends_on_the_batch(nb):
    ranges = _bn_ranges(nb)
    bright_min, bright_max, dim_min, dim_max = ranges["conv"]
    assert (dim_min, dim_max) == (bright_min / 2, bright_max / 2), ranges  # exactly half
    assert ranges["conv+bn"][:2] == ranges["conv+bn"][2:], ranges  # the same to the printed digit
    assert ranges["other"] != ranges["conv+bn"][:2], ranges  # other companions, other features


def _27_layers_6_without_weights(nb):
    from edsr_helpers import model

    copied, total = (int(n) for n in re.search(r"(\d+) of (\d+) layers", "\n".join(nb.outputs())).groups())
    built = model.edsr_preset("baseline", 4)
    without = [layer.name for layer in built.layers if not layer.weights]
    assert total == len(built.layers) == 27 and len(without) == 6, without
    assert copied == total - len(without) - 1  # every layer with weights but the last upsampling step


def _content_moves_bicubic_psnr(nb):
    """The test table's bicubic PSNR-Y, its second column, by photo: the two quoted are its extremes."""
    from edsr_helpers import samples

    names = "|".join(samples.TEST_PHOTOS)
    rows = [re.findall(rf"^\| ({names}) \| ([\d.]+) \|", text, re.M) for text in nb.outputs()]
    bicubic = {name: float(value) for found in rows if len(found) == len(samples.TEST_PHOTOS) for name, value in found}
    assert (bicubic["chelsea"], bicubic["sail"]) == (31.47, 25.46), bicubic
    assert min(bicubic, key=bicubic.get) == "sail" and max(bicubic, key=bicubic.get) == "chelsea", bicubic


def _fine_tunes_get_a_sixth_of_the_epochs(nb):
    def epochs(name):
        counts = {int(n) for text in notebook(name).outputs() for n in re.findall(r"^Epoch \d+/(\d+)", text, re.M)}
        assert len(counts) == 1, (name, counts)
        return counts.pop()

    assert epochs("05") == max(1, round(epochs("03") / 6)), (epochs("05"), epochs("03"))


@dataclasses.dataclass(frozen=True)
class Claim:
    notebook: str
    says: str  # the words in the markdown, verbatim
    check: Callable[[Notebook], None]


CLAIMS = (
    Claim(
        "01",
        "All 8 symmetries stay above 35 dB, far above the one-pixel shift",
        _symmetries_above_35_far_above_the_shift,
    ),
    Claim("01", "quarter turns land at ~56 dB", _quarter_turns_near_56),
    Claim(
        "01",
        "because PIL's filter rounds between its horizontal and vertical pass,\nand a quarter turn swaps the two",
        _pil_rounds_between_its_passes,
    ),
    Claim("01", "the difference is largest in the outermost\npixels", _difference_largest_at_the_border),
    Claim("01", "`inf` (or 56 dB) to the mid-20s", _shift_in_the_mid_20s),
    Claim("01", "training consumes at most ~160 patches per second", _training_consumes_at_most_160),
    Claim("01", "takes at least 0.1 s on a laptop-class CPU", _steps_take_a_tenth_of_a_second_or_more),
    Claim("01", "The `cpu` profile trains on 1,200 batches of 16 patches", _cpu_run_is_1200_batches_of_16),
    Claim("01", "This run's numbers:", _summary_repeats_the_run_01),
    Claim("01", "so check that on 8 patches of each training photo", _random_patches_stay_aligned),
    Claim("01", "find why some of its crops misalign LR and HR", _odd_sizes_drift),
    Claim("02", "Depth makes the features pile up far more than width does", _depth_far_more_than_width),
    Claim("02", "A 32-block\nstack of 64 filters also grows by hundreds", _32_by_64_grows_by_hundreds),
    Claim("02", "turn the photo into a noisy texture, far below bicubic", _untrained_far_below_bicubic),
    Claim("02", "The reloaded model gives exactly the same output", _reload_gives_the_same_output),
    Claim("02", "Total **1,517,571**", _baseline_x4_parameters),
    Claim(
        "02",
        "Without BN the dim batch's features are exactly half the bright ones (the convolution is linear). With BN the"
        "\n# two are the same",
        _bn_hides_brightness_and_depends_on_the_batch,
    ),
    Claim(
        "02",
        "A patch's\nnormalized features also depend on which patches share its batch",
        _bn_hides_brightness_and_depends_on_the_batch,
    ),
    Claim("03", "(of the 27 layers counted below, 6 hold no weights", _27_layers_6_without_weights),
    Claim(
        "03",
        "a gain is taken\nbefore rounding, so it may differ by 0.01 dB from the difference of the two rounded scores",
        _gains_are_taken_before_rounding,
    ),
    Claim(
        "03",
        "bicubic scores 31.47 dB on the cat's soft fur\nand 25.46 dB on the crowded sails",
        _content_moves_bicubic_psnr,
    ),
    Claim(
        "05",
        "each of the two runs here gets about a sixth of notebook\n03's epochs",
        _fine_tunes_get_a_sixth_of_the_epochs,
    ),
    Claim("04", "43M parameters", _full_about_43m_in_02),
    Claim("02", "Full EDSR costs 25–30× the baseline, more at ×2 than at ×4", _full_costs_25_to_30x_more_at_x2),
    Claim("02", "is why ×4 is *cheaper* per output pixel than ×2", _x4_cheaper_than_x2),
    Claim("03", "With only about a thousand steps on a CPU", _about_a_thousand_steps),
    Claim(
        "03",
        "(an H200: 5.4 ms per step\nagainst 37.4 ms for Keras on PyTorch; TensorFlow was not measured there)",
        _engines_on_the_gpu_from_the_docs,
    ),
    Claim("03", "`cpu` run has about a thousand steps", _about_a_thousand_steps),
    Claim(
        "03",
        "Keras logs each on the training patches and, with a `val_` prefix, on the validation photos",
        _keras_logs_both_psnrs_on_both,
    ),
    Claim(
        "03",
        "`TimeBudget` stops the run at the end of an epoch when one more epoch, as long as the last one, would pass",
        _time_budget_stops_before_an_epoch_that_would_pass,
    ),
    Claim(
        "03",
        "the run took 48 s, compiling and validation included, and beat bicubic by +1.37 dB on the *validation* photos",
        _gpu_numbers_from_the_benchmarks,
    ),
    Claim(
        "03",
        "so the 7,000 steps themselves take about 38 s. A T4 has 1/15 of the H200's 16-bit peak (65 against\n989 "
        "TFLOP/s on their datasheets): at that ratio the steps alone take **about 10 minutes**",
        _gpu_numbers_from_the_benchmarks,
    ),
    Claim(
        "03",
        "at the same 5.4 ms per step, about 27 minutes of steps on the H200 and, by the same ratio, about 7 hours "
        "on a T4",
        _gpu_numbers_from_the_benchmarks,
    ),
    Claim("03", "about 7 dB one way and about −41 dB the other", _keras_io_both_ways_round),
    Claim(
        "03",
        "printed about 7 dB one way round and about −41 dB\n# the other for bicubic, which scores far higher",
        _keras_io_both_ways_round,
    ),
    Claim(
        "04", "Notebook 02 measured a receptive field of 72 LR pixels across (the formula's\n72.5", _receptive_field_72
    ),
    Claim("04", "Why are 12 pixels of overlap enough?", _overlap_12_a_third_of_the_reach),
    Claim("04", "inputs 36 pixels away, three times the overlap", _overlap_12_a_third_of_the_reach),
    Claim("04", "about 2.2 GiB for a 12-megapixel input (4032×3024) at ×4", _result_array_2_2_gib),
    Claim(
        "04",
        "upscaling 510×339 pixels to 2040×1356 in one pass, the process peaked at 2.6 GiB, against\n0.9 GiB in tiles",
        _one_pass_memory_from_the_benchmarks,
    ),
    Claim("04", "or the profile trains fewer than\n100 steps", _shipped_weights_below_100_steps),
    Claim("04", "for the default tile, `eh.inference.DEFAULT_TILE` = 104", _default_tile_is_104),
    Claim(
        "04",
        "`lr[course.exercises.SEAM_CROP]` of monarch's LR image (the gradient figure's\ncrop)",
        _seam_crop_is_the_figures,
    ),
    Claim("04", "tiles that leave no seams", _tiles_differ_by_at_most_a_grey_level),
    Claim(
        "04",
        "the square of 12 pixels\neach way around the centre holds nearly all of it",
        _gradient_outside_the_overlap_is_small,
    ),
    Claim("04", "Exercise 1 below measures the seam error", _exercise_1_measures_the_seam),
    Claim("04", "usually a small gain", _edsr_plus_a_small_gain),
    Claim(
        "04",
        "matches notebook 03's evaluation of the same model on the same photos\nwithin 0.01 dB",
        _same_model_same_scores_within_a_hundredth,
    ),
    Claim("04", "scores `20·log10(255/219)` = 1.32 dB higher", _studio_range_is_1_32),
    Claim(
        "04",
        "moves the number most among the conventions, and most of that move is the studio-range",
        _y_rgb_most_and_mostly_arithmetic,
    ),
    Claim("04", "**The border** matters little here", _border_matters_little),
    Claim("04", "loses several dB on LR images made without antialiasing", _lr_several_db_and_most_of_a_db),
    Claim("04", "most of a dB on area-averaged ones", _lr_several_db_and_most_of_a_db),
    Claim("04", "moves the number by less than a hundredth of a dB here", _rounding_under_a_hundredth),
    Claim(
        "04",
        "a 0.30 dB gap, smaller than the Y–RGB and the LR choices above and larger than the border and the rounding",
        _model_gap_between_the_choices,
    ),
    Claim("04", "This run's numbers:", _summary_renders_the_tables),
    Claim("05", "on degraded ones its lead shrinks to a fraction of that", _shipped_lead_shrinks_to_a_fraction),
    Claim("05", "the\n  shipped ×4's lead over bicubic shrinks on them", _shipped_lead_shrinks_on_degraded),
    Claim(
        "05",
        "on degraded inputs the recipe's fine-tune leads bicubic by more than the shipped model does.\nWhat is "
        "lost: on clean bicubic inputs it scores below the shipped model",
        _fine_tune_gains_on_degraded_loses_on_clean,
    ),
    Claim(
        "05",
        "the shipped model scores highest on clean inputs, and both fine-tunes beat it on degraded ones",
        _shipped_best_on_clean_both_fine_tunes_beat_it_on_degraded,
    ),
    Claim("05", "a rate of 5e-5, half the paper's", _fine_tune_rate_is_half_the_papers),
    Claim(
        "05",
        "The margin, 4 LR pixels (16 HR), covers the\ncamera-like family's reach (a blur of at most 6 HR pixels "
        "each way, then the ×4 bicubic's 8)",
        _margin_covers_the_camera_like_reach,
    ),
    Claim(
        "05",
        "trades clean-input quality for degraded-input\n  quality",
        _fine_tune_gains_on_degraded_loses_on_clean,
    ),
)

#: Numbers in dB in the markdown that describe no output of the notebook, and why.
NOT_OF_THIS_RUN = {
    "03": {
        "+1.37 dB": "the `gpu` profile's run on an H200, on the validation photos (docs/benchmarks.md), not the "
        "committed `cpu` run; the prose says it is a validation number",
        "6.3–9.0 dB": "the keras-io example's own published training log (keras.io/examples/vision/edsr), epochs 1 "
        "to 100, not this notebook's run",
        "0.05 dB": "the experiment checkers' tie band, a rule rather than a measurement",
        "28.95 dB": "the official code's published score",
        "29.25 dB": "the official code's published score",
    },
    "04": {
        "28.95 dB": "the official code's published score",
        "29.25 dB": "the official code's published score",
        "+0.3 dB": "29.25 − 28.95, the published scores",
    },
}


def _in_markdown(nb: Notebook, words: str) -> bool:
    flat = re.sub(r"\s+", " ", nb.markdown)
    return re.sub(r"\s+#?\s*", " ", words) in flat


@pytest.mark.parametrize("claim", CLAIMS, ids=[f"{claim.notebook}: {claim.says[:40]}" for claim in CLAIMS])
def test_claim_agrees_with_the_stored_outputs(claim):
    nb = notebook(claim.notebook)
    assert _in_markdown(nb, claim.says), f"{nb.name} no longer says {claim.says!r}: update CLAIMS with the prose"
    claim.check(nb)


@pytest.mark.parametrize("name", ["01", "02", "03", "04", "05"])
def test_every_db_number_in_markdown_is_checked_or_explained(name):
    nb = notebook(name)
    said = " ".join(re.sub(r"\s+#?\s*", " ", claim.says) for claim in CLAIMS if claim.notebook == name)
    numbers = set(re.findall(r"[+−-]?\d+(?:\.\d+)?(?:[–-]\d+(?:\.\d+)?)?\s?dB", nb.markdown))
    unexplained = {n for n in numbers if n not in said and n not in NOT_OF_THIS_RUN.get(name, {})}
    assert not unexplained, f"{nb.name}: numbers in dB that no claim checks: {sorted(unexplained)}"


def test_a_claim_that_the_outputs_contradict_fails():
    """The checks can fail: a table that says otherwise is caught."""
    fake = Notebook(
        "04_fake",
        (
            {
                "cell_type": "code",
                "source": "",
                "outputs": [
                    {
                        "data": {
                            "text/markdown": "| evaluation choice | PSNR (dB) | change (dB) |\n| --- | --- | --- |\n"
                            "| no border shaved | 28.00 | -0.50 |\n| border of scale + 6 shaved | 28.4 | -0.06 |"
                        }
                    }
                ],
            },
        ),
    )
    with pytest.raises(AssertionError):
        _border_matters_little(fake)


def _growth_grid(rows: str) -> Notebook:
    header = "| blocks | 64 filters | 256 filters | 256 filters, res_scale 0.1 |\n| --- | --- | --- | --- |\n"
    output = {"data": {"text/markdown": header + rows}}
    return Notebook("02_fake", ({"cell_type": "code", "source": "", "outputs": [output]},))


def test_the_growth_claims_fail_on_a_grid_that_says_otherwise():
    """Notebook 02's depth-against-width words hold on its committed grid and fail on one where width dominates."""
    committed = _growth_grid("| 16 | ×16.8 | ×18.3 | ×1.03 |\n| 32 | ×279.7 | ×549.2 | ×1.07 |")
    _depth_far_more_than_width(committed)
    _32_by_64_grows_by_hundreds(committed)
    width_dominates = _growth_grid("| 16 | ×16.8 | ×120.0 | ×1.03 |\n| 32 | ×60.0 | ×549.2 | ×1.07 |")
    with pytest.raises(AssertionError):
        _depth_far_more_than_width(width_dominates)
    with pytest.raises(AssertionError):
        _32_by_64_grows_by_hundreds(width_dominates)


def test_the_guide_and_the_benchmarks_quote_notebook_03s_stored_run():
    """An instructor reads notebook 03's results in the guide before running it: the same run's numbers."""
    nb = notebook("03")
    test = [
        nb.number(r"Test photos, the result\*\*: EDSR ([\d.]+) dB"),
        nb.number(r"result\*\*: EDSR [\d.]+ dB, bicubic ([\d.]+)"),
    ]
    val = [
        nb.number(r"chose epoch \d+: EDSR ([\d.]+) dB"),
        nb.number(r"chose epoch \d+: EDSR [\d.]+ dB, bicubic ([\d.]+)"),
    ]
    steps = nb.number(r"'cpu' profile: ([\d,]+) of [\d,]+ steps")
    guide, benchmarks = ((ROOT / "docs" / name).read_text() for name in ("INSTRUCTOR_GUIDE.md", "benchmarks.md"))
    assert f"EDSR {test[0]:.2f} vs bicubic {test[1]:.2f} dB" in guide
    assert f"{val[0]:.2f} vs {val[1]:.2f} dB" in guide and f"({val[0]:.2f} vs {val[1]:.2f})" in benchmarks
    assert f"test photos +{test[0] - test[1]:.2f} dB ({test[0]:.2f} vs {test[1]:.2f})" in benchmarks
    for text in (guide, benchmarks):
        assert f"{steps:,.0f} of the 1,200 steps" in text
