"""Scan pages. Thin: parse, call one selector or service, render or redirect.

The school's «Сканы работ» per work: the upload form, the codes to type (the code box cut out of
each booklet's first page, one after another: Enter saves and shows the next), the uploads with
their reports. A coordinator opens the same page for a school of its unit.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import View

from apps.core.downloads import NO_STORE
from apps.core.errors import DomainError
from apps.core.params import int_param
from apps.objectivity.actions import ObjectivityActions as A
from apps.objectivity.models import Booklet, ScanBatch, ScanPage
from apps.objectivity.scans import constants, selectors, services
from apps.objectivity.scans.forms import BookletCodeForm, ScanUploadForm
from apps.registration.access import ScopedViewMixin
from apps.registration.models import School


def work_context(view: ScopedViewMixin, school_id: int, work_id: int) -> dict[str, Any]:
    """Everything the page of one school × work shows (404 outside the actor's scope)."""
    actor = view.actor
    try:
        school = selectors.school_get(actor=actor, school_id=school_id)
        work = selectors.work_get(actor=actor, work_id=work_id)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    batches = list(selectors.batches(actor=actor, school_id=school.pk, work_id=work.pk))
    found = selectors.identification(actor=actor, school_id=school.pk, work_id=work.pk)
    latest = next((b for b in batches if b.status == ScanBatch.Status.DONE), None)
    return {
        "school": school,
        "place": school,
        "work": work,
        "title": selectors.work_title(work),
        "has_kit": selectors.has_kit(actor=actor, school=school, work=work),
        "can_upload": actor.can(A.UPLOAD_SCANS),
        "can_identify": actor.can(A.IDENTIFY_BOOKLETS),
        "upload_form": ScanUploadForm(),
        "accept": constants.ACCEPT,
        "limit_mb": constants.max_upload_bytes() // (1024 * 1024),
        "batches": batches,
        "pending": any(b.status in (b.Status.QUEUED, b.Status.PROCESSING) for b in batches),
        "latest": latest,
        "latest_booklets": selectors.booklets_of(actor=actor, batch=latest) if latest else [],
        "latest_problems": selectors.problems(latest) if latest else [],
        "identification": found,
    }


def _pick(view: ScopedViewMixin, ctx: dict[str, Any], booklet_id: int | None) -> None:
    """The booklet whose code box the page shows: the one asked for, else the first waiting."""
    found: selectors.Identification = ctx["identification"]
    booklet = found.current
    page = found.first_pages.get(booklet.pk) if booklet else None
    if booklet_id is not None:
        try:
            chosen = selectors.booklet_get(actor=view.actor, booklet_id=booklet_id)
        except Booklet.DoesNotExist:
            chosen = None
        if (
            chosen is not None
            and chosen.school_id == ctx["school"].pk
            and chosen.work_id == ctx["work"].pk
            and chosen.status != Booklet.Status.SUPERSEDED
        ):
            booklet = chosen
            page = selectors.first_page(actor=view.actor, booklet=chosen)
    ctx["booklet"] = booklet
    ctx["booklet_page"] = page
    ctx["code_form"] = BookletCodeForm(initial={"code": booklet.code if booklet else ""})
    ctx["waiting_total"] = len(found.waiting)


class UnitScansView(ScopedViewMixin, View):
    """The latest uploads of scans in the actor's unit (coordinators), newest first."""

    api_routes = ("api-objectivity-scans-unit",)

    scoped_model = ScanBatch
    action = A.VIEW_SCANS

    def get(self, request: HttpRequest) -> HttpResponse:
        if self.actor.scope.school_id:
            return redirect("objectivity-scans-school", school_id=self.actor.scope.school_id)
        return render(
            request,
            "objectivity/scans/unit.html",
            {"batches": selectors.unit_batches(actor=self.actor)},
        )


class SchoolScansView(ScopedViewMixin, View):
    """A school's works with kits and the state of their scans."""

    api_routes = ("api-objectivity-scans-school",)

    scoped_model = School
    action = A.VIEW_SCANS

    def get(self, request: HttpRequest, school_id: int) -> HttpResponse:
        try:
            school = selectors.school_get(actor=self.actor, school_id=school_id)
        except School.DoesNotExist as exc:
            raise Http404 from exc
        return render(
            request,
            "objectivity/scans/school.html",
            {
                "school": school,
                "place": school,
                "rows": selectors.school_works(actor=self.actor, school=school),
            },
        )


class WorkScansView(ScopedViewMixin, View):
    """One work of a school: upload, codes to type, uploads and their reports."""

    api_routes = ("api-objectivity-scan-batches",)

    scoped_model = School
    action = A.VIEW_SCANS

    def get(self, request: HttpRequest, school_id: int, work_id: int) -> HttpResponse:
        ctx = work_context(self, school_id, work_id)
        _pick(self, ctx, int_param(request.GET.get("booklet")))
        return render(request, "objectivity/scans/work.html", ctx)


class ScansUploadView(ScopedViewMixin, View):
    """The upload of a file of scans; a refused file re-renders the page with the reason."""

    api_routes = ("api-objectivity-scan-batches",)

    scoped_model = School
    action = A.UPLOAD_SCANS

    def post(self, request: HttpRequest, school_id: int, work_id: int) -> HttpResponse:
        ctx = work_context(self, school_id, work_id)
        _pick(self, ctx, None)
        form = ScanUploadForm(request.POST, request.FILES)
        ctx["upload_form"] = form
        if not form.is_valid():
            return render(request, "objectivity/scans/work.html", ctx, status=400)
        upload = form.cleaned_data["file"]
        try:
            batch = services.scans_upload(
                actor=self.actor,
                school_id=school_id,
                work_id=work_id,
                file=upload,
                size=upload.size or 0,
                filename=upload.name or "",
            )
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        except DomainError as exc:
            ctx["upload_error"] = exc.message
            return render(request, "objectivity/scans/work.html", ctx, status=exc.status)
        messages.success(
            request,
            f"Файл «{batch.file_name}» принят (загрузка №{batch.pk}) и поставлен в очередь на "
            "обработку. Обновите страницу через минуту, чтобы увидеть результат.",
        )
        return redirect("objectivity-scans-work", school_id=school_id, work_id=work_id)


class ScanBatchView(ScopedViewMixin, View):
    """One upload: its pages with what was read on each, the booklets and the report."""

    api_routes = ("api-objectivity-scan-batch",)

    scoped_model = ScanBatch
    action = A.VIEW_SCANS

    def get(self, request: HttpRequest, scan_batch_id: int) -> HttpResponse:
        try:
            batch = selectors.batch_get(actor=self.actor, scan_batch_id=scan_batch_id)
        except ScanBatch.DoesNotExist as exc:
            raise Http404 from exc
        return render(
            request,
            "objectivity/scans/batch.html",
            {
                "batch": batch,
                "school": batch.school,
                "place": batch.school,
                "work": batch.work,
                "title": selectors.work_title(batch.work),
                "pages": selectors.pages_of(actor=self.actor, batch=batch),
                "booklets": selectors.booklets_of(actor=self.actor, batch=batch),
                "problems": selectors.problems(batch),
                "can_reprocess": self.actor.can(A.UPLOAD_SCANS)
                and batch.status in (ScanBatch.Status.DONE, ScanBatch.Status.FAILED),
            },
        )


class ScanBatchReprocessView(ScopedViewMixin, View):
    """Queue an upload's processing again (a failed one, or after the recognition improved)."""

    api_routes = ("api-objectivity-scan-batch-reprocess",)

    scoped_model = ScanBatch
    action = A.UPLOAD_SCANS

    def post(self, request: HttpRequest, scan_batch_id: int) -> HttpResponse:
        try:
            batch = services.scans_reprocess(actor=self.actor, scan_batch_id=scan_batch_id)
        except ScanBatch.DoesNotExist as exc:
            raise Http404 from exc
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, f"Загрузка №{batch.pk} поставлена в очередь на повторную обработку."
            )
        return redirect("objectivity-scan-batch", scan_batch_id=scan_batch_id)


class BookletCodeView(ScopedViewMixin, View):
    """A person saves the code read from a booklet's code box; the page shows the next one."""

    api_routes = ("api-objectivity-booklet",)

    scoped_model = Booklet
    action = A.IDENTIFY_BOOKLETS

    def post(self, request: HttpRequest, booklet_id: int) -> HttpResponse:
        try:
            booklet = selectors.booklet_get(
                actor=self.actor, booklet_id=booklet_id, action=A.IDENTIFY_BOOKLETS
            )
        except Booklet.DoesNotExist as exc:
            raise Http404 from exc
        back = reverse(
            "objectivity-scans-work",
            kwargs={"school_id": booklet.school_id, "work_id": booklet.work_id},
        )
        form = BookletCodeForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for e in form.errors.get("code", [])))
            return redirect(f"{back}?booklet={booklet.pk}")
        try:
            saved = services.booklet_code_set(
                actor=self.actor, booklet_id=booklet.pk, code=form.cleaned_data["code"]
            )
        except DomainError as exc:
            messages.error(request, f"Работа №{booklet.seq}: {exc.message}")
            return redirect(f"{back}?booklet={booklet.pk}")
        if saved.status == Booklet.Status.SUPERSEDED:
            messages.info(
                request,
                f"Работа №{saved.seq} загрузки №{saved.batch_id}: код {saved.code} уже есть в "
                "более новой загрузке — эта работа заменена ею и не проверяется.",
            )
        else:
            messages.success(request, f"Работа №{saved.seq}: код {saved.code} сохранён.")
        return redirect(back)


class ScanPageImageView(ScopedViewMixin, View):
    """A page's normalised image (``?crop=code``: its participant-code box), never cached."""

    api_routes = ("api-objectivity-scan-page-image",)

    scoped_model = ScanPage
    action = A.VIEW_SCANS

    def get(self, request: HttpRequest, scan_page_id: int) -> HttpResponse:
        try:
            page = selectors.page_get(actor=self.actor, scan_page_id=scan_page_id)
        except ScanPage.DoesNotExist as exc:
            raise Http404 from exc
        content = selectors.page_png(page, crop=request.GET.get("crop", ""))
        response = HttpResponse(content, content_type="image/png")
        response["Cache-Control"] = NO_STORE
        response["Content-Disposition"] = (
            f'inline; filename="scan-{page.batch_id}-{page.index}.png"'
        )
        return response
