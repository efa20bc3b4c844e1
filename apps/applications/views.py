"""Application pages. Thin: parse, call one selector or service, render."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import View

from apps.applications import selectors, services
from apps.applications.constants import FIELD_LABELS, IMPORT_KIND, NO, YES
from apps.applications.forms import (
    CommentForm,
    UploadForm,
    class_field_name,
    class_lines_from_post,
    field_name,
    lines_from_post,
)
from apps.applications.imports import APPLICATIONS
from apps.applications.messages import ChainError
from apps.applications.models import Application, Source
from apps.applications.rules import Issue, RawLine
from apps.campaigns.models import Campaign
from apps.classes.models import ClassWork
from apps.classes.participation import ParticipationInput, ParticipationInvalidError
from apps.core.imports import APPLY, DISCARD
from apps.core.listing import Column, Listing
from apps.core.models import ImportBatch
from apps.core.params import int_param
from apps.core.scoping import Level
from apps.core.uploads import UploadError
from apps.registration.access import A, Actor, ScopedViewMixin
from apps.registration.constants import SchoolStatus
from apps.registration.import_views import ImportActionView
from apps.registration.models import Municipality, Region, School

PAGE_SIZE = 50
# Rule messages that already say which count they are about.
_SELF_EXPLAINING = ("Участник", "Класс", "Указано", "Укажите")


def _campaign(request: HttpRequest, actor: Actor) -> Campaign | None:
    return selectors.campaign_get(actor=actor, campaign_id=int_param(request.GET.get("campaign")))


def _xlsx(out: services.FileOut) -> FileResponse:
    response = FileResponse(io.BytesIO(out.content), as_attachment=True, filename=out.filename)
    response["Cache-Control"] = "no-store"
    return response


def _no_campaign(request: HttpRequest) -> HttpResponse:
    return render(request, "applications/no_campaign.html")


# --- entry points --------------------------------------------------------------------------------


class ApplicationHomeView(ScopedViewMixin, View):
    """«Заявка ВПР»: a school goes to its own application, a coordinator to monitoring."""

    api_routes = ("api-applications",)
    scoped_model = Application
    action = A.VIEW_APPLICATION

    def get(self, request: HttpRequest) -> HttpResponse:
        scope = self.actor.scope
        if scope.level is Level.SCHOOL and scope.school_id:
            return redirect("application-school", pk=scope.school_id)
        if self.actor.can(A.MONITOR_APPLICATIONS):
            return redirect("application-monitoring")
        raise PermissionDenied


class SchoolApplicationView(ScopedViewMixin, View):
    """A school's application for a campaign: redirects to it, or offers to start one."""

    scoped_model = School
    action = A.VIEW_APPLICATION

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            school = selectors.school_get(actor=self.actor, school_id=pk)
        except School.DoesNotExist as exc:
            raise Http404 from exc
        campaign = _campaign(request, self.actor)
        if campaign is None:
            return _no_campaign(request)
        app = selectors.application_for_school(
            actor=self.actor, school_id=school.pk, campaign=campaign
        )
        if app is not None:
            return redirect("application-detail", pk=app.pk)
        deadline = selectors.deadline_for(campaign=campaign, zone=selectors.school_zone(school))
        return render(
            request,
            "applications/not_started.html",
            {
                "school": school,
                "campaign": campaign,
                "campaigns": selectors.campaign_list(actor=self.actor),
                "deadline": deadline,
                "can_open": self.actor.can(A.EDIT_APPLICATION)
                and school.status == SchoolStatus.ACTIVE
                and (self.actor.scope.level is not Level.SCHOOL or not deadline.passed),
            },
        )


class ApplicationOpenView(ScopedViewMixin, View):
    """Start (or find) a school's application for a campaign (POST: school, campaign)."""

    api_routes = ("api-applications",)
    scoped_model = Application
    action = A.EDIT_APPLICATION

    def post(self, request: HttpRequest) -> HttpResponse:
        school_id = int_param(request.POST.get("school")) or self.actor.scope.school_id
        if school_id is None:
            raise Http404
        try:
            app = services.application_open(
                actor=self.actor,
                school_id=school_id,
                campaign_id=int_param(request.POST.get("campaign")),
            )
        except School.DoesNotExist as exc:
            raise Http404 from exc
        except ChainError as exc:
            messages.error(request, exc.message)
            return redirect("application-school", pk=school_id)
        return redirect("application-detail", pk=app.pk)


# --- the application page ------------------------------------------------------------------------


def _page(actor: Actor, pk: int) -> selectors.ApplicationPage:
    try:
        return selectors.application_page(actor=actor, application_id=pk)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


def _table(
    page: selectors.ApplicationPage,
    posted: dict[int, RawLine] | None = None,
    issues: dict[int | None, list[Issue]] | None = None,
) -> list[dict[str, Any]]:
    rows = []
    for row in page.rows:
        work_id = row.work.id
        raw = (posted or {}).get(work_id)
        values = row.values
        grade = page.grades.get(str(row.work.grade)) or {}
        # The cell with the problem is highlighted; type errors name the field, rules do not.
        errors = [
            f"{FIELD_LABELS[i.field]}: {i.message}"
            if i.field in FIELD_LABELS and not i.message.startswith(_SELF_EXPLAINING)
            else i.message
            for i in (issues or {}).get(work_id, [])
        ]
        rows.append(
            {
                "work": row.work,
                "takes_part": (
                    str(raw.takes_part or NO) if raw else (YES if values.takes_part else NO)
                ),
                "participants": (raw.participants if raw else values.participants),
                "classes": (raw.classes if raw else values.classes),
                "pupils": grade.get("pupils") if isinstance(grade, dict) else None,
                "names": {k: field_name(k, work_id) for k in ("tp", "p", "c")},
                "errors": errors,
                "error_fields": {i.field for i in (issues or {}).get(work_id, [])},
            }
        )
    return rows


def _class_table(
    page: selectors.ApplicationPage,
    posted: list[ParticipationInput] | None = None,
    problems: ParticipationInvalidError | None = None,
) -> list[dict[str, Any]]:
    """The per-class table: a posted value back in its cell, the default number the pupils."""
    by_id = {p.class_work_id: p for p in posted or []}
    found = problems.by_class_work() if problems else {}
    rows = []
    for row in page.class_rows:
        raw = by_id.get(row.class_work_id)
        default = row.participants if row.participants is not None else row.pupils
        rows.append(
            {
                "row": row,
                "participants": raw.participants if raw else default,
                "form": (raw.form or row.form) if raw else row.form,
                "names": {k: class_field_name(k, row.class_work_id) for k in ("cp", "cf")},
                "errors": [p.message for p in found.get(row.class_work_id, [])],
                "error_fields": {p.field for p in found.get(row.class_work_id, [])},
            }
        )
    return rows


def _detail(request: HttpRequest, page: selectors.ApplicationPage, **extra: Any) -> HttpResponse:
    ctx = {
        "page": page,
        "app": page.application,
        "school": page.school,
        "campaign": page.campaign,
        "rows": _table(page),
        "class_rows": _class_table(page),
        "forms": ClassWork.Form.choices,
        "yes": YES,
        "no": NO,
        "upload_form": UploadForm(initial={"school": page.school.pk, "campaign": page.campaign.pk}),
        "taking": sum(1 for r in page.rows if r.values.takes_part),
        "participants": sum(r.values.participants for r in page.rows if r.values.takes_part),
    }
    ctx.update(extra)
    return render(request, "applications/detail.html", ctx)


class ApplicationDetailView(ScopedViewMixin, View):
    """The application: its table (editable when allowed), actions, files and history."""

    api_routes = ("api-application-detail",)
    scoped_model = Application
    action = A.VIEW_APPLICATION

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _detail(request, _page(self.actor, pk))


class ApplicationEditView(ScopedViewMixin, View):
    """Save the table (POST); «then=submit» also submits it (a school's draft)."""

    api_routes = ("api-application-lines",)
    scoped_model = Application
    action = A.EDIT_APPLICATION

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        posted = lines_from_post(request.POST)
        try:
            outcome = services.application_lines_save(
                actor=self.actor,
                application_id=pk,
                lines=posted,
                source=Source.BROWSER,
            )
        except Application.DoesNotExist as exc:
            raise Http404 from exc
        except ChainError as exc:
            messages.error(request, exc.message)
            return redirect("application-detail", pk=pk)
        except services.LinesInvalidError as exc:
            page = _page(self.actor, pk)
            return _detail(
                request,
                page,
                rows=_table(page, posted, exc.by_work()),
                form_error=exc.message,
                general_errors=[i.message for i in exc.by_work().get(None, [])],
            )
        if request.POST.get("then") == "submit" and self.actor.can(A.SUBMIT_APPLICATION):
            return _run_transition(request, self.actor, pk, services.application_submit)
        (messages.success if outcome.changed else messages.info)(request, outcome.message)
        return redirect("application-detail", pk=pk)


class ApplicationClassesEditView(ScopedViewMixin, View):
    """Save the per-class table (POST); «then=submit» also submits it (a school's draft)."""

    api_routes = ("api-application-class-lines",)
    scoped_model = Application
    action = A.EDIT_APPLICATION

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        posted = class_lines_from_post(request.POST)
        try:
            outcome = services.application_class_lines_save(
                actor=self.actor, application_id=pk, lines=posted, source=Source.BROWSER
            )
        except (Application.DoesNotExist, ClassWork.DoesNotExist) as exc:
            raise Http404 from exc
        except ChainError as exc:
            messages.error(request, exc.message)
            return redirect("application-detail", pk=pk)
        except ParticipationInvalidError as exc:
            page = _page(self.actor, pk)
            return _detail(
                request,
                page,
                class_rows=_class_table(page, posted, exc),
                form_error=exc.message,
                general_errors=[p.message for p in exc.problems],
            )
        if request.POST.get("then") == "submit" and self.actor.can(A.SUBMIT_APPLICATION):
            return _run_transition(request, self.actor, pk, services.application_submit)
        (messages.success if outcome.changed else messages.info)(request, outcome.message)
        return redirect("application-detail", pk=pk)


def _run_transition(request: HttpRequest, actor: Actor, pk: int, service: Any) -> HttpResponse:
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        outcome = service(
            actor=actor,
            application_id=pk,
            source=Source.BROWSER,
            comment=comment,
        )
    except Application.DoesNotExist as exc:
        raise Http404 from exc
    except ChainError as exc:
        messages.error(request, exc.message)
    except services.LinesInvalidError as exc:
        messages.error(
            request,
            f"{exc.message} " + "; ".join(i.message for i in exc.issues[:5]),
        )
    else:
        (messages.success if outcome.changed else messages.info)(request, outcome.message)
    return redirect("application-detail", pk=pk)


class ApplicationSubmitView(ScopedViewMixin, View):
    api_routes = ("api-application-submit",)
    scoped_model = Application
    action = A.SUBMIT_APPLICATION

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _run_transition(request, self.actor, pk, services.application_submit)


class ApplicationConfirmView(ScopedViewMixin, View):
    api_routes = ("api-application-confirm",)
    scoped_model = Application
    action = A.CONFIRM_APPLICATION

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _run_transition(request, self.actor, pk, services.application_confirm)


class ApplicationReopenView(ScopedViewMixin, View):
    api_routes = ("api-application-reopen",)
    scoped_model = Application
    action = A.REOPEN_APPLICATION

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _run_transition(request, self.actor, pk, services.application_reopen)


class ApplicationFormView(ScopedViewMixin, View):
    """The school's form-application (xlsx) with its current values."""

    scoped_model = Application
    action = A.VIEW_APPLICATION

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        try:
            out = services.application_form_file(actor=self.actor, application_id=pk)
        except Application.DoesNotExist as exc:
            raise Http404 from exc
        return _xlsx(out)


# --- uploads -------------------------------------------------------------------------------------


class ApplicationUploadView(ScopedViewMixin, View):
    """Upload a form-application or a summary: a good file goes to its preview."""

    api_routes = ("api-application-imports",)
    scoped_model = ImportBatch
    action = A.IMPORT_APPLICATIONS
    template_name = "applications/upload.html"

    def _ctx(self, form: UploadForm, **extra: Any) -> dict[str, Any]:
        return {
            "form": form,
            "batches": selectors.import_batch_list(actor=self.actor),
            **extra,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, self._ctx(UploadForm()))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, self._ctx(form))
        upload = form.cleaned_data["file"]
        try:
            batch = services.application_import_upload(
                actor=self.actor,
                file=upload,
                name=upload.name or "",
                size=upload.size or 0,
                campaign_id=form.cleaned_data.get("campaign"),
                school_id=form.cleaned_data.get("school"),
            )
        except UploadError as exc:
            initial = {
                "school": form.cleaned_data.get("school"),
                "campaign": form.cleaned_data.get("campaign"),
            }
            ctx = self._ctx(
                UploadForm(initial=initial),
                file_name=upload.name,
                errors=exc.errors,
                back=_back(self.actor, form.cleaned_data.get("school")),
            )
            return render(request, self.template_name, ctx)
        messages.info(request, "Файл принят. Проверьте изменения и подтвердите их.")
        return redirect("application-import", pk=batch.pk)


def _back(actor: Actor, school_id: int | None) -> tuple[str, str]:
    if school_id:
        return reverse("application-school", args=[school_id]), "Вернуться к заявке"
    if actor.can(A.MONITOR_APPLICATIONS):
        return reverse("application-monitoring"), "Вернуться к заявкам"
    return reverse("application-home"), "Вернуться к заявке"


class ApplicationImportView(ScopedViewMixin, View):
    """One upload with its preview (what will change), or its result once applied."""

    api_routes = ("api-application-import-detail",)
    scoped_model = ImportBatch
    action = A.IMPORT_APPLICATIONS

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            batch = selectors.import_batch_get(actor=self.actor, batch_id=pk)
        except ImportBatch.DoesNotExist as exc:
            raise Http404 from exc
        is_application = batch.kind == IMPORT_KIND
        preview = batch.preview if is_application else {}
        return render(
            request,
            "applications/import_detail.html",
            {
                "batch": batch,
                "is_application": is_application,
                "preview": preview,
                "can_apply": is_application
                and batch.status == ImportBatch.Status.PREVIEW
                and batch.actor_id == getattr(self.actor.user, "pk", None),
            },
        )


class ApplicationImportApplyView(ImportActionView):
    api_routes = ("api-application-import-apply",)
    kind = APPLICATIONS
    operation = APPLY
    detail_url = "application-import"


class ApplicationImportDiscardView(ImportActionView):
    api_routes = ("api-application-import-discard",)
    kind = APPLICATIONS
    operation = DISCARD
    detail_url = "application-import"


# --- summaries -----------------------------------------------------------------------------------


class _SummaryView(ScopedViewMixin, View):
    action = A.APPLICATION_SUMMARY
    unit_kind = ""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        try:
            out = services.application_summary_file(
                actor=self.actor,
                unit_kind=self.unit_kind,
                unit_id=pk,
                campaign_id=int_param(request.GET.get("campaign")),
            )
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        except ChainError as exc:
            messages.error(request, exc.message)
            return redirect("application-monitoring")
        return _xlsx(out)


class RegionSummaryView(_SummaryView):
    """The region's summary file for its coordinator (every active school, applied or not)."""

    scoped_model = Region
    unit_kind = "region"


class MunicipalitySummaryView(_SummaryView):
    """The municipality's summary file for its coordinator."""

    scoped_model = Municipality
    unit_kind = "municipality"


# --- monitoring ----------------------------------------------------------------------------------

# The sortable columns of the monitoring table (a row per region, municipality or school).
MONITORING_COLUMNS = (
    Column("code", "Код"),
    Column("name", "Наименование", value=lambda r: (r.name, r.code)),
    Column("status", "Состояние заявки", value=lambda r: (r.status_label, r.code)),
    Column("schools", "Действующих ОО"),
    Column("applied", "Подали"),
    Column("not_applied", "Не подали"),
    Column("confirmed_municipality", "Подтв. муниц."),
    Column("confirmed_region", "Подтв. регионом"),
    Column("participants", "Участников"),
)


def _monitoring(request: HttpRequest, actor: Actor, unit: selectors.Unit) -> HttpResponseBase:
    campaign = _campaign(request, actor)
    if campaign is None:
        return _no_campaign(request)
    if request.GET.get("export") == "xlsx":
        return _xlsx(
            services.application_monitoring_file(
                actor=actor,
                unit_kind=unit.kind,
                unit_id=unit.id,
                campaign_id=campaign.pk,
            )
        )
    data = selectors.monitoring_get(actor=actor, campaign=campaign, unit=unit)
    listing = Listing(request, MONITORING_COLUMNS, "code")
    listing.pin(campaign=campaign.pk)
    rows = listing.paginate(data.rows)
    own = (
        actor.scope.level in (Level.MUNICIPALITY, Level.REGION)
        and unit.kind in ("municipality", "region")
        and actor.can(A.APPLICATION_SUMMARY)
    )
    summary_url = ""
    if own:
        name = (
            "application-summary-region"
            if unit.kind == "region"
            else "application-summary-municipality"
        )
        summary_url = reverse(name, args=[unit.id]) + f"?campaign={campaign.pk}"
    return render(
        request,
        "applications/monitoring.html",
        {
            "data": data,
            "rows": rows,
            "listing": listing,
            "unit": unit,
            "campaign": campaign,
            "campaigns": selectors.campaign_list(actor=actor),
            "summary_url": summary_url,
            "upload_form": UploadForm(initial={"campaign": campaign.pk}) if own else None,
            "not_applied_url": _not_applied_url(unit, campaign),
        },
    )


def _not_applied_url(unit: selectors.Unit, campaign: Campaign) -> str:
    url = reverse("application-not-applied") + f"?campaign={campaign.pk}"
    if unit.kind in ("region", "municipality"):
        url += f"&{unit.kind}={unit.id}"
    return url


class MonitoringHomeView(ScopedViewMixin, View):
    """Monitoring of the actor's own unit (the federal operator: the country by region)."""

    api_routes = ("api-application-summary",)
    scoped_model = Application
    action = A.MONITOR_APPLICATIONS

    def get(self, request: HttpRequest) -> HttpResponseBase:
        scope = self.actor.scope
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        if scope.level is Level.REGION:
            return redirect(
                reverse("application-monitoring-region", args=[scope.anchor_id]) + query
            )
        if scope.level is Level.MUNICIPALITY:
            return redirect(
                reverse("application-monitoring-municipality", args=[scope.anchor_id]) + query
            )
        try:
            unit = selectors.own_unit(actor=self.actor, action=self.action)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        return _monitoring(request, self.actor, unit)


class _UnitMonitoringView(ScopedViewMixin, View):
    action = A.MONITOR_APPLICATIONS
    unit_kind = ""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        try:
            unit = selectors.unit_get(
                actor=self.actor, kind=self.unit_kind, unit_id=pk, action=self.action
            )
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        return _monitoring(request, self.actor, unit)


class RegionMonitoringView(_UnitMonitoringView):
    """A region's schools by municipality (drill-down from the country)."""

    api_routes = ("api-region-application-summary",)
    scoped_model = Region
    unit_kind = "region"


class MunicipalityMonitoringView(_UnitMonitoringView):
    """A municipality's schools, each with its application's status."""

    api_routes = ("api-municipality-application-summary",)
    scoped_model = Municipality
    unit_kind = "municipality"


class NotAppliedView(ScopedViewMixin, View):
    """Active schools without a submitted application (?region= / ?municipality=, xlsx)."""

    api_routes = ("api-application-not-applied",)
    scoped_model = School
    action = A.MONITOR_APPLICATIONS

    def get(self, request: HttpRequest) -> HttpResponseBase:
        campaign = _campaign(request, self.actor)
        if campaign is None:
            return _no_campaign(request)
        try:
            if (muni := int_param(request.GET.get("municipality"))) is not None:
                unit = selectors.unit_get(
                    actor=self.actor, kind="municipality", unit_id=muni, action=self.action
                )
            elif (region := int_param(request.GET.get("region"))) is not None:
                unit = selectors.unit_get(
                    actor=self.actor, kind="region", unit_id=region, action=self.action
                )
            else:
                unit = selectors.own_unit(actor=self.actor, action=self.action)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        if request.GET.get("export") == "xlsx":
            return _xlsx(
                services.application_not_applied_file(
                    actor=self.actor,
                    unit_kind=unit.kind,
                    unit_id=unit.id,
                    campaign_id=campaign.pk,
                )
            )
        q = request.GET.get("q", "")[:100]
        schools = selectors.not_applied_list(actor=self.actor, campaign=campaign, unit=unit, q=q)
        page = Paginator(schools, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        return render(
            request,
            "applications/not_applied.html",
            {
                "unit": unit,
                "campaign": campaign,
                "page_obj": page,
                "q": q,
                "query": query.urlencode(),
            },
        )
