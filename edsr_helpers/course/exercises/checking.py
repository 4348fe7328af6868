"""What every exercise checker shares: the verdict it returns, how it reports, how it runs student code."""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable

import keras
import numpy as np

from edsr_helpers import data, samples


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The outcome of one check: ``bool(verdict)`` is whether the answer is right."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def _ipython_display_(self) -> None:  # the message is already printed
        pass


def say(ok: bool, message: str) -> Verdict:
    print(("✅ Right. " if ok else "❌ Not yet. ") + message)
    return Verdict(ok, message)


def unanswered(what: str) -> Verdict:
    message = f"Not answered yet: {what}"
    print("⏳ " + message)
    return Verdict(False, message)


class UnansweredError(Exception):
    """The student's function still raises NotImplementedError (the exercise cell's starting point)."""


def _is_unanswered(answer) -> bool:
    return answer is None or answer is Ellipsis or (isinstance(answer, dict) and not answer)


def exercise(todo: str):
    """Make a checker report an untouched exercise (``None``, ``...``, ``{}`` or a function that still raises
    ``NotImplementedError``) as "not answered yet: <todo>" rather than as a wrong answer."""

    def wrap(check):
        @functools.wraps(check)
        def run(*answers) -> Verdict:
            if any(_is_unanswered(answer) for answer in answers):
                return unanswered(todo)
            try:
                return check(*answers)
            except UnansweredError:
                return unanswered(todo)

        return run

    return wrap


def close(value, target: float, tolerance: float) -> bool:
    try:
        return math.isclose(float(value), target, abs_tol=tolerance)
    except (TypeError, ValueError):
        return False


@functools.cache
def monarch_pair(scale: int = 4) -> tuple[np.ndarray, np.ndarray]:
    lr, hr = data.make_pair(samples.load_photo("monarch"), scale=scale)
    lr.flags.writeable = hr.flags.writeable = False
    return lr, hr


def as_numpy(tensor) -> np.ndarray:
    """A model's output as numpy on every engine (a torch tensor that requires grad refuses ``np.asarray``)."""
    return keras.ops.convert_to_numpy(tensor)


def call_student(function: Callable, *args):
    """Run the student's function; an exception becomes a hint instead of a traceback."""
    try:
        return function(*args), None
    except NotImplementedError as todo:
        raise UnansweredError from todo
    except Exception as error:  # noqa: BLE001 - any error in student code is reported, not raised
        return None, f"your function raised {type(error).__name__}: {error}"


@dataclasses.dataclass(frozen=True)
class Exercise:
    """One exercise: its checker, its reference solution and a typical wrong answer, each giving the checker's
    arguments (``None`` for the wrong answer of an experiment: it is built from the solution's own runs), and the
    model answer to the question it asks in words, if any (the answer key prints it; students write theirs in the
    answer cell below the exercise)."""

    checker: Callable[..., Verdict]
    solution: Callable[[], tuple]
    wrong_answer: Callable[[], tuple] | None
    model_answer: str = ""

    @property
    def name(self) -> str:
        return self.checker.__name__
