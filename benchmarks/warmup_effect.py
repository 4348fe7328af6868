"""What exercise 03.5 finds: validation PSNR after the same steps with and without the learning-rate warm-up.

Runs the exercise's reference solution (``course.exercises.notebook03``) at the notebook's size: the ``cpu``
profile's data and patches, EDSR-baseline x4, Adam on ``WarmupHalving`` with a 200-step warm-up or none, at the
profile's peak rate (5e-4) and at four times that, in this machine's measured precision. Prints the mean Y-PSNR
(shave 4) of each run on the 3 validation photos, next to bicubic, and the warm-up's gain per peak. Used for the
instructor guide's "Expected results"; it is a measurement of learning, one seed, not of speed.

Run: ``.venv/bin/python benchmarks/warmup_effect.py [--steps 300]`` (4 runs of 300 steps: 15 to 45 minutes on a
2-core CPU).
"""

from __future__ import annotations

import argparse
import time

import keras

from edsr_helpers import backend, data, profiles, training
from edsr_helpers.course.exercises.notebook03 import solve_warmup_experiment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--profile", default="cpu")
    args = parser.parse_args()
    profile = profiles.PROFILES[args.profile]
    precision = backend.choose_precision()
    keras.config.set_dtype_policy(precision)
    val = data.load_pairs(profile, "validation", verbose=False)
    bicubic = training.bicubic_psnr(val, 4)
    print(f"{backend.device_name()}, {backend.name()} {precision}, {args.steps} steps each")
    print(f"bicubic {bicubic:.2f} dB (Y, shave 4, {len(val)} validation photos)")
    experiment = solve_warmup_experiment
    for factor in (1.0, 4.0):
        keras.utils.set_random_seed(0)
        started = time.perf_counter()
        runs, better = experiment(steps=args.steps, peak_factor=factor, profile_name=args.profile)
        scores = {name: training.evaluate(model, val, 4)[-1]["edsr_psnr_y"] for name, model in runs.items()}
        peak = profile.recipe.learning_rate * factor
        print(
            f"peak {peak:.0e}: warm-up {scores['warm-up']:.2f} dB, none {scores['none']:.2f} dB -> "
            f"warm-up gains {scores['warm-up'] - scores['none']:+.2f} dB ({time.perf_counter() - started:.0f} s)"
        )


if __name__ == "__main__":
    main()
