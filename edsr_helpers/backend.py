"""The one module that knows which engine runs Keras: TensorFlow, JAX or PyTorch.

Keras 3 runs the same model on three engines, and the series uses that: TensorFlow is the default (the
fastest CPU engine on the machines measured, and the one tensorflow-datasets needs), JAX is the fast path on
GPUs (EDSR-baseline trained 1.9x faster than the PyTorch reference on an H200, ``benchmarks/gpu_training.py``).
Everything that differs between the engines lives here, so every other module is plain ``keras``,
``keras.ops`` and numpy:

- which engine is configured, without importing it (:func:`configured_backend`);
- whether there is a GPU and what this machine is (:func:`has_gpu`, :func:`device_name`);
- the precision policy, chosen by *measuring* a few training steps in each candidate (:func:`choose_precision`),
  never from CPU flags, which mispredict: AVX512-BF16 made bfloat16 2x faster on one CPU and 1.5x slower on
  another;
- XLA compilation of training steps, measured on a CPU like the precision (:func:`choose_xla`,
  :func:`jit_compile`);
- the compiled forward pass that inference uses (:func:`compiled_forward`) and an input gradient
  (:func:`input_gradient`);
- data-parallel training on several devices (:func:`choose_strategy`).

Choose the engine *before* the first ``import keras`` (or ``import edsr_helpers``), with the environment
variable ``KERAS_BACKEND=jax`` (or ``torch``); on Colab, in the setup cell.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.abc
import importlib.util
import json
import os
import sys
import time
import weakref
from collections.abc import Callable
from pathlib import Path

import numpy as np

#: Set to a Keras dtype policy (``float32``, ``mixed_bfloat16``, ``mixed_float16``) to skip the measurement.
PRECISION_ENV_VAR = "EDSR_PRECISION"
#: A 16-bit policy is taken only when it is at least this much faster than float32 in the measurement, so
#: timing noise can never make the choice slower than float32.
PRECISION_MARGIN = 0.9
#: Set to ``1`` or ``0`` to force XLA on or off for training, skipping the measurement.
XLA_ENV_VAR = "EDSR_XLA"
#: XLA is taken for training on a CPU only when it is at least this much faster in the measurement.
XLA_MARGIN = 0.95


# ------------------------------------------------------------------------------------------ which engine


def configured_backend() -> str:
    """The engine Keras uses or will use, found the way Keras finds it, without importing Keras.

    ``KERAS_BACKEND`` wins, then ``~/.keras/keras.json`` (or ``$KERAS_HOME/keras.json``), else TensorFlow.
    """
    if "keras" in sys.modules:
        import keras

        return keras.backend.backend()
    requested = os.environ.get("KERAS_BACKEND", "").strip()
    if requested:
        return requested
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    try:
        return json.loads((home / "keras.json").read_text()).get("backend", "tensorflow")
    except (OSError, ValueError):
        return "tensorflow"


#: The module each engine is imported as, and the package extra that installs it (``pip install edsr-helpers[jax]``).
ENGINE_MODULES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}


def missing_engine() -> str | None:
    """One line saying how to get an engine when Keras's configured one is not installed; None when it is.

    Why: without it, the first ``import keras`` ends a long traceback with ``No module named 'tensorflow'``.
    Looks the modules up without importing them.
    """
    import importlib.util

    engine = configured_backend()
    if engine not in ENGINE_MODULES:
        return f"KERAS_BACKEND={engine!r} is not an engine of this package; set it to tensorflow, jax or torch."
    if importlib.util.find_spec(ENGINE_MODULES[engine]) is not None:
        return None
    others = [other for other, module in ENGINE_MODULES.items() if importlib.util.find_spec(module) is not None]
    install = f"Keras's {engine} engine is not installed: pip install 'edsr-helpers[{engine}]'"
    if others:
        return f"{install}, or set KERAS_BACKEND={others[0]} (installed here)."
    alternatives = " or ".join(f"[{other}]" for other in ENGINE_MODULES if other != engine)
    return f"{install} (or {alternatives} with KERAS_BACKEND set to that engine's name)."


def name() -> str:
    """The engine running Keras in this process: ``tensorflow``, ``jax`` or ``torch``."""
    import keras

    return keras.backend.backend()


@contextlib.contextmanager
def _stderr_muted():
    """The process's stderr (file descriptor 2, which C++ code writes to) sent to /dev/null for a while."""
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class _QuietTensorFlowImport(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` once and runs its first import with stderr muted, whoever imports it (Keras too)."""

    def find_spec(self, fullname, path, target=None):
        if fullname != "tensorflow":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec("tensorflow")
        if spec is not None and spec.loader is not None:
            run = spec.loader.exec_module

            def exec_module(module):
                with _stderr_muted():
                    run(module)

            spec.loader.exec_module = exec_module
        return spec


def mute_tensorflow_import_notices() -> None:
    """Let TensorFlow's first import, whenever it comes, run with the process's stderr muted: its start-up notices
    ignore TF_CPP_MIN_LOG_LEVEL, and Jupyter copies those C++ lines into whichever cell runs next, where they
    confuse readers and break nbval's comparison of outputs.

    Why not import it now: ``import edsr_helpers`` and ``edsr-upscale --help`` stay fast (TensorFlow takes
    seconds to import) and a machine without TensorFlow is not asked for it.
    """
    if "tensorflow" not in sys.modules and not any(isinstance(f, _QuietTensorFlowImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorFlowImport())


def tensorflow_available() -> bool:
    """Whether TensorFlow can be imported here (it is optional except for the tfds DIV2K path)."""
    import importlib.util

    return importlib.util.find_spec("tensorflow") is not None


# ------------------------------------------------------------------------------------------ the machine


def has_gpu() -> bool:
    """Whether the engine Keras runs on sees a GPU."""
    engine = name()
    if engine == "tensorflow":
        import tensorflow as tf

        return bool(tf.config.list_physical_devices("GPU"))
    if engine == "jax":
        import jax

        return any(device.platform == "gpu" for device in jax.devices())
    if engine == "torch":
        import torch

        return bool(torch.cuda.is_available())
    return False


def _cpuinfo_field(*names: str) -> str | None:
    """The value of the first ``/proc/cpuinfo`` line starting with one of ``names``; None off Linux."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(names):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def cpu_model() -> str:
    """The CPU's model name as ``lscpu`` prints it (``/proc/cpuinfo`` on Linux, ``platform`` elsewhere)."""
    import platform

    return _cpuinfo_field("model name") or platform.processor() or platform.machine()


def cpu_flags() -> str:
    """The CPU's instruction-set flags (``/proc/cpuinfo``'s ``flags`` line on Linux; ``platform`` elsewhere).

    Why: one model name can hide very different chips. Two 2-core VMs that both call themselves "AMD EPYC"
    were measured here: on one (AVX512-BF16) bfloat16 training ran 1.9x faster than float32, on the other
    (a Zen 1 with AVX2 only) 5.9x slower. The precision cache tells such machines apart by these flags.
    """
    import platform

    flags = _cpuinfo_field("flags", "Features")  # x86 / ARM
    return " ".join(sorted(flags.split())) if flags is not None else f"{platform.machine()} {platform.processor()}"


def device_name() -> str:
    """What training runs on here: the GPU's name if the engine sees one, else the CPU's model name."""
    if has_gpu():
        engine = name()
        if engine == "jax":
            import jax

            return jax.devices()[0].device_kind
        if engine == "torch":
            import torch

            return torch.cuda.get_device_name(0)
        import tensorflow as tf

        details = tf.config.experimental.get_device_details(tf.config.list_physical_devices("GPU")[0])
        return details.get("device_name", "GPU")
    return f"{cpu_model()} ({os.cpu_count()} cores)"


def jit_compile() -> bool:
    """Whether ``model.compile`` should ask for XLA: yes on JAX (its normal mode) and on TensorFlow GPUs; on a
    TensorFlow CPU what :func:`choose_xla` measured here (off until it has).

    On CPUs XLA helps or hurts by chip and precision (float32 steps 1.2x faster on one AMD EPYC, bfloat16 steps
    2.3x slower on another), so it is measured like the precision. Keras on torch would route it through
    ``torch.compile``, which is slow to start and not worth it for a notebook run.
    """
    engine = name()
    if engine != "tensorflow":
        return engine == "jax"
    if has_gpu():
        return True
    import tensorflow as tf

    if tf.distribute.has_strategy() and tf.distribute.get_strategy().num_replicas_in_sync > 1:
        return False  # XLA cannot reach variables mirrored on other CPU devices
    requested = os.environ.get(XLA_ENV_VAR, "").strip()
    if requested:
        return requested == "1"
    return bool(_read_cache().get(_xla_cache_key(), {}).get("choice", False))


# ------------------------------------------------------------------------------------------ precision


def _cache_file() -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return root / "edsr_helpers" / "precision.json"


def _cache_key() -> str:
    import keras

    # A GPU's name tells GPUs apart; a CPU's does not (see cpu_flags), so a digest of its flags joins it.
    # The cache may sit in a home folder shared by several machines (a JupyterHub on network storage).
    machine = device_name() if has_gpu() else f"{device_name()} [{hashlib.sha1(cpu_flags().encode()).hexdigest()[:8]}]"
    return f"{name()} | {machine} | keras {keras.__version__}"


def precision_candidates() -> tuple[str, ...]:
    """Policies worth measuring here: float16 only on GPUs (CPUs emulate it slowly), bfloat16 everywhere."""
    return ("float32", "mixed_bfloat16", "mixed_float16") if has_gpu() else ("float32", "mixed_bfloat16")


def fastest_steps(
    models: dict[str, object], inputs: np.ndarray, targets: np.ndarray, *, steps: int = 3, warmup: int = 2
) -> dict[str, float]:
    """Seconds per ``train_on_batch`` of each compiled model: the fastest of ``steps`` timed steps.

    Every model is warmed up first (tracing, XLA compilation), then the timed steps alternate between the
    models, so a slow moment on a shared machine hits all of them rather than deciding the comparison.
    """
    for model in models.values():
        for _ in range(warmup):
            model.train_on_batch(inputs, targets)
    best = dict.fromkeys(models, float("inf"))
    for _ in range(steps):
        for key, model in models.items():
            start = time.perf_counter()
            model.train_on_batch(inputs, targets)
            best[key] = min(best[key], time.perf_counter() - start)
    return best


def measure_precisions(
    candidates: tuple[str, ...] | None = None, *, steps: int = 3, batch: int = 8, lr_size: int = 40
) -> dict[str, float]:
    """Seconds per training step of a small stack of EDSR's convolutions in each policy.

    The stack is EDSR's body in miniature (3x3 convolutions of 64 filters with ReLUs, 3 colours in and out),
    so the 16-bit/32-bit speed ratio is the full model's, while the whole measurement takes seconds. Timed by
    :func:`fastest_steps`; the global dtype policy is restored afterwards.
    """
    import keras

    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (batch, lr_size, lr_size, 3)).astype("float32")
    previous = keras.config.dtype_policy()
    engine_jit = name() == "jax" or (name() == "tensorflow" and has_gpu())  # XLA is measured on its own
    stacks = {}
    try:
        for policy in candidates or precision_candidates():
            keras.config.set_dtype_policy(policy)  # layers keep the policy they were built under
            layers = [keras.layers.Conv2D(64, 3, padding="same")]
            layers += [keras.layers.Conv2D(64, 3, padding="same", activation="relu") for _ in range(4)]
            layers += [keras.layers.Conv2D(3, 3, padding="same", dtype="float32")]
            stacks[policy] = keras.Sequential([keras.Input((None, None, 3)), *layers])
            stacks[policy].compile(optimizer="adam", loss="mean_absolute_error", jit_compile=engine_jit)
    finally:
        keras.config.set_dtype_policy(previous)
    return fastest_steps(stacks, images, images, steps=steps)


def pick_precision(timings: dict[str, float]) -> str:
    """The fastest policy in ``timings``; a 16-bit one only if it beats float32 by the safety margin."""
    fastest = min(timings, key=timings.get)
    if fastest != "float32" and timings[fastest] > PRECISION_MARGIN * timings.get("float32", float("inf")):
        return "float32"
    return fastest


def _read_cache() -> dict:
    try:
        return json.loads(_cache_file().read_text())
    except (OSError, ValueError):
        return {}


def _write_cache_entry(key: str, entry: dict) -> None:
    """Add one measurement to the cache file; a read-only home only means measuring again next time."""
    stored = _read_cache()
    stored[key] = entry
    with contextlib.suppress(OSError):
        cache = _cache_file()
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(stored, indent=1))


def _xla_cache_key() -> str:
    import keras

    return f"{_cache_key()} | XLA under {keras.config.dtype_policy().name}"


def measure_xla(build: Callable[[bool], object], inputs: np.ndarray, targets: np.ndarray, *, steps: int = 4) -> dict:
    """Seconds per training step of ``build(jit_compile)`` (a compiled model) without and with XLA.

    Timed side by side by :func:`fastest_steps` (XLA compiles in the warm-up). Keys: ``"off"``, ``"on"``.
    """
    return fastest_steps({"off": build(False), "on": build(True)}, inputs, targets, steps=steps)


def choose_xla(
    build: Callable[[bool], object],
    inputs: np.ndarray,
    targets: np.ndarray,
    *,
    refresh: bool = False,
    verbose: bool = False,
) -> bool:
    """Whether training on this TensorFlow CPU is faster with XLA, under the current dtype policy: measured once
    on the real model (:func:`measure_xla`), cached beside the precision, and from then on what
    :func:`jit_compile` answers. Other engines and GPUs are not measured (:func:`jit_compile` says why).
    ``EDSR_XLA=1`` or ``0`` overrides."""
    if name() != "tensorflow" or has_gpu() or os.environ.get(XLA_ENV_VAR, "").strip():
        return jit_compile()
    key = _xla_cache_key()
    entry = _read_cache().get(key)
    if refresh or entry is None:
        timings = measure_xla(build, inputs, targets)
        entry = {"choice": timings["on"] <= XLA_MARGIN * timings["off"], "seconds_per_step": timings}
        _write_cache_entry(key, entry)
    if verbose:
        off, on = entry["seconds_per_step"]["off"], entry["seconds_per_step"]["on"]
        choice = "on" if entry["choice"] else "off"
        print(f"measured here: XLA off {off * 1e3:.0f} ms, on {on * 1e3:.0f} ms per step of EDSR -> {choice}")
    return entry["choice"]


def choose_precision(*, refresh: bool = False, verbose: bool = False) -> str:
    """The fastest safe Keras dtype policy on this machine and engine, measured once and cached.

    ``EDSR_PRECISION`` overrides the measurement. Otherwise a few seconds of training steps decide
    (:func:`measure_precisions`); the result is kept in ``~/.cache/edsr_helpers/precision.json`` per engine,
    device and Keras version, so later calls are free. Variables stay float32 under every policy, and EDSR's
    output layer is float32.
    """
    requested = os.environ.get(PRECISION_ENV_VAR, "").strip()
    if requested:
        return requested
    key = _cache_key()
    entry = _read_cache().get(key)
    if refresh or entry is None:
        timings = measure_precisions()
        entry = {"choice": pick_precision(timings), "seconds_per_step": timings}
        _write_cache_entry(key, entry)
    if verbose:
        times = ", ".join(f"{policy} {seconds * 1e3:.0f} ms" for policy, seconds in entry["seconds_per_step"].items())
        print(f"measured here: {times} per small step -> {entry['choice']}")
    return entry["choice"]


# ------------------------------------------------------------------------------------------ inference

_FORWARDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def compiled_forward(model) -> Callable[[np.ndarray], np.ndarray]:
    """``images -> outputs`` (numpy float32, batched) for ``model``, compiled once per model where the engine can.

    - TensorFlow: one ``tf.function`` graph for any image size. In a graph each activation is freed as soon as
      its last consumer has run; an eager call of a functional model keeps every layer's output until it
      returns, which multiplies the memory a tile needs (2.6 vs 0.9 GiB for a 2K output).
    - JAX: ``jax.jit`` of the model's stateless call, with the weights passed in (so a model that trains on
      keeps being seen as it is now); one compilation per input shape.
    - torch: an eager call without autograd bookkeeping.
    """
    if model in _FORWARDS:
        return _FORWARDS[model]
    engine = name()
    if engine == "tensorflow":
        import tensorflow as tf

        graph = tf.function(
            lambda images: model(images, training=False),
            input_signature=[tf.TensorSpec((None, None, None, 3), tf.float32)],
        )

        def forward(images: np.ndarray) -> np.ndarray:
            return np.asarray(graph(np.asarray(images, np.float32)), dtype=np.float32)

    elif engine == "jax":
        import jax

        @jax.jit
        def stateless(trainable, non_trainable, images):
            outputs, _ = model.stateless_call(trainable, non_trainable, images, training=False)
            return outputs

        def forward(images: np.ndarray) -> np.ndarray:
            trainable = [variable.value for variable in model.trainable_variables]
            non_trainable = [variable.value for variable in model.non_trainable_variables]
            return np.asarray(stateless(trainable, non_trainable, np.asarray(images, np.float32)), dtype=np.float32)

    else:
        import keras
        import torch

        def forward(images: np.ndarray) -> np.ndarray:
            with torch.no_grad():
                outputs = model(np.asarray(images, np.float32), training=False)
            return np.asarray(keras.ops.convert_to_numpy(outputs), dtype=np.float32)

    _FORWARDS[model] = forward
    return forward


def input_gradient(model, images: np.ndarray, index: tuple[int, int, int, int]) -> np.ndarray:
    """Gradient of one output value ``outputs[index]`` with respect to the input images (numpy, float32).

    The input region where it is non-zero is what that output pixel "sees": notebook 02 measures EDSR's
    receptive field with it.
    """
    images = np.asarray(images, np.float32)
    engine = name()
    if engine == "tensorflow":
        import tensorflow as tf

        tensor = tf.constant(images)
        with tf.GradientTape() as tape:
            tape.watch(tensor)
            value = model(tensor, training=False)[index]
        return np.asarray(tape.gradient(value, tensor))
    if engine == "jax":
        import jax

        trainable = [variable.value for variable in model.trainable_variables]
        non_trainable = [variable.value for variable in model.non_trainable_variables]

        def value(x):
            outputs, _ = model.stateless_call(trainable, non_trainable, x, training=False)
            return outputs[index]

        return np.asarray(jax.grad(value)(images))
    import torch

    tensor = torch.tensor(images, requires_grad=True)
    model(tensor, training=False)[index].backward()
    return tensor.grad.detach().cpu().numpy()


# ------------------------------------------------------------------------------------------ distribution


class SingleDevice:
    """One device, no distribution: ``scope()`` does nothing (same interface as the multi-device options)."""

    num_replicas_in_sync = 1

    def scope(self):
        return contextlib.nullcontext()

    def __repr__(self) -> str:
        return "SingleDevice()"


def choose_strategy(devices: list[str] | None = None):
    """How to spread training over this machine's devices; build and compile the model inside its ``scope()``.

    - TensorFlow: a ``tf.distribute`` strategy: ``TPUStrategy`` on a Colab TPU, ``MirroredStrategy`` on several
      GPUs (or several ``devices`` named explicitly), else the default strategy;
    - JAX: ``keras.distribution.DataParallel`` over all devices (or ``devices``) when there is more than one,
      set as the global distribution so that ``fit`` splits each batch between them;
    - torch, or a single device: :class:`SingleDevice`.

    The batch size must be divisible by the number of devices.
    """
    engine = name()
    if engine == "tensorflow":
        import tensorflow as tf

        if devices is not None and len(devices) > 1:
            return tf.distribute.MirroredStrategy(devices)
        if os.environ.get("COLAB_TPU_ADDR") or os.environ.get("TPU_NAME"):
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
            tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
            return tf.distribute.TPUStrategy(resolver)
        if len(tf.config.list_logical_devices("GPU")) > 1:
            return tf.distribute.MirroredStrategy()
        return tf.distribute.get_strategy()
    if engine == "jax":
        import keras

        devices = devices if devices is not None else keras.distribution.list_devices()
        if len(devices) > 1:
            distribution = keras.distribution.DataParallel(devices=devices)
            keras.distribution.set_distribution(distribution)
            distribution.num_replicas_in_sync = len(devices)
            return distribution
    return SingleDevice()


def batch_multiple() -> int:
    """How many devices each batch is split between by the global Keras distribution (1 without one).

    JAX's data parallelism needs every batch divisible by it, validation batches of one image included.
    """
    if name() != "jax":
        return 1
    import keras

    distribution = keras.distribution.distribution()
    return 1 if distribution is None else int(np.size(distribution.device_mesh.devices))
