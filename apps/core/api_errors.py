"""The API's one error shape in the OpenAPI schema (ADR 0018).

``core.drf.exception_handler`` answers every error as ``error_body``; this module documents it:
the ``Error`` component and, through the spectacular post-processing hook
``error_responses_hook``, the error responses of every operation, all pointing at ``Error``.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

ERROR_REF = {"$ref": "#/components/schemas/Error"}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Ошибка: машинный код, текст на русском языке, при необходимости — список "
    "ошибок (строка и столбец файла, поле) и данные для продолжения работы.",
    "required": ["code", "detail"],
    "properties": {
        "code": {
            "type": "string",
            "description": "Машинный код ошибки (не меняется между версиями)",
            "example": "deadline_passed",
        },
        "detail": {"type": "string", "description": "Текст ошибки для человека"},
        "errors": {
            "type": "array",
            "description": "Отдельные ошибки: {row, column, message} для файлов, "
            "{field, message} для полей запроса",
            "items": {"type": "object", "additionalProperties": True},
        },
        "context": {
            "type": "object",
            "description": "Данные отказа: например, время открытия материалов "
            "(available_from) или коды выбывающих участников (dropped_codes)",
            "additionalProperties": True,
        },
    },
    "additionalProperties": False,
}

# Every operation may answer these; writes may also be refused by the procedure's state (409).
COMMON_ERRORS = {
    "400": "Неверный запрос или данные (code, detail, errors)",
    "401": "Требуется вход (токен или сессия)",
    "403": "Роли не разрешено это действие",
    "404": "Объект не найден или вне области видимости",
}
WRITE_ERRORS = {"409": "Действие не допускается текущим состоянием процедуры"}
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


class ErrorSerializer(serializers.Serializer[Any]):
    """The error body, for ``extend_schema(responses=...)`` (rendered as the ``Error`` ref)."""

    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.ListField(child=serializers.DictField(), required=False)  # type: ignore[assignment]
    context = serializers.DictField(required=False)  # type: ignore[assignment]


def error_responses_hook(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Spectacular post-processing: the ``Error`` component, and every error response of every
    operation (declared or implied) pointing at it."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas.pop("ErrorSerializer", None)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            implied = dict(COMMON_ERRORS)
            if method in WRITE_METHODS:
                implied |= WRITE_ERRORS
            for status, description in implied.items():
                responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {"application/json": {"schema": ERROR_REF}}
                    response.setdefault("description", COMMON_ERRORS.get(status, ""))
    return result
