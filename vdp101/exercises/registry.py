"""Registry of exercise checkers and the feedback they return."""

from __future__ import annotations

import html
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ExerciseFailed",
    "Feedback",
    "call_learner_function",
    "check",
    "exercise",
    "exercise_ids",
    "require_function",
]

Checker = Callable[[Any], str]
"""A checker takes the learner's answer, returns a message saying what is right,
and raises ExerciseFailed with a hint when something is wrong."""

_CHECKERS: dict[str, tuple[str, Checker]] = {}


class ExerciseFailed(Exception):
    """Raised by a checker with a hint that points at the mistake, not at the solution."""


@dataclass(frozen=True)
class Feedback:
    """Result of checking one answer."""

    exercise_id: str
    title: str
    passed: bool
    message: str

    def __str__(self) -> str:
        verdict = "Correct" if self.passed else "Not yet"
        return f"[{self.exercise_id}] {verdict}: {self.message}"

    def __repr__(self) -> str:
        return str(self)

    def __bool__(self) -> bool:
        return self.passed

    def _repr_html_(self) -> str:
        colour = "#1b7f3b" if self.passed else "#b35900"
        verdict = "Correct" if self.passed else "Not yet"
        return (
            f'<div style="border-left: 4px solid {colour}; padding: 4px 8px;">'
            f"<b>{html.escape(self.exercise_id)} {html.escape(self.title)}: {verdict}.</b> "
            f"{html.escape(self.message)}</div>"
        )


def require_function(answer: Any) -> Callable[..., Any]:
    """Return ``answer`` if it is callable, else raise ExerciseFailed asking for the function itself."""
    if not callable(answer):
        raise ExerciseFailed(
            f"The answer should be your function itself (its name, without parentheses), "
            f"not {type(answer).__name__}."
        )
    return answer


def call_learner_function(function: Callable[..., Any], case: str, *arguments: Any) -> Any:
    """Call the learner's ``function``; any error it raises becomes an ExerciseFailed naming ``case``."""
    try:
        return function(*arguments)
    except Exception as error:  # noqa: BLE001 - any error of the learner's code becomes a hint.
        raise ExerciseFailed(f"For {case} the function raised {type(error).__name__}: {error}") from None


def exercise(exercise_id: str, title: str) -> Callable[[Checker], Checker]:
    """Register the decorated function as the checker of ``exercise_id``."""

    def register(checker: Checker) -> Checker:
        if exercise_id in _CHECKERS:
            raise ValueError(f"Exercise {exercise_id!r} is registered twice.")
        _CHECKERS[exercise_id] = (title, checker)
        return checker

    return register


def _load_checkers() -> None:
    """Import every checker module of this package so that its exercises register."""
    package = importlib.import_module("vdp101.exercises")
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("part"):
            importlib.import_module(f"vdp101.exercises.{module.name}")


def exercise_ids() -> list[str]:
    """Return the ids of every exercise, sorted."""
    _load_checkers()
    return sorted(_CHECKERS)


def check(exercise_id: str, answer: Any) -> Feedback:
    """Check ``answer`` for the exercise ``exercise_id`` and return the feedback.

    Raises:
        KeyError: no exercise has that id; the message lists the ids that exist.
    """
    _load_checkers()
    if exercise_id not in _CHECKERS:
        known = ", ".join(sorted(_CHECKERS))
        raise KeyError(f"No exercise has the id {exercise_id!r}. Known exercises: {known}.")

    title, checker = _CHECKERS[exercise_id]
    try:
        message = checker(answer)
    except ExerciseFailed as failure:
        return Feedback(exercise_id, title, passed=False, message=str(failure))
    return Feedback(exercise_id, title, passed=True, message=message)
