"""Russian texts of the analytics app's error codes and its error family."""

from __future__ import annotations

from typing import Any

from apps.core.errors import ForbiddenError

MESSAGES: dict[str, str] = {
    "embargo": "Отчёт ещё не опубликован: он откроется в дату публикации результатов.",
}


class ReportEmbargoedError(ForbiddenError):
    """A report file asked for through the API before its release instant (403, as the page's
    download answers); ``context.embargo_until`` says when it opens."""

    messages = MESSAGES

    def __init__(self, until: Any) -> None:
        super().__init__(
            "embargo", context={"embargo_until": until.isoformat() if until is not None else None}
        )
