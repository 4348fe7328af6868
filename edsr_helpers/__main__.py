"""Upscale photos from the command line with the shipped pretrained weights (or a model of your own).

    edsr-upscale photo.jpg                 # -> photo_edsr_x4.png next to it
    edsr-upscale a.png b.jpg --scale 2 --plus   # -> a_edsr_plus_x2.png, b_edsr_plus_x2.png
    edsr-upscale photo.jpg --model runs/cpu/edsr.keras -o big.png
    edsr-upscale --evaluate original.png --scale 4   # shrink it, upscale it back, score each method
    edsr-upscale --evaluate original.png --lr camera-like   # ... with an LR made as a phone would make it

(``python -m edsr_helpers`` is the same command.) Each photo is tiled and its result written band by band, so
any size fits in memory, with a progress bar when a photo takes more than a few seconds. A result is written to a
temporary file and renamed into place, so an interrupted run never leaves a truncated file. Existing files are
never overwritten unless ``--overwrite`` is given, and a photo being upscaled never is, even then; two photos
whose results would get one name are refused before any work. A photo that fails (unreadable, too large, out of
memory) is reported in one line and the others are still done; the exit code is then 1. ``--degradation`` appears
when weights trained on realistic degradations ship. With ``--evaluate``, each photo is the original: it is shrunk
the series' way (bicubic; ``--lr camera-like``: blurred, shrunk, noisy and JPEG-compressed as in notebook 05),
upscaled by bicubic, EDSR and EDSR+, and each is scored against it (PSNR and SSIM on Y and RGB, a border of
``scale`` pixels left out).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import warnings
from pathlib import Path


def program_name(argv0: str | None = None) -> str:
    """The name the user typed: ``edsr-upscale``, or ``python -m edsr_helpers`` (whose argv[0] is __main__.py)."""
    argv0 = sys.argv[0] if argv0 is None and sys.argv else argv0
    invoked = os.path.basename(argv0 or "")
    return "python -m edsr_helpers" if invoked in ("", "-c", "__main__.py", "-m") else invoked


def main(argv: list[str] | None = None) -> int:
    from edsr_helpers import pretrained
    from edsr_helpers.constants import LR_FROM, SCALES

    parser = argparse.ArgumentParser(prog=program_name(), description=__doc__.splitlines()[0])
    parser.add_argument("photos", nargs="+", type=Path, help="photo files to upscale")
    parser.add_argument("--scale", type=int, choices=SCALES, help="upscaling factor (default: the model's, else 4)")
    parser.add_argument("--model", type=Path, help="a .keras model to use instead of the pretrained weights")
    degradations = pretrained.offered_degradations()
    if len(degradations) > 1:  # offered only when weights for another degradation than bicubic ship
        parser.add_argument(
            "--degradation",
            choices=degradations,
            default="bicubic",
            help=(
                "which pretrained weights: bicubic (clean photos, the default) or realistic (phone and web photos: "
                "noise, blur, JPEG; -> <name>_edsr_realistic_x<scale>.png)"
            ),
        )
    parser.add_argument("-o", "--output", type=Path, help="output .png (one photo only)")
    parser.add_argument("--plus", action="store_true", help="EDSR+ self-ensemble: 8x slower, a little sharper")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace existing output files (never a photo being upscaled)"
    )
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
    args.degradation = getattr(args, "degradation", "bicubic")
    if args.lr is not None and not args.evaluate:
        parser.error("--lr says how --evaluate makes its LR input; add --evaluate, or leave --lr out")
    if args.evaluate and (args.output is not None or args.plus):
        parser.error("--evaluate writes nothing and always scores EDSR+: leave out -o/--output and --plus")
    if args.model is not None and args.degradation != "bicubic":
        parser.error("--degradation picks pretrained weights; with --model, your model is used: leave one out")
    if args.output is not None and len(args.photos) > 1:
        parser.error("--output names one file; with several photos, leave it out (each gets <name>_edsr_x<scale>.png)")

    from edsr_helpers import backend

    missing = backend.missing_engine()
    if missing:
        print(f"error: {missing}", file=sys.stderr)
        return 2
    from edsr_helpers import inference
    from edsr_helpers.model import model_scale

    if args.model is None:
        args.scale = args.scale or 4
        if not args.evaluate:  # the scale is known: refuse clashing names before loading anything
            refusal = _refuse_clashes(args, inference)
            if refusal:
                print(f"error: {refusal}", file=sys.stderr)
                return 2
    try:
        if args.model is not None:
            model = inference.load_model(args.model)
            if args.scale not in (None, model_scale(model)):
                raise ValueError(
                    f"{args.model} upscales x{model_scale(model)}, not x{args.scale}: drop --scale "
                    "or use a model of that scale."
                )
            args.scale = model_scale(model)
        else:
            if args.scale not in pretrained.WEIGHT_FILES:
                shipped = ", ".join(f"x{scale}" for scale in sorted(pretrained.WEIGHT_FILES))
                raise ValueError(
                    f"no pretrained weights ship for x{args.scale} (these do: {shipped}). Pass --model with a "
                    f".keras model trained at x{args.scale} (notebook 03 saves notebooks/runs/<profile>/edsr.keras "
                    f"with EDSR_PROFILE and the scale set), or pick a shipped scale."
                )
            model = pretrained.load_pretrained(args.scale, args.degradation)
    except inference.WeightsFileError as error:
        print(f"error: {error} For the shipped weights, leave --model out and pick --scale.", file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.evaluate:
        trained_on = "bicubic-trained" if args.degradation == "bicubic" else args.degradation
        weights = str(args.model) if args.model is not None else f"the shipped {trained_on} weights"
        return _evaluate(args.photos, model, args.scale, args.lr or "bicubic", weights)
    refusal = _refuse_clashes(args, inference) if args.model is not None else None  # its scale is known now
    if refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return 2
    failed = 0
    for photo in args.photos:
        try:
            with _notes_on_stderr(inference.ResultSizeWarning):
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
        except Exception as error:  # noqa: BLE001 - one photo's failure, whatever it is, must not stop the others
            print(f"skipped {photo}: {one_line(error)}", file=sys.stderr)
            failed += 1
            continue
        print(f"{photo} -> {written} (x{args.scale})")
    return 1 if failed else 0


def _refuse_clashes(args, inference) -> str | None:
    """Why this run must not start, or None: a result that would be written over one of the photos (even through
    a link), or two photos whose results would get one name (the second would replace the first)."""
    targets: dict[object, Path] = {}
    for photo in args.photos:
        name = inference.output_name(photo.name, args.scale, args.plus, args.degradation)
        target = args.output if args.output is not None else photo.with_name(name)
        for source in args.photos:
            if inference.same_file(target, source):
                same = "is" if os.path.abspath(target) == os.path.abspath(source) else "is the same file as"
                return (
                    f"the result of {photo} would be written to {target}, which {same} the photo {source}; a photo "
                    "being upscaled is never overwritten, even with --overwrite. Name another file with -o."
                )
        key = _file_key(target)
        if key in targets:
            return (
                f"{targets[key]} and {photo} would both be written to {target}; nothing was done. Upscale them in "
                "separate runs with -o, or rename one of them."
            )
        targets[key] = photo
    return None


def _file_key(path: Path) -> object:
    """What identifies the file a path leads to: its device and inode when it exists, else its resolved path."""
    try:
        status = os.stat(path)
        return (status.st_dev, status.st_ino)
    except OSError:
        return os.path.normcase(os.path.realpath(path))


def one_line(error: BaseException) -> str:
    """An exception as one line a user can act on: its message, named by kind when the message alone is unclear."""
    if isinstance(error, MemoryError):
        detail = f" ({error})" if str(error) else ""
        return f"out of memory{detail}; close other programs, use a smaller --scale, leave out --plus, or shrink it"
    text = " ".join(str(error).split()) or "no details"
    return text if isinstance(error, (OSError, ValueError)) else f"{type(error).__name__}: {text}"


@contextlib.contextmanager
def _notes_on_stderr(category: type[Warning]):
    """Print warnings of ``category`` as one ``note:`` line each on stderr (not Python's two-line format)."""
    shown = warnings.showwarning

    def show(message, kind, *args, **kwargs):
        if issubclass(kind, category):
            print(f"note: {message}", file=sys.stderr)
        else:
            shown(message, kind, *args, **kwargs)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = shown


def _evaluate(photos: list[Path], model, scale: int, lr_from: str, weights: str) -> int:
    """Print a score table for each photo, headed by the weights scored (the method rows name only the model); one
    that fails (unreadable, too small, out of memory) is reported in one line, the others done."""
    from edsr_helpers import inference

    failed = 0
    for photo in photos:
        try:
            rows = inference.evaluate_photo(model, photo, lr_from=lr_from)
        except Exception as error:  # noqa: BLE001 - one photo's failure must not stop the others
            print(f"skipped {photo}: {one_line(error)}", file=sys.stderr)
            failed += 1
            continue
        print(f"{photo}, x{scale}, {lr_from} LR, {weights}", end=" ")
        print(f"(the photo is the reference; border of {scale} px left out):")
        print(inference.evaluation_table(rows))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
