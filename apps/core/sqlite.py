"""SQLite (the embedded development database) folds case only for ASCII in LIKE.

Coordinators search Cyrillic names, so on SQLite we replace LIKE with a Unicode-aware
version. PostgreSQL needs nothing: UPPER() there is Unicode-aware.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.db.backends.signals import connection_created


@lru_cache(maxsize=512)
def _pattern(like: str, escape: str | None) -> re.Pattern[str]:
    out: list[str] = []
    chars = iter(like)
    for ch in chars:
        if escape and ch == escape:
            out.append(re.escape(next(chars, "")))
        elif ch == "%":
            out.append(".*")
        elif ch == "_":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.DOTALL | re.IGNORECASE)


def _like(pattern: str | None, value: Any, escape: str | None = None) -> bool | None:
    if pattern is None or value is None:
        return None
    return _pattern(pattern, escape).fullmatch(str(value)) is not None


def _on_connect(sender: Any, connection: Any, **_: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("like", 2, _like, deterministic=True)
        connection.connection.create_function("like", 3, _like, deterministic=True)


def install() -> None:
    connection_created.connect(_on_connect, dispatch_uid="vpr_sqlite_unicode_like")
