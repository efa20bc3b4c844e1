"""The federal operator's builds page in the API: variant generation and archive builds.

``GET /api/v1/materials/builds/`` lists the works with their build progress (the page's
filters, sort and 400 on an unknown value); ``GET /api/v1/materials/builds/{work_id}/`` is one
work's progress, the status route of its builds; ``POST`` there runs the page's buttons through
the same services (``op``: ``generate`` composes the kits and queues their archives, ``build``
queues the missing ones, ``retry`` the failed ones, ``rebuild`` all, ``cancel`` drops the
waiting ones), each audited as on the page. Archive builds are background jobs, one per kit:
the answer is 202 with the number queued, and the client polls the status route until
``waiting`` is 0 (each job is also at ``GET /api/v1/jobs/{id}/``).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api_errors import ErrorSerializer
from apps.materials import listings, selectors, services
from apps.materials.models import Kit
from apps.registration.access import A, Actor, ScopedAPIMixin

OPS = ("generate", "build", "retry", "rebuild", "cancel")


class BuildRegionSerializer(serializers.Serializer[Any]):
    region_id = serializers.IntegerField()
    name = serializers.CharField()
    total = serializers.IntegerField()
    ready = serializers.IntegerField()
    failed = serializers.IntegerField()


class BuildOutputSerializer(serializers.Serializer[Any]):
    work = serializers.DictField(help_text="id, предмет, класс, год и сессия кампании")
    status = serializers.ChoiceField(choices=list(selectors.BUILD_STATUSES.items()))
    total = serializers.IntegerField(help_text="Комплектов сформировано")
    ready = serializers.IntegerField(help_text="Архивов собрано")
    failed = serializers.IntegerField(help_text="Ошибок сборки")
    percent = serializers.IntegerField()
    applied = serializers.IntegerField(help_text="ОО, подавших заявку на работу")
    waiting = serializers.IntegerField(help_text="Сборок в очереди или выполняется")
    unqueued = serializers.IntegerField(help_text="Комплектов, сборка которых не запрошена")
    bank_empty = serializers.BooleanField()
    publication_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField(help_text="Не собрано к дате публикации")
    regions = BuildRegionSerializer(many=True)
    url = serializers.CharField(help_text="Адрес состояния сборки этой работы")


class BuildInputSerializer(serializers.Serializer[Any]):
    op = serializers.ChoiceField(
        choices=OPS,
        help_text="generate — сформировать варианты и поставить сборку; build — собрать "
        "несобранные; retry — повторить ошибки; rebuild — пересобрать всё; cancel — отменить "
        "ожидающие сборки",
    )
    region = serializers.IntegerField(
        required=False, allow_null=True, help_text="Только комплекты этого региона"
    )


class BuildActionOutputSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    op = serializers.CharField()
    created = serializers.IntegerField(help_text="Комплектов сформировано (generate)")
    existing = serializers.IntegerField(help_text="Комплектов уже было (generate)")
    queued = serializers.IntegerField(help_text="Сборок архивов поставлено в очередь")
    cancelled = serializers.IntegerField(help_text="Ожидающих сборок отменено (cancel)")
    progress = BuildOutputSerializer()


def _progress_data(
    progress: selectors.BuildProgress, state: selectors.BuildState
) -> dict[str, Any]:
    work = progress.work
    return {
        "work": {
            "id": work.pk,
            "subject": work.subject.name,
            "grade": work.grade,
            "year": work.campaign.year,
            "session": work.campaign.session,
        },
        "status": progress.status,
        "total": progress.total,
        "ready": progress.ready,
        "failed": progress.failed,
        "percent": progress.percent,
        "applied": state.applied,
        "waiting": state.waiting,
        "unqueued": state.unqueued,
        "bank_empty": state.bank_empty,
        "publication_at": state.publication_at,
        "overdue": state.overdue,
        "regions": progress.regions,
        "url": reverse("api-material-build", kwargs={"work_id": work.pk}),
    }


def work_build_data(actor: Actor, work_id: int) -> dict[str, Any]:
    work = selectors.work_get(actor=actor, work_id=work_id, action=A.GENERATE_MATERIALS)
    progress = selectors.build_progress(actor=actor, work=work)
    return _progress_data(progress, selectors.build_state(actor=actor, work=work))


class BuildListApi(ScopedAPIMixin, GenericAPIView):  # type: ignore[type-arg]
    """The works with their build progress, filtered, sorted and paged as on the page."""

    scoped_model = Kit
    method_actions = {"GET": A.GENERATE_MATERIALS}

    @extend_schema(
        parameters=[
            OpenApiParameter("campaign", int, description="Кампания (id)"),
            OpenApiParameter("subject", int, description="Предмет (id)"),
            OpenApiParameter("grade", str, description="Класс"),
            OpenApiParameter(
                "status", str, enum=list(selectors.BUILD_STATUSES), description="Состояние"
            ),
            OpenApiParameter("sort", str, description="work, percent, total, failed (-: убыв.)"),
        ],
        responses={200: BuildOutputSerializer(many=True), 400: ErrorSerializer},
        summary="Сборка материалов: работы и их готовность",
    )
    def get(self, request: Request) -> Response:
        listing = listings.build_listing(request._request)
        works = listings.filtered_works(
            actor=self.actor, listing=listing, action=A.GENERATE_MATERIALS
        )
        progress = selectors.build_overview(actor=self.actor, works=works)
        if wanted := listing.filters["status"]:
            progress = [p for p in progress if p.status == wanted]
        page = self.paginate_queryset(listing.order(progress))
        rows = list(page if page is not None else progress)
        states = selectors.build_states(actor=self.actor, works=[p.work for p in rows])
        data = [_progress_data(p, states[p.work.pk]) for p in rows]
        return self.get_paginated_response(data) if page is not None else Response(data)


class BuildApi(ScopedAPIMixin, GenericAPIView):  # type: ignore[type-arg]
    """One work's build progress (the status route of its builds); POST runs an action."""

    scoped_model = Kit
    method_actions = {"GET": A.GENERATE_MATERIALS, "POST": A.GENERATE_MATERIALS}
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        responses={200: BuildOutputSerializer, 404: ErrorSerializer},
        summary="Готовность материалов работы (состояние сборки)",
    )
    def get(self, request: Request, work_id: int) -> Response:
        return Response(work_build_data(self.actor, work_id))

    @extend_schema(
        request=BuildInputSerializer,
        responses={
            202: BuildActionOutputSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        summary="Сформировать варианты, запустить, повторить или отменить сборку архивов",
    )
    def post(self, request: Request, work_id: int) -> Response:
        # Scope first: an invisible work is 404 whatever the body says.
        selectors.work_get(actor=self.actor, work_id=work_id, action=A.GENERATE_MATERIALS)
        data = BuildInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        op = data.validated_data["op"]
        region_id = data.validated_data.get("region")
        ids: dict[str, Any] = {"actor": self.actor, "work_id": work_id, "region_id": region_id}
        out = {"op": op, "created": 0, "existing": 0, "queued": 0, "cancelled": 0}
        if op == "generate":
            result = services.kits_generate(**ids)
            out |= {"created": result.created, "existing": result.existing}
            out["queued"] = services.kit_build_request(**ids)
            out["detail"] = (
                f"Сформировано комплектов: {result.created} (уже были: {result.existing}); "
                f"в очередь сборки поставлено архивов: {out['queued']}."
            )
        elif op == "cancel":
            out["cancelled"] = services.kit_build_cancel(**ids)
            out["detail"] = f"Отменено ожидающих сборок: {out['cancelled']}."
        else:
            out["queued"] = services.kit_build_request(
                **ids, retry_failed=op == "retry", force=op == "rebuild"
            )
            out["detail"] = f"В очередь сборки поставлено архивов: {out['queued']}."
        out["progress"] = work_build_data(self.actor, work_id)
        return Response(out, status=status.HTTP_202_ACCEPTED)
