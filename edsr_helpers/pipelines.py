"""The two training pipelines and the validation one, fed by the same numpy augmentation.

- photos in memory: :class:`RecipePatchBatches`, a ``keras.utils.PyDataset`` that works on every Keras engine
  (TensorFlow, JAX, torch), with or without TensorFlow installed;
- DIV2K streaming from disk: a ``tf.data`` pipeline that decodes one image at a time and cuts several patches
  from it with the same numpy function (:func:`edsr_helpers.augmentation.patches_from_image`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import keras
import numpy as np

from edsr_helpers.augmentation import patches_from_image, usable_pair
from edsr_helpers.constants import DEFAULT_SEED
from edsr_helpers.pairs import PatchBatches
from edsr_helpers.photo_pairs import Pair, check_scale
from edsr_helpers.profiles import Profile

if TYPE_CHECKING:
    import tensorflow as tf

SAMPLINGS = ("uniform", "area")


def degradation_margin(scale: int) -> int:
    """LR pixels cut around a patch that is degraded on the fly, then dropped: they cover the widest blur's reach
    (:func:`edsr_helpers.degradations.gaussian_kernel`: 10 HR pixels), so the blur sees photo, not a mirror."""
    return -(-10 // scale) + 1


class RecipePatchBatches(PatchBatches):
    """Notebook 01's :class:`edsr_helpers.pairs.PatchBatches` with what a recipe adds: its input checked, and each
    patch's LR drawn afresh from a random degradation family when the recipe names one.

    Images smaller than the patch are left out with a warning; mismatched pairs, a ``sampling`` other than
    ``"uniform"`` (every image equally often) or ``"area"`` (every pixel equally often) and a negative ``start``
    fail here, before training starts. ``degradation`` (a name in :data:`edsr_helpers.degradations.DEGRADATIONS`)
    draws every patch's LR input from that family (:func:`edsr_helpers.degradations.degraded_patch`, notebook 05),
    keeping the clean one for ``clean_share`` of them.
    """

    def __init__(
        self,
        pairs: Iterable[Pair],
        *,
        scale: int,
        lr_patch_size: int,
        batch_size: int,
        seed: int = DEFAULT_SEED,
        sampling: str = "uniform",
        start: int = 0,
        degradation: str = "bicubic",
        clean_share: float = 0.0,
        **kwargs,
    ):
        check_scale(scale)
        if sampling not in SAMPLINGS:
            raise ValueError(f"sampling must be one of {SAMPLINGS}, not {sampling!r}.")
        if start < 0:
            raise ValueError(f"start must be a batch number >= 0, not {start}.")
        if degradation != "bicubic":
            from edsr_helpers.degradations import DEGRADATIONS

            if degradation not in DEGRADATIONS:
                raise ValueError(
                    f"degradation must be 'bicubic' or one of {sorted(DEGRADATIONS)}, not {degradation!r}."
                )
        # a patch degraded on the fly is cut from a larger region: the photo must hold that region
        needed = lr_patch_size + (2 * degradation_margin(scale) if degradation != "bicubic" else 0)
        arrays = [(np.asarray(lr), np.asarray(hr)) for lr, hr in pairs]
        usable = [(lr, hr) for lr, hr in arrays if usable_pair(lr, hr, scale, needed)]
        if not usable:
            raise ValueError(f"No image is large enough for {needed}px LR patches; use smaller patches.")
        super().__init__(
            usable,
            scale=scale,
            lr_patch_size=lr_patch_size,
            batch_size=batch_size,
            seed=seed,
            sampling=sampling,
            start=start,
            **kwargs,
        )
        self.degradation, self.clean_share = degradation, float(clean_share)

    def patch(self, lr: np.ndarray, hr: np.ndarray, seed: int) -> Pair:
        """Training example ``seed`` of one pair: cut and turned, its LR drawn from the degradation if there is one."""
        if self.degradation == "bicubic":
            return super().patch(lr, hr, seed)
        from edsr_helpers.degradations import DEGRADATIONS, degraded_patch

        return degraded_patch(
            lr,
            hr,
            seed,
            scale=self.scale,
            lr_patch_size=self.lr_patch_size,
            degradation=DEGRADATIONS[self.degradation],
            clean_share=self.clean_share,
            margin=degradation_margin(self.scale),
        )


def _streaming_pipeline(
    pairs: tf.data.Dataset,
    *,
    scale: int,
    lr_patch_size: int,
    batch_size: int,
    patches_per_image: int,
    image_shuffle_buffer: int,
    patch_shuffle_buffer: int,
    seed: int,
    repeat: bool,
) -> tf.data.Dataset:
    """tf.data version for datasets that do not fit in memory (DIV2K): decode, cut several patches, shuffle."""
    import tensorflow as tf

    autotune = tf.data.AUTOTUNE
    hr_patch_size = lr_patch_size * scale
    images = pairs.shuffle(image_shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        images = images.repeat()
    image_seeds = tf.data.Dataset.random(seed=seed)  # a fresh seed per decoded image

    def cut(lr, hr, image_seed):
        return patches_from_image(
            lr, hr, int(image_seed), scale=scale, lr_patch_size=lr_patch_size, count=patches_per_image
        )

    def cut_patches(pair, image_seed):
        lr, hr = tf.numpy_function(cut, [*pair, image_seed], [tf.uint8, tf.uint8], stateful=False)
        lr.set_shape((None, lr_patch_size, lr_patch_size, 3))
        hr.set_shape((None, hr_patch_size, hr_patch_size, 3))
        return lr, hr

    patches = tf.data.Dataset.zip((images, image_seeds)).map(cut_patches, num_parallel_calls=autotune).unbatch()
    patches = patches.shuffle(patch_shuffle_buffer, seed=seed + 1, reshuffle_each_iteration=True)
    return patches.batch(batch_size, drop_remainder=True).prefetch(autotune)


def make_train_dataset(
    pairs,
    *,
    scale: int,
    lr_patch_size: int,
    batch_size: int,
    patches_per_image: int = 8,
    image_shuffle_buffer: int = 16,
    patch_shuffle_buffer: int = 256,
    seed: int = DEFAULT_SEED,
    repeat: bool = True,
    sampling: str = "uniform",
    start: int = 0,
    degradation: str = "bicubic",
    clean_share: float = 0.0,
):
    """Batches of aligned, augmented ``(lr, hr)`` patches for ``model.fit``.

    - ``pairs`` in memory (a list, what :func:`load_sample` returns): a :class:`RecipePatchBatches`, on any engine,
      choosing images by ``sampling`` (``"uniform"`` or ``"area"``), from batch number ``start`` on (a resumed
      run's steps so far), each patch's LR drawn afresh from ``degradation`` unless it is ``"bicubic"``;
    - ``pairs`` as a ``tf.data.Dataset`` (DIV2K): a streaming tf.data pipeline. Per image: check the sizes
      match ``scale``, skip (with a warning) images smaller than the patch, cut ``patches_per_image`` patches
      (decoding a 2K PNG costs far more than cropping it); then shuffle patches of different images together,
      batch, and prefetch while the model trains. Nothing is cached, so DIV2K (~7 GB decoded) streams in
      constant memory. ``repeat=False`` ends after one pass.

    Both cut every patch with :func:`random_patch`.

    Returns:
        ``(lr, hr)`` uint8 batches of shapes ``(batch, p, p, 3)`` and ``(batch, p*scale, p*scale, 3)``.
    """
    check_scale(scale)
    if isinstance(pairs, Sequence):
        return RecipePatchBatches(
            pairs,
            scale=scale,
            lr_patch_size=lr_patch_size,
            batch_size=batch_size,
            seed=seed,
            sampling=sampling,
            start=start,
            degradation=degradation,
            clean_share=clean_share,
        )
    if degradation != "bicubic":
        raise ValueError("random degradations apply to pairs held in memory, not to the streaming DIV2K pipeline.")
    if sampling != "uniform":
        raise ValueError(
            f"sampling={sampling!r} applies to pairs held in memory; the streaming DIV2K pipeline draws its "
            "images uniformly (use sampling='uniform', or pairs in a list)."
        )
    if start:
        raise ValueError("start applies to pairs held in memory; the streaming DIV2K pipeline reshuffles instead.")
    return _streaming_pipeline(
        pairs,
        scale=scale,
        lr_patch_size=lr_patch_size,
        batch_size=batch_size,
        patches_per_image=patches_per_image,
        image_shuffle_buffer=image_shuffle_buffer,
        patch_shuffle_buffer=patch_shuffle_buffer,
        seed=seed,
        repeat=repeat,
    )


def make_train_dataset_for(profile: Profile, pairs, **overrides):
    """:func:`make_train_dataset` with the patch, batch and crop sizes, the sampling and the degradation of
    ``profile`` and its recipe; one the pipeline cannot follow (an ``area`` sampling or a random degradation on
    the streaming DIV2K pipeline) is an error, never dropped."""
    settings = dict(
        scale=profile.scale,
        lr_patch_size=profile.recipe.lr_patch_size,
        batch_size=profile.recipe.batch_size,
        patches_per_image=profile.patches_per_image,
        sampling=profile.recipe.sampling,
        degradation=profile.recipe.degradation,
        clean_share=profile.recipe.clean_share,
    )
    settings.update(overrides)
    return make_train_dataset(pairs, **settings)


def measure_throughput(dataset, batches: int = 50, warmup: int = 5) -> float:
    """Patches per second that a training dataset delivers (after ``warmup`` batches fill the buffers)."""

    iterator = iter(dataset)
    for _ in range(warmup):
        next(iterator)
    start, patches = time.perf_counter(), 0
    for _ in range(batches):
        lr, _ = next(iterator)
        patches += int(lr.shape[0])
    return patches / (time.perf_counter() - start)


class ValidationImages(keras.utils.PyDataset):
    """Whole validation images as batches of one image (they differ in size), for ``fit(validation_data=)``.

    Under data parallelism on ``copies`` devices each batch holds ``copies`` copies of its image, so every
    device gets one: the mean loss and PSNR are unchanged, as every image is counted the same number of times.
    """

    def __init__(self, pairs: Iterable[Pair], copies: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.pairs = [(np.asarray(lr), np.asarray(hr)) for lr, hr in pairs]
        self.copies = copies

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        lr, hr = self.pairs[index]
        return np.repeat(lr[None], self.copies, axis=0), np.repeat(hr[None], self.copies, axis=0)


def as_validation_dataset(pairs: Iterable[Pair], copies: int | None = None) -> ValidationImages:
    """Whole validation images, one per batch, for ``model.fit(validation_data=)`` on any engine.

    With several devices pass ``copies=strategy.num_replicas_in_sync`` (the strategy from
    :func:`edsr_helpers.backend.choose_strategy`) so each device gets a copy; by default the global JAX
    distribution, if any, decides.
    """
    from edsr_helpers.backend import batch_multiple

    return ValidationImages(pairs, copies=batch_multiple() if copies is None else copies)
