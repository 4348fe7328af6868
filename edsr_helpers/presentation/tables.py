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


def show_evaluation(rows: list[dict[str, float | str]], *, published_scale: int | None = None) -> None:
    """Display :func:`edsr_helpers.training.evaluate`'s rows as a table: bicubic and EDSR side by side, gain in
    the last column.

    With ``published_scale`` (for DIV2K validation results) a last row gives the published EDSR-baseline.
    """
    header = [
        "image",
        "bicubic PSNR-Y",
        "EDSR PSNR-Y",
        "bicubic SSIM-Y",
        "EDSR SSIM-Y",
        "bicubic RGB",
        "EDSR RGB",
        "gain (Y)",
    ]
    table = [
        [
            row["image"],
            f"{row['bicubic_psnr_y']:.2f}",
            f"{row['edsr_psnr_y']:.2f}",
            f"{row['bicubic_ssim_y']:.4f}",
            f"{row['edsr_ssim_y']:.4f}",
            f"{row['bicubic_psnr_rgb']:.2f}",
            f"{row['edsr_psnr_rgb']:.2f}",
            f"{row['edsr_psnr_y'] - row['bicubic_psnr_y']:+.2f} dB",
        ]
        for row in rows
    ]
    if published_scale in PUBLISHED_DIV2K_BASELINE_RGB:
        published = PUBLISHED_DIV2K_BASELINE_RGB[published_scale]
        # published over all 100 DIV2K validation photos; the rows above score the series' validation half
        label = f"EDSR-baseline, official code (all 100 DIV2K val, RGB, border {published_scale + 6} px)"
        table.append([label, "", "", "", "", "", f"{published:.2f}", ""])
    show_table(header, table)
