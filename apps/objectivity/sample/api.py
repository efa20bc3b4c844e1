"""The API of the federal sample: draw (POST) and list the samples, one sample with its strata
and cases (the federal side); the federal cases the actor sees (a school its own, a coordinator
its unit's); publish the federal scores of a case as the school's official results."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_errors import ErrorSerializer
from apps.objectivity.actions import ObjectivityActions as OA  # noqa: N817
from apps.objectivity.models import FederalSample, ReviewCase
from apps.objectivity.sample import selectors, services
from apps.registration.access import ScopedAPIMixin

_ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class StratumSerializer(serializers.Serializer[Any]):
    region = serializers.IntegerField(help_text="Регион (id)")
    region_code = serializers.CharField()
    region_name = serializers.CharField()
    population = serializers.IntegerField(help_text="ОО участвуют в работе (есть комплект)")
    drawn = serializers.IntegerField(help_text="ОО выбрано")


class WorkStrataSerializer(serializers.Serializer[Any]):
    work = serializers.IntegerField(help_text="Работа (id)")
    work_title = serializers.CharField()
    population = serializers.IntegerField()
    drawn = serializers.IntegerField()
    regions = StratumSerializer(many=True)


class SampleSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    campaign = serializers.IntegerField(help_text="Кампания (id)")
    seed = serializers.IntegerField(
        help_text="Зерно выборки: те же параметры и зерно — та же выборка"
    )
    share = serializers.CharField(help_text="Доля ОО в регионе, %")
    min_per_region = serializers.IntegerField(help_text="Не меньше ОО на регион")
    works = serializers.ListField(child=serializers.IntegerField(), help_text="Работы (id)")
    drawn_at = serializers.DateTimeField(help_text="Когда проведена (UTC)")


class SampleDetailSerializer(SampleSerializer):
    strata = WorkStrataSerializer(many=True)


class SampleDrawInputSerializer(serializers.Serializer[Any]):
    campaign = serializers.IntegerField(help_text="Кампания (id)")
    works = serializers.ListField(
        child=serializers.IntegerField(), help_text="Работы кампании (id)", allow_empty=True
    )
    share = serializers.DecimalField(
        max_digits=6, decimal_places=3, help_text="Доля ОО в каждом регионе, % (0 < доля ≤ 100)"
    )
    min_per_region = serializers.IntegerField(help_text="Не меньше ОО на регион (0–1000)")
    seed = serializers.IntegerField(
        required=False, allow_null=True, help_text="Зерно; не указано — новое случайное"
    )


class FederalCaseSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    sample = serializers.IntegerField(allow_null=True, help_text="Выборка (id)")
    work = serializers.IntegerField(help_text="Работа (id)")
    work_title = serializers.CharField()
    school = serializers.IntegerField(help_text="ОО (id)")
    school_code = serializers.CharField()
    region = serializers.IntegerField()
    municipality = serializers.IntegerField()
    status = serializers.CharField(help_text="requested, scanned, marking, marked, closed")
    status_label = serializers.CharField()
    published_at = serializers.DateTimeField(
        allow_null=True, help_text="Когда федеральные баллы стали официальными (UTC)"
    )


class PublishOutputSerializer(serializers.Serializer[Any]):
    case = FederalCaseSerializer()
    version = serializers.IntegerField(help_text="Номер новой (текущей) версии результатов ОО")
    participants = serializers.IntegerField()
    absent = serializers.IntegerField()


def _sample(sample: FederalSample, *, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": sample.pk,
        "campaign": sample.campaign_id,
        "seed": sample.seed,
        "share": str(sample.params.get("share", "")),
        "min_per_region": int(sample.params.get("min_per_region", 0)),
        "works": list(sample.params.get("works", [])),
        "drawn_at": sample.created_at,
    }
    if detail:
        data["strata"] = [
            {
                "work": w.work.pk,
                "work_title": f"{w.work.subject.name}, {w.work.grade} класс",
                "population": w.population,
                "drawn": w.drawn,
                "regions": [
                    {
                        "region": r.region_id,
                        "region_code": r.region_code,
                        "region_name": r.region_name,
                        "population": r.population,
                        "drawn": r.drawn,
                    }
                    for r in w.rows
                ],
            }
            for w in selectors.sample_strata(sample=sample)
        ]
    return data


def _case(case: ReviewCase) -> dict[str, Any]:
    work = case.review.work
    return {
        "id": case.pk,
        "sample": case.review.sample_id,
        "work": work.pk,
        "work_title": f"{work.subject.name}, {work.grade} класс",
        "school": case.school_id,
        "school_code": case.school.code,
        "region": case.region_id,
        "municipality": case.municipality_id,
        "status": case.status,
        "status_label": case.get_status_display(),
        "published_at": case.published_at,
    }


class SamplesApi(ScopedAPIMixin, APIView):
    """The federal samples (GET) and a new draw (POST): the federal side only."""

    scoped_model = FederalSample
    method_actions = {"GET": OA.DRAW_SAMPLE, "POST": OA.DRAW_SAMPLE}

    @extend_schema(summary="Федеральные выборки ОО", responses={200: SampleSerializer(many=True)})
    def get(self, request: Request) -> Response:
        rows = selectors.sample_list(actor=self.actor)
        return Response(SampleSerializer([_sample(s) for s in rows], many=True).data)

    @extend_schema(
        summary="Провести федеральную выборку ОО (страты — регионы, с зерном)",
        request=SampleDrawInputSerializer,
        responses={201: SampleDetailSerializer, **_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = SampleDrawInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sample = services.sample_draw(
            actor=self.actor,
            campaign_id=data.validated_data["campaign"],
            work_ids=data.validated_data["works"],
            share=data.validated_data["share"],
            min_per_region=data.validated_data["min_per_region"],
            seed=data.validated_data.get("seed"),
        )
        return Response(
            SampleDetailSerializer(_sample(sample, detail=True)).data,
            status=status.HTTP_201_CREATED,
        )


class SampleApi(ScopedAPIMixin, APIView):
    """One sample with its strata per work and region (the federal side)."""

    scoped_model = FederalSample
    method_actions = {"GET": OA.DRAW_SAMPLE}

    @extend_schema(
        summary="Федеральная выборка: параметры и страты",
        responses={200: SampleDetailSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, sample_id: int) -> Response:
        sample = selectors.sample_get(actor=self.actor, sample_id=sample_id)
        return Response(SampleDetailSerializer(_sample(sample, detail=True)).data)


class SampleCasesApi(ScopedAPIMixin, APIView):
    """The schools of one sample with the state of their federal checking (the federal side)."""

    scoped_model = FederalSample
    method_actions = {"GET": OA.DRAW_SAMPLE}

    @extend_schema(
        summary="ОО федеральной выборки",
        responses={200: FederalCaseSerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request: Request, sample_id: int) -> Response:
        sample = selectors.sample_get(actor=self.actor, sample_id=sample_id)
        rows = selectors.federal_cases(actor=self.actor, sample_id=sample.pk, action=OA.DRAW_SAMPLE)
        return Response(FederalCaseSerializer([_case(c) for c in rows], many=True).data)


class FederalCasesApi(ScopedAPIMixin, APIView):
    """The works checked federally as the actor sees them: a school its own (never the other
    schools of the sample), a coordinator its unit's schools, the federal side all."""

    scoped_model = ReviewCase
    method_actions = {"GET": OA.VIEW_REVIEWS}

    @extend_schema(
        summary="Работы на федеральной проверке (ВПР с контролем объективности)",
        responses={200: FederalCaseSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.federal_cases(actor=self.actor)
        return Response(FederalCaseSerializer([_case(c) for c in rows], many=True).data)


class FederalPublishApi(ScopedAPIMixin, APIView):
    """The federal scores of a sampled school's work become its official results."""

    scoped_model = ReviewCase
    method_actions = {"POST": OA.PUBLISH_FEDERAL}

    @extend_schema(
        summary="Сделать федеральные баллы официальными результатами ОО",
        request=None,
        responses={200: PublishOutputSerializer, **_ERRORS},
    )
    def post(self, request: Request, case_id: int) -> Response:
        published = services.federal_publish(actor=self.actor, case_id=case_id)
        case = selectors.case_get(actor=self.actor, case_id=case_id, action=OA.PUBLISH_FEDERAL)
        return Response(
            PublishOutputSerializer(
                {
                    "case": _case(case),
                    "version": published.version_number,
                    "participants": published.participants,
                    "absent": published.absent,
                }
            ).data
        )
