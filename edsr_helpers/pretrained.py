"""EDSR-baseline weights that ship inside the package, in the EDSR model folder's ``weights/``
(``edsr_helpers/models/edsr/weights/``, with their MODEL_CARD.md).

A class on laptops cannot train EDSR for a day, and many classrooms cannot download from a model hub; these
weights make notebook 04 and its widget beat bicubic the moment they open. They were trained by
``weights_factory/train.py`` on offline photos and Debian wallpaper photographs (no DIV2K), never on the
validation photos.
"""

from __future__ import annotations

import json
import numbers
from pathlib import Path
from typing import TYPE_CHECKING

from edsr_helpers import models
from edsr_helpers.recipes import RECIPES, build_model

if TYPE_CHECKING:  # keras loads only when a model is built: the command line's --help needs no engine
    import keras

#: What the weights learned to undo: ``bicubic`` downscaling of clean photos (the papers' task, the default), or
#: ``realistic`` camera- and web-like degradations (blur, noise, JPEG; notebook 05's pipeline).
DEGRADATIONS = ("bicubic", "realistic")


def weight_file_name(scale: int, degradation: str = "bicubic") -> str:
    """Name of the ``.weights.h5`` file of the shipped model at ``scale`` (shipped or being trained):
    ``edsr_baseline_x4.weights.h5``, from the model folder's key and preset."""
    return SHIPPED_FOLDER.weight_file_name(scale, variant_suffix(degradation), SHIPPED_PRESET)


def variant_suffix(degradation: str) -> str:
    """``""`` for the bicubic-trained weights, ``"_realistic"`` for the others (file, summary and log names).

    Raises:
        ValueError: for a degradation no weights are trained for (the message lists them).
    """
    if degradation not in DEGRADATIONS:
        raise ValueError(f"degradation must be one of {', '.join(map(repr, DEGRADATIONS))}, not {degradation!r}.")
    return "" if degradation == "bicubic" else f"_{degradation}"


#: The model the shipped weights belong to: the ``weights-v2`` recipe's (``"edsr-baseline"``), its folder and preset.
SHIPPED_MODEL = RECIPES["weights-v2"].model
SHIPPED_FOLDER, SHIPPED_PRESET = models.presets()[SHIPPED_MODEL]

#: File of the weights for each scale that ships them.
WEIGHT_FILES: dict[int, str] = {scale: weight_file_name(scale) for scale in (2, 3, 4)}


def weights_folder() -> Path:
    """The shipped model's ``weights/`` folder: the weights, MODEL_CARD.md, bars.json, summaries and logs."""
    return Path(str(SHIPPED_FOLDER.weights))


#: Scales that also ship weights trained on realistic degradations: those whose file is in the weights folder, so
#: installing the file (``weights_factory/install.py``, only once it meets its bars) is all it takes to offer it.
REALISTIC_SCALES: tuple[int, ...] = tuple(
    scale for scale in WEIGHT_FILES if (weights_folder() / weight_file_name(scale, "realistic")).is_file()
)


def read_bars() -> dict:
    """``weights/bars.json``: the one definition of what shipped weights must reach (install tool and tests)."""
    return json.loads((SHIPPED_FOLDER.weights / "bars.json").read_text())


def pass_bars(scale: int) -> tuple[float, float]:
    """(mean gain, worst photo's gain), in dB over bicubic on the validation photos, that weights for ``scale``
    must reach to ship."""
    bars = read_bars()
    return float(bars["mean_gain_db"][str(scale)]), float(bars["worst_photo_gain_db"])


def realistic_bars() -> tuple[float, float]:
    """(least mean gain on degraded inputs, most mean loss on clean ones), in dB Y-PSNR against the
    bicubic-trained weights of the same scale on the validation photos, that realistic weights must meet."""
    bars = read_bars()["realistic"]
    return float(bars["degraded_gain_db"]), float(bars["clean_loss_db"])


def realistic_gmsd_bar() -> float:
    """How much lower (better) realistic weights' mean GMSD on degraded validation inputs must be than the
    bicubic-trained weights' (0: lower at all): PSNR alone can reward a model that blurs evenly."""
    return float(read_bars()["realistic"]["degraded_gmsd_below"])


def offered_degradations() -> tuple[str, ...]:
    """The degradations that weights ship for at one scale at least (``("bicubic",)`` while no realistic ones do):
    what the command line's ``--degradation`` offers."""
    return tuple(
        degradation
        for degradation in DEGRADATIONS
        if any(degradation in shipped_degradations(scale) for scale in WEIGHT_FILES)
    )


def _check_arguments(scale, degradation) -> int:
    """``scale`` as an int, or a ``TypeError`` saying which types are accepted (a str or a float is not a scale)."""
    if isinstance(scale, bool) or not isinstance(scale, numbers.Integral):
        shipped = ", ".join(str(s) for s in sorted(WEIGHT_FILES))
        raise TypeError(
            f"scale must be a whole number, one of {shipped}; got {scale!r} ({type(scale).__name__}). "
            f"Pass load_pretrained({int(scale) if _is_whole(scale) else 4})."
        )
    if not isinstance(degradation, str):
        raise TypeError(
            f"degradation must be a str, one of {', '.join(map(repr, DEGRADATIONS))}; got {degradation!r} "
            f"({type(degradation).__name__})."
        )
    return int(scale)


def _is_whole(value) -> bool:
    try:
        return float(value) == int(float(value))
    except (TypeError, ValueError, OverflowError):
        return False


def shipped_degradations(scale: int) -> tuple[str, ...]:
    """The degradations that weights for ``scale`` ship for (none for a scale without weights)."""
    if scale not in WEIGHT_FILES:
        return ()
    return ("bicubic", "realistic") if scale in REALISTIC_SCALES else ("bicubic",)


def weights_path(scale: int = 4, degradation: str = "bicubic") -> Path:
    """Path of the shipped ``.weights.h5`` for ``scale`` (and ``degradation``).

    Raises:
        TypeError: for a scale that is not a whole number (``"4"``, ``2.0``) or a degradation that is not a str.
        ValueError: if no such weights ship (the message lists the ones that do).
    """
    scale = _check_arguments(scale, degradation)
    variant_suffix(degradation)  # an unknown degradation is told which exist
    if scale not in WEIGHT_FILES:
        raise ValueError(
            f"No pretrained weights ship for x{scale}; available: {', '.join(f'x{s}' for s in WEIGHT_FILES)}. "
            "Train your own in notebook 03."
        )
    if degradation not in shipped_degradations(scale):
        offered = ", ".join(f"x{s}" for s in REALISTIC_SCALES) or "no scale yet"
        raise ValueError(
            f"No {degradation} weights ship for x{scale} (they do for {offered}); use the default, bicubic-trained "
            "ones, or fine-tune your own in notebook 05."
        )
    path = weights_folder() / weight_file_name(scale, degradation)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing from the installed package; reinstall edsr-helpers.")
    return path


def load_pretrained(scale: int = 4, degradation: str = "bicubic") -> keras.Model:
    """The EDSR-baseline model for ``scale`` with the shipped weights (no network; loads safe-mode clean).

    ``degradation="realistic"`` gives the weights fine-tuned on blurred, noisy, JPEG-compressed inputs (better on
    phone and web photos, a little worse on clean ones); the default, ``"bicubic"``, the papers' task.
    """
    path = weights_path(scale, degradation)  # first: an unshipped scale is told which ones ship
    from edsr_helpers.weight_files import load_weights

    return load_weights(build_model(SHIPPED_MODEL, int(scale)), path)
