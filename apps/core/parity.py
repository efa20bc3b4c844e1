"""API parity: every HTML page that changes state or lists objects names its API twin.

A regional centre or a school information system scripts the portal through ``/api/v1/``; it
must be able to do everything a cabinet offers. Each HTML view class that handles POST/PUT/
PATCH/DELETE, or that lists objects (see ``tests/api/test_parity.py`` for the exact rule),
declares ONE of:

``api_routes``
    the URL names of the API routes doing the same thing through the same service (the route
    must exist and accept the matching method: a write for a form, GET for a list);
``browser_only``
    a reason in English why the action has no API twin (the login form, a confirmation page).

``ApiParity`` gives both attributes their types and empty defaults; every ``ActorViewMixin``
(so every Scoped view) inherits it, other views may inherit it or declare the attributes
directly. The parity test walks the HTML URLconf and fails for an undeclared view or an
unknown route name.
"""

from __future__ import annotations

from typing import ClassVar


class ApiParity:
    """The API twin of an HTML view (``api_routes``), or why it has none (``browser_only``)."""

    api_routes: ClassVar[tuple[str, ...]] = ()
    browser_only: ClassVar[str] = ""
