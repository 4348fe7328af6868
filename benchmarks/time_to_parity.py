"""Time to bicubic parity: how long the ``cpu`` profile takes to beat bicubic on the validation photos.

Trains the pure EDSR baseline x4 (no bicubic shortcut) from scratch with the ``cpu`` profile's settings and
the precision chosen for this machine, and every ``--every`` steps scores the 3 offline validation photos
(Y channel, shave 4). The clock counts training only (scoring is paused out). Prints the curve and the time
at which the model first matches bicubic. Goal: <= 5 minutes on the 2-core CPU.

Run: ``.venv/bin/python benchmarks/time_to_parity.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time

import keras

from edsr_helpers import profiles, training


class ParityClock(keras.callbacks.Callback):
    """Score the validation photos every ``every`` steps; stop once past bicubic (or out of time)."""

    def __init__(self, val_pairs, bicubic: float, every: int, limit_s: float, extra_steps: int):
        super().__init__()
        self.val_pairs, self.bicubic, self.every, self.limit_s = val_pairs, bicubic, every, limit_s
        self.extra_steps, self.train_s, self.curve, self.parity = extra_steps, 0.0, [], None
        self._started = None

    def on_train_batch_begin(self, batch, logs=None):
        self._started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.train_s += time.perf_counter() - self._started
        step = batch + 1
        if step % self.every:
            return
        score = training.evaluate(self.model, self.val_pairs, 4)[-1]["edsr_psnr_y"]
        self.curve.append((step, self.train_s, score))
        print(
            f"step {step:5d}  {self.train_s:6.1f} s  {score:6.2f} dB  (bicubic {self.bicubic:.2f})",
            flush=True,
        )
        if self.parity is None and score >= self.bicubic:
            self.parity = (step, self.train_s)
        if self.train_s > self.limit_s or (self.parity and step >= self.parity[0] + self.extra_steps):
            self.model.stop_training = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=50)
    parser.add_argument("--limit-minutes", type=float, default=10.0)
    parser.add_argument("--extra-steps", type=int, default=200, help="keep training this long past parity")
    args = parser.parse_args()

    cpu = profiles.PROFILES["cpu"]
    recipe = dataclasses.replace(cpu.recipe, dataset="sample", init_from_scale=None)  # from scratch, offline
    profile = dataclasses.replace(cpu, recipe=recipe, epochs=1, steps_per_epoch=100_000)
    prepared = training.prepare(profile, seed=0)
    val_pairs = prepared.validation
    bicubic = training.bicubic_psnr(val_pairs, 4)
    print(
        f"cpu profile: {recipe.lr_patch_size}px LR, batch {recipe.batch_size}, lr {recipe.learning_rate:g} "
        f"(warm-up {recipe.warmup_steps} steps), {prepared.precision}"
    )
    clock = ParityClock(val_pairs, bicubic, args.every, args.limit_minutes * 60, args.extra_steps)
    with tempfile.TemporaryDirectory(prefix="time_to_parity_") as folder:
        training.fit_recipe(prepared, folder, callbacks=[clock], verbose=0)
    if clock.parity:
        step, seconds = clock.parity
        print(f"\nbicubic parity after {step} steps, {seconds / 60:.2f} minutes of training")
    else:
        print(f"\nno parity within {args.limit_minutes} minutes")


if __name__ == "__main__":
    main()
