"""Stage 4 of the series (notebook 04): running a trained EDSR on photos.

The contract (as in most SR code): uint8 RGB in, float inside, then clip to [0, 255], round and cast, uint8
RGB out. Notebook 02 uses it for the first forward pass; notebook 04 adds tiling and self-ensembling.
"""

from __future__ import annotations

import keras
import numpy as np

from edsr_helpers.images import ImageLike, load_image


def to_uint8(sr) -> np.ndarray:
    """Model output (float, 0-255 scale, unclipped) -> uint8 image: clip, round, cast."""
    return np.round(np.clip(np.asarray(sr, dtype=np.float32), 0.0, 255.0)).astype(np.uint8)


def super_resolve(model: keras.Model, lr: ImageLike) -> np.ndarray:
    """Upscale one image (array, PIL image or path; converted to uint8 RGB) in a single forward pass."""
    lr = load_image(lr)
    return to_uint8(model.predict_on_batch(lr[None].astype(np.float32))[0])
