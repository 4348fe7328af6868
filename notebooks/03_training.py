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
# keeps them on the VM). On your own machine the first does nothing: `make setup` already installed the package.

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
# `PSNR(super_resolution, high_resolution)`, but Keras calls a metric as `(y_true, y_pred)`: the uint8 target
# lands in `super_resolution`, the float prediction in `high_resolution`. `tf.image.psnr` converts only the uint8
# one to [0, 1], so the example computes `10·log10(255² / mean((SR − HR/255)²))`, which sits at 6–9 dB whatever
# the model does (and it keeps only each batch's first image). Swapping the two arguments does not fix it:
# `tf.image.psnr` scales `max_val` by the dtype of its *first* image, so with the uint8 target first the peak
# becomes 1 while the prediction stays on 0–255. The bug is the mix of scales, not the order. Here it is on
# bicubic, called as Keras calls it, both ways round:

# %%
lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
bicubic = eh.images.upscale_bicubic(lr, 4)
prediction = bicubic.astype("float32")  # a model's output is float
print(f"keras-io's way:                  {course.lessons.keras_io_psnr(hr, prediction):6.2f} dB")
print(f"  the same by hand:               {10 * np.log10(255**2 / np.mean((bicubic - hr / 255) ** 2)):6.2f} dB")
print(f"  arguments swapped:             {course.lessons.keras_io_psnr(hr, prediction, swapped=True):6.2f} dB")
print(f"RGB, 0-255 on both sides:        {eh.metrics.psnr(hr, bicubic):6.2f} dB")
print(f"Y channel, 4-pixel border shaved: {eh.metrics.psnr(hr, bicubic, shave=4, y_only=True):6.2f} dB  (papers)")

# %% [markdown]
# Papers report the last number: PSNR on the brightness channel Y (as MATLAB's `rgb2ycbcr`), with a border
# of `scale` pixels left out, since no method can know what lies beyond the edge. Every Y-PSNR in the series
# comes from this definition (an RGB number says so):

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
# the model is built. On a CPU it then times EDSR's step with and without **XLA** (which compiles the whole step
# into one program) and keeps the faster for `model.compile` below
# ([measurements](https://github.com/edsr-course/edsr-notebooks/blob/main/docs/precision_and_engines.md)).

# %% tags=["nbval-ignore-output"]
import keras

precision = eh.training.choose_precision(verbose=True)
keras.config.set_dtype_policy(precision)
print("precision policy:", precision)

# %% [markdown]
# ## Which engine runs Keras?
#
# The same code runs on TensorFlow (the default; DIV2K through tensorflow-datasets needs it), JAX and PyTorch;
# only `eh.backend` knows them apart. **JAX is the fast path on a GPU**: set
# `os.environ["KERAS_BACKEND"] = "jax"` before the first `import keras`, then restart the kernel
# ([measurements](https://github.com/edsr-course/edsr-notebooks/blob/main/docs/precision_and_engines.md)).

# %% tags=["nbval-ignore-output"]
print(f"engine: {eh.backend.name()}, running on {'a GPU' if eh.backend.has_gpu() else 'the CPU'}")

# %% [markdown]
# ## The schedule
#
# The paper starts at 1e-4 and halves the rate every 200k steps, for 300k steps. A short run can afford a larger
# rate if it ramps up gently, since an untrained model's first gradients are its largest (exercise 5 tests
# whether that pays). One Keras `LearningRateSchedule` does both:


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
# calls L1 `"mean_absolute_error"`; `model.compile` below takes these two.

# %%
#| export objective
#: L1: the mean absolute error over every pixel and colour (Keras's name for it).
LOSS = "mean_absolute_error"


def edsr_optimizer(learning_rate) -> keras.optimizers.Optimizer:
    """Adam as the paper sets it: beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-8; the rate may be a schedule."""
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8)


# %% [markdown]
# The profile's recipe sets the schedule's numbers:

# %%
recipe = profile.recipe
schedule = WarmupHalving(recipe.learning_rate, recipe.lr_halving_steps, recipe.warmup_steps)
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
# The model meets its loss, its optimizer and the two PSNRs it logs: RGB on the training patches, Y with the
# border shaved on the validation photos. With several GPUs, `strategy` spreads each batch over them (on one
# device it changes nothing).
#
# **A head start.** The paper does not train its ×4 model from nothing: it starts from its trained ×2 network,
# because the residual body's features do not depend on the scale, and ×4 then converges much faster (Lim et
# al. 2017, Fig. 4). On a CPU, where a lab affords a few hundred steps, the `cpu` recipe does the same from the
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
# - `TimeBudget` ends the run after the epoch that would pass the profile's `training_minutes` (20 on `cpu` and
#   `gpu`), so a slow laptop trains fewer epochs within a lab and says so;
# - `LivePlot` redraws the curves, bicubic dashed.

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
# nothing has seen: three grey photographs (Y-PSNR measures brightness, all they have). First validation,
# bicubic beside (on DIV2K with the published EDSR-baseline figure as the last row). Each photo is upscaled
# whole and scored as papers do, with the `psnr` written above and SSIM:


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
rows = evaluate(model, val_pairs, profile.scale, names=names)
eh.presentation.tables.show_evaluation(rows, published_scale=profile.scale if on_div2k else None)

# %% [markdown]
# Then the test photos, the number to report:

# %% tags=["nbval-ignore-output"]
test_pairs = eh.data.load_pairs(profile, "test", verbose=False)
rows = evaluate(model, test_pairs, profile.scale, names=eh.samples.photo_names("test"))
eh.presentation.tables.show_evaluation(rows)

# %% [markdown]
# **Why is the log's training PSNR above the validation PSNR?** Mostly not over-fitting: they are measured on
# different pictures, and a flat sky scores far higher than a striped shirt. The *gain over bicubic* separates the
# two: content moves both PSNRs alike, while over-fitting would show as a larger gain on training photos.

# %% tags=["nbval-ignore-output"]
train_sample = eh.data.first_pairs(eh.data.load_pairs(profile, "train", verbose=False), 3)
for label, pairs in (("3 training photos", train_sample), ("validation photos", val_pairs)):
    mean = evaluate(model, pairs, profile.scale)[-1]
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
# With a GPU the `gpu` profile is chosen: 48×48 LR patches, batch 16, Adam at a constant 2e-4, 7,000 steps. On
# an NVIDIA H200 with Keras on JAX that took 48 s and beat bicubic by **+1.37 dB**; a T4 has 1/15 of its 16-bit
# peak, hence **about 12 minutes** (an estimate). On Colab the run folder lives in your Drive, so a
# disconnected run resumes.
#
# **The paper's recipe** (`%env EDSR_PROFILE=paper`): DIV2K, a 4.3 GB download, and 300k steps, about 27 minutes
# on the H200 at its steady 5.4 ms per step (the 48 s above include compiling and validation) and 7 hours on a
# T4. The official code reports 28.95 dB for EDSR-baseline ×4 and 29.25 dB for full
# EDSR on DIV2K validation (RGB; a border of scale + 2 pixels left out by its README, scale + 6 by its code). The
# paper starts ×3 and ×4 from the trained ×2 (its Fig. 4), as the shipped weights do.

# %% [markdown]
# ## Summary
#
# - L1 loss; PSNR on 0–255 for every image, reported the papers' way (Y, shaved border).
# - Adam with a warm-up and halving (the `gpu` profile: a constant rate); the precision and XLA measured for the
#   machine.
# - Plain `model.fit` with callbacks: live curves, best checkpoint, resumable runs.
# - Validation photos choose the checkpoint, test photos report it.
#
# Next, **04 · Inference**: whole photos, EDSR+, and the crop-and-compare widget.

# %% [markdown]
# ## Exercises
#
# Each exercise ends with a checker that answers ✅ or ❌ with a hint (never with the answer). Replace the
# `None` or the `raise NotImplementedError` with your code and run the cell; if the hint is not enough, ask your
# instructor.
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
# yourself with `WarmupHalving(5e-4, 1000, 200)(step)`.

# %%
cpu_step = None
paper_step = None
course.exercises.check_halvings(cpu_step, paper_step)

# %% [markdown]
# **4. L1 against L2, measured** (experiment). Train two fresh EDSR-baseline ×4 models for the same number of
# steps on `train_ds`, one compiled with `loss="mean_absolute_error"`, the other with `"mean_squared_error"`
# (use `edsr_optimizer(schedule)` for both), and store them in `runs`. Score both on the validation
# photos (`evaluate` above) and set `better` to the loss whose model scored higher. The checker re-scores
# your two models itself. Try 10 steps, then 300: does the answer change?

# %%
runs = {}  # {"mean_absolute_error": model_l1, "mean_squared_error": model_l2}
better = None  # the loss whose model scores higher
course.exercises.check_loss_experiment(runs, better)

# %% [markdown]
# **5. Is the warm-up worth it?** (experiment). The schedule above ramps the rate up over its first steps. Test
# that choice: train two fresh EDSR-baseline ×4 models for the same number of steps on `train_ds`, with Adam at
# the same peak rate `recipe.learning_rate`, one warming up over 200 steps and one not:
# `keras.optimizers.Adam(WarmupHalving(recipe.learning_rate, halving_steps=1000, warmup_steps=200))`,
# and the same with `warmup_steps=0`. Store them in `runs` under `"warm-up"` and `"none"` and set `better` to the
# run whose model scores higher. Try 300 steps; then repeat with a peak four times larger. When does the warm-up
# matter?

# %%
runs = {}  # {"warm-up": model_with_warmup, "none": model_without}
better = None  # "warm-up" or "none"
course.exercises.check_warmup_experiment(runs, better)
