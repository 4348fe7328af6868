"""DIV2K through tensorflow-datasets: streaming it, downloading it once, preparing it from zips you copied.

The real ``div2k`` builder of tfds does the work; what is added here is what a class needs: a download that is
never started by surprise (a clear error instead, with the size), a network check that cannot hang a notebook,
and a way to prepare the dataset on a machine that cannot reach the DIV2K server. Needs TensorFlow.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from edsr_helpers.constants import (
    DEFAULT_SCALE,
    DIV2K_CONNECT_TIMEOUT_S,
    DIV2K_DOWNLOAD_GB,
    DIV2K_HOST,
    TFDS_DATA_DIR_ENV_VAR,
)
from edsr_helpers.images import crop_to_multiple, load_image
from edsr_helpers.pairs import downscale
from edsr_helpers.photo_pairs import check_scale

if TYPE_CHECKING:
    import tensorflow as tf


#: The splits tensorflow-datasets' div2k has.
DIV2K_SPLITS = ("train", "validation")

#: The series' three splits on DIV2K, as tfds split names. DIV2K's test HR images are not public, so its 100
#: validation photos are cut in two, in tfds's order: the first half chooses (validation: which checkpoint is
#: kept), the second half, which chose nothing, reports (test). A score on the photos that chose a model flatters it.
DIV2K_SERIES_SPLITS = {"train": "train", "validation": "validation[:50%]", "test": "validation[50%:]"}


class DatasetUnavailableError(ConnectionError):
    """DIV2K is neither on disk nor downloadable right now."""


def div2k_name(scale: int) -> str:
    """tfds name of DIV2K's bicubic config for ``scale``, e.g. ``div2k/bicubic_x4``."""
    check_scale(scale)
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
        split: ``"train"`` (800 images) or ``"validation"`` (100 images), or a tfds slice of either
            (``"validation[:50%]"``; :data:`DIV2K_SERIES_SPLITS` names the series' halves).
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

    if split.split("[")[0] not in DIV2K_SPLITS:
        raise ValueError(
            f"DIV2K has the splits {DIV2K_SPLITS}, not {split!r} (its test photos' HR images are not public; the "
            "offline test photos are edsr_helpers.data.load_sample(scale, 'test'))."
        )
    name = div2k_name(scale)
    data_dir = tfds_data_dir(data_dir)
    if not div2k_is_prepared(scale, data_dir):
        where = data_dir or "tfds's default data_dir (~/tensorflow_datasets)"
        if not download:
            raise DatasetUnavailableError(f"{name} is not prepared in {where} and download=False.")
        if not _host_reachable(DIV2K_HOST, DIV2K_CONNECT_TIMEOUT_S):
            raise DatasetUnavailableError(
                f"{name} is not prepared in {where}, and the DIV2K server ({DIV2K_HOST}) cannot be reached "
                "from this machine. Either use the offline photos (edsr_helpers.data.load_sample), run on a "
                "machine with internet (e.g. Colab), or download the DIV2K zips elsewhere, extract them into one "
                "folder and call "
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
    check_scale(scale)
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

    # tfds's div2k builder asks its download manager for four zips; this builder instance is handed folders
    # instead, the extracted zips (tfds's own builder tests do the same). Nothing global changes.
    split_generators = builder._split_generators
    builder._split_generators = lambda _download_manager: split_generators(_ExtractedZips(paths))
    with contextlib.redirect_stdout(sys.stderr):  # the builder prints its URLs; keep notebooks clean
        builder.download_and_prepare()


class _ExtractedZips:
    """Answers the div2k builder's ``download_and_extract`` with folders that are already there."""

    def __init__(self, paths: dict[str, Path]):
        self._paths = paths

    def download_and_extract(self, urls: dict[str, str]) -> dict[str, str]:
        return {key: str(self._paths[key]) for key in urls}


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
