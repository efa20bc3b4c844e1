"""The page «Аудитории и участники дня проведения»: the school's rooms and adults of the day,
with the organizer's forms to add, change and remove them."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
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

    api_routes: ClassVar[tuple[str, ...]] = ("api-schoolday-room-list", "api-schoolday-person-list")

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

    api_routes = ("api-schoolday-room-list",)

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

    api_routes = ("api-schoolday-person-list",)

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


class _EditView(ScopedViewMixin, View):
    """One row's form (the organizer): a room or an adult of the day. Subclasses name the
    object's reader, its form, its save service and the page's anchor."""

    action = A.EDIT_SCHOOL_DAY
    form_class: Any  # RoomForm, PersonForm: their ``initial_from(row)``
    template: str
    context_name: str  # the row's name in the template
    anchor: str

    def get_object(self, pk: int) -> Any:
        raise NotImplementedError

    def make_form(self, obj: Any, data: Any = None, **kwargs: Any) -> Any:
        raise NotImplementedError

    def save(self, pk: int, form: Any) -> tuple[Any, str]:
        """Call the update service; the saved row and the Russian message."""
        raise NotImplementedError

    def _one(self, pk: int) -> Any:
        try:
            return self.get_object(pk)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc

    def _render(self, request: HttpRequest, obj: Any, form: Any, status: int = 200) -> HttpResponse:
        ctx = {self.context_name: obj, "form": form}
        return render(request, self.template, ctx, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self._one(pk)
        return self._render(request, obj, self.make_form(obj, initial=self._initial(obj)))

    def _initial(self, obj: Any) -> dict[str, Any]:
        return dict(self.form_class.initial_from(obj))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self._one(pk)
        form = self.make_form(obj, request.POST)
        if form.is_valid():
            try:
                saved, text = self.save(pk, form)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, text)
                return redirect(_page(saved.school_id, self.anchor))
        return self._render(request, obj, form, status=400)


class RoomEditView(_EditView):
    """One room's form (the organizer)."""

    api_routes = ("api-schoolday-room",)

    scoped_model = Room
    form_class = RoomForm
    template = "schoolday/room_edit.html"
    context_name = "room"
    anchor = "rooms"

    def get_object(self, pk: int) -> Room:
        return selectors.room_get(actor=self.actor, room_id=pk, action=self.action)

    def make_form(self, obj: Any, data: Any = None, **kwargs: Any) -> RoomForm:
        return RoomForm(data, **kwargs)

    def save(self, pk: int, form: Any) -> tuple[Room, str]:
        saved = services.room_update(actor=self.actor, room_id=pk, data=form.to_input())
        return saved, f"Аудитория «{saved.name}» сохранена."


class PersonEditView(_EditView):
    """One adult of the day's form (the organizer)."""

    api_routes = ("api-schoolday-person",)

    scoped_model = Person
    form_class = PersonForm
    template = "schoolday/person_edit.html"
    context_name = "person"
    anchor = "people"

    def get_object(self, pk: int) -> Person:
        return selectors.person_get(actor=self.actor, person_id=pk, action=self.action)

    def make_form(self, obj: Any, data: Any = None, **kwargs: Any) -> PersonForm:
        school = school_get(actor=self.actor, school_id=obj.school_id, action=self.action)
        return PersonForm(
            data,
            subjects=selectors.subject_choices(actor=self.actor),
            classes=selectors.class_choices(actor=self.actor, school=school),
            **kwargs,
        )

    def save(self, pk: int, form: Any) -> tuple[Person, str]:
        saved = services.person_update(actor=self.actor, person_id=pk, data=form.to_input())
        return saved, f"Сохранено: {saved.full_name}."


class _RemoveView(ScopedViewMixin, View):
    """POST: remove a row (deleted, or kept inactive once a day used it); back to the page."""

    action = A.EDIT_SCHOOL_DAY
    kind: str  # «Аудитория», «Участник дня проведения»
    anchor: str

    def get_object(self, pk: int) -> Any:
        raise NotImplementedError

    def remove(self, pk: int) -> services.Removed:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            obj = self.get_object(pk)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        try:
            removed = self.remove(pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _removed_text(self.kind, removed))
        return redirect(_page(obj.school_id, self.anchor))


class RoomRemoveView(_RemoveView):
    """POST: remove a room."""

    api_routes = ("api-schoolday-room",)

    scoped_model = Room
    kind = "Аудитория"
    anchor = "rooms"

    def get_object(self, pk: int) -> Room:
        return selectors.room_get(actor=self.actor, room_id=pk, action=self.action)

    def remove(self, pk: int) -> services.Removed:
        return services.room_remove(actor=self.actor, room_id=pk)


class PersonRemoveView(_RemoveView):
    """POST: remove an adult of the day."""

    api_routes = ("api-schoolday-person",)

    scoped_model = Person
    kind = "Участник дня проведения"
    anchor = "people"

    def get_object(self, pk: int) -> Person:
        return selectors.person_get(actor=self.actor, person_id=pk, action=self.action)

    def remove(self, pk: int) -> services.Removed:
        return services.person_remove(actor=self.actor, person_id=pk)
