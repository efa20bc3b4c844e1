"""The page «Аудитории и участники дня проведения»: the school's rooms and adults of the day,
with the organizer's forms to add, change and remove them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import View

from apps.core.errors import DomainError
from apps.registration.access import ScopedViewMixin
from apps.registration.models import School
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.models import Person, Room
from apps.schoolday.rooms import selectors, services
from apps.schoolday.rooms.forms import PersonForm, RoomForm
from apps.schoolday.selectors import school_get


def _page(school_id: int, anchor: str = "") -> str:
    return reverse("schoolday-rooms", args=[school_id]) + (f"#{anchor}" if anchor else "")


def _removed_text(kind: str, removed: services.Removed) -> str:
    if removed.outcome == services.DEACTIVATED:
        return (
            f"{kind} «{removed.label}» убран(а) из списка и сохранён(а) в истории прошедших дней."
        )
    return f"{kind} «{removed.label}» удалён(а) из списка."


class RoomsPageView(ScopedViewMixin, View):
    """The school's rooms and people (everyone in scope reads; the organizer edits)."""

    scoped_model = Room
    action = A.VIEW_SCHOOL_DAY

    def person_form(self, school: School, data: Any = None, **kwargs: Any) -> PersonForm:
        return PersonForm(
            data,
            subjects=selectors.subject_choices(actor=self.actor),
            classes=selectors.class_choices(actor=self.actor, school=school),
            **kwargs,
        )

    def render_page(
        self,
        request: HttpRequest,
        school_id: int,
        *,
        room_form: RoomForm | None = None,
        person_form: PersonForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        try:
            school = school_get(actor=self.actor, school_id=school_id)
        except School.DoesNotExist as exc:
            raise Http404 from exc
        can_edit = self.actor.can(A.EDIT_SCHOOL_DAY) and self.actor.scope.school_id == school.pk
        people = list(selectors.person_list(actor=self.actor, school_id=school.pk))
        groups = [
            (value, label, [p for p in people if p.duty == value])
            for value, label in Person.Duty.choices
        ]
        ctx = {
            "school": school,
            "rooms": selectors.room_list(actor=self.actor, school_id=school.pk),
            "groups": groups,
            "can_edit": can_edit,
            "room_form": room_form or RoomForm(auto_id="room_%s"),
            "person_form": person_form or self.person_form(school, auto_id="person_%s"),
        }
        return render(request, "schoolday/rooms.html", ctx, status=status)

    def get(self, request: HttpRequest, school_id: int) -> HttpResponse:
        return self.render_page(request, school_id)


class RoomCreateView(RoomsPageView):
    """POST: add a room; back to the page (or the page with the form's errors)."""

    action = A.EDIT_SCHOOL_DAY

    def post(self, request: HttpRequest, school_id: int) -> HttpResponse:
        form = RoomForm(request.POST, auto_id="room_%s")
        if form.is_valid():
            try:
                room = services.room_create(
                    actor=self.actor, school_id=school_id, data=form.to_input()
                )
            except School.DoesNotExist as exc:
                raise Http404 from exc
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Аудитория «{room.name}» добавлена.")
                return redirect(_page(school_id, "rooms"))
        return self.render_page(request, school_id, room_form=form, status=400)


class PersonCreateView(RoomsPageView):
    """POST: add an adult of the day."""

    action = A.EDIT_SCHOOL_DAY

    def post(self, request: HttpRequest, school_id: int) -> HttpResponse:
        try:
            school = school_get(actor=self.actor, school_id=school_id, action=self.action)
        except School.DoesNotExist as exc:
            raise Http404 from exc
        form = self.person_form(school, request.POST, auto_id="person_%s")
        if form.is_valid():
            try:
                person = services.person_create(
                    actor=self.actor, school_id=school.pk, data=form.to_input()
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, f"Добавлен(а): {person.full_name}, {person.get_duty_display()}."
                )
                return redirect(_page(school.pk, "people"))
        return self.render_page(request, school.pk, person_form=form, status=400)


class RoomEditView(ScopedViewMixin, View):
    """One room's form (the organizer)."""

    scoped_model = Room
    action = A.EDIT_SCHOOL_DAY

    def _room(self, pk: int) -> Room:
        try:
            return selectors.room_get(actor=self.actor, room_id=pk, action=self.action)
        except Room.DoesNotExist as exc:
            raise Http404 from exc

    def _render(
        self, request: HttpRequest, room: Room, form: RoomForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request, "schoolday/room_edit.html", {"room": room, "form": form}, status=status
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        room = self._room(pk)
        return self._render(request, room, RoomForm(initial=RoomForm.initial_from(room)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        room = self._room(pk)
        form = RoomForm(request.POST)
        if form.is_valid():
            try:
                saved = services.room_update(actor=self.actor, room_id=pk, data=form.to_input())
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Аудитория «{saved.name}» сохранена.")
                return redirect(_page(saved.school_id, "rooms"))
        return self._render(request, room, form, status=400)


class RoomRemoveView(ScopedViewMixin, View):
    """POST: remove a room (deleted, or kept inactive once a day used it)."""

    scoped_model = Room
    action = A.EDIT_SCHOOL_DAY

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            room = selectors.room_get(actor=self.actor, room_id=pk, action=self.action)
        except Room.DoesNotExist as exc:
            raise Http404 from exc
        try:
            removed = services.room_remove(actor=self.actor, room_id=pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _removed_text("Аудитория", removed))
        return redirect(_page(room.school_id, "rooms"))


class PersonEditView(ScopedViewMixin, View):
    """One adult of the day's form (the organizer)."""

    scoped_model = Person
    action = A.EDIT_SCHOOL_DAY

    def _person(self, pk: int) -> Person:
        try:
            return selectors.person_get(actor=self.actor, person_id=pk, action=self.action)
        except Person.DoesNotExist as exc:
            raise Http404 from exc

    def _form(self, person: Person, data: Any = None, **kwargs: Any) -> PersonForm:
        school = school_get(actor=self.actor, school_id=person.school_id, action=self.action)
        return PersonForm(
            data,
            subjects=selectors.subject_choices(actor=self.actor),
            classes=selectors.class_choices(actor=self.actor, school=school),
            **kwargs,
        )

    def _render(
        self, request: HttpRequest, person: Person, form: PersonForm, status: int = 200
    ) -> HttpResponse:
        ctx = {"person": person, "form": form}
        return render(request, "schoolday/person_edit.html", ctx, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self._person(pk)
        form = self._form(person, initial=PersonForm.initial_from(person))
        return self._render(request, person, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self._person(pk)
        form = self._form(person, request.POST)
        if form.is_valid():
            try:
                saved = services.person_update(actor=self.actor, person_id=pk, data=form.to_input())
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Сохранено: {saved.full_name}.")
                return redirect(_page(saved.school_id, "people"))
        return self._render(request, person, form, status=400)


class PersonRemoveView(ScopedViewMixin, View):
    """POST: remove an adult of the day."""

    scoped_model = Person
    action = A.EDIT_SCHOOL_DAY

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            person = selectors.person_get(actor=self.actor, person_id=pk, action=self.action)
        except Person.DoesNotExist as exc:
            raise Http404 from exc
        try:
            removed = services.person_remove(actor=self.actor, person_id=pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _removed_text("Участник дня проведения", removed))
        return redirect(_page(person.school_id, "people"))
