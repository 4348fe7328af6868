from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from edsr_helpers import inference, model  # noqa: E402
from edsr_helpers.course import lessons, plotting  # noqa: E402


def test_batch_norm_erases_brightness_but_plain_conv_keeps_it(photo):
    demo = lessons.batch_norm_demo(photo, dim_factor=0.5)
    bright, dim = demo["conv"]
    np.testing.assert_allclose(dim, 0.5 * bright, rtol=1e-4, atol=1e-3)
    assert np.abs(bright - dim).max() > 1.0
    bn_bright, bn_dim = demo["conv+bn"]
    np.testing.assert_allclose(bn_bright, bn_dim, atol=1e-3)
    # a real batch (8 patches), not one image normalized by its own statistics: other companions, other output
    assert np.abs(demo["conv+bn, other batch"] - bn_bright).max() > 0.05
    assert demo["patch"].shape == (48, 48, 3) and demo["patch"].dtype == np.uint8


def test_to_uint8_clips_and_rounds():
    out = inference.to_uint8(np.array([-3.0, 0.4, 0.6, 254.5, 300.0]))
    np.testing.assert_array_equal(out, [0, 0, 1, 254, 255])  # numpy rounds half to even
    assert out.dtype == np.uint8


def test_super_resolve_returns_a_uint8_image_of_the_right_size(photo):
    tiny = model.edsr(3, num_res_blocks=1, num_filters=4)
    sr = inference.super_resolve(tiny, photo[:10, :7, 0])  # greyscale input is converted
    assert sr.shape == (30, 21, 3) and sr.dtype == np.uint8


def test_grid_figure_layout_and_shared_ranges(photo):
    figure = plotting.grid_figure(
        [photo, photo[..., 0], photo[..., 1]],
        ["a", "b", "c"],
        columns=2,
        value_ranges=[None, (0, 10), (0, 10)],
    )
    axes = figure.axes
    assert len(axes) == 4 and [axis.get_title() for axis in axes[:3]] == ["a", "b", "c"]
    assert axes[1].images[0].get_clim() == (0, 10)
    assert not axes[3].images  # the spare cell stays empty


def test_pairs_figure_titles_show_sizes(photo):
    figure = plotting.pairs_figure([(photo[:10, :20], photo[:40, :80])], names=["x"])
    assert [axis.get_title() for axis in figure.axes] == ["x LR 20×10", "x HR 80×40"]


def test_gradient_map_figure_marks_each_share_and_the_receptive_field():
    gradient = np.exp(-np.hypot(*np.mgrid[-20:21, -20:21]) / 3.0)
    figure = plotting.gradient_map_figure(gradient, {0.9: 4, 0.99: 9}, receptive_field=30.5)
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert labels == ["90.0% within 4 px", "99.0% within 9 px", "receptive field, 30.5 px"]


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_architecture_figure_is_read_from_the_model(scale):
    net = model.edsr(scale, num_res_blocks=3, num_filters=8)
    rows = plotting._architecture_rows(net)
    assert sum(parameters for *_, parameters in rows) == net.count_params()
    assert [name for name, *_ in rows].count("res_block_1 .. res_block_3") == 1
    assert rows[-1][2] == f"LR x{scale}" and sum(name.startswith("pixel_shuffle") for name, *_ in rows) == len(
        model.upsampling_factors(scale)
    )
    figure = plotting.architecture_figure(net)
    assert f"{net.count_params():,} parameters" in figure.axes[0].get_title()


def test_architecture_figure_draws_a_model_built_from_the_notebooks_own_cells():
    """Notebook 02 defines the layers anew in its cells (the same code, new classes): the figure still reads them."""
    from pathlib import Path

    import keras

    from edsr_helpers import architecture

    registry = keras.saving.get_custom_objects()
    kept = dict(registry)
    try:
        cells: dict = {"__name__": "__main__"}  # as in a notebook's kernel
        exec(compile(Path(architecture.__file__).read_text(), "notebook 02's cells", "exec"), cells)
        net = cells["edsr"](2, num_res_blocks=2, num_filters=8)
        assert type(net) is not model.EDSR  # a class of the cells' own
        rows = plotting._architecture_rows(net)
    finally:
        registry.clear()
        registry.update(kept)
    assert sum(parameters for *_, parameters in rows) == net.count_params()
    assert [name for name, *_ in rows].count("res_block_1 .. res_block_2") == 1
    assert any(what.startswith("pixel shuffle x2") for _, what, *_ in rows)


def test_residual_scaling_keeps_a_wide_stack_from_blowing_up_at_initialisation():
    growth = lessons.residual_growth((1.0, 0.1), depth=12, num_filters=64, size=8)
    unscaled, scaled = growth[1.0], growth[0.1]
    assert len(unscaled) == len(scaled) == 12
    assert unscaled[-1] > 5 * scaled[-1] and scaled[-1] < 1.5  # input spread is 1
    assert all(later >= earlier for earlier, later in zip(unscaled, unscaled[1:], strict=False))


def test_growth_at_initialisation_depends_on_depth_more_than_width():
    """Four times the depth against four times the width, averaged over three initialisations (each engine draws
    its own random weights, so one seed alone can land either way at this small size)."""
    growth = {
        (depth, width): np.mean(
            [
                lessons.residual_growth((1.0,), depth=depth, num_filters=width, size=8, seed=seed)[1.0][-1]
                for seed in range(3)
            ]
        )
        for depth in (4, 16)
        for width in (16, 64)
    }
    by_width = max(growth[depth, 64] / growth[depth, 16] for depth in (4, 16))
    by_depth = min(growth[16, width] / growth[4, width] for width in (16, 64))
    assert by_depth > 2 * by_width, growth


def test_scaling_run_records_every_step_and_only_the_scaling_differs():
    batches = lessons.scaling_batches(3, lr_patch_size=8, batch_size=2)
    assert [lr.shape for lr, _ in batches] == [(2, 8, 8, 3)] * 3 and batches[0][1].shape == (2, 16, 16, 3)
    frozen = lessons.residual_scaling_run(1.0, [batches[0]] * 3, num_res_blocks=1, num_filters=8, learning_rate=0.0)
    assert len(frozen["loss"]) == len(frozen["gradient_norm"]) == 3
    assert np.ptp(frozen["loss"]) < 1e-3 * frozen["loss"][0]  # no learning: the same batch, the same loss
    assert np.ptp(frozen["gradient_norm"]) < 1e-3 * frozen["gradient_norm"][0] and frozen["gradient_norm"][0] > 0
    runs = [
        lessons.residual_scaling_run(scale, batches, num_res_blocks=2, num_filters=8, learning_rate=1e-3)
        for scale in (1.0, 1.0, 0.1)
    ]
    np.testing.assert_allclose(runs[0]["loss"], runs[1]["loss"], rtol=1e-5)  # same seed, same weights
    assert not np.allclose(runs[0]["loss"], runs[2]["loss"])


def test_scaling_run_summary_counts_spikes_and_the_first_nan():
    loss = np.array([10.0, 9.0, 25.0, 8.0, 7.0, 7.0, 6.0, 30.0, np.nan])
    summary = lessons.summarize_scaling_run({"loss": loss, "gradient_norm": np.arange(1.0, 10.0)})
    assert summary["spikes"] == 2 and summary["first_nan_step"] == 9 and summary["largest_loss"] == 30.0
    assert summary["largest_gradient_norm"] == 9.0 and summary["first_loss"] == 10.0
    calm = lessons.summarize_scaling_run({"loss": np.linspace(10, 5, 20), "gradient_norm": np.ones(20)})
    assert calm["spikes"] == 0 and calm["first_nan_step"] is None
    assert calm["final_loss"] == pytest.approx(np.median(np.linspace(10, 5, 20)[-2:]))


def test_psnr_choices_measure_each_convention_against_the_papers():
    import edsr_helpers as eh

    photo = eh.samples.load_photo("monarch")[:160, :240]
    rows = {row["choice"].split(":")[0].split(" (")[0]: row for row in lessons.psnr_choices(_pretrained_x4(), [photo])}
    reference = rows["as the papers"]
    assert reference["change"] == 0 and 20 < reference["psnr"] < 40
    assert rows["RGB instead of Y"]["psnr"] != reference["psnr"]
    assert rows["LR by bicubic without antialiasing"]["change"] < -1.0  # a model trained on one degradation
    assert abs(rows["output not rounded to 8 bits"]["change"]) < 0.1
    expected = reference["psnr"] + rows["no border shaved"]["change"]
    assert rows["no border shaved"]["psnr"] == pytest.approx(expected)


def _pretrained_x4():
    import edsr_helpers as eh

    return eh.pretrained.load_pretrained(4)
