"""What only the notebook series needs, on top of the package: the lessons' experiments, the notebooks' figures,
the exercises, Colab's setup and the first cell's :func:`setup`.

``import edsr_helpers`` never loads it (nor matplotlib); a notebook does, with ``from edsr_helpers import course``.
Modules load on first use: :mod:`~edsr_helpers.course.lessons`, :mod:`~edsr_helpers.course.plotting`,
:mod:`~edsr_helpers.course.exercises`, :mod:`~edsr_helpers.course.colab`, :mod:`~edsr_helpers.course.notebook`.
"""

import importlib

_SUBMODULES = ("colab", "exercises", "lessons", "notebook", "plotting")
_FROM_NOTEBOOK_MODULE = ("setup", "show_source")

__all__ = [*_SUBMODULES, *_FROM_NOTEBOOK_MODULE]


def __getattr__(name: str):
    """Load a module (``course.plotting``) or a notebook helper (``course.setup``) on first use."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _FROM_NOTEBOOK_MODULE:
        return getattr(importlib.import_module(f"{__name__}.notebook"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
