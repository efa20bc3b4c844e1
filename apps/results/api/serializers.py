"""Input and output shapes of the results API (separate classes, as the style guide asks)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class ResultsUploadInputSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="Заполненная форма сбора результатов (.xlsx)")
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="Только проверить файл, ничего не сохраняя"
    )
    confirm_dropped = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Подтвердить удаление участников прежней версии, которых нет в новом файле "
        "(без подтверждения такая загрузка отклоняется с кодом 409 и списком кодов)",
    )


class ResultsChangesSerializer(serializers.Serializer[Any]):
    added = serializers.IntegerField()
    changed = serializers.IntegerField()
    removed = serializers.IntegerField()


class ResultsVersionOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()
    uploaded_by = serializers.CharField(allow_null=True)
    # A declared field named like Field.source; DRF's metaclass collects it as a field.
    source = serializers.CharField()  # type: ignore[assignment]
    file_sha256 = serializers.CharField()
    participants = serializers.IntegerField()
    absent = serializers.IntegerField()
    late = serializers.BooleanField()
    changes = ResultsChangesSerializer()


class ResultsStateOutputSerializer(serializers.Serializer[Any]):
    school = serializers.DictField()
    work = serializers.DictField()
    held_on = serializers.DateField(allow_null=True)
    form_at = serializers.DateTimeField(
        allow_null=True, help_text="Публикация формы сбора результатов (8 класс — вместе с архивом)"
    )
    opens_at = serializers.DateTimeField(
        allow_null=True, help_text="Начало приёма результатов (вместе с критериями оценивания)"
    )
    deadline_at = serializers.DateTimeField()
    reopened_until = serializers.DateTimeField(allow_null=True)
    upload_open = serializers.BooleanField()
    current_version = ResultsVersionOutputSerializer(allow_null=True)
    versions = ResultsVersionOutputSerializer(many=True)


class ResultsUploadOutputSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    dry_run = serializers.BooleanField()
    unchanged = serializers.BooleanField()
    participants = serializers.IntegerField()
    unused_codes = serializers.IntegerField()
    dropped_codes = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="При проверке: коды участников текущей версии, которых нет в файле",
    )
    version = ResultsVersionOutputSerializer(allow_null=True)


class ResultsCellChangeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    column = serializers.CharField()
    old = serializers.CharField(allow_blank=True)
    new = serializers.CharField(allow_blank=True)


class ResultsDiffOutputSerializer(serializers.Serializer[Any]):
    version = ResultsVersionOutputSerializer()
    against = serializers.IntegerField(
        allow_null=True, help_text="Номер версии, с которой сравнили"
    )
    added = serializers.ListField(child=serializers.CharField())
    removed = serializers.ListField(child=serializers.CharField())
    changed = ResultsCellChangeSerializer(many=True)
