"""EDSR in Keras 3 (notebook 02): presets, counting, and tools around the model.

The layers and the model themselves are written in notebook 02 and generated into
:mod:`edsr_helpers.architecture`; this module re-exports them, so ``eh.model.edsr(...)`` is the notebook's.

EDSR (Lim et al., 2017) is a stack of residual blocks working at the low resolution, followed by a
pixel-shuffle upsampler::

    input (0-255) -> subtract DIV2K mean -> conv (head)
        -> [residual block] x num_res_blocks -> conv -> + head          (global skip)
        -> upsampler (conv + pixel shuffle, once per factor 2 or 3) -> conv (tail) -> add mean back -> output

Every custom piece is a registered, serializable Keras layer (no ``Lambda``), so a trained model saves to
``.keras`` and loads again with ``safe_mode=True``. All maths uses ``keras.ops``.

Parameter counts (3x3 convolutions, F filters, B blocks; a conv from ``c_in`` to ``c_out`` channels has
``9 * c_in * c_out + c_out`` parameters):

- head ``9*3*F + F``; each block two convs, ``2 * (9*F*F + F)``; body end ``9*F*F + F``;
- upsampler: x2 one conv ``F -> 4F``, x3 one conv ``F -> 9F``, x4 two convs ``F -> 4F``;
- tail ``9*F*3 + 3``.

Baseline (B=16, F=64): x2 1,369,859, x3 1,554,499, x4 1,517,571 (official EDSR-PyTorch model table: 1.37M /
1.55M / 1.52M). Full EDSR (B=32, F=256): x2 40,729,603, x3 43,680,003, x4 43,089,923 (same table: 40.7M /
43.7M / 43.1M; the paper rounds to 43M).
"""

from __future__ import annotations

import dataclasses
import math

import keras
import numpy as np

from edsr_helpers.architecture import (  # the layers and the model, as notebook 02 writes them
    EDSR,
    PACKAGE,
    MeanShift,
    PixelShuffle,
    ResidualBlock,
    edsr,
    edsr_graph,
    pixel_shuffle,
    pixel_shuffle_by_reshape,
    upsampling_factors,
)
from edsr_helpers.constants import SCALES

__all__ = [
    "EDSR",
    "PACKAGE",
    "PRESETS",
    "MeanShift",
    "PixelShuffle",
    "Preset",
    "ResidualBlock",
    "copy_matching_weights",
    "edsr",
    "edsr_graph",
    "edsr_preset",
    "model_scale",
    "pixel_shuffle",
    "pixel_shuffle_by_reshape",
    "upsampling_factors",
]


@dataclasses.dataclass(frozen=True)
class Preset:
    """Depth, width and residual scaling of a published EDSR variant."""

    num_res_blocks: int
    num_filters: int
    res_scale: float


#: The two models of the paper. The baseline is what a laptop can train; "full" is the paper's headline model,
#: which needs res_scale 0.1 to train stably at 256 filters.
PRESETS: dict[str, Preset] = {
    "baseline": Preset(num_res_blocks=16, num_filters=64, res_scale=1.0),
    "full": Preset(num_res_blocks=32, num_filters=256, res_scale=0.1),
}

#: Parameter counts, in millions, as the official EDSR-PyTorch code's README lists them (the paper itself gives
#: 43M for full EDSR). Used by the notebook's comparison table and the tests.
PUBLISHED_PARAMETERS_M: dict[tuple[str, int], float] = {
    ("baseline", 2): 1.37,
    ("baseline", 3): 1.55,
    ("baseline", 4): 1.52,
    ("full", 2): 40.7,
    ("full", 3): 43.7,
    ("full", 4): 43.1,
}


def model_scale(model: keras.Model) -> int:
    """The upscaling factor of a super-resolution model of any model folder.

    Its saved ``scale`` when it has one (EDSR does); for a plain functional model (one saved by an older version
    of the series, or a model folder's that keeps no ``scale``), the product of its pixel-shuffle steps; failing
    both, the factor measured on a small input.

    Raises:
        ValueError: if the model does not enlarge a small image by a whole factor, the same in both directions.
    """
    if isinstance(getattr(model, "scale", None), int):
        return model.scale
    factors = [layer.block_size for layer in model.layers if type(layer).__name__ == "PixelShuffle"]
    if factors:
        return math.prod(factors)
    side = 8
    height, width = (int(size) for size in model(np.zeros((1, side, side + 1, 3), np.float32)).shape[1:3])
    if height % side or width % (side + 1) or height // side != width // (side + 1) or height <= side:
        raise ValueError(
            f"{model.name} turns a {side + 1}x{side} image into {width}x{height}: it is not an upscaling model."
        )
    return height // side


def copy_matching_weights(source: keras.Model, target: keras.Model) -> list[str]:
    """Copy into ``target`` the weights of every layer of ``source`` with the same name and weight shapes.

    EDSR's head, residual body and tail do not depend on the scale; only the upsampler does. The paper
    (Lim et al. 2017, Fig. 4) therefore starts its x3 and x4 models from the trained x2 one: training converges
    faster and ends higher. From x2, a x4 model receives everything, its first upsampling step included; a x3
    model everything but its x3 upsampling conv, which starts from scratch.

    Returns:
        The names of the layers copied, in ``target``'s order.

    Raises:
        ValueError: if nothing matches (the two models are not EDSRs of the same width).
    """
    sources = {layer.name: layer for layer in source.layers}
    copied = []
    for layer in target.layers:
        twin = sources.get(layer.name)
        if twin is None or not layer.weights:
            continue
        weights = twin.get_weights()
        if [w.shape for w in weights] != [tuple(v.shape) for v in layer.weights]:
            continue
        layer.set_weights(weights)
        copied.append(layer.name)
    if not copied:
        raise ValueError(f"No layer of {source.name} matches {target.name} in name and shape: nothing to copy.")
    return copied


def edsr_preset(preset: str = "baseline", scale: int = 4) -> keras.Model:
    """EDSR ``"baseline"`` (16 blocks x 64 filters) or ``"full"`` (32 x 256, res_scale 0.1)."""
    try:
        config = PRESETS[preset]
    except KeyError:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}, not {preset!r}.") from None
    return edsr(scale, **dataclasses.asdict(config), name=f"edsr_{preset}_x{scale}")


# ------------------------------------------------------------------------------------- counting by hand


def _convs(scale: int, num_res_blocks: int, num_filters: int) -> list[tuple[int, int, float]]:
    """Every 3x3 conv as ``(c_in, c_out, resolution relative to the LR input)``."""
    convs = [(3, num_filters, 1.0)] + [(num_filters, num_filters, 1.0)] * (2 * num_res_blocks + 1)
    resolution = 1.0
    for factor in upsampling_factors(scale):
        convs.append((num_filters, num_filters * factor * factor, resolution))
        resolution *= factor
    convs.append((num_filters, 3, resolution))
    return convs


def count_parameters(scale: int = 4, num_res_blocks: int = 16, num_filters: int = 64) -> int:
    """Parameters derived by hand (see the module docstring), to compare with ``model.count_params()``."""
    return sum(9 * c_in * c_out + c_out for c_in, c_out, _ in _convs(scale, num_res_blocks, num_filters))


def flops_per_output_pixel(scale: int = 4, num_res_blocks: int = 16, num_filters: int = 64) -> int:
    """Floating-point operations (2 per multiply-add) the convolutions spend per HR output pixel.

    A conv at resolution ``r`` (relative to LR) runs once per ``(scale / r)**2`` output pixels.
    """
    total = sum(
        2 * 9 * c_in * c_out * resolution**2 for c_in, c_out, resolution in _convs(scale, num_res_blocks, num_filters)
    )
    return round(total / scale**2)


def receptive_field(scale: int = 4, num_res_blocks: int = 16) -> float:
    """Width, in LR pixels, of the input region that one output pixel can see.

    Each 3x3 conv widens it by one pixel on each side *at its own resolution*, i.e. by ``2 / r`` LR pixels for
    a conv at resolution ``r``. The pixel shuffle itself adds nothing.
    """
    return 1 + sum(2 / resolution for _, _, resolution in _convs(scale, num_res_blocks, 1))


def measure_receptive_field(model: keras.Model, lr_size: int = 96) -> int:
    """Measure, with a gradient, how many LR pixels (per side) one central output pixel depends on.

    The input region with a non-zero gradient of one output value is, by definition, what that pixel sees.
    The result agrees with :func:`receptive_field` to within a pixel (it depends on where in its r x r block
    the output pixel sits).
    """
    import numpy as np

    from edsr_helpers.backend import input_gradient

    lr = np.random.default_rng(1).uniform(0.0, 255.0, (1, lr_size, lr_size, 3)).astype(np.float32)
    centre = lr_size * model_scale(model) // 2
    gradient = np.abs(input_gradient(model, lr, (0, centre, centre, 0))[0]).sum(axis=-1)
    rows, columns = np.nonzero(gradient)
    if rows.min() == 0 or columns.min() == 0:
        raise ValueError(f"lr_size={lr_size} is too small to contain the receptive field; use a larger one.")
    return int(max(rows.max() - rows.min(), columns.max() - columns.min()) + 1)


def gradient_map(model: keras.Model, lr) -> np.ndarray:
    """How strongly the central output pixel depends on each LR pixel: ``|d output / d input|``, summed over
    colours, as an ``(H, W)`` map over the LR image ``lr`` (a real photo crop; the dependence of a trained,
    non-linear network varies with what it sees)."""
    import numpy as np

    from edsr_helpers.backend import input_gradient

    lr = np.asarray(lr, np.float32)[None]
    scale = model_scale(model)
    height, width = lr.shape[1:3]
    index = (0, height * scale // 2, width * scale // 2, 1)  # the green value of the central output pixel
    return np.abs(input_gradient(model, lr, index)[0]).sum(axis=-1)


def effective_radius(gradient, fraction: float = 0.99) -> int:
    """The smallest ``r`` such that the ``(2r + 1)``-pixel square around the centre of ``gradient`` holds
    ``fraction`` of its total: the *effective* receptive field (Luo et al., 2016), usually far smaller than the
    theoretical one, because the gradient fades with distance."""
    import numpy as np

    gradient = np.asarray(gradient, np.float64)
    height, width = gradient.shape
    centre_y, centre_x, total = height // 2, width // 2, gradient.sum()
    for radius in range(max(height, width)):
        window = gradient[
            max(centre_y - radius, 0) : centre_y + radius + 1, max(centre_x - radius, 0) : centre_x + radius + 1
        ]
        if window.sum() >= fraction * total:
            return radius
    return max(height, width)


def architecture_table(scales: tuple[int, ...] = SCALES) -> tuple[list[str], list[list[object]]]:
    """Header and rows comparing our parameter counts with the published ones, plus cost and reach."""
    header = [
        "model",
        "scale",
        "parameters (ours)",
        "official code's table",
        "FLOPs per output pixel",
        "receptive field (LR px)",
    ]
    rows = []
    for preset, config in PRESETS.items():
        for scale in scales:
            published = PUBLISHED_PARAMETERS_M.get((preset, scale))
            flops = flops_per_output_pixel(scale, config.num_res_blocks, config.num_filters)
            rows.append(
                [
                    preset,
                    f"×{scale}",
                    f"{count_parameters(scale, config.num_res_blocks, config.num_filters):,}",
                    "—" if published is None else f"{published:g}M",
                    f"{flops / 1e3:,.0f}k",
                    f"{receptive_field(scale, config.num_res_blocks):.1f}",
                ]
            )
    return header, rows
