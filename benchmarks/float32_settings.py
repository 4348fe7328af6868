"""Which engine settings make notebook 03's float32 training step fastest on this machine, side by side.

On a CPU without fast bfloat16 the lab trains in float32, so the float32 step is what a student waits for.
This times the ``cpu`` profile's step (EDSR-baseline x4, its LR patch size and batch, L1, Adam) under every
setting an engine offers without rebuilding it, each in its own process (the settings must be fixed before the
engine starts), in one run:

- TensorFlow as installed (oneDNN on, XLA off);
- TensorFlow with oneDNN off (``TF_ENABLE_ONEDNN_OPTS=0``);
- TensorFlow with XLA (``compile(jit_compile=True)``);
- TensorFlow with one inter-op thread (all cores inside each op), and with one intra-op thread per op;
- Keras on JAX (XLA) and on PyTorch, from ``.venv-backends`` (``make backends-setup``; skipped if absent).

It then measures this CPU's float32 ceiling (the best GFLOP/s of a large matmul and of EDSR's own 3x3
convolutions, ``training_speed.best_gflops``) and prints each setting's time, its ratio to the fastest and the
step's share of that ceiling.

Run: ``.venv/bin/python benchmarks/float32_settings.py`` (about 5 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TF_PYTHON = ROOT / ".venv/bin/python"
BACKENDS_PYTHON = ROOT / ".venv-backends/bin/python"

#: name -> (python, environment additions, child options)
SETTINGS: dict[str, tuple[Path, dict[str, str], list[str]]] = {
    "tensorflow (as installed)": (TF_PYTHON, {"KERAS_BACKEND": "tensorflow"}, []),
    "tensorflow, oneDNN off": (TF_PYTHON, {"KERAS_BACKEND": "tensorflow", "TF_ENABLE_ONEDNN_OPTS": "0"}, []),
    "tensorflow, XLA": (TF_PYTHON, {"KERAS_BACKEND": "tensorflow"}, ["--xla"]),
    "tensorflow, 1 inter-op thread": (TF_PYTHON, {"KERAS_BACKEND": "tensorflow"}, ["--inter", "1"]),
    "tensorflow, 1 intra-op thread": (TF_PYTHON, {"KERAS_BACKEND": "tensorflow"}, ["--intra", "1"]),
    "jax": (BACKENDS_PYTHON, {"KERAS_BACKEND": "jax"}, []),
    "torch": (BACKENDS_PYTHON, {"KERAS_BACKEND": "torch"}, []),
}


def time_step(repeats: int, xla: bool, inter: int | None, intra: int | None) -> dict:
    """Seconds per float32 ``train_on_batch`` of the ``cpu`` profile's model and batch, fastest of ``repeats``."""
    import keras

    from edsr_helpers import backend, data, profiles, training

    if inter or intra:  # before the first op: TensorFlow fixes its thread pools then
        import tensorflow as tf

        if inter:
            tf.config.threading.set_inter_op_parallelism_threads(inter)
        if intra:
            tf.config.threading.set_intra_op_parallelism_threads(intra)
    profile = profiles.PROFILES["cpu"]
    recipe = profile.recipe
    pairs = data.load_sample(profile.scale, "train")
    lr, hr = data.RecipePatchBatches(
        pairs, scale=profile.scale, lr_patch_size=recipe.lr_patch_size, batch_size=recipe.batch_size
    )[0]
    keras.utils.set_random_seed(0)
    net = recipe.build_model(profile.scale)
    training.compile_for_training(net, profile, jit_compile=xla)
    seconds = backend.fastest_steps({"step": net}, lr, hr, steps=repeats)["step"]
    return {"seconds": seconds, "engine": backend.name()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2, help="passes over all settings; the fastest pass counts")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--xla", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--inter", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--intra", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(time_step(args.repeats, args.xla, args.inter, args.intra)))
        return

    sys.path.insert(0, str(Path(__file__).parent))
    import tensorflow as tf
    from training_speed import best_gflops, step_gflop

    from edsr_helpers import profiles

    profile = profiles.PROFILES["cpu"]
    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model_line = next((line for line in cpu.splitlines() if line.startswith("Model name")), "Model name: ?")
    print(f"{model_line.split(':', 1)[1].strip()}, {os.cpu_count()} cores")
    print(
        f"EDSR-baseline x{profile.scale}, {profile.recipe.lr_patch_size} px LR patches, batch "
        f"{profile.recipe.batch_size}, float32: seconds per training step "
        f"(fastest of {args.repeats} steps, {args.rounds} passes)"
    )
    timings: dict[str, float] = {}
    for round_ in range(args.rounds):  # interleaved, so a slow minute on a shared machine hits every setting
        for name, (python, extra_env, options) in SETTINGS.items():
            if not python.exists():
                print(f"  {name:32s} skipped: {python} not found")
                continue
            env = {**os.environ, **extra_env, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
            command = [str(python), __file__, "--child", "--repeats", str(args.repeats), *options]
            done = subprocess.run(command, capture_output=True, text=True, env=env)
            if done.returncode:
                print(f"  {name:32s} failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
                continue
            seconds = json.loads(done.stdout.strip().splitlines()[-1])["seconds"]
            timings[name] = min(seconds, timings.get(name, float("inf")))
            print(f"  pass {round_ + 1}: {name:32s} {seconds:.3f} s", flush=True)
    if not timings:
        raise SystemExit("no setting could be measured")

    gflop = step_gflop(profile)
    peak = best_gflops(tf.float32)
    best_rate = max(peak.values())
    print(
        f"this CPU's float32 ceiling: {best_rate:.0f} GFLOP/s ("
        + ", ".join(f"{kind} {rate:.0f}" for kind, rate in peak.items())
        + f"); one step is ~{gflop:.0f} GFLOP of convolutions"
    )
    fastest = min(timings, key=timings.get)
    for name, seconds in sorted(timings.items(), key=lambda item: item[1]):
        print(
            f"  {name:32s} {seconds / timings[fastest]:.2f}x the fastest's time, "
            f"{gflop / seconds:.0f} GFLOP/s = {gflop / seconds / best_rate:.0%} of the ceiling"
        )
    default = "tensorflow (as installed)"
    if default in timings:
        print(f"fastest: {fastest}; the default TensorFlow takes {timings[default] / timings[fastest]:.2f}x its time")


if __name__ == "__main__":
    sys.exit(main())
