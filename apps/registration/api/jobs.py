"""The status of background jobs: ``GET /api/v1/jobs/`` and ``GET /api/v1/jobs/{id}/``.

Long actions of the API (an archive build, a reminder mailing, ...) answer 202 with the jobs
they queued; a client polls this route until ``status`` is ``done`` or ``failed``. A job is
seen through ``Job.objects.for_actor`` like every tenant object (out of scope: 404); the list
holds only the caller's own jobs. A job's output is never served here: each kind has its own
download route behind its own gates.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_errors import ErrorSerializer
from apps.core.listing import PAGE_SIZE
from apps.core.models import Job
from apps.registration.access import A, Actor, ScopedAPIMixin

# The list is newest first and capped: a client polls the jobs a request gave it by id.
JOB_LIST_LIMIT = PAGE_SIZE * 4


class JobOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="Тип задания (например, kit_build, results_remind)")
    status = serializers.ChoiceField(choices=Job.Status.choices)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    attempts = serializers.IntegerField()
    finished = serializers.BooleanField(help_text="Задание завершено (готово или с ошибкой)")
    error = serializers.CharField(
        allow_blank=True, help_text="Текст ошибки (только для запустившего задание)"
    )
    url = serializers.CharField(help_text="Адрес этого состояния для опроса")


def job_data(actor: Actor, job: Job) -> dict[str, Any]:
    """What a client may know of a job: never its output path or parameters."""
    own = actor.user is not None and job.actor_id == actor.user.pk
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
        "attempts": job.attempts,
        "finished": job.status in (Job.Status.DONE, Job.Status.FAILED),
        "error": job.error if own else "",
        "url": reverse("api-job-detail", kwargs={"pk": job.pk}),
    }


def jobs_data(actor: Actor, job_ids: list[int]) -> list[dict[str, Any]]:
    """The states of the given jobs the actor can see (for the answer of a long action)."""
    jobs = Job.objects.for_actor(actor, A.VIEW_JOB).filter(pk__in=job_ids).order_by("pk")
    return [job_data(actor, job) for job in jobs]


class JobDetailApi(ScopedAPIMixin, APIView):
    """One background job's state."""

    scoped_model = Job
    method_actions = {"GET": A.VIEW_JOB}

    @extend_schema(
        responses={200: JobOutputSerializer, 404: ErrorSerializer},
        summary="Состояние фонового задания",
    )
    def get(self, request: Request, pk: int) -> Response:
        job = self.get_queryset().get(pk=pk)
        return Response(job_data(self.actor, job))


class JobListApi(ScopedAPIMixin, APIView):
    """The caller's own jobs, newest first (``?kind=`` narrows to one kind)."""

    scoped_model = Job
    method_actions = {"GET": A.VIEW_JOB}

    @extend_schema(
        responses={200: JobOutputSerializer(many=True)},
        summary="Мои фоновые задания",
    )
    def get(self, request: Request) -> Response:
        jobs = self.get_queryset().filter(actor=request.user).order_by("-created_at", "-pk")
        if kind := request.query_params.get("kind", "").strip():
            jobs = jobs.filter(kind=kind[:64])
        return Response([job_data(self.actor, job) for job in jobs[:JOB_LIST_LIMIT]])
