"""The class register's API: a school's classes (list, create, change, remove), its xlsx file
(template, upload, apply, discard) and the coordinators' summary of their unit."""

from __future__ import annotations

import io
from typing import Any

from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.classes.actions import ClassActions as A
from apps.classes.models import MAX_CLASS_NUMBER, MAX_PUPILS, ClassWork, SchoolClass
from apps.classes.register import selectors, services
from apps.classes.register.exports import register_template, summary_workbook
from apps.classes.register.imports import CLASS_REGISTER
from apps.classes.register.rules import ClassInput
from apps.classes.selectors import school_get
from apps.core.api import XLSX_RESPONSE, XlsxRenderer
from apps.core.api_errors import ErrorSerializer
from apps.core.imports import DISCARD
from apps.core.models import ImportBatch
from apps.core.params import int_param
from apps.registration.access import ScopedAPIMixin
from apps.registration.import_views import ImportActionApi

_CAMPAIGN = OpenApiParameter("campaign", int, description="Кампания (id); по умолчанию — текущая")
_ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


# --- serializers --------------------------------------------------------------------------------


class RegisterClassWorkOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    work = serializers.IntegerField(source="work_id")
    subject = serializers.CharField(source="work.subject.name")
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=ClassWork.Source.choices,
        help_text="compulsory — обязательная; assigned — по распределению",
    )
    form = serializers.ChoiceField(choices=ClassWork.Form.choices)
    date = serializers.DateField(allow_null=True, help_text="День проведения (местный для ОО)")


class RegisterClassOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    campaign = serializers.IntegerField(source="campaign_id")
    school = serializers.IntegerField(source="school_id")
    grade = serializers.IntegerField(help_text="Параллель")
    letter = serializers.CharField(help_text="Литера")
    label = serializers.CharField(help_text="Класс, например «4А»")  # type: ignore[assignment]
    number = serializers.IntegerField(help_text="Порядковый номер класса (1–50)")
    pupils = serializers.IntegerField(help_text="Обучающихся")
    pupils_ovz = serializers.IntegerField(help_text="Из них с ОВЗ")
    works = RegisterClassWorkOutputSerializer(
        many=True, help_text="Работы класса (по распределению — после публикации)"
    )


class RegisterClassInputSerializer(serializers.Serializer[Any]):
    grade = serializers.IntegerField(help_text="Параллель (одна из параллелей кампании)")
    letter = serializers.CharField(max_length=8, help_text="Литера: «А», «Б», «1»…")
    number = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_CLASS_NUMBER,
        help_text="Порядковый номер класса; не указан — первый свободный в параллели",
    )
    pupils = serializers.IntegerField(min_value=1, max_value=MAX_PUPILS, help_text="Обучающихся")
    pupils_ovz = serializers.IntegerField(
        required=False, default=0, min_value=0, max_value=MAX_PUPILS, help_text="Из них с ОВЗ"
    )


class RegisterClassCreateInputSerializer(RegisterClassInputSerializer):
    campaign = serializers.IntegerField(
        required=False, allow_null=True, help_text="Кампания (id); по умолчанию — текущая"
    )


class RegisterCellSerializer(serializers.Serializer[Any]):
    classes = serializers.IntegerField()
    pupils = serializers.IntegerField()
    pupils_ovz = serializers.IntegerField()


class RegisterGradeCellSerializer(RegisterCellSerializer):
    grade = serializers.IntegerField()


class RegisterSummaryRowSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    upper_unit = serializers.CharField(
        source="municipality", help_text="Муниципалитет ОО или регион муниципалитета"
    )
    grades = RegisterGradeCellSerializer(many=True)
    total = RegisterCellSerializer()


class RegisterSummaryOutputSerializer(serializers.Serializer[Any]):
    campaign = serializers.IntegerField(allow_null=True)
    grades = serializers.ListField(child=serializers.IntegerField())
    total = RegisterCellSerializer()
    schools = RegisterSummaryRowSerializer(many=True)
    municipalities = RegisterSummaryRowSerializer(
        many=True, help_text="По муниципалитетам (для регионального и федерального уровня)"
    )


class ClassRegisterImportInputSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="Файл реестра классов (.xlsx)")
    campaign = serializers.IntegerField(
        required=False, allow_null=True, help_text="Кампания (id); по умолчанию — текущая"
    )
    apply = serializers.BooleanField(
        default=False, help_text="true — сразу применить; false — только предпросмотр"
    )


class ClassRegisterImportOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.CharField()
    original_name = serializers.CharField()
    preview = serializers.JSONField(
        allow_null=True,
        help_text="Классы: rows (добавлен / изменён / без изменений), removed, counts "
        "(null — загрузка другого вида)",
    )
    created_at = serializers.DateTimeField()
    applied_at = serializers.DateTimeField(allow_null=True)


# --- helpers ------------------------------------------------------------------------------------


def _class_data(row: selectors.ClassRow) -> dict[str, Any]:
    c = row.school_class
    return {
        "id": c.pk,
        "campaign_id": c.campaign_id,
        "school_id": c.school_id,
        "grade": c.grade,
        "letter": c.letter,
        "label": c.label,
        "number": c.number,
        "pupils": c.pupils,
        "pupils_ovz": c.pupils_ovz,
        "works": row.works,
    }


def _one(actor: Any, school_class: SchoolClass) -> dict[str, Any]:
    """A class as the API shows it, with the works the actor may see."""
    register = selectors.school_register(
        actor=actor, school_id=school_class.school_id, campaign_id=school_class.campaign_id
    )
    row = next(
        (r for r in register.rows if r.school_class.pk == school_class.pk),
        selectors.ClassRow(school_class),
    )
    return RegisterClassOutputSerializer(_class_data(row)).data


def _input(values: dict[str, Any]) -> ClassInput:
    return ClassInput(
        grade=values["grade"],
        letter=values["letter"],
        number=values.get("number"),
        pupils=values["pupils"],
        pupils_ovz=values.get("pupils_ovz") or 0,
    )


def _summary_row(row: selectors.SummaryRow, grades: list[int]) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "municipality": row.municipality,
        "grades": [
            {"grade": g, **vars(cell)} for g, cell in zip(grades, row.by_grade(grades), strict=True)
        ],
        "total": vars(row.total),
    }


class _Api(ScopedAPIMixin, APIView):
    scoped_model = SchoolClass


# --- classes ------------------------------------------------------------------------------------


class ClassListApi(_Api):
    """A school's classes of the campaign (GET); the school organizer adds one (POST)."""

    method_actions = {"GET": A.VIEW_CLASSES, "POST": A.EDIT_CLASSES}

    @extend_schema(
        summary="Классы ОО с их работами",
        parameters=[_CAMPAIGN],
        responses={200: RegisterClassOutputSerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request: Request, school_id: int) -> Response:
        register = selectors.school_register(
            actor=self.actor,
            school_id=school_id,
            campaign_id=int_param(request.query_params.get("campaign")),
        )
        return Response(
            RegisterClassOutputSerializer([_class_data(r) for r in register.rows], many=True).data
        )

    @extend_schema(
        summary="Добавить класс в реестр ОО (организатор ОО)",
        request=RegisterClassCreateInputSerializer,
        responses={201: RegisterClassOutputSerializer, **_ERRORS},
    )
    def post(self, request: Request, school_id: int) -> Response:
        school_get(actor=self.actor, school_id=school_id, action=A.EDIT_CLASSES)  # 404 first
        data = RegisterClassCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.class_create(
            actor=self.actor,
            school_id=school_id,
            data=_input(data.validated_data),
            campaign_id=data.validated_data.get("campaign"),
        )
        return Response(_one(self.actor, created), status=status.HTTP_201_CREATED)


class ClassDetailApi(_Api):
    """One class: read (GET), change (PATCH: only the given fields), remove (DELETE)."""

    method_actions = {"GET": A.VIEW_CLASSES, "PATCH": A.EDIT_CLASSES, "DELETE": A.EDIT_CLASSES}

    @extend_schema(
        summary="Класс", responses={200: RegisterClassOutputSerializer, 404: ErrorSerializer}
    )
    def get(self, request: Request, pk: int) -> Response:
        school_class = selectors.class_get(actor=self.actor, class_id=pk)
        return Response(_one(self.actor, school_class))

    @extend_schema(
        summary="Изменить класс (только указанные поля)",
        request=RegisterClassInputSerializer(partial=True),
        responses={200: RegisterClassOutputSerializer, **_ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        current = selectors.class_get(actor=self.actor, class_id=pk, action=A.EDIT_CLASSES)
        data = RegisterClassInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if not data.validated_data:
            return Response(_one(self.actor, current))  # nothing to change
        values: dict[str, Any] = {
            "grade": current.grade,
            "letter": current.letter,
            "number": current.number,
            "pupils": current.pupils,
            "pupils_ovz": current.pupils_ovz,
        }
        if data.validated_data.get("grade", current.grade) != current.grade:
            values["number"] = None  # a new parallel: the next free number unless given
        values.update(data.validated_data)
        saved = services.class_update(actor=self.actor, class_id=pk, data=_input(values))
        return Response(_one(self.actor, saved))

    @extend_schema(
        summary="Убрать класс из реестра (пока ни у одной работы нет даты)",
        responses={204: None, **_ERRORS},
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.class_remove(actor=self.actor, class_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the register file --------------------------------------------------------------------------


class RegisterTemplateApi(_Api):
    """The school's register as the xlsx file the upload takes back."""

    method_actions = {"GET": A.VIEW_CLASSES}
    renderer_classes = [JSONRenderer, XlsxRenderer]

    @extend_schema(
        summary="Скачать реестр классов ОО (xlsx)",
        parameters=[_CAMPAIGN],
        responses={200: XLSX_RESPONSE, 404: ErrorSerializer},
    )
    def get(self, request: Request, school_id: int) -> FileResponse:
        register = selectors.school_register(
            actor=self.actor,
            school_id=school_id,
            campaign_id=int_param(request.query_params.get("campaign")),
        )
        content, filename = register_template(register)
        return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename)


class RegisterUploadApi(ScopedAPIMixin, APIView):
    """Upload the school's register file: checked whole, previewed, applied on request."""

    scoped_model = ImportBatch
    method_actions = {"POST": A.EDIT_CLASSES}
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Загрузить реестр классов ОО (xlsx): предпросмотр или сразу применить",
        request={"multipart/form-data": ClassRegisterImportInputSerializer},
        responses={201: ClassRegisterImportOutputSerializer, **_ERRORS},
    )
    def post(self, request: Request, school_id: int) -> Response:
        school_get(actor=self.actor, school_id=school_id, action=A.EDIT_CLASSES)  # 404 first
        data = ClassRegisterImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        upload = values["file"]
        batch = services.class_register_import_upload(
            actor=self.actor,
            school_id=school_id,
            campaign_id=values.get("campaign"),
            name=upload.name or "",
            file=upload,
            size=upload.size or 0,
        )
        if values["apply"]:
            batch = services.class_register_import_apply(actor=self.actor, batch_id=batch.pk).batch
        return Response(
            ClassRegisterImportOutputSerializer(batch).data, status=status.HTTP_201_CREATED
        )


class RegisterImportDetailApi(ScopedAPIMixin, APIView):
    """One register upload with its preview (what will change, or what changed)."""

    scoped_model = ImportBatch
    method_actions = {"GET": A.EDIT_CLASSES}

    @extend_schema(
        summary="Загрузка реестра классов: предпросмотр и состояние",
        responses={200: ClassRegisterImportOutputSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        batch = self.get_queryset().get(pk=pk)  # DoesNotExist: 404 outside the scope
        data = dict(ClassRegisterImportOutputSerializer(batch).data)
        if not CLASS_REGISTER.owns(batch):  # as the page: another kind's preview is not shown
            data["preview"] = None
        return Response(data)


class RegisterApplyApi(ImportActionApi):
    """Apply a previewed register upload."""

    kind = CLASS_REGISTER


class RegisterDiscardApi(ImportActionApi):
    """Discard a previewed register upload."""

    kind = CLASS_REGISTER
    operation = DISCARD


# --- the summary --------------------------------------------------------------------------------


def _summary(request: Request, actor: Any) -> selectors.Summary:
    return selectors.register_summary(
        actor=actor, campaign_id=int_param(request.query_params.get("campaign"))
    )


class SummaryApi(_Api):
    """Classes and pupils (ОВЗ) per grade for each school (and municipality) of the unit."""

    method_actions = {"GET": A.VIEW_CLASSES}

    @extend_schema(
        summary="Классы и обучающиеся по параллелям: ОО и муниципалитеты подразделения",
        parameters=[_CAMPAIGN],
        responses={200: RegisterSummaryOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        summary = _summary(request, self.actor)
        grades = summary.grades
        data = {
            "campaign": summary.campaign.pk if summary.campaign else None,
            "grades": grades,
            "total": vars(summary.total),
            "schools": [_summary_row(r, grades) for r in summary.schools],
            "municipalities": [_summary_row(r, grades) for r in summary.municipalities],
        }
        return Response(RegisterSummaryOutputSerializer(data).data)


class SummaryExportApi(_Api):
    """The same summary as an xlsx file."""

    method_actions = {"GET": A.VIEW_CLASSES}
    renderer_classes = [JSONRenderer, XlsxRenderer]

    @extend_schema(
        summary="Классы и обучающиеся по параллелям (xlsx)",
        parameters=[_CAMPAIGN],
        responses={200: XLSX_RESPONSE},
    )
    def get(self, request: Request) -> FileResponse:
        content, filename = summary_workbook(_summary(request, self.actor))
        return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename)
