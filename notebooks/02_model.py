# %% [markdown]
# # 02 · Model: residual blocks, pixel shuffle and EDSR
#
# [![Open-in-Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/edsr-course/edsr-notebooks/blob/main/notebooks/02_model.ipynb)
#
# EDSR is a plain idea done carefully: many residual blocks that work at the *low* resolution, and one
# learned upsampler at the end. In this notebook you will:
#
# 1. see why EDSR removes batch normalization, on a real photo patch;
# 2. build the residual block, and measure what residual scaling changes, at initialisation and in training;
# 3. watch pixel shuffle rearrange a tensor small enough to read by eye;
# 4. assemble EDSR, check its parameter count against the table of the official EDSR code, and count its cost
#    and reach;
# 5. run it once on a real photo (untrained, so expect nothing good yet) and save and reload it safely.

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
# saves the memory its activations take, and report that the network trained better without it.
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
# one check more: a name already held by a different class is an error. The `dtype_policy` argument and the
# `cast` keep the block in whatever precision the model is built in (notebook 03 may train in 16-bit floats).

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
# `res_scale` is 1 in the baseline model. The paper reports that with more filters than a certain number training
# became numerically unstable, and that multiplying each block's correction by 0.1 before adding it cured that.
# But the full model differs from the baseline in two ways: it is twice as deep (32 blocks against 16) *and* four
# times as wide (256 filters against 64). To tell the two apart, measure each combination. Each block *adds* to
# what it received, so the additions can pile up: here is the spread of the features after every block of a
# freshly initialised stack, from the same input of spread 1, with and without scaling (in the figure a 16-block
# curve lies under the first 16 points of its 32-block one):

# %% tags=["nbval-ignore-output"]
import matplotlib.pyplot as plt

growth = {
    (depth, width): course.lessons.residual_growth((1.0, 0.1), depth=depth, num_filters=width)
    for depth in (16, 32)
    for width in (64, 256)
}
plt.figure(figsize=(6, 3.2))
for (depth, width), spreads in growth.items():
    line = plt.semilogy(range(1, depth + 1), spreads[1.0], label=f"{depth} x {width}, res_scale 1")
    plt.semilogy(range(1, depth + 1), spreads[0.1], ":", color=line[0].get_color())
plt.xlabel("residual block")
plt.ylabel("spread of the features (std)")
plt.title("dotted: the same stacks with res_scale 0.1", fontsize=9)
plt.legend(fontsize=8)
plt.grid(alpha=0.3)
plt.show()

# %% [markdown]
# The growth after the last block, side by side:

# %% tags=["nbval-ignore-output"]
from IPython.display import Markdown, display

eh.presentation.tables.show_table(
    ["blocks", "64 filters", "256 filters", "256 filters, res_scale 0.1"],
    [
        [depth, f"×{growth[depth, 64][1.0][-1]:.1f}", f"×{growth[depth, 256][1.0][-1]:.1f}"]
        + [f"×{growth[depth, 256][0.1][-1]:.2f}"]
        for depth in (16, 32)
    ],
)
by_width = [growth[depth, 256][1.0][-1] / growth[depth, 64][1.0][-1] for depth in (16, 32)]
by_depth = [growth[32, width][1.0][-1] / growth[16, width][1.0][-1] for width in (64, 256)]
display(
    Markdown(
        f"Four times the width multiplies the growth by {min(by_width):.1f} to {max(by_width):.1f}; twice the "
        f"depth multiplies it by {min(by_depth):.0f} to {max(by_depth):.0f}. With 0.1, no stack grows beyond "
        f"×{max(spreads[0.1][-1] for spreads in growth.values()):.2f}."
    )
)

# %% [markdown]
# Depth makes the features pile up far more than width does. With Keras's default (Glorot) initialisation a
# convolution keeps the spread of its input whatever its width, so every block adds about the same share of what
# it received, and the shares compound block after block (a small difference per block compounds too). A 32-block
# stack of 64 filters also grows by hundreds. So the growth at initialisation does not single out the width,
# which is what the paper's trouble came with. Does the width change anything once training starts, and does
# scaling by 0.1 undo it? Train, and watch.
#
# ## Does width 256 need the scaling? A short training run
#
# Three stacks of the same depth learn ×2 on the same batches of patches from the training photos: 64 filters
# without scaling (the baseline's choice), 256 without, and 256 with 0.1. The two 256-filter stacks start from the
# same weights, so they differ only in the scaling; the 64-filter stack's weights have other shapes, so they are
# drawn apart. They use the L1 loss and Adam at the learning rate notebook 03 trains with, but without its
# warm-up (a warm-up is itself a cure for an unstable start) and in float32. Each step records the loss and the
# size (L2 norm) of the gradient before Adam uses it. The run is small on a CPU and larger on a GPU:

# %% tags=["nbval-ignore-output"]
size = course.lessons.SCALING_RUN_SIZES[profile.name]
depth, narrow, wide = size["num_res_blocks"], size["narrow"], size["wide"]
batches = course.lessons.scaling_batches(
    size["steps"], lr_patch_size=size["lr_patch_size"], batch_size=size["batch_size"]
)
runs = {}
for label, width, res_scale in (
    (f"{narrow} filters, res_scale 1", narrow, 1.0),
    (f"{wide} filters, res_scale 1", wide, 1.0),
    (f"{wide} filters, res_scale 0.1", wide, 0.1),
):
    runs[label] = course.lessons.residual_scaling_run(
        res_scale, batches, num_res_blocks=depth, num_filters=width, learning_rate=profile.recipe.learning_rate
    )
    print(f"{label}: {len(runs[label]['loss'])} steps in {runs[label]['seconds']:.0f} s")

# %%
figure, (loss_axis, norm_axis) = plt.subplots(1, 2, figsize=(10, 3.2))
for label, run in runs.items():
    steps = range(1, len(run["loss"]) + 1)
    loss_axis.semilogy(steps, run["loss"], label=label)
    norm_axis.semilogy(steps, run["gradient_norm"], label=label)
loss_axis.set(xlabel="training step", ylabel="L1 loss (0-255 scale)", title=f"{depth} blocks, each step's loss")
norm_axis.set(xlabel="training step", ylabel="gradient norm", title="each step's gradient, before Adam")
for axis in (loss_axis, norm_axis):
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
figure.tight_layout()
plt.show()

# %% [markdown]
# In numbers (a *spike* is a step whose loss is more than twice the median of the ten steps before it):

# %% tags=["nbval-ignore-output"]
summary = {label: course.lessons.summarize_scaling_run(run) for label, run in runs.items()}
eh.presentation.tables.show_table(
    ["stack", "first loss", "largest loss", "spikes", "largest gradient", "median gradient", "NaN", "final loss"],
    [
        [label, f"{s['first_loss']:.1f}", f"{s['largest_loss']:.1f}", s["spikes"]]
        + [f"{s['largest_gradient_norm']:,.0f}", f"{s['median_gradient_norm']:,.0f}"]
        + [f"at step {s['first_nan_step']}" if s["first_nan_step"] else "none", f"{s['final_loss']:.1f}"]
        for label, s in summary.items()
    ],
)
narrow_run, wide_run, scaled_run = summary.values()
nan_runs = [label for label, s in summary.items() if s["first_nan_step"]]
display(
    Markdown(
        f"Without scaling, the {wide}-filter stack's loss went from {wide_run['first_loss']:.0f} to as much as "
        f"{wide_run['largest_loss']:,.0f} ({wide_run['spikes']} spike(s)); its largest gradient was "
        f"{wide_run['largest_gradient_norm'] / scaled_run['largest_gradient_norm']:.0f} times the scaled stack's "
        f"and {wide_run['largest_gradient_norm'] / narrow_run['largest_gradient_norm']:.0f} times the "
        f"{narrow}-filter stack's. "
        + (f"NaN appeared in: {', '.join(nan_runs)}. " if nan_runs else "No run produced a NaN. ")
        + f"After {wide_run['steps']} steps the losses are {wide_run['final_loss']:.1f} (wide, unscaled), "
        f"{scaled_run['final_loss']:.1f} (wide, 0.1) and {narrow_run['final_loss']:.1f} (narrow, unscaled)."
    )
)

# %% [markdown]
# The first column is easy to misread:

# %% tags=["nbval-ignore-output"]
highest = max(summary, key=lambda label: summary[label]["first_loss"])
start = summary[highest]
display(
    Markdown(
        "The first loss is each untrained model's error on the same first batch, computed before its first update: "
        f"it depends only on how the model starts. The two {wide}-filter stacks share their weights, so their first "
        f"losses ({wide_run['first_loss']:.1f} and {scaled_run['first_loss']:.1f}) differ by the scaling alone; "
        f"the {narrow}-filter stack starts from other weights. The stack “{highest}” started highest "
        f"({start['first_loss']:.1f}) "
        + (
            f"and its loss never went above that start: it ended at {start['final_loss']:.1f}, "
            f"{start['final_loss'] / start['first_loss']:.0%} of it. "
            if start["largest_loss"] <= start["first_loss"]
            else f"and its loss rose to {start['largest_loss']:,.1f} on the way. "
        )
        + "A high start is not an unstable run: what tells the runs apart is whether a loss jumps to more than twice "
        "the median of the steps just before it (the spikes) and where it ends."
    )
)


# %% tags=["nbval-ignore-output"]
spiky = wide_run["spikes"] > max(narrow_run["spikes"], scaled_run["spikes"])
behind = wide_run["final_loss"] > max(narrow_run["final_loss"], scaled_run["final_loss"])
at_start = (
    f" (where stacks of their shapes grew ×{growth[depth, narrow][1.0][-1]:.1f} and "
    f"×{growth[depth, wide][1.0][-1]:.1f} at initialisation in the grid above)"
    if (depth, narrow) in growth and (depth, wide) in growth
    else ""
)
display(
    Markdown(
        f"**What this run shows.** At the same depth{at_start}, the "
        f"{wide}-filter stack without scaling {'spiked more often' if spiky else 'did not spike more often'} and "
        f"{'ended with a higher loss' if behind else 'did not end with a higher loss'} than the {narrow}-filter "
        f"stack without scaling and the {wide}-filter stack with 0.1. "
        + (
            f"Without scaling, training broke down to NaN ({', '.join(nan_runs)})."
            if nan_runs
            else "Nothing diverged to NaN: at this size the trouble is erratic, oversized steps that set training "
            "back, not a crash."
        )
    )
)

# %% [markdown]
# **What it does not show.** It is one seed and a short run on small patches: it does not show whether the unscaled
# wide model would end in NaN over the official code's 300,000 steps, nor that 0.1 is the best factor (exercise 1
# looks at one side of that, the growth at initialisation), nor *why* the width made the difference it made here. A
# likely reason, not measured here: Adam moves every weight by about the learning rate at each step, whatever the
# size of its gradient, and a convolution with four times the filters adds up four times as many moved weights, so one
# step can change its output several times as much. Scaling the correction by 0.1 shrinks that change tenfold.

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


# %% [markdown]
# Applied to the 2×2 image (`ops.convert_to_numpy` turns the layer's output, a tensor of whichever engine runs
# Keras, into a numpy array we can print):

# %%
shuffled = ops.convert_to_numpy(PixelShuffle(block_size=2)(x))
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
# see zero-centred data, and adds it back at the output (in the model's precision, like the residual block):


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
# `2 · 147,712 = 295,424`; the tail `9·64·3 + 3 = 1,731`. Total **1,517,571**, the "1.52M" that the official EDSR
# code (EDSR-PyTorch) lists for this model. The same formula for every variant:

# %%
eh.presentation.tables.show_table(*eh.model.architecture_table())

# %% [markdown]
# Two more columns to read:
#
# - **FLOPs per output pixel**: the work per pixel produced. Most of it is spent at the low resolution, which
#   is why ×4 is *cheaper* per output pixel than ×2. Full EDSR costs 25–30× the baseline, more at ×2 than at ×4.
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
untrained_psnr = {
    name: eh.metrics.psnr(hr, image, shave=4, y_only=True)
    for name, image in [("bicubic", bicubic), ("EDSR, untrained", sr)]
}
for name, value in untrained_psnr.items():
    print(f"{name:<16} PSNR {value:5.1f} dB")

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
# arbitrary code. (A model built with `Lambda` layers, as the keras-io EDSR example's is, cannot be loaded
# that way.) The reloaded model gives exactly the same output:

# %%
import tempfile
from pathlib import Path

import keras

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "edsr_baseline_x4.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path, safe_mode=True)
lr_batch = lr[None, :32, :32].astype("float32")
reload_difference = float(np.abs(ops.convert_to_numpy(model(lr_batch) - reloaded(lr_batch))).max())
print("largest difference after reload:", reload_difference)

# %% [markdown]
# ## Summary
#
# What this notebook built and measured, with this run's numbers:

# %% tags=["nbval-ignore-output"]
bright, dim = demo["conv"]
bn_bright, bn_dim = demo["conv+bn"]
display(
    Markdown(
        f"- **No batch normalization.** Without BN, the half-as-bright batch's features were "
        f"{dim.max() / bright.max():.2f} times the bright ones; with BN they differed by at most "
        f"{np.abs(bn_bright - bn_dim).max():.2f}: BN normalizes away the brightness an SR network must reproduce.\n"
        f"- **Residual scaling.** At initialisation, twice the depth multiplied the growth by {min(by_depth):.0f} "
        f"to {max(by_depth):.0f}, four times the width by {min(by_width):.1f} to {max(by_width):.1f}: 16 blocks "
        f"grew ×{growth[16, 64][1.0][-1]:.1f} (64 filters) and ×{growth[16, 256][1.0][-1]:.1f} (256), 32 blocks "
        f"×{growth[32, 64][1.0][-1]:.0f} and ×{growth[32, 256][1.0][-1]:.0f}. In training, the {wide}-filter "
        f"stack without scaling reached a gradient norm of {wide_run['largest_gradient_norm']:,.0f} (with 0.1: "
        f"{scaled_run['largest_gradient_norm']:,.0f}) and ended at a loss of {wide_run['final_loss']:.1f} "
        f"(with 0.1: {scaled_run['final_loss']:.1f}); "
        + (f"NaN in {', '.join(nan_runs)}.\n" if nan_runs else "no NaN.\n")
        + f"- **Pixel shuffle** turns channels into pixels without computing anything; ×4 is two ×2 steps.\n"
        f"- **EDSR-baseline ×4** has {model.count_params():,} parameters, the "
        f"{eh.model.PUBLISHED_PARAMETERS_M['baseline', 4]:g}M of the official code's table; the full model "
        f"{eh.model.count_parameters(4, 32, 256) / 1e6:.1f}M. One output pixel sees {measured} LR pixels across "
        f"(the formula says {formula:.1f}).\n"
        f"- **Untrained**, it scores {untrained_psnr['EDSR, untrained']:.1f} dB on monarch against bicubic's "
        f"{untrained_psnr['bicubic']:.1f}: notebook 03 trains it.\n"
        f"- **Saved and reloaded** with `safe_mode=True`, it gives the same output (largest difference "
        f"{reload_difference:g})."
    )
)

# %% [markdown]
# After the exercises, **03 · Training**: the L1 loss, honest PSNR metrics, mixed precision and the first model
# that beats bicubic.

# %% [markdown]
# ## Exercises
#
# Each exercise ends with a checker that answers ✅ or ❌ with a hint (never with the answer). Replace the
# `None` or the `raise NotImplementedError` with your answer and run the cell; where a question asks *why*, write
# your answer in the cell below it.
#
# **1. Choosing the scaling** (predict, then measure). The paper scales every block by 0.1. Is that the largest
# factor that keeps the full model's stack, 32 blocks of 256 filters, calm at initialisation? **Predict first**:
# of the factors 1, 0.5, 0.2, 0.1 and 0.05, which is the largest whose spread after the last block stays below
# twice the input's? Record it in `guess`. Then measure all five with
# `course.lessons.residual_growth(factors, depth=32, num_filters=256)`, leaving its seed and input size at their
# defaults as the grid above did (the checker makes the same call), and set `res_scale` to the largest factor whose
# growth stays below ×2.

# %%
guess = None  # the factor you predict, before you measure
res_scale = None  # the largest factor whose growth stays below x2, measured
course.exercises.check_res_scale_choice(guess, res_scale)

# %% [markdown]
# *Your answer*: the paper uses 0.1, not necessarily the factor you found. Is the growth at initialisation the
# right way to choose it? Use what the training run above showed.

# %% [markdown]
# **2. One ×4 step instead of two ×2 steps** (predict, then write code). **Predict first**: will an upsampler of
# a single convolution to 16× the channels followed by `eh.model.PixelShuffle(4)` have more or fewer parameters
# than EDSR's two ×2 steps, and will one output pixel see more or fewer LR pixels? Then, starting from
# `edsr_graph` above, write `my_edsr_one_step(num_res_blocks, num_filters)` that returns such a ×4
# `keras.Model`. The checker builds it with 2 blocks of 16 filters and needs `edsr_graph`'s layers in
# `edsr_graph`'s order, with only the upsampler changed: the mean shift, the head, the residual blocks at
# `res_scale` 1, the body's last convolution and the global skip, your upsampler, the tail, the mean shift back.
# It copies your weights, in that order, into its own one-step model and passes if the two outputs on a 24×24 LR
# crop of monarch agree within 0.01.


# %%
def my_edsr_one_step(num_res_blocks, num_filters):
    raise NotImplementedError  # your code: return keras.Model(inputs, outputs)


course.exercises.check_edsr_one_step(my_edsr_one_step)

# %% [markdown]
# *Your answer*: more or fewer parameters, a wider or narrower receptive field, and why?

# %% [markdown]
# **3. Why is ×3 the largest baseline?** (count, then explain). The architecture table above lists
# EDSR-baseline ×3 with more parameters than ×4, although ×4 upsamples in two steps and ×3 in one. Everything
# before the upsampler is the same at every scale, and so is the tail, so the difference lies in the upsampler.
# Count the parameters of the ×3 upsampler by hand with the formula above (its convolutions' weights and biases;
# the pixel shuffle has none) and set `count`: the checker compares it with the upsampling convolutions of
# `eh.model.edsr(3)`. Then explain the ordering in the cell below.

# %%
count = None  # your answer
course.exercises.check_upsampler_parameters(count)

# %% [markdown]
# *Your answer*: why does one ×3 step cost more parameters than two ×2 steps, and how many parameters apart are the
# ×3 and ×4 models?

# %% [markdown]
# **4. A deeper network sees further** (predict, then measure). **Predict first**: how many LR pixels across will
# one output pixel of a ×4 EDSR with 24 residual blocks instead of 16 see? Reason from the value measured above
# and record it in `guess`. Then measure it as the notebook did, with
# `eh.model.measure_receptive_field(eh.model.edsr(scale=4, num_res_blocks=24), lr_size=128)` (the LR input must be
# wider than the field), and set `width` to the result. The checker accepts either whole number next to the
# formula's value (which ends in .5). It only compares your guess with that value (within a pixel counts as
# right): a wrong guess does not fail the exercise.

# %%
guess = None  # your prediction, in LR pixels, before you measure
width = None  # the measured receptive field, in LR pixels
course.exercises.check_receptive_field(guess, width)

# %% [markdown]
# *Your answer*: how many LR pixels does each extra residual block add to the field, and why that many? Which
# parts of the network add the same at any depth?

# %% [markdown]
# **5. Pixel shuffle, backwards** (write code). Pixel shuffle moves channels into space. Write its inverse,
# `space_to_depth(x, r)`, with numpy `reshape` and `transpose` only: a batch `(B, H·r, W·r, C)` becomes
# `(B, H, W, C·r·r)`, such that `pixel_shuffle(space_to_depth(x, r), r)` gives back `x` exactly. (This is how
# some networks shrink an image without losing a single value.) Which channel must each sub-pixel `(i, j)` of a
# block land in? The checker tries `r` = 2 and 3 on random arrays and passes your result through `pixel_shuffle`.


# %%
def space_to_depth(x, r):
    raise NotImplementedError  # your code


course.exercises.check_space_to_depth(space_to_depth)

# %% [markdown]
# *Your answer*: into which channel must sub-pixel `(i, j)` of colour channel `c` go, and how does that decide the
# order of the axes in your transpose?
