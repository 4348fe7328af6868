"""Figures the notebooks show: image grids with sizes in the titles, LR shown pixel by pixel.

Low-resolution images are drawn with nearest-neighbour interpolation so a reader sees the real pixels,
not matplotlib's smoothing of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np


def size_label(image: np.ndarray) -> str:
    """``"W×H"`` of an image, the way photo sizes are usually written."""
    height, width = np.shape(image)[:2]
    return f"{width}×{height}"


def grid_figure(
    images: Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    *,
    columns: int | None = None,
    size: float = 3.0,
    suptitle: str | None = None,
    value_ranges: Sequence[tuple[float, float] | None] | None = None,
) -> plt.Figure:
    """A figure of images in a grid (row-major), axes off, each at its own scale with pixels kept crisp.

    Single-channel maps are drawn with a colour map scaled to their own range, unless ``value_ranges`` gives
    ``(vmin, vmax)`` for them: give two maps the same range to compare their values by eye.
    """
    count = len(images)
    columns = columns or count
    rows = -(-count // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(size * columns, size * rows), squeeze=False)
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index < count:
            value_range = value_ranges[index] if value_ranges else None
            vmin, vmax = value_range if value_range else (None, None)
            axis.imshow(np.asarray(images[index]), interpolation="nearest", vmin=vmin, vmax=vmax)
            if titles is not None:
                axis.set_title(titles[index], fontsize=10)
    if suptitle:
        figure.suptitle(suptitle)
    figure.tight_layout()
    return figure


def show_grid(
    images: Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    *,
    columns: int | None = None,
    size: float = 3.0,
    suptitle: str | None = None,
    value_ranges: Sequence[tuple[float, float] | None] | None = None,
) -> None:
    """Show :func:`grid_figure` now.

    ``show_*`` helpers display their figure themselves and return nothing, so a notebook cell needs no
    trailing ``;`` to hide a return value (which nbval's re-execution does not honour anyway).
    """
    grid_figure(images, titles, columns=columns, size=size, suptitle=suptitle, value_ranges=value_ranges)
    plt.show()


def pairs_figure(pairs: Sequence[tuple[np.ndarray, np.ndarray]], names: Sequence[str] | None = None) -> plt.Figure:
    """One row per pair: the LR image, then the HR image, with their sizes (and names) in the titles."""
    images, titles = [], []
    for index, (lr, hr) in enumerate(pairs):
        prefix = f"{names[index]} " if names else ""
        images += [lr, hr]
        titles += [f"{prefix}LR {size_label(lr)}", f"{prefix}HR {size_label(hr)}"]
    return grid_figure(images, titles, columns=2, size=3.2)


def show_pairs(pairs: Sequence[tuple[np.ndarray, np.ndarray]], names: Sequence[str] | None = None) -> None:
    """Show :func:`pairs_figure` now."""
    pairs_figure(pairs, names)
    plt.show()


def comparison_figure(
    lr: np.ndarray,
    hr: np.ndarray,
    outputs: dict[str, np.ndarray],
    *,
    crop: tuple[int, int, int] | None = None,
    scale: int | None = None,
) -> plt.Figure:
    """LR | each output (bicubic, EDSR, ...) | HR side by side, on one region, PSNR (Y, shaved) in titles.

    Args:
        lr: the low-resolution input.
        hr: the ground truth.
        outputs: name -> upscaled image (same size as ``hr``), in display order.
        crop: ``(top, left, size)`` of an HR region to zoom into; the whole image when None.
        scale: HR/LR ratio (derived from the shapes when None).
    """
    from edsr_helpers.metrics import score

    scale = scale or hr.shape[0] // lr.shape[0]
    top, left, size = crop or (0, 0, max(hr.shape[:2]))
    region = (slice(top, top + size), slice(left, left + size))
    lr_region = (slice(top // scale, (top + size) // scale), slice(left // scale, (left + size) // scale))
    images = [lr[lr_region]]
    titles = ["LR (input)"]
    for name, image in outputs.items():
        images.append(image[region])
        titles.append(f"{name}\n{score(hr, image, shave=scale).psnr:.2f} dB")
    images.append(hr[region])
    titles.append("HR (ground truth)")
    return grid_figure(images, titles, size=3.0)


def show_comparison(lr, hr, outputs, *, crop=None, scale=None) -> None:
    """Show :func:`comparison_figure` now (PSNR in the titles is for the whole image, not the crop)."""
    comparison_figure(lr, hr, outputs, crop=crop, scale=scale)
    plt.show()


def gradient_map_figure(
    gradient: np.ndarray, radii: dict[float, int], receptive_field: float | None = None
) -> plt.Figure:
    """The gradient of one output pixel over the LR input, on a log scale (it spans orders of magnitude),
    with a square per ``{share: radius}`` marking where that share of it lies, and a dashed square for the
    theoretical ``receptive_field`` (LR pixels across) when given."""
    from matplotlib.patches import Rectangle

    figure, axis = plt.subplots(figsize=(4.6, 4))
    shown = np.log10(gradient / gradient.max() + 1e-6)
    image = axis.imshow(shown, cmap="magma", vmin=-6, vmax=0, interpolation="nearest")
    figure.colorbar(image, ax=axis, label="log10(gradient / largest)")
    centre_y, centre_x = gradient.shape[0] // 2, gradient.shape[1] // 2
    for (share, radius), colour in zip(sorted(radii.items()), ("cyan", "lime", "white"), strict=False):
        axis.add_patch(
            Rectangle(
                (centre_x - radius - 0.5, centre_y - radius - 0.5),
                2 * radius + 1,
                2 * radius + 1,
                fill=False,
                edgecolor=colour,
                label=f"{share:.1%} within {radius} px",
            )
        )
    if receptive_field is not None:
        half = receptive_field / 2
        axis.add_patch(
            Rectangle(
                (centre_x - half, centre_y - half),
                receptive_field,
                receptive_field,
                fill=False,
                edgecolor="white",
                linestyle="--",
                label=f"receptive field, {receptive_field:g} px",
            )
        )
    axis.set(title="what one output pixel depends on", xlabel="LR x", ylabel="LR y")
    axis.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    return figure


def show_gradient_map(gradient: np.ndarray, radii: dict[float, int], receptive_field: float | None = None) -> None:
    """Show :func:`gradient_map_figure` now."""
    gradient_map_figure(gradient, radii, receptive_field)
    plt.show()


def _architecture_rows(model) -> list[tuple[str, str, str, int]]:
    """(name, what, resolution, parameters) per step of an EDSR model, residual blocks grouped, read from the
    model's own layers (so the figure cannot disagree with the code). Layers are told apart by class name, so
    a model built from notebook 02's own cells is drawn as well as one built by the package."""
    rows, factor, blocks = [("lr", "input image, 3 colours (0-255)", "LR", 0)], 1, []

    def flush_blocks() -> None:
        if blocks:
            first = blocks[0]
            what = (
                f"{len(blocks)} x residual block: conv 3x3 -> ReLU -> conv 3x3, x {first.res_scale:g}, + input "
                f"({first.num_filters} ch)"
            )
            rows.append((f"{blocks[0].name} .. {blocks[-1].name}", what, "LR", sum(b.count_params() for b in blocks)))
            blocks.clear()

    for layer in model.layers[1:]:
        if type(layer).__name__ == "ResidualBlock":
            blocks.append(layer)
            continue
        flush_blocks()
        resolution = "LR" if factor == 1 else f"LR x{factor}"
        if type(layer).__name__ == "MeanShift":
            what = "subtract the DIV2K mean colour" if layer.sign < 0 else "add the DIV2K mean colour back"
        elif type(layer).__name__ == "PixelShuffle":
            factor *= layer.block_size
            resolution = f"LR x{factor}"
            what = f"pixel shuffle x{layer.block_size}: channels -> {layer.block_size}x{layer.block_size} pixels"
        elif type(layer).__name__ == "Add":
            what = "global skip: + head output"
        else:
            what = f"conv {layer.kernel_size[0]}x{layer.kernel_size[1]}, {layer.filters} channels"
        rows.append((layer.name, what, resolution, layer.count_params()))
    flush_blocks()
    return rows


def architecture_figure(model) -> plt.Figure:
    """EDSR drawn from the model itself: one box per step (residual blocks grouped), the resolution it works
    at, its parameter count, and the global skip connection."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    rows = _architecture_rows(model)
    height = 0.62 * len(rows) + 0.6
    figure, axis = plt.subplots(figsize=(9, height))
    axis.set(xlim=(-0.8, 10), ylim=(-len(rows) + 0.2, 1.2))
    axis.axis("off")
    colours = {"LR": "#dbe9f6"}
    centres = {}
    for index, (name, what, resolution, parameters) in enumerate(rows):
        y = -index
        colour = colours.get(resolution, "#fde2c8" if resolution.endswith("x2") else "#f9c9a7")
        axis.add_patch(FancyBboxPatch((0.3, y - 0.3), 7.2, 0.6, boxstyle="round,pad=0.02", facecolor=colour))
        axis.text(0.45, y + 0.08, what, fontsize=8.5, va="center")
        axis.text(0.45, y - 0.17, name, fontsize=7, color="dimgrey", va="center")
        axis.text(
            7.7, y, f"{resolution}\n{parameters:,} params" if parameters else resolution, fontsize=7.5, va="center"
        )
        centres[name] = y
        if index:
            axis.annotate("", (3.9, y + 0.3), (3.9, y + 0.7), arrowprops={"arrowstyle": "->", "color": "grey"})
    head = next((y for name, y in centres.items() if name == "head"), None)
    skip = next((y for name, y in centres.items() if name == "global_skip"), None)
    if head is not None and skip is not None:
        axis.add_patch(
            FancyArrowPatch(
                (0.3, head), (0.3, skip), connectionstyle="arc3,rad=0.35", arrowstyle="->", color="C3", lw=1.5
            )
        )
        axis.text(-0.75, (head + skip) / 2, "skip", color="C3", fontsize=8, va="center")
    total = model.count_params()
    axis.set_title(
        f"{model.name}: {total:,} parameters (blue: LR resolution, orange: after pixel shuffle)", fontsize=10
    )
    figure.tight_layout()
    return figure


def show_architecture(model) -> None:
    """Show :func:`architecture_figure` now."""
    architecture_figure(model)
    plt.show()
