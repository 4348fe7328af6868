# %% [markdown]
# # 03 · Training: honest metrics, live curves, fast on a CPU, resumable on a GPU
#
# [![Open-in-Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/edsr-course/edsr-notebooks/blob/main/notebooks/03_training.ipynb)
#
# Now EDSR learns. You will see why it trains on L1 and how PSNR must be computed; set the learning-rate schedule;
# train with plain `model.fit`, watching validation PSNR against bicubic; make the run safe to interrupt; and
# evaluate it honestly. On a laptop the `cpu` profile passes bicubic in minutes; on a Colab GPU the `gpu` profile
# fits a lab.

# %% [markdown]
# ## Setup
#
# On Colab this cell installs `edsr_helpers` from the repository (nothing is upgraded, no restart needed), and the
# next one keeps runs and datasets in a Google Drive folder that every notebook shares (`course.setup(drive=False)`
# keeps them on the VM). On your own machine the first does nothing: `make lab` installed the package.

# %%
import subprocess
import sys

REPO, REF = "https://github.com/edsr-course/edsr-notebooks", "main"  # a course can pin a tag: REF = "v1.0"
install = [sys.executable, "-m", "pip", "install", "--quiet", f"edsr-helpers[notebooks] @ git+{REPO}@{REF}"]
if "google.colab" in sys.modules and subprocess.run(install).returncode:  # Colab only; nothing is upgraded
    raise SystemExit(f"Could not install edsr_helpers from {REPO} at {REF!r}: is REF a branch or tag of it?")

# %% tags=["nbval-ignore-output"]
import numpy as np

import edsr_helpers as eh
from edsr_helpers import course

profile = course.setup()

# %% [markdown]
# ## L1, not L2
#
# The obvious loss is the mean squared error (L2). Its gradient grows with the error, so a few large errors (edges,
# textures that cannot be recovered) dominate the updates, and the cheapest way to shrink them is to blur. L1, the
# mean absolute error, pushes every pixel with the same force; Lim et al. found it trained better.

# %%
import matplotlib.pyplot as plt

course.lessons.l1_vs_l2_figure()
plt.show()

# %% [markdown]
# ## PSNR, computed right
#
# PSNR is `10·log10(255² / MSE)`, with both images on the 0–255 scale. The keras-io example writes its metric as
# `PSNR(super_resolution, high_resolution)`, which returns
# `tf.image.psnr(high_resolution, super_resolution, max_val=255)[0]`; but Keras calls a metric as
# `(y_true, y_pred)`: the uint8 target
# lands in `super_resolution`, the float prediction in `high_resolution`. `tf.image.psnr` converts only the uint8
# one to [0, 1], so the example computes `10·log10(255² / mean((SR − HR/255)²))`, which measures how large the
# prediction's values are far more than how wrong they are: the example's
# [own training log](https://keras.io/examples/vision/edsr/) shows 6.3–9.0 dB at every epoch it prints, from
# the first to the 100th, while its validation loss falls from 17.5 to 6.7 (and it keeps only each batch's first
# image, `[0]`). Swapping the two arguments, `tf.image.psnr(super_resolution, high_resolution, max_val=255)`,
# does not fix it: `tf.image.psnr` scales `max_val` by the dtype of its *first* image, so with the uint8 target
# first the peak becomes 1 while the prediction stays on 0–255. The bug is
# the mix of scales, not the order. Here it is on bicubic, called as Keras calls it, both ways round:

# %%
lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
bicubic = eh.images.upscale_bicubic(lr, 4)
prediction = bicubic.astype("float32")  # a model's output is float
print(f"keras-io's way:                   {course.lessons.keras_io_psnr(hr, prediction):6.2f} dB")
print(f"  the same by hand:                {10 * np.log10(255**2 / np.mean((bicubic - hr / 255) ** 2)):6.2f} dB")
print(f"  arguments swapped:              {course.lessons.keras_io_psnr(hr, prediction, swapped=True):6.2f} dB")
print(f"RGB, 0-255, 4-pixel border shaved: {eh.metrics.psnr(hr, bicubic, shave=4):6.2f} dB")
print(f"Y channel, 4-pixel border shaved:  {eh.metrics.psnr(hr, bicubic, shave=4, y_only=True):6.2f} dB  (papers)")

# %% [markdown]
# Both ways round the number is nonsense, about 7 dB one way and about −41 dB the other, for an image anyone
# would call close. The last two lines are right: both images on 0–255 (and in training, every image of a batch
# scored, not only the first). Papers report the
# last: PSNR on the brightness channel Y (as MATLAB's `rgb2ycbcr`), with a border of `scale` pixels left out,
# since no method can know what lies beyond the edge. The RGB line shaves the same border, as the evaluation
# below does, so the two differ only in the channel. Every Y-PSNR in the series comes from this definition (an
# RGB number says so):

# %%
#| export objective
import keras
import numpy as np

from edsr_helpers.serialization import register_serializable

#: BT.601 luma weights for 0-255 RGB, as MATLAB's rgb2ycbcr (studio swing: Y in [16, 235]).
Y_WEIGHTS = np.array([65.481, 128.553, 24.966], dtype=np.float64) / 255.0
Y_OFFSET = 16.0


def rgb_to_y(image: np.ndarray) -> np.ndarray:
    """Luma channel (float64, 16-235) of an RGB image on the 0-255 scale."""
    return np.asarray(image, dtype=np.float64) @ Y_WEIGHTS + Y_OFFSET


def psnr(reference, test, *, shave: int = 0, y_only: bool = False, max_val: float = 255.0) -> float:
    """PSNR in dB of two images on the 0-255 scale; ``shave`` border pixels left out, Y only if asked."""
    reference, test = np.asarray(reference, dtype=np.float64), np.asarray(test, dtype=np.float64)
    if reference.shape != test.shape:
        raise ValueError(f"Images differ in shape: {reference.shape} vs {test.shape}.")
    if y_only:
        reference, test = rgb_to_y(reference), rgb_to_y(test)
    if shave:
        reference, test = reference[shave:-shave, shave:-shave], test[shave:-shave, shave:-shave]
    mse = float(np.mean((reference - test) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(max_val**2 / mse)


# %% [markdown]
# Training logs both: `eh.metrics.PSNR` is a real `keras.metrics` class that averages **every** image it sees.
# SSIM (structural similarity, 1 = identical) joins them in the evaluation.
#
# ## Data, model and precision
#
# Notebook 01's pipeline feeds the training; the validation photos are scored whole, one at a time.

# %%
train_ds = eh.data.make_train_dataset_for(profile, eh.data.load_pairs(profile, "train"))
val_pairs = eh.data.first_pairs(eh.data.load_pairs(profile, "validation"), profile.val_images)
bicubic_val = eh.training.bicubic_psnr(val_pairs, profile.scale)
print(f"{len(val_pairs)} validation images; bicubic scores {bicubic_val:.2f} dB (Y, shave {profile.scale})")

# %% [markdown]
# **Mixed precision** runs the convolutions in 16-bit floats, the weights in float32. Whether that is faster
# depends on the chip, so `choose_precision` times a few steps in each policy and keeps the faster; set it before
# the model is built. On a CPU with TensorFlow it then times EDSR's step with and without **XLA** (which compiles
# the whole step into one program) and keeps the faster for `model.compile` below. Both probes time a step alone,
# on batches of 8 random patches (the precision probe on a smaller model), so training's steps, on 16 patches fed
# by the pipeline, take longer ([measurements](https://github.com/edsr-course/edsr-notebooks/blob/main/docs/precision_and_engines.md)).

# %% tags=["nbval-ignore-output"]
import keras

precision = eh.training.choose_precision(verbose=True)
keras.config.set_dtype_policy(precision)
print("precision policy:", precision)

# %% [markdown]
# ## Which engine runs Keras?
#
# The same code runs on TensorFlow (the default; DIV2K through tensorflow-datasets needs it), JAX and PyTorch;
# only `eh.backend` knows them apart. **JAX was the fastest engine measured on a GPU** (an H200: 5.4 ms per step
# against 37.4 ms for Keras on PyTorch; TensorFlow was not measured there): set
# `os.environ["KERAS_BACKEND"] = "jax"` before the first `import keras`, then restart the kernel
# ([measurements](https://github.com/edsr-course/edsr-notebooks/blob/main/docs/precision_and_engines.md)).

# %% tags=["nbval-ignore-output"]
print(f"engine: {eh.backend.name()}, running on {'a GPU' if eh.backend.has_gpu() else 'the CPU'}")

# %% [markdown]
# ## The schedule
#
# The paper starts at 1e-4 and halves the rate every 2×10⁵ updates; the official code trains for 300k steps. The
# `cpu` run has about a thousand steps and takes a larger peak rate, 5e-4, so that each step moves further; but it
# starts from trained ×2 weights (see *A head start* below), which a large rate from the first step would shake:
# Adam divides each gradient by a running average of its size, which starts from nothing, so its first updates
# move every weight by about the full rate, however small its gradient; and the one new layer starts random, so
# the first errors, and the gradients they send through every copied layer, are large. A linear **warm-up** keeps
# those first updates small while Adam's averages settle; then the rate **halves** at fixed steps. One Keras
# `LearningRateSchedule` does both (exercise 5 tests whether the warm-up pays):


# %%
#| export objective
@register_serializable(package="edsr_helpers")
class WarmupHalving(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up to ``learning_rate``, then halve it every ``halving_steps`` steps (EDSR's schedule)."""

    def __init__(self, learning_rate: float, halving_steps: int, warmup_steps: int = 0):
        self.learning_rate = float(learning_rate)
        self.halving_steps = int(halving_steps)
        self.warmup_steps = int(warmup_steps)

    def __call__(self, step):
        step = keras.ops.cast(step, "float32")
        rate = self.learning_rate * keras.ops.power(0.5, keras.ops.floor(step / self.halving_steps))
        if self.warmup_steps:
            rate = rate * keras.ops.minimum(1.0, (step + 1.0) / self.warmup_steps)
        return rate

    def get_config(self):
        return {
            "learning_rate": self.learning_rate,
            "halving_steps": self.halving_steps,
            "warmup_steps": self.warmup_steps,
        }


# %% [markdown]
# The loss and the optimizer complete the recipe: L1, and Adam with the paper's settings written out. Keras
# calls L1 `"mean_absolute_error"`; `model.compile` below takes these two.

# %%
#| export objective
#: L1: the mean absolute error over every pixel and colour (Keras's name for it).
LOSS = "mean_absolute_error"


def edsr_optimizer(learning_rate) -> keras.optimizers.Optimizer:
    """Adam as the paper sets it: beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-8; the rate may be a schedule."""
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8)


# %% [markdown]
# The profile's recipe sets the schedule's numbers. The `cpu` recipe warms up over 200 steps to 5e-4 and halves
# every 1,000 steps; the `gpu` recipe trains from scratch at a constant 2e-4 (no warm-up, and its 7,000 steps
# end long before the paper's first halving); the `paper` recipe is the paper's 1e-4, halved every 200k steps.
# Here, this profile's:

# %% tags=["nbval-ignore-output"]
recipe = profile.recipe
schedule = WarmupHalving(recipe.learning_rate, recipe.lr_halving_steps, recipe.warmup_steps)
print(
    f"'{profile.name}': peak {recipe.learning_rate:.0e}, warm-up {recipe.warmup_steps} steps, halved every "
    f"{recipe.lr_halving_steps:,} steps, {profile.total_steps:,} steps at most"
)
steps = np.arange(profile.epochs * profile.steps_per_epoch)
plt.figure(figsize=(5, 2.5))
plt.plot(steps, [float(schedule(step)) for step in steps])
plt.xlabel("step")
plt.ylabel("learning rate")
plt.title(f"'{profile.name}' profile")
plt.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## Training
#
# The model meets its loss, its optimizer and two PSNR metrics: `psnr` on RGB over the whole image and `psnr_y` on
# Y with the border shaved (the evaluation below shaves RGB's border too, so its RGB numbers differ a little from
# the log's). Keras logs each on the training patches and, with a `val_` prefix, on the validation photos. With
# several GPUs, `strategy` spreads each batch over them (on one device it changes nothing); a whole validation
# photo cannot be split, so each validation batch holds one copy of it per device
# (`strategy.num_replicas_in_sync` copies: 1 on one device).
#
# **A head start.** The paper does not train its ×4 model from nothing: it starts from its trained ×2 network,
# because the residual body's features do not depend on the scale, and ×4 then converges much faster (Lim et
# al. 2017, Fig. 4). With only about a thousand steps on a CPU, the `cpu` recipe does the same from the
# series' shipped ×2 weights: every layer but the last upsampling step is copied, and that one is learned here
# (of the 27 layers counted below, 6 hold no weights: the input, the two mean shifts, an addition and the two
# pixel shuffles).
# The `gpu` profile has the steps to train from scratch, and does.

# %% tags=["nbval-ignore-output"]
strategy = eh.backend.choose_strategy()
with strategy.scope():
    model = recipe.build_model(profile.scale)  # the recipe names the model: EDSR-baseline
    if recipe.init_from_scale:  # the paper's head start: the shared layers of a trained smaller scale
        source = eh.pretrained.load_pretrained(recipe.init_from_scale)
        copied = eh.model.copy_matching_weights(source, model)
        print(f"started from the shipped x{recipe.init_from_scale}: {len(copied)} of {len(model.layers)} layers")
    model.compile(
        optimizer=edsr_optimizer(schedule),
        loss=LOSS,
        metrics=[eh.metrics.PSNR(name="psnr"), eh.metrics.PSNR(shave=profile.scale, y_only=True, name="psnr_y")],
        jit_compile=eh.backend.jit_compile(),  # XLA where it pays on this engine
    )

# %% [markdown]
# Plain `model.fit`, with callbacks for the bookkeeping:
#
# - `BackupAndRestore` saves the state after every epoch: **running the cell again resumes** an interrupted run
#   (a Colab disconnect, a stop) at its last epoch, and `ContinuePatchStream` goes on with the patches it had not
#   reached yet;
# - `ModelCheckpoint` keeps the best model by validation PSNR; `TerminateOnNaN` stops a diverging run;
#   `CSVLogger` writes `log.csv`;
# - `TimeBudget` stops the run at the end of an epoch when one more epoch, as long as the last one, would pass
#   the profile's `training_minutes` (20 on `cpu` and `gpu`): a safety net, so a slow laptop trains fewer epochs
#   within a lab and says so;
# - `LivePlot` redraws the curves, bicubic dashed. The live figure appears after the first epoch, above the
#   log; when training ends it is drawn once more below the log, where a saved copy of the notebook keeps it.

# %% tags=["nbval-ignore-output"]
folder = eh.runs.run_dir(profile)
callbacks = [
    eh.training.backup_and_restore(folder),
    keras.callbacks.ModelCheckpoint(folder / "best.keras", monitor="val_psnr_y", mode="max", save_best_only=True),
    keras.callbacks.TerminateOnNaN(),
    keras.callbacks.CSVLogger(folder / "log.csv", append=True),
    eh.training.ContinuePatchStream(train_ds, folder),
    *([eh.training.TimeBudget(profile.training_minutes)] if profile.training_minutes else []),
    eh.presentation.plots.LivePlot(bicubic_val),
]
val_ds = eh.data.as_validation_dataset(val_pairs, copies=strategy.num_replicas_in_sync)
print("run folder:", eh.runs.shown(folder))

# %% tags=["nbval-ignore-output"]
history = model.fit(
    train_ds,
    epochs=profile.epochs,
    steps_per_epoch=profile.steps_per_epoch,
    validation_data=val_ds,
    validation_steps=len(val_pairs),
    callbacks=callbacks,
    shuffle=False,  # the patches are already random; there is nothing for fit to shuffle
    verbose=2,  # one line per epoch: the live plot draws the curves
)

# %% [markdown]
# ## Evaluation: choose on validation, report on test
#
# The validation photos already did a job: they chose which epoch `ModelCheckpoint` kept (`best.keras`, loaded
# here), and a score on the photos that chose a model flatters it. So the result is reported on **test photos**
# that chose nothing. On the offline photos these are six colour photographs that no run in these notebooks
# trains on or chooses by; on DIV2K, whose test originals are not public, its 100 validation photos are cut in two: the
# first half validates, the second half tests. First validation, bicubic beside (on DIV2K with the published
# EDSR-baseline figure, over all 100 photos, as the last row). Each photo is upscaled whole and scored as papers
# do: PSNR (the `psnr` written above) on Y and on RGB and SSIM on Y, all with the border shaved (a gain is taken
# before rounding, so it may differ by 0.01 dB from the difference of the two rounded scores beside it):


# %%
def evaluate(model, pairs, scale, names=None):
    """Per photo and on average: PSNR (Y and RGB, border shaved) and SSIM-Y of the model and of bicubic."""
    rows = []
    for index, (lr, hr) in enumerate(pairs):
        outputs = {"bicubic": eh.images.upscale_bicubic(lr, scale), "edsr": eh.inference.upscale(model, lr)}
        row = {"image": names[index] if names else f"#{index + 1}"}
        for label, output in outputs.items():
            row[f"{label}_psnr_y"] = psnr(hr, output, shave=scale, y_only=True)
            row[f"{label}_ssim_y"] = eh.metrics.ssim(hr, output, shave=scale, y_only=True)
            row[f"{label}_psnr_rgb"] = psnr(hr, output, shave=scale)
        rows.append(row)
    numbers = [key for key in rows[0] if key != "image"]
    return rows + [{"image": "mean"} | {key: float(np.mean([row[key] for row in rows])) for key in numbers}]


# %% tags=["nbval-ignore-output"]
model = keras.models.load_model(folder / "best.keras")  # the epoch the validation photos chose
on_div2k = eh.data.uses_div2k(profile)
names = None if on_div2k else eh.samples.photo_names("validation")
val_rows = evaluate(model, val_pairs, profile.scale, names=names)
eh.presentation.tables.show_evaluation(val_rows, published_scale=profile.scale if on_div2k else None)

# %% [markdown]
# Then the test photos, the number to report:

# %% tags=["nbval-ignore-output"]
test_pairs = eh.data.first_pairs(eh.data.load_pairs(profile, "test", verbose=False), profile.val_images)
test_rows = evaluate(model, test_pairs, profile.scale, names=None if on_div2k else eh.samples.photo_names("test"))
eh.presentation.tables.show_evaluation(test_rows)

# %% [markdown]
# **Is the model over-fitting?** The log's two PSNRs cannot say: the training one is measured on patches and
# averaged over an epoch in which the model kept changing, the validation one on whole photos by the epoch's end,
# and content alone moves a PSNR a lot (in the test table above, bicubic scores 31.47 dB on the cat's soft fur
# and 25.46 dB on the crowded sails). The *gain over bicubic* on whole photos takes out much of that, since content
# moves both PSNRs, but not all: the test table's gain column still differs from photo to photo. Over-fitting
# would show as a larger gain on training photos than on validation photos; with three photos a side, only a
# difference larger than that photo-to-photo spread says much. The kept model's gains, per photo and on average
# (taken before rounding), and the spread: the standard deviation of a photo's gain around its side's mean:

# %% tags=["nbval-ignore-output"]
from IPython.display import Markdown, display

train_sample = eh.data.first_pairs(eh.data.load_pairs(profile, "train", verbose=False), 3)
per_photo = {}
for label, pairs in (("3 training photos", train_sample), ("validation photos", val_pairs)):
    *rows, mean = evaluate(model, pairs, profile.scale)
    per_photo[label] = [row["edsr_psnr_y"] - row["bicubic_psnr_y"] for row in rows]
    print(
        f"{label:18s} EDSR {mean['edsr_psnr_y']:.2f} dB, bicubic {mean['bicubic_psnr_y']:.2f} dB, "
        f"gain {np.mean(per_photo[label]):+.2f} (per photo: {', '.join(f'{g:+.2f}' for g in per_photo[label])})"
    )
train_gain, val_gain = (float(np.mean(gains)) for gains in per_photo.values())
spread = float(np.sqrt(np.mean([np.var(gains, ddof=1) for gains in per_photo.values()])))
difference = train_gain - val_gain
if difference > spread:
    verdict = "larger than the spread: the model may be over-fitting."
elif difference < -spread:
    verdict = "the validation photos gain more, by more than the spread: no sign of over-fitting."
else:
    verdict = "within the spread: three photos a side cannot tell whether the model over-fits."
display(
    Markdown(
        f"Training photos {train_gain:+.2f} dB, validation photos {val_gain:+.2f} dB: a difference of "
        f"{difference:+.2f} dB against a photo-to-photo spread of {spread:.2f} dB, {verdict}"
    )
)

# %% [markdown]
# And what the numbers look like: the last validation photo (coffee, on the offline photos), zoomed in on a
# 128-pixel detail. Each title's dB is the
# Y-PSNR of the whole photo (border shaved), as in the table above, not of the detail shown.

# %%
lr_val, hr_val = val_pairs[-1]
outputs = {
    "bicubic": eh.images.upscale_bicubic(lr_val, profile.scale),
    "EDSR": eh.inference.upscale(model, lr_val),
}
course.plotting.show_comparison(lr_val, hr_val, outputs, crop=(hr_val.shape[0] // 4, hr_val.shape[1] // 4, 128))

# %% [markdown]
# Finally the model is saved where notebook 04 looks for it (`runs/<profile>/edsr.keras` beside the notebooks;
# paths are shown relative to the repository).

# %% tags=["nbval-ignore-output"]
print(eh.runs.shown(eh.runs.save_trained(model, folder)))


# %% [markdown]
# ## On a Colab GPU, and the paper's full recipe
#
# With a GPU the `gpu` profile is chosen: 48×48 LR patches, batch 16, Adam at a constant 2e-4, from scratch,
# 7,000 steps. Measured on an NVIDIA H200 with Keras on JAX
# ([benchmarks](https://github.com/edsr-course/edsr-notebooks/blob/main/docs/benchmarks.md)):
# the run took 48 s, compiling and validation included, and beat bicubic by +1.37 dB on the *validation* photos,
# the same photos that chose its length of 7,000 steps: a flattering number, not a test result. Its steady step
# takes 5.4 ms, so the 7,000 steps themselves take about 38 s. A T4 has 1/15 of the H200's 16-bit peak (65 against
# 989 TFLOP/s on their datasheets): at that ratio the steps alone take **about 10 minutes**, plus compiling and
# validation (an estimate, not a measurement). On Colab the run folder lives in your Drive, so a disconnected run
# resumes.
#
# **The paper's recipe** (`%env EDSR_PROFILE=paper`): DIV2K, a 4.3 GB download, and the official code's 300k steps:
# at the same 5.4 ms per step, about 27 minutes of steps on the H200 and, by the same ratio, about 7 hours on a T4
# (estimates). The official code reports 28.95 dB for EDSR-baseline ×4 and 29.25 dB for full
# EDSR on DIV2K validation (RGB; a border of scale + 2 pixels left out by its README, scale + 6 by its code). The
# paper starts ×3 and ×4 from the trained ×2 (its Fig. 4), as the shipped weights do.

# %% [markdown]
# ## Summary
#
# - L1 loss; PSNR on 0–255 for every image, reported the papers' way (Y, shaved border).
# - Adam, with the schedule its profile's recipe sets: on `cpu` a warm-up to 5e-4 from the shipped ×2 weights,
#   halved every 1,000 steps; on `gpu` a constant 2e-4 from scratch; on `paper` 1e-4 halved every 200k steps.
#   The precision is measured for the machine, and XLA too on a CPU with TensorFlow.
# - Plain `model.fit` with callbacks: live curves, best checkpoint, resumable runs.
# - Validation photos choose the checkpoint, test photos report it.
#
# This run's numbers (gains taken before rounding):

# %% tags=["nbval-ignore-output"]
import csv

from IPython.display import Markdown, display

with open(folder / "log.csv") as log_file:
    log = list(csv.DictReader(log_file))
best = max(log, key=lambda row: float(row["val_psnr_y"]))
steps_done = len(log) * profile.steps_per_epoch
peak, halving = f"{recipe.learning_rate:.0e}", f"step {recipe.lr_halving_steps:,}"
if steps_done < recipe.warmup_steps:
    rate = f"was still warming up to {peak} (over {recipe.warmup_steps} steps) when it ended"
elif steps_done > recipe.lr_halving_steps:
    rate = f"warmed up over {recipe.warmup_steps} steps to {peak} and was halved at {halving}"
else:
    rate = f"warmed up over {recipe.warmup_steps} steps to {peak}; its first halving, at {halving}, never ran"
val_mean, test_mean = val_rows[-1], test_rows[-1]
display(
    Markdown(
        f"- '{profile.name}' profile: {steps_done:,} of {profile.total_steps:,} steps ({len(log)} of "
        f"{profile.epochs} epochs), {precision}, XLA {'on' if eh.backend.jit_compile() else 'off'}; the rate "
        f"{rate}.\n"
        f"- Validation photos chose epoch {int(best['epoch']) + 1}: EDSR {val_mean['edsr_psnr_y']:.2f} dB, bicubic "
        f"{val_mean['bicubic_psnr_y']:.2f} dB ({val_mean['edsr_psnr_y'] - val_mean['bicubic_psnr_y']:+.2f} dB).\n"
        f"- **Test photos, the result**: EDSR {test_mean['edsr_psnr_y']:.2f} dB, bicubic "
        f"{test_mean['bicubic_psnr_y']:.2f} dB, **{test_mean['edsr_psnr_y'] - test_mean['bicubic_psnr_y']:+.2f} "
        f"dB** (Y, border of {profile.scale} shaved)."
    )
)

# %% [markdown]
# After the exercises, **04 · Inference**: whole photos, EDSR+, and the crop-and-compare widget.

# %% [markdown]
# ## Exercises
#
# Each exercise ends with a checker that answers ✅ or ❌ with a hint (never with the answer). Replace the
# `None`, the `{}` or the `raise NotImplementedError` with your answer and run the cell; where a question asks
# *why*, write your answer in the cell below it.
#
# **1. Fix keras-io's metric** (debug). Above, keras-io's PSNR printed about 7 dB one way round and about −41 dB
# the other for bicubic, which scores far higher. Write `psnr_metric(y_true, y_pred)` as Keras calls a metric:
# `y_true` a batch of uint8 originals, `y_pred` a batch of float32 predictions, both on 0–255, shaped
# `(batch, height, width, 3)`. Return the PSNR of **every** image (one value per image; Keras averages them) on
# RGB, with no border shaved and a peak of 255, using `keras.ops` so that it runs inside `model.fit` on any
# engine. The checker calls it on two 128×128 crops of monarch and their bicubic upscalings.


# %%
def psnr_metric(y_true, y_pred):
    raise NotImplementedError  # your code, with keras.ops


course.exercises.check_psnr_metric(psnr_metric)

# %% [markdown]
# *Your answer*: why did swapping the two arguments not fix keras-io's metric, and what does your fix change?

# %% [markdown]
# **2. Same L1 error, different PSNR** (guess, then measure). Two predictions of monarch's HR image `hr` (above)
# both have a mean absolute error of exactly 4 grey levels. `even`: every value 4 too high
# (`hr.astype("float64") + 4`). `sparse`: one pixel in 16 is 64 too high and the rest exact (a float copy of
# `hr` with `sparse[::4, ::4] += 64`); neither is clipped. **Guess first**: which one does PSNR rate higher,
# `"even"` or `"sparse"`, or are they `"equal"`? Record it in `guess`. Then measure both with `eh.metrics.psnr`
# against `hr`, on RGB with no border shaved, and fill `psnrs`.

# %%
guess = None  # "even", "sparse" or "equal": what you expect, before you measure
psnrs = {}  # {"even": dB, "sparse": dB}
course.exercises.check_error_spread(guess, psnrs)

# %% [markdown]
# *Your answer*: PSNR is computed from the squared error, yet EDSR trains on the absolute error. What would a
# model trained on L2 learn to avoid, and at what price?

# %% [markdown]
# **3. A schedule for a slow machine** (design). On a laptop that takes 2 s a step, the 20-minute budget allows
# only 600 steps, and the `cpu` recipe's rate first halves at step 1,000: such a run never reaches a halved rate.
# Design a `short_schedule` for a 600-step run that keeps the recipe's peak of 5e-4 (within 1 %) and meets four
# requirements (steps count from 0): a warm-up (step 0 below half the peak, the peak reached by step 100); the
# rate never rises after its
# peak; at least half the run (300 steps) at half the peak or more; the last step (599) at a quarter of the peak
# or less.
# `WarmupHalving` above can do it; any `LearningRateSchedule` or function of the step works. The checker calls
# `short_schedule(step)` for every step from 0 to 599 (no images, no randomness); first plot yours, as the schedule
# was plotted above.

# %%
short_schedule = None  # your schedule: short_schedule(step) gives the rate
course.exercises.check_short_schedule(short_schedule)

# %% [markdown]
# *Your answer*: why bring the rate down before the end of a short run at all? What would you expect a constant
# rate to do to the validation curve?

# %% [markdown]
# **4. L1 against L2, measured** (experiment). Train two fresh EDSR-baseline ×4 models
# (`recipe.build_model(4)`) for the same number of steps, one compiled with the L1 loss, the other with L2 (any
# spelling Keras knows: `"mae"` or `"mean_absolute_error"`, `"mse"` or `"mean_squared_error"`), both with
# `edsr_optimizer(schedule)`, and store them in `runs` under `"L1"` and `"L2"`. So that only the loss differs,
# call `keras.utils.set_random_seed(0)` before building each model (the same starting weights) and give each run
# its own patch stream with the same seed:
# `eh.data.make_train_dataset_for(profile, eh.data.load_pairs(profile, "train"), seed=0)`. Score both with
# `evaluate` above on the three offline validation photos, `eh.data.load_sample(4, "validation")` (the same as
# `val_pairs` unless the profile uses DIV2K), and set `better` to the one whose model has the higher mean Y-PSNR
# (the `"mean"` row's `edsr_psnr_y`). The checker
# re-scores your two models itself on those three photos, on Y with a border of 4 shaved, and calls a difference
# under 0.05 dB a tie (either answer passes). Try 10 steps, then 300.

# %%
runs = {}  # {"L1": model_l1, "L2": model_l2}
better = None  # "L1" or "L2": the loss whose model scores higher
course.exercises.check_loss_experiment(runs, better)

# %% [markdown]
# *Your answer*: did the answer change between 10 and 300 steps? How much would you trust one short run of each?

# %% [markdown]
# **5. Is the warm-up worth it?** (experiment). Test the warm-up: train two EDSR-baseline ×4 models for the same
# number of steps, each from `keras.utils.set_random_seed(0)` and on its own patch stream with the same seed (as in
# exercise 4), with `edsr_optimizer` at the
# same peak rate `recipe.learning_rate`, one warming up over 200 steps and one not:
# `edsr_optimizer(WarmupHalving(recipe.learning_rate, halving_steps=1000, warmup_steps=200))`, and the same with
# `warmup_steps=0`. Start both the same way: fresh, or both from the shipped ×2 as the run above
# (`eh.model.copy_matching_weights(eh.pretrained.load_pretrained(2), model)`); only the warm-up may differ. Store
# them in `runs` under `"warm-up"` and `"none"` and set `better` to the run whose model scores higher. The checker
# scores as in exercise 4 (Y, border of 4, the three offline validation photos, a tie under 0.05 dB); score yours on
# the same photos. Try 300 steps; then repeat with a peak four times larger.

# %%
runs = {}  # {"warm-up": model_with_warmup, "none": model_without}
better = None  # "warm-up" or "none"
course.exercises.check_warmup_experiment(runs, better)

# %% [markdown]
# *Your answer*: when does the warm-up matter: at which peak, and for which starting weights?
