"""School profile pages: the school fills its own; coordinators see who has filled it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import ListView, View

from apps.core.params import int_param
from apps.core.scoping import Level
from apps.registration import selectors
from apps.registration.access import A, ScopedViewMixin
from apps.registration.constants import SchoolType
from apps.registration.models import School, SchoolProfile, SettlementType
from apps.registration.profile import selectors as profile_selectors
from apps.registration.profile import services as profile_services
from apps.registration.profile.services import (
    GradeCount,
    ProfileInput,
    grade_field,
    profile_grades,
)

PAGE_SIZE = 25


def _required(label: str) -> dict[str, str]:
    return {
        "required": f"Заполните поле «{label}».",
        "invalid_choice": "Выберите значение из списка.",
    }


class ProfileForm(forms.Form):
    """Shapes and types only; the rules (and their messages) are in profile_services."""

    school_type = forms.ChoiceField(
        label="Тип ОО", choices=SchoolType.choices, error_messages=_required("Тип ОО")
    )
    settlement_type = forms.ChoiceField(
        label="Тип населённого пункта",
        choices=[("", "— выберите —"), *SettlementType.choices],
        error_messages=_required("Тип населённого пункта"),
    )
    address = forms.CharField(
        label="Адрес ОО", max_length=500, error_messages=_required("Адрес ОО")
    )
    director_name = forms.CharField(
        label="ФИО руководителя ОО", max_length=300, error_messages=_required("ФИО руководителя")
    )
    phone = forms.CharField(label="Телефон ОО", max_length=50, error_messages=_required("Телефон"))
    email = forms.CharField(
        label="Электронная почта ОО", max_length=254, error_messages=_required("Электронная почта")
    )
    time_zone_confirmed = forms.BooleanField(label="Часовой пояс ОО указан верно", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grades = profile_grades()
        for grade in self.grades:
            for part, label in (("classes", "классов"), ("pupils", "обучающихся")):
                self.fields[grade_field(grade, part)] = forms.IntegerField(
                    label=f"{grade} класс: {label}",
                    required=False,
                    min_value=0,
                    max_value=100_000,
                    error_messages={
                        "invalid": f"{grade} класс: введите число {label} целым числом.",
                        "min_value": f"{grade} класс: число {label} не может быть меньше 0.",
                        "max_value": f"{grade} класс: слишком большое число {label}.",
                    },
                )

    def to_input(self) -> ProfileInput:
        """The entered values; after a failed validation, the valid ones (blanks elsewhere)."""
        data = self.cleaned_data
        return ProfileInput(
            school_type=data.get("school_type", ""),
            settlement_type=data.get("settlement_type", ""),
            address=data.get("address", ""),
            director_name=data.get("director_name", ""),
            phone=data.get("phone", ""),
            email=data.get("email", ""),
            time_zone_confirmed=bool(data.get("time_zone_confirmed")),
            grades={
                g: GradeCount(
                    classes=data.get(grade_field(g, "classes")) or 0,
                    pupils=data.get(grade_field(g, "pupils")) or 0,
                )
                for g in self.grades
            },
        )

    @staticmethod
    def initial_from(data: ProfileInput) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "school_type": data.school_type,
            "settlement_type": data.settlement_type,
            "address": data.address,
            "director_name": data.director_name,
            "phone": data.phone,
            "email": data.email,
            "time_zone_confirmed": data.time_zone_confirmed,
        }
        for g, count in data.grades.items():
            initial[grade_field(g, "classes")] = count.classes
            initial[grade_field(g, "pupils")] = count.pupils
        return initial

    def grade_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (g, self[grade_field(g, "classes")], self[grade_field(g, "pupils")])
            for g in self.grades
        ]


class SchoolProfileEditView(ScopedViewMixin, View):
    """The school's own profile form (organizer or technical specialist)."""

    api_routes = ("api-own-school-profile",)

    scoped_model = SchoolProfile
    action = A.EDIT_PROFILE
    template_name = "registration/profile/edit.html"

    def _school(self) -> tuple[School, SchoolProfile | None]:
        try:
            return profile_selectors.school_profile_get(
                actor=self.actor, school_id=self.actor.scope.school_id or 0
            )
        except School.DoesNotExist as exc:
            raise Http404 from exc

    def _render(
        self, request: HttpRequest, form: ProfileForm, school: School, profile: Any, status: int
    ) -> HttpResponse:
        ctx = {"form": form, "school": school, "profile": profile}
        return render(request, self.template_name, ctx, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        school, profile = self._school()
        data = (
            ProfileInput.from_profile(profile)
            if profile is not None
            else profile_services.school_profile_initial(school)
        )
        return self._render(
            request, ProfileForm(initial=ProfileForm.initial_from(data)), school, profile, 200
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        school, profile = self._school()
        form = ProfileForm(request.POST)
        if not form.is_valid():
            # Show the rules' messages too, for the fields that passed the shape checks
            # (a grade with a broken cell says nothing about "no grades at all").
            broken_grades = any(k.startswith(("classes_", "pupils_")) for k in form.errors)
            for key, problems in profile_services.profile_errors(form.to_input()).items():
                if key in form.errors or (key == "grades" and broken_grades):
                    continue
                form.add_error(key if key in form.fields else None, problems)
        else:
            try:
                profile_services.school_profile_save(actor=self.actor, data=form.to_input())
            except ValidationError as exc:
                for key, problems in exc.message_dict.items():
                    form.add_error(key if key in form.fields else None, problems)
            else:
                messages.success(request, "Опросный лист сохранён.")
                return redirect("school-profile", pk=school.pk)
        return self._render(request, form, school, profile, 400)


class SchoolProfileView(ScopedViewMixin, View):
    """A school's profile as filled (read-only); 404 for a school outside the actor's scope."""

    api_routes = ("api-school-profile",)

    scoped_model = School
    action = A.VIEW_PROFILE
    template_name = "registration/profile/detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            school, profile = profile_selectors.school_profile_get(actor=self.actor, school_id=pk)
        except School.DoesNotExist as exc:
            raise Http404 from exc
        grades = []
        if profile is not None:
            for g in profile_grades():
                count = profile.grades.get(g, {})
                grades.append((g, count.get("classes", 0), count.get("pupils", 0)))
        ctx = {
            "school": school,
            "profile": profile,
            "grades": grades,
            "can_edit": self.actor.can(A.EDIT_PROFILE) and self.actor.scope.school_id == school.pk,
        }
        return render(request, self.template_name, ctx)


class SchoolProfileListView(ScopedViewMixin, ListView):  # type: ignore[type-arg]
    """Coordinators: which active schools of their unit have filled the profile."""

    api_routes = ("api-school-profiles",)

    scoped_model = School
    action = A.VIEW_PROFILES
    template_name = "registration/profile/list.html"
    paginate_by = PAGE_SIZE

    def _filters(self) -> dict[str, Any]:
        get = self.request.GET
        filled = {"yes": True, "no": False}.get(get.get("filled", ""))
        return {
            "filled": filled,
            "q": get.get("q", "")[:100],
            "region_id": int_param(get.get("region")),
            "municipality_id": int_param(get.get("municipality")),
        }

    def get_queryset(self) -> QuerySet[School]:
        return profile_selectors.school_profile_list(actor=self.actor, **self._filters())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        f = self._filters()
        ctx["totals"] = profile_selectors.school_profile_totals(
            actor=self.actor, region_id=f["region_id"], municipality_id=f["municipality_id"]
        )
        ctx["q"] = f["q"]
        ctx["filled"] = self.request.GET.get("filled", "")
        ctx["municipality"] = f["municipality_id"]
        ctx["region"] = f["region_id"]
        level = self.actor.scope.level
        if level is Level.FEDERAL:
            ctx["regions"] = selectors.region_list(actor=self.actor)
        # Municipalities to pick from: the region's (chosen by the federal operator).
        if level is Level.REGION or (level is Level.FEDERAL and f["region_id"]):
            ctx["municipalities"] = selectors.municipality_list(
                actor=self.actor, region_id=f["region_id"]
            )
        return ctx
