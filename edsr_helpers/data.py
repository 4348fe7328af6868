"""Stage 1 of the series (notebook 01): low/high-resolution pairs and the training pipeline.

A *pair* is ``(lr, hr)``: two uint8 ``(H, W, 3)`` RGB images, ``hr`` exactly ``scale`` times larger than
``lr``. :func:`load_sample` and :func:`pairs_from_images` make pairs from real photos (shipped by pip
packages, or your own) and return them as a list of numpy arrays; :func:`load_div2k` streams DIV2K through
tensorflow-datasets as a ``tf.data.Dataset`` of pairs (what Colab users train on; it needs TensorFlow).

The augmentation (an aligned random crop, then one of the 8 rotations/flips) is defined once, in numpy
(:func:`random_patch`), and used by both training pipelines :func:`make_train_dataset` builds:

- photos in memory: :class:`PatchBatches`, a ``keras.utils.PyDataset`` that works on every Keras engine
  (TensorFlow, JAX, torch), with or without TensorFlow installed;
- DIV2K streaming from disk: a ``tf.data`` pipeline that decodes one image at a time and cuts several patches
  from it with the same numpy function.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import sys
import threading
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from unittest import mock

import keras
import numpy as np

from edsr_helpers import samples
from edsr_helpers.constants import (
    DEFAULT_SCALE,
    DEFAULT_SEED,
    DIV2K_CONNECT_TIMEOUT_S,
    DIV2K_DOWNLOAD_GB,
    DIV2K_HOST,
    SCALES,
    TFDS_DATA_DIR_ENV_VAR,
)
from edsr_helpers.images import ImageLike, crop_to_multiple, downscale, load_image
from edsr_helpers.pairs import (  # noqa: F401 (eh.data.* as before) written in notebook 01: crop, 8 symmetries
    crop_pair,
    random_crop_pair,
    random_patch,
    random_transform_pair,
    transform_pair,
)
from edsr_helpers.profiles import Profile

if TYPE_CHECKING:
    import tensorflow as tf

#: One training example: an LR and an HR uint8 RGB image, HR ``scale`` times larger.
Pair = tuple[np.ndarray, np.ndarray]
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


def tfds_data_dir(data_dir: str | os.PathLike | None = None) -> str | os.PathLike | None:
    """``data_dir`` if given, else ``TFDS_DATA_DIR`` as it is *now* (tfds reads that variable once, at import;
    on Colab the setup cell sets it to the Drive folder, possibly after tfds was imported), else tfds's default."""
    return data_dir or os.environ.get(TFDS_DATA_DIR_ENV_VAR) or None


def div2k_is_prepared(scale: int = DEFAULT_SCALE, data_dir: str | os.PathLike | None = None) -> bool:
    """Whether DIV2K at ``scale`` is already downloaded and prepared in ``data_dir`` (no network used)."""
    import tensorflow_datasets as tfds
    from absl import logging

    verbosity = logging.get_verbosity()
    logging.set_verbosity(logging.ERROR)  # tfds warns about the missing folder, which is the expected answer
    try:
        return tfds.builder(div2k_name(scale), data_dir=tfds_data_dir(data_dir)).is_prepared()
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
    data_dir = tfds_data_dir(data_dir)
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


def download_div2k(scale: int = DEFAULT_SCALE, data_dir: str | os.PathLike | None = None) -> None:
    """Download and prepare DIV2K at ``scale`` once, saying how big it is first (tfds shows its progress bars).

    Nothing in the series calls this unless asked: notebook 01's download cell (``DOWNLOAD_DIV2K = True``) or
    the ``paper`` profile. Afterwards the ``cpu`` and ``gpu`` profiles find DIV2K on disk and train on it.
    """
    _check_scale(scale)
    if div2k_is_prepared(scale, data_dir):
        print(f"{div2k_name(scale)} is already prepared; nothing to download.")
        return
    where = tfds_data_dir(data_dir) or "~/tensorflow_datasets"
    print(
        f"Downloading {div2k_name(scale)}: {DIV2K_DOWNLOAD_GB[scale]} GB of zips from {DIV2K_HOST}, then "
        f"tensorflow-datasets prepares them in {where} (about as much disk again)."
    )
    load_div2k(scale, "train", data_dir=data_dir)  # prepares both splits


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
    builder = tfds.builder(div2k_name(scale), data_dir=tfds_data_dir(data_dir))

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


def pairs_from_images(images: Iterable[ImageLike], scale: int = DEFAULT_SCALE) -> list[Pair]:
    """``(lr, hr)`` pairs made from your own photos (paths, arrays or PIL images), as a list in memory.

    The pairs are made once, here, so a corrupt file fails now with its name rather than mid-training.
    """
    return [make_pair(image, scale) for image in images]


def load_sample(scale: int = DEFAULT_SCALE, split: str = "train") -> list[Pair]:
    """``(lr, hr)`` pairs from the offline photo set (see :mod:`edsr_helpers.samples`).

    The same kind of pairs as :func:`load_div2k`, so everything downstream works on either. The split is by
    photo and fixed: 12 training photos, 3 validation photos.
    """
    _check_split(split)
    return pairs_from_images((samples.load_photo(name) for name in samples.photo_names(split)), scale)


def first_pairs(pairs, count: int | None = None) -> list[Pair]:
    """The first ``count`` pairs (all when None) as numpy arrays, from a list or a tf.data dataset alike."""
    if isinstance(pairs, Sequence):
        return [(np.asarray(lr), np.asarray(hr)) for lr, hr in pairs[:count]]
    return list(pairs.take(-1 if count is None else count).as_numpy_iterator())


def uses_div2k(profile: Profile, data_dir: str | os.PathLike | None = None) -> bool:
    """Whether ``profile`` reads DIV2K (rather than the offline photos) on this machine.

    ``div2k-if-prepared`` profiles look on disk only when TensorFlow is installed (tfds's DIV2K needs it).
    """
    from edsr_helpers.backend import tensorflow_available

    return profile.dataset == "div2k" or (
        profile.dataset == "div2k-if-prepared" and tensorflow_available() and div2k_is_prepared(profile.scale, data_dir)
    )


def load_pairs(
    profile: Profile, split: str = "train", *, data_dir: str | os.PathLike | None = None, verbose: bool = True
) -> list[Pair] | tf.data.Dataset:
    """The pairs a profile trains on: DIV2K for ``paper`` (downloads once), DIV2K if already on disk for ``cpu``
    and ``gpu`` (never downloads), the offline photos for ``ci``."""
    use_div2k = uses_div2k(profile, data_dir)
    if verbose:
        source = div2k_name(profile.scale) if use_div2k else "the offline photo set (load_sample)"
        print(f"{split} pairs: {source}, x{profile.scale}")
    if use_div2k:
        return load_div2k(profile.scale, split, data_dir=data_dir, shuffle_files=split == "train")
    return load_sample(profile.scale, split)


# ------------------------------------------------------------------------------------ augmentation


def check_pair(lr: np.ndarray, hr: np.ndarray, scale: int) -> None:
    """Fail with a clear message unless ``hr`` is exactly ``scale`` times ``lr`` in both sides."""
    lr_size, hr_size = tuple(np.shape(lr)[:2]), tuple(np.shape(hr)[:2])
    if hr_size != (lr_size[0] * scale, lr_size[1] * scale):
        raise ValueError(
            f"LR/HR sizes do not match scale {scale}: HR is {hr_size[1]}x{hr_size[0]} px, LR "
            f"{lr_size[1]}x{lr_size[0]} px, so HR should be {lr_size[1] * scale}x{lr_size[0] * scale}. Is the "
            "dataset made for another scale, or was the HR not cropped to a multiple of the scale "
            "(edsr_helpers.images.crop_to_multiple)?"
        )


def patches_from_image(
    lr: np.ndarray, hr: np.ndarray, seed: int, *, scale: int, lr_patch_size: int, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` random patches of one pair, stacked: ``(count, p, p, 3)`` and ``(count, p*scale, p*scale, 3)``.

    Patch ``k`` uses the seed ``(seed, k)``. An image smaller than the patch gives no patches (and a warning)
    instead of stopping the run; a pair whose sizes do not match ``scale`` raises ``ValueError``.
    """
    if not usable_pair(lr, hr, scale, lr_patch_size):
        hr_patch_size = lr_patch_size * scale
        return (
            np.zeros((0, lr_patch_size, lr_patch_size, 3), np.uint8),
            np.zeros((0, hr_patch_size, hr_patch_size, 3), np.uint8),
        )
    return _stacked(
        [random_patch(lr, hr, (int(seed), k), scale=scale, lr_patch_size=lr_patch_size) for k in range(count)]
    )


def usable_pair(lr: np.ndarray, hr: np.ndarray, scale: int, lr_patch_size: int) -> bool:
    """Whether a pair can give patches: sizes that do not match ``scale`` raise ``ValueError`` (a wrong dataset
    must stop the run); an image smaller than the patch is skipped with a warning (one small photo must not)."""
    check_pair(lr, hr, scale)
    if min(lr.shape[:2]) < lr_patch_size:
        warnings.warn(
            f"edsr_helpers: skipping an image whose LR size {lr.shape[1]}x{lr.shape[0]} is smaller than the "
            f"{lr_patch_size}px LR patch",
            stacklevel=3,
        )
        return False
    return True


def _stacked(patches: list[Pair]) -> tuple[np.ndarray, np.ndarray]:
    return np.stack([lr for lr, _ in patches]), np.stack([hr for _, hr in patches])


# ------------------------------------------------------------------------------------ training pipelines


#: How :class:`PatchBatches` chooses the image of each patch.
SAMPLINGS = ("uniform", "area")


class PatchBatches(keras.utils.PyDataset):
    """Endless batches of augmented patches from pairs held in memory, for ``model.fit`` on any Keras engine.

    Batch ``i`` is a pure function of ``(seed, i)``: each of its patches comes from an image chosen at random
    and a seed drawn from ``np.random.default_rng((seed, i))``, cut by :func:`random_patch`. Images smaller
    than the patch are left out with a warning; mismatched pairs fail here, before training starts.
    Pass ``steps_per_epoch`` to ``fit`` (the stream has no end).

    ``sampling="uniform"`` picks every image equally often; ``"area"`` in proportion to its size, so each
    *pixel* is equally likely, and a 4-megapixel photo is not seen as often as a thumbnail-sized one.

    ``start`` is the number of the first batch: ``fit`` always asks for batches 0, 1, 2, ..., so a run that
    resumes after ``n`` steps passes ``start=n`` to go on with the stream instead of replaying its beginning.
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
        **kwargs,
    ):
        super().__init__(**kwargs)
        _check_scale(scale)
        if sampling not in SAMPLINGS:
            raise ValueError(f"sampling must be one of {SAMPLINGS}, not {sampling!r}.")
        if start < 0:
            raise ValueError(f"start must be a batch number >= 0, not {start}.")
        self.scale, self.lr_patch_size, self.batch_size, self.seed = scale, lr_patch_size, batch_size, seed
        self.start = int(start)
        arrays = [(np.asarray(lr), np.asarray(hr)) for lr, hr in pairs]
        self.pairs = [(lr, hr) for lr, hr in arrays if usable_pair(lr, hr, scale, lr_patch_size)]
        if not self.pairs:
            raise ValueError(f"No image is large enough for {lr_patch_size}px LR patches; use smaller patches.")
        if sampling == "area":
            areas = np.array([lr.shape[0] * lr.shape[1] for lr, _ in self.pairs], np.float64)
            self.weights = areas / areas.sum()
        else:
            self.weights = None

    @property
    def num_batches(self) -> None:
        return None  # endless

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng((self.seed, self.start + int(index)))
        if self.weights is None:
            images = rng.integers(0, len(self.pairs), size=self.batch_size)
        else:
            images = rng.choice(len(self.pairs), size=self.batch_size, p=self.weights)
        seeds = rng.integers(0, 2**63, size=self.batch_size)
        patches = [
            random_patch(*self.pairs[image], int(seed), scale=self.scale, lr_patch_size=self.lr_patch_size)
            for image, seed in zip(images, seeds, strict=True)
        ]
        return _stacked(patches)

    def __iter__(self):
        for index in itertools.count():
            yield self[index]


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
):
    """Batches of aligned, augmented ``(lr, hr)`` patches for ``model.fit``.

    - ``pairs`` in memory (a list, what :func:`load_sample` returns): a :class:`PatchBatches`, on any engine,
      choosing images by ``sampling`` (``"uniform"`` or ``"area"``), from batch number ``start`` on (a resumed
      run's steps so far);
    - ``pairs`` as a ``tf.data.Dataset`` (DIV2K): a streaming tf.data pipeline. Per image: check the sizes
      match ``scale``, skip (with a warning) images smaller than the patch, cut ``patches_per_image`` patches
      (decoding a 2K PNG costs far more than cropping it); then shuffle patches of different images together,
      batch, and prefetch while the model trains. Nothing is cached, so DIV2K (~7 GB decoded) streams in
      constant memory. ``repeat=False`` ends after one pass.

    Both cut every patch with :func:`random_patch`.

    Returns:
        ``(lr, hr)`` uint8 batches of shapes ``(batch, p, p, 3)`` and ``(batch, p*scale, p*scale, 3)``.
    """
    _check_scale(scale)
    if isinstance(pairs, Sequence):
        return PatchBatches(
            pairs,
            scale=scale,
            lr_patch_size=lr_patch_size,
            batch_size=batch_size,
            seed=seed,
            sampling=sampling,
            start=start,
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
    """The pair under each of the 8 rotations/flips, as ``(name, lr, hr)`` triples."""
    return [(name, *transform_pair(lr, hr, index % 4, index >= 4)) for index, name in enumerate(TRANSFORM_NAMES)]


def alignment_psnr(lr: np.ndarray, hr: np.ndarray, scale: int, border: int = 2) -> float:
    """How well ``lr`` matches ``hr`` downscaled: high (> 35 dB) for an aligned pair, 20-25 dB when shifted by
    one LR pixel.

    Downscaling the HR patch alone sees no pixels outside it, so the outermost ``border`` LR pixels (where
    the bicubic kernel reaches past the patch) are left out of the comparison.
    """
    from edsr_helpers.metrics import psnr

    return psnr(lr.astype(np.float64), downscale(np.asarray(hr), scale).astype(np.float64), shave=border)


def measure_throughput(dataset, batches: int = 50, warmup: int = 5) -> float:
    """Patches per second that a training dataset delivers (after ``warmup`` batches fill the buffers)."""
    import time

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
    :func:`edsr_helpers.training.choose_strategy`) so each device gets a copy; by default the global JAX
    distribution, if any, decides.
    """
    from edsr_helpers.backend import batch_multiple

    return ValidationImages(pairs, copies=batch_multiple() if copies is None else copies)
