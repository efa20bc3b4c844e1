"""DRF plumbing shared by every endpoint: the JSON parser and the exception handler.

Both answer malformed input with 400 and a Russian ``detail`` before any view code runs, so no
endpoint can turn a hostile body or query string into a 500 (issue 12).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import BadRequest
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.utils.json import strict_constant
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core import jsonsafe
from apps.core.params import QueryParameterError


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser with a nesting bound (``core.jsonsafe``) and Russian errors."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            # str.encode knows only text codecs: a charset such as bz2_codec would otherwise
            # inflate a small body after the size check.
            "".encode(encoding)
        except (LookupError, UnicodeError) as exc:
            raise ParseError(f"Неподдерживаемая кодировка тела запроса: {encoding}.") from exc
        # The raw stream is not held to DATA_UPLOAD_MAX_MEMORY_SIZE as request.body is.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise ParseError(f"Тело запроса больше {limit >> 20} МБ.")
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(f"Тело запроса не в кодировке {encoding}.") from exc
        constant = strict_constant if self.strict else None
        try:
            return jsonsafe.loads(text, parse_constant=constant)
        except jsonsafe.JSONTooDeepError as exc:
            raise ParseError(
                f"Слишком глубокая вложенность JSON: допускается не более {exc.max_depth} уровней."
            ) from exc
        except ValueError as exc:
            raise ParseError(f"Тело запроса не является корректным JSON: {exc}") from exc


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """DRF's handler, plus Django's ``BadRequest`` (a malformed query parameter) as 400."""
    if isinstance(exc, QueryParameterError):
        return Response({"detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, BadRequest):
        return Response({"detail": "Неверный запрос."}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, dict(context))
