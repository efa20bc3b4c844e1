"""Input and output shapes of the families API (no field carries a pupil's name)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.families.models import FamiliesInformed
from apps.results.constants import CLASS_MAX, CLASS_MIN


class FamiliesInformedOutputSerializer(serializers.ModelSerializer[FamiliesInformed]):
    informed_by = serializers.CharField(source="informed_by.username", read_only=True)

    class Meta:
        model = FamiliesInformed
        fields = ["id", "school", "work", "class_number", "class_label", "informed_at"]
        fields += ["informed_by"]


class FamiliesInformedInputSerializer(serializers.Serializer[Any]):
    class_number = serializers.IntegerField(
        min_value=CLASS_MIN,
        max_value=CLASS_MAX,
        help_text="Порядковый номер класса из принятых результатов.",
        error_messages={
            "required": "Укажите порядковый номер класса.",
            "null": "Укажите порядковый номер класса.",
            "invalid": "Порядковый номер класса — целое число.",
            "min_value": f"Порядковый номер класса — от {CLASS_MIN} до {CLASS_MAX}.",
            "max_value": f"Порядковый номер класса — от {CLASS_MIN} до {CLASS_MAX}.",
        },
    )


class FamiliesClassOutputSerializer(serializers.Serializer[Any]):
    class_number = serializers.IntegerField(
        source="number", allow_null=True, help_text="null — номер класса не указан в результатах"
    )
    class_label = serializers.CharField(source="label", help_text="«4А»")
    slips = serializers.IntegerField(help_text="Бланков (участников, выполнявших работу)")
    absent = serializers.IntegerField(help_text="Отсутствовали (бланк не печатается)")
    informed = FamiliesInformedOutputSerializer(allow_null=True)
    slips_url = serializers.CharField(allow_null=True)


class FamiliesWorkOutputSerializer(serializers.Serializer[Any]):
    results = serializers.IntegerField(help_text="Id принятых результатов ОО по работе")
    work = serializers.IntegerField()
    subject = serializers.CharField()
    grade = serializers.IntegerField()
    version = serializers.IntegerField(help_text="Номер принятой версии результатов")
    slips = serializers.IntegerField()
    slips_url = serializers.CharField()
    informed_url = serializers.CharField()
    classes = FamiliesClassOutputSerializer(many=True)


class FamiliesOverviewRowSerializer(serializers.Serializer[Any]):
    school = serializers.IntegerField(source="school.pk")
    school_name = serializers.CharField(source="school.short_name")
    classes = serializers.IntegerField(help_text="Классов с результатами")
    informed = serializers.IntegerField(help_text="Классов с отметкой об информировании")
    last_informed_at = serializers.DateTimeField(allow_null=True)


class FamiliesOverviewOutputSerializer(serializers.Serializer[Any]):
    work = serializers.IntegerField(allow_null=True)
    schools = serializers.IntegerField(help_text="ОО с принятыми результатами")
    schools_informed = serializers.IntegerField(help_text="ОО с отметкой хотя бы для одного класса")
    classes_informed = serializers.IntegerField()
    rows = FamiliesOverviewRowSerializer(many=True)
