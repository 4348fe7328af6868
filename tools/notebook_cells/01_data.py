"""Cells of notebooks/01_data.ipynb (built by tools/build_notebooks.py)."""

TITLE = "01 · Data: DIV2K pairs, the ×4 degradation and aligned augmentation"

INTRO = """
This series trains **EDSR** (Lim et al., 2017, *Enhanced Deep Residual Networks for Single Image
Super-Resolution*) from scratch with TensorFlow and Keras 3. A super-resolution network learns from pairs: a
low-resolution image (**LR**) and the high-resolution original (**HR**) it was made from.

In this notebook you will:

1. load LR/HR pairs of **DIV2K** with tensorflow-datasets (or real offline photos when there is no download)
2. make the ×4 bicubic degradation yourself and see what it destroys;
3. cut aligned training patches and augment them with rotations and flips;
4. check, with a number, that LR and HR stay aligned through all of it;
5. build the `tf.data` pipeline that feeds training, and measure its speed.

The code lives in the small `edsr_helpers` package; each cell calls one of its functions, and
`eh.show_source(...)` prints any of them when you want to read it.
"""

CELLS = [
    (
        "md",
        """
Every notebook starts the same way: fix the random seeds and print the **profile**, which decides how big
the work is (`ci` for the test suite, `cpu` for a laptop, `gpu` for Colab with DIV2K).
""",
    ),
    ("code", "import edsr_helpers as eh\n\nprofile = eh.setup()"),
    (
        "md",
        """
## DIV2K and the bicubic ×4 task

DIV2K is the dataset EDSR was trained on: 800 training and 100 validation photos of about 2040×1356 pixels,
varied scenes, no compression artefacts. For the *bicubic* track, each LR image was made from its HR image by
MATLAB's `imresize` (bicubic, antialiased) at ×2, ×3 or ×4.

A known, clean degradation is what makes the task well posed: the network has one thing to undo, and every
paper's numbers can be compared. At ×4 each LR pixel must become 16 HR pixels, the hardest of the three
standard scales, and the one this series trains.

`eh.data.load_div2k(scale=4, split="train")` returns DIV2K through tensorflow-datasets (a ~3.5 GB download
the first time, so it is what the `gpu` profile uses on Colab). Without that download, `eh.data.load_sample`
builds the same kind of pairs from real photographs that pip packages ship. `load_pairs` picks by profile:
""",
    ),
    (
        "code",
        """
train_pairs = eh.data.load_pairs(profile, "train")
val_pairs = eh.data.load_pairs(profile, "validation")
train_pairs.element_spec
""",
    ),
    (
        "md",
        """
Both loaders yield the same thing: `(lr, hr)` pairs of `uint8` RGB images of any size, HR exactly four times
LR. Everything downstream works on either. The offline set is split by photo, so no validation photo is ever
seen in training:
""",
    ),
    (
        "code",
        """
print("train:     ", ", ".join(eh.samples.photo_names("train")))
print("validation:", ", ".join(eh.samples.photo_names("validation")))
""",
    ),
    (
        "md",
        """
Let's look at a few training pairs. Both images are drawn at the same size on screen, so the LR image shows
its pixels: it has 1/16 of the HR image's pixels.
""",
    ),
    (
        "code",
        "some_pairs = list(train_pairs.take(3).as_numpy_iterator())\neh.plotting.show_pairs(some_pairs)",
    ),
    (
        "md",
        """
## Making the degradation yourself

A pair is made in two steps, as DIV2K's were: crop the HR photo so both sides divide by the scale, then shrink
it with an antialiased bicubic filter. `make_pair` does both, and converts greyscale, RGBA or 16-bit photos
to 8-bit RGB first. Here it is on the monarch photo:
""",
    ),
    (
        "code",
        """
lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
bicubic = eh.images.upscale_bicubic(lr, 4)
print(f"HR {eh.plotting.size_label(hr)} -> LR {eh.plotting.size_label(lr)}")
bicubic_psnr = eh.metrics.psnr(hr, bicubic, shave=4, y_only=True)
print(f"bicubic upscaling back to HR size: PSNR {bicubic_psnr:.2f} dB (Y channel, border of 4 px shaved)")
""",
    ),
    (
        "md",
        """
PSNR (peak signal-to-noise ratio) measures how close an image is to the original, in decibels: higher is
better, +1 dB is a clearly visible gain. Papers compute it on the brightness (Y) channel with a border of
`scale` pixels left out; notebook 03 explains both choices.

Zoom in on a wing: bicubic upscaling brings the size back, not the detail. The gap between the middle and
the right panel is what EDSR learns to close.
""",
    ),
    (
        "code",
        """
top, left, side = 40, 90, 32  # an LR region; the HR region is 4x larger
zoom = (slice(top * 4, (top + side) * 4), slice(left * 4, (left + side) * 4))
eh.plotting.show_grid(
    [lr[top : top + side, left : left + side], bicubic[zoom], hr[zoom]],
    ["LR (32×32 pixels)", "bicubic ×4", "HR (original)"],
    size=3.5,
)
""",
    ),
    (
        "md",
        """
## Training patches, cut in register

EDSR does not train on whole photos: it trains on small random patches (the paper uses 48×48 LR patches, so
192×192 HR patches at ×4), many per step. The crop must be *aligned*: the HR patch starts at the LR offset
times the scale, so every LR pixel sits over the 4×4 block of HR pixels it came from.
""",
    ),
    ("code", "eh.show_source(eh.data.random_crop_pair)"),
    (
        "md",
        """
The randomness is *stateless*: each crop gets its own seed, so the pipeline produces the same patches every
run, in any order of execution. Here is one crop of this profile's patch size:
""",
    ),
    (
        "code",
        """
import tensorflow as tf

lr_patch, hr_patch = eh.data.random_crop_pair(
    tf.constant(lr), tf.constant(hr), tf.constant([7, 1]), scale=4, lr_patch_size=profile.lr_patch_size
)
lr_patch, hr_patch = lr_patch.numpy(), hr_patch.numpy()
print("LR patch", lr_patch.shape, " HR patch", hr_patch.shape)
eh.plotting.show_grid([lr_patch, hr_patch], ["LR patch", "HR patch"])
""",
    ),
    (
        "md",
        """
## Rotations and flips

A photo turned by 90° or mirrored is still a valid photo, so each patch is shown to the network in one of
the 8 symmetries of a square: 4 rotations, each with or without a left-right flip. This multiplies the
data for free. (The keras-io example calls `ops.flip` without an axis, which flips height, width *and the
colour channels*, turning RGB into BGR; `flip_left_right` reverses the width axis only.)
""",
    ),
    (
        "code",
        """
variants = eh.data.all_transforms(lr_patch, hr_patch)
eh.plotting.show_grid([v[2] for v in variants], [v[0] for v in variants], columns=4, size=2.4)
""",
    ),
    (
        "md",
        """
## Do LR and HR stay aligned?

If an augmentation moved the LR patch relative to the HR patch, the network would be asked to produce
something the input does not determine, and it would learn to blur. So check it with a number: shrink each
augmented HR patch with the same bicubic filter and compare it with the augmented LR patch. Aligned pairs
agree up to rounding (the outermost 2 LR pixels are left out, because shrinking a patch alone cannot see the
pixels beyond its edge). As a contrast, the last row shifts the LR patch by one pixel.
""",
    ),
    (
        "code",
        """
for name, lr_t, hr_t in variants:
    print(f"{name:<14} {eh.data.alignment_psnr(lr_t, hr_t, scale=4):6.1f} dB")
shifted = tf.roll(lr_patch, shift=1, axis=1).numpy()
print(f"{'shifted 1 px':<14} {eh.data.alignment_psnr(shifted, hr_patch, scale=4):6.1f} dB")
""",
    ),
    (
        "md",
        """
All 8 symmetries stay above 35 dB, far from the ~20 dB of a one-pixel shift (`inf` means every pixel is
identical; quarter turns land at ~56 dB because PIL's filter rounds between its horizontal and vertical pass,
and a quarter turn swaps the two). The test suite checks the same property on random patches of every
photo. Seen as images, the difference is invisible even amplified ×10:
""",
    ),
    (
        "code",
        """
name, lr_t, hr_t = variants[5]
remade = eh.images.downscale(hr_t, 4)
difference = (abs(lr_t.astype(int) - remade.astype(int)) * 10).clip(0, 255).astype("uint8")
eh.plotting.show_grid([lr_t, remade, difference], [f"LR ({name})", "HR shrunk ×4", "|difference| × 10"])
""",
    ),
    (
        "md",
        """
## The input pipeline

`make_train_dataset` chains these steps with `tf.data`, so they run in parallel with training:

1. check each pair's sizes match the scale (a clear error otherwise) and skip images smaller than a patch;
2. shuffle images, and repeat forever;
3. cut several patches from each decoded image (decoding a 2K PNG costs far more than cropping it)
4. crop, rotate and flip each patch with its own seed;
5. shuffle patches of different images together, batch them, and prefetch the next batch.

Nothing is cached: the seed example's `cache()` keeps all of DIV2K decoded in memory (~7 GB), this pipeline
holds a few images at a time.
""",
    ),
    (
        "code",
        """
train_ds = eh.data.make_train_dataset_for(profile, train_pairs)
lr_batch, hr_batch = next(iter(train_ds))
print("LR batch", lr_batch.shape, lr_batch.dtype, "  HR batch", hr_batch.shape, hr_batch.dtype)
""",
    ),
    ("code", "eh.plotting.show_grid(list(hr_batch.numpy()[:8]), columns=8, size=1.6)"),
    (
        "md",
        """
How fast is it? With bfloat16 (notebook 03), one training step of 16 patches takes 0.1–0.3 s on a CPU with
bfloat16 units (0.115 s on an Intel Xeon with AMX), so training consumes at most ~140 patches per second. The
pipeline must deliver more than that (the number varies from run to run and machine to machine):
""",
    ),
    (
        "code",
        """
rate = eh.data.measure_throughput(train_ds, batches=40)
print(f"{rate:,.0f} patches/s delivered, {rate / 140:.1f}x what the fastest CPU training consumes")
""",
        ["nbval-ignore-output"],
    ),
    (
        "md",
        """
## When the input is wrong

A pipeline that silently trains on misaligned data wastes hours. Pairs whose sizes do not match the scale
stop with a message that says what is wrong; here an HR image cut 3 pixels too narrow:
""",
    ),
    (
        "code",
        """
bad_pairs = tf.data.Dataset.from_tensors((lr, hr[:, :-3]))
try:
    next(iter(eh.data.make_train_dataset(bad_pairs, scale=4, lr_patch_size=24, batch_size=1)))
except tf.errors.InvalidArgumentError as error:
    print(error.message.partition("assertion failed: ")[2].splitlines()[0])
""",
    ),
    (
        "md",
        """
## Summary

- DIV2K pairs come through tensorflow-datasets; offline, real photos from pip packages stand in, with the
  same element spec and the same bicubic degradation.
- Training patches are cut in register (HR offset = LR offset × scale) and augmented with the 8 symmetries
  of a square; a PSNR check proves LR and HR stay aligned.
- The `tf.data` pipeline streams, augments and batches patches faster than training consumes them.

Next, **02 · Model**: residual blocks without batch norm, the pixel-shuffle upsampler, and EDSR itself.
""",
    ),
]
