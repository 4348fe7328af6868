"""Small experiments the notebooks run to make a point (kept here so the notebooks stay prose and calls)."""

from __future__ import annotations

import numpy as np


def batch_norm_demo(patch: np.ndarray, dim_factor: float = 0.5, seed: int = 0) -> dict[str, np.ndarray]:
    """What batch normalization does to brightness: run a patch and a dimmed copy through conv (+ BN).

    Both go through the same random 3x3 convolution (8 filters, no bias); each is normalized with its own
    batch statistics, as in training. Without BN the dim patch's features are exactly ``dim_factor`` times
    the bright ones; with BN the two become the same, so the network can no longer tell how bright its input
    was, yet it must output pixels of the right brightness. EDSR drops BN for this reason.

    Returns:
        ``{"conv": (bright, dim), "conv+bn": (bright, dim)}`` feature maps of the first filter, as arrays.
    """
    import keras

    conv = keras.layers.Conv2D(
        8, 3, padding="same", use_bias=False, kernel_initializer=keras.initializers.HeNormal(seed)
    )
    norm = keras.layers.BatchNormalization()
    bright = patch[None].astype("float32")
    dim = bright * dim_factor
    result = {"conv": [], "conv+bn": []}
    for image in (bright, dim):
        features = conv(image)
        result["conv"].append(np.asarray(features)[0, :, :, 0])
        result["conv+bn"].append(np.asarray(norm(features, training=True))[0, :, :, 0])
    return {key: tuple(value) for key, value in result.items()}
