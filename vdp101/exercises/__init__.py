"""Checkers for the exercises at the end of each notebook.

A learner writes an answer in a notebook cell and calls ``check``::

    from vdp101.exercises import check
    check("05-1", answer)

The result says what is right and, when something is wrong, gives a hint but
never the solution.
"""

from __future__ import annotations

from vdp101.exercises.registry import Feedback, check, exercise_ids

__all__ = ["Feedback", "check", "exercise_ids"]
