"""Train the EDSR-baseline weights that ship in ``edsr_helpers/models/edsr/weights/``, and write their model card.

One reproducible command per scale, offline, on a CPU (``make pretrained``) or, faster, on a GPU through Keras
on JAX (``KERAS_BACKEND=jax``; weights saved there load unchanged in Keras on TensorFlow):

- ``--recipe NAME`` runs a recipe of :mod:`edsr_helpers.recipes` (``v2`` and ``realistic`` are the shipped
  weights' ``weights-v2`` and ``weights-realistic``); the flags given (``--patch``, ``--learning-rate``,
  ``--photographs``, ``--epochs``...) override its fields, and the summary records the name and the overrides.
  Without ``--recipe``, the first shipped weights' settings (:data:`DEFAULT_RECIPE`) on the offline photos;
- the run is :func:`edsr_helpers.training.prepare` and :func:`edsr_helpers.training.fit_recipe`, the path every
  recipe takes: its photos, patches, sampling, degradations, loss, schedule, EMA and starting weights;
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
import dataclasses
import json
import re
import shutil
import sys
import time
from pathlib import Path
from typing import NamedTuple

import keras

import edsr_helpers as eh
from edsr_helpers import data, pretrained, profiles, recipes, samples, training

ROOT = Path(__file__).resolve().parent.parent
#: The shipped model's folder's ``weights/`` in this source tree (``edsr_helpers/models/edsr/weights``).
WEIGHTS_DIR = ROOT.joinpath(*pretrained.SHIPPED_FOLDER.package.split("."), "weights")


#: Short names of the shipped weights' recipes (``--recipe v2``), as :mod:`edsr_helpers.recipes` names them.
RECIPE_ALIASES = {"v2": "weights-v2", "realistic": "weights-realistic"}
#: Without ``--recipe``: the first shipped weights' settings (v1), on the offline photos unless ``--wallpapers``.
DEFAULT_RECIPE = recipes.Recipe(
    "weights-v1",
    "the first shipped weights: 24 px patches, batch 16, 5e-4 after a 200-step warm-up, halved every 2,500 steps",
    dataset="sample",
    lr_patch_size=profiles.PROFILES["cpu"].recipe.lr_patch_size,
    learning_rate=5e-4,
    lr_halving_steps=2500,
    warmup_steps=200,
    steps={2: 6000, 3: 6000, 4: 6000},
)
#: Steps between two backups (and log lines) of a recipe's run: a stopped CPU run loses at most these.
STEPS_PER_EPOCH = {"weights-v2": 1000, "weights-realistic": 250}
DEFAULT_STEPS_PER_EPOCH = 250
#: Recipes whose other scales start from a scale this factory trains first, in ``--out-dir`` (v2: x3 and x4
#: start from x2, Lim et al. 2017, Fig. 4).
INIT_FROM_TRAINED = {"weights-v2": 2}
#: ``--flag`` (its argparse name) -> the :class:`edsr_helpers.recipes.Recipe` field it overrides.
FLAG_FIELDS = {
    "patch": "lr_patch_size",
    "batch": "batch_size",
    "learning_rate": "learning_rate",
    "halving": "lr_halving_steps",
    "warmup": "warmup_steps",
    "schedule": "lr_schedule",
    "sampling": "sampling",
    "degradation": "degradation",
    "clean_share": "clean_share",
    "ema": "ema_momentum",
}


class Plan(NamedTuple):
    """What one invocation trains: the named recipe, the fields the command line overrides, and the run's size.

    Attributes:
        name: as given to ``--recipe`` (``None``: :data:`DEFAULT_RECIPE`).
        overrides: the recipe fields the flags change (those equal to the recipe's are left out).
        profile: the recipe with those overrides, at this scale, in epochs of the backup interval.
        init_from: the weights file the run starts from (``None``: fresh weights).
    """

    name: str | None
    overrides: dict
    profile: profiles.Profile
    init_from: Path | None

    @property
    def recipe(self) -> recipes.Recipe:
        return self.profile.recipe

    @property
    def scale(self) -> int:
        return self.profile.scale

    def recorded_overrides(self) -> dict:
        """The overrides as the summary stores them (JSON: the steps' scales become strings)."""
        return json.loads(json.dumps(self.overrides))


def make_plan(args: argparse.Namespace) -> Plan:
    """The recipe ``--recipe`` names, with the fields the flags given override (``dataclasses.replace``).

    Raises:
        SystemExit: an unknown recipe, a scale the recipe is not made for, or settings it cannot take.
    """
    try:
        base = recipes.get_recipe(RECIPE_ALIASES.get(args.recipe, args.recipe)) if args.recipe else DEFAULT_RECIPE
    except ValueError as error:
        raise SystemExit(f"--recipe: {error}") from None
    scale = args.scale
    if base.steps and scale not in base.steps:
        made_for = ", ".join(f"x{key}" for key in sorted(base.steps))
        raise SystemExit(f"--recipe {args.recipe} trains {made_for} only ({base.description})")
    given = {field: getattr(args, flag) for flag, field in FLAG_FIELDS.items() if getattr(args, flag) is not None}
    if args.wallpapers and args.photographs:
        raise SystemExit("--wallpapers and --photographs are two datasets: give one")
    if args.wallpapers:
        given["dataset"] = "wallpapers"
    elif args.photographs is not None:
        given["dataset"] = "photographs" if args.photographs else "sample"
    steps_per_epoch = args.steps_per_epoch or STEPS_PER_EPOCH.get(base.name, DEFAULT_STEPS_PER_EPOCH)
    if args.epochs is not None:
        if base.steps.get(scale) != args.epochs * steps_per_epoch:
            given["steps"] = {scale: args.epochs * steps_per_epoch}
    elif scale not in base.steps:
        raise SystemExit(f"--recipe {args.recipe} names no length: give --epochs (of {steps_per_epoch} steps)")
    elif base.steps[scale] % steps_per_epoch:
        raise SystemExit(f"--steps-per-epoch must divide the recipe's {base.steps[scale]:,} steps, or give --epochs")
    overrides = {field: value for field, value in given.items() if getattr(base, field) != value}
    try:
        recipe = dataclasses.replace(base, **overrides)
    except ValueError as error:
        raise SystemExit(f"--recipe {args.recipe or base.name} with {overrides}: {error}") from None
    profile = profiles.Profile(
        "pretrained",
        "pretrained weights",
        recipe,
        scale=scale,
        epochs=recipe.steps[scale] // steps_per_epoch,
        steps_per_epoch=steps_per_epoch,
    )
    init_from = args.init_from
    if init_from is None and base.name in INIT_FROM_TRAINED and scale != INIT_FROM_TRAINED[base.name]:
        init_from = args.out_dir / pretrained.weight_file_name(INIT_FROM_TRAINED[base.name])
    elif init_from is None and recipe.init_from_scale:
        init_from = pretrained.weights_path(recipe.init_from_scale)
    short = {name: alias for alias, name in RECIPE_ALIASES.items()}.get(args.recipe, args.recipe)
    return Plan(short, overrides, profile, init_from)


def degradation(plan: Plan) -> str:
    """What the run's weights learn to undo: ``realistic`` when degraded LR inputs are in the data."""
    return "bicubic" if plan.recipe.degradation == "bicubic" else "realistic"


def file_names(plan: Plan) -> tuple[str, str, str]:
    """The weights, summary and log names of this run's scale and degradation, in ``--out-dir``."""
    suffix = pretrained.variant_suffix(degradation(plan))
    return (
        pretrained.weight_file_name(plan.scale, degradation(plan)),
        f"summary_x{plan.scale}{suffix}.json",
        f"training_log_x{plan.scale}{suffix}.csv",
    )


def data_sources(recipe: recipes.Recipe) -> list[str]:
    """The training photos of ``recipe``'s dataset, in words, for the summary and the card."""
    sources = [f"{len(samples.TRAIN_PHOTOS)} offline training photos ({', '.join(samples.TRAIN_PHOTOS)})"]
    if recipe.dataset == "wallpapers":
        plasma = f"{len(samples.WALLPAPERS)} Debian plasma-workspace-wallpapers photographs"
        sources.append(f"{plasma}, downscaled x2 to 1280x800")
    if recipe.dataset == "photographs":
        sources.append(
            f"{len(samples.WALLPAPERS)} Debian plasma-workspace-wallpapers and {len(samples.LOMIRI_PHOTOGRAPHS)} "
            f"lomiri-wallpapers photographs, each shrunk to a long side of {samples.EXTRA_PHOTO_LONG_SIDE} px"
        )
    if recipe.dataset.startswith("div2k"):
        sources = [f"DIV2K ({recipe.dataset}, tensorflow-datasets)"]
    if recipe.degradation != "bicubic":
        sources.append(
            f"every patch's LR drawn afresh from the {recipe.degradation} degradations "
            f"(edsr_helpers.degradations.DEGRADATIONS), {recipe.clean_share:.0%} kept clean"
        )
    return sources


def init_scale(path: Path) -> int:
    """The scale of a weights file named as :func:`edsr_helpers.pretrained.weight_file_name` names them."""
    stem = re.escape(f"{pretrained.SHIPPED_FOLDER.key}_{pretrained.SHIPPED_PRESET}")
    match = re.fullmatch(stem + r"_x(\d)(?:_realistic)?\.weights\.h5", path.name)
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
    """The recipe, steps and training photos of the weights a run starts from, read from their
    ``summary_x<scale>.json``.

    Why: the card must say which x2 a x3 or x4 started from (v1's 6,000 steps and v2's 15,000 share one file
    name), and a test photo the x2 learned from would reach the x4 through it; weights without a summary next to
    them say nothing more.
    """
    summary_path = path.with_name(f"summary_x{init_scale(path)}.json")
    if not summary_path.exists():
        return {}
    summary = json.loads(summary_path.read_text())
    # v1 summaries name no recipe; later ones say "v2", or None for settings of one's own; overrides make it custom
    named = summary.get("recipe", "v1") if not summary.get("overrides") else None
    source = {"source_recipe": named or "custom", "source_steps": summary["steps"]}
    return source | ({"source_data": summary["sources"]} if "sources" in summary else {})


def machines_text(summary: dict) -> str:
    """Where the weights were trained: one machine, or each invocation of a run resumed across machines."""
    # a sitting that trained no epoch (a run stopped after its last backup, then run again) took no training time
    invocations = [run for run in summary.get("invocations") or () if run["last_epoch"] > run["first_epoch"]]
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


def recipe_text(summary: dict) -> str:
    """The named recipe a run followed and the fields its command changed (v1 summaries name neither)."""
    if not summary.get("recipe"):
        return ""
    overrides = summary.get("overrides") or {}
    changed = ", ".join(f"{field} {value}" for field, value in overrides.items())
    return f"`--recipe {summary['recipe']}`" + (f" with {changed} changed" if changed else "") + ": "


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


def results_table(summary: dict, key: str = "evaluation") -> str:
    """``summary[key]``'s rows (one per photo, then the mean) as a Markdown table."""
    lines = [
        "| image | bicubic Y | EDSR Y | gain | bicubic SSIM-Y | EDSR SSIM-Y | bicubic RGB | EDSR RGB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in summary[key]:
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
- Recipe: {recipe_text(summary)}{summary["lr_patch"]}x{summary["lr_patch"]} LR patches (random aligned crops,
  8 rotations/flips), {sampling_text(summary)}, batch {summary["batch"]}, L1 loss, Adam (0.9, 0.999, 1e-8),
  {schedule_text(summary)}, {summary["steps"]:,} steps, `{summary["precision"]}`{init_text(summary)}.
- Machine: {machines_text(summary)}.
- Log: `training_log_x{scale}.csv` (loss and validation PSNR per epoch).

Results on the offline validation photos (unseen in training; they judged the weights against the bars), PSNR in
dB, border of {scale} pixels shaved:

{results_table(summary)}
{results_on_test_photos(summary)}"""


def results_on_test_photos(summary: dict) -> str:
    """The test photos' table, once the installer has scored weights that passed on the validation photos."""
    if "evaluation_test" not in summary:
        return ""
    return f"""
Results on the offline test photos (never used to train or to choose anything), the same protocol:

{results_table(summary, "evaluation_test")}
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
- Recipe: {recipe_text(summary)}{summary["lr_patch"]}x{summary["lr_patch"]} LR patches, {sampling_text(summary)},
  batch {summary["batch"]},
  L1 loss, Adam (0.9, 0.999, 1e-8), {schedule_text(summary)}, {summary["steps"]:,} steps, `{summary["precision"]}`.
- Machine: {machines_text(summary)}.
- Log: `training_log_x{scale}_realistic.csv` (loss, validation PSNR on clean and on degraded inputs per epoch).

Evaluated on the validation photos, with LR images made two ways: *clean* (antialiased bicubic, as for the
weights above) and *degraded* by `edsr_helpers.degradations.degrade_for_evaluation` (blur 1.2, bicubic, Gaussian
noise 5, JPEG 75), one fixed degradation (the same seed for every model). Y-PSNR in dB,
border of {scale} pixels shaved. On degraded inputs the realistic weights lead the bicubic-trained ones by
{gain:+.2f} dB (bar: {pretrained.realistic_bars()[0]:+.2f}); on clean inputs they give up {loss:.2f} dB (bar: at most
{pretrained.realistic_bars()[1]:.2f}). Their mean GMSD on the degraded inputs (lower is better; the structure PSNR
misses) is {degraded["edsr_gmsd"]:.4f}, against {start_degraded["edsr_gmsd"]:.4f} for the bicubic-trained weights
(bar: lower).

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

The validation photos (barbara, monarch, coffee) were never used for training; they only judge the finished
weights against the bars (the shipped weights are each run's final ones, not the best epoch's). Weights that
learned from none of the test photos ({", ".join(samples.TEST_PHOTOS)}), directly or through the x2 weights
they started from, are scored on them too, in their section's second table. PSNR in dB; Y = luma of BT.601
YCbCr with a border of `scale` pixels shaved (the papers' protocol); RGB PSNR with the same shave. Reproduce with
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


def already_trained(plan: Plan, out_dir: Path) -> dict | None:
    """The summary in ``out_dir`` of a finished run of this very recipe and overrides, else None.

    Why: a finished run's backup is gone (BackupAndRestore deletes it at the end), so running ``make pretrained``
    again after x2 finished would train x2 again from scratch, hours of CPU, instead of going on with x4.
    """
    weights_name, summary_name, _ = file_names(plan)
    summary_path = out_dir / summary_name
    if not summary_path.exists() or not (out_dir / weights_name).exists():
        return None
    summary = json.loads(summary_path.read_text())
    recipe = plan.recipe
    wanted = {
        "recipe": plan.name,
        "steps": plan.profile.total_steps,
        "batch": recipe.batch_size,
        "lr_patch": recipe.lr_patch_size,
        "learning_rate": recipe.learning_rate,
        "warmup": recipe.warmup_steps,
        "schedule": recipe.lr_schedule,
        "sampling": recipe.sampling,
    }
    if recipe.lr_schedule == "halving":  # a cosine run's summary may carry any halving: it has none
        wanted["halving"] = recipe.lr_halving_steps
    if degradation(plan) != "bicubic":  # summaries older than realistic weights do not name these
        wanted |= {"lr_degradation": recipe.degradation, "clean_share": recipe.clean_share, "ema": recipe.ema_momentum}
    same = all(summary.get(key) == value for key, value in wanted.items())
    return summary if same and summary.get("overrides", {}) == plan.recorded_overrides() else None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: ``--recipe NAME`` and the recipe fields given explicitly (``None`` where not given)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument(
        "--recipe",
        choices=(*RECIPE_ALIASES, *recipes.RECIPES),
        help=(
            "a recipe of edsr_helpers.recipes; v2: the shipped weights' (x3/x4 start from x2 in --out-dir); "
            "realistic: the shipped x4 fine-tuned on degraded photographs; the flags below override its fields"
        ),
    )
    parser.add_argument("--epochs", type=int, help="train this many epochs instead of the recipe's steps")
    parser.add_argument("--steps-per-epoch", type=int, help="steps between two backups (v2: 1000, else 250)")
    parser.add_argument("--learning-rate", type=float)
    parser.add_argument("--halving", type=int, help="halve the learning rate every N steps")
    parser.add_argument("--wallpapers", action="store_true", help="v1: add plasma's wallpaper photographs, halved")
    parser.add_argument(
        "--photographs",
        action=argparse.BooleanOptionalAction,
        help="v2: add plasma's and lomiri's photographs, long side 1,800 px (--no-photographs: the offline ones)",
    )
    parser.add_argument("--patch", type=int, help="LR patch side")
    parser.add_argument("--batch", type=int)
    parser.add_argument("--warmup", type=int, help="linear warm-up steps")
    parser.add_argument("--schedule", choices=("halving", "cosine"))
    parser.add_argument("--sampling", choices=data.SAMPLINGS, help="how photos are chosen")
    parser.add_argument(
        "--degradation",
        choices=recipes.LR_DEGRADATIONS,
        help="draw every patch's LR afresh from this random family (edsr_helpers.degradations.DEGRADATIONS)",
    )
    parser.add_argument("--clean-share", type=float, help="with --degradation: patches kept clean")
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
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.card_only:
        print(f"wrote {write_model_card()}")
        return
    if args.scale not in eh.constants.SCALES:
        raise SystemExit(f"--scale must be one of {eh.constants.SCALES}")
    plan = make_plan(args)
    recipe, scale, profile = plan.recipe, plan.scale, plan.profile
    if args.skip_trained and (finished := already_trained(plan, args.out_dir)):
        print(
            f"x{scale} is already trained with these settings ({args.out_dir / file_names(plan)[1]}: "
            f"{finished['steps']} steps, {finished['wall_minutes']} min): skipped; delete that file to train it again"
        )
        return

    run_dir = args.run_dir or ROOT / "build" / f"pretrained-run-x{scale}"
    run_dir.mkdir(parents=True, exist_ok=True)
    done = training.completed_epochs(run_dir)
    progress = read_progress(run_dir, fresh=done == 0)
    source = None
    if plan.init_from:
        source = recipe.build_model(init_scale(plan.init_from))
        source.load_weights(plan.init_from)
    try:
        prepared = training.prepare(profile, run_dir=run_dir, init_from=source, seed=0)
    except samples.PhotographsMissingError as error:
        raise SystemExit(f"{error} (or train on the offline photos alone: --no-photographs)") from None
    model, precision = prepared.model, prepared.precision
    init_from = None
    if plan.init_from:
        copied = prepared.copied_layers
        init_from = {"scale": init_scale(plan.init_from), "layers": len(copied), "file": plan.init_from.name}
        init_from |= init_source(plan.init_from)
        print(f"started from x{init_from['scale']}: {len(copied)} layers copied ({', '.join(copied)})")
    sources = data_sources(recipe)
    val_pairs = data.load_sample(scale, "validation")  # the bars' photos, whatever the recipe validates on
    bicubic = training.bicubic_psnr(val_pairs, scale)
    degraded_val = [(eh.degradations.degrade_for_evaluation(hr, scale), hr) for _, hr in val_pairs]
    realistic = degradation(plan) == "realistic"

    print(f"training x{scale} on {' + '.join(sources)}; {precision}; bicubic {bicubic:.2f} dB", flush=True)
    if plan.name or plan.overrides:
        print(f"recipe {recipe.name}" + (f" with {plan.overrides}" if plan.overrides else ""), flush=True)
    if done:
        print(f"resuming after epoch {done} of {profile.epochs} (backup in {run_dir / 'backup'})", flush=True)
    started = time.time()
    training.fit_recipe(  # no best-on-validation checkpoint: validation is only watched, never selected on
        prepared,
        run_dir,
        select_best=False,
        also_score={"degraded": degraded_val} if realistic else None,
        callbacks=[ProgressLog(run_dir / "progress.json", progress, done, precision)],
    )
    wall_minutes = (time.time() - started) / 60  # of this invocation; progress.json adds the earlier ones

    out = args.out_dir
    out.mkdir(parents=True, exist_ok=True)
    weights_name, summary_name, log_name = file_names(plan)
    target = out / weights_name
    float32_model = recipe.build_model(scale)
    float32_model.set_weights(model.get_weights())
    float32_model.save_weights(target)
    shutil.copy(run_dir / "log.csv", out / log_name)

    reloaded = recipe.build_model(scale)
    reloaded.load_weights(target)
    rows = training.evaluate(reloaded, val_pairs, scale, names=samples.VALIDATION_PHOTOS)
    extra = {}
    if realistic:  # judged against the weights it started from, on clean and degraded inputs
        names = samples.VALIDATION_PHOTOS
        extra["evaluation_degraded"] = training.evaluate(reloaded, degraded_val, scale, names=names)
        start = recipe.build_model(scale)
        start.load_weights(plan.init_from)
        extra["reference"] = {
            "weights": str(plan.init_from.name),
            "clean": training.evaluate(start, val_pairs, scale, names=names),
            "degraded": training.evaluate(start, degraded_val, scale, names=names),
        }
    summary = {
        "scale": scale,
        "sources": sources,
        "steps": profile.total_steps,
        "batch": recipe.batch_size,
        "lr_patch": recipe.lr_patch_size,
        "learning_rate": recipe.learning_rate,
        "halving": recipe.lr_halving_steps,
        "warmup": recipe.warmup_steps,
        "schedule": recipe.lr_schedule,
        "sampling": recipe.sampling,
        "precision": precision,
        "wall_minutes_this_invocation": round(wall_minutes, 1),
        "wall_minutes": round(sum(run["minutes"] for run in progress["invocations"]), 1),
        "invocations": progress["invocations"],
        "init_from": init_from,
        "recipe": plan.name,
        "overrides": plan.recorded_overrides(),
        "machine": eh.backend.device_name(),
        "backend": eh.backend.name(),
        "command": "python weights_factory/train.py " + " ".join(sys.argv[1:]),
        "degradation": degradation(plan),
        "lr_degradation": recipe.degradation,
        "clean_share": recipe.clean_share,
        "ema": recipe.ema_momentum,
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
