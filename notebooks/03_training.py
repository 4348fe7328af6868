# %% [markdown]
# # 03 · Training: honest metrics, live curves, fast on a CPU, resumable on a GPU
#
# [![Open-in-Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/edsr-course/edsr-notebooks/blob/main/notebooks/03_training.ipynb)
#
# Now EDSR learns. In this notebook you will:
#
# 1. see why EDSR trains with the L1 loss, and how PSNR must be computed to mean anything;
# 2. set up the learning-rate schedule, and measure which precision and which engine are fastest here;
# 3. train with plain `model.fit`, watching loss and validation PSNR live against bicubic;
# 4. make the run safe to interrupt, and evaluate the result image by image;
# 5. see what a Colab GPU does in a lab's time, and how to run the paper's full recipe.
#
# The `cpu` profile passes bicubic in a few minutes on a laptop; the `gpu` profile (chosen when there is a GPU)
# fits a lab on a Colab T4.

# %% [markdown]
# ## Setup
#
# On Colab this cell installs the series' helper package, `edsr_helpers`, from the repository; on your own
# machine it does nothing, because `make setup` (or `pip install -e .`) already did. It never upgrades
# TensorFlow, Keras or ipywidgets, so Colab needs no restart. Colab runs each notebook on its own machine, so
# the cell also asks to mount Google Drive and keeps runs and datasets in one Drive folder that every notebook
# of the series uses (notebook 04 finds the model notebook 03 trained); set `USE_DRIVE = False` to keep them
# on the VM.

# %%
import sys

REPO, REF = "https://github.com/edsr-course/edsr-notebooks", "main"  # a course can pin a tag: REF = "v1.0"
USE_DRIVE = True  # Colab: keep runs and downloads in Drive's MyDrive/edsr-course, shared by all four notebooks
if "google.colab" in sys.modules:  # Colab only: install the helpers, keep its TF/Keras/ipywidgets
    import subprocess

    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", f"edsr-helpers @ git+{REPO}@{REF}"],
        capture_output=True,
        text=True,
    )
    if pip.returncode:
        reason = (pip.stderr.strip().splitlines() or ["pip gave no reason"])[-1]
        raise SystemExit(
            f"Could not install edsr_helpers from {REPO} at {REF!r} ({reason}). Check that this runtime is "
            "online, that the repository is public, and that REF names one of its branches or tags."
        )
    if USE_DRIVE:
        from edsr_helpers.course import colab

        colab.use_drive_folder()

# %% tags=["nbval-ignore-output"]
import numpy as np

import edsr_helpers as eh
from edsr_helpers import course

profile = course.setup()

# %% [markdown]
# ## L1, not L2
#
# The obvious loss for "make the output equal the target" is the mean squared error (L2). EDSR uses the mean
# absolute error (L1) instead. L2's gradient grows with the error, so a few large errors (edges, textures that
# cannot be recovered exactly) dominate the updates, and the cheapest way to reduce them is to blur. L1 pushes
# every pixel with the same force whatever its error, which keeps edges sharper; Lim et al. found it trained
# better, and later SR work kept it.

# %%
import matplotlib.pyplot as plt

course.lessons.l1_vs_l2_figure()
plt.show()

# %% [markdown]
# ## PSNR, computed right
#
# PSNR is `10·log10(255² / MSE)` for 8-bit images: both images must be on the 0–255 scale. The keras-io example
# writes its metric as `PSNR(super_resolution, high_resolution)`, but Keras calls every metric as
# `(y_true, y_pred)`: the uint8 HR target lands in `super_resolution` and the 0–255 float prediction in
# `high_resolution`. `tf.image.psnr` converts a uint8 image to [0, 1] and leaves a float image as it is, so the
# example computes `10·log10(255² / mean((SR − HR/255)²))`: the "error" is mostly the prediction's own
# brightness, and the score sits at 6–9 dB whatever the model does. It also keeps only the first image of each
# batch. That is why its training log looks as if nothing is learned. On the monarch photo, bicubic against the
# original, through a compiled Keras metric exactly as the example's is called:

# %%
lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
bicubic = eh.images.upscale_bicubic(lr, 4)
print(f"keras-io's way:                  {course.lessons.keras_io_psnr(hr, bicubic.astype('float32')):6.2f} dB")
print(f"  the same by hand:               {10 * np.log10(255**2 / np.mean((bicubic - hr / 255) ** 2)):6.2f} dB")
print(f"RGB, 0-255 on both sides:        {eh.metrics.psnr(hr, bicubic):6.2f} dB")
print(f"Y channel, 4-pixel border shaved: {eh.metrics.psnr(hr, bicubic, shave=4, y_only=True):6.2f} dB  (papers)")

# %% [markdown]
# Papers report the last number: PSNR on the brightness channel Y of YCbCr (as MATLAB's `rgb2ycbcr`), with a
# border of `scale` pixels left out, since no method can know what lies beyond the image edge. This is the one
# definition every number in the series comes from:

# %%
#| export objective
import keras
import numpy as np

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
# Training logs both: `eh.metrics.PSNR` is a real `keras.metrics` class that averages the PSNR of **every**
# image it sees.
# SSIM (structural similarity, 1 = identical) completes the picture in the evaluation below.
#
# ## Data, model and precision
#
# The pipeline of notebook 01 feeds the training; the validation photos are scored whole, one at a time.

# %%
train_ds = eh.data.make_train_dataset_for(profile, eh.data.load_pairs(profile, "train"))
val_pairs = eh.data.first_pairs(eh.data.load_pairs(profile, "validation"), profile.val_images)
bicubic_val = eh.training.bicubic_psnr(val_pairs, profile.scale)
print(f"{len(val_pairs)} validation images; bicubic scores {bicubic_val:.2f} dB (Y, shave {profile.scale})")

# %% [markdown]
# **Mixed precision** runs the convolutions in 16-bit floats while the weights stay float32. Whether that is
# faster depends on the chip, and its feature list does not tell, so `choose_precision` times a few training
# steps in each policy and keeps a 16-bit one only if it is clearly faster. The policy must be set *before* the
# model is built. The measurements are in
# [Precision and engines](https://github.com/edsr-course/edsr-notebooks/blob/main/docs/precision_and_engines.md).

# %% tags=["nbval-ignore-output"]
import keras

precision = eh.training.choose_precision(verbose=True)
keras.config.set_dtype_policy(precision)
print("precision policy:", precision)

# %% [markdown]
# ## Which engine runs Keras?
#
# Keras 3 runs the same code on TensorFlow, JAX and PyTorch; everything engine-specific lives in `eh.backend`.
# TensorFlow is the default (tensorflow-datasets' DIV2K needs it); **JAX is the fast path on a GPU**, where XLA
# compiles the whole training step. To switch, set the engine before the first `import keras` (on Colab, at the
# top of the setup cell) and restart the kernel: `os.environ["KERAS_BACKEND"] = "jax"`. The measured speeds of
# this model on each engine are in [Precision and engines](https://github.com/edsr-course/edsr-notebooks/blob/main/docs/precision_and_engines.md).

# %% tags=["nbval-ignore-output"]
print(f"engine: {eh.backend.name()}, device: {eh.backend.device_name()}")

# %% [markdown]
# ## The schedule
#
# The paper starts at 1e-4 and halves the rate every 200k steps; the official code trains for 300 epochs of 1,000
# batches, 300k steps. Short runs on a CPU can afford a larger
# rate if it is ramped up gently: the first steps of an untrained model produce the largest gradients (exercise 5
# measures whether that pays here). One Keras `LearningRateSchedule` does both:


# %%
#| export objective
@keras.saving.register_keras_serializable(package="edsr_helpers")
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
# calls L1 `"mean_absolute_error"`; `eh.training.compile_for_training` below compiles the model with these two.

# %%
#| export objective
#: L1: the mean absolute error over every pixel and colour (Keras's name for it).
LOSS = "mean_absolute_error"


def edsr_optimizer(learning_rate) -> keras.optimizers.Optimizer:
    """Adam as the paper sets it: beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-8; the rate may be a schedule."""
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8)


# %% [markdown]
# The profile sets the schedule's numbers:

# %%
schedule = eh.training.make_schedule(profile)
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
# Plain `model.fit`, with callbacks that do the bookkeeping:
#
# - `BackupAndRestore` saves the state at the end of every epoch: if the run is interrupted (Colab disconnects,
#   you press stop), **running the cell again resumes** from the last finished epoch instead of step 0, and
#   (given `patches=train_ds`) on the patches that run had not reached yet rather than the first epochs' again;
#   it keeps the epoch before as well, in case the run dies while writing the backup;
# - `ModelCheckpoint` keeps the best model by validation PSNR; `TerminateOnNaN` stops a diverging run;
#   `CSVLogger` writes `log.csv`;
# - `LivePlot` redraws the curves after each epoch, with bicubic as the dashed line to beat;
# - `TimeBudget` (given `minutes`) ends the run after the epoch that would take it past the profile's
#   `training_minutes` (20 on `cpu` and `gpu`), so a slow laptop trains fewer epochs within a lab's slot and says
#   so; pass `minutes=None` to train them all.

# %% tags=["nbval-ignore-output"]
strategy = eh.training.choose_strategy()
with strategy.scope():
    model = profile.recipe.build_model(profile.scale)  # the recipe names the model: EDSR-baseline
    eh.training.compile_for_training(model, profile)
val_ds = eh.data.as_validation_dataset(val_pairs, copies=strategy.num_replicas_in_sync)
folder = eh.runs.run_dir(profile)
callbacks = eh.training.make_callbacks(
    folder, bicubic_psnr=bicubic_val, patches=train_ds, minutes=profile.training_minutes
)
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
# The validation photos have done a job already: after every epoch they told `ModelCheckpoint` which model to
# keep (`best.keras`, loaded here). A score on the photos that chose the model flatters it a little, so the
# result is reported on **test photos** that nothing has seen: three grey photographs (Y-PSNR measures
# brightness, which is all they have). First validation, whole photos scored the way papers do, bicubic beside
# (on DIV2K, the published EDSR-baseline figure is added as the last row):

# %% tags=["nbval-ignore-output"]
model = keras.models.load_model(folder / "best.keras")  # the epoch the validation photos chose
on_div2k = eh.data.uses_div2k(profile)
names = None if on_div2k else eh.samples.photo_names("validation")
rows = eh.training.evaluate(model, val_pairs, profile.scale, names=names)
eh.training.show_evaluation(rows, published_scale=profile.scale if on_div2k else None)

# %% [markdown]
# Then the test photos, the number to report:

# %% tags=["nbval-ignore-output"]
test_pairs = eh.data.load_pairs(profile, "test", verbose=False)
rows = eh.training.evaluate(model, test_pairs, profile.scale, names=eh.samples.photo_names("test"))
eh.training.show_evaluation(rows)

# %% [markdown]
# **Why is the training PSNR in the log higher than the validation PSNR?** Mostly not over-fitting: the two are
# measured on different pictures, and a flat sky scores far higher than a striped shirt whatever upscales it.
# Comparing the *gain over bicubic* on a few training photos with the gain on the validation photos separates
# the two: content moves both PSNRs alike, while over-fitting would show as a larger gain on the photos the
# model trained on.

# %% tags=["nbval-ignore-output"]
train_sample = eh.data.first_pairs(eh.data.load_pairs(profile, "train", verbose=False), 3)
for label, pairs in (("3 training photos", train_sample), ("validation photos", val_pairs)):
    mean = eh.training.evaluate(model, pairs, profile.scale)[-1]
    gain = mean["edsr_psnr_y"] - mean["bicubic_psnr_y"]
    print(f"{label:18s} EDSR {mean['edsr_psnr_y']:.2f} dB, bicubic {mean['bicubic_psnr_y']:.2f} dB, gain {gain:+.2f}")

# %% [markdown]
# And what the numbers look like: one validation photo, zoomed in.

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
# With a GPU the class-sized `gpu` profile is chosen automatically: the offline photos (or DIV2K, if notebook 01
# downloaded it), 48×48 LR patches as in the paper, batch 16, Adam at a constant 2e-4, 14 × 500 = 7,000 steps,
# the measured precision, XLA compilation. That recipe was measured on an NVIDIA H200 through Keras on JAX: the
# 7,000 steps took 48 s and beat bicubic on the three validation photos by **+1.37 dB** (longer runs on only
# 12 photos over-fit, so it stops there). A T4 (Colab's free GPU) has 1/15 of the H200's 16-bit datasheet peak
# (65 vs 989 TFLOP/s); at the same share of it, the run takes **about 12 minutes**. That is an estimate, not a
# T4 measurement. For speed, use the JAX engine (`KERAS_BACKEND=jax` before the first import, see above).
#
# On Colab the setup cell keeps the run folder in your Google Drive: if the runtime disconnects, re-running the
# notebook resumes from the last finished epoch, and notebook 04 (on its own VM) finds the trained model there.
#
# **The paper's recipe** is a profile you choose by name, `%env EDSR_PROFILE=paper`: DIV2K (a 4.3 GB download,
# see notebook 01), Adam at 1e-4 halved every 200k steps, 300 × 1,000 steps. The official EDSR code's README
# reports 28.95 dB for EDSR-baseline ×4 on DIV2K validation (RGB; its README says a border of scale + 2 pixels
# is left out, its code leaves out scale + 6), and full EDSR 29.25 dB, after 300k steps of batch 16. At the
# H200's measured 5.4 ms per step that is ~27 minutes of pure training there; on a T4, by the same ratio, about
# 7 hours, past Colab's free-tier limits. The paper trains ×2 first and starts its ×3 and ×4 models from those
# weights (its Fig. 4: they converge faster and end higher); the shipped ×3 and ×4 weights are made that way.

# %% [markdown]
# ## Summary
#
# - L1 loss; PSNR on the 0–255 scale for every image, reported the papers' way (Y channel, shaved border).
# - Adam with warm-up and the paper's halving schedule; mixed precision picked for the machine.
# - Plain `model.fit` with callbacks: live curves, best checkpoint, resumable runs, NaN guard, CSV log.
# - Validation photos choose the checkpoint, test photos report it; bicubic is always beside the model.
#
# Next, **04 · Inference**: upscale whole photos of any size, EDSR+ self-ensembling, and the interactive
# crop-and-compare widget.

# %% [markdown]
# ## Exercises
#
# Each exercise ends with a checker that answers ✅ or ❌ with a hint (never with the answer). Replace the
# `None` or the `raise NotImplementedError` with your code and run the cell. After you have tried,
# `course.exercises.show_solution("check_...")` shows a reference solution.
#
# **1. What does a PSNR mean?** (quick check). An upscaled image differs from the original by a mean squared
# error of 10 (on the 0–255 scale). What is its PSNR in dB? And what would the keras-io example's metric have
# printed for it?

# %%
psnr_db = None  # your answer
course.exercises.check_mse_to_psnr(psnr_db)

# %% [markdown]
# **2. Same L1 error, different PSNR** (think, then compute). Two predictions of an image both have a mean
# absolute error of 4 grey levels. In the first, every pixel is off by exactly 4. In the second, one pixel in 16
# is off by 64 and the others are exact. Work out the PSNR of each (no images needed). PSNR is computed from the
# squared error, yet EDSR trains on the absolute error: what does the difference tell you about what an L2-trained
# model would learn to avoid, and at what price?

# %%
psnr_even = None  # every pixel off by 4
psnr_sparse = None  # one pixel in 16 off by 64
course.exercises.check_error_spread(psnr_even, psnr_sparse)

# %% [markdown]
# **3. How small does the rate get?** (reason). With the halving schedule, from which step on is the learning
# rate below 1e-5: for the `cpu` recipe (peak 5e-4, halved every 1,000 steps), and for the paper's (peak 1e-4,
# halved every 200,000 steps)? Compare each with the length of its run (1,200 and 300,000 steps). You can check
# yourself with `eh.training.WarmupHalving(5e-4, 1000, 200)(step)`.

# %%
cpu_step = None
paper_step = None
course.exercises.check_halvings(cpu_step, paper_step)

# %% [markdown]
# **4. L1 against L2, measured** (experiment). Train two fresh EDSR-baseline ×4 models for the same number of
# steps on `train_ds`, one compiled with `loss="mean_absolute_error"`, the other with `"mean_squared_error"`
# (use `eh.training.make_optimizer(profile)` for both), and store them in `runs`. Score both on the validation
# photos (`eh.training.evaluate`) and set `better` to the loss whose model scored higher. The checker re-scores
# your two models itself. Try 10 steps, then 300: does the answer change?

# %%
runs = {}  # {"mean_absolute_error": model_l1, "mean_squared_error": model_l2}
better = None  # the loss whose model scores higher
course.exercises.check_loss_experiment(runs, better)

# %% [markdown]
# **5. Is the warm-up worth it?** (experiment). The schedule above ramps the rate up over its first steps. Test
# that choice: train two fresh EDSR-baseline ×4 models for the same number of steps on `train_ds`, with Adam at
# the same peak rate `profile.learning_rate`, one warming up over 200 steps and one not:
# `keras.optimizers.Adam(eh.training.WarmupHalving(profile.learning_rate, halving_steps=1000, warmup_steps=200))`,
# and the same with `warmup_steps=0`. Store them in `runs` under `"warm-up"` and `"none"` and set `better` to the
# run whose model scores higher. Try 300 steps; then repeat with a peak four times larger. When does the warm-up
# matter?

# %%
runs = {}  # {"warm-up": model_with_warmup, "none": model_without}
better = None  # "warm-up" or "none"
course.exercises.check_warmup_experiment(runs, better)
