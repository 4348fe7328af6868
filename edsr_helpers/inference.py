"""Running a trained EDSR on photos of any size (notebook 04; its tile loop and self-ensemble are in
:mod:`edsr_helpers.tiling`, generated from the notebook).

The contract (as in most SR code): uint8 RGB in, float inside, then clip to [0, 255], round and cast, uint8
RGB out. A whole 2K output at once takes gigabytes of activations, so :func:`upscale` cuts the input into
tiles with an overlap wider than what a pixel "sees" in practice, and keeps only each tile's centre: memory
is bounded by the tile, and the seams cannot be seen (measured in ``benchmarks/tiled_inference.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

import keras
import numpy as np
from PIL import Image

from edsr_helpers import model as edsr_model
from edsr_helpers import runs, tiling
from edsr_helpers.backend import compiled_forward
from edsr_helpers.images import ImageLike, load_image
from edsr_helpers.tiling import upscale_in_tiles  # the tile loop and EDSR+, written in notebook 04

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
    """Model output (float, 0-255 scale, unclipped) -> uint8 image: clip, round, cast."""
    return np.round(np.clip(np.asarray(sr, dtype=np.float32), 0.0, 255.0)).astype(np.uint8)


def model_scale(model: keras.Model) -> int:
    """The upscaling factor of an EDSR model (what it was built with; see :func:`edsr_helpers.model.model_scale`)."""
    return edsr_model.model_scale(model)


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
            typically +0.1-0.2 dB).

    Returns:
        uint8 ``(H*scale, W*scale, 3)``.
    """
    lr = load_image(image)
    scale = model_scale(model)
    height, width = lr.shape[:2]
    pad_y, pad_x = max(0, MIN_INPUT_SIDE - height), max(0, MIN_INPUT_SIDE - width)
    if pad_y or pad_x:  # tiny input: extend its edges, upscale, crop back (see MIN_INPUT_SIDE)
        padded = np.pad(lr, ((pad_y // 2, pad_y - pad_y // 2), (pad_x // 2, pad_x - pad_x // 2), (0, 0)), "edge")
        sr = upscale(model, padded, tile=tile, overlap=overlap, self_ensemble=self_ensemble)
        top, left = pad_y // 2 * scale, pad_x // 2 * scale
        return sr[top : top + height * scale, left : left + width * scale]
    if tile == "auto":
        tile = DEFAULT_TILE if lr.shape[0] * lr.shape[1] > AUTO_TILE_PIXELS else None
    if tile is not None and (not isinstance(tile, int) or tile < 1):
        raise ValueError(f"tile must be a positive number of LR pixels, 'auto' or None; got {tile!r}.")
    if overlap < 0:
        raise ValueError(f"overlap must be >= 0, got {overlap}.")

    def upscale_one(image: np.ndarray) -> np.ndarray:
        return upscale_in_tiles(lambda part: _forward(model, part), image, scale, tile, overlap)

    return to_uint8(tiling.self_ensemble(upscale_one, lr) if self_ensemble else upscale_one(lr))


def super_resolve(model: keras.Model, lr: ImageLike) -> np.ndarray:
    """Upscale one image in a single forward pass (small images; see :func:`upscale` for any size)."""
    return upscale(model, lr, tile=None)


def load_model(path: str | os.PathLike) -> keras.Model:
    """Load a ``.keras`` model of the series with ``safe_mode=True``, whatever ran before in this process.

    A model saved after training carries its optimizer (with notebook 03's ``WarmupHalving``) and its metrics
    (``PSNR``): their modules are imported first, so their registered names resolve in a fresh kernel too.
    """
    from edsr_helpers import metrics, objective  # noqa: F401 (registers PSNR and WarmupHalving)

    return keras.saving.load_model(path, safe_mode=True)


def load_model_for(profile) -> tuple[keras.Model, str]:
    """The model notebook 03 trained under the same profile, else the shipped pretrained weights.

    Only the same profile's run counts, so whatever another profile left behind (``make run`` trains under
    ``cpu``) never changes what the ``ci`` test run of notebook 04 shows. Under ``ci`` itself, whose training
    lasts seconds, the pretrained weights are always used. Returns the model and a sentence saying which.
    """
    from edsr_helpers import pretrained

    card = (
        f"the pretrained EDSR-baseline x{profile.scale} weights shipped with edsr_helpers "
        "(edsr_helpers/weights/MODEL_CARD.md)"
    )
    if profile.name == "ci":
        return pretrained.load_pretrained(profile.scale), (
            f"The 'ci' profile trains for seconds only, so this notebook uses {card}."
        )
    path = runs.trained_model_path(profile)
    if path.exists():
        model = load_model(path)
        return model, f"Loaded the model notebook 03 trained under the '{profile.name}' profile: {runs.shown(path)}"
    return pretrained.load_pretrained(profile.scale), (
        f"No model trained under the '{profile.name}' profile yet (notebook 03 saves it as {runs.shown(path)}); "
        f"using {card}."
    )


def self_ensemble_gain(model: keras.Model, pairs, names) -> list[list[str]]:
    """Rows ``[name, bicubic, EDSR, EDSR+, gain]`` of Y-PSNR (shave = scale) per photo, and their mean."""
    from edsr_helpers.images import upscale_bicubic
    from edsr_helpers.metrics import psnr

    scale = model_scale(model)
    scores = []
    for lr, hr in pairs:
        lr, hr = np.asarray(lr), np.asarray(hr)
        outputs = (upscale_bicubic(lr, scale), upscale(model, lr), upscale(model, lr, self_ensemble=True))
        scores.append([psnr(hr, image, shave=scale, y_only=True) for image in outputs])
    names = [*names, "mean"]
    scores.append(list(np.mean(scores, axis=0)))
    return [
        [name, *(f"{value:.2f}" for value in row), f"{row[2] - row[1]:+.2f} dB"]
        for name, row in zip(names, scores, strict=True)
    ]


def upscale_file(
    source: str | os.PathLike,
    target: str | os.PathLike | None = None,
    *,
    scale: int = 4,
    model: keras.Model | None = None,
    self_ensemble: bool = False,
    overwrite: bool = False,
    degradation: str = "bicubic",
) -> Path:
    """Upscale a photo file and save the result as PNG; what someone with their own photo wants.

    Args:
        source: the photo (any format Pillow reads; grey, RGBA and 16-bit are converted to RGB).
        target: where to write; default ``<source stem>_edsr_x<scale>.png`` next to the source. PNG keeps every
            pixel the model made (a JPEG would add its own artefacts on top).
        scale: the factor, used to pick the shipped pretrained weights when no ``model`` is given.
        model: an EDSR model of your own (say, the one notebook 03 trained); its scale must equal ``scale``.
        self_ensemble: EDSR+ (8x the time, a little sharper).
        overwrite: an existing ``target`` is kept unless this is True: nothing is lost by a second run.
        degradation: which shipped weights when no ``model`` is given: ``"bicubic"`` (clean photos) or
            ``"realistic"`` (noisy, blurred, compressed ones; the default name becomes ``..._edsr_realistic_x4.png``).

    Returns:
        The path written.
    """
    source = Path(source)
    if not source.is_file():
        raise FileNotFoundError(f"No photo at {source}: check the path (relative paths start at {Path.cwd()}).")
    if target is None:
        target = source.with_name(output_name(source.name, scale, self_ensemble, degradation))
    target = Path(target)
    check_target(target, overwrite)
    if model is None:
        from edsr_helpers.pretrained import load_pretrained

        model = load_pretrained(scale, degradation)
    elif model_scale(model) != scale:
        raise ValueError(f"This model upscales x{model_scale(model)}, not x{scale}: pass scale={model_scale(model)}.")
    result = upscale(model, load_image(source), self_ensemble=self_ensemble)
    return save_png(result, target, overwrite=overwrite)


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


def check_target(target: Path, overwrite: bool) -> None:
    """Refuse, before any work is done, a target that is not PNG or that would overwrite a file.

    The messages name the Python arguments; the command line catches these two errors and names its flags.
    """
    if target.suffix.lower() != ".png":
        raise TargetNotPngError(target)
    if target.exists() and not overwrite:
        raise TargetExistsError(target)


def save_png(image: np.ndarray, target: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write a uint8 RGB image as PNG, never over an existing file unless ``overwrite``."""
    target = Path(target)
    check_target(target, overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(target)
    return target


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
        pixels left out, as papers measure.

    Raises:
        ValueError: if the photo is too small to make an LR image of at least ``MIN_EVALUATION_LR_SIDE`` pixels.
    """
    from edsr_helpers.images import crop_to_multiple, make_lr, upscale_bicubic
    from edsr_helpers.metrics import psnr, ssim

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
    outputs = {"bicubic": upscale_bicubic(lr, scale), "EDSR": upscale(model, lr)}
    if self_ensemble:
        outputs["EDSR+"] = upscale(model, lr, self_ensemble=True)
    return [
        {
            "method": method,
            "psnr_y": psnr(hr, sr, shave=scale, y_only=True),
            "ssim_y": ssim(hr, sr, shave=scale, y_only=True),
            "psnr_rgb": psnr(hr, sr, shave=scale),
            "ssim_rgb": ssim(hr, sr, shave=scale),
        }
        for method, sr in outputs.items()
    ]


def evaluation_table(rows: list[dict[str, float | str]]) -> str:
    """``evaluate_photo``'s rows as a plain-text table for a terminal."""
    lines = [f"{'method':8s} {'PSNR Y':>8s} {'SSIM Y':>7s} {'PSNR RGB':>9s} {'SSIM RGB':>9s}"]
    for row in rows:
        scores = f"{row['psnr_y']:8.2f} {row['ssim_y']:7.4f} {row['psnr_rgb']:9.2f} {row['ssim_rgb']:9.4f}"
        lines.append(f"{row['method']:8s} {scores}")
    return "\n".join(lines)
