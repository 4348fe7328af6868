"""EDSR-baseline weights that ship inside the package, trained on this project's CPU (see MODEL_CARD.md).

A class on laptops cannot train EDSR for a day, and many classrooms cannot download from a model hub; these
weights make notebook 04 and its widget beat bicubic the moment they open. They were trained by
``weights_factory/train.py`` on offline photos and Debian wallpaper photographs (no DIV2K), never on the
validation photos.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import keras

from edsr_helpers.recipes import RECIPES, build_model

#: What the weights learned to undo: ``bicubic`` downscaling of clean photos (the papers' task, the default), or
#: ``realistic`` camera- and web-like degradations (blur, noise, JPEG; notebook 05's pipeline).
DEGRADATIONS = ("bicubic", "realistic")


def weight_file_name(scale: int, degradation: str = "bicubic") -> str:
    """Name of the ``.weights.h5`` file of EDSR-baseline at ``scale`` (shipped or being trained)."""
    return f"edsr_baseline_x{scale}{variant_suffix(degradation)}.weights.h5"


def variant_suffix(degradation: str) -> str:
    """``""`` for the bicubic-trained weights, ``"_realistic"`` for the others (file, summary and log names).

    Raises:
        ValueError: for a degradation no weights are trained for (the message lists them).
    """
    if degradation not in DEGRADATIONS:
        raise ValueError(f"degradation must be one of {', '.join(map(repr, DEGRADATIONS))}, not {degradation!r}.")
    return "" if degradation == "bicubic" else f"_{degradation}"


#: The model the shipped weights belong to: the ``weights-v2`` recipe's.
SHIPPED_MODEL = RECIPES["weights-v2"].model

#: File of the weights for each scale that ships them.
WEIGHT_FILES: dict[int, str] = {scale: weight_file_name(scale) for scale in (2, 3, 4)}

#: Scales that also ship weights trained on realistic degradations.
REALISTIC_SCALES: tuple[int, ...] = ()


def read_bars() -> dict:
    """``weights/bars.json``: the one definition of what shipped weights must reach (install tool and tests)."""
    return json.loads((resources.files("edsr_helpers") / "weights" / "bars.json").read_text())


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


def shipped_degradations(scale: int) -> tuple[str, ...]:
    """The degradations that weights for ``scale`` ship for (none for a scale without weights)."""
    if scale not in WEIGHT_FILES:
        return ()
    return ("bicubic", "realistic") if scale in REALISTIC_SCALES else ("bicubic",)


def weights_path(scale: int = 4, degradation: str = "bicubic") -> Path:
    """Path of the shipped ``.weights.h5`` for ``scale`` (and ``degradation``).

    Raises:
        ValueError: if no such weights ship (the message lists the ones that do).
    """
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
    path = Path(str(resources.files("edsr_helpers") / "weights" / weight_file_name(scale, degradation)))
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing from the installed package; reinstall edsr-helpers.")
    return path


def load_pretrained(scale: int = 4, degradation: str = "bicubic") -> keras.Model:
    """The EDSR-baseline model for ``scale`` with the shipped weights (no network; loads safe-mode clean).

    ``degradation="realistic"`` gives the weights fine-tuned on blurred, noisy, JPEG-compressed inputs (better on
    phone and web photos, a little worse on clean ones); the default, ``"bicubic"``, the papers' task.
    """
    path = weights_path(scale, degradation)  # first: an unshipped scale is told which ones ship
    model = build_model(SHIPPED_MODEL, scale)
    model.load_weights(path)
    return model
