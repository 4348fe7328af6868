"""Stage 3 of the series (notebook 03): training EDSR with plain ``model.fit``.

What is here is what ``fit`` does not decide for you: the precision that makes this machine fast, the
learning-rate schedule of the paper (with a warm-up), the callbacks that make a run safe to interrupt, and an
evaluation that always scores bicubic next to the model. The live plot and the tables that show them are in
:mod:`edsr_helpers.presentation`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import keras
import numpy as np

from edsr_helpers import backend
from edsr_helpers.images import upscale_bicubic
from edsr_helpers.inference import super_resolve
from edsr_helpers.metrics import PSNR, gmsd, score
from edsr_helpers.objective import WarmupHalving, edsr_optimizer  # written in notebook 03
from edsr_helpers.profiles import Profile

# ------------------------------------------------------------------------------------------- precision


def choose_precision(*, verbose: bool = False) -> str:
    """The fastest safe Keras dtype policy on this machine, measured, and (on a TensorFlow CPU) whether XLA
    speeds up training under it, so that :func:`edsr_helpers.backend.jit_compile` answers from a measurement.

    ``mixed_bfloat16`` or ``mixed_float16`` run the convolutions in 16-bit floats while the weights stay
    float32. Whether that is faster depends on the chip, not on its feature flags: bfloat16 was 1.9x faster than
    float32 on one 2-core AMD EPYC and 1.5x slower on an Intel Xeon that also lists AVX512-BF16. So a few small
    training steps in each policy decide (:func:`edsr_helpers.backend.choose_precision`); then a few steps of
    EDSR-baseline itself, with XLA off and on (:func:`edsr_helpers.backend.choose_xla`). Both once per machine
    and engine, cached.
    """
    precision = backend.choose_precision(verbose=verbose)
    if backend.name() != "tensorflow" or backend.has_gpu():
        return precision
    from edsr_helpers.model import edsr_preset  # the real model: a miniature misjudges XLA's gain

    def build(jit: bool) -> keras.Model:
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy(precision)
        try:
            net = edsr_preset("baseline", XLA_PROBE_SCALE)
        finally:
            keras.config.set_dtype_policy(previous)
        net.compile(optimizer=edsr_optimizer(1e-4), loss="mean_absolute_error", jit_compile=jit)
        return net

    rng = np.random.default_rng(0)
    size = XLA_PROBE_LR_SIZE
    inputs = rng.uniform(0, 255, (XLA_PROBE_BATCH, size, size, 3)).astype("float32")
    targets = rng.uniform(0, 255, (XLA_PROBE_BATCH, size * XLA_PROBE_SCALE, size * XLA_PROBE_SCALE, 3))
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)  # jit_compile() answers for the policy the model is built in
    try:
        backend.choose_xla(build, inputs, targets.astype("float32"), verbose=verbose)
    finally:
        keras.config.set_dtype_policy(previous)
    return precision


#: The training step :func:`choose_precision` times with XLA off and on: notebook 03's model, a small batch.
XLA_PROBE_SCALE, XLA_PROBE_LR_SIZE, XLA_PROBE_BATCH = 4, 24, 8


# ------------------------------------------------------------------------------------------- optimizer


def make_schedule(profile: Profile) -> keras.optimizers.schedules.LearningRateSchedule:
    """The profile's learning-rate schedule: warm-up, then halving (the paper's) or a cosine decay to zero over
    the whole run (Keras's ``CosineDecay``, with the same linear warm-up). A run no longer than its warm-up ends
    while the rate still rises, under either schedule."""
    if profile.recipe.lr_schedule == "cosine":
        warmup = profile.recipe.warmup_steps
        if not warmup:
            return keras.optimizers.schedules.CosineDecay(profile.recipe.learning_rate, profile.total_steps)
        decay = max(profile.total_steps - warmup, 1)  # CosineDecay takes no empty decay
        return keras.optimizers.schedules.CosineDecay(
            0.0, decay, warmup_target=profile.recipe.learning_rate, warmup_steps=warmup
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


class ScoreOnPairs(keras.callbacks.Callback):
    """After every epoch, score the model on more validation pairs (whole images, Y-PSNR, border shaved) and log
    it as ``val_<name>_psnr_y``, beside what ``fit``'s own validation logs: one run, two kinds of input.

    Put it before any callback that reads the logs (a live plot, a checkpoint), so that one sees the new number.
    """

    def __init__(self, pairs, scale: int, name: str):
        super().__init__()
        self.pairs, self.scale, self.key = list(pairs), scale, f"val_{name}_psnr_y"

    def on_epoch_end(self, epoch, logs=None):
        scores = [score(hr, super_resolve(self.model, lr), shave=self.scale).psnr for lr, hr in self.pairs]
        if logs is not None:
            logs[self.key] = float(np.mean(scores))


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

    ``fit`` numbers the batches of every call from 0, so after a disconnect a :class:`~edsr_helpers.pairs.PatchBatches`
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
    """End training after the epoch that would otherwise take this ``fit`` past ``minutes`` (``None``: never).

    A lab's slot for training is fixed, but the same 1,200 steps of notebook 03 took 7 minutes on one 2-core CPU
    and 60 on another. Stopping at an epoch's end keeps the run whole: the log, the best checkpoint and the
    model agree, and the step-based learning-rate schedule needs no change, so a slow machine simply trains
    fewer epochs. The next epoch is assumed to take as long as the last one (the first also pays for
    compiling, so early guesses err on the side of finishing in time). The clock starts with each ``fit``
    call: a resumed run gets the whole budget again.
    """

    def __init__(self, minutes: float | None, *, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        if minutes is not None and not minutes > 0:
            raise ValueError(f"minutes must be positive, not {minutes!r}; None trains every epoch.")
        self.minutes, self.clock = (None if minutes is None else float(minutes)), clock
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
        if self.minutes is None or epoch + 1 >= epochs or elapsed + last <= 60 * self.minutes:
            return
        self.model.stop_training = True
        self.stopped_after = epoch + 1
        steps = self.params.get("steps")
        trained = f" ({(epoch + 1) * steps:,} of {epochs * steps:,} steps)" if steps else ""
        self._message = (
            f"Time budget: stopped after epoch {epoch + 1} of {epochs}{trained}, {elapsed / 60:.1f} minutes in; "
            f"one more epoch (~{last / 60:.1f} min) would pass the {self.minutes:g}-minute budget. This machine "
            "trains slowly: the model is less trained than the profile's full run. To train every epoch, pass "
            "minutes=None to TimeBudget (or train on a GPU, e.g. Colab's)."
        )

    def on_train_end(self, logs=None):
        if self.stopped_after is not None:  # said last, after the progress bar's line for the final epoch
            print(self._message)


def make_callbacks(
    run_dir: str | os.PathLike,
    *,
    monitor: str = "val_psnr_y",
    patches=None,
    minutes: float | None = None,
    also_score: Mapping[str, Iterable[tuple[np.ndarray, np.ndarray]]] | None = None,
    scale: int | None = None,
    select_best: bool = True,
    ema: bool = False,
) -> list[keras.callbacks.Callback]:
    """The callbacks every training run uses, writing into ``run_dir``.

    - ``BackupAndRestore`` (:func:`backup_and_restore`): a killed run (Colab disconnect, Ctrl-C) resumes at its
      last epoch when re-run, and, given the training data as ``patches``, on the patches it had not seen yet
      (:class:`ContinuePatchStream`); first, so that it backs up the trained weights, never their average;
    - ``TerminateOnNaN``: stop at once instead of training on garbage;
    - with ``ema`` (an optimizer with ``use_ema``), ``SwapEMAWeights``: the average is what is scored and kept;
    - given ``also_score={name: pairs}`` and the ``scale``, :class:`ScoreOnPairs` logs ``val_<name>_psnr_y``
      for each, before anything reads the logs;
    - with ``select_best``, ``ModelCheckpoint``: the best model so far by validation PSNR, as ``best.keras``;
    - ``CSVLogger``: ``log.csv``, appended across resumptions;
    - :class:`TimeBudget`, given ``minutes`` (a profile's ``training_minutes``): a slow machine ends the run
      early, at an epoch's end, instead of overrunning a lab.

    A notebook adds :class:`edsr_helpers.presentation.plots.LivePlot` after them to watch the curves.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    also_score = also_score or {}
    if also_score and scale is None:
        raise ValueError("also_score needs the scale, to shave the border as fit's own validation does.")
    callbacks = [
        backup_and_restore(run_dir),
        keras.callbacks.TerminateOnNaN(),
        *([keras.callbacks.SwapEMAWeights(swap_on_epoch=True)] if ema else []),
        *(ScoreOnPairs(pairs, scale, name) for name, pairs in also_score.items()),
    ]
    if select_best:
        path = str(run_dir / "best.keras")
        callbacks.append(keras.callbacks.ModelCheckpoint(path, monitor=monitor, mode="max", save_best_only=True))
    callbacks.append(keras.callbacks.CSVLogger(str(run_dir / "log.csv"), append=True))
    if patches is not None:
        callbacks.append(ContinuePatchStream(patches, run_dir))
    if minutes is not None:
        callbacks.append(TimeBudget(minutes))
    return callbacks


# ------------------------------------------------------------------------------------------ a recipe, run


@dataclasses.dataclass
class Prepared:
    """A recipe made ready for ``fit`` by :func:`prepare`: the compiled model and the data it trains on.

    Attributes:
        profile: the run: its recipe, scale, epochs and steps per epoch.
        model: built by the recipe's ``model`` in ``precision``, compiled with its loss and optimizer.
        train: the training stream (a :class:`~edsr_helpers.pipelines.RecipePatchBatches` or DIV2K's tf.data pipeline).
        validation: the validation pairs, whole images (``profile.val_images`` of them).
        precision: the Keras dtype policy the model was built in.
        start: the first batch of the stream: past the epochs a resumed run had done.
        copied_layers: the layers copied from the trained model the run started from (empty: a fresh model).
    """

    profile: Profile
    model: keras.Model
    train: object
    validation: list[tuple[np.ndarray, np.ndarray]]
    precision: str
    start: int = 0
    copied_layers: list[str] = dataclasses.field(default_factory=list)


def check_steps(profile: Profile) -> None:
    """Fail unless the run is as long as its recipe was made for: a recipe that names its steps learns with a
    schedule over those steps, and a shorter run would silently be another recipe.

    Raises:
        ValueError: the recipe names no steps for this scale, or others; the message says how to change it.
    """
    recipe, scale = profile.recipe, profile.scale
    if not recipe.steps or recipe.steps.get(scale) == profile.total_steps:
        return
    made_for = ", ".join(f"x{key}: {value:,}" for key, value in sorted(recipe.steps.items()))
    raise ValueError(
        f"recipe {recipe.name!r} is made for {made_for} steps, not {profile.total_steps:,} at x{scale} "
        f"({profile.epochs} epochs of {profile.steps_per_epoch}); run that long, or train another length with "
        f"dataclasses.replace(recipe, steps={{{scale}: {profile.total_steps}}})."
    )


def prepare(
    profile: Profile,
    *,
    run_dir: str | os.PathLike | None = None,
    init_from: keras.Model | None = None,
    precision: str = "auto",
    seed: int | None = None,
    jit_compile: bool | None = None,
    data_dir: str | os.PathLike | None = None,
    verbose: bool = False,
) -> Prepared:
    """Everything ``fit`` needs to run ``profile``'s recipe, each of its fields followed or refused.

    The recipe's ``dataset`` chooses the photos (:func:`edsr_helpers.data.load_pairs`); ``lr_patch_size``,
    ``batch_size``, ``sampling``, ``degradation`` and ``clean_share`` the stream
    (:func:`edsr_helpers.data.make_train_dataset_for`); ``model`` the network, built in ``precision``
    (``"auto"``: :func:`choose_precision`); ``loss``, the rate, its schedule and warm-up and ``ema_momentum`` the
    compiled optimizer (:func:`compile_for_training`); ``steps`` must match the run (:func:`check_steps`); and
    ``init_from_scale`` copies the shared layers of that scale's shipped weights (or of ``init_from``, a trained
    model given instead). With a ``run_dir`` that holds an interrupted run's backup, the stream starts after
    the batches it trained on (``fit`` restores the weights and optimizer from the backup).
    """
    from edsr_helpers import data
    from edsr_helpers.model import copy_matching_weights

    check_steps(profile)
    recipe, scale = profile.recipe, profile.scale
    pairs = data.load_pairs(profile, "train", data_dir=data_dir, verbose=verbose)
    validation = data.load_pairs(profile, "validation", data_dir=data_dir, verbose=verbose)
    validation = data.first_pairs(validation, profile.val_images)
    start = completed_epochs(run_dir) * profile.steps_per_epoch if run_dir is not None else 0
    in_memory = isinstance(pairs, Sequence)  # DIV2K's stream reshuffles instead of going on where it stopped
    train = data.make_train_dataset_for(profile, pairs, **({"start": start} if in_memory else {}))

    precision = choose_precision() if precision == "auto" else precision
    if seed is not None:
        keras.utils.set_random_seed(seed)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        model = recipe.build_model(scale)
    finally:
        keras.config.set_dtype_policy(previous)
    if init_from is None and recipe.init_from_scale:
        from edsr_helpers.pretrained import load_pretrained

        init_from = load_pretrained(recipe.init_from_scale)
    # a resumed run's backup overwrites the copied layers with its own weights when fit starts
    copied = copy_matching_weights(init_from, model) if init_from is not None else []
    compile_for_training(model, profile, jit_compile=jit_compile)
    return Prepared(profile, model, train, validation, precision, start if in_memory else 0, copied)


def fit_recipe(
    prepared: Prepared,
    run_dir: str | os.PathLike,
    *,
    callbacks: Iterable[keras.callbacks.Callback] = (),
    select_best: bool = True,
    also_score: Mapping[str, Iterable[tuple[np.ndarray, np.ndarray]]] | None = None,
    minutes: float | None = None,
    verbose: int | str = 2,
) -> keras.callbacks.History:
    """``model.fit`` of a :func:`prepare`'d recipe for the profile's epochs, resumable from ``run_dir``.

    The callbacks are :func:`make_callbacks`' (the recipe's ``ema_momentum`` scores and keeps the average;
    ``select_best=False`` keeps no best checkpoint, for runs that ship their final weights), then ``callbacks``.
    """
    profile, model = prepared.profile, prepared.model
    callbacks = [
        *make_callbacks(
            run_dir,
            minutes=minutes,
            also_score=also_score,
            scale=profile.scale,
            select_best=select_best,
            ema=profile.recipe.ema_momentum is not None,
        ),
        *callbacks,
    ]
    from edsr_helpers.data import as_validation_dataset

    return model.fit(
        prepared.train,
        epochs=profile.epochs,
        steps_per_epoch=profile.steps_per_epoch,
        validation_data=as_validation_dataset(prepared.validation),
        validation_steps=len(prepared.validation),
        callbacks=callbacks,
        shuffle=False,  # the patches are already random; there is nothing for fit to shuffle
        verbose=verbose,
    )


# ------------------------------------------------------------------------------------------ evaluation


def evaluate(
    model: keras.Model, pairs: Iterable[tuple[np.ndarray, np.ndarray]], scale: int, names: Iterable[str] | None = None
) -> list[dict[str, float | str]]:
    """Per-image PSNR/SSIM of the model *and* of bicubic on the same full images, plus a mean row.

    Both use the SR conventions (Y channel, border of ``scale`` pixels shaved) and plain RGB PSNR; GMSD
    (notebook 05, lower is better) shows the structure PSNR misses. The model's columns start with its model
    folder's key (``edsr_psnr_y``), bicubic's with ``bicubic_``.
    """
    from edsr_helpers import models

    key = models.model_key(model)
    rows = []
    names = list(names) if names is not None else None
    for index, (lr, hr) in enumerate(pairs):
        lr, hr = np.asarray(lr), np.asarray(hr)
        sr = super_resolve(model, lr)
        bicubic = upscale_bicubic(lr, scale)
        row: dict[str, float | str] = {"image": names[index] if names else f"#{index + 1}"}
        for label, image in (("bicubic", bicubic), (key, sr)):
            row[f"{label}_psnr_y"], row[f"{label}_ssim_y"] = score(hr, image, shave=scale, with_ssim=True)
            row[f"{label}_psnr_rgb"] = score(hr, image, shave=scale, y_only=False).psnr
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
    values = [score(hr, upscale_bicubic(np.asarray(lr), scale), shave=scale).psnr for lr, hr in pairs]
    return float(np.mean(values))
