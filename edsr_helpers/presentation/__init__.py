"""What shows the core's results in a notebook: the crop-and-compare widget, live training curves, tables.

It depends on the core and never the other way round: upscaling, training and the command line run without
matplotlib, ipywidgets or IPython, which come with the ``[notebooks]`` extra. Modules load on first use:
:mod:`~edsr_helpers.presentation.widgets`, :mod:`~edsr_helpers.presentation.plots`,
:mod:`~edsr_helpers.presentation.tables`.
"""

import importlib

_SUBMODULES = ("plots", "tables", "widgets")
__all__ = list(_SUBMODULES)


def __getattr__(name: str):
    """Load a submodule (``presentation.widgets``) on first use."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
