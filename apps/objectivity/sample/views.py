"""Pages of the federal sample: the federal operator's draw and the sample (strata, schools,
publication of the federal scores); the sampled schools' cases as a school or a coordinator
sees them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import View

from apps.campaigns import selectors as campaigns
from apps.campaigns.models import Work
from apps.core.errors import DomainError
from apps.core.params import int_param
from apps.core.scoping import Level
from apps.objectivity.actions import ObjectivityActions as OA  # noqa: N817
from apps.objectivity.models import FederalSample, ReviewCase
from apps.objectivity.sample import selectors, services
from apps.registration.access import ScopedViewMixin


class DrawForm(forms.Form):
    works = forms.MultipleChoiceField(
        label="Работы", widget=forms.CheckboxSelectMultiple, required=False
    )
    share = forms.CharField(label="Доля ОО в каждом регионе, %", initial="10", max_length=10)
    min_per_region = forms.IntegerField(
        label="Не меньше ОО на регион",
        initial=1,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    seed = forms.IntegerField(
        label="Зерно выборки (необязательно)",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text="Пусто — новое случайное зерно; то же зерно и те же параметры дают ту же "
        "выборку.",
    )

    def __init__(self, *args: Any, works: list[Work], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["works"]
        field.choices = [(str(w.pk), f"{w.subject.name}, {w.grade} класс") for w in works]


def _works(view: ScopedViewMixin, campaign_id: int | None) -> list[Work]:
    if campaign_id is None:
        return []
    return list(
        campaigns.work_list(actor=view.actor, campaign_id=campaign_id)
        .select_related("subject")
        .order_by("subject__name", "grade")
    )


class SampleView(ScopedViewMixin, View):
    """The federal operator: the draw form of a campaign and the samples drawn."""

    api_routes = ("api-objectivity-samples",)

    scoped_model = FederalSample
    action = OA.DRAW_SAMPLE

    def _ctx(self, request: HttpRequest, form: DrawForm | None = None) -> dict[str, Any]:
        campaign = campaigns.campaign_chosen(
            actor=self.actor, campaign_id=int_param(request.GET.get("campaign"))
        )
        works = _works(self, campaign.pk if campaign else None)
        current = (
            selectors.sample_of_campaign(actor=self.actor, campaign_id=campaign.pk)
            if campaign
            else None
        )
        return {
            "campaign": campaign,
            "campaigns": campaigns.campaign_list(actor=self.actor),
            "form": form or DrawForm(works=works),
            "current": current,
            "samples": list(selectors.sample_list(actor=self.actor)),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "objectivity/sample/index.html", self._ctx(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        ctx = self._ctx(request)
        campaign = ctx["campaign"]
        works = _works(self, campaign.pk if campaign else None)
        form = DrawForm(request.POST, works=works)
        ctx["form"] = form
        if campaign is None or not form.is_valid():
            return render(request, "objectivity/sample/index.html", ctx, status=400)
        try:
            sample = services.sample_draw(
                actor=self.actor,
                campaign_id=campaign.pk,
                work_ids=[int(w) for w in form.cleaned_data["works"]],
                share=form.cleaned_data["share"],
                min_per_region=form.cleaned_data["min_per_region"],
                seed=form.cleaned_data["seed"],
            )
        except DomainError as exc:
            ctx["error"] = exc.message
            return render(request, "objectivity/sample/index.html", ctx, status=exc.status)
        strata = selectors.sample_strata(sample=sample)
        drawn = sum(w.drawn for w in strata)
        messages.success(
            request,
            f"Выборка проведена (зерно {sample.seed}): работ {len(strata)}, ОО в выборке по "
            f"всем работам — {drawn}.",
        )
        return redirect("objectivity-sample-detail", sample_id=sample.pk)


class SampleDetailView(ScopedViewMixin, View):
    """One sample: parameters, strata per work and region, the drawn schools and their state."""

    api_routes = ("api-objectivity-sample",)

    scoped_model = FederalSample
    action = OA.DRAW_SAMPLE

    def get(self, request: HttpRequest, sample_id: int) -> HttpResponse:
        try:
            sample = selectors.sample_get(actor=self.actor, sample_id=sample_id)
        except DomainError as exc:
            raise Http404 from exc
        ctx = {
            "sample": sample,
            "strata": selectors.sample_strata(sample=sample),
            "cases": list(selectors.federal_cases(actor=self.actor, sample_id=sample.pk)),
            "can_publish": self.actor.can(OA.PUBLISH_FEDERAL),
        }
        return render(request, "objectivity/sample/detail.html", ctx)


class SampleCasesView(ScopedViewMixin, View):
    """The works checked federally as the actor sees them: a school its own, a coordinator its
    unit's schools, the federal operator all."""

    api_routes = ("api-objectivity-federal-cases",)

    scoped_model = ReviewCase
    action = OA.VIEW_REVIEWS

    def get(self, request: HttpRequest) -> HttpResponse:
        cases = list(selectors.federal_cases(actor=self.actor))
        ctx = {
            "cases": cases,
            "school_id": self.actor.scope.school_id,
            "federal": self.actor.scope.level is Level.FEDERAL,
            "municipal": self.actor.scope.level is Level.MUNICIPALITY,
            "can_publish": self.actor.can(OA.PUBLISH_FEDERAL),
        }
        return render(request, "objectivity/sample/cases.html", ctx)


class PublishView(ScopedViewMixin, View):
    """POST: the federal scores of a sampled school's work become its official results."""

    api_routes = ("api-objectivity-federal-publish",)

    scoped_model = ReviewCase
    action = OA.PUBLISH_FEDERAL

    def post(self, request: HttpRequest, case_id: int) -> HttpResponse:
        case = self.get_queryset().select_related("review", "school").filter(pk=case_id).first()
        if case is None:
            raise Http404
        back = (
            redirect("objectivity-sample-detail", sample_id=case.review.sample_id)
            if case.review.sample_id
            else redirect("objectivity-sample-cases")
        )
        try:
            published = services.federal_publish(actor=self.actor, case_id=case.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            return back
        messages.success(
            request,
            f"Результаты ОО {case.school.code} по работе опубликованы: версия "
            f"{published.version_number}, выполняли {published.participants}, отсутствовали "
            f"{published.absent}.",
        )
        return back
