"""Stage 1 of the series (notebook 01): low/high-resolution pairs and the training pipeline.

Every loader here returns the same thing: a ``tf.data.Dataset`` of ``(lr, hr)`` pairs, each a uint8
``(H, W, 3)`` tensor with ``hr`` exactly ``scale`` times larger than ``lr``. :func:`load_div2k` reads DIV2K
through tensorflow-datasets (what Colab users train on); :func:`load_sample` builds the same kind of pairs
from real photos shipped by pip packages, for machines without the download. :func:`make_train_dataset` turns
either into batches of aligned, augmented patches.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from unittest import mock

import numpy as np
import tensorflow as tf

from edsr_helpers import samples
from edsr_helpers.constants import (
    DEFAULT_SCALE,
    DEFAULT_SEED,
    DIV2K_CONNECT_TIMEOUT_S,
    DIV2K_HOST,
    SCALES,
)
from edsr_helpers.images import ImageLike, crop_to_multiple, downscale, load_image
from edsr_helpers.profiles import Profile

#: Element spec shared by every loader: two uint8 RGB images of any size.
PAIR_SPEC = (
    tf.TensorSpec(shape=(None, None, 3), dtype=tf.uint8),
    tf.TensorSpec(shape=(None, None, 3), dtype=tf.uint8),
)
SPLITS = ("train", "validation")


class DatasetUnavailableError(ConnectionError):
    """DIV2K is neither on disk nor downloadable right now."""


def _check_scale(scale: int) -> None:
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, not {scale!r}.")


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}.")


# --------------------------------------------------------------------------------------------- DIV2K


def div2k_name(scale: int) -> str:
    """tfds name of DIV2K's bicubic config for ``scale``, e.g. ``div2k/bicubic_x4``."""
    _check_scale(scale)
    return f"div2k/bicubic_x{scale}"


def div2k_is_prepared(scale: int = DEFAULT_SCALE, data_dir: str | os.PathLike | None = None) -> bool:
    """Whether DIV2K at ``scale`` is already downloaded and prepared in ``data_dir`` (no network used)."""
    import tensorflow_datasets as tfds
    from absl import logging

    verbosity = logging.get_verbosity()
    logging.set_verbosity(logging.ERROR)  # tfds warns about the missing folder, which is the expected answer
    try:
        return tfds.builder(div2k_name(scale), data_dir=data_dir).is_prepared()
    finally:
        logging.set_verbosity(verbosity)


def _host_reachable(host: str, timeout: float) -> bool:
    """Try a TCP connection to ``host``:443, giving up after ``timeout`` seconds *including* DNS lookup.

    ``socket.create_connection``'s own timeout does not cover name resolution, which can hang for long on a
    machine without network; the thread bounds the whole attempt.
    """
    result: list[bool] = []

    def attempt() -> None:
        try:
            with socket.create_connection((host, 443), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout)
    return bool(result and result[0])


def load_div2k(
    scale: int = DEFAULT_SCALE,
    split: str = "train",
    *,
    data_dir: str | os.PathLike | None = None,
    shuffle_files: bool = False,
    download: bool = True,
    read_config=None,
) -> tf.data.Dataset:
    """DIV2K ``(lr, hr)`` pairs from tensorflow-datasets' ``div2k/bicubic_x{scale}``.

    The first call downloads the official zips (~3.5 GB for x4 with HR) and prepares
    them in ``data_dir`` (tfds's default, ``~/tensorflow_datasets``, when None); later calls read from disk.

    Args:
        scale: 2, 3 or 4.
        split: ``"train"`` (800 images) or ``"validation"`` (100 images).
        data_dir: where tfds keeps prepared datasets.
        shuffle_files: shuffle the order of tfds's shards (use for training).
        download: allow a download when the data is not on disk.
        read_config: a ``tfds.ReadConfig`` passed through (e.g. ``try_autocache=False`` to measure decoding).

    Returns:
        A dataset of ``(lr, hr)`` uint8 ``(H, W, 3)`` pairs, decoded one image at a time (nothing is cached).

    Raises:
        DatasetUnavailableError: within ~10 s when DIV2K is not on disk and its server cannot be reached
            (tfds alone would retry for ~205 s); the message says what to do instead.
    """
    import tensorflow_datasets as tfds

    _check_split(split)
    name = div2k_name(scale)
    if not div2k_is_prepared(scale, data_dir):
        where = data_dir or "tfds's default data_dir (~/tensorflow_datasets)"
        if not download:
            raise DatasetUnavailableError(f"{name} is not prepared in {where} and download=False.")
        if not _host_reachable(DIV2K_HOST, DIV2K_CONNECT_TIMEOUT_S):
            raise DatasetUnavailableError(
                f"{name} is not prepared in {where}, and the DIV2K server ({DIV2K_HOST}) cannot be reached "
                "from this machine. Either use the offline photos (edsr_helpers.data.load_sample, what the "
                "'cpu' and 'ci' profiles do), run on a machine with internet (e.g. Colab), or download the "
                "DIV2K zips elsewhere, extract them into one folder and call "
                "edsr_helpers.data.prepare_div2k_from_extracted(folder, scale)."
            )
    return tfds.load(
        name,
        split=split,
        data_dir=data_dir,
        as_supervised=True,
        shuffle_files=shuffle_files,
        download=download,
        read_config=read_config,
    )


def _div2k_extracted_paths(root: Path) -> dict[str, Path]:
    """tfds's download keys for DIV2K and the folder each one's zip extracts to."""
    return {
        "train_lr_url": root / "DIV2K_train_LR_bicubic",
        "valid_lr_url": root / "DIV2K_valid_LR_bicubic",
        "train_hr_url": root,  # the builder appends DIV2K_train_HR itself
        "valid_hr_url": root,
    }


def prepare_div2k_from_extracted(
    extracted_dir: str | os.PathLike, scale: int = DEFAULT_SCALE, data_dir: str | os.PathLike | None = None
) -> None:
    """Prepare tfds's real ``div2k`` dataset from DIV2K zips you downloaded and extracted yourself.

    For machines that cannot reach the DIV2K server (a cluster node, a classroom without internet): copy the
    zips there, extract them into ``extracted_dir``, and this runs tfds's own ``div2k`` builder on those
    files, exactly as if it had downloaded them. Afterwards :func:`load_div2k` reads the data offline.
    The expected layout is the zips' own::

        extracted_dir/DIV2K_train_HR/0001.png ...
        extracted_dir/DIV2K_valid_HR/0801.png ...
        extracted_dir/DIV2K_train_LR_bicubic/X4/0001x4.png ...
        extracted_dir/DIV2K_valid_LR_bicubic/X4/0801x4.png ...

    Raises:
        FileNotFoundError: if a folder of that layout is missing.
    """
    import tensorflow_datasets as tfds

    root = Path(extracted_dir)
    paths = _div2k_extracted_paths(root)
    expected = [
        root / "DIV2K_train_HR",
        root / "DIV2K_valid_HR",
        paths["train_lr_url"] / f"X{scale}",
        paths["valid_lr_url"] / f"X{scale}",
    ]
    missing = [str(path) for path in expected if not path.is_dir()]
    if missing:
        raise FileNotFoundError(
            "Not the layout of the extracted DIV2K zips; missing: " + ", ".join(missing) + ". Extract "
            f"DIV2K_{{train,valid}}_HR.zip and DIV2K_{{train,valid}}_LR_bicubic_X{scale}.zip into one folder."
        )
    builder = tfds.builder(div2k_name(scale), data_dir=data_dir)

    def extracted(_manager, urls):  # stands in for the download, like tfds's own builder tests
        return {key: str(paths[key]) for key in urls}

    with (
        mock.patch.object(tfds.download.DownloadManager, "download_and_extract", extracted),
        contextlib.redirect_stdout(sys.stderr),  # the builder prints its URLs; keep notebooks clean
    ):
        builder.download_and_prepare()


def write_div2k_layout(
    folder: str | os.PathLike, pairs: dict[str, Iterable[np.ndarray]], scale: int = DEFAULT_SCALE
) -> Path:
    """Write HR photos as a folder laid out like the extracted DIV2K zips (LR made by bicubic downscaling).

    Used to exercise the real tfds builder offline (tests, benchmarks) and to turn your own photo collection
    into a DIV2K-shaped dataset. ``pairs`` maps ``"train"``/``"validation"`` to HR images; files are numbered
    from 0001 (train) and 0801 (validation) as in DIV2K.
    """
    from PIL import Image

    root = Path(folder)
    for split, first, tag in (("train", 1, "train"), ("validation", 801, "valid")):
        hr_dir = root / f"DIV2K_{tag}_HR"
        lr_dir = root / f"DIV2K_{tag}_LR_bicubic" / f"X{scale}"
        hr_dir.mkdir(parents=True, exist_ok=True)
        lr_dir.mkdir(parents=True, exist_ok=True)
        for number, hr in enumerate(pairs.get(split, ()), start=first):
            hr = crop_to_multiple(load_image(hr), scale)
            Image.fromarray(hr).save(hr_dir / f"{number:04d}.png")
            Image.fromarray(downscale(hr, scale)).save(lr_dir / f"{number:04d}x{scale}.png")
    return root


# ------------------------------------------------------------------------------------------ own photos


def make_pair(image: ImageLike, scale: int = DEFAULT_SCALE) -> tuple[np.ndarray, np.ndarray]:
    """One ``(lr, hr)`` pair from a photo: HR cropped to a multiple of ``scale``, LR by bicubic downscaling.

    Grey, RGBA and 16-bit photos are converted to 8-bit RGB first.
    """
    _check_scale(scale)
    hr = crop_to_multiple(load_image(image), scale)
    if min(hr.shape[:2]) < scale:
        raise ValueError(f"The image ({hr.shape[1]}x{hr.shape[0]} px) is too small to downscale by {scale}.")
    return downscale(hr, scale), hr


def pairs_from_images(images: Iterable[ImageLike], scale: int = DEFAULT_SCALE) -> tf.data.Dataset:
    """A dataset of ``(lr, hr)`` pairs made from your own photos (paths, arrays or PIL images).

    The pairs are made once, here, so a corrupt file fails now with its name rather than mid-training.
    """
    pairs = [make_pair(image, scale) for image in images]

    def generate() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        yield from pairs

    return tf.data.Dataset.from_generator(generate, output_signature=PAIR_SPEC)


def load_sample(scale: int = DEFAULT_SCALE, split: str = "train") -> tf.data.Dataset:
    """``(lr, hr)`` pairs from the offline photo set (see :mod:`edsr_helpers.samples`).

    The same ``element_spec`` as :func:`load_div2k`, so everything downstream works on either. The split is
    by photo and fixed: 12 training photos, 3 validation photos.
    """
    _check_split(split)
    return pairs_from_images((samples.load_photo(name) for name in samples.photo_names(split)), scale)


def uses_div2k(profile: Profile, data_dir: str | os.PathLike | None = None) -> bool:
    """Whether ``profile`` reads DIV2K (rather than the offline photos) on this machine."""
    return profile.dataset == "div2k" or (
        profile.dataset == "div2k-if-prepared" and div2k_is_prepared(profile.scale, data_dir)
    )


def load_pairs(
    profile: Profile, split: str = "train", *, data_dir: str | os.PathLike | None = None, verbose: bool = True
) -> tf.data.Dataset:
    """The pairs a profile trains on: DIV2K for ``gpu``, DIV2K-if-on-disk for ``cpu``, photos for ``ci``."""
    use_div2k = uses_div2k(profile, data_dir)
    if verbose:
        source = div2k_name(profile.scale) if use_div2k else "the offline photo set (load_sample)"
        print(f"{split} pairs: {source}, x{profile.scale}")
    if use_div2k:
        return load_div2k(profile.scale, split, data_dir=data_dir, shuffle_files=split == "train")
    return load_sample(profile.scale, split)


# ------------------------------------------------------------------------------------ augmentation ops


def check_pair(lr: tf.Tensor, hr: tf.Tensor, scale: int) -> tuple[tf.Tensor, tf.Tensor]:
    """Fail with a clear message unless ``hr`` is exactly ``scale`` times ``lr`` in both sides."""
    lr_size, hr_size = tf.shape(lr)[:2], tf.shape(hr)[:2]
    check = tf.debugging.assert_equal(
        hr_size,
        lr_size * scale,
        message=(
            f"LR/HR sizes do not match scale {scale}: the HR (height, width) must be exactly {scale} x the "
            "LR one (the values that follow: HR size, then LR size x scale). Is the dataset made for another "
            "scale, or was the HR not cropped to a multiple of the scale?"
        ),
    )
    with tf.control_dependencies([check]):
        return tf.identity(lr), tf.identity(hr)


def random_crop_pair(
    lr: tf.Tensor, hr: tf.Tensor, seed: tf.Tensor, *, scale: int, lr_patch_size: int
) -> tuple[tf.Tensor, tf.Tensor]:
    """Cut the same region from both images: an LR patch of ``lr_patch_size`` and the HR patch above it.

    The HR offset is the LR offset times ``scale``, so each HR pixel block sits exactly over its LR pixel.
    ``seed`` is a shape-[2] integer tensor (stateless randomness keeps the pipeline reproducible).
    """
    lr_height, lr_width = tf.shape(lr)[0], tf.shape(lr)[1]
    seed_y, seed_x = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    top = tf.random.stateless_uniform((), seed_y, 0, lr_height - lr_patch_size + 1, dtype=tf.int32)
    left = tf.random.stateless_uniform((), seed_x, 0, lr_width - lr_patch_size + 1, dtype=tf.int32)
    hr_patch_size = lr_patch_size * scale
    lr_patch = lr[top : top + lr_patch_size, left : left + lr_patch_size]
    hr_patch = hr[top * scale : top * scale + hr_patch_size, left * scale : left * scale + hr_patch_size]
    lr_patch.set_shape((lr_patch_size, lr_patch_size, 3))
    hr_patch.set_shape((hr_patch_size, hr_patch_size, 3))
    return lr_patch, hr_patch


def transform_pair(
    lr: tf.Tensor, hr: tf.Tensor, quarter_turns: tf.Tensor | int, flip: tf.Tensor | bool
) -> tuple[tf.Tensor, tf.Tensor]:
    """Rotate both images by ``quarter_turns`` x 90 degrees, then mirror them left-right if ``flip``.

    Together these are the 8 symmetries of a square (the same 8 that EDSR+'s self-ensemble averages over).
    The flip reverses the width axis only; colours stay RGB.
    """
    lr, hr = tf.image.rot90(lr, quarter_turns), tf.image.rot90(hr, quarter_turns)
    return tf.cond(
        tf.cast(flip, tf.bool),
        lambda: (tf.image.flip_left_right(lr), tf.image.flip_left_right(hr)),
        lambda: (lr, hr),
    )


def random_transform_pair(lr: tf.Tensor, hr: tf.Tensor, seed: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Apply one of the 8 rotations/flips, chosen uniformly from ``seed``."""
    seed_turns, seed_flip = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    turns = tf.random.stateless_uniform((), seed_turns, 0, 4, dtype=tf.int32)
    flip = tf.random.stateless_uniform((), seed_flip, 0, 2, dtype=tf.int32) > 0
    return transform_pair(lr, hr, turns, flip)


def _skip_if_smaller_than(lr_patch_size: int):
    def big_enough(lr: tf.Tensor, hr: tf.Tensor) -> tf.Tensor:
        size = tf.shape(lr)[:2]
        ok = tf.reduce_all(size >= lr_patch_size)

        def warn() -> tf.Tensor:
            tf.print(
                "edsr_helpers warning: skipping an image whose LR size (height, width)",
                size,
                f"is smaller than the {lr_patch_size}px LR patch",
                output_stream=sys.stderr,
            )
            return ok

        return tf.cond(ok, lambda: ok, warn)

    return big_enough


def make_train_dataset(
    pairs: tf.data.Dataset,
    *,
    scale: int,
    lr_patch_size: int,
    batch_size: int,
    patches_per_image: int = 8,
    image_shuffle_buffer: int = 16,
    patch_shuffle_buffer: int = 256,
    seed: int = DEFAULT_SEED,
    repeat: bool = True,
) -> tf.data.Dataset:
    """Batches of aligned, augmented ``(lr, hr)`` patches for ``model.fit``.

    Per image: check the sizes match ``scale``, skip (with a warning) images smaller than the patch, then cut
    ``patches_per_image`` random aligned patches, each randomly rotated/flipped. Patches of different images
    are shuffled together, batched, and prefetched while the model trains. Images are decoded one at a time
    and never cached, so DIV2K (about 7 GB decoded) streams in constant memory.

    Returns:
        ``(lr, hr)`` uint8 batches of shapes ``(batch, p, p, 3)`` and ``(batch, p*scale, p*scale, 3)``;
        endless when ``repeat``.
    """
    _check_scale(scale)
    autotune = tf.data.AUTOTUNE
    images = pairs.map(lambda lr, hr: check_pair(lr, hr, scale), num_parallel_calls=autotune)
    images = images.filter(_skip_if_smaller_than(lr_patch_size))
    images = images.shuffle(image_shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        images = images.repeat()
    patches = images.flat_map(lambda lr, hr: tf.data.Dataset.from_tensors((lr, hr)).repeat(patches_per_image))
    seeds = tf.data.Dataset.random(seed=seed).batch(2)  # a fresh [2] stateless seed per patch

    def augment(pair: tuple[tf.Tensor, tf.Tensor], pair_seed: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        crop_seed, transform_seed = tf.unstack(tf.random.experimental.stateless_split(pair_seed, 2))
        lr, hr = random_crop_pair(*pair, crop_seed, scale=scale, lr_patch_size=lr_patch_size)
        return random_transform_pair(lr, hr, transform_seed)

    patches = tf.data.Dataset.zip((patches, seeds)).map(augment, num_parallel_calls=autotune)
    patches = patches.shuffle(patch_shuffle_buffer, seed=seed + 1, reshuffle_each_iteration=True)
    return patches.batch(batch_size, drop_remainder=True).prefetch(autotune)


def make_train_dataset_for(profile: Profile, pairs: tf.data.Dataset, **overrides) -> tf.data.Dataset:
    """:func:`make_train_dataset` with the patch, batch and crop sizes of ``profile``."""
    settings = dict(
        scale=profile.scale,
        lr_patch_size=profile.lr_patch_size,
        batch_size=profile.batch_size,
        patches_per_image=profile.patches_per_image,
    )
    settings.update(overrides)
    return make_train_dataset(pairs, **settings)


# ------------------------------------------------------------------------------------ checks and speed

#: Names of the 8 square symmetries, in the order :func:`all_transforms` returns them.
TRANSFORM_NAMES = tuple(
    f"rot {90 * turns}°" + (" + flip" if flip else "") for flip in (False, True) for turns in range(4)
)


def all_transforms(lr: np.ndarray, hr: np.ndarray) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """The pair under each of the 8 rotations/flips, as ``(name, lr, hr)`` numpy triples."""
    result = []
    for index, name in enumerate(TRANSFORM_NAMES):
        turns, flip = index % 4, index >= 4
        lr_t, hr_t = transform_pair(tf.constant(lr), tf.constant(hr), turns, flip)
        result.append((name, lr_t.numpy(), hr_t.numpy()))
    return result


def alignment_psnr(lr: np.ndarray, hr: np.ndarray, scale: int, border: int = 2) -> float:
    """How well ``lr`` matches ``hr`` downscaled: high (> 35 dB) for an aligned pair, ~20 dB when shifted.

    Downscaling the HR patch alone sees no pixels outside it, so the outermost ``border`` LR pixels (where
    the bicubic kernel reaches past the patch) are left out of the comparison.
    """
    from edsr_helpers.metrics import psnr

    return psnr(lr.astype(np.float64), downscale(np.asarray(hr), scale).astype(np.float64), shave=border)


def measure_throughput(dataset: tf.data.Dataset, batches: int = 50, warmup: int = 5) -> float:
    """Patches per second that ``dataset`` delivers (after ``warmup`` batches fill the buffers)."""
    import time

    iterator = iter(dataset)
    for _ in range(warmup):
        next(iterator)
    start, patches = time.perf_counter(), 0
    for _ in range(batches):
        lr, _ = next(iterator)
        patches += int(lr.shape[0])
    return patches / (time.perf_counter() - start)


def as_validation_dataset(pairs: Iterable[tuple[np.ndarray, np.ndarray]]) -> tf.data.Dataset:
    """Whole validation images as batches of one (images differ in size), for ``model.fit(validation_data=)``."""
    pairs = [(np.asarray(lr), np.asarray(hr)) for lr, hr in pairs]
    return tf.data.Dataset.from_generator(lambda: iter(pairs), output_signature=PAIR_SPEC).batch(1)
