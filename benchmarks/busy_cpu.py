"""Each engine's training step on a CPU that another program keeps busy, and PyTorch's OpenMP wait policy.

A student's laptop is rarely idle: a video call, a browser tab, a second notebook. How much a training step
slows down then depends on the engine. PyTorch's CPU kernels run on OpenMP threads that *spin* while they wait
for each other; when another program holds one of the cores, a spinning thread burns its time slice waiting for
a thread that is not running, and every step pays that many times over. ``OMP_WAIT_POLICY=PASSIVE`` (set before
Python starts) makes the waiting threads sleep instead.

This measures, side by side in one run: EDSR-baseline x4 at the ``cpu`` profile's batch and patch (float32,
``train_on_batch``, median of a few steps) on every installed engine, and on PyTorch with the passive policy,
first on a quiet machine, then beside one busy process per core (plain Python loops, normal priority), then
beside another EDSR training on TensorFlow with ``make pretrained``'s own load (mixed_bfloat16, 48 px patches,
``model.fit``), as when the weights train in the background: started with ``nice -n 10`` in a session of its own
(a second terminal, ``nohup``/``setsid``), and started by ``tools/in_background.sh``. Linux's autogroup
scheduler shares the CPU between sessions before ``nice`` counts, so only the second really yields the cores.
It prints seconds per step and the slowdowns. Nothing else should run while it measures.

Each engine runs in its own process (Keras picks its backend at import): TensorFlow from ``.venv``, JAX and
PyTorch from ``.venv-backends`` (``make backends-setup``); an engine that is not installed is skipped.

Run: ``.venv/bin/python benchmarks/busy_cpu.py`` (about 7 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
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
#: how the series starts a long training in the background (its log goes nowhere here)
IN_BACKGROUND = ["bash", str(ROOT / "tools" / "in_background.sh"), os.devnull]


def time_steps(repeats: int, policy: str = "float32", patch: int | None = None) -> float:
    """Median seconds per ``train_on_batch`` of EDSR-baseline at the ``cpu`` profile's shape (child process);
    ``repeats=0`` trains with ``model.fit`` until killed (the competing training)."""
    import keras

    from edsr_helpers import data, profiles, recipes, samples, training

    profile = profiles.PROFILES["cpu"]
    scale, patch, batch = profile.scale, patch or profile.recipe.lr_patch_size, profile.recipe.batch_size
    keras.config.set_dtype_policy(policy)
    pairs = data.pairs_from_images([samples.load_photo(name) for name in samples.TRAIN_PHOTOS], scale)
    lr, hr = data.RecipePatchBatches(pairs, scale=scale, lr_patch_size=patch, batch_size=batch)[0]
    net = training.compile_for_training(recipes.build_model("edsr-baseline", scale), profile)
    for _ in range(2):  # trace / compile
        net.train_on_batch(lr, hr)
    if repeats == 0:  # the competitor trains as make pretrained does: model.fit on the endless patch stream
        stream = data.RecipePatchBatches(pairs, scale=scale, lr_patch_size=patch, batch_size=batch)
        net.fit(stream, steps_per_epoch=1000, epochs=10**6, verbose=0, shuffle=False)
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
    busy = beside([[sys.executable, "-c", BUSY_LOOP]] * cores, configs, args.repeats)
    columns = {"quiet": quiet, f"{cores} busy loops": busy}
    if CONFIGS[0][2].exists():
        recipe = ["--policy", "mixed_bfloat16", "--patch", str(v2_recipe()[0]["patch"])]
        training = [str(CONFIGS[0][2]), __file__, "--child", "--repeats", "0", *recipe]
        columns["TF training, nice 10"] = beside([["nice", "-n", "10", *training]], configs, args.repeats)
        columns["TF, in_background.sh"] = beside([[*IN_BACKGROUND, *training]], configs, args.repeats)
    print("  " + " " * 32 + "".join(f"{name:>22s}" for name in columns))
    for label, alone in quiet.items():
        texts = []
        for table in columns.values():
            cell = table.get(label, "not measured")
            text = f"{cell:.3f}s" if isinstance(cell, float) else cell
            if table is not quiet and isinstance(cell, float) and isinstance(alone, float):
                text += f" ({cell / alone:.1f}x)"
            texts.append(text)
        print(f"  {label:32s}" + "".join(f"{text:>22s}" for text in texts))
    print("(TF training, nice 10: nice -n 10 in a session of its own; TF, in_background.sh: started by it)")
    trained = columns.get("TF training, nice 10", {})
    torch, passive = "torch", "torch, OMP_WAIT_POLICY=PASSIVE"
    for name, table in (("busy loops", busy), ("a niced TF training", trained)):
        if all(isinstance(table.get(key), float) for key in (torch, passive)):
            print(f"OMP_WAIT_POLICY=PASSIVE for PyTorch beside {name}: {table[torch] / table[passive]:.2f}x faster")
    if all(isinstance(quiet.get(key), float) for key in (torch, passive)):
        print(f"OMP_WAIT_POLICY=PASSIVE on a quiet machine: {quiet[passive] / quiet[torch]:.2f}x the time")


def beside(commands: list[list[str]], configs, repeats: int) -> dict[str, float | str]:
    """Each configuration's seconds per step while ``commands`` run, each in a session of its own as a program
    started from another terminal is (``IN_BACKGROUND`` detaches by itself and prints its process group)."""
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    groups = []
    try:
        for command in commands:
            if command[: len(IN_BACKGROUND)] == IN_BACKGROUND:
                started = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
                groups.append(int(started.stdout.split()[0]))
            else:
                groups.append(subprocess.Popen(command, env=env, start_new_session=True).pid)
        time.sleep(20)  # let them start working (a training imports and traces first)
        return {label: measure(engine, python, extra, repeats) for label, engine, python, extra in configs}
    finally:
        for group in groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
