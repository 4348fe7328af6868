"""Generated from notebooks/02_model.py, the cells marked ``#| export architecture``.

Do not edit: change the notebook (its .py or .ipynb), then run `make sync`.
"""

# From notebooks/02_model.py, under "The residual block"
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


# From notebooks/02_model.py, under "Upsampling with pixel shuffle"
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


# From notebooks/02_model.py, under "Upsampling with pixel shuffle"
def upsampling_factors(scale: int) -> tuple[int, ...]:
    """Pixel-shuffle steps for ``scale``: x2 and x3 in one step, x4 as two x2 steps (as in the paper)."""
    if scale not in SCALES:
        raise ValueError(f"EDSR upscales by {', '.join(map(str, SCALES))}; got scale={scale!r}.")
    return (2, 2) if scale == 4 else (scale,)


# From notebooks/02_model.py, under "The whole model"
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


# From notebooks/02_model.py, under "The whole model"
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


# From notebooks/02_model.py, under "The whole model"
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


# The public names the cells above define, in order.
__all__ = [
    "PACKAGE",
    "ResidualBlock",
    "pixel_shuffle",
    "pixel_shuffle_by_reshape",
    "PixelShuffle",
    "upsampling_factors",
    "MeanShift",
    "edsr_graph",
    "EDSR",
    "edsr",
]
