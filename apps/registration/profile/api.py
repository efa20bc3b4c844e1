"""The school profile («опросный лист ОО») in the REST API: own profile, a school's, the list."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.params import int_param
from apps.registration.access import A, ScopedAPIMixin
from apps.registration.constants import SchoolType
from apps.registration.models import School, SchoolProfile, SettlementType
from apps.registration.profile import selectors as profile_selectors
from apps.registration.profile import services as profile_services
from apps.registration.profile.services import (
    GradeCount,
    ProfileInput,
    profile_grades,
    unknown_grades_message,
)


class GradeSerializer(serializers.Serializer[Any]):
    classes = serializers.IntegerField(
        min_value=0, error_messages={"invalid": "Введите целое число классов."}
    )
    pupils = serializers.IntegerField(
        min_value=0, error_messages={"invalid": "Введите целое число обучающихся."}
    )


def _choice_messages() -> dict[str, Any]:
    return {"invalid_choice": "Выберите значение из списка.", "required": "Обязательное поле."}


class ProfileInputSerializer(serializers.Serializer[Any]):
    """Shapes and types; the rules and their Russian messages come from profile_services."""

    school_type = serializers.ChoiceField(
        choices=SchoolType.choices, error_messages=_choice_messages()
    )
    settlement_type = serializers.ChoiceField(
        choices=SettlementType.choices, error_messages=_choice_messages()
    )
    address = serializers.CharField(max_length=500)
    director_name = serializers.CharField(max_length=300)
    phone = serializers.CharField(max_length=50)
    email = serializers.CharField(max_length=254)
    time_zone_confirmed = serializers.BooleanField()
    grades = serializers.DictField(
        child=GradeSerializer(),
        help_text='Параллели текущей кампании ("4", "5", …): {"classes": n, "pupils": n}',
    )

    def validate_grades(self, value: dict[str, Any]) -> dict[str, Any]:
        grades = profile_grades()
        unknown = sorted(set(value) - set(grades), key=lambda g: (not g.isdecimal(), g.zfill(3)))
        if unknown:
            raise serializers.ValidationError(unknown_grades_message(unknown, grades))
        return value

    def to_input(self) -> ProfileInput:
        d = self.validated_data
        return ProfileInput(
            school_type=d["school_type"],
            settlement_type=d["settlement_type"],
            address=d["address"],
            director_name=d["director_name"],
            phone=d["phone"],
            email=d["email"],
            time_zone_confirmed=d["time_zone_confirmed"],
            grades={
                g: GradeCount(d["grades"][g]["classes"], d["grades"][g]["pupils"])
                for g in profile_grades()
                if g in d["grades"]
            },
        )


class ProfileOutputSerializer(serializers.ModelSerializer[SchoolProfile]):
    filled_by = serializers.CharField(source="filled_by.username", allow_null=True, default=None)

    class Meta:
        model = SchoolProfile
        fields = [
            "school_type",
            "settlement_type",
            "address",
            "director_name",
            "phone",
            "email",
            "grades",
            "time_zone_confirmed",
            "filled_at",
            "filled_by",
        ]


class SchoolBriefOutputSerializer(serializers.ModelSerializer[School]):
    class Meta:
        model = School
        fields = ["id", "code", "short_name", "full_name", "time_zone", "municipality", "region"]


class SchoolProfileOutputSerializer(serializers.Serializer[Any]):
    school = SchoolBriefOutputSerializer()
    filled = serializers.BooleanField()
    profile = ProfileOutputSerializer(allow_null=True)


class ProfileStateOutputSerializer(serializers.ModelSerializer[School]):
    filled = serializers.SerializerMethodField()
    filled_at = serializers.DateTimeField(source="profile_filled_at", allow_null=True)

    class Meta:
        model = School
        fields = ["id", "code", "short_name", "municipality", "region", "filled", "filled_at"]

    def get_filled(self, school: School) -> bool:
        return getattr(school, "profile_filled_at", None) is not None


def _out(school: School, profile: SchoolProfile | None) -> dict[str, Any]:
    data = {"school": school, "filled": profile is not None, "profile": profile}
    return dict(SchoolProfileOutputSerializer(data).data)


class _Scoped(ScopedAPIMixin, APIView):
    pass


class OwnSchoolProfileApi(_Scoped):
    """The caller's own school profile (organizer or technical specialist)."""

    scoped_model = SchoolProfile
    method_actions = {"GET": A.EDIT_PROFILE, "PUT": A.EDIT_PROFILE}

    @extend_schema(summary="Опросный лист своей ОО", responses=SchoolProfileOutputSerializer)
    def get(self, request: Request) -> Response:
        school, profile = profile_selectors.school_profile_get(
            actor=self.actor, school_id=self.actor.scope.school_id or 0
        )
        return Response(_out(school, profile))

    @extend_schema(
        summary="Заполнить или исправить опросный лист своей ОО",
        request=ProfileInputSerializer,
        responses={200: SchoolProfileOutputSerializer},
    )
    def put(self, request: Request) -> Response:
        data = ProfileInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            profile_services.school_profile_save(actor=self.actor, data=data.to_input())
        except ValidationError as exc:  # a model rule: answered by the one handler as 400
            raise serializers.ValidationError(exc.message_dict) from exc
        school, profile = profile_selectors.school_profile_get(
            actor=self.actor, school_id=self.actor.scope.school_id or 0
        )
        return Response(_out(school, profile))


class SchoolProfileApi(_Scoped):
    """A school's profile as filled (404 for a school outside the caller's scope)."""

    scoped_model = School
    method_actions = {"GET": A.VIEW_PROFILE}

    @extend_schema(summary="Опросный лист ОО", responses=SchoolProfileOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        school, profile = profile_selectors.school_profile_get(actor=self.actor, school_id=pk)
        return Response(_out(school, profile))


@extend_schema(
    summary="Кто заполнил опросный лист (действующие ОО)",
    parameters=[
        OpenApiParameter("filled", bool, description="true — заполнили, false — нет"),
        OpenApiParameter("q", str),
        OpenApiParameter("region", int),
        OpenApiParameter("municipality", int),
    ],
)
class SchoolProfileListApi(ScopedAPIMixin, generics.ListAPIView[School]):
    scoped_model = School
    method_actions = {"GET": A.VIEW_PROFILES}
    serializer_class = ProfileStateOutputSerializer

    def get_queryset(self) -> Any:
        p = self.request.query_params
        filled = {"true": True, "1": True, "false": False, "0": False}.get(p.get("filled", ""))
        return profile_selectors.school_profile_list(
            actor=self.actor,
            filled=filled,
            q=p.get("q", "")[:100],
            region_id=int_param(p.get("region")),
            municipality_id=int_param(p.get("municipality")),
        )
