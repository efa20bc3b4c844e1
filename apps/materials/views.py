"""HTML views of materials. Thin: check, call one service or selector, render or stream.

Release gates live in the services: a file URL asked for before its instant answers 403 with
the local opening time, whatever channel it comes through.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, TemplateView, View

from apps.campaigns.models import Work
from apps.core.downloads import private_download
from apps.core.imports import APPLY, DISCARD, ImportOutcome
from apps.core.models import ImportBatch
from apps.core.params import int_param
from apps.core.uploads import UploadError
from apps.materials import files as bankfiles
from apps.materials import listings, selectors, services
from apps.materials.imports import BANK, images_message
from apps.materials.messages import MaterialsError, MaterialsNotFoundError, NotReleasedError
from apps.materials.models import Kit, MaterialFile, Variant, WorkBank
from apps.registration.access import A, ActorViewMixin, ScopedViewMixin
from apps.registration.import_views import ImportActionView
from apps.registration.models import School


def _not_released(request: HttpRequest, exc: NotReleasedError) -> HttpResponse:
    return render(
        request,
        "materials/not_released.html",
        {"what": exc.what, "available_from": exc.available_from, "message": exc.message},
        status=exc.status,
    )


def stream_download(download: services.Download) -> FileResponse:
    """A streamed, private attachment (HTML and API downloads alike)."""
    return private_download(download.open(), download.name, download.content_type)


class SchoolMaterialsView(ScopedViewMixin, DetailView):  # type: ignore[type-arg]
    """A school's materials: each kit's archive, codes, protocol, criteria and (grade 8)
    password with its status and local opening time (with a countdown)."""

    api_routes = ("api-school-materials",)
    scoped_model = School
    action = A.VIEW_MATERIALS
    template_name = "materials/school_materials.html"
    context_object_name = "school"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("municipality", "region")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        # ?campaign= narrows the kits as in GET /api/v1/schools/{id}/materials/ (unknown: 400)
        campaign_id = int_param(self.request.GET.get("campaign"), name="campaign")
        views = selectors.kit_views(actor=self.actor, school=self.object, campaign_id=campaign_id)
        ctx["campaign_id"] = campaign_id
        ctx["campaigns"] = selectors.kit_campaigns(actor=self.actor, school=self.object)
        ctx["pending"] = selectors.pending_materials(
            actor=self.actor, school=self.object, kit_work_ids={v.work.pk for v in views}, now=now
        )
        ctx["rows"] = [
            {
                "view": v,
                "items": [
                    (what, label, getattr(v.releases, release), v.status(what, now))
                    for what, label, release in (
                        ("archive", "Архив с материалами", "archive"),
                        ("codes", "Лист с кодами участников", "archive"),
                        ("protocol", "Макет бумажного протокола", "archive"),
                        ("criteria", "Критерии оценивания", "criteria"),
                        ("password", "Пароль к архиву", "password"),
                    )
                    if what != "password" or v.work.encrypted_archive
                ],
            }
            for v in views
        ]
        ctx["now"] = now
        ctx["now_iso"] = now.isoformat(timespec="milliseconds")  # the countdowns' clock
        ctx["place"] = self.object
        ctx["can_download"] = self.actor.can(A.DOWNLOAD_MATERIALS)
        ctx["can_password"] = self.actor.can(A.VIEW_ARCHIVE_PASSWORD)
        return ctx


class _KitFileView(ScopedViewMixin, View):
    scoped_model = Kit
    action = A.DOWNLOAD_MATERIALS

    def download(self, request: HttpRequest, pk: int) -> services.Download:
        raise NotImplementedError

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        try:
            return stream_download(self.download(request, pk))
        except Kit.DoesNotExist as exc:
            raise Http404 from exc
        except NotReleasedError as exc:
            return _not_released(request, exc)
        except MaterialsError as exc:
            return render(
                request, "materials/not_released.html", {"message": exc.message}, status=exc.status
            )


class KitArchiveView(_KitFileView):
    def download(self, request: HttpRequest, pk: int) -> services.Download:
        return services.kit_archive_download(actor=self.actor, kit_id=pk)


class KitCriteriaView(_KitFileView):
    def download(self, request: HttpRequest, pk: int) -> services.Download:
        return services.kit_criteria_download(actor=self.actor, kit_id=pk)


class KitCodesView(_KitFileView):
    def download(self, request: HttpRequest, pk: int) -> services.Download:
        return services.kit_sheet_download(actor=self.actor, kit_id=pk, sheet="codes")


class KitProtocolView(_KitFileView):
    def download(self, request: HttpRequest, pk: int) -> services.Download:
        return services.kit_sheet_download(actor=self.actor, kit_id=pk, sheet="protocol")


class KitPasswordView(ScopedViewMixin, View):
    """The grade-8 archive password page (each view is audited)."""

    scoped_model = Kit
    action = A.VIEW_ARCHIVE_PASSWORD

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            kit, password = services.kit_password_reveal(actor=self.actor, kit_id=pk)
        except Kit.DoesNotExist as exc:
            raise Http404 from exc
        except NotReleasedError as exc:
            return _not_released(request, exc)
        except MaterialsNotFoundError as exc:
            raise Http404 from exc
        response = render(request, "materials/password.html", {"kit": kit, "password": password})
        response["Cache-Control"] = "private, no-store"
        return response


# --- federal operator -------------------------------------------------------------------------


class BankView(ScopedViewMixin, TemplateView):
    """The item bank: every work with item counts per column; import and export."""

    api_routes = (
        "api-material-banks",
        "api-material-bank-imports",
        "api-material-files",
        "api-material-file",
    )
    scoped_model = WorkBank
    action = A.MANAGE_BANK
    template_name = "materials/bank.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        listing = listings.bank_listing(self.request)
        works = listings.filtered_works(actor=self.actor, listing=listing, action=self.action)
        banks = selectors.bank_overview(actor=self.actor, works=works)
        if status := listing.filters["status"]:
            banks = [b for b in banks if b.status == status]
        ctx["banks"] = listing.paginate(banks)
        ctx["listing"] = listing
        ctx.update(
            listings.filter_options(
                actor=self.actor, statuses=selectors.BANK_STATUSES, listing=listing
            )
        )
        return ctx

    def post(self, request: HttpRequest) -> HttpResponse:
        op = request.POST.get("op", "")
        if op == "attach":
            return self._attach(request)
        if op == "detach":
            return self._detach(request)
        work_id = int_param(request.POST.get("work"))
        upload = request.FILES.get("file")
        images = request.FILES.get("images")
        if work_id is None or upload is None:
            messages.error(request, "Выберите работу и файл банка заданий.")
            return HttpResponseRedirect(reverse("materials-bank"))
        try:
            batch = services.bank_import_upload(
                actor=self.actor,
                work_id=work_id,
                name=upload.name or "",
                file=upload,
                size=upload.size or 0,
                images=(images.read(bankfiles.MAX_IMAGES_ZIP_BYTES + 1) if images else None),
            )
        except Work.DoesNotExist as exc:
            raise Http404 from exc
        except UploadError as exc:
            ctx = self.get_context_data()
            ctx.update({"errors": exc.errors, "failed_work": work_id, "filename": upload.name})
            return render(request, self.template_name, ctx, status=400)
        return HttpResponseRedirect(reverse("materials-bank-import", args=[batch.pk]))

    def _attach(self, request: HttpRequest) -> HttpResponse:
        work_id = int_param(request.POST.get("work"))
        upload = request.FILES.get("attachment")
        if work_id is None or upload is None:
            messages.error(request, "Выберите работу и сопровождающий файл.")
            return HttpResponseRedirect(reverse("materials-bank"))
        try:
            row = services.material_file_attach(
                actor=self.actor,
                work_id=work_id,
                name=upload.name or "",
                content=upload.read(bankfiles.MAX_ATTACHMENT_BYTES + 1),
                item_code=request.POST.get("item_code", ""),
            )
        except Work.DoesNotExist as exc:
            raise Http404 from exc
        except UploadError as exc:
            ctx = self.get_context_data()
            ctx.update({"errors": exc.errors, "failed_work": work_id, "filename": upload.name})
            return render(request, self.template_name, ctx, status=400)
        messages.success(
            request,
            f"Файл «{row.name}» прикреплён; он войдёт в архивы, собранные после этого.",
        )
        # The forms post to the page's own URL: back to the same filters, sort and page.
        return HttpResponseRedirect(request.get_full_path())

    def _detach(self, request: HttpRequest) -> HttpResponse:
        file_id = int_param(request.POST.get("file_id"))
        if file_id is None:
            raise Http404
        try:
            services.material_file_remove(actor=self.actor, file_id=file_id)
        except MaterialFile.DoesNotExist as exc:
            raise Http404 from exc
        messages.success(request, "Сопровождающий файл откреплён.")
        return HttpResponseRedirect(request.get_full_path())


class BankImportView(ImportActionView):
    """The preview of a bank upload (per column: added, changed, retired, unchanged); POST
    ``op=apply`` applies it, ``op=discard`` drops it (the import framework's apply and discard,
    then back to this page with the outcome)."""

    api_routes = (
        "api-material-bank-import",
        "api-material-bank-import-apply",
        "api-material-bank-import-discard",
    )
    kind = BANK
    detail_url = "materials-bank-import"
    template_name = "materials/bank_import.html"

    def _batch(self, pk: int) -> ImportBatch:
        try:
            return services.bank_import_get(actor=self.actor, batch_id=pk)
        except ImportBatch.DoesNotExist as exc:
            raise Http404 from exc

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = self._batch(pk)
        if batch.kind != services.BANK_IMPORT_KIND:
            return render(request, self.template_name, {"batch": batch, "foreign": True})
        columns = sorted(
            batch.preview.get("columns", {}).items(),
            key=lambda kv: (len(kv[0]), kv[0]),
        )
        ctx = {
            "batch": batch,
            "work": batch.preview.get("work", {}),
            "columns": columns,
            "counts": batch.preview.get("counts", {}),
            "pending": batch.status == ImportBatch.Status.PREVIEW,
        }
        return render(request, self.template_name, ctx)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.POST.get("op", "") not in (APPLY, DISCARD):
            self._batch(pk)  # out of scope: 404, as for apply and discard
            messages.error(request, "Неизвестное действие.")
            return HttpResponseRedirect(reverse(self.detail_url, args=[pk]))
        return super().post(request, pk)

    def run(self, pk: int) -> ImportOutcome:
        if self.request.POST.get("op") == APPLY:
            return services.bank_import_apply(actor=self.actor, batch_id=pk)
        return services.bank_import_discard(actor=self.actor, batch_id=pk)

    def after(self, request: HttpRequest, outcome: ImportOutcome) -> None:
        """Flash the outcome; an applied file also says how many images it added."""
        super().after(request, outcome)
        result = outcome.result
        if isinstance(result, services.BankImportResult) and (added := images_message(result)):
            messages.success(request, added)


class BankExportView(ScopedViewMixin, View):
    """The current bank of a work (``?work=<id>&format=json|xlsx|images``)."""

    api_routes = ("api-material-bank-export",)
    scoped_model = WorkBank
    action = A.MANAGE_BANK

    def get(self, request: HttpRequest) -> HttpResponse:
        work_id = int_param(request.GET.get("work"))
        if work_id is None:
            return HttpResponseRedirect(reverse("materials-bank"))
        fmt = request.GET.get("format")
        fmt = fmt if fmt in ("xlsx", "images") else "json"
        try:
            name, content = services.bank_export(actor=self.actor, work_id=work_id, fmt=fmt)
        except Work.DoesNotExist as exc:
            raise Http404 from exc
        response = HttpResponse(
            content,
            content_type={
                "json": "application/json",
                "images": "application/zip",
            }.get(fmt, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
        from django.utils.http import content_disposition_header

        response["Content-Disposition"] = content_disposition_header(True, name)
        return response


class BuildView(ScopedViewMixin, TemplateView):
    """Generation and archive builds per work: start, retry failures, progress per region."""

    api_routes = ("api-material-builds", "api-material-build")
    scoped_model = Kit
    action = A.GENERATE_MATERIALS
    template_name = "materials/builds.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        listing = listings.build_listing(self.request)
        works = listings.filtered_works(actor=self.actor, listing=listing, action=self.action)
        progress = selectors.build_overview(actor=self.actor, works=works)
        if status := listing.filters["status"]:
            progress = [p for p in progress if p.status == status]
        page = listing.paginate(progress)
        now = timezone.now()
        states = selectors.build_states(actor=self.actor, works=[p.work for p in page], now=now)
        ctx["progress"] = [(p, states[p.work.pk]) for p in page]
        # While builds are queued or running, the progress refreshes itself (static/js/poll.js).
        ctx["running"] = any(s.waiting for _, s in ctx["progress"])
        ctx["listing"] = listing
        ctx.update(
            listings.filter_options(
                actor=self.actor, statuses=selectors.BUILD_STATUSES, listing=listing
            )
        )
        ctx["overdue"] = selectors.builds_overdue(actor=self.actor, now=now)
        ctx["auto_lead_days"] = selectors.auto_build_lead().days
        return ctx

    def post(self, request: HttpRequest) -> HttpResponse:
        work_id = int_param(request.POST.get("work"))
        region_id = int_param(request.POST.get("region"))
        if work_id is None:
            raise Http404
        op = request.POST.get("op", "build")
        try:
            if op == "generate":
                result = services.kits_generate(
                    actor=self.actor, work_id=work_id, region_id=region_id
                )
                queued = services.kit_build_request(
                    actor=self.actor, work_id=work_id, region_id=region_id
                )
                messages.success(
                    request,
                    f"Сформировано комплектов: {result.created} (уже были: {result.existing}); "
                    f"в очередь сборки поставлено архивов: {queued}.",
                )
            elif op == "cancel":
                cancelled = services.kit_build_cancel(
                    actor=self.actor, work_id=work_id, region_id=region_id
                )
                messages.success(request, f"Отменено ожидающих сборок: {cancelled}.")
            else:
                queued = services.kit_build_request(
                    actor=self.actor,
                    work_id=work_id,
                    region_id=region_id,
                    retry_failed=op == "retry",
                    force=op == "rebuild",
                )
                messages.success(request, f"В очередь сборки поставлено архивов: {queued}.")
        except Work.DoesNotExist as exc:
            raise Http404 from exc
        except MaterialsError as exc:
            messages.error(request, exc.message)
        # The forms post to the page's own URL: back to the same filters, sort and page.
        return HttpResponseRedirect(request.get_full_path())


class VariantLookupView(ScopedViewMixin, TemplateView):
    """Federal lookup: the identifier printed on a page → the school that received it."""

    api_routes = ("api-variant-lookup",)
    scoped_model = Variant
    action = A.LOOKUP_VARIANT
    template_name = "materials/lookup.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        uid = self.request.GET.get("uid", "").strip()[:40]
        ctx["uid"] = uid
        if uid:
            ctx["searched"] = True
            ctx["found"] = services.variant_lookup(actor=self.actor, uid=uid)
        return ctx


class DownloadMonitoringView(ScopedViewMixin, TemplateView):
    """Who downloaded each archive, code sheet and (grade 8) password, per unit below the actor's;
    the schools that have not. ``?work=`` picks the work, ``?region=``/``?municipality=`` drill
    down (ids outside the actor's scope simply show nothing: every read is scoped)."""

    api_routes = ("api-material-downloads",)
    scoped_model = Kit
    action = A.VIEW_MATERIALS
    template_name = "materials/monitoring.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        works = selectors.monitored_works(actor=self.actor, action=self.action)
        work_id = int_param(self.request.GET.get("work"))
        work = next((w for w in works if w.pk == work_id), works[0] if works else None)
        ctx["works"] = works
        if work is not None:
            ctx["monitoring"] = report = selectors.download_monitoring(
                actor=self.actor,
                work_id=work.pk,
                region_id=int_param(self.request.GET.get("region")),
                municipality_id=int_param(self.request.GET.get("municipality")),
                action=self.action,
            )
            ctx["labels"] = [(i, selectors.TRACKED_LABELS[i]) for i in report.items]
            ctx["missing"] = [
                (selectors.TRACKED_LABELS[i], report.missing(i)) for i in report.items
            ]
            listing = listings.download_listing(self.request, report.items)
            listing.pin(work=work.pk)
            ctx["schools_page"] = listing.paginate(report.schools)
            ctx["listing"] = listing
        return ctx


class ManifestVerifyView(ActorViewMixin, TemplateView):
    """Check a manifest.json against manifest.sig (and the archive's files, if a .zip is given)."""

    api_routes = ("api-manifest-verify",)
    template_name = "materials/verify.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        from apps.materials import signing

        ctx["public_key"] = signing.public_key_pem()
        return ctx

    def post(self, request: HttpRequest) -> HttpResponse:
        ctx = self.get_context_data()
        try:
            check = services.manifest_verify(
                archive=request.FILES.get("archive"),
                manifest=request.FILES.get("manifest"),
                signature=request.FILES.get("signature"),
            )
        except UploadError as exc:  # nothing to check, a broken zip, past the archive's limits
            ctx["error"] = str(exc)
            return render(request, self.template_name, ctx, status=400)
        ctx["check"] = check
        return render(request, self.template_name, ctx)
