"""Generated from notebooks/04_inference_widgets.py, the cells marked ``#| export tiling``.

Do not edit: change the notebook (its .py or .ipynb), then run `make sync`.
"""

# From notebooks/04_inference_widgets.py, under "A whole photo, in tiles"
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


# From notebooks/04_inference_widgets.py, under "EDSR+: the self-ensemble"
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


# The public names the cells above define, in order.
__all__ = [
    "upscale_in_tiles",
    "SYMMETRIES",
    "transform",
    "untransform",
    "self_ensemble",
]
