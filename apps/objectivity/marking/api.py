"""The API of marking on screen: a marker's reviews, its next task (with the crops' addresses
and the criteria), entering a mark; for the review's managers its markers, the allocation,
the tasks (allocations), a third marker's assignment, the progress and the closing.

Blind like the screen: a marker's answers carry no school and no participant code, and the
other rounds' marks only after the marker's own."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_errors import ErrorSerializer
from apps.core.params import int_param
from apps.objectivity.actions import ObjectivityActions as A
from apps.objectivity.marking import selectors, services
from apps.objectivity.marking.messages import MarkingNotFoundError
from apps.objectivity.marking.selectors import task_crop_png
from apps.objectivity.models import MarkTask, Review
from apps.objectivity.scans.api import PNG, PngRenderer
from apps.registration.access import ScopedAPIMixin

_ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


# --- serializers ----------------------------------------------------------------------------


class QueueColumnSerializer(serializers.Serializer[Any]):
    column = serializers.IntegerField(help_text="Задание (столбец формы, id)")
    column_label = serializers.CharField(help_text="Номер задания, например «9.1»")
    max_score = serializers.IntegerField()
    tasks = serializers.IntegerField(help_text="Работ у эксперта по заданию")
    pending = serializers.IntegerField(help_text="Из них не оценено")


class MarkerReviewSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Review.Kind.choices)
    status = serializers.ChoiceField(choices=Review.Status.choices)
    work = serializers.IntegerField()
    work_title = serializers.CharField()
    tasks = serializers.IntegerField()
    pending = serializers.IntegerField()
    columns = QueueColumnSerializer(many=True)


class CropSerializer(serializers.Serializer[Any]):
    part = serializers.IntegerField()
    page = serializers.IntegerField(help_text="Страница варианта")
    present = serializers.BooleanField(help_text="Страница есть в сканах")
    url = serializers.CharField(help_text="PNG части страницы с заданием (маршрут API)")


class OtherMarkSerializer(serializers.Serializer[Any]):
    round = serializers.IntegerField(help_text="1, 2 или 3 (третий эксперт)")
    score = serializers.IntegerField(allow_null=True, help_text="null — «X»")
    comment = serializers.CharField(allow_blank=True)


class TaskSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="Задание на проверку (id)")
    review = serializers.IntegerField()
    booklet = serializers.IntegerField(help_text="Работа №… (обезличена)")
    variant = serializers.IntegerField(help_text="Номер варианта")
    column = serializers.IntegerField()
    column_label = serializers.CharField()
    max_score = serializers.IntegerField()
    round = serializers.IntegerField()
    score = serializers.IntegerField(allow_null=True, help_text="null — «X» или не оценено")
    entered = serializers.BooleanField()
    comment = serializers.CharField(allow_blank=True)
    crops = CropSerializer(many=True)
    criteria_html = serializers.CharField(help_text="Ответ и критерии оценивания (HTML)")
    others = OtherMarkSerializer(
        many=True, help_text="Оценки других экспертов — только после своей оценки"
    )


class NextTaskSerializer(serializers.Serializer[Any]):
    task = TaskSerializer(allow_null=True, help_text="null — работ для проверки не осталось")


class MarkInputSerializer(serializers.Serializer[Any]):
    score = serializers.IntegerField(
        allow_null=True, min_value=0, help_text="Балл 0…максимум; null — «X»"
    )
    comment = serializers.CharField(allow_blank=True, required=False, max_length=300)


class AllocationSerializer(serializers.ModelSerializer[MarkTask]):
    column_label = serializers.CharField(source="column.label")

    class Meta:
        model = MarkTask
        fields = [
            "id",
            "booklet",
            "column",
            "column_label",
            "round",
            "marker",
            "score",
            "entered_at",
            "comment",
        ]


class MarkersInputSerializer(serializers.Serializer[Any]):
    users = serializers.ListField(
        child=serializers.IntegerField(), min_length=1, help_text="Эксперты (id пользователей)"
    )


class ReviewMarkerSerializer(serializers.Serializer[Any]):
    user = serializers.IntegerField()
    name = serializers.CharField()
    active = serializers.BooleanField()
    tasks = serializers.IntegerField()
    entered = serializers.IntegerField()


class ColumnProgressSerializer(serializers.Serializer[Any]):
    column = serializers.IntegerField()
    column_label = serializers.CharField()
    max_score = serializers.IntegerField()
    tasks = serializers.IntegerField()
    entered = serializers.IntegerField()
    third = serializers.IntegerField(help_text="Расхождений (третья проверка)")
    third_waiting = serializers.IntegerField(help_text="Из них не оценено третьим экспертом")


class WaitingSerializer(serializers.Serializer[Any]):
    task = serializers.IntegerField(help_text="Задание третьего эксперта (id)")
    booklet = serializers.IntegerField()
    column_label = serializers.CharField()
    first = serializers.IntegerField(allow_null=True)
    second = serializers.IntegerField(allow_null=True)
    marker = serializers.IntegerField(allow_null=True, help_text="null — не назначен")


class ProgressSerializer(serializers.Serializer[Any]):
    review = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Review.Status.choices)
    booklets = serializers.IntegerField()
    double = serializers.IntegerField(help_text="Работ, проверяемых дважды")
    tasks = serializers.IntegerField()
    entered = serializers.IntegerField()
    final_booklets = serializers.IntegerField(help_text="Работ с итоговыми баллами")
    columns = ColumnProgressSerializer(many=True)
    markers = ReviewMarkerSerializer(many=True)
    waiting = WaitingSerializer(many=True)


class AllocateOutputSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField(help_text="Создано заданий на проверку")
    progress = ProgressSerializer()


class ThirdAssignInputSerializer(serializers.Serializer[Any]):
    marker = serializers.IntegerField(help_text="Эксперт проверки (id пользователя)")


# --- data -----------------------------------------------------------------------------------


def task_data(task: MarkTask) -> dict[str, Any]:
    # the API route of the crops: a token client cannot use the page's (session) route
    crop = reverse("api-objectivity-marking-crop", args=[task.pk])
    sheet = selectors.variant_sheet(task.booklet.variant)
    return {
        "id": task.pk,
        "review": task.review_id,
        "booklet": task.booklet_id,
        "variant": task.booklet.variant.number,
        "column": task.column_id,
        "column_label": task.column.label,
        "max_score": task.column.max_score,
        "round": task.round,
        "score": task.score,
        "entered": task.entered_at is not None,
        "comment": task.comment,
        "crops": [
            {"part": c.part, "page": c.page, "present": c.present, "url": f"{crop}?part={c.part}"}
            for c in selectors.task_crops(task)
        ],
        "criteria_html": sheet.criteria.get(task.column.label, ""),
        "others": [
            {"round": o.round, "score": o.score, "comment": o.comment}
            for o in selectors.other_marks(task)
        ],
    }


def progress_data(progress: selectors.ReviewProgress) -> dict[str, Any]:
    return {
        "review": progress.review.pk,
        "status": progress.review.status,
        "booklets": progress.booklets,
        "double": progress.double,
        "tasks": progress.tasks,
        "entered": progress.entered,
        "final_booklets": progress.final_booklets,
        "columns": [
            {
                "column": c.column_id,
                "column_label": c.label,
                "max_score": c.max_score,
                "tasks": c.tasks,
                "entered": c.entered,
                "third": c.third,
                "third_waiting": c.third_waiting,
            }
            for c in progress.columns
        ],
        "markers": [
            {
                "user": m.user_id,
                "name": m.name,
                "active": m.active,
                "tasks": m.tasks,
                "entered": m.entered,
            }
            for m in progress.markers
        ],
        "waiting": [
            {
                "task": w.task_id,
                "booklet": w.booklet_id,
                "column_label": w.column_label,
                "first": w.first,
                "second": w.second,
                "marker": w.marker_id,
            }
            for w in progress.waiting
        ],
    }


# --- a marker's endpoints -------------------------------------------------------------------


class MarkerReviewsApi(ScopedAPIMixin, APIView):
    """The reviews the caller marks in, with its own counts per task (no schools)."""

    scoped_model = MarkTask
    method_actions = {"GET": A.MARK}

    @extend_schema(
        summary="Проверки, в которых я эксперт",
        responses={200: MarkerReviewSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        rows = [
            {
                "id": r.review.pk,
                "title": r.review.title,
                "kind": r.review.kind,
                "status": r.review.status,
                "work": r.review.work_id,
                "work_title": str(r.review.work),
                "tasks": r.tasks,
                "pending": r.pending,
                "columns": [
                    {
                        "column": c.column_id,
                        "column_label": c.label,
                        "max_score": c.max_score,
                        "tasks": c.tasks,
                        "pending": c.pending,
                    }
                    for c in r.columns
                ],
            }
            for r in selectors.marker_reviews(actor=self.actor)
        ]
        return Response(MarkerReviewSerializer(rows, many=True).data)


class NextTaskApi(ScopedAPIMixin, APIView):
    """The caller's next unmarked task of the review (of one column, or the first with work)."""

    scoped_model = Review
    method_actions = {"GET": A.MARK}

    @extend_schema(
        summary="Следующая работа на проверку",
        parameters=[OpenApiParameter("column", int, description="Задание (столбец формы, id)")],
        responses={200: NextTaskSerializer, **_ERRORS},
    )
    def get(self, request: Request, review_id: int) -> Response:
        review = selectors.review_for_marker(actor=self.actor, review_id=review_id)
        task = selectors.next_task(
            actor=self.actor,
            review_id=review.pk,
            column_id=int_param(request.query_params.get("column")),
        )
        data = {"task": task_data(task) if task else None}
        return Response(NextTaskSerializer(data).data)


class TaskCropApi(ScopedAPIMixin, APIView):
    """``?part=N``: the PNG of part N of the caller's own task on its booklet's scanned page
    (a placeholder when the page is missing from the scans), as the marking screen shows it."""

    scoped_model = MarkTask
    method_actions = {"GET": A.MARK}
    renderer_classes = [JSONRenderer, PngRenderer]

    @extend_schema(
        summary="Часть страницы скана с заданием (PNG)",
        parameters=[OpenApiParameter("part", int, description="Часть задания (с 0)")],
        responses={(200, PNG): OpenApiResponse(OpenApiTypes.BINARY), 404: ErrorSerializer},
    )
    def get(self, request: Request, mark_task_id: int) -> HttpResponse:
        task = selectors.my_task_get(actor=self.actor, mark_task_id=mark_task_id)
        content = task_crop_png(task, int_param(request.query_params.get("part")) or 0)
        response = HttpResponse(content, content_type=PNG)
        response["Cache-Control"] = "private, max-age=600"
        return response


class MarkApi(ScopedAPIMixin, APIView):
    """The caller's mark of its own task (may be changed until the review closes)."""

    scoped_model = MarkTask
    method_actions = {"GET": A.MARK, "POST": A.MARK}

    @extend_schema(summary="Задание на проверку", responses={200: TaskSerializer, **_ERRORS})
    def get(self, request: Request, mark_task_id: int) -> Response:
        task = selectors.my_task_get(actor=self.actor, mark_task_id=mark_task_id)
        return Response(TaskSerializer(task_data(task)).data)

    @extend_schema(
        summary="Оценить задание",
        request=MarkInputSerializer,
        responses={200: TaskSerializer, **_ERRORS},
    )
    def post(self, request: Request, mark_task_id: int) -> Response:
        selectors.my_task_get(actor=self.actor, mark_task_id=mark_task_id)  # 404 first
        data = MarkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.mark_enter(
            actor=self.actor,
            mark_task_id=mark_task_id,
            score=data.validated_data["score"],
            comment=data.validated_data.get("comment", ""),
        )
        task = selectors.my_task_get(actor=self.actor, mark_task_id=mark_task_id)
        return Response(TaskSerializer(task_data(task)).data)


# --- the managers' endpoints ----------------------------------------------------------------


class AllocationsApi(ScopedAPIMixin, generics.ListAPIView[MarkTask]):
    """The review's tasks with their markers and marks (its managers)."""

    scoped_model = Review
    method_actions = {"GET": A.MANAGE_REVIEWS}
    serializer_class = AllocationSerializer

    def get_queryset(self) -> Any:
        review = selectors.review_manage_get(actor=self.actor, review_id=self.kwargs["review_id"])
        params = self.request.query_params
        rows = selectors.review_tasks(review=review, round=int_param(params.get("round")))
        marker = int_param(params.get("marker"))
        return rows if marker is None else rows.filter(marker_id=marker)

    @extend_schema(
        summary="Распределение работ проверки (задания экспертов)",
        parameters=[
            OpenApiParameter("round", int, description="1, 2 или 3 (третий эксперт)"),
            OpenApiParameter("marker", int, description="Эксперт (id пользователя)"),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ProgressApi(ScopedAPIMixin, APIView):
    scoped_model = Review
    method_actions = {"GET": A.MANAGE_REVIEWS}

    @extend_schema(summary="Ход проверки работ", responses={200: ProgressSerializer, **_ERRORS})
    def get(self, request: Request, review_id: int) -> Response:
        review = selectors.review_manage_get(actor=self.actor, review_id=review_id)
        return Response(
            ProgressSerializer(progress_data(selectors.review_progress(review=review))).data
        )


class MarkersApi(ScopedAPIMixin, APIView):
    scoped_model = Review
    method_actions = {"PUT": A.MANAGE_REVIEWS}

    @extend_schema(
        summary="Задать состав экспертов проверки",
        request=MarkersInputSerializer,
        responses={200: ProgressSerializer, **_ERRORS},
    )
    def put(self, request: Request, review_id: int) -> Response:
        review = selectors.review_manage_get(actor=self.actor, review_id=review_id)
        data = MarkersInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.markers_set(
            actor=self.actor, review_id=review.pk, user_ids=data.validated_data["users"]
        )
        return Response(
            ProgressSerializer(progress_data(selectors.review_progress(review=review))).data
        )


class AllocateApi(ScopedAPIMixin, APIView):
    scoped_model = Review
    method_actions = {"POST": A.MANAGE_REVIEWS}

    @extend_schema(
        summary="Распределить готовые работы экспертам",
        request=None,
        responses={200: AllocateOutputSerializer, **_ERRORS},
    )
    def post(self, request: Request, review_id: int) -> Response:
        review = selectors.review_manage_get(actor=self.actor, review_id=review_id)
        created = services.review_allocate(actor=self.actor, review_id=review.pk)
        progress = progress_data(selectors.review_progress(review=review))
        return Response(AllocateOutputSerializer({"created": created, "progress": progress}).data)


class CloseApi(ScopedAPIMixin, APIView):
    scoped_model = Review
    method_actions = {"POST": A.MANAGE_REVIEWS}

    @extend_schema(
        summary="Завершить проверку (все задания с итоговым баллом)",
        request=None,
        responses={200: ProgressSerializer, **_ERRORS},
    )
    def post(self, request: Request, review_id: int) -> Response:
        review = services.review_close(actor=self.actor, review_id=review_id)
        return Response(
            ProgressSerializer(progress_data(selectors.review_progress(review=review))).data
        )


class ThirdAssignApi(ScopedAPIMixin, APIView):
    scoped_model = MarkTask
    method_actions = {"POST": A.MANAGE_REVIEWS}

    @extend_schema(
        summary="Назначить третьего эксперта на расхождение",
        request=ThirdAssignInputSerializer,
        responses={200: AllocationSerializer, **_ERRORS},
    )
    def post(self, request: Request, mark_task_id: int) -> Response:
        if not self.get_queryset().filter(pk=mark_task_id).exists():  # 404 first
            raise MarkingNotFoundError("task_not_found")
        data = ThirdAssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.third_assign(
            actor=self.actor, mark_task_id=mark_task_id, user_id=data.validated_data["marker"]
        )
        return Response(AllocationSerializer(task).data)


# --- a school's own checking by its experts --------------------------------------------------


class SchoolReviewBriefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=Review.Status.choices)


class SchoolWorkSerializer(serializers.Serializer[Any]):
    work = serializers.IntegerField(source="work.pk")
    work_title = serializers.CharField()
    ready = serializers.IntegerField(help_text="Работ со сканами, готовых к проверке")
    review = SchoolReviewBriefSerializer(
        allow_null=True, help_text="Проверка экспертами ОО (null — не открыта)"
    )


class SchoolReviewOpenInputSerializer(serializers.Serializer[Any]):
    work = serializers.IntegerField(help_text="Работа (id)")
    double_share = serializers.IntegerField(
        default=0, help_text="Доля работ, проверяемых дважды, % (0…100)"
    )
    threshold = serializers.IntegerField(
        default=0, help_text="Расхождение баллов, при котором нужен третий эксперт (0…99)"
    )


class SchoolReviewsApi(ScopedAPIMixin, APIView):
    """The school's works with scans ready for checking and its own reviews (GET); its
    organizer opens the review of a work (POST; the markers are the school's experts)."""

    scoped_model = Review
    method_actions = {"GET": A.MANAGE_REVIEWS, "POST": A.MANAGE_REVIEWS}

    @extend_schema(
        summary="Работы ОО для проверки экспертами ОО",
        responses={200: SchoolWorkSerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request: Request, school_id: int) -> Response:
        school = selectors.school_manage_get(actor=self.actor, school_id=school_id)
        rows = [
            {
                "work": row.work,
                "work_title": str(row.work),
                "ready": row.ready,
                "review": row.review,
            }
            for row in selectors.school_works(actor=self.actor, school=school)
        ]
        return Response(SchoolWorkSerializer(rows, many=True).data)

    @extend_schema(
        summary="Открыть проверку работы экспертами ОО (открытая уже — она же)",
        request=SchoolReviewOpenInputSerializer,
        responses={200: ProgressSerializer, **_ERRORS},
    )
    def post(self, request: Request, school_id: int) -> Response:
        school = selectors.school_manage_get(actor=self.actor, school_id=school_id)  # 404 first
        data = SchoolReviewOpenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        review = services.school_review_open(
            actor=self.actor,
            school_id=school.pk,
            work_id=v["work"],
            double_share=v["double_share"],
            threshold=v["threshold"],
        )
        return Response(
            ProgressSerializer(progress_data(selectors.review_progress(review=review))).data
        )
