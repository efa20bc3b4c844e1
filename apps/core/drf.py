"""DRF plumbing shared by every endpoint: the JSON parser and the one exception handler.

Both answer malformed input with 400 and a Russian ``detail`` before any view code runs, so no
endpoint can turn a hostile body or query string into a 500.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import BadRequest, ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.json import strict_constant
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from apps.core import jsonsafe
from apps.core.errors import DomainError
from apps.core.messages import MESSAGES
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


def error_body(
    code: str,
    detail: str,
    errors: Sequence[Mapping[str, Any]] = (),
    context: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The one shape of every API error (the ``Error`` component of the schema)."""
    body: dict[str, Any] = {"code": code, "detail": detail}
    if errors:
        body["errors"] = [dict(e) for e in errors]
    if context:
        body["context"] = dict(context)
    return body


def _validation_errors(data: Any, prefix: str = "") -> list[dict[str, Any]]:
    """DRF's nested ``{field: [message]}`` as a flat list of ``{"field", "message"}``."""
    if isinstance(data, Mapping):
        found: list[dict[str, Any]] = []
        for key, value in data.items():
            name = str(key) if key != api_settings.NON_FIELD_ERRORS_KEY else ""
            found += _validation_errors(value, f"{prefix}.{name}" if prefix and name else name)
        return found
    if isinstance(data, list | tuple):
        if all(isinstance(item, str) for item in data):
            return [{"field": prefix, "message": str(item)} for item in data]
        found = []
        for index, item in enumerate(data):
            found += _validation_errors(item, f"{prefix}[{index}]")
        return found
    return [{"field": prefix, "message": str(data)}]


def _drf_code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else str(exc.default_code)


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """The portal's one DRF exception handler: every error answers ``error_body``.

    Domain errors (``core.errors.DomainError``) answer the status of their kind; an object that
    does not exist or is out of scope 404; Django's ``BadRequest`` (a malformed query parameter)
    400; DRF's own exceptions keep their status and headers (``Retry-After``,
    ``WWW-Authenticate``) with the body reshaped. Views never build error responses themselves.
    """
    if isinstance(exc, DomainError | ObjectDoesNotExist | Http404 | BadRequest):
        set_rollback()  # as DRF does for its own: an open atomic block is not committed
    if isinstance(exc, DomainError):
        body = error_body(exc.code, exc.message, exc.details, exc.context)
        return Response(body, status=exc.status)
    if isinstance(exc, ObjectDoesNotExist | Http404):
        return Response(error_body("not_found", MESSAGES["not_found"]), status=404)
    if isinstance(exc, BadRequest):
        detail = exc.message if isinstance(exc, QueryParameterError) else MESSAGES["bad_request"]
        return Response(error_body("bad_request", detail), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied):  # Django's, raised by a service: DRF's 403
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, dict(context))
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        errors = _validation_errors(exc.detail)
        shown = " ".join(
            f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors[:5]
        )
        detail = f"{MESSAGES['invalid']} {shown}".strip()
        response.data = error_body(_drf_code(exc), detail, errors)
        return response
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if isinstance(exc, exceptions.NotFound) and detail == str(exceptions.NotFound.default_detail):
        detail = MESSAGES["not_found"]
    response.data = error_body(_drf_code(exc), detail)
    return response
