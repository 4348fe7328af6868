"""What notebook 03's lab reaches on this machine: seconds per step and the gain over bicubic after N steps.

Trains the ``cpu`` profile's recipe (EDSR-baseline x4 on the offline training photos) side by side, in one run,
from each start asked for: ``scratch`` (fresh weights) and ``x2`` (every layer but the last upsampling step
copied from the shipped x2 weights, as Lim et al. 2017 start their x3 and x4 models), in each precision asked
for (``float32`` and ``auto``, the policy :func:`edsr_helpers.training.choose_precision` picks). After each
checkpoint it scores the model on the validation photos (Y-PSNR, border of 4 pixels shaved) against bicubic.
Each run is :func:`edsr_helpers.training.prepare` and :func:`edsr_helpers.training.fit_recipe`, as the weights
factory's.

Run: ``.venv/bin/python benchmarks/lab_outcome.py`` (400 and 1,200 steps; about an hour per start and precision
on 2 cores); ``--steps 100 200`` for a quick look.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import tempfile

import numpy as np
from training_clock import TrainingClock  # beside this script

from edsr_helpers import backend, profiles, training


class Checkpoints(TrainingClock):
    """At every checkpoint's epoch end: seconds per step so far (training only) and the validation gain."""

    def __init__(self, checkpoints: list[int], val_pairs, label: str):
        super().__init__()
        self.checkpoints, self.val_pairs, self.label = checkpoints, val_pairs, label
        self.results = []

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        steps = (epoch + 1) * self.params["steps"]
        if steps not in self.checkpoints:
            return
        mean = training.evaluate(self.model, self.val_pairs, 4)[-1]
        gain = mean["edsr_psnr_y"] - mean["bicubic_psnr_y"]
        self.results.append((steps, self.seconds / steps, gain))
        print(f"  {self.label} {steps:5d} steps  {self.seconds / steps:5.2f} s/step  {gain:+.2f} dB", flush=True)


def run(start: str, precision: str, checkpoints: list[int]) -> list[tuple[int, float, float]]:
    """``(steps, seconds per step, validation gain in dB)`` at every checkpoint of one run of the ``cpu``
    profile's recipe on the offline photos, through the path every recipe takes."""
    cpu = profiles.PROFILES["cpu"]
    recipe = dataclasses.replace(cpu.recipe, dataset="sample", init_from_scale=2 if start == "x2" else None)
    every = math.gcd(*checkpoints)
    profile = dataclasses.replace(cpu, recipe=recipe, epochs=max(checkpoints) // every, steps_per_epoch=every)
    prepared = training.prepare(profile, precision=precision, seed=0)
    clock = Checkpoints(checkpoints, prepared.validation, f"{start:7s} {precision:14s}")
    with tempfile.TemporaryDirectory(prefix="lab_outcome_") as folder:
        training.fit_recipe(prepared, folder, callbacks=[clock], verbose=0)
    return clock.results


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
