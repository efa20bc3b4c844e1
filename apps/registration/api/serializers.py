from __future__ import annotations

from rest_framework import serializers

from apps.registration.models import Municipality, Region, School


class RegionOutputSerializer(serializers.ModelSerializer[Region]):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "time_zone"]


class MunicipalityOutputSerializer(serializers.ModelSerializer[Municipality]):
    class Meta:
        model = Municipality
        fields = ["id", "code", "name", "time_zone", "region"]


class SchoolOutputSerializer(serializers.ModelSerializer[School]):
    class Meta:
        model = School
        fields = [
            "id",
            "code",
            "full_name",
            "short_name",
            "address",
            "school_type",
            "status",
            "time_zone",
            "municipality",
            "region",
        ]


class OrgUnitSerializer(serializers.Serializer[object]):
    level = serializers.ChoiceField(choices=["federal", "region", "municipality", "school"])
    id = serializers.IntegerField(allow_null=True)
    code = serializers.CharField(allow_blank=True)
    name = serializers.CharField()


class MeOutputSerializer(serializers.Serializer[object]):
    username = serializers.CharField()
    full_name = serializers.CharField(allow_blank=True)
    role = serializers.CharField(allow_null=True)
    role_display = serializers.CharField()
    org_unit = OrgUnitSerializer(allow_null=True)
