"""Output serializers of the materials API (shape only)."""

from __future__ import annotations

from rest_framework import serializers


class MaterialItemOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kit_id = serializers.IntegerField()
    work_id = serializers.IntegerField()
    work = serializers.CharField()
    grade = serializers.IntegerField()
    item = serializers.ChoiceField(choices=["archive", "codes", "protocol", "criteria", "password"])
    status = serializers.ChoiceField(
        choices=["available", "not_yet", "not_scheduled", "not_built"],
        help_text="available — доступно; not_yet — ещё не открыто; not_scheduled — не выбрана "
        "дата проведения; not_built — архив ещё не собран",
    )
    available_from = serializers.CharField(
        allow_null=True,
        help_text="ISO 8601 с часовым поясом ОО, например 2026-04-15T07:30:00+12:00",
    )
    url = serializers.CharField()


class SchoolMaterialsOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    school_id = serializers.IntegerField()
    time_zone = serializers.CharField()
    items = MaterialItemOutputSerializer(many=True)


class PasswordOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kit_id = serializers.IntegerField()
    password = serializers.CharField()


class VariantFoundOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    uid = serializers.CharField()
    variant_number = serializers.IntegerField()
    work = serializers.CharField()
    school_id = serializers.IntegerField()
    school_code = serializers.CharField()
    school_name = serializers.CharField()
    municipality = serializers.CharField()
    region = serializers.CharField()


class VariantLookupOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    results = VariantFoundOutputSerializer(many=True)
