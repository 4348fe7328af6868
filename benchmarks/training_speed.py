"""Training speed and precision: the keras-io recipe vs this series' default CPU configuration, side by side.

(a) the keras-io recipe expressed with our helpers: EDSR baseline x4, float32, 24x24 LR patches, batch 16;
(b) our default CPU configuration (the ``cpu`` profile): the same model, batch and patch shape, with the
    precision ``choose_precision()`` picks by timing a few small steps in each policy on this machine; the
    full-size step is timed in float32 *and* mixed_bfloat16 next to that choice, so a wrong choice shows.

Prints seconds per step, HR pixels per second and the ratio; then trains both from the same initial weights
on the same batches for ``--steps`` steps and compares their validation PSNR (Y, shave 4, the 3 offline
validation photos): mixed precision must not cost accuracy (goal: within 0.15 dB).

It also measures this CPU's ceiling, side by side: the best float32 and bfloat16 GFLOP/s of a large matmul and
of EDSR's own 3x3 convolutions, and how close each training step gets to it. Both configurations do the same
arithmetic (same model, batch and patch shape), so no setting can make (b) faster than (a) by more than the
bf16/float32 ratio of the hardware's peak, and the script prints that bound next to the measured ratio.

Run: ``.venv/bin/python benchmarks/training_speed.py`` (about 11 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import time

import keras
import numpy as np
import tensorflow as tf

from edsr_helpers import backend, data, profiles, recipes, training
from edsr_helpers import model as edsr_model


def build(policy: str, profile: profiles.Profile, weights=None) -> keras.Model:
    keras.config.set_dtype_policy(policy)
    try:
        net = recipes.build_model("edsr-baseline", profile.scale)
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


def step_gflop(profile: profiles.Profile) -> float:
    """Arithmetic of one training step: forward convs plus about twice that backwards (input and weight grads)."""
    hr_pixels = profile.recipe.batch_size * (profile.recipe.lr_patch_size * profile.scale) ** 2
    return 3 * hr_pixels * edsr_model.flops_per_output_pixel(profile.scale) / 1e9


def best_gflops(dtype: tf.DType, repeats: int = 10) -> dict[str, float]:
    """This CPU's best achieved GFLOP/s in ``dtype``: a 2048^2 matmul and EDSR's 64->64 3x3 conv at 24 and 96 px."""

    def timed(fn, args, flop, n):
        fn(*args).numpy()  # trace and warm up
        start = time.perf_counter()
        for _ in range(n):
            out = fn(*args)
        out.numpy()
        return flop * n / (time.perf_counter() - start) / 1e9

    rng = np.random.default_rng(0)

    def tensor(*shape):
        return tf.cast(rng.standard_normal(shape, dtype=np.float32), dtype)

    matmul = tf.function(lambda a: tf.matmul(a, a))
    conv = tf.function(lambda x, w: tf.nn.conv2d(x, w, 1, "SAME"))
    kernel = tensor(3, 3, 64, 64)
    return {
        "matmul 2048": timed(matmul, [tensor(2048, 2048)], 2 * 2048**3, repeats),
        "conv 24px": timed(conv, [tensor(16, 24, 24, 64), kernel], 2 * 9 * 64 * 64 * 16 * 24 * 24, repeats * 20),
        "conv 96px": timed(conv, [tensor(16, 96, 96, 64), kernel], 2 * 9 * 64 * 64 * 16 * 96 * 96, repeats * 2),
    }


def report_ceiling(results: dict[str, float], gflop: float, fast_policy: str, goal: float = 3.5) -> None:
    """Print the float32 and bf16 peaks, each configuration's share of its peak, and the bound on the ratio."""
    low = {"mixed_bfloat16": tf.bfloat16, "mixed_float16": tf.float16}.get(fast_policy, tf.float32)
    peaks = {"float32": best_gflops(tf.float32), low.name: best_gflops(low)}
    print(f"\nthis CPU's ceiling (best GFLOP/s; one step is ~{gflop:.0f} GFLOP of convolutions):")
    for name in peaks["float32"]:
        fp32, fast = peaks["float32"][name], peaks[low.name][name]
        print(f"  {name:<12} float32 {fp32:6.0f}   {low.name} {fast:6.0f}   ratio {fast / fp32:.2f}x")
    best32, best_low = max(peaks["float32"].values()), max(peaks[low.name].values())
    (a, b) = results.values()
    print(f"  (a) runs at {gflop / a:5.0f} GFLOP/s = {gflop / a / best32:4.0%} of the best float32 rate")
    print(f"  (b) runs at {gflop / b:5.0f} GFLOP/s = {gflop / b / best_low:4.0%} of the best {low.name} rate")
    bound = a / (gflop / best_low)
    print(
        f"  even at 100% of the {low.name} peak, (b) could be at most {bound:.2f}x faster than (a) here; "
        f"{goal}x would need {gflop / (a / goal):.0f} GFLOP/s ({gflop / (a / goal) / best_low:.1f}x this CPU's peak)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="timed steps per configuration")
    # 600, not 300: at 300 steps the warmed-up run still climbs ~1 dB per 100 steps, and bf16 and float32
    # trajectories were seen 0.5-0.7 dB apart there in either direction; by 450-600 steps within 0.02 dB.
    parser.add_argument("--steps", type=int, default=600, help="training steps for the PSNR comparison")
    args = parser.parse_args()

    cpu = profiles.PROFILES["cpu"]
    keras_io = profiles.Profile(
        "keras-io", "keras-io", recipes.Recipe("keras-io", "keras-io recipe", dataset="sample", lr_patch_size=24)
    )
    print(f"CPU: {backend.device_name()}, engine: {backend.name()}")
    fast_policy = backend.choose_precision(refresh=True, verbose=True)
    print(
        f"precision chosen here: {fast_policy}; cpu profile: {cpu.recipe.lr_patch_size}px LR patches, "
        f"batch {cpu.recipe.batch_size}"
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
    full = {"float32": a}
    if fast_policy == "float32":
        full["mixed_bfloat16"] = seconds_per_step(build("mixed_bfloat16", cpu, initial), batch, args.repeats)
    else:
        full[fast_policy] = b
    fastest = min(full, key=full.get)
    kept_float32 = fast_policy == "float32" and full[fastest] > backend.PRECISION_MARGIN * full["float32"]
    verdict = "right" if fast_policy == fastest or kept_float32 else "WRONG"
    times = ", ".join(f"{policy} {seconds:.3f} s" for policy, seconds in full.items())
    print(f"full-size step: {times} -> measured choice {fast_policy} is {verdict}")
    report_ceiling(results, step_gflop(keras_io), fast_policy)
    if cpu.recipe.lr_patch_size != keras_io.recipe.lr_patch_size or cpu.recipe.batch_size != keras_io.recipe.batch_size:
        own = next(iter(data.make_train_dataset_for(cpu, pairs)))
        step = seconds_per_step(fast, own, args.repeats)
        print(
            f"cpu profile on its own patches: {step:.3f} s/step, {np.prod(own[1].shape[:3]) / step / 1e6:.2f} M HR px/s"
        )

    print(f"\nvalidation PSNR after {args.steps} steps from the same initial weights and batches:")
    val_pairs = data.load_sample(4, "validation")
    same_recipe = recipes.Recipe(
        "same",
        "same",
        dataset="sample",
        lr_patch_size=24,
        learning_rate=cpu.recipe.learning_rate,
        warmup_steps=cpu.recipe.warmup_steps,
    )
    same = profiles.Profile("same", "same", same_recipe)
    scores = {}
    for policy in ("float32", fast_policy):
        net = build(policy, same, initial)
        batches = data.make_train_dataset_for(same, pairs)
        net.fit(batches, epochs=1, steps_per_epoch=args.steps, verbose=0, shuffle=False)
        scores[policy] = training.evaluate(net, val_pairs, 4)[-1]["edsr_psnr_y"]
        print(f"  {policy:<16} {scores[policy]:.2f} dB")
    values = list(scores.values())
    print(f"  difference: {values[1] - values[0]:+.2f} dB (bicubic: {training.bicubic_psnr(val_pairs, 4):.2f} dB)")


if __name__ == "__main__":
    main()
