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


def weight_file_name(scale: int) -> str:
    """Name of the ``.weights.h5`` file of EDSR-baseline at ``scale`` (shipped or being trained)."""
    return f"edsr_baseline_x{scale}.weights.h5"


#: The model the shipped weights belong to: the ``weights-v2`` recipe's.
SHIPPED_MODEL = RECIPES["weights-v2"].model

#: File of the weights for each scale that ships them.
WEIGHT_FILES: dict[int, str] = {scale: weight_file_name(scale) for scale in (2, 4)}


def pass_bars(scale: int) -> tuple[float, float]:
    """(mean gain, worst photo's gain), in dB over bicubic on the validation photos, that weights for ``scale``
    must reach to ship: ``weights/bars.json``, the one definition the install tool and the tests share."""
    bars = json.loads((resources.files("edsr_helpers") / "weights" / "bars.json").read_text())
    return float(bars["mean_gain_db"][str(scale)]), float(bars["worst_photo_gain_db"])


def weights_path(scale: int = 4) -> Path:
    """Path of the shipped ``.weights.h5`` for ``scale``.

    Raises:
        ValueError: if no weights ship for that scale (the message lists the ones that do).
    """
    if scale not in WEIGHT_FILES:
        raise ValueError(
            f"No pretrained weights ship for x{scale}; available: {', '.join(f'x{s}' for s in WEIGHT_FILES)}. "
            "Train your own in notebook 03."
        )
    path = Path(str(resources.files("edsr_helpers") / "weights" / WEIGHT_FILES[scale]))
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing from the installed package; reinstall edsr-helpers.")
    return path


def load_pretrained(scale: int = 4) -> keras.Model:
    """The EDSR-baseline model for ``scale`` with the shipped weights (no network; loads safe-mode clean)."""
    path = weights_path(scale)  # first: an unshipped scale is told which ones ship
    model = build_model(SHIPPED_MODEL, scale)
    model.load_weights(path)
    return model
