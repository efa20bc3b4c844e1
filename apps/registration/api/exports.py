"""The xlsx list of a unit's schools as a background export, through the API.

The same service as the region's and the municipality's pages (``school_list_export_request``:
the job, its audit row, the task after commit): ``POST`` answers 202 with the job and its
status route (``Location``: ``GET /api/v1/jobs/{id}/``); once the job is ``done`` the file is
``GET /api/v1/exports/{id}/download/`` (the caller's own exports, the download audited, as
«Мои выгрузки»). The caller's exports are listed by ``GET /api/v1/jobs/?kind=school_list_export``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.files.storage import default_storage
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import XLSX_RESPONSE, XlsxRenderer
from apps.core.api_errors import ErrorSerializer
from apps.core.models import Job
from apps.registration import selectors, services
from apps.registration.access import A, ScopedAPIMixin
from apps.registration.api.jobs import JobOutputSerializer, job_data
from apps.registration.models import Municipality, Region


class _SchoolListExportApi(ScopedAPIMixin, APIView):
    """Queue the xlsx list of the schools of the unit in the URL (202 with the job)."""

    method_actions = {"POST": A.EXPORT_SCHOOLS}
    unit_kwarg: ClassVar[str]

    def post(self, request: Request, pk: int) -> Response:
        # DoesNotExist (404) for a unit outside the caller's scope, as on the page
        job = services.school_list_export_request(actor=self.actor, **{self.unit_kwarg: pk})
        response = Response(job_data(self.actor, job), status=status.HTTP_202_ACCEPTED)
        response["Location"] = reverse("api-job-detail", kwargs={"pk": job.pk})
        return response


_EXPORT_SCHEMA: dict[str, Any] = {
    "request": None,
    "responses": {202: JobOutputSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
}


class RegionSchoolExportApi(_SchoolListExportApi):
    scoped_model = Region
    unit_kwarg = "region_id"

    @extend_schema(summary="Выгрузить список ОО региона (xlsx, в фоне)", **_EXPORT_SCHEMA)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class MunicipalitySchoolExportApi(_SchoolListExportApi):
    scoped_model = Municipality
    unit_kwarg = "municipality_id"

    @extend_schema(summary="Выгрузить список ОО муниципалитета (xlsx, в фоне)", **_EXPORT_SCHEMA)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class ExportDownloadApi(ScopedAPIMixin, APIView):
    """A finished school-list export of the caller's (404 while it is not ready)."""

    scoped_model = Job
    method_actions = {"GET": A.VIEW_JOB}
    renderer_classes = [JSONRenderer, XlsxRenderer]

    @extend_schema(
        summary="Скачать готовую выгрузку списка ОО",
        responses={200: XLSX_RESPONSE, 404: ErrorSerializer},
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        job = selectors.export_job_get(actor=self.actor, job_id=pk)  # DoesNotExist: 404
        if not job.output:
            raise Job.DoesNotExist
        services.job_download_record(actor=self.actor, job=job)
        name = f"Список ОО {job.params.get('title', '')}".strip() + ".xlsx"
        return FileResponse(
            default_storage.open(job.output, "rb"), as_attachment=True, filename=name
        )
