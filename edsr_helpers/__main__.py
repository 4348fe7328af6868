"""Upscale photos from the command line with the shipped pretrained weights (or a model of your own).

    python -m edsr_helpers photo.jpg                 # -> photo_edsr_x4.png next to it
    python -m edsr_helpers a.png b.jpg --scale 2 --plus   # -> a_edsr_plus_x2.png, b_edsr_plus_x2.png
    python -m edsr_helpers photo.jpg --model runs/cpu/edsr.keras -o big.png
    python -m edsr_helpers phone.jpg --degradation realistic   # weights for noisy, blurred, JPEG photos
    python -m edsr_helpers --evaluate original.png --scale 4   # shrink it, upscale it back, score each method
    python -m edsr_helpers --evaluate original.png --lr camera-like --degradation realistic   # ... as a phone would

Each photo is tiled automatically, so any size fits in memory. Existing files are never overwritten unless
``--overwrite`` is given; a file that cannot be read is reported and the others are still done. With
``--evaluate``, each photo is the original: it is shrunk the series' way (bicubic; ``--lr camera-like``: blurred,
shrunk, noisy and JPEG-compressed as in notebook 05), upscaled by bicubic, EDSR and EDSR+, and each is scored
against it (PSNR and SSIM on Y and RGB, a border of ``scale`` pixels left out).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from edsr_helpers.constants import LR_FROM, SCALES

    parser = argparse.ArgumentParser(prog="python -m edsr_helpers", description=__doc__.splitlines()[0])
    parser.add_argument("photos", nargs="+", type=Path, help="photo files to upscale")
    parser.add_argument("--scale", type=int, choices=SCALES, help="upscaling factor (default: the model's, else 4)")
    parser.add_argument("--model", type=Path, help="a .keras model to use instead of the pretrained weights")
    parser.add_argument(
        "--degradation",
        choices=("bicubic", "realistic"),
        default="bicubic",
        help=(
            "which pretrained weights: bicubic (clean photos, the default) or realistic (phone and web photos: "
            "noise, blur, JPEG; -> <name>_edsr_realistic_x<scale>.png)"
        ),
    )
    parser.add_argument("-o", "--output", type=Path, help="output .png (one photo only)")
    parser.add_argument("--plus", action="store_true", help="EDSR+ self-ensemble: 8x slower, a little sharper")
    parser.add_argument("--overwrite", action="store_true", help="replace existing output files")
    parser.add_argument(
        "--evaluate",
        action="store_true",
        help="score instead of upscaling: each photo is the original, shrunk and upscaled back; writes nothing",
    )
    parser.add_argument(
        "--lr",
        choices=LR_FROM,
        help="with --evaluate: how each photo's LR input is made (default bicubic; camera-like: blur, noise, JPEG)",
    )
    args = parser.parse_args(argv)
    if args.lr is not None and not args.evaluate:
        parser.error("--lr says how --evaluate makes its LR input; add --evaluate, or leave --lr out")
    if args.evaluate and (args.output is not None or args.plus):
        parser.error("--evaluate writes nothing and always scores EDSR+: leave out -o/--output and --plus")
    if args.model is not None and args.degradation != "bicubic":
        parser.error("--degradation picks pretrained weights; with --model, your model is used: leave one out")
    if args.output is not None and len(args.photos) > 1:
        parser.error("--output names one file; with several photos, leave it out (each gets <name>_edsr_x<scale>.png)")

    from edsr_helpers import inference, pretrained

    try:
        if args.model is not None:
            model = inference.load_model(args.model)
            if args.scale not in (None, inference.model_scale(model)):
                raise ValueError(
                    f"{args.model} upscales x{inference.model_scale(model)}, not x{args.scale}: drop --scale "
                    "or use a model of that scale."
                )
            args.scale = inference.model_scale(model)
        else:
            args.scale = args.scale or 4
            if args.scale not in pretrained.WEIGHT_FILES:
                shipped = ", ".join(f"x{scale}" for scale in sorted(pretrained.WEIGHT_FILES))
                raise ValueError(
                    f"no pretrained weights ship for x{args.scale} (these do: {shipped}). Pass --model with a "
                    f".keras model trained at x{args.scale} (notebook 03 saves notebooks/runs/<profile>/edsr.keras "
                    f"with EDSR_PROFILE and the scale set), or pick a shipped scale."
                )
            model = pretrained.load_pretrained(args.scale, args.degradation)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.evaluate:
        return _evaluate(args.photos, model, args.scale, args.lr or "bicubic")
    failed = 0
    for photo in args.photos:
        try:
            written = inference.upscale_file(
                photo,
                args.output,
                scale=args.scale,
                model=model,
                self_ensemble=args.plus,
                overwrite=args.overwrite,
                degradation=args.degradation,
            )
        except inference.TargetExistsError as error:
            advice = "add --overwrite, or name another file with -o"
            print(f"skipped {photo}: {error.target} already exists; {advice}", file=sys.stderr)
            failed += 1
            continue
        except inference.TargetNotPngError as error:
            print(f"skipped {photo}: -o/--output must name a .png file (lossless), not {error.target}", file=sys.stderr)
            failed += 1
            continue
        except (OSError, ValueError) as error:
            print(f"skipped {photo}: {error}", file=sys.stderr)
            failed += 1
            continue
        print(f"{photo} -> {written} (x{args.scale})")
    return 1 if failed else 0


def _evaluate(photos: list[Path], model, scale: int, lr_from: str) -> int:
    """Print a score table for each photo; one that cannot be read or is too small is reported, the others done."""
    from edsr_helpers import inference

    failed = 0
    for photo in photos:
        try:
            rows = inference.evaluate_photo(model, photo, lr_from=lr_from)
        except (OSError, ValueError) as error:
            print(f"skipped {photo}: {error}", file=sys.stderr)
            failed += 1
            continue
        print(f"{photo}, x{scale}, {lr_from} LR (the photo is the reference; border of {scale} px left out):")
        print(inference.evaluation_table(rows))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
