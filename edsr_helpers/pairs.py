"""Generated from notebooks/01_data.py, the cells marked ``#| export pairs``.

Do not edit: change the notebook (its .py or .ipynb), then run `make sync`.
"""

# From notebooks/01_data.py, under "Making the degradation yourself"
import keras
import numpy as np
from PIL import Image


def downscale(hr: np.ndarray, scale: int) -> np.ndarray:
    """The LR image of a uint8 RGB ``hr``, made nearly as DIV2K's ``bicubic_xN`` was: antialiased bicubic."""
    height, width = hr.shape[:2]
    if height % scale or width % scale:
        raise ValueError(
            f"HR of {width}×{height} pixels is not a multiple of the scale {scale}; "
            "crop it first with edsr_helpers.images.crop_to_multiple(hr, scale)."
        )
    return np.asarray(Image.fromarray(hr).resize((width // scale, height // scale), Image.BICUBIC))


# From notebooks/01_data.py, under "Training patches, cut in register"
def crop_pair(lr, hr, top: int, left: int, *, scale: int, lr_patch_size: int):
    """The LR patch at ``(top, left)`` and the HR patch exactly above it (offset and size times ``scale``)."""
    hr_patch_size = lr_patch_size * scale
    lr_patch = lr[top : top + lr_patch_size, left : left + lr_patch_size]
    hr_patch = hr[top * scale : top * scale + hr_patch_size, left * scale : left * scale + hr_patch_size]
    return lr_patch, hr_patch


def random_crop_pair(lr, hr, seed, *, scale: int, lr_patch_size: int):
    """The same random region of both images; the offset comes from ``seed`` alone (same seed, same patch)."""
    rng = np.random.default_rng(seed)
    top = int(rng.integers(0, lr.shape[0] - lr_patch_size + 1))
    left = int(rng.integers(0, lr.shape[1] - lr_patch_size + 1))
    return crop_pair(lr, hr, top, left, scale=scale, lr_patch_size=lr_patch_size)


# From notebooks/01_data.py, under "Rotations and flips"
def transform_pair(lr, hr, quarter_turns: int, flip: bool):
    """Turn both images by ``quarter_turns`` x 90 degrees, then mirror them left-right if ``flip``.

    The flip reverses the width axis only (``axis=1``): colours stay RGB.
    """
    lr, hr = np.rot90(lr, quarter_turns), np.rot90(hr, quarter_turns)
    if flip:
        lr, hr = np.flip(lr, axis=1), np.flip(hr, axis=1)
    return np.ascontiguousarray(lr), np.ascontiguousarray(hr)


def random_transform_pair(lr, hr, seed):
    """One of the 8 rotations/flips, chosen uniformly from ``seed``."""
    rng = np.random.default_rng(seed)
    return transform_pair(lr, hr, int(rng.integers(0, 4)), bool(rng.integers(0, 2)))


def random_patch(lr, hr, seed, *, scale: int, lr_patch_size: int):
    """One training example: an aligned random crop, then a random rotation/flip. The one augmentation."""
    crop_seed, transform_seed = np.random.SeedSequence(seed).spawn(2)
    lr_patch, hr_patch = random_crop_pair(lr, hr, crop_seed, scale=scale, lr_patch_size=lr_patch_size)
    return random_transform_pair(lr_patch, hr_patch, transform_seed)


# From notebooks/01_data.py, under "The input pipeline"
class PatchBatches(keras.utils.PyDataset):
    """Endless batches of augmented patches from pairs in memory; batch ``i`` is a pure function of the seed
    and ``start + i``. Pass ``steps_per_epoch`` to ``fit``: the stream has no end."""

    def __init__(self, pairs, *, scale, lr_patch_size, batch_size, seed=42, sampling="uniform", start=0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.lr_patch_size, self.batch_size = scale, lr_patch_size, batch_size
        self.seed, self.start = seed, int(start)
        self.pairs = [(np.asarray(lr), np.asarray(hr)) for lr, hr in pairs]
        areas = np.array([lr.shape[0] * lr.shape[1] for lr, _ in self.pairs], np.float64)
        self.weights = areas / areas.sum() if sampling == "area" else None  # None: uniform

    @property
    def num_batches(self):
        return None  # endless

    def __getitem__(self, index):
        rng = np.random.default_rng((self.seed, self.start + int(index)))
        images = rng.choice(len(self.pairs), size=self.batch_size, p=self.weights)
        seeds = rng.integers(0, 2**63, size=self.batch_size)
        patches = [self.patch(*self.pairs[image], int(seed)) for image, seed in zip(images, seeds, strict=True)]
        return np.stack([lr for lr, _ in patches]), np.stack([hr for _, hr in patches])

    def patch(self, lr, hr, seed):
        """One training example; notebook 05 makes it another way, with a degraded LR."""
        return random_patch(lr, hr, seed, scale=self.scale, lr_patch_size=self.lr_patch_size)


# The public names the cells above define, in order.
__all__ = [
    "downscale",
    "crop_pair",
    "random_crop_pair",
    "transform_pair",
    "random_transform_pair",
    "random_patch",
    "PatchBatches",
]
