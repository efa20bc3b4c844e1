"""The class register pages: a school's register (the organizer edits, the tech reads), its
xlsx template and upload with preview, and the coordinators' summary of their unit."""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import View

from apps.classes.actions import ClassActions as A
from apps.classes.models import MAX_CLASS_NUMBER, MAX_PUPILS, SchoolClass
from apps.classes.register import selectors, services
from apps.classes.register.exports import register_template, summary_workbook
from apps.classes.register.imports import CLASS_REGISTER, OUTCOME_LABELS
from apps.classes.register.rules import ClassInput
from apps.core.errors import DomainError
from apps.core.imports import APPLY, DISCARD
from apps.core.models import ImportBatch
from apps.core.params import int_param
from apps.core.uploads import UploadError
from apps.registration.access import ScopedViewMixin
from apps.registration.import_views import ImportActionView
from apps.registration.models import School


def _int(label: str, *, required: bool = True, low: int = 0, high: int = 100) -> Any:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=low,
        max_value=high,
        error_messages={
            "required": f"Заполните поле «{label}».",
            "invalid": f"«{label}» — целое число.",
            "min_value": f"«{label}» — не меньше {low}.",
            "max_value": f"«{label}» — не больше {high}.",
        },
    )


class ClassForm(forms.Form):
    """Shapes and types only; the rules (and their messages) are in the services."""

    grade = forms.TypedChoiceField(
        label="Параллель",
        coerce=int,
        choices=[],
        error_messages={
            "required": "Выберите параллель.",
            "invalid_choice": "Выберите параллель кампании из списка.",
        },
    )
    letter = forms.CharField(
        label="Литера",
        max_length=8,
        error_messages={
            "required": "Заполните поле «Литера».",
            "max_length": "Литера — не длиннее 8 знаков.",
        },
    )
    number = _int("Порядковый номер класса", required=False, low=1, high=MAX_CLASS_NUMBER)
    pupils = _int("Обучающихся", low=1, high=MAX_PUPILS)
    pupils_ovz = _int("Из них с ОВЗ", required=False, low=0, high=MAX_PUPILS)

    def __init__(self, *args: Any, grades: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [(g, f"{g} класс") for g in grades]  # type: ignore[attr-defined]

    def to_input(self) -> ClassInput:
        data = self.cleaned_data
        return ClassInput(
            grade=data["grade"],
            letter=data["letter"],
            number=data.get("number"),
            pupils=data["pupils"],
            pupils_ovz=data.get("pupils_ovz") or 0,
        )

    @staticmethod
    def initial_from(school_class: SchoolClass) -> dict[str, Any]:
        return {
            "grade": school_class.grade,
            "letter": school_class.letter,
            "number": school_class.number,
            "pupils": school_class.pupils,
            "pupils_ovz": school_class.pupils_ovz,
        }


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Файл реестра классов (.xlsx)",
        error_messages={
            "required": "Выберите файл для загрузки.",
            "empty": "Файл пустой.",
            "invalid": "Не удалось получить файл. Выберите его ещё раз.",
        },
    )


def _download(content: bytes, filename: str) -> FileResponse:
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename)


def _register_url(school_id: int, campaign_id: int | None) -> str:
    url = reverse("class-register", args=[school_id])
    return f"{url}?campaign={campaign_id}" if campaign_id else url


class ClassRegisterView(ScopedViewMixin, View):
    """A school's classes with the works each writes; forms for the organizer."""

    api_routes = ("api-class-list",)

    scoped_model = SchoolClass
    action = A.VIEW_CLASSES

    def render_page(
        self,
        request: HttpRequest,
        school_id: int,
        *,
        form: ClassForm | None = None,
        upload_errors: list[Any] | None = None,
        file_name: str = "",
        status: int = 200,
    ) -> HttpResponse:
        try:
            register = selectors.school_register(
                actor=self.actor,
                school_id=school_id,
                campaign_id=int_param(request.GET.get("campaign") or request.POST.get("campaign")),
            )
        except School.DoesNotExist as exc:
            raise Http404 from exc
        can_edit = (
            self.actor.can(A.EDIT_CLASSES)
            and register.campaign is not None
            and register.campaign.is_active
        )
        ctx = {
            "register": register,
            "campaigns": selectors.campaign_list(actor=self.actor),
            "can_edit": can_edit,
            "form": form or ClassForm(grades=register.grades),
            "upload_form": UploadForm(),
            "upload_errors": upload_errors,
            "file_name": file_name,
        }
        return render(request, "classes/register/register.html", ctx, status=status)

    def get(self, request: HttpRequest, school_id: int) -> HttpResponse:
        return self.render_page(request, school_id)


class ClassCreateView(ClassRegisterView):
    """POST: add a class; back to the register (or the page with the form's errors)."""

    api_routes = ("api-class-list",)

    action = A.EDIT_CLASSES

    def post(self, request: HttpRequest, school_id: int) -> HttpResponse:
        campaign_id = int_param(request.POST.get("campaign"))
        grades = []
        campaign = selectors.campaign_for_page(actor=self.actor, campaign_id=campaign_id)
        if campaign is not None:
            grades = selectors.grades_of(campaign)
        form = ClassForm(request.POST, grades=grades)
        if form.is_valid():
            try:
                created = services.class_create(
                    actor=self.actor,
                    school_id=school_id,
                    data=form.to_input(),
                    campaign_id=campaign_id,
                )
            except School.DoesNotExist as exc:
                raise Http404 from exc
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, f"Класс {created.label} добавлен (порядковый номер {created.number})."
                )
                return redirect(_register_url(school_id, created.campaign_id))
        return self.render_page(request, school_id, form=form, status=400)


class ClassEditView(ScopedViewMixin, View):
    """One class's form (the organizer): GET shows it, POST saves it."""

    api_routes = ("api-class-detail",)

    scoped_model = SchoolClass
    action = A.EDIT_CLASSES

    def _class(self, pk: int) -> SchoolClass:
        try:
            return selectors.class_get(actor=self.actor, class_id=pk, action=A.EDIT_CLASSES)
        except SchoolClass.DoesNotExist as exc:
            raise Http404 from exc

    def _render(
        self, request: HttpRequest, school_class: SchoolClass, form: ClassForm, status: int = 200
    ) -> HttpResponse:
        ctx = {"school_class": school_class, "form": form}
        return render(request, "classes/register/edit.html", ctx, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        school_class = self._class(pk)
        grades = selectors.grades_of(school_class.campaign)
        form = ClassForm(initial=ClassForm.initial_from(school_class), grades=grades)
        return self._render(request, school_class, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        school_class = self._class(pk)
        form = ClassForm(request.POST, grades=selectors.grades_of(school_class.campaign))
        if form.is_valid():
            try:
                saved = services.class_update(actor=self.actor, class_id=pk, data=form.to_input())
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Класс {saved.label} сохранён.")
                return redirect(_register_url(saved.school_id, saved.campaign_id))
        return self._render(request, school_class, form, status=400)


class ClassRemoveView(ScopedViewMixin, View):
    """POST: remove a class from the register (refused once a work has a day)."""

    api_routes = ("api-class-detail",)

    scoped_model = SchoolClass
    action = A.EDIT_CLASSES

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            school_class = selectors.class_get(actor=self.actor, class_id=pk, action=self.action)
        except SchoolClass.DoesNotExist as exc:
            raise Http404 from exc
        back = _register_url(school_class.school_id, school_class.campaign_id)
        try:
            removed = services.class_remove(actor=self.actor, class_id=pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if removed.outcome == services.DEACTIVATED:
                text = f"Класс {removed.label} убран из реестра и сохранён в истории."
            else:
                text = f"Класс {removed.label} удалён из реестра."
            messages.success(request, text)
        return redirect(back)


class ClassRegisterTemplateView(ScopedViewMixin, View):
    """The school's register as the xlsx file the upload takes back."""

    api_routes = ("api-class-register-template",)

    scoped_model = SchoolClass
    action = A.VIEW_CLASSES

    def get(self, request: HttpRequest, school_id: int) -> FileResponse:
        try:
            register = selectors.school_register(
                actor=self.actor,
                school_id=school_id,
                campaign_id=int_param(request.GET.get("campaign")),
            )
        except School.DoesNotExist as exc:
            raise Http404 from exc
        content, filename = register_template(register)
        return _download(content, filename)


class ClassRegisterUploadView(ClassRegisterView):
    """POST a register file: a good one goes to its preview; errors are listed on the page."""

    api_routes = ("api-class-register-upload",)

    action = A.EDIT_CLASSES

    def post(self, request: HttpRequest, school_id: int) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            errors = [e for field in form.errors.values() for e in field]
            for error in errors:
                messages.error(request, str(error))
            return self.render_page(request, school_id, status=400)
        upload = form.cleaned_data["file"]
        try:
            batch = services.class_register_import_upload(
                actor=self.actor,
                school_id=school_id,
                campaign_id=int_param(request.POST.get("campaign")),
                name=upload.name or "",
                file=upload,
                size=upload.size or 0,
            )
        except School.DoesNotExist as exc:
            raise Http404 from exc
        except UploadError as exc:
            return self.render_page(
                request, school_id, upload_errors=exc.errors, file_name=upload.name, status=400
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return self.render_page(request, school_id, status=exc.status)
        messages.info(request, "Файл принят. Проверьте изменения и подтвердите их.")
        return redirect("class-register-import", pk=batch.pk)


class ClassRegisterImportView(ScopedViewMixin, View):
    """One register upload with its preview (what will change, or what changed)."""

    api_routes = ("api-class-register-import",)

    scoped_model = ImportBatch
    action = A.EDIT_CLASSES

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            batch = ImportBatch.objects.for_actor(self.actor, self.action).get(pk=pk)
        except ImportBatch.DoesNotExist as exc:
            raise Http404 from exc
        ours = CLASS_REGISTER.owns(batch)
        ctx = {
            "batch": batch,
            "ours": ours,
            "preview": batch.preview if ours else None,
            "labels": OUTCOME_LABELS,
            "can_apply": ours and batch.status == ImportBatch.Status.PREVIEW,
        }
        return render(request, "classes/register/import_detail.html", ctx)


class ClassRegisterApplyView(ImportActionView):
    api_routes = ("api-class-register-apply",)
    kind = CLASS_REGISTER
    operation = APPLY
    detail_url = "class-register-import"


class ClassRegisterDiscardView(ImportActionView):
    api_routes = ("api-class-register-discard",)
    kind = CLASS_REGISTER
    operation = DISCARD
    detail_url = "class-register-import"


# --- the coordinators' summary ------------------------------------------------------------------


class ClassRegisterSummaryView(ScopedViewMixin, View):
    """Classes and pupils (ОВЗ) per grade for each school (and municipality) of the unit."""

    api_routes = ("api-class-summary",)

    scoped_model = SchoolClass
    action = A.VIEW_CLASSES

    def get(self, request: HttpRequest) -> HttpResponse:
        summary = selectors.register_summary(
            actor=self.actor, campaign_id=int_param(request.GET.get("campaign"))
        )
        ctx = {
            "summary": summary,
            "campaigns": selectors.campaign_list(actor=self.actor),
        }
        return render(request, "classes/register/summary.html", ctx)


class ClassRegisterSummaryXlsxView(ClassRegisterSummaryView):
    """The summary as an xlsx file."""

    api_routes = ("api-class-summary-export",)

    def get(self, request: HttpRequest) -> FileResponse:  # type: ignore[override]
        summary = selectors.register_summary(
            actor=self.actor, campaign_id=int_param(request.GET.get("campaign"))
        )
        return _download(*summary_workbook(summary))
