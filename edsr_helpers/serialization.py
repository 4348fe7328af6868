"""Registering Keras classes under the names saved models refer to.

A ``.keras`` file names each custom class it holds (``"edsr_helpers>ResidualBlock"``) and loading looks that name
up, so a name must mean one class. Notebooks 02 and 03 define the layers and the schedule that the package exports
from them: the two copies of one class may share its name, while a different class under a name already taken is
refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

Registrable = TypeVar("Registrable", bound=Callable)

#: Where a notebook's (or a script's) definitions live.
NOTEBOOK_MODULE = "__main__"


def same_definition(registered: object, candidate: object) -> bool:
    """Whether ``candidate`` is ``registered`` defined again: the same name, from the same module (a cell run twice,
    a module reloaded), or one of the two from a notebook (a notebook's copy of a layer the package exports)."""
    if getattr(registered, "__qualname__", None) != getattr(candidate, "__qualname__", None):
        return False
    modules = {getattr(registered, "__module__", None), getattr(candidate, "__module__", None)}
    return len(modules) == 1 or NOTEBOOK_MODULE in modules


def register_serializable(
    package: str = "edsr_helpers", name: str | None = None
) -> Callable[[Registrable], Registrable]:
    """``keras.saving.register_keras_serializable(package, name)``, refusing to give a taken name to a different class.

    Keras silently replaces a registered name, so a model saved with one class would load as another. Defining
    the same class again is fine; when a notebook has defined its copy, the notebook's stays the one that loads,
    so a student's edit to the cell is what a reloaded model runs, even if the package is imported afterwards.

    Raises:
        ValueError: if ``package>name`` belongs to a different class (the message says how to choose another).
    """
    import keras

    def decorator(candidate: Registrable) -> Registrable:
        registered_name = f"{package}>{name or candidate.__name__}"
        registry = keras.saving.get_custom_objects()
        registered = registry.get(registered_name)
        if registered is not None and registered is not candidate and not same_definition(registered, candidate):
            raise ValueError(
                f"{registered_name!r} is already the name of {registered.__module__}.{registered.__qualname__}; "
                f"{candidate.__module__}.{candidate.__qualname__} is a different class. Register it under a name "
                f"of its own: @register_serializable(package=..., name=...)."
            )
        keras.saving.register_keras_serializable(package=package, name=name)(candidate)  # its name, both ways
        keeps_notebook_copy = registered is not None and registered.__module__ == NOTEBOOK_MODULE
        if keeps_notebook_copy and candidate.__module__ != NOTEBOOK_MODULE:
            registry[registered_name] = registered
        return candidate

    return decorator
