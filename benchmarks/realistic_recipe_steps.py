"""What each change of the realistic x4 recipe adds: equal-length fine-tunes of the shipped x4, change by change.

Every row starts from the shipped bicubic-trained x4 weights and trains the same number of steps, with the
``weights-realistic`` recipe of :mod:`edsr_helpers.recipes` changed by ``dataclasses.replace`` so that each row
adds one change to the row it names:

- a: every training patch's LR drawn afresh from the wide ``realistic`` family (the pipeline draws, no fixed
  copies), 24 px LR patches, a constant rate, no clean patches, no moving average;
- b: a + 48 px LR patches;
- c: b + the camera-like family (``DEGRADATIONS["camera-like"]``: blur sigma 0.5-2, noise up to 10 levels,
  JPEG 50-95);
- d, e, f: c + 25 %, 30 % (the recipe's share) and 40 % of the patches kept clean;
- g: e + the recipe's cosine decay after its warm-up and its moving average of the weights (EMA): the recipe
  itself at this length. EMA's momentum is the recipe's, made for 3,000 steps: after N steps the shipped weights
  still hold ``momentum**N`` of the average, which the output prints.

Each row is :func:`edsr_helpers.training.prepare` and :func:`edsr_helpers.training.fit_recipe`, as the weights
factory's run, and is scored the way ``weights_factory/install.py`` judges realistic weights
(``evaluate_clean_and_degraded``): mean Y-PSNR (border of 4 pixels shaved) and GMSD on the validation photos
with LR inputs degraded by ``degrade_for_evaluation`` (the fixed, seeded camera-like degradation of
``edsr-upscale --evaluate --lr camera-like``) and with clean bicubic ones, and the gain over the shipped x4 on
both (row 0). The table also gives the steps, the training seconds (``fit``'s own validation left out) and the
row's wall time (data, training, scoring). One seed: every row draws its patches from the same seeded stream.

Run: ``.venv/bin/python benchmarks/realistic_recipe_steps.py [--steps 300] [--rows a b c d e f g]`` (needs the
recipe's photographs, as ``make pretrained-realistic``; a 48 px step takes seconds on a 2-core CPU, so the full
table is a GPU's work: ``weights_factory/gpu_session.sh realistic``). ``--dataset sample`` trains on the offline
photos alone (a quick check that the rows run, not the recipe).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import functools
import gc
import importlib.util
import tempfile
import time
from pathlib import Path

import keras
from training_clock import TrainingClock  # beside this script

from edsr_helpers import backend, pretrained, profiles, recipes, training

ROOT = Path(__file__).resolve().parent.parent
SCALE = 4
RECIPE = recipes.get_recipe("weights-realistic")

RATE = f"{RECIPE.learning_rate:.0e}".replace("e-0", "e-")  # 1e-4

#: Row a's fields: the recipe with a fresh draw from the wide family, 24 px, a constant rate, nothing kept
#: clean, no moving average (``halving`` every 200k steps is constant over any of these runs).
START = {
    "degradation": "realistic",
    "lr_patch_size": 24,
    "lr_schedule": "halving",
    "warmup_steps": 0,
    "clean_share": 0.0,
    "ema_momentum": None,
}
#: ``(key, the row it changes, the change in words, the fields it changes)``, in the order they run.
ROWS = (
    (
        "a",
        None,
        "fresh draw per patch from the wide `realistic` family, 24 px, constant rate, none clean, no EMA",
        START,
    ),
    ("b", "a", "+ 48 px LR patches", {"lr_patch_size": RECIPE.lr_patch_size}),
    ("c", "b", "+ the camera-like family (blur σ 0.5–2, noise ≤ 10, JPEG 50–95)", {"degradation": "camera-like"}),
    ("d", "c", "+ 25 % kept clean", {"clean_share": 0.25}),
    (
        "e",
        "c",
        f"+ {RECIPE.clean_share * 100:.0f} % kept clean (the recipe's share)",
        {"clean_share": RECIPE.clean_share},
    ),
    ("f", "c", "+ 40 % kept clean", {"clean_share": 0.4}),
    (
        "g",
        "e",
        f"+ cosine from {RATE} after a {RECIPE.warmup_steps}-step warm-up, EMA {RECIPE.ema_momentum}: the recipe",
        {"lr_schedule": RECIPE.lr_schedule, "warmup_steps": RECIPE.warmup_steps, "ema_momentum": RECIPE.ema_momentum},
    ),
)


def row_recipes(steps: int, dataset: str | None = None) -> dict[str, recipes.Recipe]:
    """Each row's recipe, by key: the row it changes (row a: the ``weights-realistic`` recipe) with its fields
    replaced, at ``steps`` steps; the last row is the recipe itself."""
    made = {}
    for key, base, change, fields in ROWS:
        made[key] = dataclasses.replace(
            made[base] if base else RECIPE, name=f"{RECIPE.name} row {key}", description=change, **fields
        )
    fixed = {"steps": {SCALE: steps}, **({"dataset": dataset} if dataset else {})}
    made = {key: dataclasses.replace(recipe, **fixed) for key, recipe in made.items()}
    last = made[ROWS[-1][0]]
    assert last == dataclasses.replace(RECIPE, name=last.name, description=last.description, **fixed)
    return made


@functools.cache
def install_tool():
    """``weights_factory/install.py``, for its evaluation of realistic weights (one definition)."""
    spec = importlib.util.spec_from_file_location("install_weights", ROOT / "weights_factory" / "install.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scores(model) -> dict[str, float]:
    """Mean Y-PSNR and GMSD on degraded and clean validation inputs, as the install tool evaluates them."""
    rows = install_tool().evaluate_clean_and_degraded(model, SCALE)
    degraded, clean = rows["degraded"][-1], rows["clean"][-1]
    return {
        "degraded": degraded["edsr_psnr_y"],
        "clean": clean["edsr_psnr_y"],
        "gmsd": degraded["edsr_gmsd"],
        "bicubic_degraded": degraded["bicubic_psnr_y"],
        "bicubic_clean": clean["bicubic_psnr_y"],
    }


def run_row(recipe: recipes.Recipe, steps: int, precision: str) -> dict[str, float]:
    """One fine-tune of ``steps`` steps from the shipped x4, through the path every recipe takes; its scores,
    training seconds and wall seconds. The weights scored are those the weights factory would save (with EMA,
    the average), in float32."""
    started = time.perf_counter()
    profile = profiles.Profile(
        "realistic-steps", recipe.description, recipe, scale=SCALE, epochs=1, steps_per_epoch=steps
    )
    prepared = training.prepare(profile, precision=precision, seed=0)
    clock = TrainingClock()
    with tempfile.TemporaryDirectory(prefix="realistic_steps_") as folder:
        training.fit_recipe(prepared, folder, select_best=False, callbacks=[clock], verbose=0)
    trained = recipe.build_model(SCALE)
    trained.set_weights(prepared.model.get_weights())
    result = scores(trained) | {"train_s": clock.seconds}
    result["wall_s"] = time.perf_counter() - started
    del prepared, trained
    keras.backend.clear_session()
    gc.collect()
    return result


def table_line(key: str, change: str, result: dict, shipped: dict, steps: int | str) -> str:
    gain = {kind: result[kind] - shipped[kind] for kind in ("degraded", "clean")}
    return (
        f"| {key} | {change} | {result['degraded']:.2f} | {gain['degraded']:+.2f} | {result['clean']:.2f} "
        f"| {gain['clean']:+.2f} | {result['gmsd']:.4f} | {steps} | {result.get('train_s', 0):.0f} "
        f"| {result.get('wall_s', 0):.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="training steps of every row")
    keys = [key for key, *_ in ROWS]
    parser.add_argument("--rows", nargs="+", default=keys, choices=keys, help="which rows to run")
    parser.add_argument("--precision", default="auto", help="a Keras dtype policy, or auto (measured)")
    parser.add_argument("--dataset", choices=recipes.DATASETS, help="train on these photos instead of the recipe's")
    args = parser.parse_args()
    precision = training.choose_precision() if args.precision == "auto" else args.precision
    made = row_recipes(args.steps, args.dataset)
    print(
        f"{backend.device_name()}, Keras {keras.__version__} on {backend.name()}, {precision}, "
        f"{datetime.date.today()}; {args.steps} steps per row from the shipped x{SCALE}, batch {RECIPE.batch_size}, "
        f"photos: {made['a'].dataset}",
        flush=True,
    )
    if "g" in args.rows:
        kept = RECIPE.ema_momentum**args.steps
        print(
            f"row g's EMA ({RECIPE.ema_momentum}) keeps {kept:.0%} of the shipped weights after {args.steps} steps",
            flush=True,
        )
    started = time.perf_counter()
    shipped = scores(pretrained.load_pretrained(SCALE))
    shipped["wall_s"] = time.perf_counter() - started
    print(
        f"bicubic: degraded {shipped['bicubic_degraded']:.2f} dB, clean {shipped['bicubic_clean']:.2f} dB "
        "(mean Y-PSNR, shave 4, validation photos)",
        flush=True,
    )
    header = (
        "| row | change | degraded Y | gain | clean Y | gain | degraded GMSD | steps | train s | wall s |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    )
    lines = [table_line("0", "the shipped bicubic-trained x4", shipped, shipped, 0)]
    print(header + "\n" + lines[0], flush=True)
    changes = {key: f"{base} {change}" if base else change for key, base, change, _ in ROWS}
    for key in args.rows:
        lines.append(table_line(key, changes[key], run_row(made[key], args.steps, precision), shipped, args.steps))
        print(lines[-1], flush=True)
    print("\n" + header + "\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
