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
        result["conv"].append(keras.ops.convert_to_numpy(features)[0, :, :, 0])
        result["conv+bn"].append(keras.ops.convert_to_numpy(norm(features, training=True))[0, :, :, 0])
    return {key: tuple(value) for key, value in result.items()}


def keras_io_psnr(hr: np.ndarray, sr: np.ndarray) -> float:
    """PSNR the way the keras-io EDSR example computes it, wrong on purpose (for notebook 03).

    ``tf.image.psnr`` converts a uint8 image to [0, 1] but leaves a float image as it is, so a uint8 target
    and a 0-255 float prediction are compared on different scales, with ``max_val=255``.
    """
    import tensorflow as tf

    return float(tf.image.psnr(tf.constant(hr[None], tf.uint8), tf.constant(sr[None], tf.float32), max_val=255)[0])


def l1_vs_l2_figure():
    """Loss and gradient of L1 and L2 against the error of one pixel (for notebook 03)."""
    import matplotlib.pyplot as plt

    error = np.linspace(-20, 20, 401)
    figure, (loss_axis, gradient_axis) = plt.subplots(1, 2, figsize=(9, 3))
    loss_axis.plot(error, np.abs(error), label="L1: |e|")
    loss_axis.plot(error, error**2 / 20, label="L2: e² (scaled /20)")
    gradient_axis.plot(error, np.sign(error), label="L1 gradient: ±1")
    gradient_axis.plot(error, error / 10, label="L2 gradient: 2e (scaled /20)")
    for axis, title in ((loss_axis, "loss"), (gradient_axis, "gradient")):
        axis.set(xlabel="error of one pixel (0-255 scale)", title=title)
        axis.grid(alpha=0.3)
        axis.legend()
    figure.tight_layout()
    return figure
