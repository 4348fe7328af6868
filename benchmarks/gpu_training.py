"""EDSR training speed on a GPU: Keras 3 on JAX against a plain-PyTorch EDSR, plus a short real training run.

Run it where JAX and PyTorch are installed (TensorFlow is not needed), with the JAX engine:

    KERAS_BACKEND=jax python benchmarks/gpu_training.py [--out DIR]

In one run, on the same GPU, it prints for EDSR-baseline and full EDSR (x4, batch 16, 48x48 LR patches, the
paper's recipe), in float32 and bfloat16:

- ms per training step of ``edsr_helpers.model`` under Keras-on-JAX (``model.fit``, XLA) and of a plain PyTorch
  EDSR in the official code's layout (eager, channels_last, cudnn.benchmark; ``torch.compile`` too when it
  works there), best of several timed rounds after warm-up;
- TFLOP/s (3 x the forward convolutions' FLOPs per step, 2 per multiply-add), the share of the chip's bf16
  peak (datasheet, where known, and measured with a large bf16 matmul in the same run), and the PyTorch/Keras
  ratio;
- then a short training run of EDSR-baseline on the offline photos with the fastest measured precision: the
  validation PSNR curve (Y, shave 4) against bicubic, and the training time to beat bicubic. Its weights are
  saved as ``<out>/edsr_baseline_x4.weights.h5`` (``$OUT`` on the device machine, else ``build/gpu``);
- then notebook 03's training cells exactly as a student runs them under the class-sized ``gpu`` profile
  (its data, schedule, measured precision, callbacks and ``fit``), timed, with the validation gain over bicubic
  and the T4 time this implies by the ratio of the two chips' 16-bit datasheet peaks (README, "Profiles").

``--profile-only`` runs the last part alone (what ``weights_factory/gpu_session.sh session`` does after the weights).

Without a GPU it runs a tiny configuration of the same code (``--smoke``, what CI runs) so it cannot rot.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")  # leave GPU memory for PyTorch in this process

import keras  # noqa: E402
import numpy as np  # noqa: E402
from training_clock import TrainingClock  # noqa: E402  (beside this script)

from edsr_helpers import backend, data, model, recipes, training  # noqa: E402
from edsr_helpers.profiles import Profile  # noqa: E402
from edsr_helpers.recipes import Recipe  # noqa: E402

#: Dense bfloat16 tensor-core peaks (TFLOP/s, without sparsity) from NVIDIA's datasheets, by device name.
DATASHEET_BF16_TFLOPS = {"H200": 989.0, "H100": 989.0, "A100": 312.0, "L4": 121.0, "T4": 65.0}


def datasheet_peak(device: str) -> float | None:
    for name, peak in DATASHEET_BF16_TFLOPS.items():
        if name in device:
            return peak
    return None


def measured_matmul_peak(size: int) -> float:
    """TFLOP/s of a large bf16 matmul under JAX: what this chip delivers at best, measured now."""
    import jax
    import jax.numpy as jnp

    a = jnp.ones((size, size), jnp.bfloat16)
    matmul = jax.jit(lambda x: x @ x)
    matmul(a).block_until_ready()
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(10):
            out = matmul(a)
        out.block_until_ready()
        best = min(best, (time.perf_counter() - start) / 10)
    return 2 * size**3 / best / 1e12


# ---------------------------------------------------------------------------------------- Keras on JAX


def keras_ms_per_step(config: model.Preset, policy: str, batches, rounds: int) -> float:
    """Best ms/step of ``model.fit`` over the given in-memory batches (one epoch per round)."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        net = model.edsr(4, **dataclasses.asdict(config))
        net.compile(optimizer=keras.optimizers.Adam(1e-4), loss="mean_absolute_error", jit_compile=True)
        lr, hr = batches
        batch_size = BATCH
        net.fit(lr[: 2 * batch_size], hr[: 2 * batch_size], batch_size=batch_size, epochs=1, verbose=0)  # compile
        times = []

        class Timer(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.start = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                times.append(time.perf_counter() - self.start)

        net.fit(lr, hr, batch_size=batch_size, epochs=rounds, verbose=0, shuffle=False, callbacks=[Timer()])
        return 1e3 * min(times) / (len(lr) // batch_size)
    finally:
        keras.config.set_dtype_policy(previous)


# ---------------------------------------------------------------------------------------- plain PyTorch


def torch_edsr(num_res_blocks: int, num_filters: int, res_scale: float, scale: int = 4):
    """EDSR as the official PyTorch code lays it out (NCHW, MeanShift, ResBlock, Upsampler), for comparison."""
    import torch
    from torch import nn

    mean = torch.tensor([0.4488, 0.4371, 0.4040]).view(1, 3, 1, 1) * 255

    class ResBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(
                nn.Conv2d(num_filters, num_filters, 3, padding=1),
                nn.ReLU(inplace=True),
                nn.Conv2d(num_filters, num_filters, 3, padding=1),
            )

        def forward(self, x):
            return x + self.body(x) * res_scale

    class EDSR(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("mean", mean)
            self.head = nn.Conv2d(3, num_filters, 3, padding=1)
            self.body = nn.Sequential(
                *[ResBlock() for _ in range(num_res_blocks)], nn.Conv2d(num_filters, num_filters, 3, padding=1)
            )
            steps = []
            for factor in model.upsampling_factors(scale):
                steps += [nn.Conv2d(num_filters, num_filters * factor * factor, 3, padding=1), nn.PixelShuffle(factor)]
            self.tail = nn.Sequential(*steps, nn.Conv2d(num_filters, 3, 3, padding=1))

        def forward(self, x):
            x = self.head(x - self.mean)
            x = x + self.body(x)
            return self.tail(x) + self.mean

    return EDSR()


def torch_ms_per_step(config: model.Preset, precision: str, batches, rounds: int, compiled: bool) -> float | None:
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.backends.cudnn.benchmark = True
    net = torch_edsr(config.num_res_blocks, config.num_filters, config.res_scale).to(device)
    net = net.to(memory_format=torch.channels_last)
    if compiled:
        try:
            net = torch.compile(net)
        except Exception as error:  # noqa: BLE001 - report and go on, this is a benchmark
            print(f"  torch.compile unavailable: {error}")
            return None
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-4)
    lr_all, hr_all = (
        torch.tensor(np.transpose(a, (0, 3, 1, 2)), dtype=torch.float32).to(device, memory_format=torch.channels_last)
        for a in batches
    )
    steps = len(lr_all) // BATCH
    autocast = torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=precision == "bfloat16")

    def step(index):
        lr, hr = lr_all[index * BATCH : (index + 1) * BATCH], hr_all[index * BATCH : (index + 1) * BATCH]
        optimizer.zero_grad(set_to_none=True)
        with autocast:
            loss = torch.nn.functional.l1_loss(net(lr).float(), hr)
        loss.backward()
        optimizer.step()

    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    try:
        for index in range(min(steps, 3)):
            step(index)
        sync()
        best = float("inf")
        for _ in range(rounds):
            start = time.perf_counter()
            for index in range(steps):
                step(index)
            sync()
            best = min(best, (time.perf_counter() - start) / steps)
    except Exception as error:  # noqa: BLE001
        print(f"  PyTorch {'compiled ' if compiled else ''}run failed: {error}")
        return None
    return 1e3 * best


# ---------------------------------------------------------------------------------------- training run


class TrainingCurve(TrainingClock):
    """After every epoch: the training seconds so far (validation left out) and the validation Y-PSNR."""

    def __init__(self, val_pairs, bicubic: float):
        super().__init__()
        self.val_pairs, self.bicubic = val_pairs, bicubic
        self.beaten = None

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        mean = training.evaluate(self.model, self.val_pairs, 4)[-1]["edsr_psnr_y"]
        if self.beaten is None and mean > self.bicubic:
            self.beaten = self.seconds
        step = (epoch + 1) * self.params["steps"]
        gain = mean - self.bicubic
        print(f"  step {step:6d}  {self.seconds:7.1f} s  EDSR {mean:.2f} dB  ({gain:+.2f} vs bicubic)", flush=True)


def training_run(args, preset: str, policy: str, out: Path) -> None:
    """EDSR x4 on the offline photos, through the path every recipe takes: the PSNR curve against bicubic and
    the time to beat it."""
    config = presets_to_run(args.smoke)[preset]
    chunk = max(1, args.train_steps // args.evaluations)
    recipe = Recipe(
        "bench",
        "gpu benchmark: the offline photos, cosine from 2e-4",
        model=f"edsr-{preset}",
        dataset="sample",
        lr_patch_size=args.patch,
        batch_size=BATCH,
        learning_rate=2e-4,
        lr_schedule="cosine",
    )
    profile = Profile("bench", "gpu benchmark", recipe, scale=4, epochs=args.evaluations, steps_per_epoch=chunk)
    prepared = training.prepare(profile, precision=policy)
    bicubic = training.bicubic_psnr(prepared.validation, 4)
    size = f"{config.num_res_blocks} blocks x {config.num_filters}"
    print(f"\nTraining EDSR x4 ({size}) on the offline photos ({policy}, batch {BATCH}, {args.patch}px LR):")
    print(f"  bicubic: {bicubic:.2f} dB (Y, shave 4, barbara/monarch/coffee)")
    curve = TrainingCurve(prepared.validation, bicubic)
    with tempfile.TemporaryDirectory(prefix="bench_run_") as folder:
        training.fit_recipe(prepared, folder, callbacks=[curve], verbose=0)
    beaten = curve.beaten
    print(f"  time to beat bicubic: {'not reached' if beaten is None else f'{beaten:.1f} s of training'}")
    out.mkdir(parents=True, exist_ok=True)
    path = out / ("edsr_tiny_x4.weights.h5" if args.smoke else "edsr_baseline_x4.weights.h5")
    prepared.model.save_weights(path)
    print(f"  weights: {path}")


def profile_run(profile: Profile, out: Path) -> None:
    """Notebook 03's training under ``profile`` (no live plot), through the recipe's one path, timed from
    ``fit``'s start to its end."""
    from edsr_helpers import profiles

    prepared = training.prepare(profile, precision=training.choose_precision(verbose=True), verbose=True)
    val_pairs = prepared.validation
    bicubic = training.bicubic_psnr(val_pairs, profile.scale)
    folder = Path(tempfile.mkdtemp(prefix=f"run_{profile.name}_"))  # checkpoints stay off $OUT (8 files come back)
    steps = profile.epochs * profile.steps_per_epoch
    print(f"\nNotebook 03 under profile '{profile.name}' ({steps} steps):")
    start = time.perf_counter()
    # no time budget (notebook 03 passes profile.training_minutes): this times the profile's whole run
    training.fit_recipe(prepared, folder, minutes=None)
    seconds = time.perf_counter() - start
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(folder / "log.csv", out / f"log_{profile.name}.csv")
    mean = training.evaluate(prepared.model, val_pairs, profile.scale)[-1]["edsr_psnr_y"]
    device = backend.device_name()
    line = f"  fit: {seconds:.0f} s; EDSR {mean:.2f} vs bicubic {bicubic:.2f} dB ({mean - bicubic:+.2f})"
    peak = datasheet_peak(device)
    if peak and profiles.PROFILES.get(profile.name) is profile:
        ratio = peak / DATASHEET_BF16_TFLOPS["T4"]
        line += f"; a T4 at the same share of its peak: ~{seconds * ratio / 60:.0f} min (x{ratio:.1f})"
    print(line)


BATCH = 16
#: The smoke run's model: EDSR's layout at a size a CPU trains in seconds.
TINY = model.Preset(num_res_blocks=2, num_filters=16, res_scale=1.0)


@recipes.register_model("edsr-tiny")
def _edsr_tiny(scale: int, **options) -> keras.Model:
    """EDSR at :data:`TINY`'s size, so that the smoke run trains through a recipe like the real one."""
    return model.edsr(scale, **{**dataclasses.asdict(TINY), **options})


def presets_to_run(smoke: bool) -> dict[str, model.Preset]:
    """The sizes timed: EDSR-baseline and full EDSR, or the tiny one of the smoke run."""
    return {"tiny": TINY} if smoke else dict(model.PRESETS)


def main() -> None:
    global BATCH
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (automatic without a GPU)")
    parser.add_argument("--rounds", type=int, default=5, help="timed epochs/rounds per configuration")
    parser.add_argument("--steps", type=int, default=20, help="training steps per timed round")
    parser.add_argument("--train-steps", type=int, default=20_000, help="steps of the training run")
    parser.add_argument("--evaluations", type=int, default=20, help="validation points on the curve")
    parser.add_argument("--patch", type=int, default=48, help="LR patch side")
    parser.add_argument("--no-compile", action="store_true", help="skip torch.compile")
    parser.add_argument(
        "--profile-only", action="store_true", help="only notebook 03 under the gpu profile (the README's GPU row)"
    )
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("OUT", "build/gpu")))
    args = parser.parse_args()

    gpu = backend.has_gpu()
    if not gpu and not args.smoke:
        print("No GPU visible to JAX: running the tiny smoke configuration (--smoke).")
        args.smoke = True
    if args.smoke:
        BATCH, args.rounds, args.steps, args.patch = 4, 2, 3, 16
        args.train_steps, args.evaluations = 10, 2
    device = backend.device_name()
    print(f"Device: {device} | engine: Keras {keras.__version__} on {backend.name()} | {platform.python_version()}")
    try:
        import torch

        print(f"PyTorch {torch.__version__}, CUDA {torch.cuda.is_available()}")
    except ImportError:
        torch = None
        print("PyTorch not installed: Keras only")

    if args.profile_only:
        from edsr_helpers.profiles import PROFILES

        profile_run(PROFILES["ci"] if args.smoke else PROFILES["gpu"], args.out)
        return

    pairs = data.load_sample(4, "train")
    source = data.RecipePatchBatches(pairs, scale=4, lr_patch_size=args.patch, batch_size=BATCH)
    lr_batches, hr_batches = zip(*(source[index] for index in range(args.steps)), strict=True)
    batches = (np.concatenate(lr_batches).astype("float32"), np.concatenate(hr_batches).astype("float32"))
    peak_sheet = datasheet_peak(device) if gpu else None
    peak_measured = measured_matmul_peak(8192 if gpu else 256)
    print(f"bf16 peak: datasheet {peak_sheet or 'unknown'} TFLOP/s, measured matmul {peak_measured:.1f} TFLOP/s")

    presets = presets_to_run(args.smoke)
    header = f"{'model':<9}{'precision':<10}{'engine':<22}{'ms/step':>9}{'TFLOP/s':>9}{'% sheet':>9}{'% meas.':>9}"
    print("\n" + header + f"{'PyTorch/Keras':>15}")
    fastest = {}
    for preset, config in presets.items():
        per_pixel = model.flops_per_output_pixel(4, config.num_res_blocks, config.num_filters)
        flops = 3 * BATCH * per_pixel * (4 * args.patch) ** 2
        for precision, policy in (("float32", "float32"), ("bfloat16", "mixed_bfloat16")):
            results = {"Keras 3 + JAX (XLA)": keras_ms_per_step(config, policy, batches, args.rounds)}
            fastest.setdefault(preset, {})[policy] = results["Keras 3 + JAX (XLA)"]
            if torch is not None:
                results["PyTorch eager"] = torch_ms_per_step(config, precision, batches, args.rounds, compiled=False)
                if gpu and not args.no_compile:
                    results["PyTorch compiled"] = torch_ms_per_step(config, precision, batches, args.rounds, True)
            keras_ms = results["Keras 3 + JAX (XLA)"]
            for engine, ms in results.items():
                if ms is None:
                    continue
                tflops = flops / (ms / 1e3) / 1e12
                sheet = f"{100 * tflops / peak_sheet:.0f}" if peak_sheet else "—"
                ratio = "" if engine.startswith("Keras") else f"{ms / keras_ms:.2f}x"
                print(
                    f"{preset:<9}{precision:<10}{engine:<22}{ms:9.2f}{tflops:9.2f}{sheet:>9}"
                    f"{100 * tflops / peak_measured:9.0f}{ratio:>15}"
                )
    name = "tiny" if args.smoke else "baseline"
    policy = min(fastest[name], key=fastest[name].get)
    training_run(args, name, policy, args.out)
    if not args.smoke:  # the smoke run of `gpu_session.sh session` has run profile_run's smoke size already
        from edsr_helpers.profiles import PROFILES

        profile_run(PROFILES["gpu"], args.out)


if __name__ == "__main__":
    main()
