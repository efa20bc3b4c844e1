"""The school's timetable by class: the page (day and form per class and work, reserve-day status,
the release instants of each day), its posts (one row; one day for every class of a work; a
reserve day for some classes; a coordinator's move of a class day) and the printable plan-graph
(PDF)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import View

from apps.campaigns import selectors as campaign_selectors
from apps.classes.actions import ClassActions as A
from apps.classes.models import ClassWork
from apps.classes.selectors import school_get
from apps.classes.timetable import selectors, services
from apps.core.downloads import private_download
from apps.core.errors import DomainError
from apps.core.params import int_param
from apps.registration.access import ScopedViewMixin
from apps.registration.constants import time_zone_label
from apps.registration.models import School

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
_DATE_ERRORS = {"required": "Укажите дату.", "invalid": "Укажите дату в виде ДД.ММ.ГГГГ."}


class RowForm(forms.Form):
    """One row of the page: a class's work, its day (optional) and its form."""

    class_work = forms.IntegerField(error_messages={"required": "Не указана работа класса."})
    date = forms.DateField(required=False, input_formats=DATE_FORMATS, error_messages=_DATE_ERRORS)
    form = forms.ChoiceField(
        choices=ClassWork.Form.choices,
        error_messages={
            "required": "Выберите форму проведения.",
            "invalid_choice": "Форма проведения — «бумажная» или «компьютерная».",
        },
    )


class BulkForm(forms.Form):
    """One day for a work in every class that writes it."""

    work = forms.IntegerField(error_messages={"required": "Выберите работу."})
    date = forms.DateField(input_formats=DATE_FORMATS, error_messages=_DATE_ERRORS)


class IdListField(forms.Field):
    """Several ids from checkboxes of one name (``class_work``)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        try:
            return [int(v) for v in value]
        except (TypeError, ValueError) as exc:
            raise ValidationError("Отметьте классы из списка.") from exc


class ReserveForm(forms.Form):
    """A reserve day for some classes of one work: the classes, the day, the reason."""

    work = forms.IntegerField(error_messages={"required": "Выберите работу."})
    class_work = IdListField(
        error_messages={"required": "Отметьте классы, для которых нужен резервный день."}
    )
    date = forms.DateField(input_formats=DATE_FORMATS, error_messages=_DATE_ERRORS)
    reason = forms.CharField(
        max_length=2000,
        error_messages={
            "required": "Укажите причину, по которой классы не могут писать работу в период.",
            "max_length": "Причина — не длиннее 2000 символов.",
        },
    )


class MoveForm(forms.Form):
    """A coordinator's move of a class's day, with a reason."""

    class_work = forms.IntegerField(error_messages={"required": "Не указана работа класса."})
    date = forms.DateField(input_formats=DATE_FORMATS, error_messages=_DATE_ERRORS)
    reason = forms.CharField(
        max_length=2000,
        error_messages={
            "required": "Укажите причину переноса дня проведения.",
            "max_length": "Причина — не длиннее 2000 символов.",
        },
    )


def _not_found(exc: Exception) -> Http404:
    return Http404("Объект не найден.")


def _page(school_id: int, campaign_id: int | None, anchor: str = "") -> str:
    url = reverse("class-timetable", args=[school_id])
    if campaign_id:
        url += "?" + urlencode({"campaign": campaign_id})
    return url + (f"#{anchor}" if anchor else "")


class ClassTimetableView(ScopedViewMixin, View):
    """«План-график ОО по классам»: each class's works with day, form and release instants."""

    api_routes = ("api-class-timetable",)

    scoped_model = ClassWork
    action = A.VIEW_CLASSES

    def get(self, request: HttpRequest, school_id: int) -> HttpResponse:
        try:
            plan = selectors.timetable(
                actor=self.actor,
                school_id=school_id,
                campaign_id=int_param(request.GET.get("campaign")),
            )
        except School.DoesNotExist as exc:
            raise _not_found(exc) from exc
        active = plan.campaign is not None and plan.campaign.is_active
        can_edit = (
            self.actor.can(A.SET_CLASS_DATES)
            and self.actor.scope.school_id == plan.school.pk
            and active
        )
        ctx: dict[str, Any] = {
            "plan": plan,
            "place": plan.school,
            "zone_label": time_zone_label(plan.zone),
            "can_edit": can_edit,
            "can_move": self.actor.can(A.MOVE_CLASS_DAY) and active,
            "forms": ClassWork.Form.choices,
            "campaigns": campaign_selectors.campaign_list(actor=self.actor),
        }
        return render(request, "classes/timetable/timetable.html", ctx)


class _TimetablePostView(ScopedViewMixin, View):
    scoped_model = ClassWork
    action = A.SET_CLASS_DATES
    form_class: type[forms.Form]

    def save(self, school_id: int, data: dict[str, Any]) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, school_id: int) -> HttpResponse:
        try:
            school_get(actor=self.actor, school_id=school_id, action=self.action)
        except School.DoesNotExist as exc:
            raise _not_found(exc) from exc
        campaign_id = int_param(request.POST.get("campaign"))
        form = self.form_class(request.POST)
        anchor = ""
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)  # type: ignore[arg-type]
        else:
            try:
                text = self.save(school_id, form.cleaned_data)
            except ObjectDoesNotExist as exc:
                raise _not_found(exc) from exc
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, text)
            anchor = self.anchor(form.cleaned_data)
        return redirect(_page(school_id, campaign_id, anchor))

    def anchor(self, data: dict[str, Any]) -> str:
        return ""


class ClassTimetableSaveView(_TimetablePostView):
    """POST one row: the form and the day of a class's work."""

    api_routes = ("api-class-work-date", "api-class-work-form")

    form_class = RowForm

    def save(self, school_id: int, data: dict[str, Any]) -> str:
        found = selectors.class_work_get(
            actor=self.actor, class_work_id=data["class_work"], action=self.action
        )
        if found.school_id != school_id:
            raise ClassWork.DoesNotExist
        row = services.class_work_save(
            actor=self.actor, class_work_id=found.pk, date=data["date"], form=data["form"]
        )
        title = f"{row.school_class.label}, {selectors.work_title(row.work)}"
        day = f"{row.date:%d.%m.%Y}" if row.date else "не назначена"
        return f"Сохранено: {title} — дата {day}, форма {row.get_form_display()}."

    def anchor(self, data: dict[str, Any]) -> str:
        return f"cw-{data.get('class_work', '')}"


class ClassTimetableBulkView(_TimetablePostView):
    """POST one day for a work in every class of the school that writes it."""

    api_routes = ("api-class-timetable-bulk",)

    form_class = BulkForm

    def save(self, school_id: int, data: dict[str, Any]) -> str:
        rows = services.class_works_date_set_for_grade(
            actor=self.actor, school_id=school_id, work_id=data["work"], date=data["date"]
        )
        labels = ", ".join(r.school_class.label for r in rows)
        return f"Дата {data['date']:%d.%m.%Y} назначена классам: {labels}."


class ClassTimetableReserveView(_TimetablePostView):
    """POST a reserve-day request for some classes of one work (the school organizer)."""

    api_routes = ("api-class-reserve-days",)

    form_class = ReserveForm

    def save(self, school_id: int, data: dict[str, Any]) -> str:
        req = services.class_reserve_request(
            actor=self.actor,
            school_id=school_id,
            work_id=data["work"],
            class_work_ids=data["class_work"],
            day=data["date"],
            reason=data["reason"],
        )
        return (
            f"Запрос резервного дня {req.requested_date:%d.%m.%Y} для классов {req.classes} "
            "отправлен региональному координатору. Решение появится на этой странице."
        )

    def anchor(self, data: dict[str, Any]) -> str:
        return "reserve-requests"


class ClassTimetableMoveView(_TimetablePostView):
    """POST a coordinator's move of a class's day, with a reason."""

    api_routes = ("api-class-work-move",)

    action = A.MOVE_CLASS_DAY
    form_class = MoveForm

    def save(self, school_id: int, data: dict[str, Any]) -> str:
        found = selectors.class_work_get(
            actor=self.actor, class_work_id=data["class_work"], action=self.action
        )
        if found.school_id != school_id:
            raise ClassWork.DoesNotExist
        row = services.class_work_date_move(
            actor=self.actor, class_work_id=found.pk, date=data["date"], reason=data["reason"]
        )
        title = f"{row.school_class.label}, {selectors.work_title(row.work)}"
        return f"День проведения перенесён: {title} — {data['date']:%d.%m.%Y}."

    def anchor(self, data: dict[str, Any]) -> str:
        return f"cw-{data.get('class_work', '')}"


class ClassTimetablePdfView(ScopedViewMixin, View):
    """The school's plan-graph by class, printable (PDF)."""

    api_routes = ("api-class-timetable-pdf",)

    scoped_model = ClassWork
    action = A.VIEW_CLASSES

    def get(self, request: HttpRequest, school_id: int) -> FileResponse:
        try:
            built = services.timetable_pdf_download(
                actor=self.actor,
                school_id=school_id,
                campaign_id=int_param(request.GET.get("campaign")),
            )
        except School.DoesNotExist as exc:
            raise _not_found(exc) from exc
        return private_download(built.content, built.name, "application/pdf")
