"""The API of experts' own accounts (the school organizer): read the state, issue (the one-time
password comes back once, in the answer), a new password, revoke."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_errors import ErrorSerializer
from apps.registration.access import ScopedAPIMixin
from apps.schoolday.accounts import services
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.models import Person

_ERRORS = {404: ErrorSerializer, 409: ErrorSerializer}


class ExpertAccountOutputSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(help_text="Участник дня проведения (id)")
    login = serializers.CharField(allow_null=True, help_text="Логин эксперта; null — доступа нет")
    active = serializers.BooleanField(help_text="Доступ к порталу выдан и действует")
    must_change_password = serializers.BooleanField(
        help_text="Пароль ещё одноразовый (эксперт не входил и не сменил его)"
    )


class IssuedAccountOutputSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(help_text="Участник дня проведения (id)")
    login = serializers.CharField(help_text="Логин эксперта, например edu660101-e12")
    password = serializers.CharField(
        help_text="Одноразовый пароль: возвращается один раз и нигде не хранится"
    )


def _state(person: Person) -> dict[str, Any]:
    user = person.user
    active = user is not None and user.is_active
    return ExpertAccountOutputSerializer(
        {
            "person": person.pk,
            "login": user.username if active and user is not None else None,
            "active": active,
            "must_change_password": bool(active and user is not None and user.must_change_password),
        }
    ).data


def _issued(issued: services.IssuedAccount) -> dict[str, Any]:
    return IssuedAccountOutputSerializer(
        {"person": issued.person.pk, "login": issued.login, "password": issued.password}
    ).data


class ExpertAccountApi(ScopedAPIMixin, APIView):
    """An expert's own access to the portal: state (GET), issue (POST), revoke (DELETE)."""

    scoped_model = Person
    method_actions = {
        "GET": A.ISSUE_EXPERT_ACCOUNTS,
        "POST": A.ISSUE_EXPERT_ACCOUNTS,
        "DELETE": A.ISSUE_EXPERT_ACCOUNTS,
    }

    def _person(self, pk: int) -> Person:
        person: Person = self.get_queryset().select_related("user").get(pk=pk, is_active=True)
        return person

    @extend_schema(
        summary="Доступ эксперта к порталу (организатор ОО)",
        responses={200: ExpertAccountOutputSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_state(self._person(pk)))

    @extend_schema(
        summary="Выдать доступ эксперту (организатор ОО)",
        description="Создаёт учётную запись эксперта (роль «эксперт по проверке работ»: видит "
        "и вносит баллы только по распределённым ему кодам). Одноразовый пароль возвращается "
        "только в этом ответе.",
        request=None,
        responses={201: IssuedAccountOutputSerializer, **_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        self._person(pk)  # 404 first
        issued = services.expert_account_issue(actor=self.actor, person_id=pk)
        return Response(_issued(issued), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Отключить доступ эксперта (организатор ОО)",
        responses={200: ExpertAccountOutputSerializer, **_ERRORS},
    )
    def delete(self, request: Request, pk: int) -> Response:
        self._person(pk)
        person = services.expert_account_revoke(actor=self.actor, person_id=pk)
        return Response(_state(person))


class ExpertAccountPasswordApi(ScopedAPIMixin, APIView):
    """A new one-time password for an expert (POST); it is returned once."""

    scoped_model = Person
    method_actions = {"POST": A.ISSUE_EXPERT_ACCOUNTS}

    @extend_schema(
        summary="Новый одноразовый пароль эксперта (организатор ОО)",
        request=None,
        responses={200: IssuedAccountOutputSerializer, **_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        self.get_queryset().get(pk=pk, is_active=True)  # 404 first
        issued = services.expert_account_reissue(actor=self.actor, person_id=pk)
        return Response(_issued(issued))
