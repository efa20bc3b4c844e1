"""The one family of domain errors (ADR 0018).

A service refuses by raising a ``DomainError``: a stable machine ``code``, the Russian
``message`` (looked up by code in the raising app's ``messages.py``), optional ``details`` (one
dict per problem: row/column of a file, a field) and an optional ``context`` (JSON data to act
on: the instant a gate opens, the preview of a refused file). The API answers every error as
``{"code": ..., "detail": ..., "errors": [...], "context": {...}}`` (the last two optional).
Every error belongs to exactly one *kind*, and the kind alone fixes the HTTP status:

===================  ======  =================================================================
kind                 status  when
===================  ======  =================================================================
``InvalidError``     400     the request itself is wrong whatever the state: a missing or
                             malformed value, a file with row/column errors, a reason left
                             empty, a date in the past or outside the period
``ForbiddenError``   403     the caller's role may not do this at all
``NotFoundError``    404     the object does not exist (or is out of scope: same answer)
``ConflictError``    409     a well-formed request refused by the state of the procedure:
                             locked, deadline passed, already exists, stale preview, not
                             released yet, already decided
``GoneError``        410     a one-time thing that existed and is gone for good (a credentials
                             file already downloaded or expired)
===================  ======  =================================================================

The DRF exception handler (``core.drf.exception_handler``) and the HTML hook
(``core.middleware.DomainErrorMiddleware``) are the only code that turns these into responses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar


class DomainError(Exception):
    """A rule of the domain was broken. Subclass a kind below, never this class directly."""

    status: ClassVar[int] = 400
    kind: ClassVar[str] = ""
    # The raising app's Russian texts by code (its messages.MESSAGES); core's are the fallback.
    messages: ClassVar[Mapping[str, str]] = {}

    def __init__(
        self,
        code: str,
        *,
        details: Sequence[Mapping[str, Any]] | None = None,
        context: Mapping[str, Any] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra
        self._details = [dict(d) for d in details or ()]
        # JSON data a client needs to act on the refusal (the preview of a refused file, the
        # instant a gate opens): the ``context`` of the API's error body.
        self.context = dict(context or {})

    @property
    def message(self) -> str:
        """The Russian text of ``code``, formatted with the error's ``extra`` values."""
        template = self.messages.get(self.code)
        if template is None:
            from apps.core.messages import MESSAGES

            template = MESSAGES.get(self.code, self.code)
        return template.format(**self.extra)

    @property
    def details(self) -> list[dict[str, Any]]:
        """One dict per problem (row/column, field, ...); empty when the message says it all."""
        return self._details


class InvalidError(DomainError):
    """The request itself is wrong (400)."""

    status = 400
    kind = "invalid"


class ForbiddenError(DomainError):
    """The caller's role may not do this (403)."""

    status = 403
    kind = "forbidden"


class NotFoundError(DomainError):
    """No such object, or not in the caller's scope (404)."""

    status = 404
    kind = "not_found"


class ConflictError(DomainError):
    """A well-formed request refused by the state of the procedure (409)."""

    status = 409
    kind = "conflict"


class GoneError(DomainError):
    """A one-time resource that is gone for good (410)."""

    status = 410
    kind = "gone"


KINDS: tuple[type[DomainError], ...] = (
    InvalidError,
    ForbiddenError,
    NotFoundError,
    ConflictError,
    GoneError,
)


def kind_of(error_class: type[DomainError]) -> type[DomainError]:
    """The one kind an error class belongs to; ``TypeError`` for none or several."""
    found = [k for k in KINDS if issubclass(error_class, k)]
    if len(found) != 1:
        raise TypeError(f"{error_class.__qualname__} belongs to {len(found)} kinds, not one")
    return found[0]
