"""Stage 3 of the series (notebook 03): training EDSR with plain ``model.fit``.

What is here is what ``fit`` does not decide for you: the precision that makes this machine fast, the
learning-rate schedule of the paper (with a warm-up), the callbacks that make a run safe to interrupt, a live
plot for the notebook, and an evaluation that always shows bicubic next to the model.
"""

from __future__ import annotations

import csv
import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import keras
import numpy as np

from edsr_helpers import backend
from edsr_helpers.images import upscale_bicubic
from edsr_helpers.inference import super_resolve
from edsr_helpers.metrics import PSNR, gmsd, psnr, ssim
from edsr_helpers.objective import WarmupHalving, edsr_optimizer  # written in notebook 03
from edsr_helpers.profiles import Profile

# ------------------------------------------------------------------------------------------- precision


def choose_precision(*, verbose: bool = False) -> str:
    """The fastest safe Keras dtype policy on this machine, measured (:func:`edsr_helpers.backend.choose_precision`).

    ``mixed_bfloat16`` or ``mixed_float16`` run the convolutions in 16-bit floats while the weights stay
    float32. Whether that is faster depends on the chip, not on its feature flags: bfloat16 was 1.9x faster than
    float32 on one 2-core AMD EPYC and 1.5x slower on an Intel Xeon that also lists AVX512-BF16. So a few small
    training steps in each policy decide, once per machine and engine.
    """
    return backend.choose_precision(verbose=verbose)


# ------------------------------------------------------------------------------------------- optimizer


def make_schedule(profile: Profile) -> keras.optimizers.schedules.LearningRateSchedule:
    """The profile's learning-rate schedule: warm-up, then halving (the paper's) or a cosine decay to zero over
    the whole run (Keras's ``CosineDecay``, with the same linear warm-up)."""
    if profile.recipe.lr_schedule == "cosine":
        warmup = profile.recipe.warmup_steps
        if not warmup:
            return keras.optimizers.schedules.CosineDecay(profile.recipe.learning_rate, profile.total_steps)
        return keras.optimizers.schedules.CosineDecay(
            0.0, profile.total_steps - warmup, warmup_target=profile.recipe.learning_rate, warmup_steps=warmup
        )
    return WarmupHalving(profile.recipe.learning_rate, profile.recipe.lr_halving_steps, profile.recipe.warmup_steps)


def make_optimizer(profile: Profile) -> keras.optimizers.Optimizer:
    """Adam with the paper's betas and epsilon, on the profile's warm-up + halving schedule; with the recipe's
    ``ema_momentum``, Keras keeps a moving average of the weights (``use_ema``) that ``fit`` ends with."""
    optimizer = edsr_optimizer(make_schedule(profile))
    if profile.recipe.ema_momentum is None:
        return optimizer
    config = {**optimizer.get_config(), "use_ema": True, "ema_momentum": profile.recipe.ema_momentum}
    return type(optimizer).from_config(config)


def compile_for_training(model: keras.Model, profile: Profile, *, jit_compile: bool | None = None) -> keras.Model:
    """Compile with the recipe's loss (L1: notebook 03's ``LOSS``), Adam and the PSNR metrics (RGB on training
    patches; Y, shaved, on validation)."""
    model.compile(
        optimizer=make_optimizer(profile),
        loss=profile.recipe.keras_loss,
        metrics=[PSNR(name="psnr"), PSNR(shave=profile.scale, y_only=True, name="psnr_y")],
        jit_compile=backend.jit_compile() if jit_compile is None else jit_compile,
    )
    return model


# ------------------------------------------------------------------------------------------- callbacks


class LivePlot(keras.callbacks.Callback):
    """Redraw training loss and validation PSNR after every epoch, in place, in the notebook.

    A dashed line marks bicubic's PSNR on the same validation images: the curve must cross it. ``metric`` may
    name several curves, ``{label: log key}``, each with its own bicubic line in ``bicubic_psnr`` (same labels).
    """

    def __init__(
        self, bicubic_psnr: float | dict[str, float] | None = None, metric: str | dict[str, str] = "val_psnr_y"
    ):
        super().__init__()
        self.bicubic_psnr, self.metric = bicubic_psnr, metric
        self.history: dict[str, list[float]] = {}
        self._handle = None

    def on_epoch_end(self, epoch, logs=None):
        import matplotlib.pyplot as plt
        from IPython.display import display

        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        figure = plot_history(self.history, self.bicubic_psnr, self.metric)
        if self._handle is None:
            self._handle = display(figure, display_id=True)
        else:
            self._handle.update(figure)
        plt.close(figure)


class ScoreOnPairs(keras.callbacks.Callback):
    """After every epoch, score the model on more validation pairs (whole images, Y-PSNR, border shaved) and log
    it as ``val_<name>_psnr_y``, beside what ``fit``'s own validation logs: one run, two kinds of input.

    Put it before :class:`LivePlot` in the callback list, so the plot sees the new number.
    """

    def __init__(self, pairs, scale: int, name: str):
        super().__init__()
        self.pairs, self.scale, self.key = list(pairs), scale, f"val_{name}_psnr_y"

    def on_epoch_end(self, epoch, logs=None):
        scores = [psnr(hr, super_resolve(self.model, lr), shave=self.scale, y_only=True) for lr, hr in self.pairs]
        if logs is not None:
            logs[self.key] = float(np.mean(scores))


def plot_history(
    history: dict[str, list[float]],
    bicubic_psnr: float | dict[str, float] | None = None,
    metric: str | dict[str, str] = "val_psnr_y",
):
    """Figure of loss (left) and validation PSNR (right) per epoch, bicubic as a dashed line (one per curve
    when ``metric`` names several, ``{label: log key}``)."""
    import matplotlib.pyplot as plt

    curves = metric if isinstance(metric, dict) else {"EDSR": metric}
    bicubic = bicubic_psnr if isinstance(bicubic_psnr, dict) else {label: bicubic_psnr for label in curves}
    figure, (loss_axis, psnr_axis) = plt.subplots(1, 2, figsize=(10, 3.4))
    epochs = np.arange(1, len(history.get("loss", [])) + 1)
    loss_axis.plot(epochs, history.get("loss", []), "o-", label="training L1 loss")
    if "val_loss" in history:
        loss_axis.plot(epochs, history["val_loss"], "o-", label="validation L1 loss")
    loss_axis.set(xlabel="epoch", ylabel="mean |SR - HR| (0-255)", title="loss")
    loss_axis.legend()
    for index, (label, key) in enumerate(curves.items()):
        color = f"C{2 + index}"
        if key in history:
            psnr_axis.plot(epochs, history[key], "o-", color=color, label=label)
        if bicubic.get(label) is not None:
            name = "bicubic" if len(curves) == 1 else f"bicubic, {label}"
            value = bicubic[label]
            psnr_axis.axhline(value, color=color, linestyle="--", alpha=0.7, label=f"{name} {value:.2f} dB")
    psnr_axis.set(xlabel="epoch", ylabel="PSNR (dB, Y, shaved)", title="validation PSNR")
    psnr_axis.legend(loc="lower right", fontsize="small")
    for axis in (loss_axis, psnr_axis):
        axis.grid(alpha=0.3)
    figure.tight_layout()
    return figure


#: Where ``make_callbacks``' ``BackupAndRestore`` keeps a run's state, inside the run folder.
BACKUP_FOLDER = "backup"


def completed_epochs(run_dir: str | os.PathLike) -> int:
    """Epochs a run in ``run_dir`` finished before it was stopped: the epoch ``BackupAndRestore`` resumes after.

    0 for a new run or one that ended normally (``BackupAndRestore`` deletes its backup when ``fit`` returns).
    """
    metadata = Path(run_dir) / BACKUP_FOLDER / "training_metadata.json"
    return int(json.loads(metadata.read_text())["epoch"]) if metadata.exists() else 0


def backup_and_restore(run_dir: str | os.PathLike) -> keras.callbacks.BackupAndRestore:
    """The ``BackupAndRestore`` of every run in ``run_dir`` (notebook 03's and ``weights_factory/train.py``'s).

    ``double_checkpoint`` keeps the previous epoch's backup next to the latest: a run killed while it writes
    its backup (a Colab disconnect during a slow write to Google Drive, a session that ends) would otherwise
    leave a half-written file that cannot be loaded, and the whole run would have to start again; with it,
    the run resumes one epoch earlier instead.
    """
    return keras.callbacks.BackupAndRestore(str(Path(run_dir) / BACKUP_FOLDER), double_checkpoint=True)


class ContinuePatchStream(keras.callbacks.Callback):
    """Lets a resumed run go on with the patch stream where the interrupted one stopped.

    ``fit`` numbers the batches of every call from 0, so after a disconnect a :class:`~edsr_helpers.data.PatchBatches`
    would replay the first epochs' patches (a run resumed at epoch 5 would see epoch 1's patches again, and never
    the ones it would have seen). At the start of ``fit``, before the first batch is read, this moves the stream's
    ``start`` past the batches of the epochs already done. A tf.data pipeline (DIV2K) reshuffles by itself and is
    left alone.
    """

    def __init__(self, patches, run_dir: str | os.PathLike):
        super().__init__()
        self.patches, self.run_dir = patches, Path(run_dir)
        self.first = getattr(patches, "start", 0)

    def on_train_begin(self, logs=None):
        steps = self.params.get("steps")  # fit's steps_per_epoch; None only if an endless stream was given none
        if hasattr(self.patches, "start") and steps:
            self.patches.start = self.first + completed_epochs(self.run_dir) * int(steps)


class TimeBudget(keras.callbacks.Callback):
    """End training after the epoch that would otherwise take this ``fit`` past ``minutes``.

    A lab's slot for training is fixed, but the same 1,200 steps of notebook 03 took 7 minutes on one 2-core CPU
    and 60 on another. Stopping at an epoch's end keeps the run whole: the log, the best checkpoint and the
    model agree, and the step-based learning-rate schedule needs no change, so a slow machine simply trains
    fewer epochs. The next epoch is assumed to take as long as the last one (the first also pays for
    compiling, so early guesses err on the side of finishing in time). The clock starts with each ``fit``
    call: a resumed run gets the whole budget again.
    """

    def __init__(self, minutes: float, *, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        if not minutes > 0:
            raise ValueError(f"minutes must be positive, not {minutes!r}; use no TimeBudget for an unlimited run.")
        self.minutes, self.clock = float(minutes), clock
        self.stopped_after: int | None = None  # epochs done when the budget ended the run; None if it did not
        self._start = self._epoch_start = 0.0
        self._message = ""

    def on_train_begin(self, logs=None):
        self._start = self.clock()
        self.stopped_after = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = self.clock()

    def on_epoch_end(self, epoch, logs=None):
        now = self.clock()
        elapsed, last = now - self._start, now - self._epoch_start
        epochs = self.params.get("epochs") or 0
        if epoch + 1 >= epochs or elapsed + last <= 60 * self.minutes:
            return
        self.model.stop_training = True
        self.stopped_after = epoch + 1
        steps = self.params.get("steps")
        trained = f" ({(epoch + 1) * steps:,} of {epochs * steps:,} steps)" if steps else ""
        self._message = (
            f"Time budget: stopped after epoch {epoch + 1} of {epochs}{trained}, {elapsed / 60:.1f} minutes in; "
            f"one more epoch (~{last / 60:.1f} min) would pass the {self.minutes:g}-minute budget. This machine "
            "trains slowly: the model is less trained than the profile's full run. To train every epoch, pass "
            "minutes=None to make_callbacks (or train on a GPU, e.g. Colab's)."
        )

    def on_train_end(self, logs=None):
        if self.stopped_after is not None:  # said last, after the progress bar's line for the final epoch
            print(self._message)


def make_callbacks(
    run_dir: str | os.PathLike,
    *,
    bicubic_psnr: float | None = None,
    live_plot: bool = True,
    monitor: str = "val_psnr_y",
    patches=None,
    minutes: float | None = None,
    also_score: dict[str, tuple[Iterable, float | None]] | None = None,
    scale: int | None = None,
) -> list[keras.callbacks.Callback]:
    """The callbacks every training run uses, writing into ``run_dir``.

    - ``BackupAndRestore`` (:func:`backup_and_restore`): a killed run (Colab disconnect, Ctrl-C) resumes at its
      last epoch when re-run, and, given the training data as ``patches``, on the patches it had not seen yet
      (:class:`ContinuePatchStream`);
    - ``ModelCheckpoint``: the best model so far by validation PSNR, as ``best.keras``;
    - ``TerminateOnNaN``: stop at once instead of training on garbage;
    - ``CSVLogger``: ``log.csv``, appended across resumptions;
    - :class:`TimeBudget`, given ``minutes`` (a profile's ``training_minutes``): a slow machine ends the run
      early, at an epoch's end, instead of overrunning a lab;
    - :class:`LivePlot` in notebooks;
    - given ``also_score={name: (pairs, bicubic_psnr)}`` and the ``scale``, :class:`ScoreOnPairs` logs
      ``val_<name>_psnr_y`` for each, before anything reads the logs, and the live plot draws those curves too.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    also_score = also_score or {}
    if also_score and scale is None:
        raise ValueError("also_score needs the scale, to shave the border as fit's own validation does.")
    callbacks = [
        backup_and_restore(run_dir),
        *(ScoreOnPairs(pairs, scale, name) for name, (pairs, _) in also_score.items()),
        keras.callbacks.ModelCheckpoint(str(run_dir / "best.keras"), monitor=monitor, mode="max", save_best_only=True),
        keras.callbacks.TerminateOnNaN(),
        keras.callbacks.CSVLogger(str(run_dir / "log.csv"), append=True),
    ]
    if patches is not None:
        callbacks.append(ContinuePatchStream(patches, run_dir))
    if minutes is not None:
        callbacks.append(TimeBudget(minutes))
    if live_plot and also_score:
        curves = {"validation": monitor} | {name: f"val_{name}_psnr_y" for name in also_score}
        lines = {"validation": bicubic_psnr} | {name: bicubic for name, (_, bicubic) in also_score.items()}
        callbacks.append(LivePlot(lines, metric=curves))
    elif live_plot:
        callbacks.append(LivePlot(bicubic_psnr, metric=monitor))
    return callbacks


def read_log(run_dir: str | os.PathLike) -> dict[str, list[float]]:
    """The CSV log of a run as ``{column: values}`` (epochs in order, across resumptions)."""
    with open(Path(run_dir) / "log.csv", newline="") as file:
        rows = list(csv.DictReader(file))

    def number(text: str | None) -> float:
        return float(text) if text not in (None, "", "NA") else float("nan")  # CSVLogger writes NA for gaps

    return {key: [number(row[key]) for row in rows] for key in (rows[0] if rows else {})}


# ------------------------------------------------------------------------------------------ evaluation


def evaluate(
    model: keras.Model,
    pairs: Iterable[tuple[np.ndarray, np.ndarray]],
    scale: int,
    names: Iterable[str] | None = None,
) -> list[dict[str, float | str]]:
    """Per-image PSNR/SSIM of the model *and* of bicubic on the same full images, plus a mean row.

    Both use the SR conventions (Y channel, border of ``scale`` pixels shaved) and plain RGB PSNR; GMSD
    (notebook 05, lower is better) shows the structure PSNR misses.
    """
    rows = []
    names = list(names) if names is not None else None
    for index, (lr, hr) in enumerate(pairs):
        lr, hr = np.asarray(lr), np.asarray(hr)
        sr = super_resolve(model, lr)
        bicubic = upscale_bicubic(lr, scale)
        row: dict[str, float | str] = {"image": names[index] if names else f"#{index + 1}"}
        for label, image in (("bicubic", bicubic), ("edsr", sr)):
            row[f"{label}_psnr_y"] = psnr(hr, image, shave=scale, y_only=True)
            row[f"{label}_ssim_y"] = ssim(hr, image, shave=scale, y_only=True)
            row[f"{label}_psnr_rgb"] = psnr(hr, image, shave=scale)
            row[f"{label}_gmsd"] = gmsd(hr, image, shave=scale)
        rows.append(row)
    if rows:
        mean = {"image": "mean"}
        for key in rows[0]:
            if key != "image":
                mean[key] = float(np.mean([row[key] for row in rows]))
        rows.append(mean)
    return rows


def bicubic_psnr(pairs: Iterable[tuple[np.ndarray, np.ndarray]], scale: int) -> float:
    """Mean Y-PSNR (shave ``scale``) of bicubic upscaling: the line a model has to beat."""
    values = [psnr(hr, upscale_bicubic(np.asarray(lr), scale), shave=scale, y_only=True) for lr, hr in pairs]
    return float(np.mean(values))


# ------------------------------------------------------------------------------------ distribution, runs


def choose_strategy(devices: list[str] | None = None):
    """How to spread training over this machine's devices: build and compile the model inside its ``scope()``.

    ``tf.distribute`` on TensorFlow (TPU, several GPUs), ``keras.distribution.DataParallel`` on JAX with
    several devices, nothing otherwise; see :func:`edsr_helpers.backend.choose_distribution`.
    """
    return backend.choose_distribution(devices)


#: Published EDSR-baseline PSNR on DIV2K validation, per scale, from the official EDSR-PyTorch README. It is RGB
#: PSNR with a border of ``scale + 6`` pixels left out (that code's DIV2K convention), not this series' shave of
#: ``scale``, so it is shown as a reference line, not as a number to subtract from ours.
PUBLISHED_DIV2K_BASELINE_RGB: dict[int, float] = {2: 34.61, 3: 30.92, 4: 28.95}


def show_evaluation(rows: list[dict[str, float | str]], *, published_scale: int | None = None) -> None:
    """Display :func:`evaluate`'s rows as a table: bicubic and EDSR side by side, gain in the last column.

    With ``published_scale`` (for DIV2K validation results) a last row gives the published EDSR-baseline.
    """
    from edsr_helpers.course.plotting import show_table

    header = [
        "image",
        "bicubic PSNR-Y",
        "EDSR PSNR-Y",
        "bicubic SSIM-Y",
        "EDSR SSIM-Y",
        "bicubic RGB",
        "EDSR RGB",
        "gain (Y)",
    ]
    table = [
        [
            row["image"],
            f"{row['bicubic_psnr_y']:.2f}",
            f"{row['edsr_psnr_y']:.2f}",
            f"{row['bicubic_ssim_y']:.4f}",
            f"{row['edsr_ssim_y']:.4f}",
            f"{row['bicubic_psnr_rgb']:.2f}",
            f"{row['edsr_psnr_rgb']:.2f}",
            f"{row['edsr_psnr_y'] - row['bicubic_psnr_y']:+.2f} dB",
        ]
        for row in rows
    ]
    if published_scale in PUBLISHED_DIV2K_BASELINE_RGB:
        published = PUBLISHED_DIV2K_BASELINE_RGB[published_scale]
        label = f"EDSR-baseline, official code (DIV2K val, RGB, border {published_scale + 6} px)"
        table.append([label, "", "", "", "", "", f"{published:.2f}", ""])
    show_table(header, table)
