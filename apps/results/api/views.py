"""REST endpoints of results. Every one is a ScopedAPIMixin with an action per method.

``POST /api/v1/schools/{school_id}/results/{work_id}/`` takes the filled form (multipart, field
``file``; ``dry_run=true`` only checks it). A refused file answers 400 with every error as
``{row, column, message}``; a closed window answers 409; nothing is stored on either.
"""

from __future__ import annotations

import io
from typing import Any

from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_errors import ErrorSerializer
from apps.core.params import int_param
from apps.core.uploads import UploadError, file_error
from apps.registration.access import A, Actor, ScopedAPIMixin
from apps.registration.api.jobs import jobs_data
from apps.registration.models import School
from apps.results import selectors as sel
from apps.results import services
from apps.results.api import serializers as s
from apps.results.messages import DroppedParticipantsError, ResultsInvalidError
from apps.results.models import ResultSheet, ResultVersion, Source
from apps.results.views import read_upload

_TRUE = {"1", "true", "yes", "on"}


def version_data(version: ResultVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    changes = version.changes or {}
    return {
        "id": version.pk,
        "number": version.number,
        "uploaded_at": version.uploaded_at,
        "uploaded_by": getattr(version.uploaded_by, "username", None),
        "source": version.source,
        "file_sha256": version.file_sha256,
        "participants": version.participants,
        "absent": version.absent,
        "late": version.late,
        "changes": {key: changes.get(key, 0) for key in ("added", "changed", "removed")},
        "checked_by": dict(version.checked_by or {}),
        "observer": version.observer_id,
        "observer_name": version.observer_name,
    }


class _Scoped(ScopedAPIMixin, APIView):
    """Errors are answered by the one handler (core.drf): a closed window 409, a bad file 400."""


def state_data(actor: Actor, school_id: int, work_id: int) -> dict[str, Any]:
    school = sel.school_get(actor=actor, school_id=school_id)
    work = sel.work_get(actor=actor, work_id=work_id)
    sheet = sel.sheet_get(actor=actor, school_id=school.pk, work_id=work.pk)
    window = sel.upload_window(actor=actor, school=school, work=work, sheet=sheet)
    versions = list(sel.version_list(actor=actor, sheet=sheet)) if sheet is not None else []
    return {
        "school": {"id": school.pk, "code": school.code, "short_name": school.short_name},
        "work": {
            "id": work.pk,
            "subject": work.subject.name,
            "grade": work.grade,
            "year": work.campaign.year,
        },
        "held_on": window.held_on,
        "form_at": window.form_at,
        "opens_at": window.opens_at,
        "deadline_at": window.deadline_at,
        "reopened_until": window.reopened_until,
        "upload_open": window.is_open(sel.now()),
        "current_version": version_data(sheet.current_version if sheet is not None else None),
        "versions": [version_data(v) for v in versions],
        "federal_since": sheet.federal_since if sheet is not None else None,
    }


class SchoolWorkResultsApi(_Scoped):
    """The results of a school × work: GET the state and versions, POST a filled form."""

    scoped_model = School
    method_actions = {"GET": A.VIEW_RESULTS, "POST": A.UPLOAD_RESULTS}
    parser_classes = [MultiPartParser, FormParser]
    # POST needs the file: without one it answers 400 («Приложите файл…») once the school and
    # the work are found in the caller's scope (see the closing note on the scoping contract).
    body_required_methods = frozenset({"POST"})

    @extend_schema(
        responses=s.ResultsStateOutputSerializer,
        summary="Состояние загрузки результатов ОО по работе",
    )
    def get(self, request: Request, school_id: int, work_id: int) -> Response:
        return Response(state_data(self.actor, school_id, work_id))

    @extend_schema(
        request={"multipart/form-data": s.ResultsUploadInputSerializer},
        responses={
            201: s.ResultsUploadOutputSerializer,
            200: s.ResultsUploadOutputSerializer,
            400: ErrorSerializer,
            409: ErrorSerializer,
        },
        summary="Загрузить (или только проверить) заполненную форму сбора результатов",
    )
    def post(self, request: Request, school_id: int, work_id: int) -> Response:
        # Scope first: an invisible school or work is 404 whatever the body says.
        sel.school_work_check(
            actor=self.actor, school_id=school_id, work_id=work_id, action=A.UPLOAD_RESULTS
        )
        upload = request.FILES.get("file")
        if upload is None:
            raise file_error(ResultsInvalidError("file_missing").message)
        content = read_upload(upload)
        dry_run = str(request.POST.get("dry_run", "")).strip().lower() in _TRUE
        if dry_run:
            try:
                checked = services.results_check(
                    actor=self.actor, school_id=school_id, work_id=work_id, content=content
                )
            except UploadError as exc:
                raise UploadError(exc.errors, code="upload_check_failed") from exc
            if checked.errors:
                raise UploadError(checked.errors, code="upload_check_failed")
            dropped = services.results_dropped_codes(
                actor=self.actor, school_id=school_id, work_id=work_id, checked=checked
            )
            detail = "Ошибок нет: файл можно загрузить."
            if dropped:
                detail += (
                    f" {DroppedParticipantsError(dropped).message} "
                    "Для загрузки передайте confirm_dropped=true."
                )
            return Response(
                {
                    "detail": detail,
                    "dropped_codes": dropped,
                    "dry_run": True,
                    "unchanged": False,
                    "participants": len(checked.rows),
                    "unused_codes": checked.unused_codes,
                    "version": None,
                }
            )
        # UploadError 400 (every error by row and column); ResultsError 409 (closed window);
        # DroppedParticipantsError 409 with context.dropped_codes until confirm_dropped=true
        accepted = services.results_upload(
            actor=self.actor,
            school_id=school_id,
            work_id=work_id,
            content=content,
            filename=upload.name or "",
            source=Source.API,
            confirm_dropped=str(request.POST.get("confirm_dropped", "")).strip().lower() in _TRUE,
            observer_id=_observer_id(request.POST.get("observer")),
        )
        detail = (
            f"Файл совпадает с принятой версией {accepted.version.number}: изменений нет."
            if accepted.unchanged
            else f"Результаты приняты: версия {accepted.version.number}."
        )
        if accepted.own_only:
            detail += (
                " Официальные результаты этой работы — баллы федеральной проверки: загруженные "
                "баллы сохранены как баллы ОО рядом с ними."
            )
        return Response(
            {
                "detail": detail,
                "dry_run": False,
                "unchanged": accepted.unchanged,
                "participants": accepted.version.participants + accepted.version.absent,
                "unused_codes": accepted.unused_codes,
                "version": version_data(accepted.version),
                "own_only": accepted.own_only,
            },
            status=status.HTTP_200_OK if accepted.unchanged else status.HTTP_201_CREATED,
        )


def _observer_id(raw: Any) -> int | None:
    """The ``observer`` field: empty is none; anything but an id is refused as unknown."""
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return int_param(text)
    except ValueError:
        raise ResultsInvalidError("observer_unknown") from None


class ResultsFormApi(_Scoped):
    """The school's blank results form (xlsx, codes prefilled), once published."""

    scoped_model = School
    method_actions = {"GET": A.UPLOAD_RESULTS}

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): (
                OpenApiResponse(description="Форма сбора результатов (.xlsx)")
            ),
            409: ErrorSerializer,
        },
        summary="Скачать форму сбора результатов",
    )
    def get(self, request: Request, school_id: int, work_id: int) -> Any:
        out = services.results_form_download(actor=self.actor, school_id=school_id, work_id=work_id)
        response = FileResponse(io.BytesIO(out.content), as_attachment=True, filename=out.name)
        response["Cache-Control"] = "private, no-store"
        return response


class ResultVersionApi(_Scoped):
    """One accepted version and its changes against the previous one (or ``?against=<n>``)."""

    scoped_model = ResultVersion
    method_actions = {"GET": A.VIEW_RESULTS}

    @extend_schema(
        responses=s.ResultsDiffOutputSerializer, summary="Версия результатов и изменения"
    )
    def get(self, request: Request, pk: int) -> Response:
        version = sel.version_get(actor=self.actor, version_id=pk)
        against = None
        number = int_param(request.query_params.get("against"))
        if number is not None:
            against = (
                sel.version_list(actor=self.actor, sheet=version.sheet)
                .filter(number=number)
                .exclude(pk=version.pk)
                .first()
            )
            if against is not None:
                against = sel.version_get(actor=self.actor, version_id=against.pk)
        base, changes = sel.version_diff(actor=self.actor, version=version, against=against)
        return Response(
            {
                "version": version_data(version),
                "against": base.number if base is not None else None,
                "added": changes.added,
                "removed": changes.removed,
                "changed": [
                    {"code": c.code, "column": c.column, "old": c.old, "new": c.new}
                    for c in changes.changed
                ],
            }
        )


def expert_entry_data(actor: Actor, desk: sel.ExpertDesk) -> dict[str, Any]:
    def person(p: Any) -> dict[str, Any]:
        return {"id": p.pk, "full_name": p.full_name}

    spec = desk.spec
    return {
        "expert": person(desk.expert) if desk.expert is not None else None,
        "experts": [person(p) for p in desk.experts],
        "on_behalf": desk.on_behalf,
        "opens_at": desk.window.opens_at,
        "closes_at": desk.window.closes_at,
        "open": desk.window.is_open(sel.now()),
        "headers": list(spec.headers[: spec.col_mark]),
        "columns": [{"label": c.label, "max_score": c.max_score} for c in spec.columns],
        "codes": list(desk.codes),
        "rows": sel.expert_cells(actor=actor, desk=desk) if desk.expert is not None else [],
    }


class ExpertEntryApi(_Scoped):
    """An expert's rows of a school × work: GET them, PUT them into the school's draft (only
    inside the checking window, only the codes given to the expert). The organizer names the
    expert (``?expert=<id>`` or ``expert`` in the body); only the organizer submits results."""

    scoped_model = School
    method_actions = {"GET": A.ENTER_SCORES, "PUT": A.ENTER_SCORES}
    parser_classes = [JSONParser]
    body_required_methods = frozenset({"PUT"})

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "expert", int, description="Организатор ОО: id эксперта", required=False
            )
        ],
        responses=s.ExpertEntryOutputSerializer,
        summary="Работы эксперта на проверку и внесённые баллы",
    )
    def get(self, request: Request, school_id: int, work_id: int) -> Response:
        desk = sel.expert_desk(
            actor=self.actor,
            school_id=school_id,
            work_id=work_id,
            expert_id=int_param(request.query_params.get("expert")),
        )
        return Response(expert_entry_data(self.actor, desk))

    @extend_schema(
        request=s.ExpertEntryInputSerializer,
        responses={
            200: s.ExpertEntryOutputSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        summary="Внести баллы эксперта в черновик результатов ОО",
    )
    def put(self, request: Request, school_id: int, work_id: int) -> Response:
        # Scope first: an invisible school or work is 404 whatever the body says.
        sel.school_work_check(
            actor=self.actor, school_id=school_id, work_id=work_id, action=A.ENTER_SCORES
        )
        data = s.ExpertEntryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        expert_id = data.validated_data.get("expert")
        if expert_id is None:
            expert_id = int_param(request.query_params.get("expert"))
        services.results_expert_save(
            actor=self.actor,
            school_id=school_id,
            work_id=work_id,
            cells=[[str(v) for v in line] for line in data.validated_data["rows"]],
            expert_id=expert_id,
        )
        desk = sel.expert_desk(
            actor=self.actor, school_id=school_id, work_id=work_id, expert_id=expert_id
        )
        return Response(expert_entry_data(self.actor, desk))


class ResultsReopenApi(_Scoped):
    """A coordinator reopens uploads of a school × work after the deadline (the service of the
    page's «Открыть приём»): the same checks, the same ``results.reopen`` audit row."""

    scoped_model = School
    method_actions = {"POST": A.REOPEN_RESULTS}
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        request=s.ReopenInputSerializer,
        responses={
            201: s.ReopenOutputSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        summary="Открыть приём результатов ОО по работе после срока",
    )
    def post(self, request: Request, school_id: int, work_id: int) -> Response:
        # Scope first: an invisible school or work is 404 whatever the body says.
        sel.school_work_check(
            actor=self.actor, school_id=school_id, work_id=work_id, action=A.REOPEN_RESULTS
        )
        data = s.ReopenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reopen = services.results_reopen(
            actor=self.actor,
            school_id=school_id,
            work_id=work_id,
            until_day=data.validated_data["until"],
            reason=data.validated_data["reason"],
        )
        return Response(
            {
                "id": reopen.pk,
                "school": school_id,
                "work": work_id,
                "until_day": reopen.until_day,
                "until_at": reopen.until_at,
                "reason": reopen.reason,
                "detail": f"Приём результатов открыт до конца дня {reopen.until_day:%d.%m.%Y}.",
            },
            status=status.HTTP_201_CREATED,
        )


class ResultsRemindApi(_Scoped):
    """E-mail every school of the actor's scope (or of the region/municipality given) that has
    not uploaded the work's results: the mailing is a background job (202 with the job)."""

    scoped_model = ResultSheet
    method_actions = {"POST": A.REMIND_RESULTS}
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        request=s.RemindInputSerializer,
        responses={
            202: s.RemindOutputSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary="Напомнить ОО, не загрузившим результаты (фоновое задание)",
    )
    def post(self, request: Request) -> Response:
        data = s.RemindInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        out = services.results_remind(
            actor=self.actor,
            work_id=data.validated_data["work"],
            region_id=data.validated_data.get("region"),
            municipality_id=data.validated_data.get("municipality"),
        )
        text = f"Напоминания поставлены в очередь отправки: {out.queued}."
        if out.without_email:
            text += f" Без адреса электронной почты: {out.without_email}."
        return Response(
            {
                "detail": text,
                "queued": out.queued,
                "without_email": out.without_email,
                "job": jobs_data(self.actor, [out.job_id])[0],
            },
            status=status.HTTP_202_ACCEPTED,
        )


def _entry_data(actor: Actor, school_id: int, work_id: int) -> dict[str, Any]:
    school = sel.school_get(actor=actor, school_id=school_id, action=A.UPLOAD_RESULTS)
    work = sel.work_get(actor=actor, work_id=work_id, action=A.UPLOAD_RESULTS)
    spec = sel.form_spec(actor=actor, school=school, work=work, action=A.UPLOAD_RESULTS)
    cells, draft = sel.entry_cells(actor=actor, school=school, work=work, spec=spec)
    return {
        "headers": list(spec.headers[: spec.col_mark]),
        "rows": cells,
        "draft": draft is not None,
    }


class ResultsEntryApi(_Scoped):
    """The browser results table (for small schools) without a file: GET the table (the saved
    draft, else the accepted results, else the issued codes), PUT saves a draft, POST checks
    (``dry_run``) or submits it — the page's services, rules and audit rows."""

    scoped_model = School
    method_actions = {"GET": A.UPLOAD_RESULTS, "PUT": A.UPLOAD_RESULTS, "POST": A.UPLOAD_RESULTS}
    parser_classes = [JSONParser]

    @extend_schema(
        responses={200: s.EntryOutputSerializer, 404: ErrorSerializer},
        summary="Таблица ввода результатов в браузере",
    )
    def get(self, request: Request, school_id: int, work_id: int) -> Response:
        return Response(_entry_data(self.actor, school_id, work_id))

    @extend_schema(
        request=s.EntryInputSerializer,
        responses={
            200: s.EntryOutputSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        summary="Сохранить черновик таблицы результатов (результаты не загружаются)",
    )
    def put(self, request: Request, school_id: int, work_id: int) -> Response:
        sel.school_work_check(
            actor=self.actor, school_id=school_id, work_id=work_id, action=A.UPLOAD_RESULTS
        )
        data = s.EntryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.results_draft_save(
            actor=self.actor,
            school_id=school_id,
            work_id=work_id,
            cells=data.validated_data["rows"],
        )
        return Response(_entry_data(self.actor, school_id, work_id))

    @extend_schema(
        request=s.EntrySubmitInputSerializer,
        responses={
            201: s.ResultsUploadOutputSerializer,
            200: s.ResultsUploadOutputSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        summary="Проверить или загрузить таблицу результатов",
    )
    def post(self, request: Request, school_id: int, work_id: int) -> Response:
        sel.school_work_check(
            actor=self.actor, school_id=school_id, work_id=work_id, action=A.UPLOAD_RESULTS
        )
        data = s.EntrySubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        ids = {"school_id": school_id, "work_id": work_id, "cells": values["rows"]}
        if values["dry_run"]:
            checked = services.results_entry_check(actor=self.actor, **ids)
            if checked.errors:
                raise UploadError(checked.errors, code="upload_check_failed")
            return Response(
                {
                    "detail": f"Ошибок нет: участников {len(checked.rows)}. Можно загрузить.",
                    "dry_run": True,
                    "unchanged": False,
                    "participants": len(checked.rows),
                    "unused_codes": checked.unused_codes,
                    "version": None,
                }
            )
        # UploadError 400; ResultsError 409 (closed window); DroppedParticipantsError 409
        accepted = services.results_entry_submit(
            actor=self.actor,
            confirm_dropped=values["confirm_dropped"],
            observer_id=values.get("observer"),
            **ids,
        )
        return Response(
            {
                "detail": f"Результаты приняты: версия {accepted.version.number}.",
                "dry_run": False,
                "unchanged": accepted.unchanged,
                "participants": accepted.version.participants + accepted.version.absent,
                "unused_codes": accepted.unused_codes,
                "version": version_data(accepted.version),
                "own_only": accepted.own_only,
            },
            status=status.HTTP_200_OK if accepted.unchanged else status.HTTP_201_CREATED,
        )
