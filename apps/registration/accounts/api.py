"""REST endpoints for accounts: coordinators, coordinator files (preview → apply), credentials,
technical specialists. Every endpoint taking an id is a ScopedAPIMixin over that id's model.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_errors import ErrorSerializer
from apps.core.drf import BoundedJSONParser
from apps.core.imports import DISCARD, ImportOutcome
from apps.core.models import ImportBatch, Job
from apps.core.uploads import looks_like_formula
from apps.registration.access import A, ScopedAPIMixin
from apps.registration.accounts import selectors as sel
from apps.registration.accounts import services as svc
from apps.registration.accounts.rules import AccountFileKind, account_template_xlsx
from apps.registration.import_views import ImportActionApi, ImportOutcomeSerializer
from apps.registration.messages import text
from apps.registration.models import CredentialsFile, Municipality, Region, School, User

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
APPLY_QUEUED = "Файл принят; изменения вносятся. Состояние — по ссылке Location."


# --- serializers ------------------------------------------------------------------------------


def _no_formula(value: str) -> None:
    # A DRF validator: only raising matters, a returned value is discarded.
    if looks_like_formula(value):
        raise serializers.ValidationError("Значение не может начинаться со знака «=».")


class PersonInputSerializer(serializers.Serializer[Any]):
    full_name = serializers.CharField(max_length=300, validators=[_no_formula])
    position = serializers.CharField(max_length=300, validators=[_no_formula])
    phone = serializers.CharField(max_length=50, validators=[_no_formula])
    email = serializers.EmailField(max_length=254)


class CoordinatorInputSerializer(PersonInputSerializer):
    region_id = serializers.IntegerField()
    replace = serializers.BooleanField(
        default=False,
        help_text="true — назначается другой человек (прежняя учётная запись отключается); "
        "false — обновляются данные того же человека.",
    )


class AccountOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    position = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    is_active = serializers.BooleanField()
    must_change_password = serializers.BooleanField()
    last_login = serializers.DateTimeField(allow_null=True)


class CoordinatorOutputSerializer(serializers.Serializer[Any]):
    login = serializers.CharField(help_text="Логин подразделения")
    account = AccountOutputSerializer(allow_null=True)


class AccountWriteOutputSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=["created", "replaced", "updated", "unchanged"])
    account = AccountOutputSerializer(allow_null=True)
    credentials_id = serializers.IntegerField(
        allow_null=True, help_text="Файл с паролем: GET /api/v1/credentials/{id}/download/"
    )


class CredentialsOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    logins = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    downloaded_at = serializers.DateTimeField(allow_null=True)


class ImportInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=[k.value for k in AccountFileKind])
    unit_id = serializers.IntegerField(
        help_text="Регион (муниципальные координаторы) или муниципалитет (организаторы ОО)"
    )
    file = serializers.FileField()


class ApplyJobOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=Job.Status.choices,
        help_text="queued — в очереди, running — выполняется, done — готово, failed — ошибка",
    )
    error = serializers.CharField(allow_blank=True, help_text="Причина ошибки (если failed)")
    updated_at = serializers.DateTimeField()


class ImportOutputSerializer(serializers.ModelSerializer[ImportBatch]):
    credentials_id = serializers.SerializerMethodField()
    apply_job = serializers.SerializerMethodField(
        help_text="Фоновое применение загрузки (null — применение не запрашивалось)"
    )

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "status",
            "original_name",
            "preview",
            "created_at",
            "applied_at",
            "credentials_id",
            "apply_job",
        ]

    def get_credentials_id(self, obj: ImportBatch) -> int | None:
        cf = sel.credentials_for_batch(actor=self.context["actor"], batch=obj)
        return cf.pk if cf else None

    @extend_schema_field(ApplyJobOutputSerializer(allow_null=True))
    def get_apply_job(self, obj: ImportBatch) -> dict[str, Any] | None:
        jobs = self.context.get("apply_jobs")
        if jobs is not None:  # a list serializes with the jobs read in one query
            job = jobs.get(obj.pk)
        else:
            job = sel.account_import_apply_job(actor=self.context["actor"], batch=obj)
        return ApplyJobOutputSerializer(job).data if job is not None else None


class SpecialistInputSerializer(PersonInputSerializer):
    school_id = serializers.IntegerField()


class DoneOutputSerializer(serializers.Serializer[Any]):
    done = serializers.BooleanField(help_text="false — ничего не сделано (причина в detail)")
    detail = serializers.CharField()
    credentials_id = serializers.IntegerField(allow_null=True)


class AccountImportOutcomeSerializer(ImportOutcomeSerializer):
    credentials_id = serializers.IntegerField(
        allow_null=True,
        help_text="Файл с новыми паролями: GET /api/v1/credentials/{id}/download/ (null — нет)",
    )
    apply_job = ApplyJobOutputSerializer(
        allow_null=True, help_text="Фоновое применение загрузки (null — не запрашивалось)"
    )


def _account(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return AccountOutputSerializer(user).data


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


class _Scoped(ScopedAPIMixin, APIView):
    """Turns an invisible object into 404 the DRF way."""

    def _ctx(self) -> dict[str, Any]:
        return {"actor": self.actor, "request": self.request}


# --- regional coordinator ---------------------------------------------------------------------


class RegionCoordinatorApi(_Scoped):
    """The coordinator of a region (federal operator)."""

    scoped_model = Region
    method_actions = {"GET": A.MANAGE_REGIONAL_COORDINATOR}

    @extend_schema(responses=CoordinatorOutputSerializer, summary="Региональный координатор")
    def get(self, request: Request, pk: int) -> Response:
        account = sel.regional_coordinator_get(actor=self.actor, region_id=pk)
        return Response({"login": account.login, "account": _account(account.user)})


class RegionalCoordinatorSetApi(_Scoped):
    """Create, update or replace the coordinator of the region named in the body."""

    scoped_model = Region
    method_actions = {"POST": A.MANAGE_REGIONAL_COORDINATOR}

    @extend_schema(
        request=CoordinatorInputSerializer,
        responses={200: AccountWriteOutputSerializer, 400: ErrorSerializer},
        summary="Назначить, обновить или заменить регионального координатора",
    )
    def post(self, request: Request) -> Response:
        data = CoordinatorInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        result = svc.regional_coordinator_set(
            actor=self.actor,
            region_id=v["region_id"],
            person=svc.Person(v["full_name"], v["position"], v["phone"], v["email"]),
            replace=v["replace"],
        )
        return Response(
            {
                "outcome": result.outcome,
                "account": _account(result.user),
                "credentials_id": result.credentials.pk if result.credentials else None,
            }
        )


class _ReissueApi(_Scoped):
    @extend_schema(
        request=None,
        responses=DoneOutputSerializer,
        summary="Выдать новый одноразовый пароль учётной записи подразделения",
    )
    def post(self, request: Request, pk: int) -> Response:
        cf = svc.account_reissue(
            actor=self.actor,
            model=self.scoped_model,  # type: ignore[arg-type]
            unit_id=pk,
        )
        if cf is None:
            return Response(
                {
                    "done": False,
                    "detail": "У подразделения нет действующей учётной записи.",
                    "credentials_id": None,
                }
            )
        return Response(
            {"done": True, "detail": "Выдан новый одноразовый пароль.", "credentials_id": cf.pk}
        )


class RegionCoordinatorReissueApi(_ReissueApi):
    scoped_model = Region
    method_actions = {"POST": A.MANAGE_REGIONAL_COORDINATOR}


class MunicipalityCoordinatorReissueApi(_ReissueApi):
    scoped_model = Municipality
    method_actions = {"POST": A.MANAGE_MUNICIPAL_COORDINATORS}


class SchoolOrganizerReissueApi(_ReissueApi):
    scoped_model = School
    method_actions = {"POST": A.MANAGE_SCHOOL_ORGANIZERS}


# --- templates --------------------------------------------------------------------------------


class _TemplateApi(_Scoped):
    kind: ClassVar[AccountFileKind]

    @extend_schema(
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY)},
        summary="Шаблон xlsx для загрузки учётных записей",
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        unit = svc.import_unit_get(actor=self.actor, kind=self.kind, unit_id=pk)
        accounts = sel.unit_accounts_list(actor=self.actor, kind=self.kind, unit_id=pk)
        code = svc.unit_login(unit) if isinstance(unit, Region) else unit.code
        content = account_template_xlsx(
            kind=self.kind, unit_code=code, unit_name=unit.name, rows=sel.template_rows(accounts)
        )
        return _xlsx(content, f"{self.kind.label} {code}.xlsx")


class MunicipalCoordinatorsTemplateApi(_TemplateApi):
    scoped_model = Region
    method_actions = {"GET": A.MANAGE_MUNICIPAL_COORDINATORS}
    kind = AccountFileKind.MUNICIPAL_COORDINATORS


class SchoolOrganizersTemplateApi(_TemplateApi):
    scoped_model = Municipality
    method_actions = {"GET": A.MANAGE_SCHOOL_ORGANIZERS}
    kind = AccountFileKind.SCHOOL_ORGANIZERS


# --- uploads ----------------------------------------------------------------------------------


class AccountImportListApi(_Scoped):
    """The caller's uploads of coordinator files; POST uploads one and returns its preview."""

    scoped_model = ImportBatch
    method_actions = {"GET": A.IMPORT_ACCOUNTS, "POST": A.IMPORT_ACCOUNTS}
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=ImportOutputSerializer(many=True), summary="Мои загрузки")
    def get(self, request: Request) -> Response:
        batches = list(sel.account_import_list(actor=self.actor)[:100])
        jobs = sel.account_import_apply_jobs(actor=self.actor, batches=batches)
        ctx = {**self._ctx(), "apply_jobs": jobs}
        return Response(ImportOutputSerializer(batches, many=True, context=ctx).data)

    @extend_schema(
        request={"multipart/form-data": ImportInputSerializer},
        responses={201: ImportOutputSerializer, 400: ErrorSerializer},
        summary="Загрузить файл (предпросмотр изменений)",
    )
    def post(self, request: Request) -> Response:
        data = ImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        kind = AccountFileKind(data.validated_data["kind"])
        if not self.actor.can(svc.import_action(kind)):
            raise PermissionDenied("У вас нет прав на это действие.")
        batch = svc.account_import_upload(
            actor=self.actor,
            kind=kind,
            unit_id=data.validated_data["unit_id"],
            name=upload.name or "",
            file=upload,
            size=upload.size or 0,
        )
        return Response(
            ImportOutputSerializer(batch, context=self._ctx()).data, status=status.HTTP_201_CREATED
        )


class AccountImportDetailApi(_Scoped):
    scoped_model = ImportBatch
    method_actions = {"GET": A.IMPORT_ACCOUNTS}

    @extend_schema(responses=ImportOutputSerializer, summary="Предпросмотр загрузки")
    def get(self, request: Request, pk: int) -> Response:
        batch = sel.account_import_get(actor=self.actor, batch_id=pk)
        return Response(ImportOutputSerializer(batch, context=self._ctx()).data)


class _AccountImportActionApi(ImportActionApi):
    """Apply or discard an upload of either coordinator file (the kind is the batch's)."""

    method_actions = {"POST": A.IMPORT_ACCOUNTS}
    output_serializer = AccountImportOutcomeSerializer

    def outcome_data(self, outcome: ImportOutcome) -> Any:
        """The base shape with the upload as it is now, its passwords file and its apply job."""
        batch = sel.account_import_get(actor=self.actor, batch_id=outcome.batch.pk)
        credentials = sel.credentials_for_batch(actor=self.actor, batch=batch)
        job = sel.account_import_apply_job(actor=self.actor, batch=batch)
        now = ImportOutcome(batch, outcome.done, outcome.message)
        return {
            **ImportOutcomeSerializer(now).data,
            "credentials_id": credentials.pk if credentials else None,
            "apply_job": ApplyJobOutputSerializer(job).data if job is not None else None,
        }


class AccountImportApplyApi(_AccountImportActionApi):
    """Apply an upload in the background (a job per upload; asking twice applies it once).

    200 — finished within the request (``done`` true: applied, ``credentials_id`` names the
    passwords file; false: nothing done, reason in ``message``); 202 — queued or running: poll
    ``Location`` (the upload) until its ``status`` is ``applied`` or ``apply_job.status`` is
    ``failed`` (reason in ``apply_job.error``; nothing changed); 409 — the preview is stale
    (``import_stale``) or the apply failed (``accounts_apply_failed``).
    """

    @extend_schema(
        request=None,
        responses={
            200: AccountImportOutcomeSerializer,
            202: AccountImportOutcomeSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        summary="Применить загрузку в фоне (повторное применение ничего не меняет)",
    )
    def post(self, request: Request, pk: int) -> Response:
        # ImportStaleError (409) when the accounts changed since the preview
        asked = svc.account_import_apply_request(actor=self.actor, batch_id=pk)
        if asked.job is None:
            return Response(self.outcome_data(ImportOutcome(asked.batch, False, asked.refusal)))
        job = sel.account_import_apply_job(actor=self.actor, batch=asked.batch)
        if job is not None and job.status == Job.Status.FAILED:
            return Response(
                {"detail": job.error, "code": "accounts_apply_failed"},
                status=status.HTTP_409_CONFLICT,
            )
        if job is not None and job.status == Job.Status.DONE:
            credentials = sel.credentials_for_batch(actor=self.actor, batch=asked.batch)
            done = ImportOutcome(asked.batch, True, svc.apply_message(credentials))
            return Response(self.outcome_data(done))
        queued = ImportOutcome(asked.batch, False, APPLY_QUEUED)
        response = Response(self.outcome_data(queued), status=status.HTTP_202_ACCEPTED)
        response["Location"] = reverse("api-account-import-detail", args=[pk])
        return response


class AccountImportDiscardApi(_AccountImportActionApi):
    operation = DISCARD

    @extend_schema(
        request=None,
        responses={200: AccountImportOutcomeSerializer, 404: ErrorSerializer},
        summary="Отменить загрузку",
    )
    def post(self, request: Request, pk: int) -> Response:
        outcome = svc.account_import_discard(actor=self.actor, batch_id=pk)
        return Response(self.outcome_data(outcome))


# --- credentials ------------------------------------------------------------------------------


class CredentialsListApi(_Scoped):
    scoped_model = CredentialsFile
    method_actions = {"GET": A.DOWNLOAD_CREDENTIALS}

    @extend_schema(responses=CredentialsOutputSerializer(many=True), summary="Мои файлы с паролями")
    def get(self, request: Request) -> Response:
        files = sel.credentials_list(actor=self.actor)[:100]
        return Response(CredentialsOutputSerializer(files, many=True).data)


class CredentialsDownloadApi(_Scoped):
    scoped_model = CredentialsFile
    method_actions = {"GET": A.DOWNLOAD_CREDENTIALS}

    @extend_schema(
        responses={
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY),
            410: ErrorSerializer,
        },
        summary="Скачать файл с паролями (один раз)",
    )
    def get(self, request: Request, pk: int) -> HttpResponse | Response:
        # CredentialsGoneError (410) once downloaded or expired
        name, content = svc.credentials_download(actor=self.actor, credentials_id=pk)
        return _xlsx(content, name)


# --- technical specialists --------------------------------------------------------------------


class SpecialistListApi(_Scoped):
    scoped_model = School
    method_actions = {"GET": A.MANAGE_SPECIALISTS}

    @extend_schema(responses=AccountOutputSerializer(many=True), summary="Технические специалисты")
    def get(self, request: Request, pk: int) -> Response:
        _, active, _ = sel.specialist_list(actor=self.actor, school_id=pk)
        return Response(AccountOutputSerializer(active, many=True).data)


class SpecialistAddApi(_Scoped):
    """Add a technical specialist to the school named in the body (its organizer only)."""

    scoped_model = School
    method_actions = {"POST": A.MANAGE_SPECIALISTS}
    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=SpecialistInputSerializer,
        responses={201: AccountWriteOutputSerializer},
        summary="Добавить технического специалиста (логин <код ОО>_t<n>)",
    )
    def post(self, request: Request) -> Response:
        data = SpecialistInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        result = svc.specialist_add(
            actor=self.actor,
            school_id=v["school_id"],
            person=svc.Person(v["full_name"], v["position"], v["phone"], v["email"]),
        )
        return Response(
            {
                "outcome": result.outcome,
                "account": _account(result.user),
                "credentials_id": result.credentials.pk if result.credentials else None,
            },
            status=status.HTTP_201_CREATED,
        )


class SpecialistDisableApi(_Scoped):
    scoped_model = School
    method_actions = {"POST": A.MANAGE_SPECIALISTS}

    @extend_schema(
        request=None, responses=DoneOutputSerializer, summary="Отключить технического специалиста"
    )
    def post(self, request: Request, pk: int, user_id: int) -> Response:
        user = svc.specialist_disable(actor=self.actor, school_id=pk, user_id=user_id)
        if user is None:
            detail = text("specialist_not_found")
            return Response({"done": False, "detail": detail, "credentials_id": None})
        detail = f"Учётная запись {user.username} отключена."
        return Response({"done": True, "detail": detail, "credentials_id": None})


class SpecialistReissueApi(_Scoped):
    """A new one-time password for a technical specialist of the school (its organizer)."""

    scoped_model = School
    method_actions = {"POST": A.MANAGE_SPECIALISTS}

    @extend_schema(
        request=None,
        responses={200: DoneOutputSerializer, 404: ErrorSerializer},
        summary="Выдать техническому специалисту новый одноразовый пароль",
    )
    def post(self, request: Request, pk: int, user_id: int) -> Response:
        cf = svc.specialist_reissue(actor=self.actor, school_id=pk, user_id=user_id)
        if cf is None:
            detail = text("specialist_not_found")
            return Response({"done": False, "detail": detail, "credentials_id": None})
        detail = "Выдан новый одноразовый пароль; прежний больше не действует."
        return Response({"done": True, "detail": detail, "credentials_id": cf.pk})
