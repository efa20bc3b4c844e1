"""The school's timetable by class in the REST API: the list with days and release instants
(UTC, with the school's zone), a class work's day and form, one day for every class of a work,
reserve days for some classes (ask, list), a coordinator's move of a class day, and the printable
plan-graph (PDF)."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.campaigns import selectors as campaign_selectors
from apps.campaigns.models import ReserveDayRequest
from apps.classes.actions import ClassActions as A
from apps.classes.models import ClassWork
from apps.classes.selectors import school_get
from apps.classes.timetable import selectors, services
from apps.core.api_errors import ErrorSerializer
from apps.core.downloads import private_download
from apps.core.instants import moscow_offset
from apps.core.params import int_param
from apps.registration.access import ScopedAPIMixin

_CAMPAIGN = OpenApiParameter("campaign", int, description="Кампания (id); по умолчанию — текущая")
_WRITE_ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}
_FORM_CHOICES = ClassWork.Form.choices
_FORM_ERRORS: dict[str, Any] = {
    "invalid_choice": "Форма проведения — «paper» (бумажная) или «computer» (компьютерная).",
    "required": "Укажите форму проведения.",
}
_DATE_ERRORS: dict[str, Any] = {
    "invalid": "Укажите дату в виде ГГГГ-ММ-ДД.",
    "required": "Укажите дату.",
}


# --- serializers -------------------------------------------------------------------------------


class ClassReserveBriefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="Запрос резервного дня (id)")
    requested_date = serializers.DateField(help_text="Резервный день")
    decision = serializers.ChoiceField(choices=ReserveDayRequest.Status.choices)


class ClassWorkTimetableSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="Работа класса (id)")
    school_class = serializers.IntegerField(help_text="Класс (id)")
    class_label = serializers.CharField(help_text="Класс: «4А»")
    grade = serializers.IntegerField()
    class_number = serializers.IntegerField(help_text="Порядковый номер класса")
    work = serializers.IntegerField(help_text="Работа (id)")
    subject_name = serializers.CharField()
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=ClassWork.Source.choices, help_text="Обязательная или по распределению"
    )
    form = serializers.ChoiceField(choices=_FORM_CHOICES, help_text="Форма проведения")
    computer_allowed = serializers.BooleanField(help_text="Можно провести на компьютере")
    encrypted_archive = serializers.BooleanField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    date = serializers.DateField(allow_null=True, help_text="День проведения (местный для ОО)")
    weekday = serializers.CharField(help_text="День недели дня проведения")
    frozen = serializers.BooleanField(
        help_text="День проведения уже наступил по времени ОО: дату и форму изменить нельзя"
    )
    locked = serializers.BooleanField(
        help_text="В день проведения уже открыт пароль или день прошёл: перенести его не может "
        "и координатор"
    )
    reserve = ClassReserveBriefSerializer(
        allow_null=True,
        help_text="Резервный день класса: запрос на рассмотрении, согласованный день (класс "
        "пишет в этот день) или отклонённый последний запрос класса",
    )
    materials_available_at = serializers.DateTimeField(help_text="Архив материалов (UTC)")
    password_release_at = serializers.DateTimeField(
        allow_null=True, help_text="Пароль к архиву (UTC; только для зашифрованных архивов)"
    )
    criteria_available_at = serializers.DateTimeField(allow_null=True, help_text="Критерии (UTC)")
    results_form_available_at = serializers.DateTimeField(
        allow_null=True, help_text="Форма сбора результатов (UTC)"
    )
    upload_deadline_at = serializers.DateTimeField(help_text="Конец загрузки результатов (UTC)")
    release_at = serializers.DateTimeField(help_text="Публикация результатов (UTC)")


class TimetableOutputSerializer(serializers.Serializer[Any]):
    school = serializers.IntegerField()
    campaign = serializers.IntegerField(allow_null=True)
    time_zone = serializers.CharField(help_text="Часовой пояс ОО (IANA)")
    moscow_offset = serializers.CharField(help_text="Смещение от Москвы: «МСК+9»")
    class_works = ClassWorkTimetableSerializer(many=True)


class ClassWorkDateInputSerializer(serializers.Serializer[Any]):
    date = serializers.DateField(error_messages=_DATE_ERRORS, help_text="День проведения")


class ClassWorkFormInputSerializer(serializers.Serializer[Any]):
    form = serializers.ChoiceField(choices=_FORM_CHOICES, error_messages=_FORM_ERRORS)


class ClassWorkMoveInputSerializer(serializers.Serializer[Any]):
    date = serializers.DateField(error_messages=_DATE_ERRORS, help_text="Новый день проведения")
    reason = serializers.CharField(
        max_length=2000,
        error_messages={
            "required": "Укажите причину переноса дня проведения.",
            "blank": "Укажите причину переноса дня проведения.",
            "max_length": "Причина — не длиннее 2000 символов.",
        },
        help_text="Причина переноса (записывается в журнал действий)",
    )


class ClassReserveInputSerializer(serializers.Serializer[Any]):
    work = serializers.IntegerField(help_text="Работа (id)")
    class_works = serializers.ListField(
        child=serializers.IntegerField(),
        allow_empty=False,
        max_length=200,
        error_messages={
            "empty": "Отметьте классы, для которых нужен резервный день.",
            "required": "Отметьте классы, для которых нужен резервный день.",
        },
        help_text="Работы классов (id) этой работы, которым нужен резервный день",
    )
    requested_date = serializers.DateField(
        error_messages=_DATE_ERRORS, help_text="Резервный день (вне периода проведения)"
    )
    reason = serializers.CharField(
        max_length=2000,
        error_messages={
            "required": "Укажите причину, по которой классы не могут писать работу в период.",
            "blank": "Укажите причину, по которой классы не могут писать работу в период.",
        },
    )


class ClassReserveOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="Запрос резервного дня (id)")
    work = serializers.IntegerField(help_text="Работа (id)")
    subject_name = serializers.CharField()
    grade = serializers.IntegerField()
    classes = serializers.CharField(help_text="Классы запроса: «4А, 4Б»")
    class_works = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Работы классов (id), связанные с запросом сейчас (после отказа — пусто)",
    )
    requested_date = serializers.DateField()
    reason = serializers.CharField()
    decision = serializers.ChoiceField(choices=ReserveDayRequest.Status.choices)
    comment = serializers.CharField(allow_blank=True, help_text="Комментарий координатора")
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class TimetableBulkInputSerializer(serializers.Serializer[Any]):
    work = serializers.IntegerField(help_text="Работа (id): день для всех классов, что её пишут")
    date = serializers.DateField(error_messages=_DATE_ERRORS, help_text="День проведения")


def _row_data(row: selectors.TimetableRow) -> dict[str, Any]:
    cw, work, school_class = row.class_work, row.work, row.school_class
    reserve = row.reserve
    return {
        "id": cw.pk,
        "school_class": school_class.pk,
        "class_label": school_class.label,
        "grade": school_class.grade,
        "class_number": school_class.number,
        "work": work.pk,
        "subject_name": work.subject.name,
        "source": cw.source,
        "form": cw.form,
        "computer_allowed": work.computer_allowed,
        "encrypted_archive": work.encrypted_archive,
        "period_start": work.period_start,
        "period_end": work.period_end,
        "date": cw.date,
        "weekday": row.weekday,
        "frozen": row.frozen,
        "locked": row.locked,
        "reserve": (
            {"id": reserve.pk, "requested_date": reserve.requested_date, "decision": reserve.status}
            if reserve is not None
            else None
        ),
        **dataclasses.asdict(row.instants),
    }


def _reserve_data(found: selectors.ClassReserve) -> dict[str, Any]:
    req = found.request
    return {
        "id": req.pk,
        "work": req.work_id,
        "subject_name": req.work.subject.name,
        "grade": req.work.grade,
        "classes": req.classes,
        "class_works": found.class_work_ids,
        "requested_date": req.requested_date,
        "reason": req.reason,
        "decision": req.status,
        "comment": req.comment,
        "created_at": req.created_at,
        "decided_at": req.decided_at,
    }


def _one(actor: Any, class_work: ClassWork, action: str = A.SET_CLASS_DATES) -> dict[str, Any]:
    school = school_get(actor=actor, school_id=class_work.school_id, action=action)
    zone = campaign_selectors.school_zone(school)
    span = selectors.school_days(
        actor=actor, school_id=school.pk, work_id=class_work.work_id, action=action
    )
    row = selectors.timetable_row(class_work, zone, school_days=span)
    return ClassWorkTimetableSerializer(_row_data(row)).data


# --- endpoints ---------------------------------------------------------------------------------


class ClassTimetableApi(ScopedAPIMixin, APIView):
    """A school's classes' works with their days, forms and release instants."""

    scoped_model = ClassWork
    method_actions = {"GET": A.VIEW_CLASSES}

    @extend_schema(
        parameters=[_CAMPAIGN],
        responses={200: TimetableOutputSerializer, 404: ErrorSerializer},
        summary="План-график ОО по классам: дни, формы и моменты публикаций",
    )
    def get(self, request: Request, school_id: int) -> Response:
        plan = selectors.timetable(
            actor=self.actor,
            school_id=school_id,
            campaign_id=int_param(request.query_params.get("campaign")),
        )
        data = {
            "school": plan.school.pk,
            "campaign": plan.campaign.pk if plan.campaign else None,
            "time_zone": plan.zone,
            "moscow_offset": moscow_offset(plan.zone),
            "class_works": [_row_data(row) for row in plan.rows],
        }
        return Response(TimetableOutputSerializer(data).data)


class ClassWorkDateApi(ScopedAPIMixin, APIView):
    """The day a class writes a work (the school organizer, until the day before)."""

    scoped_model = ClassWork
    method_actions = {"POST": A.SET_CLASS_DATES}

    @extend_schema(
        request=ClassWorkDateInputSerializer,
        responses={200: ClassWorkTimetableSerializer, **_WRITE_ERRORS},
        summary="Назначить день проведения работы класса",
    )
    def post(self, request: Request, pk: int) -> Response:
        selectors.class_work_get(actor=self.actor, class_work_id=pk, action=A.SET_CLASS_DATES)
        data = ClassWorkDateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.class_work_date_set(
            actor=self.actor, class_work_id=pk, date=data.validated_data["date"]
        )
        return Response(_one(self.actor, row))


class ClassWorkFormApi(ScopedAPIMixin, APIView):
    """The form of a class's work: paper, or computer where the work allows it."""

    scoped_model = ClassWork
    method_actions = {"POST": A.SET_CLASS_DATES}

    @extend_schema(
        request=ClassWorkFormInputSerializer,
        responses={200: ClassWorkTimetableSerializer, **_WRITE_ERRORS},
        summary="Выбрать форму проведения работы класса",
    )
    def post(self, request: Request, pk: int) -> Response:
        selectors.class_work_get(actor=self.actor, class_work_id=pk, action=A.SET_CLASS_DATES)
        data = ClassWorkFormInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.class_work_form_set(
            actor=self.actor, class_work_id=pk, form=data.validated_data["form"]
        )
        return Response(_one(self.actor, row))


class ClassTimetableBulkApi(ScopedAPIMixin, APIView):
    """One day for a work in every class of the school that writes it (all or none)."""

    scoped_model = ClassWork
    method_actions = {"POST": A.SET_CLASS_DATES}

    @extend_schema(
        request=TimetableBulkInputSerializer,
        responses={200: ClassWorkTimetableSerializer(many=True), **_WRITE_ERRORS},
        summary="Назначить один день работы всем классам параллели",
    )
    def post(self, request: Request, school_id: int) -> Response:
        school = school_get(actor=self.actor, school_id=school_id, action=A.SET_CLASS_DATES)
        data = TimetableBulkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = services.class_works_date_set_for_grade(
            actor=self.actor,
            school_id=school.pk,
            work_id=data.validated_data["work"],
            date=data.validated_data["date"],
        )
        zone = campaign_selectors.school_zone(school)
        span = selectors.school_days(
            actor=self.actor,
            school_id=school.pk,
            work_id=data.validated_data["work"],
            action=A.SET_CLASS_DATES,
        )
        out = [_row_data(selectors.timetable_row(row, zone, school_days=span)) for row in rows]
        return Response(ClassWorkTimetableSerializer(out, many=True).data)


class ClassWorkMoveApi(ScopedAPIMixin, APIView):
    """A municipal or regional coordinator moves a class's day, with a reason (also after the
    school's freeze; never while the old or the new day has released anything)."""

    scoped_model = ClassWork
    method_actions = {"POST": A.MOVE_CLASS_DAY}

    @extend_schema(
        request=ClassWorkMoveInputSerializer,
        responses={200: ClassWorkTimetableSerializer, **_WRITE_ERRORS},
        summary="Перенести день проведения работы класса (координатор, с причиной)",
    )
    def post(self, request: Request, pk: int) -> Response:
        selectors.class_work_get(actor=self.actor, class_work_id=pk, action=A.MOVE_CLASS_DAY)
        data = ClassWorkMoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.class_work_date_move(
            actor=self.actor,
            class_work_id=pk,
            date=data.validated_data["date"],
            reason=data.validated_data["reason"],
        )
        return Response(_one(self.actor, row, A.MOVE_CLASS_DAY))


class ClassReserveListApi(ScopedAPIMixin, APIView):
    """The school's reserve-day requests for its classes; the school organizer asks for one
    (POST: some classes of one work, a day outside the period, a reason)."""

    scoped_model = ClassWork
    method_actions = {"GET": A.VIEW_CLASSES, "POST": A.SET_CLASS_DATES}

    @extend_schema(
        parameters=[_CAMPAIGN],
        responses={200: ClassReserveOutputSerializer(many=True), 404: ErrorSerializer},
        summary="Запросы резервных дней для классов ОО",
    )
    def get(self, request: Request, school_id: int) -> Response:
        campaign = campaign_selectors.campaign_chosen(
            actor=self.actor, campaign_id=int_param(request.query_params.get("campaign"))
        )
        found = selectors.class_reserve_requests(
            actor=self.actor,
            school_id=school_id,
            campaign_id=campaign.pk if campaign is not None else None,
        )
        return Response(
            ClassReserveOutputSerializer([_reserve_data(r) for r in found], many=True).data
        )

    @extend_schema(
        request=ClassReserveInputSerializer,
        responses={201: ClassReserveOutputSerializer, **_WRITE_ERRORS},
        summary="Запросить резервный день для классов (решает региональный координатор)",
    )
    def post(self, request: Request, school_id: int) -> Response:
        school = school_get(actor=self.actor, school_id=school_id, action=A.SET_CLASS_DATES)
        data = ClassReserveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        req = services.class_reserve_request(
            actor=self.actor,
            school_id=school.pk,
            work_id=v["work"],
            class_work_ids=v["class_works"],
            day=v["requested_date"],
            reason=v["reason"],
        )
        (found,) = selectors.class_reserve_requests(
            actor=self.actor, school_id=school.pk, request_id=req.pk, action=A.SET_CLASS_DATES
        )
        return Response(
            ClassReserveOutputSerializer(_reserve_data(found)).data, status=status.HTTP_201_CREATED
        )


class ClassTimetablePdfApi(ScopedAPIMixin, APIView):
    """The school's printable plan-graph by class (PDF)."""

    scoped_model = ClassWork
    method_actions = {"GET": A.VIEW_CLASSES}

    @extend_schema(
        parameters=[_CAMPAIGN],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="План-график ОО по классам (PDF)"
            ),
            404: ErrorSerializer,
        },
        summary="Скачать план-график ОО по классам (PDF)",
    )
    def get(self, request: Request, school_id: int) -> FileResponse:
        built = services.timetable_pdf_download(
            actor=self.actor,
            school_id=school_id,
            campaign_id=int_param(request.query_params.get("campaign")),
        )
        return private_download(built.content, built.name, "application/pdf")
