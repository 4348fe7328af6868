# %% [markdown]
# # 05 · Real photos: the degradation gap, and a model that narrows it
#
# [![Open-in-Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/edsr-course/edsr-notebooks/blob/main/notebooks/05_real_photos.ipynb)
#
# The series' EDSR learned one thing: to undo antialiased bicubic downscaling. A photo from a phone or the web
# has been through more: lens blur, sensor noise, JPEG. In this notebook you will:
#
# 1. measure the gap: the shipped ×4 model on photos degraded the way cameras and the web do;
# 2. write a degradation pipeline, cell by cell: blur, downscaling, noise, JPEG, and a second pass of all four;
# 3. fine-tune the ×4 model on such pairs with the same `fit`, watching PSNR on clean and on degraded inputs,
#    twice: with clean patches mixed in and without, to measure what mixing them in does;
# 4. compare the models on both kinds of input, and say what is gained and what is lost.

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
import matplotlib.pyplot as plt
import numpy as np

import edsr_helpers as eh
from edsr_helpers import course

profile = course.setup()

# %% [markdown]
# ## The gap, measured
#
# One fixed "camera-like" degradation, used for every evaluation in this notebook so that numbers compare: a
# Gaussian blur (σ = 1.2 HR pixels), bicubic downscaling, Gaussian noise (σ = 5 grey levels) and JPEG at
# quality 75. It is written in the next section; here is what it does to the shipped model on the test photos
# (notebook 03's six colour photographs, which no run in these notebooks trains on or chooses by), against the
# original:

# %% tags=["nbval-ignore-output"]
shipped = eh.pretrained.load_pretrained(4)
clean_test = eh.data.load_sample(4, "test")
degraded_test = [(eh.degradations.degrade_for_evaluation(hr, 4), hr) for _, hr in clean_test]  # written below
first_gap = course.lessons.degradation_gap({"shipped x4": shipped}, {"clean": clean_test, "degraded": degraded_test})
course.lessons.show_gap_table(first_gap)

# %% [markdown]
# On clean LR images the model beats bicubic clearly; on degraded ones its lead shrinks to a fraction of that. It
# was never taught to remove blur, noise or JPEG blocks; exercise 1 measures which of them costs it most, exercise
# 4 whether, and at which noise level, bicubic catches up. Look at a crop of monarch, a validation photo in colour:

# %%
val_photos = [eh.samples.load_photo(name) for name in eh.samples.photo_names("validation")]
clean_val = eh.data.pairs_from_images(val_photos, 4)
degraded_val = [(eh.degradations.degrade_for_evaluation(hr, 4), hr) for _, hr in clean_val]  # written below
lr_clean, hr = clean_val[1]
lr_degraded = degraded_val[1][0]
crop = (hr.shape[0] // 3, hr.shape[1] // 3, 128)
course.plotting.show_comparison(
    lr_degraded,
    hr,
    {
        "bicubic of the degraded LR": eh.images.upscale_bicubic(lr_degraded, 4),
        "shipped EDSR, degraded LR": eh.inference.upscale(shipped, lr_degraded),
        "shipped EDSR, clean LR": eh.inference.upscale(shipped, lr_clean),
    },
    crop=crop,
)

# %% [markdown]
# ## A degradation pipeline, cell by cell
#
# Real-ESRGAN (Wang et al., 2021) made super-resolution work on real photos by training on pairs degraded at
# random, and twice in a row ("second order"), so the model meets every mix of blur, resizing, noise and
# compression. The pieces below are that idea in numpy and PIL, and the package's `eh.degradations` is these
# very cells.
#
# **Blur.** A lens spreads each point into a small blob. A Gaussian kernel models it; with two different widths
# and an angle it is *anisotropic*, like motion or a tilted lens.

# %%
#| export degradations
import io

import numpy as np
from PIL import Image

from edsr_helpers.pairs import crop_pair, random_crop_pair, random_patch, random_transform_pair


def gaussian_kernel(sigma_x: float, sigma_y: float | None = None, angle: float = 0.0) -> np.ndarray:
    """A normalised Gaussian blur kernel, anisotropic when ``sigma_y`` differs, turned by ``angle`` radians."""
    sigma_y = sigma_x if sigma_y is None else sigma_y
    radius = min(10, int(np.ceil(3 * max(sigma_x, sigma_y))))  # ±3 sigma in both axes hold 99.5 %; at most 21 x 21
    y, x = np.mgrid[-radius : radius + 1, -radius : radius + 1].astype(np.float64)
    u = np.cos(angle) * x + np.sin(angle) * y  # coordinates along the kernel's own axes
    v = -np.sin(angle) * x + np.cos(angle) * y
    kernel = np.exp(-0.5 * ((u / sigma_x) ** 2 + (v / sigma_y) ** 2))
    return kernel / kernel.sum()  # blurring keeps the brightness


def blur(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Convolve every colour channel with ``kernel`` (edges mirrored); float64 out."""
    from scipy.signal import fftconvolve

    radius = kernel.shape[0] // 2
    padded = np.pad(np.asarray(image, np.float64), ((radius, radius), (radius, radius), (0, 0)), mode="reflect")
    return np.stack([fftconvolve(padded[..., c], kernel, mode="valid") for c in range(padded.shape[-1])], -1)


# %%
kernels = [gaussian_kernel(1.5), gaussian_kernel(3.0, 0.8, np.pi / 4)]
course.plotting.grid_figure(kernels, ["isotropic, σ = 1.5", "anisotropic, σ = 3 / 0.8, 45°"], size=2.5)
plt.show()

# %% [markdown]
# **Downscaling**, by a method the camera or website chose: bicubic, bilinear or area averaging. PIL's resize
# filters antialias, as MATLAB's `imresize` does. **Noise**: Gaussian (read-out noise, the same everywhere) or
# Poisson (photon noise: counted in photons, its variance equals the signal, so brighter pixels get more).
# **JPEG**: 8×8 blocks whose fine detail is quantised away, the lower the quality the coarser.

# %%
#| export degradations
#: PIL's antialiased resize filters, by name.
RESIZE_METHODS = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR, "area": Image.BOX}


def resize(image: np.ndarray, size: tuple[int, int], method: str) -> np.ndarray:
    """Resize a float image to ``size`` (width, height) channel by channel, without rounding in between."""
    channels = [
        np.asarray(Image.fromarray(image[..., c].astype(np.float32), mode="F").resize(size, RESIZE_METHODS[method]))
        for c in range(image.shape[-1])
    ]
    return np.stack(channels, -1).astype(np.float64)


def gaussian_noise(image: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Add noise of standard deviation ``sigma`` grey levels, independently per pixel and colour."""
    return image + rng.normal(0.0, sigma, image.shape)


def poisson_noise(image: np.ndarray, photons_per_level: float, rng: np.random.Generator) -> np.ndarray:
    """Photon noise: count ``photons_per_level`` photons per grey level, so the variance grows with brightness."""
    photons = np.clip(image, 0, None) * photons_per_level
    return rng.poisson(photons) / photons_per_level


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    """Save as JPEG at ``quality`` (1-95) and read back, in memory."""
    buffer = io.BytesIO()
    Image.fromarray(np.clip(np.round(image), 0, 255).astype(np.uint8)).save(buffer, format="JPEG", quality=quality)
    return np.asarray(Image.open(buffer), dtype=np.float64)


# %% [markdown]
# **The pipeline.** One pass draws a blur, a downscaling method, a noise and a JPEG quality at random; half of
# the pairs get a second, milder pass, the way a photo is often resized and re-compressed again after the camera
# did it once. The seed fixes every draw, so a pair can be made again exactly. The evaluation degradation above
# is one fixed pass.
#
# It is a simplified Real-ESRGAN, sized for a small model and a few photos:
#
# | | Real-ESRGAN | here |
# | --- | --- | --- |
# | second pass | always (its blur 80 % of the time) | half of the pairs, at half strength |
# | blur kernels | Gaussian, generalised Gaussian, plateau; sinc (ringing) | Gaussian, isotropic or anisotropic |
# | resizing | up, down or keep, at random, then to the final size | straight down to the final size |
# | noise | Gaussian σ 1–30 (grey in 40 % of cases) or Poisson | Gaussian σ 1–12 or Poisson (σ ≤ 23), in colour |
# | last step | a sinc filter and JPEG, in random order | JPEG |
#
# Why each difference:
#
# - *second pass*: half the pairs stay one camera save, the case the evaluation degradation stands for.
# - *blur kernels*: a lens's or a shaking hand's blur is close to Gaussian; fewer shapes leave a small model less
#   to learn from a few photos.
# - *resizing*: each pass stays one blur, one shrink, one noise, one save; resizing up and then down mostly adds
#   blur, which the blur draw already gives.
# - *noise*: a Gaussian σ of 30 leaves little detail to rebuild (exercise 4 measures how much noise the shipped
#   model stands); photon noise grows with brightness, and at its strongest here reaches σ ≈ 23 grey levels in white.
# - *last step*: a camera's last step is its JPEG save; the sinc filter's ringing (from sharpening and from some
#   resizers) is left out.
#
# We expect strong noise and ringing to take away detail that notebook 02's 1.52-million-parameter EDSR-baseline
# cannot bring back; the milder range is a choice made for a small model and a lab's few hundred steps, not a
# measured optimum.


# %%
#| export degradations
def degradation_pass(x: np.ndarray, size: tuple[int, int], rng: np.random.Generator, strength: float) -> np.ndarray:
    """Blur, resize to ``size``, add noise, compress: each drawn at random, ``strength`` (0-1] scaling them."""
    sigma = rng.uniform(0.2, 3.0) * strength
    if rng.random() < 0.5:  # anisotropic half the time
        kernel = gaussian_kernel(sigma, rng.uniform(0.2, 3.0) * strength, rng.uniform(0, np.pi))
    else:
        kernel = gaussian_kernel(sigma)
    x = resize(blur(x, kernel), size, rng.choice(list(RESIZE_METHODS)))
    if rng.random() < 0.6:
        x = gaussian_noise(x, rng.uniform(1.0, 12.0) * strength, rng)
    else:
        x = poisson_noise(x, rng.uniform(0.5, 4.0) / strength, rng)
    return jpeg(x, int(rng.integers(round(30 + 40 * (1 - strength)), 96)))


def degrade(hr: np.ndarray, scale: int, seed: int) -> np.ndarray:
    """A realistic LR image of ``hr`` (``scale`` times smaller), reproducible from ``seed``: one or two passes."""
    rng = np.random.default_rng(seed)
    height, width = hr.shape[0] // scale, hr.shape[1] // scale
    x = np.asarray(hr, np.float64)
    if rng.random() < 0.5:  # second order: shrink halfway first, then the rest with a milder pass
        halfway = (round(width * scale**0.5), round(height * scale**0.5))
        x = degradation_pass(x, halfway, rng, strength=1.0)
        x = degradation_pass(x, (width, height), rng, strength=0.5)
    else:
        x = degradation_pass(x, (width, height), rng, strength=1.0)
    return np.clip(np.round(x), 0, 255).astype(np.uint8)


def degrade_for_evaluation(hr: np.ndarray, scale: int) -> np.ndarray:
    """The fixed "camera-like" degradation every evaluation uses: blur 1.2, bicubic, noise 5, JPEG 75."""
    height, width = hr.shape[0] // scale, hr.shape[1] // scale
    x = resize(blur(hr, gaussian_kernel(1.2)), (width, height), "bicubic")
    x = gaussian_noise(x, 5.0, np.random.default_rng(0))
    return np.clip(np.round(jpeg(x, 75)), 0, 255).astype(np.uint8)


# %% [markdown]
# **A narrower family.** `degrade` is milder than Real-ESRGAN's pipeline but still wider than a camera: heavy blur,
# strong noise, two passes. Phones and compact cameras sit in a narrower band: a little lens blur, moderate sensor
# noise, one JPEG save of fair quality. `degrade_camera_like` draws from that band only (one pass: blur σ 0.5–2.0, a
# random downscaling method, Gaussian noise σ 0–10 or photon noise, JPEG quality 50–95); the fixed evaluation
# degradation above lies inside it. Whether the narrower band trains a better model for camera photos is not measured
# here: the fine-tune below keeps the wide `degrade`, as Real-ESRGAN does, while the package's longer
# `weights-realistic` recipe draws from `degrade_camera_like`.


# %%
#| export degradations
def degrade_camera_like(hr: np.ndarray, scale: int, seed: int) -> np.ndarray:
    """One pass drawn around a camera's: mild blur, any downscaling, Gaussian noise of σ up to 10 or photon noise
    (σ up to 16 grey levels at white), JPEG 50-95."""
    rng = np.random.default_rng(seed)
    height, width = hr.shape[0] // scale, hr.shape[1] // scale
    sigma = rng.uniform(0.5, 2.0)
    if rng.random() < 1 / 3:  # a tilted or moving lens now and then
        kernel = gaussian_kernel(sigma, rng.uniform(0.5, 2.0), rng.uniform(0, np.pi))
    else:
        kernel = gaussian_kernel(sigma)
    x = resize(blur(hr, kernel), (width, height), rng.choice(list(RESIZE_METHODS)))
    if rng.random() < 0.75:
        x = gaussian_noise(x, rng.uniform(0.0, 10.0), rng)
    else:
        x = poisson_noise(x, rng.uniform(1.0, 4.0), rng)
    return np.clip(np.round(jpeg(x, int(rng.integers(50, 96)))), 0, 255).astype(np.uint8)


#: The random degradations a training pipeline can draw from, by name: ``degradation(hr, scale, seed) -> lr``.
DEGRADATIONS = {"realistic": degrade, "camera-like": degrade_camera_like}


# %% [markdown]
# Six draws for one photo, each reproducible from its seed:

# %%
hr_crop = val_photos[1][128:256, 128:320]
samples = [degrade(hr_crop, 4, seed) for seed in range(6)]
course.plotting.grid_figure(samples, [f"seed {seed}" for seed in range(6)], columns=6, size=2.0)
plt.show()

# %% [markdown]
# ## Fine-tuning on degraded pairs
#
# The model does not start from scratch: the shipped ×4 weights already know how to build detail; they need to
# learn to leave noise and JPEG blocks alone. So every training patch gets an LR input drawn afresh from
# `degrade`: the model never sees the same degraded patch twice, as Real-ESRGAN's pipeline does it. A share of
# the patches, `clean_share`, keeps its clean bicubic LR, meant to keep the model good on clean inputs. That is a
# claim to measure, not to assume: this section trains twice, with and without the clean patches.
#
# A patch is degraded together with a margin of photo around it, which is then cut away: the blur near the
# patch's edge must see the real neighbours, not a mirror of the patch. The margin, 4 LR pixels (16 HR), covers the
# camera-like family's reach (a blur of at most 6 HR pixels each way, then the ×4 bicubic's 8); the widest draws of
# `degrade`, two passes of strong blur, reach further, so their outermost pixels still see a little of the mirror.
# Notebook 01's `PatchBatches` makes the batches; only its `patch` method changes.


# %%
#| export degradations
def degraded_patch(lr, hr, seed, *, scale, lr_patch_size, degradation, clean_share=0.0, margin=4):
    """One training example whose LR is drawn afresh by ``degradation(hr, scale, seed)``; with probability
    ``clean_share`` the pair's clean LR is kept. ``margin`` LR pixels around the patch are degraded, then cut."""
    keep_seed, crop_seed, degrade_seed, transform_seed = np.random.SeedSequence(seed).spawn(4)
    if np.random.default_rng(keep_seed).random() < clean_share:
        return random_patch(lr, hr, seed, scale=scale, lr_patch_size=lr_patch_size)
    _, hr_region = random_crop_pair(lr, hr, crop_seed, scale=scale, lr_patch_size=lr_patch_size + 2 * margin)
    lr_region = degradation(hr_region, scale, int(degrade_seed.generate_state(1)[0]))
    lr_patch, hr_patch = crop_pair(lr_region, hr_region, margin, margin, scale=scale, lr_patch_size=lr_patch_size)
    return random_transform_pair(lr_patch, hr_patch, transform_seed)


# %%
class FreshlyDegraded(eh.pairs.PatchBatches):
    """Notebook 01's batches, each patch's LR drawn afresh by ``degrade`` (or kept clean, ``clean_share``)."""

    def __init__(self, pairs, *, clean_share, **settings):
        super().__init__(pairs, **settings)
        self.clean_share = clean_share

    def patch(self, lr, hr, seed):
        return degraded_patch(
            lr,
            hr,
            seed,
            scale=self.scale,
            lr_patch_size=self.lr_patch_size,
            degradation=degrade,
            clean_share=self.clean_share,
        )


# %% [markdown]
# The `realistic-finetune` recipe sets what is learned: a rate of 5e-5, half the paper's, since the weights are
# already good, and a quarter of the patches kept clean. `profile.for_recipe` sizes a run of it from the active
# profile, the way notebook 03's training is sized; each of the two runs here gets about a sixth of notebook
# 03's epochs (at least one). The second run is the same recipe with `clean_share=0` (`dataclasses.replace`
# copies a recipe with one field changed): the same steps and the same seed, so every patch that is not kept
# clean comes from the same crop with the same degradation in both.

# %% tags=["nbval-ignore-output"]
import dataclasses

recipe = eh.recipes.get_recipe("realistic-finetune")
runs = {
    "mixed with clean": profile.for_recipe(recipe, share=1 / 6, scale=4),
    "degraded only": profile.for_recipe(
        dataclasses.replace(recipe, clean_share=0.0), share=1 / 6, scale=4, name=f"{profile.name}-degraded-only"
    ),
}
train_photos = [eh.samples.load_photo(name) for name in eh.samples.photo_names("train")]
clean_pairs = eh.data.pairs_from_images(train_photos, 4)
for label, run in runs.items():
    clean = run.recipe.clean_share
    print(f"{label}: {len(clean_pairs)} photos, {clean:.0%} of the patches clean, {run.total_steps} steps")

# %% [markdown]
# One function trains a run with the same `fit` as notebook 03. The shipped weights go into a fresh model;
# `compile_for_training` sets the recipe's loss, Adam at its rate and the PSNR metrics; `make_callbacks` adds the
# series' bookkeeping (a backup to resume from, a log, the best model so far) and a second validation score on
# the degraded inputs; `LivePlot` draws both curves, bicubic dashed. Both runs train all their steps, with no
# time budget: a comparison needs the same steps. What is compared below is each run's weights at its end, not
# its best checkpoint: choosing an epoch by the validation curves would give the two runs different lengths.

# %%
bicubic = {"validation": eh.training.bicubic_psnr(clean_val, 4), "degraded": eh.training.bicubic_psnr(degraded_val, 4)}


def fine_tune(run):
    """The shipped x4 trained for ``run``'s steps on freshly degraded patches, its recipe's ``clean_share`` clean."""
    patches = FreshlyDegraded(
        clean_pairs,
        clean_share=run.recipe.clean_share,
        scale=4,
        lr_patch_size=run.recipe.lr_patch_size,
        batch_size=run.recipe.batch_size,
    )
    model = run.recipe.build_model(4)
    model.set_weights(shipped.get_weights())
    eh.training.compile_for_training(model, run)
    folder = eh.runs.run_dir(run, fresh=True)
    callbacks = eh.training.make_callbacks(folder, also_score={"degraded": degraded_val}, scale=4)
    curves = {"validation": "val_psnr_y", "degraded": "val_degraded_psnr_y"}
    callbacks.append(eh.presentation.plots.LivePlot(bicubic, metric=curves))
    model.fit(
        patches,
        epochs=run.epochs,
        steps_per_epoch=run.steps_per_epoch,
        validation_data=eh.data.as_validation_dataset(clean_val),
        validation_steps=len(clean_val),
        callbacks=callbacks,
        shuffle=False,
        verbose=2,
    )
    return model


# %% [markdown]
# The recipe's run first, a quarter of its patches clean. The usual validation PSNR scores clean LR inputs; the
# second curve scores the degraded ones. Each epoch's line gives the seconds it took:

# %% tags=["nbval-ignore-output"]
model = fine_tune(runs["mixed with clean"])

# %% [markdown]
# Then the same run on degraded patches only:

# %% tags=["nbval-ignore-output"]
degraded_only = fine_tune(runs["degraded only"])

# %% [markdown]
# ## The comparison
#
# The result is reported on photos that neither the training nor its curves looked at: the **test photos**
# (notebook 03's six colour photographs; PSNR and SSIM on Y with a border of 4 shaved): the three models, both
# kinds of input.

# %% tags=["nbval-ignore-output"]
degraded_test = [(degrade_for_evaluation(hr, 4), hr) for _, hr in clean_test]  # now with the function written above
models = {
    "shipped x4 (bicubic-trained)": shipped,
    "fine-tuned, mixed with clean": model,
    "fine-tuned, degraded only": degraded_only,
}
rows = course.lessons.degradation_gap(models, {"clean": clean_test, "degraded": degraded_test})
course.lessons.show_gap_table(rows)

# %% [markdown]
# The same table in words, each model's lead over bicubic on the same inputs:

# %% tags=["nbval-ignore-output"]
from IPython.display import Markdown, display

psnr = {(row["input"], row["method"]): row["psnr_y"] for row in rows}
lead = {(kind, name): psnr[kind, name] - psnr[kind, "bicubic"] for kind, name in psnr if name != "bicubic"}
shipped_name, mixed_name, only_name = models
share_on = {kind: psnr[kind, mixed_name] - psnr[kind, only_name] for kind in ("clean", "degraded")}
display(
    Markdown(
        f"- Degraded inputs: shipped {lead['degraded', shipped_name]:+.2f} dB, fine-tuned mixed with clean "
        f"{lead['degraded', mixed_name]:+.2f} dB, degraded only {lead['degraded', only_name]:+.2f} dB.\n"
        f"- Clean inputs: shipped {lead['clean', shipped_name]:+.2f} dB, mixed with clean "
        f"{lead['clean', mixed_name]:+.2f} dB, degraded only {lead['clean', only_name]:+.2f} dB.\n"
        f"- The {recipe.clean_share:.0%} clean patches, against none: {share_on['clean']:+.2f} dB on clean inputs, "
        f"{share_on['degraded']:+.2f} dB on degraded ones."
    )
)

# %% [markdown]
# What this measures: the two fine-tunes differ in one thing, the clean patches, so the last line is their effect
# *in this run*, on both kinds of input. What it does not: each is one short run with one seed, trained on six
# small photos and scored on six others; how far another seed, a longer run or other photos would move these numbers
# is not measured here, and neither is any other share.

# %% [markdown]
# ## A number for structure: GMSD
#
# PSNR averages squared errors, so a model that blurs everything a little can score like one that keeps the edges
# and leaves some noise. GMSD (gradient magnitude similarity deviation, Xue et al. 2014) looks at edges instead:
# it compares the gradient magnitudes of the two images pixel by pixel (1 where they agree, less where an edge is
# lost or invented) and reports how *unevenly* that similarity is spread: 0 for a perfect copy, higher when some
# regions are damaged much more than others. It follows the paper's reference code: luma, a 2×2 average and
# downsampling, Prewitt gradients, the constant T = 170 for 0–255 images, the standard deviation of the map.


# %%
#| export gradient_similarity
import numpy as np

#: Prewitt's horizontal gradient, as the paper's code writes it (the vertical one is its transpose).
PREWITT = np.array([[1.0, 0.0, -1.0], [1.0, 0.0, -1.0], [1.0, 0.0, -1.0]]) / 3


def gmsd(reference, test, *, shave: int = 0, constant: float = 170.0) -> float:
    """Gradient magnitude similarity deviation (Xue et al., 2014) of two 0-255 images; 0 means identical."""
    from scipy.signal import convolve2d

    if np.shape(reference) != np.shape(test):
        raise ValueError(f"Images differ in shape: {np.shape(reference)} vs {np.shape(test)}.")
    magnitudes = []
    for image in (reference, test):
        luma = np.asarray(image, np.float64)
        luma = luma @ [0.299, 0.587, 0.114] if luma.ndim == 3 else luma  # the paper's grey level
        luma = luma[shave : luma.shape[0] - shave, shave : luma.shape[1] - shave]
        luma = luma[: luma.shape[0] // 2 * 2, : luma.shape[1] // 2 * 2]
        half = (luma[0::2, 0::2] + luma[1::2, 0::2] + luma[0::2, 1::2] + luma[1::2, 1::2]) / 4  # 2x2 means
        dx, dy = convolve2d(half, PREWITT, mode="same"), convolve2d(half, PREWITT.T, mode="same")
        magnitudes.append(np.hypot(dx, dy))
    ref, out = magnitudes
    similarity = (2 * ref * out + constant) / (ref**2 + out**2 + constant)
    return float(np.std(similarity, ddof=1))


# %% [markdown]
# On the degraded test photos, lower is better:

# %% tags=["nbval-ignore-output"]
outputs = {"bicubic": lambda lr: eh.images.upscale_bicubic(lr, 4)}
outputs |= {name: lambda lr, net=net: eh.inference.upscale(net, lr) for name, net in models.items()}
mean_gmsd = {}
for name, upscale in outputs.items():
    scores = [gmsd(hr, upscale(lr), shave=4) for lr, hr in degraded_test]
    mean_gmsd[name] = np.mean(scores)
    print(f"{name:30s} GMSD {mean_gmsd[name]:.4f}  ({', '.join(f'{score:.4f}' for score in scores)})")

# %% [markdown]
# Do the three measures agree on who beats bicubic on the degraded test photos (means over the six photos)?
# Each model's difference from bicubic follows (taken before rounding); for GMSD lower is better, so a negative
# difference wins.

# %% tags=["nbval-ignore-output"]
ssim = {(row["input"], row["method"]): row["ssim_y"] for row in rows}


def ahead_of_bicubic(name):
    """Which measures put ``name`` ahead of bicubic on the degraded test photos: {measure: True/False}."""
    return {
        "PSNR": lead["degraded", name] > 0,
        "SSIM": ssim["degraded", name] > ssim["degraded", "bicubic"],
        "GMSD": mean_gmsd[name] < mean_gmsd["bicubic"],
    }


lines = []
for name in models:
    verdict = ahead_of_bicubic(name)
    ahead = [measure for measure, wins in verdict.items() if wins]
    behind = [measure for measure, wins in verdict.items() if not wins]
    margins = (
        f"PSNR {lead['degraded', name]:+.2f} dB, SSIM {ssim['degraded', name] - ssim['degraded', 'bicubic']:+.4f}, "
        f"GMSD {mean_gmsd[name] - mean_gmsd['bicubic']:+.4f}"
    )
    if not behind:
        lines.append(f"- **{name}**: ahead of bicubic by all three measures ({margins}).")
    else:
        lines.append(
            f"- **{name}**: the measures disagree: ahead by {', '.join(ahead) or 'none'}, behind by "
            f"{', '.join(behind)} ({margins})."
        )
display(Markdown("\n".join(lines)))

# %% [markdown]
# Monarch again, degraded the evaluation way (a validation photo: the curves above scored it), upscaled by bicubic,
# the shipped model and the fine-tune mixed with clean patches:

# %%
course.plotting.show_comparison(
    lr_degraded,
    hr,
    {
        "bicubic": eh.images.upscale_bicubic(lr_degraded, 4),
        "shipped EDSR": eh.inference.upscale(shipped, lr_degraded),
        "fine-tuned, mixed": eh.inference.upscale(model, lr_degraded),
    },
    crop=crop,
)

# %% [markdown]
# What is gained: on degraded inputs the recipe's fine-tune leads bicubic by more than the shipped model does.
# What is lost: on clean bicubic inputs it scores below the shipped model. No single model here is best for
# both; pick the one whose training degradation matches your photos.

# %% [markdown]
# The widget below needs a live kernel (on a static page its cell is empty). Compare the two models yourself on
# the test photos, their LR made by the evaluation degradation: below the row, *shipped ×4* faces *fine-tuned*
# (the run mixed with clean patches), split or side by side; move the crop to a flat area (sky, skin, a wall),
# where noise shows most. Each panel shows PSNR and SSIM against the original, on the crop and on the whole photo.
# To try a photo of your own, set *uploads are* to *the original: LR camera-like* (the widget degrades your
# original the way the test photos were) or to *an HR + LR pair* you made, then upload.

# %% tags=["nbval-ignore-output", "live-widget"]
camera_like = [
    eh.presentation.widgets.Photo(f"{name} (camera-like LR)", lr, hr)
    for name, (lr, hr) in zip(eh.samples.photo_names("test"), degraded_test, strict=True)
]
widget = eh.presentation.widgets.crop_compare(
    shipped, name="shipped ×4", photos=camera_like, others={"fine-tuned": model}
)
widget.left.label, widget.right.label = "shipped ×4", "fine-tuned"
widget

# %% [markdown]
# ## Summary
#
# - A model learns the degradation it was trained on; real photos carry blur, noise and compression, and the
#   shipped ×4's lead over bicubic shrinks on them.
# - A random, second-order degradation pipeline (a simplified Real-ESRGAN) makes training pairs that look real;
#   every training patch draws its own.
# - Fine-tuning from bicubic-trained weights with the same `fit` trades clean-input quality for degraded-input
#   quality: the shipped model scores highest on clean inputs, and both fine-tunes beat it on degraded ones.
# - Whether clean patches mixed into the training keep the clean-input quality is an experiment: two runs that
#   differ in that one setting, scored on photos neither saw.
# - GMSD measures something PSNR does not, how evenly the edges survive across the photo; whether it ranks the
#   models differently is measured above, not assumed.
#
# This run's numbers:

# %% tags=["nbval-ignore-output"]
display(
    Markdown(
        f"- Test photos, degraded LR, over bicubic: shipped {lead['degraded', shipped_name]:+.2f} dB, fine-tuned "
        f"{lead['degraded', mixed_name]:+.2f} dB; clean LR: shipped {lead['clean', shipped_name]:+.2f} dB, "
        f"fine-tuned {lead['clean', mixed_name]:+.2f} dB ({runs['mixed with clean'].total_steps} steps).\n"
        f"- {recipe.clean_share:.0%} clean patches against none, same steps and seed: "
        f"{share_on['clean']:+.2f} dB on clean test inputs, {share_on['degraded']:+.2f} dB on degraded ones.\n"
        f"- GMSD on the degraded test photos: shipped {mean_gmsd[shipped_name]:.4f}, fine-tuned "
        f"{mean_gmsd[mixed_name]:.4f}, bicubic {mean_gmsd['bicubic']:.4f}."
    )
)

# %% [markdown]
# ## Exercises
#
# Each exercise ends with a checker that answers ✅ or ❌ with a hint (never with the answer). Replace the
# `None` or the `raise NotImplementedError` with your answer and run the cell; where a question asks *why*, write
# your answer in the cell below it.
#
# **1. Which piece costs most?** (guess, then measure). The evaluation degradation is blur (σ = 1.2), bicubic
# downscaling, noise (σ = 5) and JPEG (quality 75). **Guess first**: which of blur, noise and JPEG, alone with the
# downscaling, costs the shipped ×4 most on monarch? Write `"blur"`, `"noise"` or `"jpeg"` in `guess`. Then
# measure with the functions written above and `size = (hr.shape[1] // 4, hr.shape[0] // 4)`: clean is
# `resize(hr, size, "bicubic")`; blur is `resize(blur(hr, gaussian_kernel(1.2)), size, "bicubic")`; noise is
# `gaussian_noise(resize(hr, size, "bicubic"), 5.0, np.random.default_rng(0))`, on the float resize before any
# rounding; JPEG is `jpeg(clean, 75)`; each rounded and clipped to
# uint8 at the end. Upscale each with `eh.inference.upscale(shipped, lr)` and score it against `hr` on the Y
# channel with a border of 4 pixels shaved (`eh.metrics.psnr(hr, sr, shave=4, y_only=True)`); fill `costs` with
# the clean score minus each piece's score.

# %%
_, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
guess = None  # "blur", "noise" or "jpeg": the piece you expect to cost most, before measuring
costs = {}  # {"blur": dB, "noise": dB, "jpeg": dB}: clean PSNR minus the PSNR with that piece
course.exercises.check_costliest_degradation(guess, costs)

# %% [markdown]
# *Your answer*: why does the costliest piece cost the shipped model so much? Measure what the same three pieces
# cost bicubic (`eh.images.upscale_bicubic(lr, 4)`) and compare.

# %% [markdown]
# **2. Photon noise** (reason). With `poisson_noise(image, photons_per_level=2, ...)`, a pixel of grey level 50
# and one of grey level 200 get noise of which standard deviation, in grey levels? (Poisson counts have a variance
# equal to their mean; the pixel counts `level × photons_per_level` photons.)

# %%
noise_dark = None  # standard deviation at grey level 50
noise_bright = None  # at grey level 200
course.exercises.check_photon_noise(noise_dark, noise_bright)

# %% [markdown]
# *Your answer*: the bright pixel gets more noise, in grey levels. Why, then, is a dark photo taken at night
# noisier than the same scene by day?

# %% [markdown]
# **3. A misaligned patch** (debug). `broken_patch` cuts a training patch as `degraded_patch` does, simplified:
# the fixed evaluation degradation, no random flip or turn, a 24-pixel LR patch and a margin of 4 LR pixels. Its
# pairs do not match. `eh.data.alignment_psnr(lr_patch, hr_patch, 4)` scores how well an LR patch matches its HR
# patch: a clean pair scores `inf` (its LR is exactly its HR shrunk), a degraded pair lower, a shifted pair far
# lower.
# Find the bug, set `shift` to the number of HR pixels by which the HR patch is off (each way), and write the
# repaired function as `my_patch(lr, hr, seed)`: change only where the HR patch is cut, and keep the crop, the
# seed and the degradation as given. The checker compares its pairs with the right ones on monarch for
# seeds 0–3.


# %%
def broken_patch(lr, hr, seed, scale=4, lr_patch_size=24, margin=4):
    _, hr_region = random_crop_pair(lr, hr, seed, scale=scale, lr_patch_size=lr_patch_size + 2 * margin)
    lr_region = degrade_for_evaluation(hr_region, scale)
    lr_patch = lr_region[margin : margin + lr_patch_size, margin : margin + lr_patch_size]
    hr_patch = hr_region[margin : margin + lr_patch_size * scale, margin : margin + lr_patch_size * scale]
    return lr_patch, hr_patch


lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
clean_pair = random_crop_pair(lr, hr, 0, scale=4, lr_patch_size=24)
print(f"seed 0, a clean pair:   alignment {eh.data.alignment_psnr(*clean_pair, 4):.1f} dB")
print(f"seed 0, broken_patch's: alignment {eh.data.alignment_psnr(*broken_patch(lr, hr, 0), 4):.1f} dB")

# %%
shift = None  # HR pixels by which broken_patch's HR patch is off, each way
my_patch = broken_patch  # replace with your repaired function
course.exercises.check_patch_alignment(shift, my_patch)

# %% [markdown]
# *Your answer*: in which unit is the margin counted, and why does the repaired pair still score below a clean
# one?

# %% [markdown]
# **4. When does EDSR stop helping?** (guess, then measure). Take monarch's clean LR image `lr`, add Gaussian
# noise of σ = 2, 5, 10 and 20 grey levels, each σ's noise drawn from a fresh generator:
# `gaussian_noise(lr.astype(float), sigma, np.random.default_rng(0))`, then round and clip to uint8. Upscale each
# with the shipped model (`eh.inference.upscale(shipped, noisy)`) and with bicubic
# (`eh.images.upscale_bicubic(noisy, 4)`). **Guess first** the smallest σ at which bicubic scores higher, or
# `"never"`. Then fill `gains` with EDSR's PSNR minus bicubic's for each σ, both against `hr` on the Y channel
# with a border of 4 pixels shaved.

# %%
lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
guess = None  # the smallest sigma (2, 5, 10 or 20) at which you expect bicubic to win, or "never"
gains = {}  # {sigma: EDSR PSNR - bicubic PSNR}
course.exercises.check_noise_crossover(guess, gains)

# %% [markdown]
# *Your answer*: EDSR beats bicubic on the clean LR image. Why does its lead shrink as the noise grows, and what
# did you find at the largest σ?
