# %% [markdown]
# # 04 · Inference: whole photos, EDSR+ and the crop-and-compare widget
#
# [![Open-in-Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/edsr-course/edsr-notebooks/blob/main/notebooks/04_inference_widgets.ipynb)
#
# A trained EDSR, put to work. In this notebook you will:
#
# 1. load the model notebook 03 trained, or else the pretrained weights that ship with the package;
# 2. upscale a whole photo of any size in bounded memory, by tiles that leave no seams;
# 3. squeeze out a little more quality with EDSR+, the geometric self-ensemble;
# 4. explore any region of any photo, including your own, with an interactive widget.

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
# ## The model
#
# Notebook 03 saves its model as `runs/<profile>/edsr.keras`. When there is none, or the profile trains fewer than
# 100 steps (too few to show anything), the EDSR-baseline ×4 weights shipped inside the package are used: trained
# for this series on offline photos and Debian wallpaper photographs, not on DIV2K (see
# `edsr_helpers/models/edsr/weights/MODEL_CARD.md`). The cell says which one it loaded.

# %% tags=["nbval-ignore-output"]
model, source = eh.inference.load_model_for(profile, use_trained=profile.learns_enough_to_show)
print(source)

# %% [markdown]
# ## A whole photo, in tiles
#
# A network that works on any input size can upscale a whole photo in one pass, but the activations of a 2K
# output take gigabytes: upscaling 510×339 pixels to 2040×1356 in one pass, the process peaked at 2.6 GiB, against
# 0.9 GiB in tiles ([benchmarks](https://github.com/edsr-course/edsr-notebooks/blob/main/docs/benchmarks.md)).
# `upscale` cuts the input into tiles, adds a margin of context around each (the overlap), and keeps only each
# tile's centre. The model's memory is bounded by the tile. The result is not: this loop fills one float32 array of
# the whole output, 12 bytes per output pixel, about 2.2 GiB for a 12-megapixel input (4032×3024) at ×4
# (`eh.inference.upscale` assembles uint8 instead, and `eh.inference.upscale_file` writes band by band). Here is
# the loop; `forward` runs the model on one float image:

# %%
#| export tiling
import numpy as np


def upscale_in_tiles(forward, lr: np.ndarray, scale: int, tile: int | None, overlap: int) -> np.ndarray:
    """``forward(lr)`` computed tile by tile: each tile runs with ``overlap`` LR pixels of context on every side,
    and only its centre is kept, so memory is bounded by the tile and the seams do not show."""
    height, width = lr.shape[:2]
    if tile is None or (height <= tile and width <= tile):
        return forward(lr)
    out = np.empty((height * scale, width * scale, 3), np.float32)
    for top in range(0, height, tile):
        for left in range(0, width, tile):
            bottom, right = min(top + tile, height), min(left + tile, width)
            top_in, left_in = max(top - overlap, 0), max(left - overlap, 0)  # the tile with its context
            bottom_in, right_in = min(bottom + overlap, height), min(right + overlap, width)
            sr = forward(lr[top_in:bottom_in, left_in:right_in])
            out[top * scale : bottom * scale, left * scale : right * scale] = sr[  # its centre only
                (top - top_in) * scale : (bottom - top_in) * scale,
                (left - left_in) * scale : (right - left_in) * scale,
            ]
    return out


# %% [markdown]
# `forward` is the model's forward pass, compiled once by the engine: a batch of float images in, a batch out.
# Below, the full monarch photo is upscaled in one pass and in tiles of 64 LR pixels, both rounded back to 8 bits,
# and the two are compared pixel by pixel:

# %% tags=["nbval-ignore-output"]
run_model = eh.backend.compiled_forward(model)


def forward(image):
    return run_model(image[None])[0]  # one image: a batch of one


def to_uint8(sr):
    return np.clip(np.round(sr), 0, 255).astype(np.uint8)


lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
whole = to_uint8(upscale_in_tiles(forward, lr, 4, tile=None, overlap=0))
tiled = to_uint8(upscale_in_tiles(forward, lr, 4, tile=64, overlap=eh.inference.DEFAULT_OVERLAP))
difference = np.abs(whole.astype(int) - tiled.astype(int))
print(
    f"{course.plotting.size_label(lr)} -> {course.plotting.size_label(whole)}; tiles of 64 LR px with "
    f"{eh.inference.DEFAULT_OVERLAP} px overlap differ from one pass by at most {difference.max()} grey level(s)"
)

# %% [markdown]
# Why are 12 pixels of overlap enough? Notebook 02 measured a receptive field of 72 LR pixels across (the formula's
# 72.5 counts the convolutions after the upsampler, which run at a finer resolution, in fractions of an LR pixel; a
# measurement sees whole pixels): an output pixel *can* depend on inputs 36 pixels away, three times the overlap.
# But how much does it? The gradient of one output pixel with respect to every input pixel says. Most of it sits
# within a few pixels of the centre and fades fast with distance: the *effective* receptive field (Luo et al., 2016)
# is much smaller than the theoretical one. Here it is for the model above, on a crop of the monarch:

# %% tags=["nbval-ignore-output"]
crop = lr[16:112, 48:144]  # 96×96 LR pixels of the monarch
gradient = eh.model.gradient_map(model, crop)
radii = {share: eh.model.effective_radius(gradient, share) for share in (0.9, 0.99)}
field = eh.model.receptive_field(eh.model.model_scale(model), 16)  # 72.5 px by the formula at x4
course.plotting.show_gradient_map(gradient, radii, receptive_field=field)
print(f"90 % of the gradient lies within {radii[0.9]} LR px of the centre, 99 % within {radii[0.99]}")

# %% [markdown]
# What a tile loses at its border is the part of the gradient outside the overlap: the square of 12 pixels
# each way around the centre holds nearly all of it.

# %% tags=["nbval-ignore-output"]
from IPython.display import Markdown, display

overlap = eh.inference.DEFAULT_OVERLAP
middle_y, middle_x = gradient.shape[0] // 2, gradient.shape[1] // 2
inside = gradient[middle_y - overlap : middle_y + overlap + 1, middle_x - overlap : middle_x + overlap + 1]
outside = 1 - inside.sum() / gradient.sum()
display(
    Markdown(
        f"Outside the overlap: **{outside:.2%}** of the gradient. After rounding to 8 bits that moved the tiled "
        f"photo by at most **{difference.max()}** grey level(s), as measured above."
    )
)

# %% [markdown]
# Exercise 1 below measures the seam error for other overlaps.
#
# And here is what the tiles give, beside bicubic and the original, on a detail of the monarch (each panel's
# title scores the whole photo; the crop is only what is shown):

# %%
bicubic = eh.images.upscale_bicubic(lr, 4)
course.plotting.show_comparison(lr, hr, {"bicubic": bicubic, "EDSR": tiled}, crop=(160, 360, 160))

# %% [markdown]
# ## EDSR+: the self-ensemble
#
# A photo turned or mirrored is still a photo, but the network's answer for it is slightly different. EDSR+
# runs the model on all 8 rotations/flips of the input, turns each output back, and averages them: 8× the
# forward passes, no training, usually a small gain. Undoing a symmetry means doing its steps backwards: flip
# back first, then turn back.

# %%
#| export tiling
#: The 8 symmetries of a square as (quarter turns, flip): 4 rotations, each with and without a mirror.
SYMMETRIES = tuple((turns, flip) for flip in (False, True) for turns in range(4))


def transform(image: np.ndarray, turns: int, flip: bool) -> np.ndarray:
    image = np.rot90(image, turns)
    return image[:, ::-1] if flip else image


def untransform(image: np.ndarray, turns: int, flip: bool) -> np.ndarray:
    image = image[:, ::-1] if flip else image
    return np.rot90(image, -turns)


def self_ensemble(upscale_one, lr: np.ndarray) -> np.ndarray:
    """EDSR+: the mean of ``upscale_one`` over the 8 symmetries of ``lr``, each output turned back."""
    total = None
    for turns, flip in SYMMETRIES:
        sr = untransform(upscale_one(np.ascontiguousarray(transform(lr, turns, flip))), turns, flip)
        total = sr.astype(np.float32) if total is None else total + sr
    return total / len(SYMMETRIES)


# %% [markdown]
# On the test photos: the EDSR column through the tile loop above (tiles of 64 LR px), the EDSR+ column
# through the self-ensemble above, each of its 8 views in one pass without tiles (`eh.inference.upscale` does
# both, with `self_ensemble=True` for EDSR+; gains, here and below, are taken before rounding):

# %% tags=["nbval-ignore-output"]
test_pairs = eh.data.load_sample(4, "test")
test_rows = []
for name, (lr_test, hr_test) in zip(eh.samples.photo_names("test"), test_pairs, strict=True):
    edsr = to_uint8(upscale_in_tiles(forward, lr_test, 4, tile=64, overlap=eh.inference.DEFAULT_OVERLAP))
    ensembled = to_uint8(self_ensemble(forward, lr_test))
    scores = [
        eh.metrics.psnr(hr_test, image, shave=4, y_only=True)
        for image in (eh.images.upscale_bicubic(lr_test, 4), edsr, ensembled)
    ]
    test_rows.append([name, *scores])
test_rows.append(["mean", *np.mean([row[1:] for row in test_rows], axis=0)])
table = [[name, *(f"{value:.2f}" for value in row), f"{row[2] - row[1]:+.2f} dB"] for name, *row in test_rows]
eh.presentation.tables.show_table(["photo", "bicubic", "EDSR", "EDSR+", "EDSR+ gain"], table)

# %% [markdown]
# The EDSR column, computed in tiles, matches notebook 03's evaluation of the same model on the same photos
# within 0.01 dB (compare the test-photo table in notebook 03's evaluation, which ran each photo in one pass):
# tiling moves output pixels by a grey level at most, as measured on monarch above.
#
# ## The crop-and-compare widget
#
# Choose a photo, or **upload your own**, and move the crop with the sliders (or click the thumbnail where the
# front end supports it). The top row shows the LR input, bicubic, EDSR, EDSR+ (tick it: the self-ensemble) and
# the original, each upscaling with PSNR and SSIM against the original on the crop and on the whole photo.
#
# Below the row, **compare any two**: bicubic, this notebook's model or the shipped weights (add models of your
# own to `others`), in a split view (drag the split slider) or side by side. *uploads are* says what an upload
# is: an original that the widget shrinks ×4 itself, by bicubic downscaling or the camera-like way (blur, noise,
# JPEG: notebook 05 is about those); an HR + LR pair you made (choose both files at once); or a photo to enlarge
# as it is (no original, so no PSNR; `widget.save()` writes the result as PNG).
#
# The widget works with ipywidgets 7 (Colab) and 8 (JupyterLab 4). It needs a live kernel: a static page
# (GitHub, nbviewer) shows nothing in its cell, so the figure just before it draws the same five panels once,
# without the kernel. **On Colab, use the sliders**: clicking the thumbnail needs `ipyevents`, which Colab's own
# widget manager does not load. Colab has been reported to drop uploads of about 1 MB or more (most phone
# photos); for those, run `widget.add_colab_uploads()` in a cell: it opens Colab's own file picker,
# which has no such limit, and adds what you choose.

# %% [markdown]
# The five panels of the widget's top row for coffee, a validation photo, with EDSR+ ticked, on a fixed crop.
# Each upscaling's title gives only its Y-PSNR on the whole photo (border of 4 shaved); the crop's scores and the
# SSIMs are the widget's:

# %% tags=["nbval-ignore-output"]
lr_val, hr_val = eh.data.load_sample(4, "validation")[2]  # coffee
course.plotting.show_comparison(
    lr_val,
    hr_val,
    {
        "bicubic": eh.images.upscale_bicubic(lr_val, 4),
        "EDSR": to_uint8(forward(lr_val)),
        "EDSR+": to_uint8(self_ensemble(forward, lr_val)),
    },
    crop=(120, 220, 160),
)

# %% tags=["nbval-ignore-output", "live-widget"]
widget = eh.presentation.widgets.crop_compare(model, others={"shipped ×4": eh.pretrained.load_pretrained(4)})
widget

# %% [markdown]
# ## One photo at every scale
#
# The package ships EDSR-baseline weights for several factors. Choose one in the *scale* menu: the widget shrinks
# the same originals by that factor, upscales them with that scale's weights and keeps the region you were
# looking at, so ×2, ×3 and ×4 show the same detail. At ×2 the LR crop holds four times the pixels of the ×4 one;
# watch how much closer to the original both bicubic and EDSR get, and how the gap between them changes.
# Photos you upload come along: each scale makes its own LR input from your file. Without a kernel, the figure
# below draws what the menu switches between: one detail of coffee at ×2, ×3 and ×4, the shipped weights of
# each scale against bicubic (each title scores the whole photo, Y with a border of the scale):

# %% tags=["nbval-ignore-output"]
import logging

logging.getLogger("tensorflow").setLevel(logging.ERROR)  # three models, three input sizes: recompiling is expected
coffee = eh.images.crop_to_multiple(eh.samples.load_photo("coffee"), 12)  # one original for the three scales
detail = np.s_[120:280, 220:380]
panels, titles = [], []
for factor in (2, 3, 4):
    lr_factor = eh.pairs.downscale(coffee, factor)
    for name, image in (
        ("bicubic", eh.images.upscale_bicubic(lr_factor, factor)),
        ("EDSR", eh.inference.upscale(eh.pretrained.load_pretrained(factor), lr_factor)),
    ):
        panels.append(image[detail])
        titles.append(f"x{factor} {name}, {eh.metrics.psnr(coffee, image, shave=factor, y_only=True):.2f} dB")
panels.append(coffee[detail])
titles.append("original")
course.plotting.show_grid(panels, titles, columns=4, size=2.6)

# %% tags=["nbval-ignore-output", "live-widget"]
scales = eh.presentation.widgets.shipped_compare(scale=4)
scales

# %% [markdown]
# ## Why PSNR numbers disagree
#
# "My PSNR is lower than the paper's" is a common question about any super-resolution code. Usually
# the model is fine and the *measurement* differs. Here is the shipped ×4 model on the six test photos, scored
# the papers' way, then with one choice changed at a time. Two of the table's rows need a word first.

# %% tags=["nbval-ignore-output"]
shipped = eh.pretrained.load_pretrained(4)
photos = [eh.samples.load_photo(name) for name in eh.samples.photo_names("test")]
choices = course.lessons.psnr_choices(shipped, photos)
papers = choices[0]["psnr"]

# %% [markdown]
# First those two rows. Y in the papers' (studio) range runs from 16 to 235: it spans 219 of 255 grey levels, so
# every error in Y shrinks by 219/255 while the peak stays at 255, and the same picture scores
# `20·log10(255/219)` = 1.32 dB higher. That part
# of the Y–RGB gap is arithmetic, not better images: stretching Y to 0–255 scales every error by 255/219 and
# removes it exactly (so that row is computed, not measured). The official EDSR code scores DIV2K on RGB with a
# border of `scale + 6` (its benchmark sets on Y with `scale`, as the first row); the last row applies that
# convention to these six photos:

# %% tags=["nbval-ignore-output"]
studio = 20 * np.log10(255 / 219)  # the same errors, Y on 219 levels instead of 255
official = []  # the official code's DIV2K convention: RGB, border of scale + 6
for photo in photos:
    hr_photo = eh.images.crop_to_multiple(photo, 4)
    sr_photo = eh.inference.upscale(shipped, eh.pairs.downscale(hr_photo, 4), tile=None)
    official.append(eh.metrics.psnr(hr_photo, sr_photo, shave=4 + 6))
measured = [(row["choice"], row["psnr"]) for row in choices]
rows = [measured[0], ("Y stretched to 0-255 (computed: the first row - 1.32)", papers - studio), *measured[1:]]
rows.append(("the official code's DIV2K convention: RGB, border of scale + 6", float(np.mean(official))))
eh.presentation.tables.show_table(
    ["evaluation choice", "PSNR (dB)", "change (dB)"],
    [[choice, f"{value:.2f}", f"{value - papers:+.2f}"] for choice, value in rows],
)

# %% [markdown]
# - **Y or RGB** moves the number most among the conventions, and most of that move is the studio-range
#   arithmetic of the second row; the rest is what Y really changes: it averages the three colours' errors, which
#   partly cancel. A number on RGB is not comparable with one on Y.
# - **The border** matters little here. The official EDSR code leaves out `scale + 6` pixels on DIV2K while its
#   README says `scale + 2`, and papers shave `scale` on the benchmark sets. Say which.
# - **How the LR image was made** can matter more than any convention: a model trained on antialiased bicubic
#   (MATLAB's `imresize`, PIL) loses several dB on LR images made without antialiasing, as `tf.image.resize`
#   does by default, and most of a dB on area-averaged ones. It learned to undo one degradation.
# - **Rounding** the output to 8 bits moves the number by less than a hundredth of a dB here.
# - **The model itself**: the published DIV2K-validation ×4 scores are 28.95 dB for EDSR-baseline and 29.25 dB for
#   full EDSR (the official code: RGB, border of `scale + 6`), a 0.30 dB gap, smaller than the Y–RGB and the LR
#   choices above and larger than the border and the rounding.

# %% [markdown]
# ## Summary
#
# - A network that takes any input size upscales a whole photo in tiles; a margin of context around each tile,
#   a third of the receptive field's reach, is enough, because the effective receptive field is small.
# - EDSR+ averages the model's answers for the 8 rotations/flips: no training, 8 forward passes, a small gain.
# - A PSNR is only comparable with another measured the same way: colour space, border, how the LR was made.
#
# This run's numbers:

# %% tags=["nbval-ignore-output"]
bicubic_mean, edsr_mean, plus_mean = test_rows[-1][1:]
changes = {choice: value - papers for choice, value in rows}
without_antialiasing = next(change for choice, change in changes.items() if "without antialiasing" in choice)
display(
    Markdown(
        f"- Tiles of 64 LR px with {overlap} px of overlap: at most {difference.max()} grey level(s) from one pass; "
        f"{outside:.2%} of the gradient lies outside the overlap.\n"
        f"- Test photos (Y, border of 4): EDSR {edsr_mean - bicubic_mean:+.2f} dB over bicubic, "
        f"EDSR+ {plus_mean - edsr_mean:+.2f} dB more.\n"
        f"- Shipped ×4: RGB instead of Y {changes['RGB instead of Y']:+.2f} dB, of which {-studio:+.2f} dB is the "
        f"studio-range arithmetic; LR without antialiasing {without_antialiasing:+.2f} dB."
    )
)


# %% [markdown]
# ## Where to go next
#
# - **Your own photos, upscaled to files**: `eh.inference.upscale_file("photo.jpg", scale=4)` writes
#   `photo_edsr_x4.png` next to it (tiled, so any size fits; existing files are never overwritten), with the
#   shipped weights or `model=` your own. From a terminal: `python -m edsr_helpers photo.jpg --scale 2`, and
#   `python -m edsr_helpers --evaluate photo.png` scores bicubic, EDSR and EDSR+ on a photo of your own.
# - **Full EDSR**: `eh.model.edsr_preset("full")` builds it: 32 residual blocks of 256 filters, each block's
#   correction scaled by `res_scale=0.1` (set by the preset), 43M parameters, +0.3 dB on DIV2K by the published
#   scores; train it with the `paper` profile.
# - **MDSR**: one network for ×2, ×3 and ×4 with a shared body and scale-specific heads and upsamplers (the
#   same paper, section 3.3).
# - **Real photos** are blurred, noisy and compressed, not bicubic-downscaled: notebook 05 measures what that
#   does to the shipped ×4 model and fine-tunes it on such pairs (DIV2K's `unknown_x4` and `realistic_*` configs in
#   tensorflow-datasets are other degradations).
# - **Perceptual quality**: PSNR rewards blur; SRGAN/ESRGAN trade a little PSNR for sharper textures.

# %% [markdown]
# ## Exercises
#
# Each exercise ends with a checker that answers ✅ or ❌ with a hint (never with the answer). Replace the
# `None` or the `{}` with your answer and run the cell; where a question asks *why*, write your answer in the cell
# below it. So that everyone's numbers agree, the exercises that run a model run the shipped ×4 weights,
# `eh.pretrained.load_pretrained(4)`, the photo is monarch, and every PSNR or SSIM is on Y with a border of 4
# pixels left out (`y_only=True, shave=4`).
#
# **1. How much overlap do tiles need?** (predict, then measure). The gradient figure above shows how far a trained
# EDSR's effective receptive field reaches (the model loaded at the top; this exercise runs the shipped one).
# **Predict first**: which of the overlaps 0, 4, 12 and 36 is the smallest that keeps tiles within 1 grey level of
# one pass? Record it in `guess`. Then, on the crop `lr[course.exercises.SEAM_CROP]` of monarch's LR image (the
# gradient figure's crop), upscale once in one pass (`tile=None`) and once in tiles of 32 LR pixels for each overlap
# (`eh.inference.upscale(shipped, crop, tile=32, overlap=...)`), record the largest absolute difference in grey
# levels in `errors` (cast both results to `int` first: uint8 subtraction wraps around), and set `enough` to the
# smallest overlap whose error is at most 1.

# %%
shipped = eh.pretrained.load_pretrained(4)
lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
guess = None  # the overlap you predict, before you measure
errors = {}  # {overlap: largest |one pass - tiled|}
enough = None
course.exercises.check_seam_errors(guess, errors, enough)

# %% [markdown]
# *Your answer*: why is an overlap far below the receptive field's reach (36 LR pixels each way) enough?

# %% [markdown]
# **2. What the margins cost** (predict, then measure, then choose). Every tile runs with its margins, which are
# thrown away. A phone photo of 4032×3024 pixels goes through `upscale_in_tiles` above with an overlap of
# `eh.inference.DEFAULT_OVERLAP` pixels. **Predict first**: for the default tile, `eh.inference.DEFAULT_TILE` = 104
# pixels, what share of extra pixels does the model run (0.1 is 10 % more)? Record it in `guess`. Then measure it
# for tiles of 32, 64, 104, 128 and 256 pixels without a model: pass a `forward` that counts the pixels of each
# tile it is given and returns the tile unchanged, with `scale=1`, on `np.zeros((3024, 4032, 3), np.float32)`.
# Fill `overheads` with (pixels run / pixels of the photo − 1) and set `tile` to the smallest of these tiles
# whose extra share is at most 0.5 (strictly: 0.51 is too much).

# %%
guess = None  # the extra share you predict for the default tile
overheads = {}  # {tile: extra share}
tile = None
course.exercises.check_tile_overhead(guess, overheads, tile)

# %% [markdown]
# *Your answer*: why is the extra work so much larger than overlap ÷ tile, and what keeps us from choosing a
# very large tile?

# %% [markdown]
# **3. Does EDSR+ help bicubic?** (predict, then measure). `self_ensemble` above takes any upscaling function.
# **Predict first** how many dB the self-ensemble adds to bicubic (`eh.images.upscale_bicubic(image, 4)`) and to
# the shipped model (`eh.inference.upscale(shipped, image, tile=None)`) on monarch, and record both in `guess`.
# Then measure: for each, the Y-PSNR (`shave=4`) of the self-ensemble's result rounded to 8 bits
# (`eh.inference.to_uint8`) minus that of the plain result, both against `hr`. For the model, `self_ensemble` around
# `eh.inference.upscale` and `eh.inference.upscale(shipped, image, tile=None, self_ensemble=True)` both pass.

# %%
guess = None  # {"bicubic": dB, "EDSR": dB}, before you measure
gains = {}  # {"bicubic": dB, "EDSR": dB}
course.exercises.check_ensemble_gains(guess, gains)

# %% [markdown]
# *Your answer*: what did averaging the 8 views do to each of the two, and why?

# %% [markdown]
# **4. Two metrics, two verdicts** (guess, then measure). Two damaged copies of monarch's HR image:
# `brighter`, every pixel 10 grey levels lighter (clipped at 255), and `blurred`, a 3×3 box blur. **Guess first**:
# which of the two will PSNR rate higher, and which will SSIM? Record it in `guess`, then measure both metrics on
# Y with a border of 4 (`eh.metrics.psnr(hr, damaged, shave=4, y_only=True)` and `eh.metrics.ssim` with the same
# arguments) and fill `scores`.

# %%
brighter = course.exercises.distort(hr, "brighter")
blurred = course.exercises.distort(hr, "blurred")
guess = None  # {"psnr": "brighter" or "blurred", "ssim": "brighter" or "blurred"}, before you measure
scores = {}  # {"brighter": (psnr, ssim), "blurred": (psnr, ssim)}
course.exercises.check_metric_disagreement(guess, scores)

# %% [markdown]
# *Your answer*: which metric agrees with your eyes (`course.plotting.grid_figure([hr, brighter, blurred])`),
# and why does the other disagree?
