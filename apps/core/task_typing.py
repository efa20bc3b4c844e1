"""A typed front for Celery's ``shared_task``.

Celery ships no type information, so under strict mypy ``@shared_task(...)`` is an untyped
decorator that turns every task into ``Any``. Apps import ``shared_task`` from here instead:
the task keeps its own signature for direct calls and for ``delay``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, Protocol, TypeVar, cast

from celery import shared_task as _celery_shared_task
from celery.result import AsyncResult

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class Task(Protocol[P, R_co]):
    """The part of a Celery task object that the project uses."""

    name: str

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R_co:
        """Run the task body in the calling process."""

    def delay(self, *args: P.args, **kwargs: P.kwargs) -> AsyncResult:
        """Queue the task with these arguments."""

    def apply_async(
        self,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
        **options: Any,
    ) -> AsyncResult:
        """Queue the task with explicit routing/execution options."""


def shared_task(**options: Any) -> Callable[[Callable[P, R]], Task[P, R]]:
    """``celery.shared_task(**options)`` with the decorated function's types kept."""

    def decorate(func: Callable[P, R]) -> Task[P, R]:
        # Celery returns a Task proxy that is callable like ``func`` and has ``delay``.
        return cast("Task[P, R]", _celery_shared_task(**options)(func))

    return decorate
