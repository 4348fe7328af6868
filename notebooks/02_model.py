# %% [markdown]
# # 02 · Model: residual blocks, pixel shuffle and EDSR
#
# [![Open-in-Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/edsr-course/edsr-notebooks/blob/main/notebooks/02_model.ipynb)
#
# EDSR is a plain idea done carefully: many residual blocks that work at the *low* resolution, and one
# learned upsampler at the end. In this notebook you will:
#
# 1. see why EDSR removes batch normalization, on a real photo patch;
# 2. build the residual block, with the residual scaling that lets the big model train;
# 3. watch pixel shuffle rearrange a tensor small enough to read by eye;
# 4. assemble EDSR, check its parameter count against the paper, and count its cost and reach;
# 5. run it once on a real photo (untrained, so expect nothing good yet) and save and reload it safely.

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
# ## Why no batch normalization?
#
# ResNet-style networks put batch normalization (BN) after each convolution: it rescales every feature map to
# zero mean and unit variance *over the batch*, which steadies the training of classifiers (Ioffe & Szegedy,
# 2015); a cat is a cat in a darker batch. A super-resolution network must reproduce absolute intensities, and
# Lim et al. argue that BN takes away exactly that "range flexibility". A real batch shows it: 8 patches of one
# photo through one random convolution, with and without BN, then the same 8 patches at half brightness:

# %% tags=["nbval-ignore-output"]
demo = course.lessons.batch_norm_demo(eh.samples.load_photo("monarch"), dim_factor=0.5)
for name in ("conv", "conv+bn"):
    bright, dim = demo[name]
    print(
        f"{name:<8} first patch, bright batch: {bright.min():8.2f} .. {bright.max():7.2f}   "
        f"half-as-bright batch: {dim.min():8.2f} .. {dim.max():7.2f}"
    )
other = demo["conv+bn, other batch"]
print(f"conv+bn  first patch among 7 other patches: {other.min():8.2f} .. {other.max():7.2f}")

# %%
conv_range = (demo["conv"][0].min(), demo["conv"][0].max())  # one colour scale per pair, to compare values
bn_range = (demo["conv+bn"][0].min(), demo["conv+bn"][0].max())
course.plotting.show_grid(
    [demo["patch"], *demo["conv"], *demo["conv+bn"]],
    ["first patch", "conv: bright", "conv: half as bright", "conv+BN: bright", "conv+BN: half as bright"],
    value_ranges=[None, conv_range, conv_range, bn_range, bn_range],
    size=2.6,
)

# %% [markdown]
# Without BN the dim batch's features are exactly half the bright ones (the convolution is linear). With BN the
# two are the same: "how bright was this batch?" is gone, and later layers cannot put it back. A patch's
# normalized features also depend on which patches share its batch (the last line), while at test time BN uses
# running averages, a mismatch between training and use. Lim et al. removed BN from every block, which also
# saves the memory its activations take, and the network trained better without it.
#
# ## The residual block
#
# Each block computes a correction to its input: `x + res_scale · conv(relu(conv(x)))`. No BN, and no ReLU
# after the addition, so features can be negative and keep their scale through the whole stack.

# %% [markdown]
# Here it is as a Keras layer. This cell *is* the package's code: `edsr_helpers` takes it from here, so the model
# you build in this notebook is the one notebooks 03 and 04 train and run. The decorator registers the layer
# under a fixed name, so a saved model can be loaded again without running any code from the file
# (`safe_mode=True`, at the end of this notebook). It is Keras's `keras.saving.register_keras_serializable` with
# one check more: a name already held by a different class is an error.

# %%
#| export architecture
import keras
from keras import layers, ops

from edsr_helpers.constants import DIV2K_RGB_MEAN, SCALES
from edsr_helpers.serialization import register_serializable

PACKAGE = "edsr_helpers"  # the registered names are "edsr_helpers>ResidualBlock" etc.


@register_serializable(package=PACKAGE)
class ResidualBlock(layers.Layer):
    """EDSR's residual block: ``x + res_scale * conv(relu(conv(x)))``, without batch normalization."""

    def __init__(self, num_filters: int = 64, res_scale: float = 1.0, kernel_size: int = 3, **kwargs):
        super().__init__(**kwargs)
        self.num_filters = int(num_filters)
        self.res_scale = float(res_scale)
        self.kernel_size = int(kernel_size)
        self.conv1 = layers.Conv2D(num_filters, kernel_size, padding="same", dtype=self.dtype_policy)
        self.conv2 = layers.Conv2D(num_filters, kernel_size, padding="same", dtype=self.dtype_policy)

    def build(self, input_shape):
        self.conv1.build(input_shape)
        self.conv2.build(self.conv1.compute_output_shape(input_shape))

    def call(self, inputs):
        residual = self.conv2(ops.relu(self.conv1(inputs)))
        if self.res_scale != 1.0:
            residual = residual * ops.cast(self.res_scale, residual.dtype)
        return inputs + residual  # no ReLU after the addition

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {"num_filters": self.num_filters, "res_scale": self.res_scale, "kernel_size": self.kernel_size}
        return {**super().get_config(), **config}


# %% [markdown]
# `res_scale` is 1 in the baseline model. For the full model, 256 filters wide, the paper reports that training
# became unstable, and that multiplying each block's correction by 0.1 before adding it cured that. Why? Each
# block *adds* to what it received, so the additions pile up. Measure it on a freshly initialised stack shaped
# like the full model (32 blocks of 256 filters) and like the baseline (16 of 64), from the same weights and the
# same input, only the scaling changed:

# %% tags=["nbval-ignore-output"]
import matplotlib.pyplot as plt

full = course.lessons.residual_growth((1.0, 0.1), depth=32, num_filters=256)
baseline = course.lessons.residual_growth((1.0,), depth=16, num_filters=64)
plt.figure(figsize=(5, 3))
for label, spreads in (
    ("full, res_scale 1.0", full[1.0]),
    ("full, res_scale 0.1", full[0.1]),
    ("baseline, res_scale 1.0", baseline[1.0]),
):
    plt.semilogy(range(1, len(spreads) + 1), spreads, label=label)
plt.xlabel("residual block")
plt.ylabel("spread of the features (std)")
plt.legend()
plt.grid(alpha=0.3)
plt.show()
print(
    f"after 32 wide blocks: x{full[1.0][-1]:.0f} (res_scale 1.0), x{full[0.1][-1]:.2f} (0.1); "
    f"after the baseline's 16: x{baseline[1.0][-1]:.1f}"
)

# %% [markdown]
# At initialisation the wide stack multiplies the spread of its features by hundreds without scaling, and
# hardly at all with 0.1; the narrow baseline grows far less, which is why it trains without scaling. Huge
# activations mean huge gradients in the first steps, which is where the instability the paper saw begins; the
# measurement shows the mechanism, not the training run itself.

# %% [markdown]
# ## Upsampling with pixel shuffle
#
# All residual blocks run at the low resolution, which is what makes EDSR affordable. Only at the end does the
# image grow: a convolution produces `r × r` times more channels, and **pixel shuffle** moves those channels
# into an `r × r` block of new pixels. Here is a 2×2 image with 4 channels, numbered so you can follow every
# value:

# %%
x = np.arange(16, dtype="float32").reshape(1, 2, 2, 4)
for row in range(2):
    for column in range(2):
        print(f"pixel ({row}, {column}) channels: {x[0, row, column].astype(int)}")

# %% [markdown]
# The rearrangement is a reshape and a transpose: split the channels into an `r × r` grid, put each grid row
# next to its image row, and merge. Keras 3.14+ has it built in as `keras.ops.depth_to_space`; the layer uses
# that where it exists and the same three lines on older Keras, such as Colab's:


# %%
#| export architecture
def pixel_shuffle(x, block_size: int):
    """``(B, H, W, C*r*r) -> (B, H*r, W*r, C)``: channel ``(i*r + j)*C + c`` goes to sub-pixel ``(i, j)``."""
    if hasattr(ops, "depth_to_space"):
        return ops.depth_to_space(x, block_size)
    return pixel_shuffle_by_reshape(x, block_size)


def pixel_shuffle_by_reshape(x, block_size: int):
    """The same rearrangement spelled out, for Keras versions without ``depth_to_space``."""
    batch, height, width, channels = ops.shape(x)
    out_channels = channels // (block_size * block_size)
    x = ops.reshape(x, (batch, height, width, block_size, block_size, out_channels))
    x = ops.transpose(x, (0, 1, 3, 2, 4, 5))  # (B, H, r, W, r, C): each pixel's r x r block in place
    return ops.reshape(x, (batch, height * block_size, width * block_size, out_channels))


@register_serializable(package=PACKAGE)
class PixelShuffle(layers.Layer):
    """Sub-pixel upsampling (Shi et al., 2016): cheaper than convolving at high resolution, no checkerboard."""

    def __init__(self, block_size: int, **kwargs):
        super().__init__(**kwargs)
        self.block_size = int(block_size)

    def call(self, inputs):
        return pixel_shuffle(inputs, self.block_size)

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        r = self.block_size
        height, width = (None if size is None else size * r for size in (height, width))
        return (batch, height, width, channels // (r * r))

    def get_config(self):
        return {**super().get_config(), "block_size": self.block_size}


# %%
shuffled = np.asarray(PixelShuffle(block_size=2)(x))
print(shuffled.shape)
print(shuffled[0, :, :, 0].astype(int))

# %% [markdown]
# Each input pixel became a 2×2 block: its four channels, read row by row. The output has 4× the pixels and a
# quarter of the channels; nothing was computed, only moved. The convolution before it does the learning:
# it decides the value of every sub-pixel from the low-resolution neighbourhood.
#
# ×2 and ×3 use one such step (4 or 9 times the channels); ×4 uses two ×2 steps, as in the paper:


# %%
#| export architecture
def upsampling_factors(scale: int) -> tuple[int, ...]:
    """Pixel-shuffle steps for ``scale``: x2 and x3 in one step, x4 as two x2 steps (as in the paper)."""
    if scale not in SCALES:
        raise ValueError(f"EDSR upscales by {', '.join(map(str, SCALES))}; got scale={scale!r}.")
    return (2, 2) if scale == 4 else (scale,)


# %% [markdown]
# ## The whole model
#
# EDSR works on plain 0–255 pixel values. It subtracts the DIV2K mean colour at the input, so the convolutions
# see zero-centred data, and adds it back at the output:


# %%
#| export architecture
@register_serializable(package=PACKAGE)
class MeanShift(layers.Layer):
    """Add ``sign * mean`` to each RGB channel (-1 at the input, +1 at the output)."""

    def __init__(self, sign: float = -1.0, mean: tuple[float, float, float] = DIV2K_RGB_MEAN, **kwargs):
        super().__init__(**kwargs)
        self.sign = float(sign)
        self.mean = tuple(float(value) for value in mean)

    def call(self, inputs):
        shift = ops.convert_to_tensor([self.sign * value for value in self.mean], dtype=self.compute_dtype)
        return ops.cast(inputs, self.compute_dtype) + shift

    def get_config(self):
        return {**super().get_config(), "sign": self.sign, "mean": list(self.mean)}


# %% [markdown]
# Now the wiring, top to bottom: the mean shift, a head convolution, the residual blocks, a convolution and a
# *global* skip connection around the whole body, the upsampler (one convolution and pixel shuffle per
# factor), a tail convolution to 3 colours, and the mean added back. This function is the architecture:


# %%
#| export architecture
def edsr_graph(scale: int, num_res_blocks: int, num_filters: int, res_scale: float):
    """EDSR's layers, wired: the input and output tensors of the model."""
    inputs = keras.Input(shape=(None, None, 3), name="lr")  # any image size
    x = MeanShift(sign=-1.0, name="subtract_mean")(inputs)
    head = x = layers.Conv2D(num_filters, 3, padding="same", name="head")(x)
    for index in range(num_res_blocks):
        x = ResidualBlock(num_filters, res_scale, name=f"res_block_{index + 1}")(x)
    x = layers.Conv2D(num_filters, 3, padding="same", name="body_end")(x)
    x = layers.Add(name="global_skip")([head, x])
    for index, factor in enumerate(upsampling_factors(scale), start=1):
        x = layers.Conv2D(num_filters * factor * factor, 3, padding="same", name=f"upsample_conv_{index}")(x)
        x = PixelShuffle(factor, name=f"pixel_shuffle_{index}")(x)
    x = layers.Conv2D(3, 3, padding="same", name="tail")(x)
    outputs = MeanShift(sign=1.0, name="add_mean", dtype="float32")(x)  # float32 out, also in mixed precision
    return inputs, outputs


# %% [markdown]
# Wrapped as a `keras.Model` subclass whose saved config is just `scale`, `num_res_blocks`, `num_filters` and
# `res_scale`: a loaded file knows its scale (`model.scale`), and loading rebuilds the graph from those facts.


# %%
#| export architecture
@register_serializable(package=PACKAGE)
class EDSR(keras.Model):
    """EDSR as a functional Keras model that remembers what it was built from."""

    def __init__(self, scale=4, num_res_blocks=16, num_filters=64, res_scale=1.0, **kwargs):
        inputs, outputs = edsr_graph(scale, num_res_blocks, num_filters, res_scale)
        kwargs.setdefault("name", f"edsr_x{scale}")
        super().__init__(inputs, outputs, **kwargs)
        self.scale = int(scale)
        self.num_res_blocks = int(num_res_blocks)
        self.num_filters = int(num_filters)
        self.res_scale = float(res_scale)

    def get_config(self):
        facts = ("name", "trainable", "scale", "num_res_blocks", "num_filters", "res_scale")
        return {key: getattr(self, key) for key in facts}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


def edsr(scale: int = 4, num_res_blocks: int = 16, num_filters: int = 64, res_scale: float = 1.0, *, name=None):
    """EDSR for 0-255 images of any size: ``(B, H, W, 3) -> (B, H*scale, W*scale, 3)`` float32, not clipped.

    16 blocks x 64 filters is the baseline; 32 x 256 with ``res_scale=0.1`` the paper's full model.
    """
    return EDSR(scale, num_res_blocks, num_filters, res_scale, name=name or f"edsr_x{scale}")


# %% [markdown]
# The baseline ×4 model, drawn from its own layers (blue boxes work at the low resolution, orange ones after a
# pixel shuffle; almost all parameters, and all 16 blocks, are blue):

# %%
model = edsr(scale=4)  # the baseline: 16 blocks of 64 filters
course.plotting.show_architecture(model)

# %% [markdown]
# Keras's own summary lists the same layers:

# %%
model.summary(line_length=96)

# %% [markdown]
# The count can be derived by hand. A 3×3 convolution from `c_in` to `c_out` channels has
# `9·c_in·c_out + c_out` parameters, so with 64 filters: head `9·3·64 + 64 = 1,792`; 16 blocks of two convs,
# `16 · 2 · 36,928 = 1,181,696`; the body's last conv `36,928`; two upsampling convs to 256 channels,
# `2 · 147,712 = 295,424`; the tail `9·64·3 + 3 = 1,731`. Total **1,517,571**, the "1.52M" that the official EDSR code
# (EDSR-PyTorch) lists for this model. The same formula for every variant:

# %%
eh.presentation.tables.show_table(*eh.model.architecture_table())

# %% [markdown]
# Two more columns to read:
#
# - **FLOPs per output pixel**: the work per pixel produced. Most of it is spent at the low resolution, which
#   is why ×4 is *cheaper* per output pixel than ×2. Full EDSR costs ~25× the baseline.
# - **Receptive field**: how many LR pixels (across) one output pixel can see. Each 3×3 convolution widens it
#   by 2 pixels at its own resolution. We can also *measure* it: the input pixels with a non-zero gradient for
#   one output pixel are exactly the ones it depends on.

# %%
measured = eh.model.measure_receptive_field(model, lr_size=96)
formula = eh.model.receptive_field(4, 16)
print(f"receptive field of the baseline x4: formula {formula:.1f}, measured {measured} LR pixels")

# %% [markdown]
# ## A first forward pass
#
# The model takes an image of any size. Here is a validation photo at ×4, next to bicubic upscaling. The model
# is **untrained**: its random weights turn the photo into a noisy texture, far below bicubic. That is the
# starting point notebook 03 trains from.

# %% tags=["nbval-ignore-output"]
lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
sr = eh.inference.super_resolve(model, lr)
bicubic = eh.images.upscale_bicubic(lr, 4)
for name, image in [("bicubic", bicubic), ("EDSR, untrained", sr)]:
    print(f"{name:<16} PSNR {eh.metrics.psnr(hr, image, shave=4, y_only=True):5.1f} dB")

# %%
course.plotting.show_grid(
    [lr, bicubic, sr, hr],
    [f"LR {course.plotting.size_label(lr)}", "bicubic", "EDSR, untrained", f"HR {course.plotting.size_label(hr)}"],
    size=3.2,
)

# %% [markdown]
# ## Saving and loading it back
#
# Every custom piece (`MeanShift`, `ResidualBlock`, `PixelShuffle`) is a registered Keras layer with a
# `get_config`, so the model saves to the `.keras` format and loads with `safe_mode=True`, which refuses
# arbitrary code. (The keras-io example's `Lambda` layers make its saved model unloadable.) The reloaded model
# gives exactly the same output:

# %%
import tempfile
from pathlib import Path

import keras

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "edsr_baseline_x4.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path, safe_mode=True)
lr_batch = lr[None, :32, :32].astype("float32")
print("largest difference after reload:", float(np.abs(model(lr_batch) - reloaded(lr_batch)).max()))

# %% [markdown]
# ## Summary
#
# - No batch normalization: it normalizes away the brightness an SR network must reproduce.
# - Residual blocks work at low resolution; residual scaling (0.1) keeps the wide full model stable.
# - Pixel shuffle turns channels into pixels; ×4 is two ×2 steps.
# - The baseline ×4 has 1,517,571 parameters, as published; the full model ~43M.
# - The model saves and reloads safely with the `.keras` format.
#
# Next, **03 · Training**: the L1 loss, honest PSNR metrics, mixed precision and the first model that beats
# bicubic.

# %% [markdown]
# ## Exercises
#
# Each exercise ends with a checker that answers ✅ or ❌ with a hint (never with the answer). Replace the
# `None` or the `raise NotImplementedError` with your code and run the cell. After you have tried,
# `course.exercises.show_solution("check_...")` shows a reference solution.
#
# **1. The residual block, by hand** (write code). With `keras.layers` only (`Conv2D`, `Rescaling`, `Add`),
# write `residual_block(x, num_filters, res_scale)` that takes a Keras tensor and returns
# `x + res_scale · conv(relu(conv(x)))`. The checker copies your weights into `eh.model.ResidualBlock` and
# compares the outputs, so it catches a misplaced ReLU or a forgotten `res_scale`.

# %%
import keras
from keras import layers


def residual_block(x, num_filters, res_scale):
    raise NotImplementedError  # your code: return the block's output tensor


course.exercises.check_residual_block(residual_block)


# %% [markdown]
# **2. One ×4 step instead of two ×2 steps** (write code). Starting from `edsr_graph` above, write
# `my_edsr_one_step(num_res_blocks, num_filters)` that returns a ×4 `keras.Model` whose upsampler is a single
# convolution to 16× the channels followed by `eh.model.PixelShuffle(4)`. Before you run the checker: will it have
# more or fewer parameters than EDSR's two ×2 steps? (The checker copies your weights into its own version and
# compares outputs.)


# %%
def my_edsr_one_step(num_res_blocks, num_filters):
    raise NotImplementedError  # your code: return keras.Model(inputs, outputs)


course.exercises.check_edsr_one_step(my_edsr_one_step)

# %% [markdown]
# **3. Counting by hand** (quick check). How many parameters does the upsampler of EDSR-baseline **×3** have?
# Work it out with the formula above, then check.

# %%
count = None  # your answer
course.exercises.check_upsampler_parameters(count)

# %% [markdown]
# **4. A deeper network sees further** (quick check). How many LR pixels across is the receptive field of a ×4
# EDSR with 24 residual blocks instead of 16? Reason from the value measured above rather than from the
# formula's code; a pixel either way is fine.

# %%
width = None  # your answer, in LR pixels
course.exercises.check_receptive_field(width)

# %% [markdown]
# **5. Pixel shuffle, backwards** (write code). Pixel shuffle moves channels into space. Write its inverse,
# `space_to_depth(x, r)`, with numpy `reshape` and `transpose` only: a batch `(B, H·r, W·r, C)` becomes
# `(B, H, W, C·r·r)`, such that `pixel_shuffle(space_to_depth(x, r), r)` gives back `x` exactly. (This is how
# some networks shrink an image without losing a single value.) Which channel must each sub-pixel `(i, j)` of a
# block land in?


# %%
def space_to_depth(x, r):
    raise NotImplementedError  # your code


course.exercises.check_space_to_depth(space_to_depth)
