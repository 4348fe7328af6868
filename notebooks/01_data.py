# %% [markdown]
# # 01 · Data: DIV2K pairs, the ×4 degradation and aligned augmentation
#
# [![Open-in-Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/edsr-course/edsr-notebooks/blob/main/notebooks/01_data.ipynb)
#
# This series trains **EDSR** (Lim et al., 2017, *Enhanced Deep Residual Networks for Single Image
# Super-Resolution*) with Keras 3 (TensorFlow by default; JAX and PyTorch too): from scratch on a GPU, from trained
# ×2 weights on a laptop. It learns from pairs:
# a low-resolution image (**LR**) and the high-resolution original (**HR**) it was made from.
#
# In this notebook you will:
#
# 1. load LR/HR pairs of **DIV2K** with tensorflow-datasets (or real offline photos when there is no download)
# 2. make the ×4 bicubic degradation yourself and see what it destroys;
# 3. cut aligned training patches and augment them with rotations and flips;
# 4. check, with a number, that LR and HR stay aligned through all of it;
# 5. build the input pipeline that feeds training, and measure its speed.
#
# The data pieces are written here, in cells you read and run, and the rest of this notebook runs that code.
# Later notebooks use the same code through the helper package `edsr_helpers` (imported as `eh`), which also
# holds what you need not read, such as downloads and plots.

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

# %% [markdown]
# Every notebook starts the same way: fix the random seeds and print the **profile**, which decides how big
# the work is: `cpu` for a laptop, `gpu` for a class-sized run on a Colab GPU, `paper` for the paper's 300,000-step
# recipe (hours on a Colab GPU; only when asked for by name).

# %% tags=["nbval-ignore-output"]
import numpy as np

import edsr_helpers as eh
from edsr_helpers import course

profile = course.setup()

# %% [markdown]
# ## DIV2K and the bicubic ×4 task
#
# DIV2K is the dataset EDSR was trained on: 800 training and 100 validation photos of about 2040×1356 pixels,
# varied scenes, no compression artefacts. For the *bicubic* track, each LR image was made from its HR image by
# MATLAB's `imresize` (bicubic, antialiased) at ×2, ×3 or ×4.
#
# Even with the degradation known, the task stays ill-posed: many HR images shrink to the same LR one, and the
# network must choose a plausible one. A known, clean degradation gives it one thing to undo, and makes every
# paper's numbers comparable. At ×4 each LR pixel must become 16 HR pixels, the hardest of the three
# standard scales, and the one this series trains.
#
# `eh.data.load_div2k(scale=4, split="train")` returns DIV2K through tensorflow-datasets once it is on disk.
# Getting it there is a **4.3 GB download** at ×4, so nothing starts it by itself: only this cell with
# `DOWNLOAD_DIV2K = True`, or the `paper` profile (at 30 MB/s, about 2.5 minutes of downloading, then a few of
# preparation). On Colab it lands in your Drive folder, once for every notebook.

# %%
DOWNLOAD_DIV2K = profile.name == "paper"  # True: download and prepare DIV2K now (4.3 GB at x4)
if DOWNLOAD_DIV2K:
    eh.data.download_div2k(profile.scale)

# %% [markdown]
# Without DIV2K, `eh.data.load_sample` builds the same kind of pairs from real photographs that pip packages
# ship; the `cpu` and `gpu` profiles use DIV2K when it is already on disk and these photos otherwise. `load_pairs`
# picks by profile:

# %%
train_pairs = eh.data.load_pairs(profile, "train")
val_pairs = eh.data.load_pairs(profile, "validation")
lr, hr = eh.data.first_pairs(train_pairs, 1)[0]
print(f"LR {lr.shape} {lr.dtype}, HR {hr.shape} {hr.dtype}")

# %% [markdown]
# Both loaders yield the same thing: `(lr, hr)` pairs of `uint8` RGB images of any size, HR exactly four times
# LR. The offline photos are few and small, so they come as a Python list of numpy arrays; DIV2K is 800 2K
# photos, so tfds streams it from disk as a `tf.data.Dataset`. Everything downstream works on either
# (`first_pairs` reads the first few of both kinds). The offline set is split by photo: training photos teach,
# validation photos choose (a checkpoint, a setting), and test photos, used for nothing else, report the result.
# No validation or test photo is ever seen in training:

# %%
print("train:     ", ", ".join(eh.samples.photo_names("train")))
print("validation:", ", ".join(eh.samples.photo_names("validation")))
print("test:      ", ", ".join(eh.samples.photo_names("test")))

# %% [markdown]
# Let's look at a few training pairs. Both images are drawn at the same size on screen, so the LR image shows
# its pixels: it has 1/16 of the HR image's pixels.

# %%
some_pairs = eh.data.first_pairs(train_pairs, 3)
course.plotting.show_pairs(some_pairs)

# %% [markdown]
# ## Making the degradation yourself
#
# A pair is made in two steps, as DIV2K's were: crop the HR photo so both sides divide by the scale, then shrink
# it with an antialiased bicubic filter. PIL's bicubic widens its kernel when it shrinks (antialiasing), as
# MATLAB's `imresize` did when DIV2K was made; both use the Keys cubic with a = −0.5. The whole degradation is
# one PIL call:

# %%
#| export pairs
import keras
import numpy as np
from PIL import Image


def downscale(hr: np.ndarray, scale: int) -> np.ndarray:
    """The LR image of a uint8 RGB ``hr``, made nearly as DIV2K's ``bicubic_xN`` was: antialiased bicubic."""
    height, width = hr.shape[:2]
    if height % scale or width % scale:
        raise ValueError(
            f"HR of {width}×{height} pixels is not a multiple of the scale {scale}; "
            "crop it first with edsr_helpers.images.crop_to_multiple(hr, scale)."
        )
    return np.asarray(Image.fromarray(hr).resize((width // scale, height // scale), Image.BICUBIC))


# %% [markdown]
# Here it is on the monarch photo, cropped first so that both sides divide by 4 (`eh.data.make_pair` does the
# same for any photo, after converting greyscale, RGBA or 16-bit photos to 8-bit RGB). Sizes are written
# width×height, as photo viewers write them; a numpy `.shape`, as printed above, reads (height, width, channels):

# %%
hr = eh.images.crop_to_multiple(eh.images.to_rgb_uint8(eh.samples.load_photo("monarch")), 4)
lr = downscale(hr, 4)
bicubic = eh.images.upscale_bicubic(lr, 4)
print(f"HR {course.plotting.size_label(hr)} -> LR {course.plotting.size_label(lr)}")
bicubic_psnr = eh.metrics.psnr(hr, bicubic, shave=4, y_only=True)
print(f"bicubic upscaling back to HR size: PSNR {bicubic_psnr:.2f} dB (Y channel, border of 4 px shaved)")

# %% [markdown]
# PSNR (peak signal-to-noise ratio) measures how close an image is to the original, in decibels: higher is
# better. Papers compute it on the brightness (Y) channel with a border of `scale` pixels left out; notebook 03
# explains the border, and notebook 04 measures what each choice does to the number.
#
# Zoom in on a wing: bicubic upscaling brings the size back, not the detail. The gap between the middle and
# the right panel is what EDSR learns to close.

# %%
top, left, side = 40, 90, 32  # an LR region; the HR region is 4x larger
zoom = (slice(top * 4, (top + side) * 4), slice(left * 4, (left + side) * 4))
course.plotting.show_grid(
    [lr[top : top + side, left : left + side], bicubic[zoom], hr[zoom]],
    ["LR (32×32 pixels)", "bicubic ×4", "HR (original)"],
    size=3.5,
)

# %% [markdown]
# ## Training patches, cut in register
#
# EDSR does not train on whole photos: it trains on small random patches (the paper uses 48×48 LR patches, so
# 192×192 HR patches at ×4; the `cpu` profile cuts 24×24, a quarter of the pixels, to keep a laptop's steps
# short), many per step. The crop must be *aligned*: the HR patch starts at the LR offset
# times the scale, so every LR pixel sits over the 4×4 block of HR pixels it came from.


# %%
#| export pairs
def crop_pair(lr, hr, top: int, left: int, *, scale: int, lr_patch_size: int):
    """The LR patch at ``(top, left)`` and the HR patch exactly above it (offset and size times ``scale``)."""
    hr_patch_size = lr_patch_size * scale
    lr_patch = lr[top : top + lr_patch_size, left : left + lr_patch_size]
    hr_patch = hr[top * scale : top * scale + hr_patch_size, left * scale : left * scale + hr_patch_size]
    return lr_patch, hr_patch


def random_crop_pair(lr, hr, seed, *, scale: int, lr_patch_size: int):
    """The same random region of both images; the offset comes from ``seed`` alone (same seed, same patch)."""
    rng = np.random.default_rng(seed)
    top = int(rng.integers(0, lr.shape[0] - lr_patch_size + 1))
    left = int(rng.integers(0, lr.shape[1] - lr_patch_size + 1))
    return crop_pair(lr, hr, top, left, scale=scale, lr_patch_size=lr_patch_size)


# %% [markdown]
# The randomness comes from a seed alone (`np.random.default_rng(seed)`): the same seed gives the same patch,
# every run, on every machine and engine. Here is one crop of this profile's patch size:

# %%
lr_patch, hr_patch = random_crop_pair(lr, hr, seed=7, scale=4, lr_patch_size=profile.recipe.lr_patch_size)
print("LR patch", lr_patch.shape, " HR patch", hr_patch.shape)
course.plotting.show_grid([lr_patch, hr_patch], ["LR patch", "HR patch"])

# %% [markdown]
# ## Rotations and flips
#
# A photo turned by 90° or mirrored is still a valid photo, so each patch is shown to the network in one of
# the 8 symmetries of a square: 4 rotations, each with or without a left-right flip. That makes 8 versions of
# every patch for free (exercise 5 asks how many different patches the stream really holds). The
# [keras-io EDSR example](https://keras.io/examples/vision/edsr/), where this series started and whose measured
# bugs it corrects along the way, calls `ops.flip` without an
# axis, which flips height, width *and the colour channels*, turning RGB into BGR; `np.flip(image, axis=1)`
# reverses the width axis only (exercise 4 asks whether the alignment check below would notice).
#
# `random_patch` chains the two, crop then rotation/flip, each from its own part of one seed. It is the only
# definition of the augmentation in the series: every training pipeline below calls it.


# %%
#| export pairs
def transform_pair(lr, hr, quarter_turns: int, flip: bool):
    """Turn both images by ``quarter_turns`` x 90 degrees, then mirror them left-right if ``flip``.

    The flip reverses the width axis only (``axis=1``): colours stay RGB.
    """
    lr, hr = np.rot90(lr, quarter_turns), np.rot90(hr, quarter_turns)
    if flip:
        lr, hr = np.flip(lr, axis=1), np.flip(hr, axis=1)
    return np.ascontiguousarray(lr), np.ascontiguousarray(hr)


def random_transform_pair(lr, hr, seed):
    """One of the 8 rotations/flips, chosen uniformly from ``seed``."""
    rng = np.random.default_rng(seed)
    return transform_pair(lr, hr, int(rng.integers(0, 4)), bool(rng.integers(0, 2)))


def random_patch(lr, hr, seed, *, scale: int, lr_patch_size: int):
    """One training example: an aligned random crop, then a random rotation/flip. The one augmentation."""
    crop_seed, transform_seed = np.random.SeedSequence(seed).spawn(2)
    lr_patch, hr_patch = random_crop_pair(lr, hr, crop_seed, scale=scale, lr_patch_size=lr_patch_size)
    return random_transform_pair(lr_patch, hr_patch, transform_seed)


# %%
# the 4 turns without a flip, then the same 4 with one
variants = [
    (name, *transform_pair(lr_patch, hr_patch, index % 4, index >= 4))
    for index, name in enumerate(eh.data.TRANSFORM_NAMES)
]
course.plotting.show_grid([v[2] for v in variants], [v[0] for v in variants], columns=4, size=2.4)

# %% [markdown]
# ## Do LR and HR stay aligned?
#
# If an augmentation moved the LR patch relative to the HR patch, the network would be asked to produce
# something the input does not determine, and it would learn to blur. So check it with a number: shrink each
# augmented HR patch with the same bicubic filter and compare it with the augmented LR patch. Aligned pairs
# agree up to rounding (the outermost 2 LR pixels are left out, because shrinking a patch alone cannot see the
# pixels beyond its edge). As a contrast, the last row shifts the LR patch by one pixel.

# %%
alignment = {name: eh.data.alignment_psnr(lr_t, hr_t, scale=4) for name, lr_t, hr_t in variants}
shifted = np.roll(lr_patch, shift=1, axis=1)
alignment["shifted 1 px"] = eh.data.alignment_psnr(shifted, hr_patch, scale=4)
for name, score in alignment.items():
    print(f"{name:<14} {score:6.1f} dB")

# %% [markdown]
# All 8 symmetries stay above 35 dB, far above the one-pixel shift in the last row (`inf` means every pixel is
# identical; quarter turns land at ~56 dB because PIL's filter rounds between its horizontal and vertical pass,
# and a quarter turn swaps the two). Seen as images, amplified ×10, the difference is largest in the outermost
# pixels, which the check leaves out; the line above the figure gives the largest difference in grey levels, in
# the whole patch and inside those pixels:

# %%
name, lr_t, hr_t = variants[5]
remade = downscale(hr_t, 4)
difference = abs(lr_t.astype(int) - remade.astype(int))
print(f"largest difference: {difference.max()} in the whole patch, {difference[2:-2, 2:-2].max()} inside its border")
course.plotting.show_grid(
    [lr_t, remade, (difference * 10).clip(0, 255).astype("uint8")],
    [f"LR ({name})", "HR shrunk ×4", f"|difference| × 10 (inside: max {difference[2:-2, 2:-2].max()})"],
)

# %% [markdown]
# One patch proves little. Training uses `random_patch`, a random crop and a random symmetry, so check that on
# 8 patches of each training photo (the first 12 of them on DIV2K):

# %%
patch_scores = [
    eh.data.alignment_psnr(
        *random_patch(photo_lr, photo_hr, seed, scale=profile.scale, lr_patch_size=profile.recipe.lr_patch_size),
        scale=profile.scale,
    )
    for photo_lr, photo_hr in eh.data.first_pairs(train_pairs, 12)
    for seed in range(8)
]
print(f"{len(patch_scores)} random training patches: lowest alignment PSNR {min(patch_scores):.1f} dB")

# %% [markdown]
# ## The input pipeline
#
# `model.fit` wants batches. For photos held in memory (the offline set, your own photos) a
# `keras.utils.PyDataset` makes them: Keras asks for batch `i`, and `PatchBatches` draws, from the seed
# `(seed, start + i)` alone, a photo and a seed for each patch, then calls `random_patch`. So batch `i` is the same
# on every run, and a run that resumes after `n` steps can go on with `start=n` instead of replaying the stream.
# It is plain numpy: it feeds Keras on TensorFlow, JAX or PyTorch alike, and on TensorFlow Keras prefetches the
# next batch while the model trains.
#
# Which photo? With `sampling="uniform"` each is chosen equally often; with `"area"` in proportion to its size,
# so every *pixel* is equally likely and a 4-megapixel photo is drawn more often than a thumbnail, in proportion
# to its pixels.


# %%
#| export pairs
class PatchBatches(keras.utils.PyDataset):
    """Endless batches of augmented patches from pairs in memory; batch ``i`` is a pure function of the seed
    and ``start + i``. Pass ``steps_per_epoch`` to ``fit``: the stream has no end."""

    def __init__(self, pairs, *, scale, lr_patch_size, batch_size, seed=42, sampling="uniform", start=0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.lr_patch_size, self.batch_size = scale, lr_patch_size, batch_size
        self.seed, self.start = seed, int(start)
        self.pairs = [(np.asarray(lr), np.asarray(hr)) for lr, hr in pairs]
        areas = np.array([lr.shape[0] * lr.shape[1] for lr, _ in self.pairs], np.float64)
        self.weights = areas / areas.sum() if sampling == "area" else None  # None: uniform

    @property
    def num_batches(self):
        return None  # endless

    def __getitem__(self, index):
        rng = np.random.default_rng((self.seed, self.start + int(index)))
        images = rng.choice(len(self.pairs), size=self.batch_size, p=self.weights)
        seeds = rng.integers(0, 2**63, size=self.batch_size)
        patches = [self.patch(*self.pairs[image], int(seed)) for image, seed in zip(images, seeds, strict=True)]
        return np.stack([lr for lr, _ in patches]), np.stack([hr for _, hr in patches])

    def patch(self, lr, hr, seed):
        """One training example; notebook 05 makes it another way, with a degraded LR."""
        return random_patch(lr, hr, seed, scale=self.scale, lr_patch_size=self.lr_patch_size)


# %% [markdown]
# DIV2K does not fit comfortably in a laptop's or Colab's memory (~7 GB decoded), so it streams from disk through a
# `tf.data` pipeline instead: it decodes one image at a time, cuts several patches from it with the same
# `random_patch` (so each decoded image serves several patches), shuffles patches of different images together,
# batches and prefetches. The keras-io example's `cache()` keeps all of DIV2K decoded in memory instead.
# `eh.data.make_train_dataset_for` builds the streaming one from a profile and checks every pair first (sizes that do
# not match the scale stop with a clear error; images smaller than a patch are skipped with a warning).

# %% tags=["nbval-ignore-output"]
if isinstance(train_pairs, list):  # photos in memory: the class above
    train_ds = PatchBatches(
        train_pairs,
        scale=profile.scale,
        lr_patch_size=profile.recipe.lr_patch_size,
        batch_size=profile.recipe.batch_size,
    )
else:  # DIV2K, streamed from disk
    train_ds = eh.data.make_train_dataset_for(profile, train_pairs)
lr_batch, hr_batch = (np.asarray(batch) for batch in next(iter(train_ds)))
print(type(train_ds).__name__, "| LR batch", lr_batch.shape, lr_batch.dtype, "  HR batch", hr_batch.shape)

# %%
course.plotting.show_grid(list(hr_batch[:8]), columns=8, size=1.6)

# %% [markdown]
# How fast is it? One training step of 16 patches of this size takes at least 0.1 s on a laptop-class CPU
# (notebook 03 measures yours), so training consumes at most ~160 patches per second there. The pipeline must
# deliver more than that (the number varies from run to run and machine to machine):

# %% tags=["nbval-ignore-output"]
rate = eh.data.measure_throughput(train_ds, batches=40)
print(f"{rate:,.0f} patches/s delivered, {rate / 160:.1f}x the ~160 patches/s that training consumes at most")

# %% [markdown]
# ## When the input is wrong
#
# A pipeline that silently trains on misaligned data wastes hours. Pairs whose sizes do not match the scale
# stop with a message that says what is wrong; here an HR image cut 3 pixels too narrow:

# %%
bad_pairs = [(lr, hr[:, :-3])]
try:
    eh.data.make_train_dataset(bad_pairs, scale=4, lr_patch_size=24, batch_size=1)
except ValueError as error:
    print(error)

# %% [markdown]
# ## Summary
#
# - DIV2K pairs come through tensorflow-datasets; offline, real photos from pip packages stand in, the same kind
#   of pairs made with nearly DIV2K's degradation: the antialiased bicubic written above as one PIL call.
# - Training patches are cut in register (HR offset = LR offset × scale) and augmented with the 8 symmetries of a
#   square. A number checks the alignment: shrink the HR patch and compare it with the LR patch.
# - One numpy augmentation, `random_patch`, feeds two pipelines: a `PyDataset` for photos in memory (any Keras
#   engine) and a streaming `tf.data` pipeline for DIV2K.
#
# This run's numbers:

# %% tags=["nbval-ignore-output"]
from IPython.display import Markdown, display

symmetries = min(score for name, score in alignment.items() if name != "shifted 1 px")
display(
    Markdown(
        f"- Bicubic ×4 on monarch: {bicubic_psnr:.2f} dB (Y channel, border of 4 px shaved), the score EDSR must "
        "beat.\n"
        f"- Alignment (RGB, border of 2 LR px): the 8 symmetries of one patch {symmetries:.1f} dB or more, the same "
        f"patch shifted by one LR pixel {alignment['shifted 1 px']:.1f} dB; {len(patch_scores)} random training "
        f"patches {min(patch_scores):.1f} dB or more.\n"
        f"- Pipeline: `{type(train_ds).__name__}` delivered {rate:,.0f} patches/s, {rate / 160:.1f}× the ~160 "
        "patches/s that training consumes at most."
    )
)

# %% [markdown]
# After the exercises, **02 · Model**: residual blocks without batch norm, the pixel-shuffle upsampler, and EDSR
# itself.

# %% [markdown]
# ## Exercises
#
# Each exercise ends with a checker that answers ✅ or ❌ with a hint (never with the answer). Replace the
# `None` or the `raise NotImplementedError` with your answer and run the cell; where a question asks *why*, write
# your answer in the cell below it. Write each guess before you measure: the checker records it and tells you how
# it did, it never counts against you. Exercises 1 to 4 use monarch, a validation photo, made into pairs by
# `eh.data.make_pair` (the crop to a multiple of the scale and the `downscale` above, in one call); each question
# says how its checker measures.
#
# **1. A smaller shift** (guess, then measure). Above, shifting one patch's LR by one pixel dropped its alignment
# PSNR from `inf` (or 56 dB) to the mid-20s. Here the whole monarch pair moves, and the cell prints its two ends:
# aligned, and off by one whole LR pixel (the HR image rolled 4 pixels to the right). Shift the *HR* image by one
# pixel instead (`np.roll(hr, 1, axis=1)`): at ×4 that is a quarter of an LR pixel. **Guess first**: nearer the
# whole pixel's score or the aligned pair's? Record your guess in dB, then measure it with
# `eh.data.alignment_psnr(lr, shifted_hr, 4)`, which compares the RGB images and leaves out a border of 2 LR
# pixels (nothing random is involved).

# %%
lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
for label, moved in {"aligned": hr, "off by 1 LR pixel": np.roll(hr, 4, axis=1)}.items():
    print(f"{label:<18} {eh.data.alignment_psnr(lr, moved, 4):5.1f} dB")
guess = None  # your guess in dB, written before you measure
shifted_psnr = None  # your measurement
course.exercises.check_hr_shift(guess, shifted_psnr)

# %% [markdown]
# *Your answer*: what does your measurement say about how exactly a training pair must be aligned, and why does a
# fraction of a pixel matter so much to PSNR?

# %% [markdown]
# **2. A camera's degradation** (write code, guess, then measure). DIV2K shrinks its photos with antialiased
# bicubic; a camera sensor instead averages the light over each pixel's area. Write `downscale_area(hr, scale)`
# that returns the image whose every pixel is the mean of a `scale × scale` block of `hr`, with one `reshape` and
# one `mean` (no loop; crop `hr` to a multiple of `scale` first; return floats, unrounded). The checker tries it at
# ×4 and ×3. **Guess first**: how close will the area LR image of monarch be to its bicubic LR image `lr`, closer
# or farther than exercise 1's quarter-pixel shift? Record your guess in dB, then measure
# `eh.metrics.psnr(lr, downscale_area(hr, 4), shave=2)` on the pair of exercise 1: RGB, with a border of 2 LR
# pixels left out, as the alignment check does.


# %%
def downscale_area(hr, scale):
    raise NotImplementedError  # your code: an (H/scale, W/scale, 3) image of floats


guess = None  # your guess in dB, written before you measure
area_psnr = None  # your measurement
course.exercises.check_area_downscale(guess, downscale_area, area_psnr)

# %% [markdown]
# *Your answer*: would a model trained on bicubic pairs be ready for LR images made this way? (Notebook 04
# measures it on the shipped model.)

# %% [markdown]
# **3. A crop that drifts** (debug). `crop_around_centre` below cuts the LR patch whose top-left pixel is at
# `(top, left)` and the HR patch above it, both around the LR patch's centre pixel. The cell runs the alignment
# check (RGB, border of 2 LR pixels) on its crops of monarch at ×2, ×3 and ×4, for patches of 24 and of 25 LR
# pixels. Read the numbers, find why some of its crops misalign LR and HR, and write `crop`, a fixed copy with the
# same arguments. The checker tries ×2, ×3 and ×4, even and odd sizes, and corners at the image's edges.


# %%
def crop_around_centre(lr, hr, top, left, size, scale):
    """The size x size LR patch whose top-left pixel is (top, left), and the HR patch above it, both cut around
    the LR patch's centre pixel."""
    half = size // 2
    centre_y, centre_x = top + half, left + half  # the LR patch's centre pixel
    lr_patch = lr[centre_y - half : centre_y - half + size, centre_x - half : centre_x - half + size]
    hr_size, hr_half = size * scale, size * scale // 2
    hr_y, hr_x = centre_y * scale, centre_x * scale  # the same centre in HR pixels
    hr_patch = hr[hr_y - hr_half : hr_y - hr_half + hr_size, hr_x - hr_half : hr_x - hr_half + hr_size]
    return lr_patch, hr_patch


monarch = eh.samples.load_photo("monarch")
for scale in (2, 3, 4):
    pair = eh.data.make_pair(monarch, scale=scale)
    drift = [eh.data.alignment_psnr(*crop_around_centre(*pair, 40, 90, size, scale), scale) for size in (24, 25)]
    print(f"x{scale}: 24 px {drift[0]:5.1f} dB   25 px {drift[1]:5.1f} dB")


# %%
def crop(lr, hr, top, left, size, scale):
    raise NotImplementedError  # your fixed copy of crop_around_centre: return (lr_patch, hr_patch)


course.exercises.check_crop_pair(crop)

# %% [markdown]
# *Your answer*: why are the 24-pixel crops aligned and the 25-pixel ones not, and why does the drift depend on
# the scale?

# %% [markdown]
# **4. A check that cannot see colours** (guess, measure, then design). The keras-io example flips with
# `ops.flip(x)` without an axis, which reverses the height, the width *and* the colour channels. **Guess first**:
# would the alignment check catch that mistake, made to both the LR and the HR patch? Record `True` or `False`,
# then measure `eh.data.alignment_psnr(np.flip(lr_crop), np.flip(hr_crop), 4)` (RGB, border of 2 LR pixels) on
# the aligned crop the cell cuts. Then design a check that does catch it: `keeps_colours(patch, augmented)`
# returns `True` when `augmented` is one of the 8 rotations/flips of `patch` that `transform_pair` makes, and
# `False` when its colour channels were reordered, with or without a rotation. The checker tries three colourful
# 96×96 patches of monarch's HR image.


# %%
lr_crop, hr_crop = crop_pair(lr, hr, 40, 90, scale=4, lr_patch_size=24)
guess = None  # True if you think the alignment check catches the flip, written before you measure
flipped_psnr = None  # your measurement


def keeps_colours(patch, augmented):
    raise NotImplementedError  # your code: True or False


course.exercises.check_colour_check(guess, flipped_psnr, keeps_colours)

# %% [markdown]
# *Your answer*: why is the alignment check blind to this mistake, and what does your check compare that it does
# not?

# %% [markdown]
# **5. How often does a patch come back?** (guess, then measure). The `cpu` profile trains on 1,200 batches of 16
# patches. Drawn from the 6 small offline training photos, how many of those 19,200 LR patches are exact repeats
# of one drawn before? **Guess first**, then measure: build
# `PatchBatches(eh.data.load_sample(scale=4, split="train"), scale=4, lr_patch_size=24, batch_size=16, seed=42)`
# (uniform sampling, seed 42, always the 6 offline photos whatever the profile loaded), take batches 0 to 1,199, and
# count the LR patches whose bytes (`patch.tobytes()`) are already in a set of those seen before.

# %%
guess = None  # your guess, a number of patches, written before you measure
repeats = None  # your measurement
course.exercises.check_patch_repeats(guess, repeats)

# %% [markdown]
# *Your answer*: do your numbers make these 6 photos worth 19,200 different examples? What does a new patch add
# that its neighbours do not?
