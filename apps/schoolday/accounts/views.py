"""The organizer's buttons on the people page: give an expert its own access, a new one-time
password, or take the access back. The password is shown once, on the page answering the POST
(never stored, never cached)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import View

from apps.core.errors import DomainError
from apps.registration.access import ScopedViewMixin
from apps.schoolday.accounts import services
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.models import Person


def _people(school_id: int) -> str:
    return reverse("schoolday-rooms", args=[school_id]) + "#people"


class _ExpertAccountView(ScopedViewMixin, View):
    """POST on one expert's account (the school organizer)."""

    scoped_model = Person
    action = A.ISSUE_EXPERT_ACCOUNTS
    title = ""

    def call(self, pk: int) -> services.IssuedAccount:
        raise NotImplementedError

    def _person(self, pk: int) -> Person:
        try:
            person: Person = self.get_queryset().get(pk=pk, is_active=True)
        except Person.DoesNotExist as exc:
            raise Http404 from exc
        return person

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self._person(pk)
        try:
            issued = self.call(pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(_people(person.school_id))
        ctx = {"issued": issued, "person": issued.person, "title": self.title}
        response = render(request, "schoolday/expert_account.html", ctx)
        response["Cache-Control"] = "private, no-store"
        return response


class ExpertAccountIssueView(_ExpertAccountView):
    """POST: the expert's login and one-time password, shown once."""

    api_routes = ("api-schoolday-expert-account",)

    title = "Доступ эксперту выдан"

    def call(self, pk: int) -> services.IssuedAccount:
        return services.expert_account_issue(actor=self.actor, person_id=pk)


class ExpertAccountReissueView(_ExpertAccountView):
    """POST: a new one-time password of the expert, shown once."""

    api_routes = ("api-schoolday-expert-account-password",)

    title = "Эксперту выдан новый пароль"

    def call(self, pk: int) -> services.IssuedAccount:
        return services.expert_account_reissue(actor=self.actor, person_id=pk)


class ExpertAccountRevokeView(ScopedViewMixin, View):
    """POST: take the expert's access back; back to the people page."""

    api_routes = ("api-schoolday-expert-account",)

    scoped_model = Person
    action = A.ISSUE_EXPERT_ACCOUNTS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            person: Person = self.get_queryset().get(pk=pk, is_active=True)
        except Person.DoesNotExist as exc:
            raise Http404 from exc
        try:
            services.expert_account_revoke(actor=self.actor, person_id=pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Доступ эксперта {person.full_name} к порталу отключён.")
        return redirect(_people(person.school_id))
