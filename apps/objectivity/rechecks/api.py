"""The API of the regional re-checks: the re-checks of a unit (list, open), the candidates of a
work (objectivity markers per school), a re-check with its cases, a case (comments, outcome),
the gap report (JSON, xlsx), the results with and without re-checked schools, and what a
school is asked for. Thin: serializers and one selector or service per method."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.analytics.models import WorkAggregate
from apps.core.api_errors import ErrorSerializer
from apps.core.downloads import private_download
from apps.core.params import int_param
from apps.objectivity.actions import ObjectivityActions as Obj
from apps.objectivity.models import Review, ReviewCase
from apps.objectivity.rechecks import report as gap
from apps.objectivity.rechecks import selectors, services, xlsx
from apps.objectivity.rechecks.messages import RecheckNotFoundError
from apps.registration.access import ScopedAPIMixin

_ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- serializers ------------------------------------------------------------------------------


class RecheckMarkerSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Код признака (docs/analytics-objectivity.md)")
    label = serializers.CharField()  # type: ignore[assignment]
    detail = serializers.CharField()


class RecheckCandidateSerializer(serializers.Serializer[Any]):
    school = serializers.IntegerField()
    school_name = serializers.CharField()
    school_code = serializers.CharField()
    participants = serializers.IntegerField(help_text="Участников, писавших работу")
    markers = RecheckMarkerSerializer(many=True)
    busy_in = serializers.CharField(
        allow_blank=True, help_text="Открытая перепроверка работы, в которой уже есть ОО"
    )


class RecheckWorkRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()


class RecheckCandidatesSerializer(serializers.Serializer[Any]):
    work = RecheckWorkRefSerializer(allow_null=True, help_text="null — работа не указана (?work=)")
    works = RecheckWorkRefSerializer(
        many=True, help_text="Работы, в которых участвуют ОО территории"
    )
    embargo_until = serializers.DateTimeField(
        allow_null=True, help_text="До публикации результатов признаки не показываются"
    )
    rows = RecheckCandidateSerializer(many=True)


class RecheckOpenSerializer(serializers.Serializer[Any]):
    work = serializers.IntegerField(help_text="Работа (id)")
    schools = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="ОО с признаками необъективности (id)",
    )
    random_count = serializers.IntegerField(
        required=False, default=0, min_value=0, help_text="Сколько ОО добавить случайным отбором"
    )
    seed = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, help_text="Зерно отбора"
    )
    double_share = serializers.IntegerField(required=False, default=20)
    threshold = serializers.IntegerField(required=False, default=0)
    title = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)


class RecheckCountsSerializer(serializers.Serializer[Any]):
    requested = serializers.IntegerField()
    scanned = serializers.IntegerField()
    marking = serializers.IntegerField()
    marked = serializers.IntegerField()
    closed = serializers.IntegerField()


class RecheckSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    work = RecheckWorkRefSerializer()
    unit = serializers.CharField(help_text="Кто проводит")
    status = serializers.CharField()
    seed = serializers.IntegerField()
    double_share = serializers.IntegerField()
    threshold = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    counts = RecheckCountsSerializer(help_text="Дел по состояниям")


class RecheckCaseSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    review = serializers.IntegerField()
    school = serializers.IntegerField()
    school_name = serializers.CharField()
    reason = serializers.CharField()
    flags = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
    status_label = serializers.CharField()
    outcome = serializers.CharField(allow_blank=True)
    scans = serializers.CharField(help_text="Состояние сканов ОО по работе")


class RecheckDetailSerializer(RecheckSerializer):
    cases = RecheckCaseSerializer(many=True)


class RecheckCommentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    author = serializers.CharField()
    role = serializers.CharField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class RecheckCaseDetailSerializer(RecheckCaseSerializer):
    work = RecheckWorkRefSerializer()
    review_title = serializers.CharField()
    unit = serializers.CharField()
    comments = RecheckCommentSerializer(many=True)


class RecheckCommentInputSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=services.COMMENT_MAX, allow_blank=True)


class RecheckCloseInputSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(
        choices=[o.value for o in services.OUTCOMES], help_text="Итог перепроверки"
    )
    comment = serializers.CharField(required=False, default="", allow_blank=True)


class RecheckTaskGapSerializer(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]
    max_score = serializers.IntegerField()
    compared = serializers.IntegerField()
    school_mean = serializers.FloatField(allow_null=True)
    commission_mean = serializers.FloatField(allow_null=True)
    difference = serializers.FloatField(allow_null=True, help_text="ОО − комиссия")
    school_higher = serializers.FloatField(
        allow_null=True, help_text="% участников, у которых ОО поставила больше"
    )


class RecheckMarkGapSerializer(serializers.Serializer[Any]):
    mark = serializers.IntegerField()
    school = serializers.IntegerField()
    commission = serializers.IntegerField()
    to_commission = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Строка матрицы переходов: участников с этой отметкой ОО и отметкой "
        "комиссии «2», «3», «4», «5»",
    )


class RecheckSchoolGapSerializer(serializers.Serializer[Any]):
    school = serializers.IntegerField()
    name = serializers.CharField()
    outcome = serializers.CharField(allow_blank=True)
    compared = serializers.IntegerField()
    mean_difference = serializers.FloatField(allow_null=True)
    lowered = serializers.FloatField(allow_null=True)
    raised = serializers.FloatField(allow_null=True)


class RecheckUnmatchedSerializer(serializers.Serializer[Any]):
    school = serializers.IntegerField()
    code = serializers.CharField()


class RecheckGapReportSerializer(serializers.Serializer[Any]):
    review = serializers.IntegerField()
    compared = serializers.IntegerField()
    tasks = RecheckTaskGapSerializer(many=True)
    marks = RecheckMarkGapSerializer(many=True)
    schools = RecheckSchoolGapSerializer(many=True)
    booklet_only = RecheckUnmatchedSerializer(many=True, help_text="Скан есть, строки ОО нет")
    school_only = RecheckUnmatchedSerializer(many=True, help_text="Строка ОО есть, скана нет")


class RecheckMarksRowSerializer(serializers.Serializer[Any]):
    level = serializers.CharField()
    name = serializers.CharField()
    is_self = serializers.BooleanField()
    schools = serializers.IntegerField(allow_null=True)
    participants = serializers.IntegerField()
    counts = serializers.ListField(child=serializers.IntegerField(), help_text="«2»..«5»")
    percents = serializers.ListField(child=serializers.FloatField(allow_null=True))


class RecheckVariantSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(allow_blank=True, help_text="'' | not_confirmed | rechecked")
    label = serializers.CharField()  # type: ignore[assignment]
    excluded = serializers.IntegerField(help_text="Исключено ОО")
    rows = RecheckMarksRowSerializer(many=True)


class RecheckWithWithoutSerializer(serializers.Serializer[Any]):
    aggregate = serializers.IntegerField()
    unit_name = serializers.CharField()
    embargo_until = serializers.DateTimeField(allow_null=True)
    variants = RecheckVariantSerializer(many=True)


class RecheckScanRequestSerializer(serializers.Serializer[Any]):
    case = serializers.IntegerField()
    work = RecheckWorkRefSerializer()
    kind = serializers.CharField()
    unit = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()


# --- data -------------------------------------------------------------------------------------


def _work(work: Any) -> dict[str, Any]:
    return {"id": work.pk, "title": str(work)}


def _counts(counts: dict[str, int]) -> dict[str, int]:
    return {s.value: counts.get(s.value, 0) for s in ReviewCase.Status}


def _review(review: Review, counts: dict[str, int], unit: str) -> dict[str, Any]:
    return {
        "id": review.pk,
        "title": review.title,
        "work": _work(review.work),
        "unit": unit,
        "status": review.status,
        "seed": review.seed,
        "double_share": review.double_share,
        "threshold": review.threshold,
        "created_at": review.created_at,
        "counts": _counts(counts),
    }


def _case(case: ReviewCase, scans: str) -> dict[str, Any]:
    return {
        "id": case.pk,
        "review": case.review_id,
        "school": case.school_id,
        "school_name": selectors.school_name(case.school),
        "reason": case.reason,
        "flags": list(case.flags),
        "status": case.status,
        "status_label": case.get_status_display(),
        "outcome": case.outcome,
        "scans": scans,
    }


def _detail(actor: Any, review: Review) -> dict[str, Any]:
    return {
        **_review(review, selectors.case_counts(review=review), selectors.unit_label(review)),
        "cases": [
            _case(c, selectors.case_scans(actor=actor, case=c).label)
            for c in selectors.review_cases(review=review)
        ],
    }


def _case_detail(actor: Any, case: ReviewCase) -> dict[str, Any]:
    return {
        **_case(case, selectors.case_scans(actor=actor, case=case).label),
        "work": _work(case.review.work),
        "review_title": case.review.title,
        "unit": selectors.unit_label(case.review),
        "comments": [
            {
                "id": c.pk,
                "author": c.author.get_full_name() or c.author.username,
                "role": c.role,
                "text": c.text,
                "created_at": c.created_at,
            }
            for c in selectors.case_comments(actor=actor, case=case)
        ],
    }


def gap_data(page: selectors.GapReportPage) -> dict[str, Any]:
    r: gap.GapReport = page.report
    return {
        "review": page.review.pk,
        "compared": r.compared,
        "tasks": [t.__dict__ for t in r.tasks],
        "marks": [
            {
                "mark": m.mark,
                "school": m.school,
                "commission": m.commission,
                "to_commission": [r.matrix[m.mark][c] for c in gap.MARKS],
            }
            for m in r.marks
        ],
        "schools": [{**s.__dict__, "school": s.school_id} for s in r.schools],
        "booklet_only": [{"school": u.school_id, "code": u.code} for u in r.booklet_only],
        "school_only": [{"school": u.school_id, "code": u.code} for u in r.school_only],
    }


# --- views ------------------------------------------------------------------------------------


class RecheckListApi(ScopedAPIMixin, APIView):
    """The re-checks of the unit and the units below (GET); open one (POST, a coordinator)."""

    scoped_model = Review
    method_actions = {"GET": Obj.VIEW_REVIEWS, "POST": Obj.MANAGE_REVIEWS}

    @extend_schema(
        summary="Перепроверки территории",
        parameters=[OpenApiParameter("work", int, required=False, description="Работа (id)")],
        responses={200: RecheckSerializer(many=True), **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.recheck_list(
            actor=self.actor, work_id=int_param(request.query_params.get("work"))
        )
        data = [_review(r.review, r.counts, r.unit) for r in rows]
        return Response(RecheckSerializer(data, many=True).data)

    @extend_schema(
        summary="Открыть перепроверку (ОО по признакам и/или случайный отбор)",
        request=RecheckOpenSerializer,
        responses={201: RecheckDetailSerializer, **_ERRORS},
    )
    def post(self, request: Request) -> Response:
        body = RecheckOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        review = services.recheck_open(
            actor=self.actor,
            work_id=v["work"],
            school_ids=v["schools"],
            random_count=v["random_count"],
            seed=v["seed"],
            double_share=v["double_share"],
            threshold=v["threshold"],
            title=v["title"],
        )
        review = selectors.review_get(actor=self.actor, review_id=review.pk)
        return Response(
            RecheckDetailSerializer(_detail(self.actor, review)).data,
            status=status.HTTP_201_CREATED,
        )


class RecheckCandidatesApi(ScopedAPIMixin, APIView):
    """The unit's schools taking part in a work with their objectivity markers."""

    scoped_model = Review
    method_actions = {"GET": Obj.MANAGE_REVIEWS}

    @extend_schema(
        summary="Кандидаты в перепроверку: ОО территории с признаками необъективности",
        parameters=[OpenApiParameter("work", int, required=False, description="Работа (id)")],
        responses={200: RecheckCandidatesSerializer, **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor = self.actor
        unit = actor.scope.level in selectors.UNIT_LEVELS
        works = selectors.works_for_unit(actor=actor) if unit else []
        work_id = int_param(request.query_params.get("work"), name="work")
        selectors.work_filter_check(actor=actor, work_id=work_id)  # an unknown work: 400
        data: dict[str, Any] = {
            "work": None,
            "works": [_work(w) for w in works],
            "embargo_until": None,
            "rows": [],
        }
        if work_id and unit:
            found = selectors.candidates(actor=actor, work_id=work_id)
            data.update(
                work=_work(found.work),
                embargo_until=found.embargo_until,
                rows=[
                    {
                        "school": c.school.pk,
                        "school_name": selectors.school_name(c.school),
                        "school_code": c.school.code,
                        "participants": c.participants,
                        "markers": [m.__dict__ for m in c.markers],
                        "busy_in": c.busy_in,
                    }
                    for c in found.rows
                ],
            )
        return Response(RecheckCandidatesSerializer(data).data)


class RecheckDetailApi(ScopedAPIMixin, APIView):
    scoped_model = Review
    method_actions = {"GET": Obj.VIEW_REVIEWS}

    @extend_schema(
        summary="Перепроверка и её дела",
        responses={200: RecheckDetailSerializer, **_ERRORS},
    )
    def get(self, request: Request, review_id: int) -> Response:
        review = selectors.review_get(actor=self.actor, review_id=review_id)
        return Response(RecheckDetailSerializer(_detail(self.actor, review)).data)


class GapReportApi(ScopedAPIMixin, APIView):
    scoped_model = Review
    method_actions = {"GET": Obj.VIEW_RECHECK_REPORT}

    @extend_schema(
        summary="Расхождения баллов ОО и комиссии (по заданиям, отметкам, ОО)",
        responses={200: RecheckGapReportSerializer, **_ERRORS},
    )
    def get(self, request: Request, review_id: int) -> Response:
        page = selectors.gap_report(actor=self.actor, review_id=review_id)
        return Response(RecheckGapReportSerializer(gap_data(page)).data)


class GapReportXlsxApi(ScopedAPIMixin, APIView):
    scoped_model = Review
    method_actions = {"GET": Obj.VIEW_RECHECK_REPORT}

    @extend_schema(
        summary="Расхождения баллов ОО и комиссии (xlsx)",
        responses={
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="Отчёт (xlsx)"),
            **_ERRORS,
        },
    )
    def get(self, request: Request, review_id: int) -> FileResponse:
        page = selectors.gap_report(actor=self.actor, review_id=review_id)
        return private_download(xlsx.gap_workbook(page), xlsx.file_name(page), XLSX)


class CaseApi(ScopedAPIMixin, APIView):
    scoped_model = ReviewCase
    method_actions = {"GET": Obj.VIEW_REVIEWS}

    @extend_schema(
        summary="Дело: ОО в перепроверке", responses={200: RecheckCaseDetailSerializer, **_ERRORS}
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get(actor=self.actor, case_id=case_id)
        return Response(RecheckCaseDetailSerializer(_case_detail(self.actor, case)).data)


class CaseCommentApi(ScopedAPIMixin, APIView):
    scoped_model = ReviewCase
    method_actions = {"POST": Obj.COMMENT_CASES}

    @extend_schema(
        summary="Добавить комментарий к делу",
        request=RecheckCommentInputSerializer,
        responses={201: RecheckCaseDetailSerializer, **_ERRORS},
    )
    def post(self, request: Request, case_id: int) -> Response:
        selectors.case_get(actor=self.actor, case_id=case_id, action=Obj.COMMENT_CASES)  # 404
        body = RecheckCommentInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.case_comment_add(
            actor=self.actor, case_id=case_id, text=body.validated_data["text"]
        )
        case = selectors.case_get(actor=self.actor, case_id=case_id)
        return Response(
            RecheckCaseDetailSerializer(_case_detail(self.actor, case)).data,
            status=status.HTTP_201_CREATED,
        )


class CaseCloseApi(ScopedAPIMixin, APIView):
    """Set the outcome of a marked case (coordinators)."""

    scoped_model = ReviewCase
    method_actions = {"POST": Obj.VIEW_RECHECK_REPORT}

    @extend_schema(
        summary="Закрыть дело с итогом (когда комиссия всё проверила)",
        request=RecheckCloseInputSerializer,
        responses={200: RecheckCaseDetailSerializer, **_ERRORS},
    )
    def post(self, request: Request, case_id: int) -> Response:
        selectors.case_get(actor=self.actor, case_id=case_id, action=Obj.VIEW_RECHECK_REPORT)
        body = RecheckCloseInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = services.case_close(
            actor=self.actor,
            case_id=case_id,
            outcome=body.validated_data["outcome"],
            comment=body.validated_data["comment"],
        )
        case = selectors.case_get(actor=self.actor, case_id=case.pk)
        return Response(RecheckCaseDetailSerializer(_case_detail(self.actor, case)).data)


class WithWithoutApi(ScopedAPIMixin, APIView):
    """A unit's marks distribution with and without re-checked schools."""

    scoped_model = WorkAggregate
    method_actions = {"GET": Obj.VIEW_RECHECK_REPORT}

    @extend_schema(
        summary="Статистика по отметкам с перепроверенными ОО и без них",
        responses={200: RecheckWithWithoutSerializer, **_ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        try:
            found = selectors.results_with_without(actor=self.actor, pk=pk)
        except WorkAggregate.DoesNotExist as exc:
            raise RecheckNotFoundError("not_found") from exc
        data = {
            "aggregate": found.report.aggregate.pk,
            "unit_name": found.report.unit_name,
            "embargo_until": found.report.embargo_until,
            "variants": [
                {
                    "key": v["key"],
                    "label": v["label"],
                    "excluded": v["excluded"],
                    "rows": [
                        {
                            "level": line["row"].level_label,
                            "name": line["row"].name,
                            "is_self": line["row"].is_self,
                            "schools": line["schools"],
                            "participants": line["participants"],
                            "counts": line["counts"],
                            "percents": line["percents"],
                        }
                        for line in v["table"]
                    ],
                }
                for v in found.variants
            ],
        }
        return Response(RecheckWithWithoutSerializer(data).data)


class ScanRequestsApi(ScopedAPIMixin, APIView):
    """What the actor's school is asked for: its cases in open reviews."""

    scoped_model = ReviewCase
    method_actions = {"GET": Obj.VIEW_REVIEWS}

    @extend_schema(
        summary="Запросы сканов у ОО (дела ОО в открытых проверках)",
        responses={200: RecheckScanRequestSerializer(many=True), **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        data = [
            {
                "case": r.case_id,
                "work": _work(r.work),
                "kind": r.kind_label,
                "unit": r.unit_label,
                "status": r.status,
                "status_label": r.status_label,
            }
            for r in selectors.requests_for_school(actor=self.actor)
        ]
        return Response(RecheckScanRequestSerializer(data, many=True).data)
