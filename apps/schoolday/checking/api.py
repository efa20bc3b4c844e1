"""The API of the checking: a work's codes at a school with their experts (an expert's account:
its own codes), the automatic distribution, a manual (re)assignment, taking codes back, and the
progress per school and work for the actor's unit."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_errors import ErrorSerializer
from apps.core.params import int_param
from apps.registration.access import ScopedAPIMixin
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.checking import selectors, services
from apps.schoolday.models import ExpertAssignment, Person
from apps.schoolday.selectors import school_get

_ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class CheckingExpertRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class CheckingExpertSerializer(CheckingExpertRefSerializer):
    teaches = serializers.ListField(
        child=serializers.CharField(), help_text="Классы, в которых преподаёт (их не проверяет)"
    )
    codes = serializers.IntegerField(help_text="Кодов этой работы у эксперта")


class CheckingCodeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Код участника")
    expert = CheckingExpertRefSerializer(
        allow_null=True, help_text="null — ещё не передан эксперту"
    )
    scored = serializers.BooleanField(help_text="Баллы внесены")


class CheckingClassSerializer(serializers.Serializer[Any]):
    class_work = serializers.IntegerField(help_text="Работа класса (id)")
    school_class = serializers.CharField(help_text="Класс, например «4А»")
    start = serializers.DateField(allow_null=True, help_text="День проведения в классе")
    last = serializers.DateField(help_text="Последний день проверки (время ОО)")
    closes_at = serializers.DateTimeField(help_text="Когда проверка закрывается")
    open = serializers.BooleanField(help_text="Баллы можно вносить сейчас")
    over = serializers.BooleanField(help_text="Проверка закончилась")
    problem = serializers.CharField(
        allow_blank=True, help_text="Почему класс некому проверить (пусто — есть кому)"
    )
    codes = CheckingCodeSerializer(many=True)


class CheckingOutputSerializer(serializers.Serializer[Any]):
    school = serializers.IntegerField()
    work = serializers.IntegerField()
    work_title = serializers.CharField()
    personal = serializers.BooleanField(help_text="Видны только коды, переданные этому эксперту")
    total = serializers.IntegerField(help_text="Кодов на проверку")
    given = serializers.IntegerField(help_text="Передано экспертам")
    experts = CheckingExpertSerializer(many=True)
    classes = CheckingClassSerializer(many=True)


class CheckingAutoOutputSerializer(serializers.Serializer[Any]):
    given = serializers.IntegerField(help_text="Сколько кодов передано сейчас")
    checking = CheckingOutputSerializer()


class CheckingAssignInputSerializer(serializers.Serializer[Any]):
    expert = serializers.IntegerField(help_text="Эксперт ОО по предмету работы (id)")
    codes = serializers.ListField(
        child=serializers.CharField(max_length=16), min_length=1, help_text="Коды участников"
    )


class CheckingCodesInputSerializer(serializers.Serializer[Any]):
    codes = serializers.ListField(
        child=serializers.CharField(max_length=16), min_length=1, help_text="Коды участников"
    )


class CheckingWorkProgressSerializer(serializers.Serializer[Any]):
    school = serializers.IntegerField()
    school_name = serializers.CharField()
    municipality = serializers.IntegerField()
    work = serializers.IntegerField()
    work_title = serializers.CharField()
    classes = serializers.IntegerField()
    codes = serializers.IntegerField(help_text="Кодов участников на проверку")
    given = serializers.IntegerField(help_text="Передано экспертам")
    entered = serializers.IntegerField(
        allow_null=True, help_text="Баллы внесены (null — сведений о баллах нет)"
    )
    experts = serializers.IntegerField(help_text="Экспертов ОО по предмету")
    start = serializers.DateField(allow_null=True, help_text="Первый день проведения в ОО")
    last = serializers.DateField(allow_null=True, help_text="Последний день проверки")


class CheckingProgressOutputSerializer(serializers.Serializer[Any]):
    campaign = serializers.IntegerField(allow_null=True)
    work = serializers.IntegerField(allow_null=True)
    codes = serializers.IntegerField()
    given = serializers.IntegerField()
    rows = CheckingWorkProgressSerializer(many=True)


def _ref(person: Person | None) -> dict[str, Any] | None:
    return None if person is None else {"id": person.pk, "full_name": person.full_name}


def checking_data(state: selectors.Checking) -> dict[str, Any]:
    load = state.load
    return {
        "school": state.school.pk,
        "work": state.work.pk,
        "work_title": state.title,
        "personal": state.personal,
        "total": state.total,
        "given": state.given,
        "experts": [
            {
                "id": e.pk,
                "full_name": e.full_name,
                "teaches": selectors.taught_labels(e),
                "codes": load.get(e.pk, 0),
            }
            for e in state.experts
        ],
        "classes": [
            {
                "class_work": row.class_work.pk,
                "school_class": row.label,
                "start": row.start,
                "last": row.last,
                "closes_at": row.closes_at,
                "open": row.open,
                "over": row.over,
                "problem": state.problem(row),
                "codes": [
                    {"code": c.code, "expert": _ref(c.expert), "scored": c.scored}
                    for c in row.codes
                ],
            }
            for row in state.classes
        ],
    }


class _CheckingApi(ScopedAPIMixin, APIView):
    scoped_model = ExpertAssignment

    def _state(self, school_id: int, work_id: int) -> dict[str, Any]:
        return checking_data(
            selectors.checking_get(actor=self.actor, school_id=school_id, work_id=work_id)
        )


class CheckingApi(_CheckingApi):
    """A work's codes at a school with their experts (an expert: only its own codes)."""

    method_actions = {"GET": A.VIEW_CHECKING}

    @extend_schema(
        summary="Проверка работы в ОО: коды и эксперты",
        responses={200: CheckingOutputSerializer, **_ERRORS},
    )
    def get(self, request: Request, school_id: int, work_id: int) -> Response:
        return Response(CheckingOutputSerializer(self._state(school_id, work_id)).data)


class CheckingAutoApi(_CheckingApi):
    """Give every code nobody checks yet to the experts, evenly (the school organizer)."""

    method_actions = {"POST": A.ASSIGN_EXPERTS}

    @extend_schema(
        summary="Распределить работы экспертам автоматически (организатор ОО)",
        request=None,
        responses={200: CheckingAutoOutputSerializer, **_ERRORS},
    )
    def post(self, request: Request, school_id: int, work_id: int) -> Response:
        school_get(actor=self.actor, school_id=school_id, action=A.ASSIGN_EXPERTS)  # 404 first
        given = services.checking_auto_assign(
            actor=self.actor, school_id=school_id, work_id=work_id
        )
        return Response(
            CheckingAutoOutputSerializer(
                {"given": given, "checking": self._state(school_id, work_id)}
            ).data
        )


class CheckingAssignApi(_CheckingApi):
    """Give codes to one expert (the school organizer); refused whole with every reason."""

    method_actions = {"POST": A.ASSIGN_EXPERTS}

    @extend_schema(
        summary="Передать коды эксперту (организатор ОО)",
        request=CheckingAssignInputSerializer,
        responses={200: CheckingOutputSerializer, **_ERRORS},
    )
    def post(self, request: Request, school_id: int, work_id: int) -> Response:
        school_get(actor=self.actor, school_id=school_id, action=A.ASSIGN_EXPERTS)  # 404 first
        data = CheckingAssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.checking_assign(
            actor=self.actor,
            school_id=school_id,
            work_id=work_id,
            expert_id=data.validated_data["expert"],
            codes=data.validated_data["codes"],
        )
        return Response(CheckingOutputSerializer(self._state(school_id, work_id)).data)


class CheckingUnassignApi(_CheckingApi):
    """Take codes back from their experts (the school organizer)."""

    method_actions = {"POST": A.ASSIGN_EXPERTS}

    @extend_schema(
        summary="Снять коды с экспертов (организатор ОО)",
        request=CheckingCodesInputSerializer,
        responses={200: CheckingOutputSerializer, **_ERRORS},
    )
    def post(self, request: Request, school_id: int, work_id: int) -> Response:
        school_get(actor=self.actor, school_id=school_id, action=A.ASSIGN_EXPERTS)  # 404 first
        data = CheckingCodesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.checking_unassign(
            actor=self.actor,
            school_id=school_id,
            work_id=work_id,
            codes=data.validated_data["codes"],
        )
        return Response(CheckingOutputSerializer(self._state(school_id, work_id)).data)


class CheckingProgressApi(ScopedAPIMixin, APIView):
    """Progress of the checking per school and work in the actor's unit."""

    scoped_model = ExpertAssignment
    method_actions = {"GET": A.VIEW_CHECKING}

    @extend_schema(
        summary="Ход проверки работ",
        parameters=[
            OpenApiParameter("campaign", int, description="Кампания (id); по умолчанию — текущая"),
            OpenApiParameter("work", int, description="Только эта работа (id)"),
            OpenApiParameter("school", int, description="Только эта ОО (id)"),
        ],
        responses={200: CheckingProgressOutputSerializer, 400: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        progress = selectors.checking_progress(
            actor=self.actor,
            campaign_id=int_param(request.query_params.get("campaign")),
            work_id=int_param(request.query_params.get("work")),
            school_id=int_param(request.query_params.get("school")),
        )
        return Response(
            CheckingProgressOutputSerializer(
                {
                    "campaign": progress.campaign.pk if progress.campaign else None,
                    "work": progress.work.pk if progress.work else None,
                    "codes": progress.codes,
                    "given": progress.given,
                    "rows": [
                        {
                            "school": r.school_id,
                            "school_name": r.school_name,
                            "municipality": r.municipality_id,
                            "work": r.work.pk,
                            "work_title": r.work_title,
                            "classes": r.classes,
                            "codes": r.codes,
                            "given": r.given,
                            "entered": r.entered,
                            "experts": r.experts,
                            "start": r.start,
                            "last": r.last,
                        }
                        for r in progress.rows
                    ],
                }
            ).data
        )
