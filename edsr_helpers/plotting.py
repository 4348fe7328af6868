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


def show_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Display rows as a Markdown table (renders in Jupyter, reads as text elsewhere)."""
    from IPython.display import Markdown, display

    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    display(Markdown("\n".join(lines)))


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
    from edsr_helpers.metrics import psnr

    scale = scale or hr.shape[0] // lr.shape[0]
    top, left, size = crop or (0, 0, max(hr.shape[:2]))
    region = (slice(top, top + size), slice(left, left + size))
    lr_region = (slice(top // scale, (top + size) // scale), slice(left // scale, (left + size) // scale))
    images = [lr[lr_region]]
    titles = ["LR (input)"]
    for name, image in outputs.items():
        images.append(image[region])
        titles.append(f"{name}\n{psnr(hr, image, shave=scale, y_only=True):.2f} dB")
    images.append(hr[region])
    titles.append("HR (ground truth)")
    return grid_figure(images, titles, size=3.0)


def show_comparison(lr, hr, outputs, *, crop=None, scale=None) -> None:
    """Show :func:`comparison_figure` now (PSNR in the titles is for the whole image, not the crop)."""
    comparison_figure(lr, hr, outputs, crop=crop, scale=scale)
    plt.show()
