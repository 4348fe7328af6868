"""Generated from notebooks/03_training.py, the cells marked ``#| export objective``.

Do not edit: change the notebook (its .py or .ipynb), then run `make sync`.
"""

# From notebooks/03_training.py, under "PSNR, computed right"
import keras
import numpy as np

from edsr_helpers.serialization import register_serializable

#: BT.601 luma weights for 0-255 RGB, as MATLAB's rgb2ycbcr (studio swing: Y in [16, 235]).
Y_WEIGHTS = np.array([65.481, 128.553, 24.966], dtype=np.float64) / 255.0
Y_OFFSET = 16.0


def rgb_to_y(image: np.ndarray) -> np.ndarray:
    """Luma channel (float64, 16-235) of an RGB image on the 0-255 scale."""
    return np.asarray(image, dtype=np.float64) @ Y_WEIGHTS + Y_OFFSET


def psnr(reference, test, *, shave: int = 0, y_only: bool = False, max_val: float = 255.0) -> float:
    """PSNR in dB of two images on the 0-255 scale; ``shave`` border pixels left out, Y only if asked."""
    reference, test = np.asarray(reference, dtype=np.float64), np.asarray(test, dtype=np.float64)
    if reference.shape != test.shape:
        raise ValueError(f"Images differ in shape: {reference.shape} vs {test.shape}.")
    if y_only:
        reference, test = rgb_to_y(reference), rgb_to_y(test)
    if shave:
        reference, test = reference[shave:-shave, shave:-shave], test[shave:-shave, shave:-shave]
    mse = float(np.mean((reference - test) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(max_val**2 / mse)


# From notebooks/03_training.py, under "The schedule"
@register_serializable(package="edsr_helpers")
class WarmupHalving(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up to ``learning_rate``, then halve it every ``halving_steps`` steps (EDSR's schedule)."""

    def __init__(self, learning_rate: float, halving_steps: int, warmup_steps: int = 0):
        self.learning_rate = float(learning_rate)
        self.halving_steps = int(halving_steps)
        self.warmup_steps = int(warmup_steps)

    def __call__(self, step):
        step = keras.ops.cast(step, "float32")
        rate = self.learning_rate * keras.ops.power(0.5, keras.ops.floor(step / self.halving_steps))
        if self.warmup_steps:
            rate = rate * keras.ops.minimum(1.0, (step + 1.0) / self.warmup_steps)
        return rate

    def get_config(self):
        return {
            "learning_rate": self.learning_rate,
            "halving_steps": self.halving_steps,
            "warmup_steps": self.warmup_steps,
        }


# From notebooks/03_training.py, under "The schedule"
#: L1: the mean absolute error over every pixel and colour (Keras's name for it).
LOSS = "mean_absolute_error"


def edsr_optimizer(learning_rate) -> keras.optimizers.Optimizer:
    """Adam as the paper sets it: beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-8; the rate may be a schedule."""
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8)


# The public names the cells above define, in order.
__all__ = [
    "Y_WEIGHTS",
    "Y_OFFSET",
    "rgb_to_y",
    "psnr",
    "WarmupHalving",
    "LOSS",
    "edsr_optimizer",
]
