"""The audit log pages: read and export only. There is no route that changes or deletes a record."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.generic import View

from apps.audit import selectors, services
from apps.core import audit_actions
from apps.core.models import AuditEvent
from apps.core.params import int_param
from apps.core.scoping import Level
from apps.registration import selectors as org
from apps.registration.access import A, ScopedViewMixin

PAGE_SIZE = 50
MAX_PAGE = 1_000_000
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


CODE_SHAPE = re.compile(r"[a-z0-9_]+\.[a-z0-9_]*")


class ActionChoiceField(forms.ChoiceField):
    """One of the listed actions; a link may also carry a raw code or a prefix (``results.``)."""

    def valid_value(self, value: str) -> bool:
        return super().valid_value(value) or bool(CODE_SHAPE.fullmatch(value))


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(
        label="С даты",
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Введите дату «с» в формате ДД.ММ.ГГГГ."},
    )
    date_to = forms.DateField(
        label="По дату",
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Введите дату «по» в формате ДД.ММ.ГГГГ."},
    )
    action = ActionChoiceField(
        label="Действие",
        required=False,
        choices=lambda: [("", "Все действия"), *audit_actions.filter_choices()],
        error_messages={"invalid_choice": "Выберите действие из списка."},
    )
    username = forms.CharField(label="Логин", required=False, max_length=150)
    region = forms.IntegerField(label="Регион", required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["action"]
        raw = self.data.get("action", "") if self.is_bound else ""
        listed = raw in audit_actions.ACTION_LABELS or raw.startswith(audit_actions.SECTION_PREFIX)
        if raw and not listed and CODE_SHAPE.fullmatch(raw):
            # A code from a link (a prefix or a retired code) stays visible as the choice made.
            field.choices = [*list(field.choices), (raw, f"Код действия «{raw}»")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("Дата «с» позже даты «по». Проверьте период.")
        return data

    def filters(self) -> selectors.AuditFilter:
        """The valid filters (an invalid form filters nothing beyond the actor's scope)."""
        if not self.is_valid():
            return selectors.AuditFilter()
        d = self.cleaned_data
        return selectors.AuditFilter(
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
            action=d.get("action") or "",
            username=d.get("username") or "",
            region_id=d.get("region"),
        )


class AuditLogView(ScopedViewMixin, View):
    """The log of the actor's unit and below (all of it for the federal operator), filtered."""

    api_routes = ("api-audit-event-list",)

    scoped_model = AuditEvent
    action = A.VIEW_AUDIT
    template_name = "audit/audit_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = AuditFilterForm(request.GET or None)
        filters = form.filters()
        # Past the last page is simply empty; the cap keeps the OFFSET within 64 bits.
        number = min(max(int_param(request.GET.get("page")) or 1, 1), MAX_PAGE)
        # No COUNT(*) over a long log: fetch one row more than a page to know if there is a next.
        start = (number - 1) * PAGE_SIZE
        events = list(
            selectors.audit_event_list(actor=self.actor, filters=filters)[
                start : start + PAGE_SIZE + 1
            ]
        )
        has_next = len(events) > PAGE_SIZE
        events = events[:PAGE_SIZE]
        units = selectors.audit_unit_codes(actor=self.actor, events=events)
        described = selectors.target_descriptions(actor=self.actor, events=events)
        query = request.GET.copy()
        query.pop("page", None)
        ctx = {
            "form": form,
            "rows": [
                (
                    e,
                    units[e.pk],
                    selectors.action_label(e.action),
                    selectors.role_label(e.role),
                    selectors.target_label(e, described),
                )
                for e in events
            ],
            "number": number,
            "has_next": has_next,
            "query": query.urlencode(),
            "show_region": self.actor.scope.level is Level.FEDERAL,
        }
        if ctx["show_region"]:
            ctx["regions"] = org.region_list(actor=self.actor)
        return render(request, self.template_name, ctx)


class AuditExportView(ScopedViewMixin, View):
    """The same log as xlsx, streamed (the export is itself audited)."""

    api_routes = ("api-audit-event-export",)

    scoped_model = AuditEvent
    action = A.VIEW_AUDIT

    def get(self, request: HttpRequest) -> FileResponse:
        filters = AuditFilterForm(request.GET or None).filters()
        name, handle = services.audit_export(actor=self.actor, filters=filters)
        return FileResponse(handle, as_attachment=True, filename=name)
