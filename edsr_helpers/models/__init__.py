"""The models the series builds, trains, ships and shows: one folder each, found by looking.

A model folder is a subpackage of :mod:`edsr_helpers.models` (``models/edsr/``) whose ``__init__`` defines
``MODEL``, a :class:`ModelFolder`: the model's name, its presets and how to build them; beside it, ``weights/``
holds its shipped weights, their card and bars. Recipes build a preset as ``"<key>-<preset>"``
(``"edsr-baseline"``), and evaluations, the widget and weight file names use the folder's own name, so adding a
model is adding a folder. :func:`add_folder` makes a folder outside the package known too.

Discovery imports only the folders' ``__init__`` modules, which must not import Keras: a builder imports what
it needs when it runs, so ``import edsr_helpers`` and the command line's ``--help`` stay engine-free.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import pkgutil
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from edsr_helpers.constants import SCALES

if TYPE_CHECKING:  # keras loads only when a model is built
    from importlib.resources.abc import Traversable

    import keras

#: The folder of the model the series teaches and ships weights for: what a model no folder claims is shown as.
DEFAULT_KEY = "edsr"


@dataclasses.dataclass(frozen=True)
class ModelFolder:
    """What a model folder declares about its model.

    Attributes:
        name: how people see it: evaluation rows, the widget's panels (``"EDSR"``, ``"EDSR+"``), tables.
        key: how files and recipes name it: ``"<key>-<preset>"`` in a recipe, ``<key>_<preset>_x<scale>`` in a
            weights file, ``<key>_psnr_y`` in :func:`edsr_helpers.training.evaluate`'s rows. Lower case, no spaces.
        presets: preset name -> ``builder(scale, **options) -> keras.Model``.
        package: the folder's module name (``__name__`` in its ``__init__``); its ``weights/`` lies beside it.
        shipped_preset: the preset the folder's ``weights/`` hold weights of (None: it ships none).
        scales: the factors the model upscales by.
        recognises: whether a built or loaded Keras model is this folder's (default: its Keras name starts with
            ``"<key>_"``), so that a model read from a ``.keras`` file is shown under its own name.
    """

    name: str
    key: str
    presets: Mapping[str, Callable[..., keras.Model]]
    package: str
    shipped_preset: str | None = None
    scales: tuple[int, ...] = SCALES
    recognises: Callable[[keras.Model], bool] | None = None

    def __post_init__(self) -> None:
        if not self.key or self.key != self.key.lower() or not self.key.replace("_", "").isalnum():
            raise ValueError(f"a model key is lower case letters, digits and underscores, not {self.key!r}.")
        if not self.presets:
            raise ValueError(f"the model {self.name!r} declares no preset to build.")

    def recipe_name(self, preset: str) -> str:
        """How recipes and :func:`edsr_helpers.recipes.build_model` name ``preset`` (``"edsr-baseline"``)."""
        return f"{self.key}-{preset}"

    def build(self, preset: str, scale: int, **options) -> keras.Model:
        """A new, untrained model of ``preset`` for ``scale``.

        Raises:
            ValueError: for a preset or scale the folder does not declare (the message lists those it does).
        """
        if preset not in self.presets:
            raise ValueError(f"{self.name} has no preset {preset!r}; it has {', '.join(self.presets)}.")
        if scale not in self.scales:
            raise ValueError(f"{self.name} upscales by {', '.join(map(str, self.scales))}; got scale={scale!r}.")
        return self.presets[preset](scale, **options)

    @property
    def weights(self) -> Traversable:
        """The folder's ``weights/``: shipped weights, their card, bars, summaries and logs."""
        return resources.files(self.package) / "weights"

    def weight_file_name(self, scale: int, suffix: str = "", preset: str | None = None) -> str:
        """``<key>_<preset>_x<scale><suffix>.weights.h5``: the file of weights for ``scale`` (shipped or trained)."""
        preset = preset or self.shipped_preset or next(iter(self.presets))
        return f"{self.key}_{preset}_x{scale}{suffix}.weights.h5"

    def owns(self, model: keras.Model) -> bool:
        """Whether ``model`` is one of this folder's (see ``recognises``)."""
        if self.recognises is not None:
            return bool(self.recognises(model))
        return str(getattr(model, "name", "")).startswith(f"{self.key}_")


_found: dict[tuple[str, ...], dict[str, ModelFolder]] = {}


def folders() -> dict[str, ModelFolder]:
    """Every model folder, by key: the subpackages of :mod:`edsr_helpers.models` (and of folders added with
    :func:`add_folder`), each imported once.

    Raises:
        ValueError: for a subpackage without a ``MODEL``, or two folders with one key.
    """
    searched = tuple(__path__)
    if searched not in _found:
        found: dict[str, ModelFolder] = {}
        for module in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name):
            if not module.ispkg:
                continue
            declared = getattr(importlib.import_module(f"{__name__}.{module.name}"), "MODEL", None)
            if not isinstance(declared, ModelFolder):
                raise ValueError(
                    f"{__name__}.{module.name} defines no MODEL = ModelFolder(...): it is no model folder."
                )
            if declared.key in found:
                raise ValueError(f"two model folders declare the key {declared.key!r}; give one another key.")
            found[declared.key] = declared
        _found[searched] = found
    return dict(_found[searched])


def add_folder(folder: str | os.PathLike) -> ModelFolder:
    """Make the model folder at ``folder`` (a directory with an ``__init__.py`` defining ``MODEL``) known, as if it
    lay in the package, and return what it declares. It is imported as ``edsr_helpers.models.<folder name>``, so
    its Keras classes load from ``.keras`` files under that name.

    Raises:
        ValueError: if ``folder`` holds no ``__init__.py``.
    """
    folder = Path(folder).resolve()
    if not (folder / "__init__.py").is_file():
        raise ValueError(f"{folder} has no __init__.py: a model folder is a Python package.")
    if str(folder.parent) not in __path__:
        __path__.append(str(folder.parent))
    return module_folder(importlib.import_module(f"{__name__}.{folder.name}"))


def module_folder(module) -> ModelFolder:
    """The ``MODEL`` an imported model folder declares."""
    declared = folders().get(getattr(getattr(module, "MODEL", None), "key", None))
    if declared is None:
        raise ValueError(f"{module.__name__} is not a model folder of {__name__}.")
    return declared


def get(key: str) -> ModelFolder:
    """The model folder of ``key`` (``"edsr"``).

    Raises:
        ValueError: if no folder declares that key (the message lists those that exist).
    """
    found = folders()
    if key not in found:
        raise ValueError(f"no model folder declares the key {key!r}; found: {', '.join(sorted(found))}.")
    return found[key]


def presets() -> dict[str, tuple[ModelFolder, str]]:
    """Every folder's presets by recipe name (``"edsr-baseline"``): the folder and the preset."""
    return {folder.recipe_name(preset): (folder, preset) for folder in folders().values() for preset in folder.presets}


def of(model: keras.Model) -> ModelFolder | None:
    """The folder ``model`` belongs to, or None when none recognises it."""
    return next((folder for folder in folders().values() if folder.owns(model)), None)


def model_name(model: keras.Model) -> str:
    """What ``model`` is called on screen and in evaluations: its folder's name (``"EDSR"``), else the default
    model's, for a model no folder claims."""
    return (of(model) or get(DEFAULT_KEY)).name


def model_key(model: keras.Model) -> str:
    """``model``'s folder key (``"edsr"``), else the default model's: the prefix of its evaluation columns."""
    return (of(model) or get(DEFAULT_KEY)).key
