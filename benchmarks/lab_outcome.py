"""What notebook 03's lab reaches on this machine: seconds per step and the gain over bicubic after N steps.

Trains the ``cpu`` profile's recipe (EDSR-baseline x4 on the offline training photos) side by side, in one run,
from each start asked for: ``scratch`` (fresh weights) and ``x2`` (every layer but the last upsampling step
copied from the shipped x2 weights, as Lim et al. 2017 start their x3 and x4 models), in each precision asked
for (``float32`` and ``auto``, the policy :func:`edsr_helpers.training.choose_precision` picks). After each
checkpoint it scores the model on the validation photos (Y-PSNR, border of 4 pixels shaved) against bicubic.

Run: ``.venv/bin/python benchmarks/lab_outcome.py`` (400 and 1,200 steps; about an hour per start and precision
on 2 cores); ``--steps 100 200`` for a quick look.
"""

from __future__ import annotations

import argparse
import time

import keras
import numpy as np

from edsr_helpers import backend, data, model, pretrained, profiles, training


def run(start: str, precision: str, checkpoints: list[int]) -> list[tuple[int, float, float]]:
    """``(steps, seconds per step, validation gain in dB)`` at every checkpoint of one run."""
    profile = profiles.PROFILES["cpu"]
    recipe = profile.recipe
    train_pairs = data.load_sample(profile.scale, "train")
    val_pairs = data.load_sample(profile.scale, "validation")
    batches = data.PatchBatches(
        train_pairs, scale=profile.scale, lr_patch_size=recipe.lr_patch_size, batch_size=recipe.batch_size
    )
    keras.utils.set_random_seed(0)
    keras.config.set_dtype_policy(precision)
    try:
        net = recipe.build_model(profile.scale)
    finally:
        keras.config.set_dtype_policy("float32")
    if start == "x2":  # what the recipe's init_from_scale does
        model.copy_matching_weights(pretrained.load_pretrained(2), net)
    training.compile_for_training(net, profile)
    results, done, seconds = [], 0, 0.0
    for checkpoint in checkpoints:
        began = time.perf_counter()
        net.fit(batches, epochs=1, steps_per_epoch=checkpoint - done, initial_epoch=0, verbose=0, shuffle=False)
        seconds += time.perf_counter() - began
        batches.start, done = checkpoint, checkpoint  # go on with the stream, not from its start
        mean = training.evaluate(net, val_pairs, profile.scale)[-1]
        gain = mean["edsr_psnr_y"] - mean["bicubic_psnr_y"]
        results.append((checkpoint, seconds / checkpoint, gain))
        print(f"  {start:7s} {precision:14s} {checkpoint:5d} steps  {seconds / checkpoint:5.2f} s/step  {gain:+.2f} dB")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[400, 1200], help="checkpoints, in steps")
    parser.add_argument("--starts", nargs="+", default=["scratch", "x2"], choices=("scratch", "x2"))
    parser.add_argument("--precisions", nargs="+", default=["float32", "auto"])
    args = parser.parse_args()
    precisions = [training.choose_precision() if name == "auto" else name for name in args.precisions]
    print(
        f"precisions: {', '.join(f'{asked}={used}' for asked, used in zip(args.precisions, precisions, strict=True))}"
    )
    print(f"XLA for training: {'on' if backend.jit_compile() else 'off'} (measured by choose_precision)")
    table = {}
    for precision in dict.fromkeys(precisions):
        for start in args.starts:
            table[start, precision] = run(start, precision, sorted(args.steps))
    print("\nstart   precision       " + "  ".join(f"{steps:>6d} steps" for steps in sorted(args.steps)))
    for (start, precision), rows in table.items():
        print(f"{start:7s} {precision:15s} " + "  ".join(f"{gain:+11.2f} dB" for _, _, gain in rows))
    speeds = {key: np.mean([row[1] for row in rows]) for key, rows in table.items()}
    print("s/step: " + ", ".join(f"{start}/{precision} {value:.2f}" for (start, precision), value in speeds.items()))


if __name__ == "__main__":
    main()
