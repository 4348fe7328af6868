"""Train the EDSR-baseline weights that ship in ``edsr_helpers/weights/``, and write their model card.

One reproducible command per scale, offline, on a CPU (``make pretrained``) or, faster, on a GPU through Keras
on JAX (``KERAS_BACKEND=jax``; weights saved there load unchanged in Keras on TensorFlow):

- training data: the 12 offline *training* photos (never the validation photos) plus, with ``--wallpapers``,
  the 11 photographs of Debian's ``plasma-workspace-wallpapers`` downscaled by 2 (the v1 recipe), or, with
  ``--photographs``, those and the 14 photographs of ``lomiri-wallpapers-16.04`` / ``-20.04``, each shrunk to a
  long side of 1,800 px so JPEG artefacts vanish from the HR targets (the v2 recipe; ``--sampling area`` then
  draws patches in proportion to each photo's area);
- Adam, L1, a warm-up, ``--patch`` px LR patches, the learning rate halved every ``--halving`` steps or decayed
  by a cosine over the run (``--schedule cosine``), the precision that measures fastest, a fixed number of steps;
- ``--init-from`` another scale's weights: the paper's recipe starts x3 and x4 from the trained x2 model
  (every layer but the upsampler is shared; :func:`edsr_helpers.model.copy_matching_weights`);
- ``BackupAndRestore``: an interrupted run resumes when the same command runs again, also days later
  on another machine (``--run-dir`` keeps the backup, the log and ``progress.json``, which adds up the minutes
  and names the machine of every invocation); the patch stream goes on where it stopped instead of replaying;
- the log (loss, validation PSNR per epoch) is kept as ``training_log.csv`` next to the card. Validation
  scores are only logged: the shipped weights are the final ones, not the best on validation.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from pathlib import Path

import keras
import numpy as np

import edsr_helpers as eh
from edsr_helpers import data, pretrained, profiles, recipes, samples, training

ROOT = Path(__file__).resolve().parent.parent
WEIGHTS_DIR = ROOT / "edsr_helpers" / "weights"


def recipe_flags(recipe: recipes.Recipe, steps_per_epoch: int) -> dict:
    """A named recipe as this script's flags, for ``parser.set_defaults`` (flags given explicitly win)."""
    return {
        "photographs": recipe.dataset == "photographs",
        "patch": recipe.lr_patch_size,
        "batch": recipe.batch_size,
        "schedule": recipe.lr_schedule,
        "learning_rate": recipe.learning_rate,
        "warmup": recipe.warmup_steps,
        "sampling": recipe.sampling,
        "steps_per_epoch": steps_per_epoch,
    }


#: The shipped weights' recipe, fixed before training (``edsr_helpers.recipes``: the one place it is written).
V2 = recipes.RECIPES["weights-v2"]
#: Steps between two backups (and log lines) of a weights run.
V2_STEPS_PER_EPOCH = 1000
#: ``--recipe v2`` as this script's flags.
V2_RECIPE = recipe_flags(V2, V2_STEPS_PER_EPOCH)
#: v2's epochs per scale, in training order: x2 first, since x4 and x3 start from it.
V2_EPOCHS = {scale: steps // V2_STEPS_PER_EPOCH for scale, steps in V2.steps.items()}
#: The scale whose trained weights v2's other scales start from (Lim et al. 2017, Fig. 4).
V2_INIT_SCALE = 2

#: The realistic x4 weights' recipe: the shipped bicubic-trained x4 fine-tuned on degraded photographs.
REALISTIC = recipes.RECIPES["weights-realistic"]
#: Steps between two backups of the realistic run: a CPU run stopped mid-epoch loses at most these.
REALISTIC_STEPS_PER_EPOCH = 250
#: ``--recipe realistic`` as this script's flags (flags given explicitly win); it trains x4 only.
REALISTIC_RECIPE = {
    **recipe_flags(REALISTIC, REALISTIC_STEPS_PER_EPOCH),
    "degradation": REALISTIC.degradation,
    "clean_share": REALISTIC.clean_share,
    "ema": REALISTIC.ema_momentum,
    "epochs": REALISTIC.steps[4] // REALISTIC_STEPS_PER_EPOCH,
    "scale": 4,
}


def degradation(args: argparse.Namespace) -> str:
    """What the run's weights learn to undo: ``realistic`` when degraded LR inputs are in the data."""
    return "bicubic" if args.degradation == "bicubic" else "realistic"


def file_names(args: argparse.Namespace) -> tuple[str, str, str]:
    """The weights, summary and log names of this run's scale and degradation, in ``--out-dir``."""
    suffix = pretrained.variant_suffix(degradation(args))
    return (
        pretrained.weight_file_name(args.scale, degradation(args)),
        f"summary_x{args.scale}{suffix}.json",
        f"training_log_x{args.scale}{suffix}.csv",
    )


def wallpaper_photos() -> list[np.ndarray]:
    """The wallpaper photographs, downscaled x2 (1280x800) so their JPEG artefacts vanish from the HR targets."""
    paths = samples.wallpaper_paths()
    if len(paths) < len(samples.WALLPAPERS):
        raise SystemExit("--wallpapers needs them all: apt-get install plasma-workspace-wallpapers (or drop the flag)")
    photos = [eh.images.load_image(path) for path in paths]
    return [eh.images.resize_bicubic(photo, (photo.shape[0] // 2, photo.shape[1] // 2)) for photo in photos]


def extra_photographs() -> list[np.ndarray]:
    """Plasma and lomiri photographs, each shrunk to a long side of ``samples.EXTRA_PHOTO_LONG_SIDE``."""
    plasma, lomiri = samples.wallpaper_paths(), samples.lomiri_paths()
    if len(plasma) < len(samples.WALLPAPERS) or len(lomiri) < len(samples.LOMIRI_PHOTOGRAPHS):
        raise SystemExit(
            "--photographs needs them all: apt-get install plasma-workspace-wallpapers lomiri-wallpapers-16.04 "
            f"lomiri-wallpapers-20.04 (found {len(plasma)} of {len(samples.WALLPAPERS)} and {len(lomiri)} of "
            f"{len(samples.LOMIRI_PHOTOGRAPHS)}; samples.WALLPAPER_DIR / LOMIRI_DIR say where they are looked for)"
        )
    return [samples.shrink_to_long_side(eh.images.load_image(path)) for path in plasma + lomiri]


def init_scale(path: Path) -> int:
    """The scale of a weights file named as :func:`edsr_helpers.pretrained.weight_file_name` names them."""
    match = re.fullmatch(r"edsr_baseline_x(\d)(?:_realistic)?\.weights\.h5", path.name)
    if not match or int(match.group(1)) not in eh.constants.SCALES:
        raise SystemExit(f"--init-from wants a file named like {pretrained.weight_file_name(2)}, not {path.name}")
    if not path.exists():
        raise SystemExit(f"--init-from {path}: no such file (train that scale first)")
    return int(match.group(1))


def read_progress(run_dir: Path, fresh: bool) -> dict:
    """The run's invocations so far (``progress.json``); a fresh run forgets an earlier finished run's log."""
    path = run_dir / "progress.json"
    if fresh:
        for stale in (path, run_dir / "log.csv"):
            stale.unlink(missing_ok=True)
        return {"invocations": []}
    return json.loads(path.read_text()) if path.exists() else {"invocations": []}


def init_text(summary: dict) -> str:
    initial = summary.get("init_from")
    if not initial:
        return ""
    text = f"; started from the trained x{initial['scale']} model's {initial['layers']} shared layers"
    if "source_steps" in initial:  # which x2 it was: recorded since the v2 x2 of one run was lost with build/
        text += f" ({initial['source_recipe']} recipe, {initial['source_steps']:,} steps)"
    return text


def init_source(path: Path) -> dict:
    """The recipe and steps of the weights a run starts from, read from their ``summary_x<scale>.json``.

    Why: the card must say which x2 a x3 or x4 started from (v1's 6,000 steps and v2's 15,000 share one file
    name); weights without a summary next to them say nothing more.
    """
    summary_path = path.with_name(f"summary_x{init_scale(path)}.json")
    if not summary_path.exists():
        return {}
    summary = json.loads(summary_path.read_text())
    # v1 summaries name no recipe; later ones say "v2", or None for settings of one's own
    return {"source_recipe": summary.get("recipe", "v1") or "custom", "source_steps": summary["steps"]}


def machines_text(summary: dict) -> str:
    """Where the weights were trained: one machine, or each invocation of a run resumed across machines."""
    invocations = summary.get("invocations")
    if not invocations:
        return (
            f"{summary['machine']}, Keras on {summary.get('backend', 'tensorflow')}; wall time "
            f"{summary['wall_minutes_this_invocation']} minutes (training and per-epoch validation"
            f"{summary.get('note', '')})"
        )
    total = sum(run["minutes"] for run in invocations)
    where = {(run["machine"], run["backend"], run["precision"]) for run in invocations}
    if len(where) == 1:  # one machine, resumed after interruptions: say so once, then the sittings
        machine, backend, precision = where.pop()
        sittings = ", ".join(f"{epoch_range(run)} in {run['minutes']:.1f} min" for run in invocations)
        return (
            f"{machine}, Keras on {backend}, `{precision}`, in {len(invocations)} sitting"
            f"{'s' if len(invocations) > 1 else ''} ({sittings}); wall time {total:.1f} minutes in all "
            "(training and per-epoch validation)"
        )
    parts = [
        f"{epoch_range(run)} on {run['machine']} (Keras on {run['backend']}, `{run['precision']}`, "
        f"{run['minutes']:.1f} min)"
        for run in invocations
    ]
    return f"{'; '.join(parts)}; wall time {total:.1f} minutes in all (training and per-epoch validation)"


def epoch_range(run: dict) -> str:
    """``epochs 5-9`` or ``epoch 4``: the epochs one invocation trained, counted from 1."""
    first, last = run["first_epoch"] + 1, run["last_epoch"]
    return f"epoch {last}" if first == last else f"epochs {first}-{last}"


class ProgressLog(keras.callbacks.Callback):
    """Keep ``progress.json`` true after every epoch, so a run killed between epochs still counts its minutes."""

    def __init__(self, path: Path, progress: dict, first_epoch: int, precision: str):
        super().__init__()
        self.path, self.progress, self.started = path, progress, time.time()
        self.invocation = {
            "first_epoch": first_epoch,
            "last_epoch": first_epoch,
            "minutes": 0.0,
            "machine": eh.backend.device_name(),
            "backend": eh.backend.name(),
            "precision": precision,
        }
        progress["invocations"].append(self.invocation)

    def on_epoch_end(self, epoch, logs=None):
        self.invocation["last_epoch"] = epoch + 1
        self.invocation["minutes"] = round((time.time() - self.started) / 60, 1)
        self.path.write_text(json.dumps(self.progress, indent=2))


def training_command(summary: dict) -> str:
    """The command that made ``summary`` (stored since v2; v1 summaries used the one fixed command)."""
    return summary.get("command", f"python weights_factory/train.py --scale {summary['scale']} --wallpapers")


def schedule_text(summary: dict) -> str:
    warmup = summary.get("warmup", 200)
    start = f"learning rate {summary['learning_rate']:g}" + (f" with a {warmup}-step warm-up" if warmup else "")
    if summary.get("schedule", "halving") == "cosine":
        return f"{start}, cosine decay to 0"
    return f"{start}, halved every {summary['halving']:,} steps"


def sampling_text(summary: dict) -> str:
    """How each patch's photo was chosen (v1 summaries name no sampling: uniform)."""
    if summary.get("sampling", "uniform") == "area":
        return "each patch from a photo chosen in proportion to its area"
    return "each patch from a photo chosen uniformly"


def lomiri_credits() -> str:
    rows = "\n".join(f"| {name} | {author} | {licence} |" for name, author, licence in samples.LOMIRI_PHOTOGRAPHS)
    return f"""## Training photographs and their licences

- scikit-image, sporco and matplotlib sample photos: the licences of those packages.
- Debian `plasma-workspace-wallpapers` (KDE): LGPL-3.
- Debian `lomiri-wallpapers-16.04` / `lomiri-wallpapers-20.04` (UBports), the photographs only:

| file | author | licence |
| --- | --- | --- |
{rows}
"""


def results_table(summary: dict) -> str:
    lines = [
        "| image | bicubic Y | EDSR Y | gain | bicubic SSIM-Y | EDSR SSIM-Y | bicubic RGB | EDSR RGB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in summary["evaluation"]:
        gain = row["edsr_psnr_y"] - row["bicubic_psnr_y"]
        lines.append(
            f"| {row['image']} | {row['bicubic_psnr_y']:.2f} | {row['edsr_psnr_y']:.2f} | {gain:+.2f} "
            f"| {row['bicubic_ssim_y']:.4f} | {row['edsr_ssim_y']:.4f} "
            f"| {row['bicubic_psnr_rgb']:.2f} | {row['edsr_psnr_rgb']:.2f} |"
        )
    return "\n".join(lines)


def scale_section(summary: dict) -> str:
    """How the weights of one scale were made, and their scores on the validation photos."""
    scale = summary["scale"]
    return f"""## x{scale}: `load_pretrained({scale})`, `{pretrained.weight_file_name(scale)}`

`edsr_helpers.model.edsr_preset("baseline", {scale})`: 16 residual blocks, 64 filters,
{eh.model.count_parameters(scale):,} parameters.

- Command: `{training_command(summary)}`. An interrupted run resumes when re-run.
- Data: {"; ".join(summary["sources"])}. LR images by antialiased bicubic downscaling (x{scale}), as DIV2K's.
- Recipe: {summary["lr_patch"]}x{summary["lr_patch"]} LR patches (random aligned crops, 8 rotations/flips),
  {sampling_text(summary)}, batch {summary["batch"]}, L1 loss, Adam (0.9, 0.999, 1e-8),
  {schedule_text(summary)}, {summary["steps"]:,} steps, `{summary["precision"]}`{init_text(summary)}.
- Machine: {machines_text(summary)}.
- Log: `training_log_x{scale}.csv` (loss and validation PSNR per epoch).

Results on the offline validation photos (unseen in training), PSNR in dB, border of {scale} pixels shaved:

{results_table(summary)}
"""


def realistic_table(summary: dict) -> str:
    """Per photo: bicubic, the bicubic-trained weights and the realistic ones, on clean and on degraded LR."""
    reference = summary["reference"]
    lines = [
        "| image | LR | bicubic Y | bicubic-trained Y | realistic Y | bicubic-trained SSIM-Y | realistic SSIM-Y |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label, key, reference_key in (
        ("clean", "evaluation", "clean"),
        ("degraded", "evaluation_degraded", "degraded"),
    ):
        for row, start in zip(summary[key], reference[reference_key], strict=True):
            lines.append(
                f"| {row['image']} | {label} | {row['bicubic_psnr_y']:.2f} | {start['edsr_psnr_y']:.2f} "
                f"| {row['edsr_psnr_y']:.2f} | {start['edsr_ssim_y']:.4f} | {row['edsr_ssim_y']:.4f} |"
            )
    return "\n".join(lines)


def realistic_section(summary: dict) -> str:
    """How the realistic weights were made, and how they compare with the bicubic-trained ones they started from."""
    scale = summary["scale"]
    clean, degraded = summary["evaluation"][-1], summary["evaluation_degraded"][-1]
    start_clean, start_degraded = summary["reference"]["clean"][-1], summary["reference"]["degraded"][-1]
    gain = degraded["edsr_psnr_y"] - start_degraded["edsr_psnr_y"]
    loss = start_clean["edsr_psnr_y"] - clean["edsr_psnr_y"]
    heading = f'x{scale} realistic: `load_pretrained({scale}, degradation="realistic")`'
    return f"""## {heading}, `{pretrained.weight_file_name(scale, "realistic")}`

The same architecture, fine-tuned from the bicubic-trained x{scale} above on photographs degraded the way cameras and
the web degrade them: every training patch's LR drawn afresh from notebook 05's
`edsr_helpers.degradations.DEGRADATIONS["{summary["lr_degradation"]}"]`, {summary["clean_share"]:.0%} of the patches
kept clean{f", the weights averaged over the steps (EMA, momentum {summary['ema']})" if summary.get("ema") else ""}.

- Command: `{training_command(summary)}` (`make pretrained-realistic`). An interrupted run resumes when re-run.
- Data: {"; ".join(summary["sources"])}.
- Recipe: {summary["lr_patch"]}x{summary["lr_patch"]} LR patches, {sampling_text(summary)}, batch {summary["batch"]},
  L1 loss, Adam (0.9, 0.999, 1e-8), {schedule_text(summary)}, {summary["steps"]:,} steps, `{summary["precision"]}`.
- Machine: {machines_text(summary)}.
- Log: `training_log_x{scale}_realistic.csv` (loss, validation PSNR on clean and on degraded inputs per epoch).

Evaluated on the validation photos, with LR images made two ways: *clean* (antialiased bicubic, as for the
weights above) and *degraded* by `edsr_helpers.degradations.degrade_for_evaluation` (blur 1.2, bicubic, Gaussian
noise 5, JPEG 75), one fixed degradation (the same seed for every model). Y-PSNR in dB,
border of {scale} pixels shaved. On degraded inputs the realistic weights lead the bicubic-trained ones by
{gain:+.2f} dB (bar: +{pretrained.realistic_bars()[0]:.2f}); on clean inputs they give up {loss:.2f} dB (bar: at most
{pretrained.realistic_bars()[1]:.1f}).

{realistic_table(summary)}

Use them for phone photos and web images; for clean, already sharp images the bicubic-trained weights are better.
"""


def model_card(summaries: list[dict], realistic: list[dict] | None = None) -> str:
    """The model card: what the weights are, how they were made, how good they are, and what they are not."""
    scales = ", ".join(f"x{summary['scale']}" for summary in summaries)
    sections = "\n".join(scale_section(summary) for summary in summaries)
    sections += "".join("\n" + realistic_section(summary) for summary in realistic or [])
    most_steps = max((summary["steps"] for summary in summaries), default=0)
    realistic_hint = (
        '; or use the realistic weights (`degradation="realistic"`, below), fine-tuned for such photos'
        if realistic
        else ""
    )
    return f"""# Model card: EDSR-baseline {scales}, trained for this series

`edsr_helpers.pretrained.load_pretrained(scale)` loads the weights for one scale into the EDSR-baseline
architecture of Lim et al. (2017). No network is needed; the models save and reload with `safe_mode=True`.

## What they are not

They are **not DIV2K-trained** and not the published EDSR-baseline: each saw at most {most_steps:,} steps
of patches from a few dozen offline photographs (below), a small fraction of the official code's 300k steps
on 800 DIV2K photos. Expect clearly lower numbers than published models (28.95 dB RGB on DIV2K validation
for the official baseline x4, with a border of scale + 6 pixels left out).

They learned one degradation only: bicubic downscaling of clean photographs. They do not remove noise, blur
or JPEG artefacts; in a phone photo or a compressed JPEG, the noise and the 8x8 blocks are enlarged and
sharpened along with the detail. Downscale such a photo first (which averages noise away), or expect it{realistic_hint}.

## How they were checked

The validation photos (barbara, monarch, coffee) were never used for training or for choosing the weights:
the shipped weights are the final ones. PSNR in dB; Y = luma of BT.601 YCbCr with a border of `scale` pixels
shaved (the papers' protocol); RGB PSNR with the same shave. Reproduce with
`python -m pytest tests/test_pretrained.py` or notebook 04.

{sections}
{lomiri_credits() if any("lomiri" in " ".join(summary["sources"]) for summary in summaries) else ""}
{(WEIGHTS_DIR / "history.md").read_text()}"""


def write_model_card(weights_dir: Path = WEIGHTS_DIR) -> Path:
    """(Re)write MODEL_CARD.md from the ``summary_x*.json`` of every scale whose weights are in ``weights_dir``."""
    summaries = [
        json.loads((weights_dir / f"summary_x{scale}.json").read_text())
        for scale in eh.constants.SCALES
        if (weights_dir / f"summary_x{scale}.json").exists()
        and (weights_dir / pretrained.weight_file_name(scale)).exists()
    ]
    realistic = [
        json.loads((weights_dir / f"summary_x{scale}_realistic.json").read_text())
        for scale in eh.constants.SCALES
        if (weights_dir / f"summary_x{scale}_realistic.json").exists()
        and (weights_dir / pretrained.weight_file_name(scale, "realistic")).exists()
    ]
    path = weights_dir / "MODEL_CARD.md"
    path.write_text(model_card(summaries, realistic))
    return path


def recipe_name(args: argparse.Namespace) -> str | None:
    """``"v2"`` (or ``"realistic"``) when the settings are that recipe's, however they were given (``--recipe``
    or every flag by hand)."""
    if all(getattr(args, key) == value for key, value in REALISTIC_RECIPE.items()) and not args.wallpapers:
        return "realistic"
    if degradation(args) != "bicubic":
        return None
    v2 = all(getattr(args, key) == value for key, value in V2_RECIPE.items())
    v2 = v2 and args.epochs == V2_EPOCHS.get(args.scale) and not args.wallpapers
    v2 = v2 and (args.scale == V2_INIT_SCALE or (args.init_from is not None and init_scale(args.init_from) == 2))
    return "v2" if v2 else None


def already_trained(args: argparse.Namespace) -> dict | None:
    """The summary in ``--out-dir`` of a finished run with these very settings, else None.

    Why: a finished run's backup is gone (BackupAndRestore deletes it at the end), so running ``make pretrained``
    again after x2 finished would train x2 again from scratch, hours of CPU, instead of going on with x4.
    """
    weights_name, summary_name, _ = file_names(args)
    summary_path = args.out_dir / summary_name
    if not summary_path.exists() or not (args.out_dir / weights_name).exists():
        return None
    summary = json.loads(summary_path.read_text())
    wanted = {
        "steps": args.epochs * args.steps_per_epoch,
        "batch": args.batch,
        "lr_patch": args.patch,
        "learning_rate": args.learning_rate,
        "halving": args.halving,
        "warmup": args.warmup,
        "schedule": args.schedule,
        "sampling": args.sampling,
        "recipe": recipe_name(args),
        "lr_degradation": args.degradation,
        "clean_share": args.clean_share,
        "ema": args.ema,
    }
    if degradation(args) == "bicubic":  # summaries older than realistic weights do not name these
        for key in ("lr_degradation", "clean_share", "ema"):
            wanted.pop(key)
    return summary if all(summary.get(key) == value for key, value in wanted.items()) else None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; ``--recipe v2`` fills in the v2 recipe where a flag is not given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument(
        "--recipe",
        choices=("v2", "realistic"),
        help=(
            "v2: the recipe of the shipped weights (V2_RECIPE, V2_EPOCHS; x3/x4 start from x2 in --out-dir); "
            "realistic: the shipped x4 fine-tuned on degraded photographs (REALISTIC_RECIPE); flags given win"
        ),
    )
    parser.add_argument("--epochs", type=int, default=24)
    parser.add_argument("--steps-per-epoch", type=int, default=250)
    parser.add_argument("--learning-rate", type=float, default=5e-4)
    parser.add_argument("--halving", type=int, default=2500, help="halve the learning rate every N steps")
    parser.add_argument("--wallpapers", action="store_true", help="v1: add plasma's wallpaper photographs, halved")
    parser.add_argument(
        "--photographs",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="v2: add plasma's and lomiri's photographs, long side 1,800 px",
    )
    cpu_patch = profiles.PROFILES["cpu"].recipe.lr_patch_size
    parser.add_argument("--patch", type=int, default=cpu_patch, help="LR patch side")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=200, help="linear warm-up steps")
    parser.add_argument("--schedule", choices=("halving", "cosine"), default="halving")
    parser.add_argument("--sampling", choices=data.SAMPLINGS, default="uniform", help="how photos are chosen")
    parser.add_argument(
        "--degradation",
        choices=recipes.LR_DEGRADATIONS,
        default="bicubic",
        help="draw every patch's LR afresh from this random family (edsr_helpers.degradations.DEGRADATIONS)",
    )
    parser.add_argument("--clean-share", type=float, default=0.0, help="with --degradation: patches kept clean")
    parser.add_argument("--ema", type=float, help="validate and save a moving average of the weights (e.g. 0.999)")
    parser.add_argument("--init-from", type=Path, help="start from another scale's weights (the paper: x2 for x3/x4)")
    parser.add_argument("--out-dir", type=Path, default=WEIGHTS_DIR, help="weights, log and summary (and card)")
    parser.add_argument("--run-dir", type=Path, help="checkpoints and log (default: build/pretrained-run-x<scale>)")
    parser.add_argument("--card-only", action="store_true", help="only rewrite MODEL_CARD.md from the summaries")
    parser.add_argument(
        "--skip-trained",
        action="store_true",
        help="do nothing when --out-dir already holds this scale trained with these settings (make pretrained)",
    )
    args = parser.parse_args(argv)
    if args.recipe == "v2":
        parser.set_defaults(**V2_RECIPE, epochs=V2_EPOCHS.get(args.scale, 0))
        args = parser.parse_args(argv)
        if args.scale != V2_INIT_SCALE and args.init_from is None:
            args.init_from = args.out_dir / pretrained.weight_file_name(V2_INIT_SCALE)
    if args.recipe == "realistic":
        parser.set_defaults(**REALISTIC_RECIPE)
        args = parser.parse_args(argv)
        if args.scale != 4:
            raise SystemExit("--recipe realistic trains x4 only (it fine-tunes the shipped x4 weights)")
        if args.init_from is None:
            args.init_from = pretrained.weights_path(4)
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.card_only:
        print(f"wrote {write_model_card()}")
        return
    if args.scale not in eh.constants.SCALES:
        raise SystemExit(f"--scale must be one of {eh.constants.SCALES}")
    if args.skip_trained and (finished := already_trained(args)):
        print(
            f"x{args.scale} is already trained with these settings ({args.out_dir / file_names(args)[1]}: "
            f"{finished['steps']} steps, {finished['wall_minutes']} min): skipped; delete that file to train it again"
        )
        return

    recipe = recipes.Recipe(
        recipe_name(args) or "weights",
        "pretrained weights",
        dataset="photographs" if args.photographs else "sample",
        lr_patch_size=args.patch,
        batch_size=args.batch,
        learning_rate=args.learning_rate,
        lr_schedule=args.schedule,
        lr_halving_steps=args.halving,
        warmup_steps=args.warmup,
        sampling=args.sampling,
        degradation=args.degradation,
        clean_share=args.clean_share,
        ema_momentum=args.ema,
    )
    profile = profiles.Profile(
        "pretrained",
        "pretrained weights",
        recipe,
        scale=args.scale,
        epochs=args.epochs,
        steps_per_epoch=args.steps_per_epoch,
    )
    photos = [samples.load_photo(name) for name in samples.TRAIN_PHOTOS]
    sources = [f"{len(photos)} offline training photos ({', '.join(samples.TRAIN_PHOTOS)})"]
    if args.wallpapers:
        extra = wallpaper_photos()
        photos += extra
        sources.append(f"{len(extra)} Debian plasma-workspace-wallpapers photographs, downscaled x2 to 1280x800")
    if args.photographs:
        extra = extra_photographs()
        photos += extra
        sources.append(
            f"{len(samples.WALLPAPERS)} Debian plasma-workspace-wallpapers and {len(samples.LOMIRI_PHOTOGRAPHS)} "
            f"lomiri-wallpapers photographs, each shrunk to a long side of {samples.EXTRA_PHOTO_LONG_SIDE} px"
        )
    run_dir = args.run_dir or ROOT / "build" / f"pretrained-run-x{args.scale}"
    run_dir.mkdir(parents=True, exist_ok=True)
    done = training.completed_epochs(run_dir)
    progress = read_progress(run_dir, fresh=done == 0)
    pairs = data.pairs_from_images(photos, args.scale)
    if args.degradation != "bicubic":
        sources.append(
            f"every patch's LR drawn afresh from the {args.degradation} degradations "
            f"(edsr_helpers.degradations.DEGRADATIONS), {args.clean_share:.0%} kept clean"
        )
    train = data.make_train_dataset_for(profile, pairs, start=done * args.steps_per_epoch)
    val_pairs = data.load_sample(args.scale, "validation")
    bicubic = training.bicubic_psnr(val_pairs, args.scale)
    degraded_val = [(eh.degradations.degrade_for_evaluation(hr, args.scale), hr) for _, hr in val_pairs]

    precision = training.choose_precision()
    keras.utils.set_random_seed(0)
    keras.config.set_dtype_policy(precision)
    model = training.compile_for_training(recipe.build_model(args.scale), profile)
    keras.config.set_dtype_policy("float32")
    init_from = None
    if args.init_from:  # a resumed run's backup overwrites this with its own weights when fit starts
        source = recipe.build_model(init_scale(args.init_from))
        source.load_weights(args.init_from)
        copied = eh.model.copy_matching_weights(source, model)
        init_from = {"scale": init_scale(args.init_from), "layers": len(copied), "file": args.init_from.name}
        init_from |= init_source(args.init_from)
        print(f"started from x{init_from['scale']}: {len(copied)} layers copied ({', '.join(copied)})")

    realistic = degradation(args) == "realistic"
    callbacks = [  # no best-on-validation checkpoint: validation is only watched, never selected on
        training.backup_and_restore(run_dir),  # first: it backs up the trained weights, not their average
        keras.callbacks.TerminateOnNaN(),
        *([keras.callbacks.SwapEMAWeights(swap_on_epoch=True)] if args.ema else []),  # what is scored and kept
        *([training.ScoreOnPairs(degraded_val, args.scale, "degraded")] if realistic else []),
        keras.callbacks.CSVLogger(str(run_dir / "log.csv"), append=True),
        ProgressLog(run_dir / "progress.json", progress, done, precision),
    ]
    print(f"training x{args.scale} on {' + '.join(sources)}; {precision}; bicubic {bicubic:.2f} dB", flush=True)
    if done:
        print(f"resuming after epoch {done} of {args.epochs} (backup in {run_dir / 'backup'})", flush=True)
    started = time.time()
    model.fit(
        train,
        epochs=args.epochs,
        steps_per_epoch=args.steps_per_epoch,
        validation_data=data.as_validation_dataset(val_pairs),
        validation_steps=len(val_pairs),
        callbacks=callbacks,
        shuffle=False,
        verbose=2,
    )
    wall_minutes = (time.time() - started) / 60  # of this invocation; progress.json adds the earlier ones

    out = args.out_dir
    out.mkdir(parents=True, exist_ok=True)
    weights_name, summary_name, log_name = file_names(args)
    target = out / weights_name
    float32_model = recipe.build_model(args.scale)
    float32_model.set_weights(model.get_weights())
    float32_model.save_weights(target)
    shutil.copy(run_dir / "log.csv", out / log_name)

    reloaded = recipe.build_model(args.scale)
    reloaded.load_weights(target)
    rows = training.evaluate(reloaded, val_pairs, args.scale, names=samples.VALIDATION_PHOTOS)
    extra = {}
    if realistic:  # judged against the weights it started from, on clean and degraded inputs
        names = samples.VALIDATION_PHOTOS
        extra["evaluation_degraded"] = training.evaluate(reloaded, degraded_val, args.scale, names=names)
        start = recipe.build_model(args.scale)
        start.load_weights(args.init_from)
        extra["reference"] = {
            "weights": str(args.init_from.name),
            "clean": training.evaluate(start, val_pairs, args.scale, names=names),
            "degraded": training.evaluate(start, degraded_val, args.scale, names=names),
        }
    summary = {
        "scale": args.scale,
        "sources": sources,
        "steps": args.epochs * args.steps_per_epoch,
        "batch": profile.recipe.batch_size,
        "lr_patch": profile.recipe.lr_patch_size,
        "learning_rate": args.learning_rate,
        "halving": args.halving,
        "warmup": args.warmup,
        "schedule": args.schedule,
        "sampling": args.sampling,
        "precision": precision,
        "wall_minutes_this_invocation": round(wall_minutes, 1),
        "wall_minutes": round(sum(run["minutes"] for run in progress["invocations"]), 1),
        "invocations": progress["invocations"],
        "init_from": init_from,
        "recipe": recipe_name(args),
        "machine": eh.backend.device_name(),
        "backend": eh.backend.name(),
        "command": "python weights_factory/train.py " + " ".join(sys.argv[1:]),
        "degradation": degradation(args),
        "lr_degradation": args.degradation,
        "clean_share": args.clean_share,
        "ema": args.ema,
        "evaluation": rows,
        **extra,
    }
    (out / summary_name).write_text(json.dumps(summary, indent=2))
    if out.resolve() == WEIGHTS_DIR.resolve():
        write_model_card()
    print(json.dumps(summary["evaluation"][-1], indent=2))
    print(f"wrote {target} ({target.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
