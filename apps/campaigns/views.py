"""Campaign pages: the plan-graph (table and calendar), work structures, the federal operator's
editing and imports, school schedules and reserve days. Thin: parse, call one selector or
service, render. Every view is Scoped*: an id outside the actor's scope answers 404.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.generic import View

from apps.campaigns import documents, forms, schedule, selectors, services
from apps.campaigns import xlsx as works_xlsx
from apps.campaigns.imports import WORKS
from apps.campaigns.models import Campaign, ReserveDayRequest, SchoolWorkDate, Session, Work
from apps.core.errors import DomainError
from apps.core.imports import APPLY, DISCARD
from apps.core.listing import Column, Filter, Listing
from apps.core.models import ImportBatch
from apps.core.params import int_param
from apps.core.uploads import UploadError
from apps.registration.access import A, ScopedViewMixin
from apps.registration.constants import time_zone_label
from apps.registration.import_views import ImportActionView
from apps.registration.models import School

PAGE_SIZE = 50
SCHOOL_DATE_COLUMNS = (
    Column("date", "Дата", ("date", "school__code", "work__grade")),
    Column("school", "ОО", ("school__code", "date")),
    Column("work", "Работа", ("work__grade", "work__subject__name", "school__code")),
    Column("reserve", "Резервный день", ("reserve_id", "date")),
)
RESERVE_DAY_COLUMNS = (
    Column("created", "Запрошен", ("created_at",)),
    Column("school", "ОО", ("school__code", "-created_at")),
    Column("work", "Работа", ("work__campaign__year", "work__grade", "work__subject__name")),
    Column("requested", "Резервный день", ("requested_date", "school__code")),
    Column("status", "Решение", ("status", "-created_at")),
)
OUTCOME_LABELS = {"created": "новая", "replaced": "будет заменена", "unchanged": "без изменений"}


def _not_found(exc: Exception) -> Http404:
    return Http404("Объект не найден.")


# --- the plan-graph for everyone ---------------------------------------------------------------


class _CampaignPageMixin(ScopedViewMixin):
    scoped_model = Work
    action = A.VIEW_CAMPAIGNS
    request: HttpRequest

    def campaign_context(self) -> dict[str, Any]:
        campaign = selectors.campaign_chosen(
            actor=self.actor, campaign_id=int_param(self.request.GET.get("campaign"))
        )
        works = (
            list(selectors.work_list(actor=self.actor, campaign_id=campaign.pk))
            if campaign is not None
            else []
        )
        return {
            "campaign": campaign,
            "campaigns": selectors.campaign_list(actor=self.actor),
            "works": works,
        }


def _plan_row(work: Work, school: School | None = None) -> dict[str, Any]:
    """One work of the plan-graph; for a school's own account also its release instants on the
    school's clock (before it chooses a day), so the plan-graph and the school's pages agree."""
    encrypted = work.encrypted_archive
    return {
        "work": work,
        "at": (
            schedule.instants(work, selectors.school_zone(school), None)
            if school is not None
            else None
        ),
        "recommended": [dt.date.fromisoformat(d) for d in work.recommended_dates],
        "latest_materials": schedule.latest_materials_date(work),
        "lead_days": schedule.lead_days(work),
        "criteria": (
            "критерии — в день проведения ОО, с 14:00 по московскому времени; "
            "форма сбора результатов — вместе с архивом"
            if encrypted
            else f"{work.period_start:%d.%m.%Y}, с 00:00 по местному времени ОО"
        ),
        "password": "в день проведения ОО, в 07:30 по местному времени" if encrypted else "",
    }


class PlanGraphView(_CampaignPageMixin, View):
    """The plan-graph of a campaign as a table: periods, dates, publications, deadlines."""

    api_routes = ("api-plan-graph",)

    def get(self, request: HttpRequest) -> HttpResponse:
        ctx = self.campaign_context()
        grade = int_param(request.GET.get("grade"))
        works = [w for w in ctx["works"] if grade is None or w.grade == grade]
        works.sort(key=lambda w: (w.period_start, w.grade, w.subject.name))
        school = self.actor.unit if isinstance(self.actor.unit, School) else None
        ctx.update(
            rows=[_plan_row(w, school) for w in works],
            place=school,
            grade=grade,
            grades=sorted({w.grade for w in ctx["works"]}),
            school_schedule_url=self._school_url(),
        )
        return render(request, "campaigns/plan_graph.html", ctx)

    def _school_url(self) -> str | None:
        school_id = self.actor.scope.school_id
        if school_id is None or not self.actor.can(A.VIEW_SCHEDULE):
            return None
        return reverse("school-schedule", args=[school_id])


class PlanCalendarView(_CampaignPageMixin, View):
    """The plan-graph as a month calendar (server-rendered)."""

    api_routes = ("api-plan-graph",)

    def get(self, request: HttpRequest) -> HttpResponse:
        ctx = self.campaign_context()
        campaign: Campaign | None = ctx["campaign"]
        if campaign is None:
            return render(request, "campaigns/calendar.html", ctx)
        year, month = selectors.default_month(campaign, ctx["works"])
        raw = request.GET.get("month", "")
        try:
            chosen = dt.datetime.strptime(raw, "%Y-%m")  # noqa: DTZ007 - a calendar month
            year, month = chosen.year, chosen.month
        except ValueError:
            pass
        ctx["month"] = selectors.plan_calendar(
            campaign=campaign, works=ctx["works"], year=year, month=month
        )
        ctx["month_names"] = MONTHS
        return render(request, "campaigns/calendar.html", ctx)


MONTHS = (
    "",
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
)


class WorkListView(_CampaignPageMixin, View):
    """The works of a campaign with their task columns and mark scales."""

    api_routes = ("api-works",)

    def get(self, request: HttpRequest) -> HttpResponse:
        ctx = self.campaign_context()
        grade = int_param(request.GET.get("grade"))
        ctx["shown"] = [w for w in ctx["works"] if grade is None or w.grade == grade]
        ctx["grade"] = grade
        ctx["grades"] = sorted({w.grade for w in ctx["works"]})
        return render(request, "campaigns/work_list.html", ctx)


# --- the federal operator's cabinet -----------------------------------------------------------


class _ManageMixin(ScopedViewMixin):
    action = A.MANAGE_CAMPAIGNS

    def get_campaign(self, pk: int) -> Campaign:
        try:
            return selectors.campaign_get(
                actor=self.actor, campaign_id=pk, action=A.MANAGE_CAMPAIGNS
            )
        except Campaign.DoesNotExist as exc:
            raise _not_found(exc) from exc


class CampaignListView(_ManageMixin, View):
    api_routes = ("api-campaigns",)
    scoped_model = Campaign

    def get(self, request: HttpRequest) -> HttpResponse:
        ctx = {
            "campaigns": selectors.campaign_list(actor=self.actor, action=A.MANAGE_CAMPAIGNS),
            "subjects": selectors.subject_list(actor=self.actor, action=A.MANAGE_CAMPAIGNS),
        }
        return render(request, "campaigns/campaign_list.html", ctx)


def _campaign_data(form: forms.CampaignForm) -> services.CampaignData:
    d = form.cleaned_data
    return services.CampaignData(
        year=d["year"],
        session=d["session"],
        name=d["name"],
        application_deadline=d["application_deadline"],
        is_active=d["is_active"],
    )


def _problems_to_form(form: Any, exc: DomainError) -> None:
    problems = getattr(exc, "problems", None)
    if not problems:
        form.add_error(None, exc.message)
        return
    for p in problems:
        form.add_error(p.field if p.field in form.fields else None, p.message)


class CampaignCreateView(_ManageMixin, View):
    api_routes = ("api-campaigns",)
    scoped_model = Campaign
    template_name = "campaigns/campaign_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = forms.CampaignForm(initial={"session": Session.SPRING})
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.CampaignForm(request.POST)
        if form.is_valid():
            try:
                campaign = services.campaign_save(actor=self.actor, data=_campaign_data(form))
            except DomainError as exc:
                _problems_to_form(form, exc)
            else:
                messages.success(request, f"Кампания «{campaign.name}» создана.")
                return redirect("campaign-detail", pk=campaign.pk)
        return render(request, self.template_name, {"form": form})


class CampaignEditView(_ManageMixin, View):
    api_routes = ("api-campaign-detail",)
    scoped_model = Campaign
    template_name = "campaigns/campaign_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self.get_campaign(pk)
        form = forms.CampaignForm(
            initial={
                "year": campaign.year,
                "session": campaign.session,
                "name": campaign.name,
                "application_deadline": campaign.application_deadline,
                "is_active": campaign.is_active,
            }
        )
        return render(request, self.template_name, {"form": form, "campaign": campaign})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self.get_campaign(pk)
        form = forms.CampaignForm(request.POST)
        if form.is_valid():
            try:
                services.campaign_save(actor=self.actor, data=_campaign_data(form), campaign_id=pk)
            except DomainError as exc:
                _problems_to_form(form, exc)
            else:
                messages.success(request, "Кампания сохранена.")
                return redirect("campaign-detail", pk=pk)
        return render(request, self.template_name, {"form": form, "campaign": campaign})


class CampaignDetailView(_ManageMixin, View):
    """A campaign in the federal cabinet: its works, import and export."""

    api_routes = ("api-campaign-detail",)
    scoped_model = Campaign

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page(request, pk, forms.UploadForm())

    def render_page(
        self, request: HttpRequest, pk: int, form: forms.UploadForm, **extra: Any
    ) -> HttpResponse:
        campaign = self.get_campaign(pk)
        works = selectors.work_list(
            actor=self.actor, campaign_id=campaign.pk, action=A.MANAGE_CAMPAIGNS
        )
        imports = [
            b
            for b in selectors.work_import_list(actor=self.actor)
            if b.preview.get("campaign", {}).get("id") == campaign.pk
        ][:10]
        ctx = {"campaign": campaign, "works": works, "form": form, "imports": imports, **extra}
        return render(request, "campaigns/campaign_detail.html", ctx)


class CampaignImportView(CampaignDetailView):
    """Upload a works file (xlsx or JSON): a good one goes to its preview; errors are listed."""

    api_routes = ("api-work-imports",)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = forms.UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(request, pk, form)
        upload = form.cleaned_data["file"]
        try:
            batch = services.works_import_upload(
                actor=self.actor,
                campaign_id=pk,
                name=upload.name or "",
                file=upload,
                size=upload.size or 0,
            )
        except Campaign.DoesNotExist as exc:
            raise _not_found(exc) from exc
        except UploadError as exc:
            return self.render_page(
                request, pk, forms.UploadForm(), upload_errors=exc.errors, file_name=upload.name
            )
        messages.info(request, "Файл принят. Проверьте изменения и подтвердите их.")
        return redirect("work-import-detail", pk=batch.pk)


def _download(content: bytes, filename: str) -> FileResponse:
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename)


class _CampaignExportView(_ManageMixin, View):
    """The campaign's works as a file the import accepts back unchanged."""

    api_routes = ("api-campaign-export",)
    scoped_model = Campaign
    suffix = ""

    def build(self, spec: Any) -> bytes:
        raise NotImplementedError

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        try:
            spec = selectors.campaign_spec(
                actor=self.actor, campaign_id=pk, action=A.MANAGE_CAMPAIGNS
            )
        except Campaign.DoesNotExist as exc:
            raise _not_found(exc) from exc
        return _download(self.build(spec), f"Работы {spec.name}.{self.suffix}")


class CampaignExportXlsxView(_CampaignExportView):
    suffix = "xlsx"

    def build(self, spec: Any) -> bytes:
        return works_xlsx.build_workbook(spec)


class CampaignExportJsonView(_CampaignExportView):
    suffix = "json"

    def build(self, spec: Any) -> bytes:
        return documents.build_json(spec)


class _WorkFormMixin(_ManageMixin):
    template_name = "campaigns/work_form.html"

    def render_form(
        self,
        request: HttpRequest,
        *,
        campaign: Campaign,
        form: forms.WorkForm,
        formset: Any,
        work: Work | None = None,
        loose: list[str] | None = None,
    ) -> HttpResponse:
        ctx = {
            "campaign": campaign,
            "form": form,
            "formset": formset,
            "work": work,
            "loose_errors": loose or [],
        }
        return render(request, self.template_name, ctx)

    def save(self, request: HttpRequest, campaign: Campaign, work: Work | None) -> HttpResponse:
        subjects = selectors.subject_list(actor=self.actor, action=A.MANAGE_CAMPAIGNS)
        form = forms.WorkForm(request.POST, subjects=subjects)
        formset = forms.ColumnFormSet(request.POST, prefix="columns")
        loose: list[str] = []
        if form.is_valid() and formset.is_valid():
            spec, used = forms.build_spec(form, formset)
            try:
                saved = services.work_save(
                    actor=self.actor,
                    campaign_id=campaign.pk,
                    spec=spec,
                    work_id=work.pk if work else None,
                )
            except services.SpecRejectedError as exc:
                loose = forms.report_problems(form, used, exc.problems)
            except DomainError as exc:
                loose = [exc.message]
            else:
                messages.success(request, f"Работа «{spec.title}» сохранена.")
                return redirect(f"{reverse('campaign-detail', args=[campaign.pk])}#work-{saved.pk}")
        return self.render_form(
            request, campaign=campaign, form=form, formset=formset, work=work, loose=loose
        )


class WorkCreateView(_WorkFormMixin, View):
    api_routes = ("api-works",)
    scoped_model = Campaign

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self.get_campaign(pk)
        subjects = selectors.subject_list(actor=self.actor, action=A.MANAGE_CAMPAIGNS)
        form = forms.WorkForm(subjects=subjects)
        formset = forms.ColumnFormSet(prefix="columns")
        return self.render_form(request, campaign=campaign, form=form, formset=formset)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.save(request, self.get_campaign(pk), None)


class WorkEditView(_WorkFormMixin, View):
    api_routes = ("api-work-detail",)
    scoped_model = Work

    def _work(self, pk: int) -> Work:
        try:
            return selectors.work_get(actor=self.actor, work_id=pk, action=A.MANAGE_CAMPAIGNS)
        except Work.DoesNotExist as exc:
            raise _not_found(exc) from exc

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        work = self._work(pk)
        subjects = selectors.subject_list(actor=self.actor, action=A.MANAGE_CAMPAIGNS)
        form = forms.WorkForm(initial=forms.WorkForm.initial_for(work), subjects=subjects)
        formset = forms.ColumnFormSet(
            prefix="columns",
            initial=[
                {
                    "label": c.label,
                    "max_score": c.max_score,
                    "difficulty": c.difficulty,
                    "topic": c.topic,
                }
                for c in work.columns.all()
            ],
        )
        return self.render_form(
            request, campaign=work.campaign, form=form, formset=formset, work=work
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        work = self._work(pk)
        return self.save(request, work.campaign, work)


class WorkDeleteView(_ManageMixin, View):
    api_routes = ("api-work-detail",)
    scoped_model = Work

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            work = selectors.work_get(actor=self.actor, work_id=pk, action=A.MANAGE_CAMPAIGNS)
            title = services.work_delete(actor=self.actor, work_id=pk)
        except Work.DoesNotExist as exc:
            raise _not_found(exc) from exc
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Работа «{title}» удалена.")
        return redirect("campaign-detail", pk=work.campaign_id)


class SubjectListView(_ManageMixin, View):
    api_routes = ("api-subjects",)
    scoped_model = Campaign
    template_name = "campaigns/subject_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, forms.SubjectForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.SubjectForm(request.POST)
        if form.is_valid():
            try:
                subject = services.subject_create(
                    actor=self.actor,
                    code=form.cleaned_data["code"],
                    name=form.cleaned_data["name"],
                )
            except DomainError as exc:
                _problems_to_form(form, exc)
            else:
                messages.success(request, f"Предмет «{subject.name}» добавлен.")
                return redirect("subject-list")
        return self._render(request, form)

    def _render(self, request: HttpRequest, form: forms.SubjectForm) -> HttpResponse:
        subjects = selectors.subject_list(actor=self.actor, action=A.MANAGE_CAMPAIGNS)
        return render(request, self.template_name, {"form": form, "subjects": subjects})


# --- works imports ----------------------------------------------------------------------------


class WorkImportDetailView(_ManageMixin, View):
    """One works upload with its preview (what will change, or what changed)."""

    scoped_model = ImportBatch

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            batch = selectors.work_import_get(actor=self.actor, batch_id=pk)
        except ImportBatch.DoesNotExist as exc:
            raise _not_found(exc) from exc
        is_works = batch.kind == selectors.IMPORT_KIND
        ctx = {
            "batch": batch,
            "is_works": is_works,
            "preview": batch.preview if is_works else None,
            "labels": OUTCOME_LABELS,
            "can_apply": is_works and batch.status == ImportBatch.Status.PREVIEW,
        }
        return render(request, "campaigns/import_detail.html", ctx)


class WorkImportApplyView(ImportActionView):
    api_routes = ("api-work-import-apply",)
    kind = WORKS
    operation = APPLY
    detail_url = "work-import-detail"


class WorkImportDiscardView(ImportActionView):
    api_routes = ("api-work-import-discard",)
    kind = WORKS
    operation = DISCARD
    detail_url = "work-import-detail"


# --- school schedules -------------------------------------------------------------------------


class SchoolScheduleView(ScopedViewMixin, View):
    """A school's schedule: each work with its period, recommended dates, the chosen day,
    reserve-day requests and the release instants in the school's own time zone."""

    api_routes = ("api-school-schedule",)
    scoped_model = School
    action = A.VIEW_SCHEDULE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            plan = selectors.school_schedule(
                actor=self.actor, school_id=pk, campaign_id=int_param(request.GET.get("campaign"))
            )
        except School.DoesNotExist as exc:
            raise _not_found(exc) from exc
        now = timezone.now()
        rows = [
            {
                "row": row,
                "upload_last_day": schedule.upload_deadline_day(row.work, row.chosen_date),
                # ADR 0014: the school's own changes stop at the freeze, everybody's at the lock.
                "frozen": row.chosen_date is not None
                and now >= schedule.day_frozen_at(plan.zone, row.chosen_date),
                "locked": row.chosen_date is not None
                and now >= schedule.day_locked_at(row.work, plan.zone, row.chosen_date),
            }
            for row in plan.rows
        ]
        ctx = {
            "plan": plan,
            "place": plan.school,
            "rows": rows,
            "zone_label": time_zone_label(plan.zone),
            "can_edit": self.actor.can(A.EDIT_SCHEDULE),
            "can_move": self.actor.can(A.MOVE_SCHOOL_DAY),
            "can_request": self.actor.can(A.REQUEST_RESERVE_DAY),
            "campaigns": selectors.campaign_list(actor=self.actor),
        }
        return render(request, "campaigns/school_schedule.html", ctx)


class _ScheduleDayPostView(ScopedViewMixin, View):
    """POST one day of a school's schedule through a service; back to the schedule page."""

    scoped_model = School
    form_class: type[django_forms.Form]
    saved_text: str

    def save(self, request: HttpRequest, pk: int, data: dict[str, Any]) -> SchoolWorkDate:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            selectors.school_get(actor=self.actor, school_id=pk, action=self.action)
        except School.DoesNotExist as exc:
            raise _not_found(exc) from exc
        form = self.form_class(request.POST)
        target = reverse("school-schedule", args=[pk])
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    # ErrorList items come out as messages; the stubs say ValidationError | str.
                    messages.error(request, error)  # type: ignore[arg-type]
            return redirect(target)
        try:
            row = self.save(request, pk, form.cleaned_data)
        except ObjectDoesNotExist as exc:
            raise _not_found(exc) from exc
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{self.saved_text}: {row.date:%d.%m.%Y}.")
        return redirect(target)


class SchoolScheduleSetView(_ScheduleDayPostView):
    """POST: the school picks (or changes) its day for one work."""

    api_routes = ("api-school-dates",)
    action = A.EDIT_SCHEDULE
    form_class = forms.ScheduleDateForm
    saved_text = "Дата проведения сохранена"

    def save(self, request: HttpRequest, pk: int, data: dict[str, Any]) -> SchoolWorkDate:
        return services.school_date_set(
            actor=self.actor, school_id=pk, work_id=data["work"], day=data["date"]
        )


class SchoolScheduleMoveView(_ScheduleDayPostView):
    """POST: the school's municipal or regional coordinator moves its day, with a reason."""

    api_routes = ("api-school-date-moves",)
    action = A.MOVE_SCHOOL_DAY
    form_class = forms.ScheduleMoveForm
    saved_text = "Дата проведения перенесена"

    def save(self, request: HttpRequest, pk: int, data: dict[str, Any]) -> SchoolWorkDate:
        return services.school_date_move(
            actor=self.actor,
            school_id=pk,
            work_id=data["work"],
            day=data["date"],
            reason=data["reason"],
        )


class ReserveDayCreateView(ScopedViewMixin, View):
    """A school asks its regional coordinator for a reserve day (a day outside the period)."""

    api_routes = ("api-reserve-days",)
    scoped_model = School
    action = A.REQUEST_RESERVE_DAY
    template_name = "campaigns/reserve_day_form.html"

    def _context(self, pk: int) -> tuple[School, list[Work]]:
        try:
            plan = selectors.school_schedule(actor=self.actor, school_id=pk)
        except School.DoesNotExist as exc:
            raise _not_found(exc) from exc
        return plan.school, [r.work for r in plan.rows]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        school, works = self._context(pk)
        form = forms.ReserveDayForm(
            works=works, initial={"work": int_param(request.GET.get("work"))}
        )
        return render(request, self.template_name, {"form": form, "school": school})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        school, works = self._context(pk)
        form = forms.ReserveDayForm(request.POST, works=works)
        if form.is_valid():
            try:
                services.reserve_day_request(
                    actor=self.actor,
                    school_id=pk,
                    work_id=form.cleaned_data["work"],
                    day=form.cleaned_data["date"],
                    reason=form.cleaned_data["reason"],
                )
            except ObjectDoesNotExist as exc:
                raise _not_found(exc) from exc
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    "Запрос резервного дня отправлен региональному координатору. "
                    "Решение появится на этой странице.",
                )
                return redirect("school-schedule", pk=pk)
        return render(request, self.template_name, {"form": form, "school": school})


class SchoolDateListView(ScopedViewMixin, View):
    """Chosen days of the schools in the actor's scope (coordinators' overview)."""

    api_routes = ("api-school-dates",)
    scoped_model = SchoolWorkDate
    action = A.VIEW_SCHEDULE

    def get(self, request: HttpRequest) -> HttpResponse:
        campaign = selectors.campaign_chosen(
            actor=self.actor, campaign_id=int_param(request.GET.get("campaign"))
        )
        q = request.GET.get("q", "")[:100]
        work_id = int_param(request.GET.get("work"))
        rows = selectors.school_date_list(
            actor=self.actor,
            campaign_id=campaign.pk if campaign else None,
            work_id=work_id,
            q=q,
        )
        listing = Listing(request, SCHOOL_DATE_COLUMNS, "date", page_size=PAGE_SIZE)
        listing.pin(campaign=campaign.pk if campaign else None)
        page = listing.paginate(rows)
        works = selectors.work_list(actor=self.actor, campaign_id=campaign.pk) if campaign else []
        ctx = {
            "listing": listing,
            "page_obj": page,
            "campaign": campaign,
            "campaigns": selectors.campaign_list(actor=self.actor),
            "works": works,
            "work_id": work_id,
            "q": q,
        }
        return render(request, "campaigns/school_date_list.html", ctx)


# --- reserve days -----------------------------------------------------------------------------


class ReserveDayListView(ScopedViewMixin, View):
    """Reserve-day requests in scope; the regional coordinator decides the pending ones."""

    api_routes = ("api-reserve-days",)
    scoped_model = ReserveDayRequest
    action = A.VIEW_RESERVE_DAYS

    def get(self, request: HttpRequest) -> HttpResponse:
        status = request.GET.get("status", "")
        if status not in ReserveDayRequest.Status.values:
            status = ""
        listing = Listing(
            request, RESERVE_DAY_COLUMNS, "-created", (Filter("campaign", "кампания"),), PAGE_SIZE
        )
        rows = selectors.reserve_day_list(
            actor=self.actor, status=status, campaign_id=listing.filters["campaign"]
        )
        page = listing.paginate(rows)
        ctx = {
            "listing": listing,
            "page_obj": page,
            "status": status,
            "statuses": ReserveDayRequest.Status.choices,
            "campaigns": selectors.campaign_list(actor=self.actor),
            "can_decide": self.actor.can(A.DECIDE_RESERVE_DAY),
        }
        return render(request, "campaigns/reserve_day_list.html", ctx)


class _ReserveDayPage(ScopedViewMixin, View):
    scoped_model = ReserveDayRequest
    action = A.VIEW_RESERVE_DAYS

    def render_page(self, request: HttpRequest, pk: int, form: forms.DecisionForm) -> HttpResponse:
        try:
            req = selectors.reserve_day_get(actor=self.actor, request_id=pk)
        except ReserveDayRequest.DoesNotExist as exc:
            raise _not_found(exc) from exc
        ctx = {
            "req": req,
            "form": form,
            "can_decide": self.actor.can(A.DECIDE_RESERVE_DAY)
            and req.status == ReserveDayRequest.Status.PENDING,
            "zone_label": time_zone_label(selectors.school_zone(req.school)),
        }
        return render(request, "campaigns/reserve_day_detail.html", ctx)


class ReserveDayDetailView(_ReserveDayPage):
    api_routes = ("api-reserve-day-detail",)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page(request, pk, forms.DecisionForm())


class ReserveDayDecideView(_ReserveDayPage):
    """POST: the regional coordinator of the school's region approves or rejects."""

    api_routes = ("api-reserve-day-decisions",)
    action = A.DECIDE_RESERVE_DAY

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = forms.DecisionForm(request.POST)
        if form.is_valid():
            try:
                req = services.reserve_day_decide(
                    actor=self.actor,
                    request_id=pk,
                    verdict=form.cleaned_data["verdict"],
                    comment=form.cleaned_data["comment"],
                )
            except ReserveDayRequest.DoesNotExist as exc:
                raise _not_found(exc) from exc
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Решение сохранено: {req.get_status_display()}.")
                return redirect("reserve-day-detail", pk=pk)
        return self.render_page(request, pk, form)
