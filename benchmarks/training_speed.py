"""Training speed and precision: the keras-io recipe vs this series' default CPU configuration, side by side.

(a) the keras-io recipe expressed with our helpers: EDSR baseline x4, float32, 24x24 LR patches, batch 16;
(b) our default CPU configuration (the ``cpu`` profile): the same model, batch and patch shape, with the
    precision ``choose_precision()`` picks (mixed_bfloat16 on CPUs with bf16 units).

Prints seconds per step, HR pixels per second and the ratio; then trains both from the same initial weights
on the same batches for ``--steps`` steps and compares their validation PSNR (Y, shave 4, the 3 offline
validation photos): mixed precision must not cost accuracy (goal: within 0.15 dB).

Run: ``.venv/bin/python benchmarks/training_speed.py`` (about 10 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import time

import keras
import numpy as np

from edsr_helpers import data, profiles, training
from edsr_helpers import model as edsr_model


def build(policy: str, profile: profiles.Profile, weights=None) -> keras.Model:
    keras.config.set_dtype_policy(policy)
    try:
        net = edsr_model.edsr_preset("baseline", scale=profile.scale)
    finally:
        keras.config.set_dtype_policy("float32")
    if weights is not None:
        net.set_weights(weights)
    return training.compile_for_training(net, profile, jit_compile=False)


def seconds_per_step(net: keras.Model, batch, repeats: int) -> float:
    lr, hr = batch
    for _ in range(3):  # trace and warm up
        net.train_on_batch(lr, hr)
    start = time.perf_counter()
    for _ in range(repeats):
        net.train_on_batch(lr, hr)
    return (time.perf_counter() - start) / repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="timed steps per configuration")
    parser.add_argument("--steps", type=int, default=300, help="training steps for the PSNR comparison")
    args = parser.parse_args()

    cpu = profiles.PROFILES["cpu"]
    keras_io = profiles.Profile("keras-io", "keras-io recipe", "sample", lr_patch_size=24, batch_size=16)
    fast_policy = training.choose_precision()
    print(
        f"precision chosen here: {fast_policy}; cpu profile: {cpu.lr_patch_size}px LR patches, batch {cpu.batch_size}"
    )

    pairs = data.load_sample(4, "train")
    batch = next(iter(data.make_train_dataset_for(keras_io, pairs)))
    hr_pixels = int(np.prod(batch[1].shape[:3]))
    keras.utils.set_random_seed(0)
    reference = build("float32", keras_io)
    initial = reference.get_weights()
    fast = build(fast_policy, cpu, initial)

    results = {}
    for label, net in (
        ("(a) keras-io recipe, float32", reference),
        (f"(b) cpu profile, {fast_policy}", fast),
    ):
        step = seconds_per_step(net, batch, args.repeats)
        results[label] = step
        print(f"{label:<38} {step:6.3f} s/step  {hr_pixels / step / 1e6:6.2f} M HR pixels/s")
    (a, b) = results.values()
    print(f"speed-up (a)/(b): {a / b:.2f}x")
    if cpu.lr_patch_size != keras_io.lr_patch_size or cpu.batch_size != keras_io.batch_size:
        own = next(iter(data.make_train_dataset_for(cpu, pairs)))
        step = seconds_per_step(fast, own, args.repeats)
        print(
            f"cpu profile on its own patches: {step:.3f} s/step, {np.prod(own[1].shape[:3]) / step / 1e6:.2f} M HR px/s"
        )

    print(f"\nvalidation PSNR after {args.steps} steps from the same initial weights and batches:")
    val_pairs = list(data.load_sample(4, "validation").as_numpy_iterator())
    same = profiles.Profile(
        "same",
        "same",
        "sample",
        lr_patch_size=24,
        batch_size=16,
        learning_rate=cpu.learning_rate,
        warmup_steps=cpu.warmup_steps,
    )
    scores = {}
    for policy in ("float32", fast_policy):
        net = build(policy, same, initial)
        net.fit(data.make_train_dataset_for(same, pairs), epochs=1, steps_per_epoch=args.steps, verbose=0)
        scores[policy] = training.evaluate(net, val_pairs, 4)[-1]["edsr_psnr_y"]
        print(f"  {policy:<16} {scores[policy]:.2f} dB")
    values = list(scores.values())
    print(f"  difference: {values[1] - values[0]:+.2f} dB (bicubic: {training.bicubic_psnr(val_pairs, 4):.2f} dB)")


if __name__ == "__main__":
    main()
