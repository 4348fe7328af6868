"""EDSR (Lim et al., 2017) as a model folder: its name, its two presets and, in ``weights/``, the shipped
EDSR-baseline weights with their card, bars, summaries and training logs.

The layers and the model are written in notebook 02 and generated into :mod:`edsr_helpers.architecture`; the
presets and the tools around them are :mod:`edsr_helpers.model`'s. This folder names them for the registry
(:mod:`edsr_helpers.models`) and re-exports the architecture's public names when first asked
(``edsr_helpers.models.edsr.EDSR``), so that importing the folder loads no Keras.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from edsr_helpers.models import ModelFolder

if TYPE_CHECKING:
    import keras

#: The layers only EDSR holds: a model with one of them is an EDSR, whatever it was called when it was saved.
EDSR_LAYERS = ("ResidualBlock", "MeanShift")


def _preset(name: str):
    def build(scale: int, **options) -> keras.Model:
        from edsr_helpers.model import edsr_preset

        return edsr_preset(name, scale, **options)

    build.__doc__ = f"EDSR's {name!r} preset (:data:`edsr_helpers.model.PRESETS`)."
    return build


def _is_edsr(model: keras.Model) -> bool:
    """An :class:`~edsr_helpers.architecture.EDSR` (the package's or a notebook's copy), or a plain functional
    model built of EDSR's layers."""
    if type(model).__name__ == "EDSR":
        return True
    return any(type(layer).__name__ in EDSR_LAYERS for layer in getattr(model, "layers", ()))


MODEL = ModelFolder(
    name="EDSR",
    key="edsr",
    # baseline: 16 blocks of 64 filters, what the series trains and ships; full: the paper's 32 x 256, res_scale 0.1
    presets={"baseline": _preset("baseline"), "full": _preset("full")},
    package=__name__,
    shipped_preset="baseline",
    recognises=_is_edsr,
)


def __getattr__(name: str):
    """The architecture's public names (``EDSR``, ``PixelShuffle``...), loaded on first use."""
    from edsr_helpers import architecture

    if name in architecture.__all__:
        return getattr(architecture, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
