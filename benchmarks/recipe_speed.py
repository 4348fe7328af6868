"""Where the pretrained-weights recipe trains fastest on this machine: every installed engine, both precisions.

The v2 weights' recipe (EDSR-baseline, 48x48 LR patches, batch 16, L1, Adam) takes 15-20k steps per scale. On a
CPU, which engine and which precision is fastest changes from one chip to the next (bfloat16 was 1.9x faster
than float32 on one AMD EPYC and 1.5x slower on an Intel Xeon that lists the same flags), so this measures
them side by side, in one run, on the real model and batch shape, and prints the ratios and the hours that
the recipe's steps would take at the fastest setting.

Each engine runs in its own process (Keras picks its backend at import): TensorFlow from ``.venv``, JAX and
PyTorch from ``.venv-backends`` (``make backends-setup``); an engine that is not installed is skipped.

Run: ``.venv/bin/python benchmarks/recipe_speed.py`` (about 4 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = {"tensorflow": ROOT / ".venv/bin/python", "jax": ROOT / ".venv-backends/bin/python"}
PYTHONS["torch"] = PYTHONS["jax"]
POLICIES = ("float32", "mixed_bfloat16")


def time_one(scale: int, patch: int, batch: int, repeats: int) -> dict[str, float]:
    """Seconds per ``train_on_batch`` of the full model, fastest of ``repeats``, in each policy (child process)."""
    import keras

    from edsr_helpers import backend, data, profiles, recipes, samples, training

    recipe = recipes.Recipe("bench", "bench", dataset="sample", lr_patch_size=patch, batch_size=batch)
    profile = profiles.Profile("bench", "bench", recipe, scale=scale, epochs=1, steps_per_epoch=1)
    pairs = data.pairs_from_images([samples.load_photo(name) for name in samples.TRAIN_PHOTOS], scale)
    lr, hr = data.RecipePatchBatches(pairs, scale=scale, lr_patch_size=patch, batch_size=batch)[0]
    nets = {}
    for policy in POLICIES:
        keras.config.set_dtype_policy(policy)
        try:
            nets[policy] = recipes.build_model("edsr-baseline", scale)
        finally:
            keras.config.set_dtype_policy("float32")
        training.compile_for_training(nets[policy], profile)
    result: dict = backend.fastest_steps(nets, lr, hr, steps=repeats)  # side by side, alternating
    result["engine"] = backend.name()
    result["choose_precision"] = training.choose_precision()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument("--patch", type=int, help="LR patch side (default: the v2 recipe's)")
    parser.add_argument("--batch", type=int, help="batch size (default: the v2 recipe's)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(time_one(args.scale, args.patch, args.batch, args.repeats)))
        return
    from edsr_helpers.recipes import RECIPES

    recipe = RECIPES["weights-v2"]  # the shipped weights' recipe
    args.patch, args.batch = args.patch or recipe.lr_patch_size, args.batch or recipe.batch_size
    recipe_steps = dict(recipe.steps)

    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model_line = next((line for line in cpu.splitlines() if line.startswith("Model name")), "Model name: ?")
    print(f"{model_line.split(':', 1)[1].strip()}, {os.cpu_count()} cores")
    print(f"EDSR-baseline x{args.scale}, {args.patch} px LR patches, batch {args.batch}: seconds per training step")
    timings: dict[tuple[str, str], float] = {}
    for engine, python in PYTHONS.items():
        if not python.exists():
            print(f"  {engine:10s} skipped: {python} not found")
            continue
        env = {**os.environ, "KERAS_BACKEND": engine, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
        command = [str(python), __file__, "--child", "1", "--scale", str(args.scale), "--patch", str(args.patch)]
        command += ["--batch", str(args.batch), "--repeats", str(args.repeats)]
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        if done.returncode:
            print(f"  {engine:10s} failed: {done.stderr.strip().splitlines()[-1]}")
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        for policy in POLICIES:
            timings[engine, policy] = result[policy]
        print(
            f"  {engine:10s} float32 {result['float32']:.3f} s   mixed_bfloat16 {result['mixed_bfloat16']:.3f} s"
            f"   (bf16 {result['float32'] / result['mixed_bfloat16']:.2f}x; choose_precision: "
            f"{result['choose_precision']})"
        )
    if not timings:
        raise SystemExit("no engine could be measured")
    best = min(timings, key=timings.get)
    print(f"fastest: {best[0]} {best[1]}, {timings[best]:.3f} s/step")
    for (engine, policy), seconds in sorted(timings.items(), key=lambda item: item[1]):
        print(f"  {engine:10s} {policy:15s} {seconds / timings[best]:.2f}x the fastest's time")
    hours = {scale: steps * timings[best] / 3600 for scale, steps in recipe_steps.items()}
    other = "x3's and x4's are longer" if args.scale == 2 else "x2's is shorter"  # measured: x2 0.27, x3 0.29 s
    print(
        f"v2 recipe at that speed (x{args.scale}'s step time for every scale; {other}): "
        + ", ".join(f"x{scale} {recipe_steps[scale]:,} steps {hours[scale]:.1f} h" for scale in recipe_steps)
        + f"; {sum(hours.values()):.1f} h in all"
    )


if __name__ == "__main__":
    sys.exit(main())
