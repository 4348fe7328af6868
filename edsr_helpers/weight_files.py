"""Weights files (``.weights.h5``): what they hold, and loading them only into a model they fit.

Core: it needs only Keras and h5py, so the pretrained weights and the command line load through it without the
inference module's photo handling.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import keras


def is_hdf5(path: Path) -> bool:
    """Whether the file starts as an HDF5 file does (``.weights.h5``), whatever its name."""
    with open(path, "rb") as file:
        return file.read(8) == b"\x89HDF\r\n\x1a\n"


def _weight_shapes_in_file(path: Path) -> list[tuple[int, ...]]:
    """The shapes of the arrays a ``.weights.h5`` file holds."""
    import h5py

    shapes: list[tuple[int, ...]] = []
    with h5py.File(path, "r") as file:
        file.visititems(lambda _, item: shapes.append(tuple(item.shape)) if isinstance(item, h5py.Dataset) else None)
    return shapes


def _upscaling_of(shapes: Iterable[tuple[int, ...]]) -> int | None:
    """The factor an EDSR's weights upscale by, read from its upsampler's convolutions (``F -> 4F`` per x2,
    ``F -> 9F`` for x3); None for shapes without one."""
    factor = 1
    for shape in shapes:
        if len(shape) == 4 and shape[2] >= 8:
            ratio = shape[3] / shape[2]
            factor *= 2 if ratio == 4 else 3 if ratio == 9 else 1
    return factor if factor > 1 else None


def load_weights(model: keras.Model, path: str | os.PathLike) -> keras.Model:
    """Load a ``.weights.h5`` file into ``model`` after checking that they fit; returns ``model``.

    Why: Keras itself answers weights of another scale with a shape error and leaves layers freshly initialised;
    here the mismatch is named (the two scales) before anything is loaded.

    Raises:
        FileNotFoundError, ValueError: no file, not a weights file, or weights of another scale or architecture.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No weights file at {path}; check the path (relative paths start at {Path.cwd()}).")
    if not is_hdf5(path):
        raise ValueError(f"{path} is not a .weights.h5 file (model.save_weights() writes those).")
    theirs = _weight_shapes_in_file(path)
    ours = [tuple(variable.shape) for variable in model.weights]
    if sorted(theirs) != sorted(ours):
        their_scale, our_scale = _upscaling_of(theirs), _upscaling_of(ours)
        if their_scale and our_scale and their_scale != our_scale:
            raise ValueError(
                f"{path} holds weights of a x{their_scale} model; this model upscales x{our_scale}. Build a "
                f"x{their_scale} model for them, or use weights trained at x{our_scale}."
            )
        raise ValueError(
            f"{path} holds weights of another architecture ({len(theirs)} arrays; this model has {len(ours)}, "
            "or of other shapes): build the model they were saved from."
        )
    model.load_weights(path)
    return model
