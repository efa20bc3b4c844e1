"""School-list reconciliation pages. Thin: parse, call one selector or service, render."""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import DetailView, ListView, View

from apps.core.imports import DISCARD
from apps.core.models import ImportBatch
from apps.core.params import int_param
from apps.core.scoping import Level
from apps.core.uploads import UploadError
from apps.registration import selectors
from apps.registration.access import A, Actor, ScopedViewMixin
from apps.registration.import_views import ImportActionView
from apps.registration.models import School
from apps.registration.reconciliation import selectors as reconciliation_selectors
from apps.registration.reconciliation import services as reconciliation_services
from apps.registration.reconciliation.imports import SCHOOL_LIST
from apps.registration.reconciliation.rules import KIND, OUTCOME_LABELS

PAGE_SIZE = 25


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Файл выверки (.xlsx)",
        error_messages={
            "required": "Выберите файл для загрузки.",
            "empty": "Файл пустой.",
            "invalid": "Не удалось получить файл. Выберите его ещё раз.",
        },
    )


def reconciles_own_unit(actor: Actor) -> bool:
    """Only coordinators reconcile, each the list of its own municipality or region."""
    return actor.can(A.RECONCILE_SCHOOLS) and actor.scope.level in (
        Level.REGION,
        Level.MUNICIPALITY,
    )


class ReconciliationListView(ScopedViewMixin, ListView):  # type: ignore[type-arg]
    """Every reconciliation upload the actor sees (the federal operator: all, by region)."""

    api_routes = ("api-school-list-batches",)

    scoped_model = ImportBatch
    action = A.VIEW_SCHOOL_CHANGES
    template_name = "registration/reconciliation/list.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self) -> QuerySet[ImportBatch]:
        return reconciliation_selectors.school_list_batch_list(
            actor=self.actor,
            region_id=int_param(self.request.GET.get("region")),
            status=self.request.GET.get("status", ""),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_reconcile"] = reconciles_own_unit(self.actor)
        ctx["form"] = UploadForm()
        ctx["statuses"] = ImportBatch.Status.choices
        ctx["status"] = self.request.GET.get("status", "")
        ctx["region"] = int_param(self.request.GET.get("region"))
        if self.actor.scope.level is Level.FEDERAL:
            ctx["regions"] = selectors.region_list(actor=self.actor)
        return ctx


class ReconciliationTemplateView(ScopedViewMixin, View):
    """The xlsx list of the coordinator's own unit to reconcile (the download is audited)."""

    api_routes = ("api-school-list-template",)

    scoped_model = School
    action = A.RECONCILE_SCHOOLS

    def get(self, request: HttpRequest) -> FileResponse:
        try:
            built = reconciliation_services.school_list_template(actor=self.actor)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        return FileResponse(io.BytesIO(built.content), as_attachment=True, filename=built.filename)


class ReconciliationUploadView(ScopedViewMixin, View):
    """Upload a reconciled list: a good file goes to its preview, a bad one shows every error."""

    api_routes = ("api-school-list-batches",)

    scoped_model = ImportBatch
    action = A.RECONCILE_SCHOOLS
    template_name = "registration/reconciliation/upload.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": UploadForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        upload = form.cleaned_data["file"]
        try:
            batch = reconciliation_services.school_list_import_upload(
                actor=self.actor, file=upload, name=upload.name, size=upload.size
            )
        except UploadError as exc:  # a file with rejected rows carries the preview of each row
            ctx = {
                "form": UploadForm(),
                "file_name": upload.name,
                "errors": exc.errors,
                "preview": exc.context.get("preview"),
                "labels": OUTCOME_LABELS,
            }
            return render(request, self.template_name, ctx, status=400)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        messages.info(request, "Файл принят. Проверьте изменения и подтвердите их.")
        return redirect("reconciliation-detail", pk=batch.pk)


class ReconciliationDetailView(ScopedViewMixin, DetailView):  # type: ignore[type-arg]
    """One upload with its preview (what will change, or what changed once applied)."""

    api_routes = ("api-school-list-batch-detail",)

    scoped_model = ImportBatch
    action = A.VIEW_SCHOOL_CHANGES
    template_name = "registration/reconciliation/detail.html"
    context_object_name = "batch"

    def get_object(self, queryset: QuerySet[ImportBatch] | None = None) -> ImportBatch:
        try:
            return reconciliation_selectors.school_list_batch_get(
                actor=self.actor, batch_id=self.kwargs["pk"]
            )
        except ImportBatch.DoesNotExist as exc:
            raise Http404 from exc

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        batch: ImportBatch = self.object
        ctx["is_reconciliation"] = batch.kind == KIND
        ctx["preview"] = batch.preview if batch.kind == KIND else None
        ctx["can_apply"] = (
            batch.kind == KIND
            and batch.status == ImportBatch.Status.PREVIEW
            and self.actor.can(A.RECONCILE_SCHOOLS)
        )
        ctx["labels"] = OUTCOME_LABELS
        return ctx


class ReconciliationApplyView(ImportActionView):
    """Apply a previewed upload (POST only); applying twice changes nothing."""

    api_routes = ("api-school-list-batch-apply",)

    kind = SCHOOL_LIST
    detail_url = "reconciliation-detail"


class ReconciliationDiscardView(ImportActionView):
    """Cancel a previewed upload (POST only); nothing is changed."""

    api_routes = ("api-school-list-batch-discard",)

    kind = SCHOOL_LIST
    operation = DISCARD
    detail_url = "reconciliation-detail"
