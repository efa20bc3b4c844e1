"""``GET /api/v1/cabinet/``: «Что сделать сейчас» as data, the same selectors as the page.

Coordinators and schools get their lines (what, state, due, the page where it is done); an
expert gets the works given to it to check. A checking commission's marker has no such lines:
its first screen is its reviews (``GET /api/v1/objectivity/marking/reviews/``), so its answer
is empty. A user without a role gets 403, as on the page.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.cabinet import selectors
from apps.core.api_errors import ErrorSerializer
from apps.registration.access import get_actor
from apps.registration.constants import Role


class TodoItemOutputSerializer(serializers.Serializer[Any]):
    title = serializers.CharField()
    text = serializers.CharField(allow_blank=True)
    state = serializers.ChoiceField(
        choices=list(selectors.Urgency.LABELS.items()),
        help_text="overdue — просрочено, today — сегодня, soon — скоро, later — позже, "
        "done — сделано",
    )
    state_label = serializers.CharField()
    campaign = serializers.CharField(allow_blank=True)
    due_at = serializers.DateTimeField(allow_null=True, help_text="Срок — момент времени")
    due_date = serializers.DateField(
        allow_null=True, help_text="Срок — день плана-графика включительно (время ОО/единицы)"
    )
    due_text = serializers.CharField(allow_blank=True)
    days_left = serializers.IntegerField(allow_null=True)
    left_text = serializers.CharField(allow_blank=True)
    url = serializers.CharField(help_text="Страница кабинета, где это делается")


class ExpertWorkOutputSerializer(serializers.Serializer[Any]):
    work = serializers.IntegerField(source="work.pk")
    title = serializers.CharField()
    given = serializers.IntegerField(help_text="Кодов участников передано эксперту")
    entered = serializers.IntegerField(help_text="Из них с внесёнными баллами")
    left = serializers.IntegerField()
    until = serializers.DateField(help_text="Последний день проверки (время ОО)")
    url = serializers.CharField()


class CampaignBriefOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    label = serializers.CharField()  # type: ignore[assignment]


class TodoOutputSerializer(serializers.Serializer[Any]):
    role = serializers.CharField()
    unit = serializers.CharField(allow_null=True, help_text="Организация или единица")
    today = serializers.DateField(allow_null=True)
    campaigns = CampaignBriefOutputSerializer(many=True)
    urgent = serializers.IntegerField(help_text="Строк «просрочено» и «сегодня»")
    items = TodoItemOutputSerializer(many=True)
    expert_works = ExpertWorkOutputSerializer(many=True, help_text="Работы эксперта на проверку")


class TodoApi(APIView):
    """The caller's tasks and deadlines for the current campaigns (about the caller itself)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Что сделать сейчас",
        responses={200: TodoOutputSerializer, 403: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        actor = get_actor(request)
        data: dict[str, Any] = {
            "role": actor.role.value if actor.role else "",
            "unit": None,
            "today": None,
            "campaigns": [],
            "urgent": 0,
            "items": [],
            "expert_works": [],
        }
        if actor.role == Role.MARKER:
            return Response(TodoOutputSerializer(data).data)
        if actor.role == Role.EXPERT:
            home = selectors.expert_home(actor=actor)
            if home is not None:
                data |= {"unit": str(home.school), "today": home.today, "expert_works": home.works}
                return Response(TodoOutputSerializer(data).data)
        todo = selectors.todo_get(actor=actor)
        if todo is None:
            raise PermissionDenied("У вас нет роли на портале.")
        data |= {
            "unit": str(todo.unit) if todo.unit is not None else None,
            "today": todo.today,
            "campaigns": todo.campaigns,
            "urgent": todo.urgent,
            "items": todo.items,
        }
        return Response(TodoOutputSerializer(data).data)


urlpatterns = [path("cabinet/", TodoApi.as_view(), name="api-cabinet-todo")]
