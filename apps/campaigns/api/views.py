"""REST endpoints of campaigns, works, the plan-graph, school dates and reserve days.

Reads of campaigns and works are open to every logged-in role (lists with filters); writes and
reads by id are the federal operator's. School dates and reserve days are scoped by the school.
Writes that name other objects take their ids in the body and check them with ``for_actor``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.campaigns import documents, rules, schedule, selectors, services
from apps.campaigns.api import serializers as s
from apps.campaigns.imports import WORKS
from apps.campaigns.messages import WORKS_FILE_OR_DOCUMENT
from apps.campaigns.models import Campaign, ReserveDayRequest, SchoolWorkDate, Subject, Work
from apps.campaigns.rules import ColumnSpec, WorkSpec
from apps.core.api_errors import ErrorSerializer
from apps.core.drf import BoundedJSONParser
from apps.core.imports import DISCARD
from apps.core.models import ImportBatch
from apps.core.params import choice_param, int_param
from apps.core.uploads import file_error
from apps.registration.access import A, ScopedAPIMixin
from apps.registration.import_views import ImportActionApi, ImportOutcomeSerializer
from apps.registration.models import School

_CAMPAIGN = OpenApiParameter("campaign", int, description="Кампания (id); по умолчанию — текущая")
_ERRORS = {400: ErrorSerializer, 404: ErrorSerializer}


class _Api(ScopedAPIMixin, APIView):
    pass


class _ListApi(ScopedAPIMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = self.get_serializer(page, many=True).data
        return self.get_paginated_response(data)


# --- campaigns and subjects -------------------------------------------------------------------


def _campaign_data(values: dict[str, Any]) -> services.CampaignData:
    return services.CampaignData(
        year=values["year"],
        session=values["session"],
        name=values["name"],
        application_deadline=values["application_deadline"],
        is_active=values["is_active"],
    )


class CampaignListApi(_ListApi):
    """Campaigns (everyone); the federal operator creates them."""

    scoped_model = Campaign
    method_actions = {"GET": A.VIEW_CAMPAIGNS, "POST": A.MANAGE_CAMPAIGNS}
    serializer_class = s.CampaignOutputSerializer

    def get_queryset(self) -> QuerySet[Campaign]:
        return selectors.campaign_list(actor=self.actor)

    @extend_schema(
        summary="Кампании ВПР",
        responses=s.CampaignOutputSerializer(many=True),
        operation_id="campaigns_list",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.CampaignInputSerializer,
        responses={201: s.CampaignOutputSerializer, 400: ErrorSerializer},
        summary="Создать кампанию (федеральный оператор)",
    )
    def post(self, request: Request) -> Response:
        data = s.CampaignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = services.campaign_save(
            actor=self.actor, data=_campaign_data(data.validated_data)
        )
        return Response(s.CampaignOutputSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetailApi(_Api):
    """One campaign by id, for the federal operator (everyone else reads the list)."""

    scoped_model = Campaign
    method_actions = {"GET": A.MANAGE_CAMPAIGNS, "PATCH": A.MANAGE_CAMPAIGNS}

    @extend_schema(responses={200: s.CampaignOutputSerializer, **_ERRORS}, summary="Кампания")
    def get(self, request: Request, pk: int) -> Response:
        campaign = selectors.campaign_get(
            actor=self.actor, campaign_id=pk, action=A.MANAGE_CAMPAIGNS
        )
        return Response(s.CampaignOutputSerializer(campaign).data)

    @extend_schema(
        request=s.CampaignInputSerializer(partial=True),
        responses={200: s.CampaignOutputSerializer, **_ERRORS},
        summary="Изменить кампанию (только указанные поля)",
    )
    def patch(self, request: Request, pk: int) -> Response:
        campaign = selectors.campaign_get(
            actor=self.actor, campaign_id=pk, action=A.MANAGE_CAMPAIGNS
        )
        data = s.CampaignInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if not data.validated_data:
            return Response(s.CampaignOutputSerializer(campaign).data)  # nothing to change
        values = {
            "year": campaign.year,
            "session": campaign.session,
            "name": campaign.name,
            "application_deadline": campaign.application_deadline,
            "is_active": campaign.is_active,
            **data.validated_data,
        }
        campaign = services.campaign_save(
            actor=self.actor,
            data=_campaign_data(values),
            campaign_id=pk,
        )
        return Response(s.CampaignOutputSerializer(campaign).data)


class CampaignExportApi(_Api):
    """The campaign's works as the JSON document the import accepts (round trip)."""

    scoped_model = Campaign
    method_actions = {"GET": A.MANAGE_CAMPAIGNS}

    @extend_schema(
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT), 404: _ERRORS[404]},
        summary="Работы кампании документом JSON",
    )
    def get(self, request: Request, pk: int) -> Response:
        spec = selectors.campaign_spec(actor=self.actor, campaign_id=pk, action=A.MANAGE_CAMPAIGNS)
        return Response(documents.campaign_document(spec))


class SubjectListApi(_ListApi):
    scoped_model = Subject
    method_actions = {"GET": A.VIEW_CAMPAIGNS, "POST": A.MANAGE_CAMPAIGNS}
    serializer_class = s.SubjectOutputSerializer

    def get_queryset(self) -> QuerySet[Subject]:
        return selectors.subject_list(actor=self.actor)

    @extend_schema(
        summary="Учебные предметы",
        responses=s.SubjectOutputSerializer(many=True),
        operation_id="subjects_list",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.SubjectInputSerializer,
        responses={201: s.SubjectOutputSerializer, 400: ErrorSerializer},
        summary="Добавить предмет (федеральный оператор)",
    )
    def post(self, request: Request) -> Response:
        data = s.SubjectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subject = services.subject_create(actor=self.actor, **data.validated_data)
        return Response(s.SubjectOutputSerializer(subject).data, status=status.HTTP_201_CREATED)


# --- works ------------------------------------------------------------------------------------


def _spec(values: dict[str, Any], base: WorkSpec | None = None) -> WorkSpec:
    """A WorkSpec from validated input, over ``base`` for a partial update."""
    fields = dataclasses.asdict(base) if base is not None else {}
    fields.pop("columns", None)
    for name in (f.name for f in dataclasses.fields(WorkSpec)):
        if name in values and name != "columns":
            fields[name] = values[name]
    fields["subject_code"] = fields.get("subject_code", "").strip().lower()
    fields["recommended_dates"] = tuple(fields.get("recommended_dates", ()))
    if "columns" in values:
        columns = tuple(
            ColumnSpec(
                label=rules.normalize_label(c["label"]),
                max_score=c["max_score"],
                difficulty=c["difficulty"],
                topic=" ".join(c.get("topic", "").split()),
            )
            for c in values["columns"]
        )
    else:
        columns = base.columns if base is not None else ()
    return WorkSpec(columns=columns, **fields)


class WorkListApi(_ListApi):
    """Works with task columns, scales and plan-graph dates (everyone); federal creates."""

    scoped_model = Work
    method_actions = {"GET": A.VIEW_CAMPAIGNS, "POST": A.MANAGE_CAMPAIGNS}
    serializer_class = s.WorkOutputSerializer

    def get_queryset(self) -> QuerySet[Work]:
        params = self.request.query_params
        campaign = selectors.campaign_chosen(
            actor=self.actor, campaign_id=int_param(params.get("campaign"))
        )
        if campaign is None:
            return Work.objects.none()
        return selectors.work_list(
            actor=self.actor,
            campaign_id=campaign.pk,
            grade=int_param(params.get("grade")),
            subject_code=params.get("subject", ""),
            work_id=int_param(params.get("id")),
        )

    @extend_schema(
        parameters=[
            _CAMPAIGN,
            OpenApiParameter("grade", int, description="Класс"),
            OpenApiParameter("subject", str, description="Код предмета (russian, math, …)"),
            OpenApiParameter("id", int, description="Одна работа по id"),
        ],
        responses=s.WorkOutputSerializer(many=True),
        operation_id="works_list",
        summary="Работы кампании: задания, шкала, план-график",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.WorkInputSerializer,
        responses={201: s.WorkOutputSerializer, 400: ErrorSerializer},
        summary="Создать работу (федеральный оператор)",
    )
    def post(self, request: Request) -> Response:
        data = s.WorkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        work = services.work_save(
            actor=self.actor,
            campaign_id=values["campaign"],
            spec=_spec(values),
        )
        work = selectors.work_get(actor=self.actor, work_id=work.pk)
        return Response(s.WorkOutputSerializer(work).data, status=status.HTTP_201_CREATED)


class WorkDetailApi(_Api):
    """One work by id, for the federal operator: read, change (PATCH), delete."""

    scoped_model = Work
    method_actions = {
        "GET": A.MANAGE_CAMPAIGNS,
        "PATCH": A.MANAGE_CAMPAIGNS,
        "DELETE": A.MANAGE_CAMPAIGNS,
    }

    def _work(self, pk: int) -> Work:
        return selectors.work_get(actor=self.actor, work_id=pk, action=A.MANAGE_CAMPAIGNS)

    @extend_schema(responses={200: s.WorkOutputSerializer, **_ERRORS}, summary="Работа")
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.WorkOutputSerializer(self._work(pk)).data)

    @extend_schema(
        request=s.WorkInputSerializer(partial=True),
        responses={200: s.WorkOutputSerializer, **_ERRORS},
        summary="Изменить работу (только указанные поля; задания — списком целиком)",
    )
    def patch(self, request: Request, pk: int) -> Response:
        work = self._work(pk)
        data = s.WorkInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if k != "campaign"}
        base = selectors.work_spec(work)
        spec = _spec(values, base)
        if spec != base:
            services.work_save(
                actor=self.actor,
                campaign_id=work.campaign_id,
                spec=spec,
                work_id=work.pk,
            )
            work = self._work(pk)
        return Response(s.WorkOutputSerializer(work).data)

    @extend_schema(
        responses={204: None, **_ERRORS},
        summary="Удалить работу (если на неё ещё ничто не ссылается)",
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.work_delete(actor=self.actor, work_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _plan_row(work: Work) -> dict[str, Any]:
    return {
        "work": work.pk,
        "subject_name": work.subject.name,
        "grade": work.grade,
        "encrypted_archive": work.encrypted_archive,
        "period_start": work.period_start,
        "period_end": work.period_end,
        "recommended_dates": [dt.date.fromisoformat(d) for d in work.recommended_dates],
        "materials_publish_date": work.materials_publish_date,
        "latest_materials_date": schedule.latest_materials_date(work),
        "criteria_rule": (
            "в день проведения ОО, с 14:00 по московскому времени"
            if work.encrypted_archive
            else "в первый день периода, с 00:00 по местному времени ОО"
        ),
        "results_form_rule": (
            "вместе с архивом материалов"
            if work.encrypted_archive
            else "в первый день периода, с 00:00 по местному времени ОО"
        ),
        "password_rule": (
            "в день проведения ОО, в 07:30 по местному времени" if work.encrypted_archive else ""
        ),
        "results_upload_deadline": work.results_upload_deadline,
        "results_release_date": work.results_release_date,
        "checking_until": work.checking_until or work.results_upload_deadline,
    }


class PlanGraphApi(_Api):
    """The plan-graph of a campaign (everyone)."""

    scoped_model = Work
    method_actions = {"GET": A.VIEW_CAMPAIGNS}

    @extend_schema(
        parameters=[_CAMPAIGN],
        responses={200: s.PlanGraphOutputSerializer, 404: _ERRORS[404]},
        summary="План-график кампании",
    )
    def get(self, request: Request) -> Response:
        campaign = selectors.campaign_chosen(
            actor=self.actor, campaign_id=int_param(request.query_params.get("campaign"))
        )
        if campaign is None:
            raise NotFound("Кампаний пока нет.")
        works = sorted(
            selectors.work_list(actor=self.actor, campaign_id=campaign.pk),
            key=lambda w: (w.period_start, w.grade, w.subject.name),
        )
        data = {"campaign": campaign, "works": [_plan_row(w) for w in works]}
        return Response(s.PlanGraphOutputSerializer(data).data)


# --- works imports ----------------------------------------------------------------------------


def _batch_data(batch: ImportBatch) -> dict[str, Any]:
    return s.WorkImportOutputSerializer(batch).data


class WorkImportApi(_Api):
    """Upload a works file or JSON document: validated whole, previewed, applied on request."""

    scoped_model = ImportBatch
    method_actions = {"POST": A.MANAGE_CAMPAIGNS}
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={
            "multipart/form-data": s.WorkImportInputSerializer,
            "application/json": s.WorkImportInputSerializer,
        },
        responses={
            201: s.WorkImportOutputSerializer,
            400: ErrorSerializer,
            404: _ERRORS[404],
        },
        summary="Загрузить работы кампании (xlsx или JSON): предпросмотр или сразу применить",
    )
    def post(self, request: Request) -> Response:
        data = s.WorkImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        upload = values.get("file")
        if upload is not None:
            batch = services.works_import_upload(
                actor=self.actor,
                campaign_id=values["campaign"],
                name=upload.name or "",
                file=upload,
                size=upload.size or 0,
            )
        elif "document" in values:
            batch = services.works_import_upload(
                actor=self.actor,
                campaign_id=values["campaign"],
                name="document.json",
                content=json.dumps(values["document"], ensure_ascii=False).encode("utf-8"),
            )
        else:
            raise file_error(WORKS_FILE_OR_DOCUMENT)
        if values["apply"]:
            batch = services.works_import_apply(actor=self.actor, batch_id=batch.pk).batch
        return Response(_batch_data(batch), status=status.HTTP_201_CREATED)


class WorkImportApplyApi(ImportActionApi):
    """Apply a previewed works upload named in the body (``{"batch": id}``)."""

    kind = WORKS

    @extend_schema(
        request=s.WorkImportApplyInputSerializer,
        responses={
            200: ImportOutcomeSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        summary="Применить загрузку работ после предпросмотра",
    )
    def post(self, request: Request, pk: int | None = None) -> Response:
        data = s.WorkImportApplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.works_import_apply(
            actor=self.actor, batch_id=data.validated_data["batch"]
        )
        return Response(self.outcome_data(outcome))


class WorkImportDiscardApi(ImportActionApi):
    """Drop a previewed works upload named in the body (``{"batch": id}``), as the preview
    page's «Отменить» does (audited; nothing applied)."""

    kind = WORKS
    operation = DISCARD

    @extend_schema(
        request=s.WorkImportApplyInputSerializer,
        responses={200: ImportOutcomeSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        summary="Отменить загрузку работ после предпросмотра",
    )
    def post(self, request: Request, pk: int | None = None) -> Response:
        data = s.WorkImportApplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.works_import_discard(
            actor=self.actor, batch_id=data.validated_data["batch"]
        )
        return Response(self.outcome_data(outcome))


# --- school schedules and reserve days --------------------------------------------------------


class SchoolScheduleApi(_Api):
    """A school's works with its chosen days and every release instant (UTC)."""

    scoped_model = School
    method_actions = {"GET": A.VIEW_SCHEDULE}

    @extend_schema(
        parameters=[_CAMPAIGN],
        responses={200: s.SchoolScheduleOutputSerializer, 404: _ERRORS[404]},
        summary="Расписание ОО: дни проведения и моменты публикаций",
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = selectors.school_schedule(
            actor=self.actor,
            school_id=pk,
            campaign_id=int_param(request.query_params.get("campaign")),
        )
        rows = []
        for row in plan.rows:
            work = row.work
            rows.append(
                {
                    "work": work.pk,
                    "subject_name": work.subject.name,
                    "grade": work.grade,
                    "encrypted_archive": work.encrypted_archive,
                    "period_start": work.period_start,
                    "period_end": work.period_end,
                    "recommended_dates": row.recommended,
                    "chosen_date": row.chosen_date,
                    "is_reserve_day": row.is_reserve,
                    **dataclasses.asdict(row.instants),
                    "reserve_days": row.requests,
                }
            )
        data = {"school": plan.school.pk, "time_zone": plan.zone, "campaign": plan.campaign}
        data["works"] = rows
        return Response(s.SchoolScheduleOutputSerializer(data).data)


class SchoolDateListApi(_ListApi):
    """Schools' chosen days in scope; a school sets its day for a work (POST)."""

    scoped_model = SchoolWorkDate
    method_actions = {"GET": A.VIEW_SCHEDULE, "POST": A.EDIT_SCHEDULE}
    serializer_class = s.SchoolDateOutputSerializer

    def get_queryset(self) -> QuerySet[SchoolWorkDate]:
        params = self.request.query_params
        campaign = selectors.campaign_chosen(
            actor=self.actor, campaign_id=int_param(params.get("campaign"), name="campaign")
        )
        return selectors.school_date_list(
            actor=self.actor,
            campaign_id=campaign.pk if campaign else None,
            work_id=int_param(params.get("work"), name="work"),
            school_id=int_param(params.get("school")),
        )

    @extend_schema(
        parameters=[
            _CAMPAIGN,
            OpenApiParameter("work", int, description="Работа"),
            OpenApiParameter("school", int, description="ОО"),
        ],
        responses=s.SchoolDateOutputSerializer(many=True),
        operation_id="school_dates_list",
        summary="Дни проведения в ОО",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.SchoolDateInputSerializer,
        responses={200: s.SchoolDateOutputSerializer, **_ERRORS},
        summary="Выбрать день проведения (внутри периода или согласованный резервный день)",
    )
    def post(self, request: Request) -> Response:
        data = s.SchoolDateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        row = services.school_date_set(
            actor=self.actor,
            school_id=v["school"],
            work_id=v["work"],
            day=v["date"],
        )
        return Response(s.SchoolDateOutputSerializer(row).data)


class SchoolDateMoveApi(_Api):
    """A school's municipal or regional coordinator moves its day, with a reason (ADR 0014)."""

    scoped_model = SchoolWorkDate
    method_actions = {"POST": A.MOVE_SCHOOL_DAY}

    @extend_schema(
        request=s.SchoolDateMoveInputSerializer,
        responses={200: s.SchoolDateOutputSerializer, **_ERRORS},
        summary="Перенести день проведения в ОО (координатор, с причиной; до открытия пароля)",
    )
    def post(self, request: Request) -> Response:
        data = s.SchoolDateMoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        row = services.school_date_move(
            actor=self.actor,
            school_id=v["school"],
            work_id=v["work"],
            day=v["date"],
            reason=v["reason"],
        )
        return Response(s.SchoolDateOutputSerializer(row).data)


class ReserveDayListApi(_ListApi):
    """Reserve-day requests in scope; a school asks for one (POST)."""

    scoped_model = ReserveDayRequest
    method_actions = {"GET": A.VIEW_RESERVE_DAYS, "POST": A.REQUEST_RESERVE_DAY}
    serializer_class = s.ReserveDayOutputSerializer

    def get_queryset(self) -> QuerySet[ReserveDayRequest]:
        params = self.request.query_params
        decision = choice_param(  # an unknown decision is a 400, not every request
            params.get("decision"), name="decision", choices=ReserveDayRequest.Status.values
        )
        return selectors.reserve_day_list(
            actor=self.actor,
            status=decision or "",
            campaign_id=int_param(params.get("campaign"), name="campaign"),
            school_id=int_param(params.get("school")),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("campaign", int, description="Кампания"),
            OpenApiParameter("school", int, description="ОО"),
            OpenApiParameter(
                "decision", str, enum=list(ReserveDayRequest.Status.values), description="Решение"
            ),
        ],
        responses=s.ReserveDayOutputSerializer(many=True),
        operation_id="reserve_days_list",
        summary="Запросы резервных дней",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.ReserveDayInputSerializer,
        responses={201: s.ReserveDayOutputSerializer, **_ERRORS},
        summary="Запросить резервный день (день вне периода; решает региональный координатор)",
    )
    def post(self, request: Request) -> Response:
        data = s.ReserveDayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        req = services.reserve_day_request(
            actor=self.actor,
            school_id=v["school"],
            work_id=v["work"],
            day=v["requested_date"],
            reason=v["reason"],
        )
        return Response(s.ReserveDayOutputSerializer(req).data, status=status.HTTP_201_CREATED)


class ReserveDayDetailApi(_Api):
    scoped_model = ReserveDayRequest
    method_actions = {"GET": A.VIEW_RESERVE_DAYS}

    @extend_schema(responses={200: s.ReserveDayOutputSerializer, **_ERRORS}, summary="Запрос")
    def get(self, request: Request, pk: int) -> Response:
        req = selectors.reserve_day_get(actor=self.actor, request_id=pk)
        return Response(s.ReserveDayOutputSerializer(req).data)


class ReserveDecisionApi(_Api):
    """The regional coordinator of the school's region approves or rejects a request."""

    scoped_model = ReserveDayRequest
    method_actions = {"POST": A.DECIDE_RESERVE_DAY}

    @extend_schema(
        request=s.ReserveDecisionInputSerializer,
        responses={200: s.ReserveDayOutputSerializer, **_ERRORS},
        summary="Решение по запросу резервного дня (региональный координатор)",
    )
    def post(self, request: Request) -> Response:
        data = s.ReserveDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        req = services.reserve_day_decide(
            actor=self.actor,
            request_id=v["request"],
            verdict=v["verdict"],
            comment=v["comment"],
        )
        return Response(s.ReserveDayOutputSerializer(req).data)
