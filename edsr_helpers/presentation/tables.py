"""Tables in a notebook: any rows as Markdown, and an evaluation with bicubic and the model side by side."""

from __future__ import annotations

from collections.abc import Sequence

#: Published EDSR-baseline PSNR on DIV2K validation, per scale, from the official EDSR-PyTorch README. It is RGB
#: PSNR with a border of ``scale + 6`` pixels left out (that code's DIV2K convention), not this series' shave of
#: ``scale``, so it is shown as a reference line, not as a number to subtract from ours.
PUBLISHED_DIV2K_BASELINE_RGB: dict[int, float] = {2: 34.61, 3: 30.92, 4: 28.95}


def show_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Display rows as a Markdown table (renders in Jupyter, reads as text elsewhere)."""
    from IPython.display import Markdown, display

    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    display(Markdown("\n".join(lines)))


def _model_key(rows: list[dict[str, float | str]]) -> str:
    """The prefix of the model's columns in evaluation rows (``edsr``): the one that is not bicubic's."""
    from edsr_helpers import models

    for column in rows[0] if rows else ():
        if column.endswith("_psnr_y") and not column.startswith("bicubic_"):
            return column.removesuffix("_psnr_y")
    return models.DEFAULT_KEY


def show_evaluation(rows: list[dict[str, float | str]], *, published_scale: int | None = None) -> None:
    """Display :func:`edsr_helpers.training.evaluate`'s rows as a table: bicubic and the model side by side, gain in
    the last column; the model's columns are headed by its model folder's name (``EDSR PSNR-Y``).

    With ``published_scale`` (for DIV2K validation results) a last row gives the published EDSR-baseline.
    """
    from edsr_helpers import models

    key = _model_key(rows)
    name = models.folders()[key].name if key in models.folders() else key
    header = [
        "image",
        "bicubic PSNR-Y",
        f"{name} PSNR-Y",
        "bicubic SSIM-Y",
        f"{name} SSIM-Y",
        "bicubic RGB",
        f"{name} RGB",
        "gain (Y)",
    ]
    table = [
        [
            row["image"],
            f"{row['bicubic_psnr_y']:.2f}",
            f"{row[f'{key}_psnr_y']:.2f}",
            f"{row['bicubic_ssim_y']:.4f}",
            f"{row[f'{key}_ssim_y']:.4f}",
            f"{row['bicubic_psnr_rgb']:.2f}",
            f"{row[f'{key}_psnr_rgb']:.2f}",
            f"{row[f'{key}_psnr_y'] - row['bicubic_psnr_y']:+.2f} dB",
        ]
        for row in rows
    ]
    if published_scale in PUBLISHED_DIV2K_BASELINE_RGB and key == models.DEFAULT_KEY:
        published = PUBLISHED_DIV2K_BASELINE_RGB[published_scale]
        # published over all 100 DIV2K validation photos; the rows above score the series' validation half
        label = f"EDSR-baseline, official code (all 100 DIV2K val, RGB, border {published_scale + 6} px)"
        table.append([label, "", "", "", "", "", f"{published:.2f}", ""])
    show_table(header, table)
