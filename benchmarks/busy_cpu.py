"""Each engine's training step on a CPU that another program keeps busy, and PyTorch's OpenMP wait policy.

A student's laptop is rarely idle: a video call, a browser tab, a second notebook. How much a training step
slows down then depends on the engine. PyTorch's CPU kernels run on OpenMP threads that *spin* while they wait
for each other; when another program holds one of the cores, a spinning thread burns its time slice waiting for
a thread that is not running, and every step pays that many times over. ``OMP_WAIT_POLICY=PASSIVE`` (set before
Python starts) makes the waiting threads sleep instead.

This measures, side by side in one run: EDSR-baseline x4 at the ``cpu`` profile's batch and patch (float32,
``train_on_batch``, median of a few steps) on every installed engine, and on PyTorch with the passive policy,
first on a quiet machine, then beside one busy process per core (plain Python loops, normal priority), then
beside another EDSR training on TensorFlow at ``nice 10``: ``make pretrained``'s own load (mixed_bfloat16,
48 px patches), as when the weights train in the background. It prints seconds per step and the slowdowns.
Nothing else should run while it measures.

Each engine runs in its own process (Keras picks its backend at import): TensorFlow from ``.venv``, JAX and
PyTorch from ``.venv-backends`` (``make backends-setup``); an engine that is not installed is skipped.

Run: ``.venv/bin/python benchmarks/busy_cpu.py`` (about 4 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from recipe_speed import PYTHONS, ROOT, v2_recipe

#: (label, engine, interpreter, extra environment)
CONFIGS = (
    *((engine, engine, python, {}) for engine, python in PYTHONS.items()),
    ("torch, OMP_WAIT_POLICY=PASSIVE", "torch", PYTHONS["torch"], {"OMP_WAIT_POLICY": "PASSIVE"}),
)
BUSY_LOOP = "while True: pass"


def time_steps(repeats: int, policy: str = "float32", patch: int | None = None) -> float:
    """Median seconds per ``train_on_batch`` of EDSR-baseline at the ``cpu`` profile's shape (child process);
    ``repeats=0`` trains with ``model.fit`` until killed (the competing training)."""
    import keras

    from edsr_helpers import data, profiles, samples, training
    from edsr_helpers import model as edsr_model

    profile = profiles.PROFILES["cpu"]
    scale, patch, batch = profile.scale, patch or profile.lr_patch_size, profile.batch_size
    keras.config.set_dtype_policy(policy)
    pairs = data.pairs_from_images([samples.load_photo(name) for name in samples.TRAIN_PHOTOS], scale)
    lr, hr = data.PatchBatches(pairs, scale=scale, lr_patch_size=patch, batch_size=batch)[0]
    net = training.compile_for_training(edsr_model.edsr_preset("baseline", scale), profile)
    for _ in range(2):  # trace / compile
        net.train_on_batch(lr, hr)
    if repeats == 0:  # the competitor trains as make pretrained does: model.fit on the endless patch stream
        stream = data.PatchBatches(pairs, scale=scale, lr_patch_size=patch, batch_size=batch)
        net.fit(stream, steps_per_epoch=1000, epochs=10**6, verbose=0)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        net.train_on_batch(lr, hr)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(engine: str, python: Path, extra: dict[str, str], repeats: int) -> float | str:
    """Seconds per step in a fresh process, or why it could not be measured."""
    env = {**os.environ, "KERAS_BACKEND": engine, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", **extra}
    command = [str(python), __file__, "--child", "--repeats", str(repeats)]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode:
        return f"failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}"
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--policy", default="float32", help=argparse.SUPPRESS)
    parser.add_argument("--patch", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(time_steps(args.repeats, args.policy, args.patch)))
        return
    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model_line = next((line for line in cpu.splitlines() if line.startswith("Model name")), "Model name: ?")
    cores = os.cpu_count() or 1
    print(f"{model_line.split(':', 1)[1].strip()}, {cores} cores")
    print("EDSR-baseline x4, the cpu profile's batch and patch, float32: seconds per training step")
    configs = [config for config in CONFIGS if config[2].exists()]
    for label, _, python, _ in CONFIGS:
        if not python.exists():
            print(f"  {label:32s} skipped: {python} not found")
    quiet = {label: measure(engine, python, extra, args.repeats) for label, engine, python, extra in configs}
    loops = [[sys.executable, "-c", BUSY_LOOP]] * cores
    busy = beside(loops, {}, configs, args.repeats)
    training_env = {"KERAS_BACKEND": "tensorflow", "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    recipe = ["--policy", "mixed_bfloat16", "--patch", str(v2_recipe()[0]["patch"])]
    training = [["nice", "-n", "10", str(CONFIGS[0][2]), __file__, "--child", "--repeats", "0", *recipe]]
    trained = beside(training, training_env, configs, args.repeats) if CONFIGS[0][2].exists() else {}
    print(f"  {'':32s} {'quiet':>8s} {f'{cores} busy loops':>16s} {'a TF training':>15s}")
    for label, alone in quiet.items():
        cells = [alone, busy[label], trained.get(label, "not measured")]
        texts = [f"{cell:.3f}s" if isinstance(cell, float) else cell for cell in cells]
        for index in (1, 2):
            if isinstance(cells[0], float) and isinstance(cells[index], float):
                texts[index] += f" ({cells[index] / cells[0]:.1f}x)"
        print(f"  {label:32s} {texts[0]:>8s} {texts[1]:>16s} {texts[2]:>15s}")
    torch, passive = "torch", "torch, OMP_WAIT_POLICY=PASSIVE"
    for name, table in (("busy loops", busy), ("a TF training", trained)):
        if all(isinstance(table.get(key), float) for key in (torch, passive)):
            print(f"OMP_WAIT_POLICY=PASSIVE for PyTorch beside {name}: {table[torch] / table[passive]:.2f}x faster")
    if all(isinstance(quiet.get(key), float) for key in (torch, passive)):
        print(f"OMP_WAIT_POLICY=PASSIVE on a quiet machine: {quiet[passive] / quiet[torch]:.2f}x the time")


def beside(commands: list[list[str]], env: dict[str, str], configs, repeats: int) -> dict[str, float | str]:
    """Each configuration's seconds per step while ``commands`` run (started first, killed after)."""
    competitors = [subprocess.Popen(command, env={**os.environ, **env}) for command in commands]
    try:
        time.sleep(20)  # let them start working (a training imports and traces first)
        return {label: measure(engine, python, extra, repeats) for label, engine, python, extra in configs}
    finally:
        for process in competitors:
            process.kill()


if __name__ == "__main__":
    sys.exit(main())
