"""Running a trained EDSR on photos of any size (notebook 04; its tile loop and self-ensemble are in
:mod:`edsr_helpers.tiling`, generated from the notebook).

The contract (as in most SR code): uint8 RGB in, float inside, then clip to [0, 255], round and cast, uint8
RGB out. A whole 2K output at once takes gigabytes of activations, so :func:`upscale` cuts the input into
tiles with an overlap wider than what a pixel "sees" in practice, and keeps only each tile's centre: memory
is bounded by the tile, and the seams cannot be seen (measured in ``benchmarks/tiled_inference.py``).
"""

from __future__ import annotations

import contextlib
import os
import struct
import sys
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import keras
import numpy as np
from PIL import Image

from edsr_helpers import models, runs, tiling
from edsr_helpers.backend import compiled_forward
from edsr_helpers.images import ImageLike, load_image
from edsr_helpers.model import model_scale
from edsr_helpers.profiles import Profile
from edsr_helpers.weight_files import is_hdf5

#: Side of a tile in LR pixels when tiling is automatic: under 1 GiB peak RSS for a 2K output, no slower than
#: one pass (benchmarks/tiled_inference.py).
DEFAULT_TILE = 104
#: LR pixels of context added on each side of a tile and then thrown away: enough for <= 1 grey level of
#: difference from one pass with the trained baseline (measured; its theoretical reach is ~36 px per side).
DEFAULT_OVERLAP = 12
#: Images with more LR pixels than this are tiled automatically (~0.5 GB of activations for the baseline).
AUTO_TILE_PIXELS = 256 * 256
#: Sides shorter than this are extended by repeating their edge pixels before the model runs, and the result
#: is cropped back. With only a few pixels, the zero padding of EDSR's 33 convolutions outweighs the image
#: (a 1x1 red pixel came out brown, (112, 94, 82) for (200, 10, 10)); with DEFAULT_OVERLAP pixels of context
#: around it, what the tiles' seam guarantee rests on, it comes out right (200.8, 9.8, 9.6).
MIN_INPUT_SIDE = 2 * DEFAULT_OVERLAP + 1


def to_uint8(sr) -> np.ndarray:
    """Model output (float, 0-255 scale, unclipped) -> uint8 image: clip, round, cast.

    Raises:
        ValueError: when the output holds NaN or infinite values (cast to uint8 they would turn black silently).
    """
    sr = np.asarray(sr, dtype=np.float32)
    if not np.isfinite(sr).all():
        raise ValueError(
            "The model's output holds NaN or infinite values: its weights have diverged (or hold NaN). Load other "
            "weights, or train again with a lower learning rate."
        )
    return np.round(np.clip(sr, 0.0, 255.0)).astype(np.uint8)


def _forward(model: keras.Model, lr: np.ndarray) -> np.ndarray:
    """One forward pass of one image, float32 HxWx3 out, compiled by the engine (see the backend seam)."""
    return compiled_forward(model)(lr[None])[0]


def upscale(
    model: keras.Model,
    image: ImageLike,
    *,
    tile: int | str | None = "auto",
    overlap: int = DEFAULT_OVERLAP,
    self_ensemble: bool = False,
    progress: bool | str = False,
) -> np.ndarray:
    """Super-resolve a photo of any size.

    Args:
        model: an EDSR model (any scale).
        image: array, PIL image, path or bytes; grey, RGBA and 16-bit images are converted, corrupt files and
            decompression bombs raise ``ValueError`` with advice.
        tile: LR tile side; ``"auto"`` tiles images larger than 256x256 in tiles of ``DEFAULT_TILE``; ``None``
            runs the whole image at once.
        overlap: LR pixels of context around each tile (discarded afterwards).
        self_ensemble: EDSR+: average the outputs for the 8 rotations/flips of the input (8x the time,
            typically +0.1-0.2 dB). Tiled photos are averaged tile by tile, so memory stays bounded.
        progress: show a progress bar with an estimate when the work takes more than a few seconds (a string
            names the photo in it).

    Returns:
        uint8 ``(H*scale, W*scale, 3)``, assembled tile by tile: no float copy of the whole result is made.

    Raises:
        ResultTooLargeError: before any work, when the result would not fit in the free memory.
    """
    lr = load_image(image)
    scale = model_scale(model)
    check_result_size(lr.shape, scale, in_memory=True)
    out = None
    row = 0
    for band in upscale_bands(model, lr, tile=tile, overlap=overlap, self_ensemble=self_ensemble, progress=progress):
        if out is None and band.shape[0] == lr.shape[0] * scale:
            return band  # one band: the whole result
        if out is None:
            out = np.empty((lr.shape[0] * scale, lr.shape[1] * scale, 3), np.uint8)
        out[row : row + band.shape[0]] = band
        row += band.shape[0]
    return out


def upscale_bands(
    model: keras.Model,
    image: ImageLike,
    *,
    tile: int | str | None = "auto",
    overlap: int = DEFAULT_OVERLAP,
    self_ensemble: bool = False,
    progress: bool | str = False,
) -> Iterator[np.ndarray]:
    """:func:`upscale`'s result as uint8 bands of rows, top to bottom, one tile high each (one band when untiled).

    Why: a band is all that must be in memory at once, so :func:`upscale_file` writes a photo of any size with
    memory bounded by the tiles (the tile loop is notebook 04's, with each tile's centre rounded to uint8 as it
    is placed).
    """
    lr = load_image(image)
    scale = model_scale(model)
    height, width = lr.shape[:2]
    pad_y, pad_x = max(0, MIN_INPUT_SIDE - height), max(0, MIN_INPUT_SIDE - width)
    if pad_y or pad_x:  # tiny input: extend its edges, upscale, crop back (see MIN_INPUT_SIDE)
        padded = np.pad(lr, ((pad_y // 2, pad_y - pad_y // 2), (pad_x // 2, pad_x - pad_x // 2), (0, 0)), "edge")
        sr = upscale(model, padded, tile=tile, overlap=overlap, self_ensemble=self_ensemble)
        top, left = pad_y // 2 * scale, pad_x // 2 * scale
        yield sr[top : top + height * scale, left : left + width * scale]
        return
    if tile == "auto":
        tile = DEFAULT_TILE if height * width > AUTO_TILE_PIXELS else None
    if tile is not None and (isinstance(tile, bool) or not isinstance(tile, int) or tile < 1):
        raise ValueError(f"tile must be a positive number of LR pixels, 'auto' or None; got {tile!r}.")
    if overlap < 0:
        raise ValueError(f"overlap must be >= 0, got {overlap}.")
    if tile is None or (height <= tile and width <= tile):
        tile = max(height, width)
    passes = len(tiling.SYMMETRIES) if self_ensemble else 1
    total = -(-height // tile) * -(-width // tile) * passes
    bar = _progress_bar(total, progress)

    def forward(part: np.ndarray) -> np.ndarray:
        sr = _forward(model, part)
        bar.update(1)
        return sr

    try:
        for top in range(0, height, tile):
            bottom = min(top + tile, height)
            band = np.empty(((bottom - top) * scale, width * scale, 3), np.uint8)
            for left in range(0, width, tile):
                right = min(left + tile, width)
                top_in, left_in = max(top - overlap, 0), max(left - overlap, 0)  # the tile with its context
                bottom_in, right_in = min(bottom + overlap, height), min(right + overlap, width)
                part = lr[top_in:bottom_in, left_in:right_in]
                sr = tiling.self_ensemble(forward, part) if self_ensemble else forward(part)
                band[:, left * scale : right * scale] = to_uint8(  # its centre only
                    sr[
                        (top - top_in) * scale : (bottom - top_in) * scale,
                        (left - left_in) * scale : (right - left_in) * scale,
                    ]
                )
            yield band
    finally:
        bar.close()


#: A progress bar appears only once a photo has taken this many seconds (short ones stay quiet).
PROGRESS_AFTER_S = 3.0


def _progress_bar(total: int, progress: bool | str):
    """A tqdm bar over ``total`` forward passes, on stderr, shown after ``PROGRESS_AFTER_S`` (or a silent one)."""
    from tqdm.auto import tqdm

    description = progress if isinstance(progress, str) else None
    return tqdm(
        total=total,
        desc=description,
        unit="tile",
        delay=PROGRESS_AFTER_S,
        disable=not progress,
        leave=False,
        file=sys.stderr,
    )


class ResultTooLargeError(ValueError):
    """The result of an upscaling would not fit in the free memory; raised before any work is done."""


#: Bytes a tile's forward pass may take on top of the photo (activations of EDSR-baseline on a DEFAULT_TILE tile
#: with its overlap, with the engine's own working memory; measured under 1 GiB for a whole process).
TILE_WORK_BYTES = 768 * 2**20


def available_memory() -> int | None:
    """Bytes of memory the system can still give this process (Linux's ``MemAvailable``); None where unknown."""
    try:
        with open("/proc/meminfo") as file:
            for line in file:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_result_size(shape: Sequence[int], scale: int, *, in_memory: bool) -> None:
    """Refuse, before any work, a result that would not fit in memory; warn when it is larger than Pillow opens.

    ``in_memory``: the whole result is returned as an array (:func:`upscale`); otherwise it is written band by
    band (:func:`upscale_file`) and only the photo and a band are held.

    Raises:
        ResultTooLargeError: with the sizes and what to do instead.
    """
    height, width = int(shape[0]), int(shape[1])
    out_height, out_width = height * scale, width * scale
    if max(out_height, out_width) > PNG_MAX_SIDE:
        raise ResultTooLargeError(
            f"the result would be {out_width}x{out_height} px; PNG files hold at most {PNG_MAX_SIDE:,} px a side. "
            "Cut the photo into parts first."
        )
    band = (DEFAULT_TILE + 2 * DEFAULT_OVERLAP) * scale * out_width * 3 * 2
    needed = height * width * 3 + band + TILE_WORK_BYTES + (out_height * out_width * 3 if in_memory else 0)
    free = available_memory()
    if free is not None and needed > free:
        instead = (
            "eh.inference.upscale_file(path) writes it band by band in far less memory"
            if in_memory
            else "use a smaller --scale, shrink or cut the photo, or close other programs"
        )
        raise ResultTooLargeError(
            f"upscaling {width}x{height} px x{scale} needs about {needed / 2**30:.1f} GiB of memory and "
            f"{free / 2**30:.1f} GiB are free: {instead}."
        )
    opens = 2 * (Image.MAX_IMAGE_PIXELS or 0)
    if opens and out_height * out_width > opens:
        warnings.warn(
            ResultSizeWarning(
                f"the result, {out_width}x{out_height} px ({out_width * out_height / 1e6:.0f} MP), is larger than "
                f"Pillow opens by default ({opens / 1e6:.0f} MP): viewers may refuse it too; to read it in Python, "
                "raise PIL.Image.MAX_IMAGE_PIXELS first."
            ),
            stacklevel=2,
        )


class ResultSizeWarning(UserWarning):
    """The result will be written, but is larger than many programs open."""


#: The largest side a PNG may have (its header stores sides as 31-bit numbers).
PNG_MAX_SIDE = 2**31 - 1


def super_resolve(model: keras.Model, lr: ImageLike) -> np.ndarray:
    """Upscale one image in a single forward pass (small images; see :func:`upscale` for any size)."""
    return upscale(model, lr, tile=None)


class NotAModelFileError(ValueError):
    """A file given as a model is not a readable ``.keras`` model (empty, truncated, another kind of file)."""


class WeightsFileError(ValueError):
    """A ``.weights.h5`` file (weights only) was given where a whole ``.keras`` model was expected."""


def load_model(path: str | os.PathLike) -> keras.Model:
    """Load a ``.keras`` model of the series with ``safe_mode=True``, whatever ran before in this process.

    A model saved after training carries its optimizer (with notebook 03's ``WarmupHalving``) and its metrics
    (``PSNR``): their modules are imported first, so their registered names resolve in a fresh kernel too.

    Raises:
        FileNotFoundError: no file at ``path``.
        WeightsFileError: ``path`` holds weights only (the message says how to use them).
        NotAModelFileError: ``path`` is empty, truncated or not a Keras model file.
    """
    from edsr_helpers import metrics, objective  # noqa: F401 (registers PSNR and WarmupHalving)

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No model at {path}; check the path (relative paths start at {Path.cwd()}).")
    if path.is_dir():
        raise NotAModelFileError(f"{path} is a folder; pass the .keras file inside it.")
    if is_hdf5(path):
        raise WeightsFileError(
            f"{path} holds weights only, not a whole model. Pass a .keras model (model.save('mine.keras') writes "
            "one; notebook 03 saves notebooks/runs/<profile>/edsr.keras), or load these weights into a model of "
            "their architecture: eh.weight_files.load_weights(eh.model.edsr_preset('baseline', scale), path)."
        )
    damage = _keras_archive_damage(path)
    if damage:
        raise NotAModelFileError(
            f"{path} is not a Keras model file ({damage}). A .keras model is a zip archive that model.save() "
            "writes; save it again, or copy it again if it was cut short."
        )
    return keras.saving.load_model(path, safe_mode=True)


def _keras_archive_damage(path: Path) -> str | None:
    """What is wrong with a ``.keras`` archive (``"it is empty"``, ...), or None when it looks whole."""
    if path.stat().st_size == 0:
        return "it is empty"
    if not zipfile.is_zipfile(path):
        return "it is not a zip archive, or it was cut short"
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "config.json" not in names:
                return "it has no config.json"
            broken = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        return f"the archive is damaged: {error}"
    return f"{broken} inside it is damaged" if broken else None


def load_model_for(profile: Profile, *, use_trained: bool = True) -> tuple[keras.Model, str]:
    """The model notebook 03 trained under the same profile, else the shipped pretrained weights.

    Only the same profile's run counts, so whatever another profile left behind (``make run`` trains under
    ``cpu``) never changes what a test run of notebook 04 shows. ``use_trained=False`` always takes the
    pretrained weights: the caller says so for a run too short to show anything. Returns the model and a
    sentence saying which.
    """
    from edsr_helpers import pretrained

    card = (
        f"the pretrained EDSR-baseline x{profile.scale} weights shipped with edsr_helpers "
        "(edsr_helpers/models/edsr/weights/MODEL_CARD.md)"
    )
    if not use_trained:
        return pretrained.load_pretrained(profile.scale), f"This notebook uses {card}."
    path = runs.trained_model_path(profile)
    if path.exists():
        model = load_model(path)
        return model, f"Loaded the model notebook 03 trained under the '{profile.name}' profile: {runs.shown(path)}"
    return pretrained.load_pretrained(profile.scale), (
        f"No model trained under the '{profile.name}' profile yet (notebook 03 saves it as {runs.shown(path)}); "
        f"using {card}."
    )


def upscale_file(
    source: str | os.PathLike,
    target: str | os.PathLike | None = None,
    *,
    scale: int = 4,
    model: keras.Model | None = None,
    self_ensemble: bool = False,
    overwrite: bool = False,
    degradation: str = "bicubic",
    progress: bool = True,
) -> Path:
    """Upscale a photo file and save the result as PNG; what someone with their own photo wants.

    The result is written band by band into a temporary file beside the target, then renamed over it: memory is
    bounded by the tiles whatever the photo's size, and an interrupted run leaves the old file or the new one,
    never a truncated one.

    Args:
        source: the photo (any format Pillow reads; grey, RGBA and 16-bit are converted to RGB).
        target: where to write; default ``<source stem>_edsr_x<scale>.png`` next to the source. PNG keeps every
            pixel the model made (a JPEG would add its own artefacts on top). Never the source itself.
        scale: the factor, used to pick the shipped pretrained weights when no ``model`` is given.
        model: an EDSR model of your own (say, the one notebook 03 trained); its scale must equal ``scale``.
        self_ensemble: EDSR+ (8x the time, a little sharper).
        overwrite: an existing ``target`` is kept unless this is True: nothing is lost by a second run.
        degradation: which shipped weights when no ``model`` is given: ``"bicubic"`` (clean photos) or
            ``"realistic"`` where those ship (the default name becomes ``..._edsr_realistic_x4.png``).
        progress: a progress bar with an estimate on stderr when the photo takes more than a few seconds.

    Returns:
        The path written.
    """
    source = Path(source)
    if not source.is_file():
        raise FileNotFoundError(f"No photo at {source}: check the path (relative paths start at {Path.cwd()}).")
    if target is None:
        target = source.with_name(output_name(source.name, scale, self_ensemble, degradation))
    target = Path(target)
    check_target(target, overwrite, sources=[source])
    if model is None:
        from edsr_helpers.pretrained import load_pretrained

        model = load_pretrained(scale, degradation)
    elif model_scale(model) != scale:
        raise ValueError(f"This model upscales x{model_scale(model)}, not x{scale}: pass scale={model_scale(model)}.")
    lr = load_image(source)
    check_result_size(lr.shape, scale, in_memory=False)
    bands = upscale_bands(model, lr, self_ensemble=self_ensemble, progress=progress and source.name)
    height, width = lr.shape[0] * scale, lr.shape[1] * scale
    write_atomically(target, lambda file: write_png(file, width, height, bands), overwrite=overwrite)
    return target


def output_name(photo_name: str, scale: int, self_ensemble: bool = False, degradation: str = "bicubic") -> str:
    """``photo.jpg`` -> ``photo_edsr_x4.png`` (``photo_edsr_plus_x4.png`` for EDSR+,
    ``photo_edsr_realistic_x4.png`` with the realistic weights): the default result name.

    Each kind of result gets its own name, so runs of the same photo with different settings keep every result.
    """
    realistic = "_realistic" if degradation == "realistic" else ""
    return f"{Path(photo_name).stem}_edsr{realistic}{'_plus' if self_ensemble else ''}_x{scale}.png"


class TargetExistsError(FileExistsError):
    """The result would overwrite an existing file (nothing was written); ``target`` is that file."""

    def __init__(self, target: Path):
        super().__init__(f"{target} already exists; nothing was overwritten. Pass overwrite=True or another target.")
        self.target = target


class TargetNotPngError(ValueError):
    """The result was asked for in a format other than PNG; ``target`` is the name asked for."""

    def __init__(self, target: Path):
        super().__init__(f"Save the result as .png (lossless), not {target.suffix or 'no extension'}: {target}")
        self.target = target


class TargetIsSourceError(ValueError):
    """The result would replace one of the photos it is made from (even through a link); never allowed."""

    def __init__(self, target: Path, source: Path):
        same = "is" if Path(os.path.abspath(target)) == Path(os.path.abspath(source)) else "is the same file as"
        super().__init__(
            f"{target} {same} the photo {source}: the result is never written over a photo being upscaled, "
            "even with overwrite. Name another file."
        )
        self.target, self.source = target, source


class TargetIsDanglingLinkError(ValueError):
    """The target is a symbolic link to nothing: writing there would put the result somewhere unexpected."""

    def __init__(self, target: Path):
        super().__init__(
            f"{target} is a link to {os.readlink(target)}, which does not exist; name another file, or remove the link."
        )
        self.target = target


def same_file(first: str | os.PathLike, second: str | os.PathLike) -> bool:
    """True when two paths are one file: the same path, or one file reached through a symbolic or hard link."""
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them does not exist: compare where the paths lead
        return os.path.normcase(os.path.realpath(first)) == os.path.normcase(os.path.realpath(second))


def check_target(target: Path, overwrite: bool, *, sources: Iterable[str | os.PathLike] = ()) -> None:
    """Refuse, before any work is done, a target that is not PNG, is one of the ``sources`` (even with
    ``overwrite``, even through a link), is a link to nothing, or would overwrite a file.

    The messages name the Python arguments; the command line catches these errors and names its flags.
    """
    target = Path(target)
    if target.suffix.lower() != ".png":
        raise TargetNotPngError(target)
    for source in sources:
        if same_file(target, source):
            raise TargetIsSourceError(target, Path(source))
    if target.is_symlink() and not target.exists():
        raise TargetIsDanglingLinkError(target)
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a folder; name a .png file inside it.")
    if target.exists() and not overwrite:
        raise TargetExistsError(target)


def write_atomically(target: str | os.PathLike, write: Callable[[BinaryIO], None], *, overwrite: bool = False) -> Path:
    """Write a file whole or not at all: ``write(file)`` fills a temporary file in the target's folder, which is
    then renamed over ``target`` (or, without ``overwrite``, put there only if nothing is there yet).

    Why: a run interrupted while writing (killed, out of disk, a crash) leaves the old file or the new one, never a
    truncated one. The temporary file is removed on any error; only a killed process can leave it behind, as a
    hidden ``.<name>.*.part`` file beside the target, which may be deleted.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file (mkstemp makes it private)
        if overwrite:
            os.replace(temporary, target)
        else:
            _place_without_overwriting(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return target


def _place_without_overwriting(temporary: str, target: Path) -> None:
    """Give ``temporary`` the name ``target`` only if no file has it, in one step where the file system can."""
    try:
        os.link(temporary, target)  # fails if the target exists, even when it appeared during the work
    except FileExistsError:
        raise TargetExistsError(target) from None
    except OSError:  # a file system without hard links: check, then rename
        if target.exists() or target.is_symlink():
            raise TargetExistsError(target) from None
        os.replace(temporary, target)


def write_png(file: BinaryIO, width: int, height: int, bands: Iterable[np.ndarray], *, level: int = 6) -> None:
    """Encode uint8 RGB rows as PNG, band by band, into an open binary file.

    Why: Pillow encodes a whole image held in memory; this takes the rows as they are made, so a result of any
    size is written with one band in memory. Each row uses PNG's Paeth filter, then zlib at ``level``.
    """
    file.write(b"\x89PNG\r\n\x1a\n")
    file.write(_png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
    compressor = zlib.compressobj(level)
    above = np.zeros(width * 3, np.uint8)
    rows = 0
    for band in bands:
        if band.dtype != np.uint8 or band.ndim != 3 or band.shape[1:] != (width, 3):
            raise ValueError(f"a band of {band.shape} {band.dtype} does not fit a {width} px wide uint8 RGB image.")
        flat = band.reshape(band.shape[0], width * 3)
        for start in range(0, flat.shape[0], 8):  # a few rows at a time: the filter's int16 copies stay small
            rows_now = flat[start : start + 8]
            data = compressor.compress(_paeth_filtered(rows_now, above).tobytes())
            if data:
                file.write(_png_chunk(b"IDAT", data))
            above = rows_now[-1]
        rows += band.shape[0]
    if rows != height:
        raise ValueError(f"{rows} rows were made for a PNG {height} rows high.")
    file.write(_png_chunk(b"IDAT", compressor.flush()))
    file.write(_png_chunk(b"IEND", b""))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _paeth_filtered(rows: np.ndarray, above: np.ndarray) -> np.ndarray:
    """``rows`` (n x width*3 bytes) as PNG scanlines with the Paeth filter (type 4), given the row ``above``."""
    x = rows.astype(np.int16)
    up = np.vstack([above[None], rows[:-1]]).astype(np.int16)
    left = np.zeros_like(x)
    left[:, 3:] = x[:, :-3]
    upper_left = np.zeros_like(x)
    upper_left[:, 3:] = up[:, :-3]
    guess = left + up - upper_left
    to_left, to_up, to_upper_left = np.abs(guess - left), np.abs(guess - up), np.abs(guess - upper_left)
    predicted = np.where(
        (to_left <= to_up) & (to_left <= to_upper_left), left, np.where(to_up <= to_upper_left, up, upper_left)
    )
    lines = np.empty((rows.shape[0], rows.shape[1] + 1), np.uint8)
    lines[:, 0] = 4
    lines[:, 1:] = (x - predicted).astype(np.uint8)  # wraps modulo 256, as PNG's filters do
    return lines


def save_png(image: np.ndarray, target: str | os.PathLike, *, overwrite: bool = False, sources: Iterable = ()) -> Path:
    """Write a uint8 RGB image as PNG, never over an existing file unless ``overwrite``, never over one of the
    ``sources``; the file is replaced whole (see :func:`write_atomically`).

    Raises:
        ValueError: for an array that is not a uint8 image (floats are explained: which conversion to use).
    """
    target = Path(target)
    image = np.asarray(image)
    if image.dtype != np.uint8:
        kind = "float" if np.issubdtype(image.dtype, np.floating) else str(image.dtype)
        raise ValueError(
            f"save_png writes uint8 images (0-255); this one is {image.dtype}. Model outputs on a 0-255 scale: "
            f"pass eh.inference.to_uint8(image); {kind} images in [0, 1]: pass eh.images.to_rgb_uint8(image)."
        )
    if image.ndim != 3 or image.shape[2] != 3 or 0 in image.shape:
        raise ValueError(f"save_png writes RGB images of shape (H, W, 3); this one has shape {image.shape}.")
    check_target(target, overwrite, sources=sources)
    height, width = image.shape[:2]
    return write_atomically(target, lambda file: write_png(file, width, height, [image]), overwrite=overwrite)


#: The smallest LR side ``evaluate_photo`` accepts: a smaller reference leaves too little to score after the
#: border is shaved (SSIM's window alone is 11 pixels).
MIN_EVALUATION_LR_SIDE = 8


def evaluate_photo(
    model: keras.Model, original: ImageLike, *, self_ensemble: bool = True, lr_from: str = "bicubic"
) -> list[dict[str, float | str]]:
    """Score a model on your own photo the series' way: the photo is the reference, its LR is made by the
    series' bicubic degradation (or, with ``lr_from="camera-like"``, by notebook 05's fixed camera-like one, where
    realistic weights should win), and bicubic, EDSR (and EDSR+) are scored against it.

    Returns:
        One row per method: ``{"method", "psnr_y", "ssim_y", "psnr_rgb", "ssim_rgb"}``, a border of ``scale``
        pixels left out, as papers measure. The model's rows are its model folder's name (``"EDSR"``, ``"EDSR+"``).

    Raises:
        ValueError: if the photo is too small to make an LR image of at least ``MIN_EVALUATION_LR_SIDE`` pixels.
    """
    from edsr_helpers.images import crop_to_multiple, make_lr, upscale_bicubic
    from edsr_helpers.metrics import score

    scale = model_scale(model)
    hr = load_image(original)
    smallest = scale * MIN_EVALUATION_LR_SIDE
    if min(hr.shape[:2]) < smallest:
        raise ValueError(
            f"the reference is {hr.shape[1]}x{hr.shape[0]} px; scoring x{scale} needs at least {smallest}x{smallest} "
            f"(an LR image of {MIN_EVALUATION_LR_SIDE} px a side once shrunk). Use a larger photo or a smaller --scale."
        )
    hr = crop_to_multiple(hr, scale)
    lr = make_lr(hr, scale, lr_from)
    name = models.model_name(model)
    outputs = {"bicubic": upscale_bicubic(lr, scale), name: upscale(model, lr)}
    if self_ensemble:
        outputs[f"{name}+"] = upscale(model, lr, self_ensemble=True)
    rows = []
    for method, sr in outputs.items():
        y, rgb = (score(hr, sr, shave=scale, y_only=y_only, with_ssim=True) for y_only in (True, False))
        rows.append({"method": method, "psnr_y": y.psnr, "ssim_y": y.ssim, "psnr_rgb": rgb.psnr, "ssim_rgb": rgb.ssim})
    return rows


def evaluation_table(rows: list[dict[str, float | str]]) -> str:
    """``evaluate_photo``'s rows as a plain-text table for a terminal."""
    lines = [f"{'method':8s} {'PSNR Y':>8s} {'SSIM Y':>7s} {'PSNR RGB':>9s} {'SSIM RGB':>9s}"]
    for row in rows:
        scores = f"{row['psnr_y']:8.2f} {row['ssim_y']:7.4f} {row['psnr_rgb']:9.2f} {row['ssim_rgb']:9.4f}"
        lines.append(f"{row['method']:8s} {scores}")
    return "\n".join(lines)
