"""Assignment pages: the federal configuration and run of a campaign; the distribution of the
works over the classes of a unit for coordinators (and its xlsx export)."""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import View

from apps.campaigns import grades as campaign_grades
from apps.campaigns import selectors as campaign_selectors
from apps.campaigns.models import Campaign, Participation, Work
from apps.classes.assignment import selectors, services
from apps.classes.models import AssignmentRun, ClassWork
from apps.core.errors import DomainError
from apps.core.params import int_param
from apps.registration.access import A, ScopedViewMixin

GRADES = range(campaign_grades.MIN_GRADE, campaign_grades.MAX_GRADE + 1)


def _campaign(view: ScopedViewMixin, campaign_id: int) -> Campaign:
    try:
        return view.get_queryset().get(pk=campaign_id)  # type: ignore[no-any-return]
    except Campaign.DoesNotExist as exc:
        raise Http404("Кампания не найдена.") from exc


def _count_field(grade: int) -> str:
    return f"count_{grade}"


def _take_field(grade: int) -> str:
    return f"take_{grade}"


class GradesForm(forms.Form):
    """Which grades take part and how many subjects the assignment adds (shapes only)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for g in GRADES:
            self.fields[_take_field(g)] = forms.BooleanField(
                label=f"{g} класс участвует", required=False
            )
            self.fields[_count_field(g)] = forms.IntegerField(
                label=f"{g} класс: предметов по распределению",
                required=False,
                min_value=0,
                max_value=campaign_grades.MAX_ASSIGNED,
                error_messages={
                    "invalid": f"{g} класс: число предметов — целое число.",
                    "min_value": f"{g} класс: число предметов не может быть меньше 0.",
                    "max_value": (
                        f"{g} класс: число предметов не больше {campaign_grades.MAX_ASSIGNED}."
                    ),
                },
            )

    def grades(self) -> dict[int, int]:
        data = self.cleaned_data
        return {g: data.get(_count_field(g)) or 0 for g in GRADES if data.get(_take_field(g))}

    def rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [(g, self[_take_field(g)], self[_count_field(g)]) for g in GRADES]


class RunForm(forms.Form):
    seed = forms.IntegerField(
        label="Зерно распределения",
        required=False,
        min_value=0,
        max_value=services.MAX_SEED,
        help_text="Оставьте пустым: портал выберет случайное и запишет его.",
        error_messages={
            "invalid": "Зерно распределения — целое число.",
            "min_value": "Зерно распределения не может быть отрицательным.",
            "max_value": "Зерно распределения слишком большое.",
        },
    )
    publish_on = forms.DateField(
        label="Публикация для ОО",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Укажите дату публикации распределения для ОО.",
            "invalid": "Укажите дату публикации в формате ДД.ММ.ГГГГ.",
        },
    )


def _form_errors(form: forms.Form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


class AssignmentConfigView(ScopedViewMixin, View):
    """Per grade: the compulsory and assigned works, the count per class, the pool check; the
    federal operator edits the grades and each work's participation."""

    api_routes = ("api-assignment-config", "api-assignment-work")

    scoped_model = Campaign
    action = A.MANAGE_CAMPAIGNS
    template_name = "classes/assignment/config.html"

    def get(self, request: HttpRequest, campaign_id: int) -> HttpResponse:
        campaign = _campaign(self, campaign_id)
        grades = campaign_grades.campaign_grades(
            actor=self.actor, campaign_id=campaign.pk, action=self.action
        )
        initial: dict[str, Any] = {}
        for g, n in grades.items():
            initial[_take_field(g)] = True
            initial[_count_field(g)] = n
        return self.page(request, campaign, GradesForm(initial=initial))

    def page(self, request: HttpRequest, campaign: Campaign, form: GradesForm) -> HttpResponse:
        configs = campaign_grades.grade_config_list(
            actor=self.actor, campaign_id=campaign.pk, action=self.action
        )
        works = (
            Work.objects.for_actor(self.actor, self.action)
            .filter(campaign=campaign)
            .select_related("subject")
            .order_by("grade", "subject__name")
        )
        return render(
            request,
            self.template_name,
            {
                "campaign": campaign,
                "configs": configs,
                "form": form,
                "works": works,
                "participations": Participation.choices,
                "usage": campaign_grades.grade_usage(campaign.pk),
            },
        )

    def post(self, request: HttpRequest, campaign_id: int) -> HttpResponse:
        campaign = _campaign(self, campaign_id)
        if request.POST.get("op") == "works":
            return self.post_works(request, campaign)
        form = GradesForm(request.POST)
        if not form.is_valid():
            messages.error(request, f"Параллели не сохранены: {_form_errors(form)}")
            return self.page(request, campaign, form)
        try:
            campaign_grades.campaign_grades_save(
                actor=self.actor, campaign_id=campaign.pk, grades=form.grades()
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return self.page(request, campaign, form)
        messages.success(request, "Параллели кампании сохранены.")
        return redirect("assignment-config", campaign_id=campaign.pk)

    def post_works(self, request: HttpRequest, campaign: Campaign) -> HttpResponse:
        works = Work.objects.for_actor(self.actor, self.action).filter(campaign=campaign)
        changed = 0
        try:
            for work in works.order_by("grade", "pk"):
                participation = request.POST.get(f"participation_{work.pk}")
                if participation is None:
                    continue
                computer = request.POST.get(f"computer_{work.pk}") == "on"
                if (participation, computer) == (work.participation, work.computer_allowed):
                    continue
                campaign_grades.work_participation_set(
                    actor=self.actor,
                    work_id=work.pk,
                    participation=participation,
                    computer_allowed=computer,
                )
                changed += 1
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Изменено работ: {changed}.")
        return redirect("assignment-config", campaign_id=campaign.pk)


class AssignmentRunView(ScopedViewMixin, View):
    """Run the assignment with a seed (shown), see its stats and spread, publish it."""

    api_routes = ("api-assignment-runs", "api-assignment-publish")

    scoped_model = Campaign
    action = A.RUN_ASSIGNMENT
    template_name = "classes/assignment/run.html"

    def get(self, request: HttpRequest, campaign_id: int) -> HttpResponse:
        campaign = _campaign(self, campaign_id)
        return self.page(request, campaign, None)

    def page(self, request: HttpRequest, campaign: Campaign, form: RunForm | None) -> HttpResponse:
        runs = selectors.run_list(actor=self.actor, campaign_id=campaign.pk)
        latest = runs[0] if runs else None
        default_day = selectors.default_publish_on(actor=self.actor, campaign_id=campaign.pk)
        if form is None:
            form = RunForm(
                initial={
                    "seed": latest.seed if latest else None,
                    "publish_on": latest.publish_on if latest else default_day,
                }
            )
        works = {
            str(w.pk): w.subject.name
            for w in Work.objects.for_actor(self.actor, self.action)
            .filter(campaign=campaign)
            .select_related("subject")
        }
        grades = []
        if latest is not None:
            for grade, s in latest.stats.get("grades", {}).items():
                grades.append(
                    {
                        "grade": grade,
                        **s,
                        "works": sorted(
                            ((works.get(w, w), n) for w, n in s.get("works", {}).items()),
                        ),
                    }
                )
        return render(
            request,
            self.template_name,
            {
                "campaign": campaign,
                "runs": runs,
                "latest": latest,
                "published": latest is not None and latest.status == AssignmentRun.Status.PUBLISHED,
                "grades": grades,
                "form": form,
                "default_day": default_day,
                "configs": campaign_grades.grade_config_list(
                    actor=self.actor, campaign_id=campaign.pk, action=self.action
                ),
            },
        )

    def post(self, request: HttpRequest, campaign_id: int) -> HttpResponse:
        campaign = _campaign(self, campaign_id)
        form = RunForm(request.POST)
        op = request.POST.get("op", "run")
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return self.page(request, campaign, form)
        try:
            if op == "publish":
                latest = selectors.run_latest(actor=self.actor, campaign_id=campaign.pk)
                if latest is None:
                    messages.error(request, "Сначала выполните распределение.")
                    return self.page(request, campaign, form)
                services.assignment_publish(
                    actor=self.actor, run_id=latest.pk, publish_on=form.cleaned_data["publish_on"]
                )
                messages.success(request, "Распределение опубликовано.")
            else:
                run = services.assignment_run(
                    actor=self.actor,
                    campaign_id=campaign.pk,
                    seed=form.cleaned_data["seed"],
                    publish_on=form.cleaned_data["publish_on"],
                )
                messages.success(request, f"Распределение выполнено, зерно {run.seed}.")
        except DomainError as exc:
            messages.error(request, exc.message)
            return self.page(request, campaign, form)
        return redirect("assignment-run", campaign_id=campaign.pk)


class _DistributionMixin(ScopedViewMixin):
    scoped_model = ClassWork
    action = A.VIEW_DISTRIBUTION

    def found(self, request: HttpRequest) -> selectors.Distribution | None:
        campaign = campaign_selectors.campaign_chosen(
            actor=self.actor, campaign_id=int_param(request.GET.get("campaign"))
        )
        if campaign is None:
            return None
        try:
            return selectors.distribution(
                actor=self.actor,
                campaign_id=campaign.pk,
                region_id=int_param(request.GET.get("region")),
                municipality_id=int_param(request.GET.get("municipality")),
            )
        except ObjectDoesNotExist as exc:
            raise Http404("Объект не найден.") from exc


class DistributionView(_DistributionMixin, View):
    """Classes and pupils per grade and work in the actor's unit, with drill-down."""

    api_routes = ("api-class-distribution",)

    def get(self, request: HttpRequest) -> HttpResponse:
        found = self.found(request)
        params = request.GET.copy()
        return render(
            request,
            "classes/assignment/distribution.html",
            {
                "found": found,
                "campaign": found.campaign if found else None,
                "campaigns": campaign_selectors.campaign_list(actor=self.actor),
                "export_url": reverse("class-distribution-export") + "?" + params.urlencode(),
                "place": self.actor.unit,
            },
        )


class DistributionExportView(_DistributionMixin, View):
    """The distribution of the actor's unit as xlsx (audited)."""

    api_routes = ("api-class-distribution-export",)

    def get(self, request: HttpRequest) -> FileResponse:
        found = self.found(request)
        if found is None:
            raise Http404("Кампания не найдена.")
        try:
            filename, content = services.distribution_export(
                actor=self.actor,
                campaign_id=found.campaign.pk,
                region_id=found.region.pk if found.region else None,
                municipality_id=found.municipality.pk if found.municipality else None,
            )
        except ObjectDoesNotExist as exc:
            raise Http404("Объект не найден.") from exc
        return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename)
