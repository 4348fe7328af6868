"""The exercises at the end of every notebook, one module per notebook (``notebook01`` … ``notebook05``).

Each checker takes what the student produced (a number, a function, trained models), works out the right
answer itself from the same real photos, and prints one line: right, or not yet with a hint. It never prints
the answer. It returns a :class:`Verdict` (true when right) so that tests can prove both outcomes; in a
notebook the verdict adds nothing to the printed line. Beside each checker, in the same module, are its
reference solution and a typical wrong answer (:class:`Exercise`): the tests and the instructor guide's table
take every exercise from :data:`EXERCISES`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from edsr_helpers.course.exercises import notebook01, notebook02, notebook03, notebook04, notebook05
from edsr_helpers.course.exercises.checking import Exercise, Verdict
from edsr_helpers.course.exercises.notebook01 import *  # noqa: F403 (the notebooks call exercises.check_*)
from edsr_helpers.course.exercises.notebook02 import *  # noqa: F403
from edsr_helpers.course.exercises.notebook03 import *  # noqa: F403
from edsr_helpers.course.exercises.notebook04 import *  # noqa: F403
from edsr_helpers.course.exercises.notebook05 import *  # noqa: F403

#: Every exercise, by notebook, in the order each notebook asks them.
EXERCISES: dict[str, tuple[Exercise, ...]] = {
    module.__name__[-2:]: module.EXERCISES for module in (notebook01, notebook02, notebook03, notebook04, notebook05)
}

#: Every checker, by notebook.
CHECKERS: dict[str, tuple[Callable[..., Verdict], ...]] = {
    notebook: tuple(exercise.checker for exercise in exercises) for notebook, exercises in EXERCISES.items()
}


def find(name: str) -> Exercise:
    """The exercise whose checker is called ``name``.

    Raises:
        KeyError: if no notebook has such an exercise.
    """
    for exercises in EXERCISES.values():
        for exercise in exercises:
            if exercise.name == name:
                return exercise
    raise KeyError(f"no exercise has a checker called {name!r}; see course.exercises.CHECKERS.")


def show_solution(name: str) -> None:
    """Display the reference solution of the exercise checked by ``name`` (for class, after students tried)."""
    from IPython.display import Code, display

    display(Code(inspect.getsource(find(name).solution), language="python"))
