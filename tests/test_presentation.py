"""What shows the core's results in a notebook: tables and the live training curves."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from edsr_helpers.presentation import plots, tables  # noqa: E402


@pytest.mark.parametrize("rows", [[["a", 1]], []])
def test_show_table_renders_markdown(rows, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    tables.show_table(["name", "value"], rows)
    text = shown[0].data
    assert text.splitlines()[0] == "| name | value |" and len(text.splitlines()) == 2 + len(rows)


def test_show_evaluation_adds_the_published_baseline_on_div2k(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    keys = ["psnr_y", "ssim_y", "psnr_rgb"]
    row = {"image": "0801", **{f"bicubic_{k}": 1.0 for k in keys}, **{f"edsr_{k}": 2.0 for k in keys}}
    tables.show_evaluation([row])
    tables.show_evaluation([row], published_scale=4)
    assert "28.95" not in shown[0].data and "+1.00 dB" in shown[0].data
    assert (
        "EDSR-baseline, official code (all 100 DIV2K val, RGB, border 10 px)" in shown[1].data
        and "28.95" in shown[1].data
    )


def test_the_live_plot_draws_one_curve_and_one_bicubic_line_per_input():
    history = {"loss": [3.0, 2.0], "val_psnr_y": [25.0, 26.0], "val_degraded_psnr_y": [23.0, 24.0]}
    figure = plots.plot_history(
        history, {"clean": 25.5, "degraded": 24.5}, {"clean": "val_psnr_y", "degraded": "val_degraded_psnr_y"}
    )
    labels = [line.get_label() for line in figure.axes[1].get_lines()]
    assert labels == ["clean", "bicubic, clean 25.50 dB", "degraded", "bicubic, degraded 24.50 dB"]


def test_the_live_plot_ends_with_its_figure_below_the_log(monkeypatch):
    """The live figure sits above the first epoch's log line; at the end it is cleared and drawn again last."""
    import matplotlib.figure

    shown, updates = [], []

    class Handle:
        def update(self, item):
            updates.append(item)

    def display(item, display_id=False):
        shown.append(item)
        return Handle() if display_id else None

    monkeypatch.setattr("IPython.display.display", display)
    live = plots.LivePlot(25.0)
    live.on_train_end()  # no epoch ended: nothing to draw
    assert not shown
    for epoch in range(2):
        live.on_epoch_end(epoch, {"loss": 3.0 - epoch, "val_psnr_y": 25.0 + epoch})
    live.on_train_end()
    assert len(shown) == 2 and isinstance(shown[-1], matplotlib.figure.Figure)
    assert isinstance(updates[0], matplotlib.figure.Figure) and updates[-1].data == ""
