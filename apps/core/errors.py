"""Domain errors carry a code; the Russian text lives in messages.py."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A rule of the domain was broken; `code` picks the Russian message."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra

    @property
    def message(self) -> str:
        from apps.core.messages import MESSAGES

        template = MESSAGES.get(self.code, self.code)
        return template.format(**self.extra)
