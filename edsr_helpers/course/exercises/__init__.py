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
import os
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


#: Set to ``1`` in the environment Jupyter starts from, and :func:`show_solution` shows reference solutions.
INSTRUCTOR_ENV_VAR = "EDSR_INSTRUCTOR"


def instructor_mode() -> bool:
    """Whether reference solutions are shown: for an instructor's copy of the notebooks, not a student's."""
    return os.environ.get(INSTRUCTOR_ENV_VAR, "").strip() == "1"


def show_solution(name: str) -> None:
    """Display the reference solution of the exercise checked by ``name``, in an instructor's session only
    (``EDSR_INSTRUCTOR=1``); a student is pointed back to the checker's hint, which guides without giving the
    answer away."""
    exercise = find(name)  # an unknown name is an error in either mode
    if not instructor_mode():
        print(
            f"Reference solutions are shown in class by your instructor. Run the exercise's cell: "
            f"{exercise.name}'s hint says where to look next."
        )
        return
    from IPython.display import Code, display

    display(Code(inspect.getsource(exercise.solution), language="python"))
