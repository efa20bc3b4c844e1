"""Results pages. Thin: parse, call one selector or service, render or stream."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.generic import View

from apps.campaigns import selectors as campaigns
from apps.core.downloads import private_download
from apps.core.errors import DomainError
from apps.core.params import int_param
from apps.core.uploads import MAX_UPLOAD_BYTES, UploadError, read_limited
from apps.registration.access import A, ScopedViewMixin
from apps.registration.models import School
from apps.results import selectors as sel
from apps.results import services, xlsx
from apps.results.forms import ReopenForm, UploadForm
from apps.results.messages import DroppedParticipantsError, ResultsError, ResultsNotFoundError
from apps.results.models import ResultVersion, Source

# After the federal publication a school's upload is kept as its own scores only.
OWN_ONLY = (
    "Официальные результаты этой работы — баллы федеральной проверки: загруженные баллы "
    "сохранены как баллы ОО рядом с ними и официальные результаты не изменили."
)


def read_upload(upload: UploadedFile[bytes]) -> bytes:
    """The uploaded bytes, reading at most one byte past the limit; read_workbook refuses a
    bigger file naming its real size («Файл 30,0 МБ больше допустимых 10 МБ»)."""
    return read_limited(upload, MAX_UPLOAD_BYTES)


def _download(name: str, content: bytes) -> FileResponse:
    return private_download(content, name)


class SchoolResultsView(ScopedViewMixin, View):
    """A school's works of the campaign: deadline, state of uploads, links to each work."""

    scoped_model = School
    action = A.VIEW_RESULTS

    def get(self, request: HttpRequest, school_id: int) -> HttpResponse:
        try:
            school = sel.school_get(actor=self.actor, school_id=school_id)
        except School.DoesNotExist as exc:
            raise Http404 from exc
        campaign = campaigns.campaign_chosen(
            actor=self.actor, campaign_id=int_param(request.GET.get("campaign"))
        )
        rows = sel.school_results(actor=self.actor, school=school, campaign=campaign)
        return render(
            request,
            "results/school_results.html",
            {
                "school": school,
                "place": school,
                "campaign": campaign,
                "campaigns": campaigns.campaign_list(actor=self.actor),
                "rows": rows,
                "now": timezone.now(),
            },
        )


def work_context(view: ScopedViewMixin, school_id: int, work_id: int) -> dict[str, Any]:
    """Everything the page of one school × work shows (404 outside the actor's scope)."""
    actor = view.actor
    try:
        school = sel.school_get(actor=actor, school_id=school_id)
        work = sel.work_get(actor=actor, work_id=work_id)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    sheet = sel.sheet_get(actor=actor, school_id=school.pk, work_id=work.pk)
    window = sel.upload_window(actor=actor, school=school, work=work, sheet=sheet)
    now = timezone.now()
    ctx: dict[str, Any] = {
        "school": school,
        "place": school,
        "work": work,
        "sheet": sheet,
        "window": window,
        "now": now,
        "open": window.is_open(now),
        "late": window.is_late(now),
        "form_published": window.form_at is not None and now >= window.form_at,
        "can_upload": actor.can(A.UPLOAD_RESULTS),
        "can_reopen": actor.can(A.REOPEN_RESULTS),
        "upload_form": UploadForm(),
        "observers": [],
        "reopen_form": ReopenForm(),
        "versions": [],
        "reopens": [],
        "results": [],
        "stats": sel.stats_get(actor=actor, school_id=school.pk, work_id=work.pk),
        "columns": list(work.columns.all()),
    }
    if ctx["can_upload"]:
        # The public observers the upload may name («Общественный наблюдатель при загрузке»).
        ctx["observers"] = sel.observer_list(actor=actor, school_id=school.pk)
        ctx["upload_form"] = UploadForm(observers=ctx["observers"])
        # The register's classes writing the work (their numbers go into the form); None
        # without a register.
        ctx["register_classes"] = sel.register_classes(
            actor=actor, school=school, work=work, reserve={}
        )
    if sheet is not None:
        ctx["versions"] = list(sel.version_list(actor=actor, sheet=sheet))
        ctx["reopens"] = list(sel.reopen_list(actor=actor, sheet=sheet))
        ctx["results"] = list(sel.result_list(actor=actor, sheet=sheet))
    return ctx


class WorkResultsView(ScopedViewMixin, View):
    """One work of a school: the form, upload and «Проверить», versions and reopening."""

    scoped_model = School
    action = A.VIEW_RESULTS

    def get(self, request: HttpRequest, school_id: int, work_id: int) -> HttpResponse:
        return render(request, "results/work_results.html", work_context(self, school_id, work_id))


class ResultsUploadView(ScopedViewMixin, View):
    """The school uploads a filled form («Загрузить») or only checks it («Проверить»).

    A refused file re-renders the page with every error, on the list and on the sheet."""

    api_routes = ("api-school-results",)
    scoped_model = School
    action = A.UPLOAD_RESULTS

    def post(self, request: HttpRequest, school_id: int, work_id: int) -> HttpResponse:
        ctx = work_context(self, school_id, work_id)
        form = UploadForm(request.POST, request.FILES, observers=ctx["observers"])
        ctx["upload_form"] = form
        if not form.is_valid():
            return render(request, "results/work_results.html", ctx)
        upload = form.cleaned_data["file"]
        content = read_upload(upload)
        name = upload.name or ""
        checking = "check" in request.POST
        ctx["file_name"] = name
        ctx["checking"] = checking
        try:
            if checking:
                checked = services.results_check(
                    actor=self.actor, school_id=school_id, work_id=work_id, content=content
                )
            else:
                accepted = services.results_upload(
                    actor=self.actor,
                    school_id=school_id,
                    work_id=work_id,
                    content=content,
                    filename=name,
                    source=Source.XLSX,
                    confirm_dropped=request.POST.get("confirm_dropped") == "1",
                    observer_id=form.cleaned_data.get("observer"),
                )
        except UploadError as exc:
            ctx["errors"] = exc.errors
            ctx["grid"] = _checked_or_none(self, school_id, work_id, content)
            return render(request, "results/work_results.html", ctx)
        except DroppedParticipantsError as exc:
            # Nothing replaced: the page lists the codes and asks for the confirmation box.
            ctx["dropped"] = exc.codes
            ctx["dropped_message"] = exc.message
            return render(request, "results/work_results.html", ctx)
        except DomainError as exc:
            messages.error(request, exc.message)
            return render(request, "results/work_results.html", ctx)
        if checking:
            letters, rows = xlsx.grid_view(checked)
            ctx["errors"] = checked.errors
            ctx["check_ok"] = checked.ok
            if checked.ok:
                ctx["dropped"] = services.results_dropped_codes(
                    actor=self.actor, school_id=school_id, work_id=work_id, checked=checked
                )
                if ctx["dropped"]:
                    ctx["dropped_message"] = DroppedParticipantsError(ctx["dropped"]).message
            ctx["checked_rows"] = len(checked.rows)
            ctx["grid"] = {"letters": letters, "rows": rows}
            return render(request, "results/work_results.html", ctx)
        if accepted.unchanged:
            messages.info(
                request,
                f"Файл совпадает с принятой версией {accepted.version.number}: "
                "изменений нет, новая версия не создана.",
            )
        else:
            c = accepted.diff.counts
            messages.success(
                request,
                f"Результаты приняты: версия {accepted.version.number}, участников "
                f"{accepted.version.participants}, отсутствовали {accepted.version.absent}. "
                f"Изменения: добавлено {c['added']}, изменено ячеек {c['changed']}, "
                f"удалено {c['removed']}.",
            )
        if accepted.own_only:
            messages.info(request, OWN_ONLY)
        return redirect("results-work", school_id=school_id, work_id=work_id)


def _checked_or_none(view: ScopedViewMixin, school_id: int, work_id: int, content: bytes) -> Any:
    """After a refused upload, the same file checked again for the annotated sheet (if readable)."""
    try:
        checked = services.results_check(
            actor=view.actor, school_id=school_id, work_id=work_id, content=content
        )
    except UploadError:
        return None
    letters, rows = xlsx.grid_view(checked)
    return {"letters": letters, "rows": rows}


class ResultsFormView(ScopedViewMixin, View):
    """The school's blank results form (codes prefilled), once published."""

    scoped_model = School
    action = A.UPLOAD_RESULTS

    def get(self, request: HttpRequest, school_id: int, work_id: int) -> HttpResponseBase:
        try:
            out = services.results_form_download(
                actor=self.actor, school_id=school_id, work_id=work_id
            )
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        except ResultsError as exc:
            return render(
                request, "results/not_available.html", {"message": exc.message}, status=exc.status
            )
        return _download(out.name, out.content)


class ResultsReopenView(ScopedViewMixin, View):
    """A coordinator reopens uploads of a school × work after the deadline."""

    api_routes = ("api-results-reopen",)
    scoped_model = School
    action = A.REOPEN_RESULTS

    def post(self, request: HttpRequest, school_id: int, work_id: int) -> HttpResponse:
        form = ReopenForm(request.POST)
        try:
            sel.school_get(actor=self.actor, school_id=school_id, action=A.REOPEN_RESULTS)
            sel.work_get(actor=self.actor, work_id=work_id, action=A.REOPEN_RESULTS)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        back = reverse("results-work", kwargs={"school_id": school_id, "work_id": work_id})
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            return redirect(back)
        try:
            reopen = services.results_reopen(
                actor=self.actor,
                school_id=school_id,
                work_id=work_id,
                until_day=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(back)
        messages.success(
            request, f"Приём результатов открыт до конца дня {reopen.until_day:%d.%m.%Y}."
        )
        return redirect(back)


class VersionView(ScopedViewMixin, View):
    """One accepted version and what changed against the previous (or a chosen) version."""

    scoped_model = ResultVersion
    action = A.VIEW_RESULTS

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            version = sel.version_get(actor=self.actor, version_id=pk)
        except ResultVersion.DoesNotExist as exc:
            raise Http404 from exc
        against = None
        number = int_param(request.GET.get("against"))
        versions = list(sel.version_list(actor=self.actor, sheet=version.sheet))
        if number is not None:
            match = [v for v in versions if v.number == number]
            if match:
                against = sel.version_get(actor=self.actor, version_id=match[0].pk)
        base, changes = sel.version_diff(actor=self.actor, version=version, against=against)
        return render(
            request,
            "results/version.html",
            {
                "version": version,
                "school": version.sheet.school,
                "place": version.sheet.school,
                "work": version.sheet.work,
                "base": base,
                "diff": changes,
                "versions": versions,
                "checked_by": sel.checked_by_table(version),
            },
        )


class VersionFileView(ScopedViewMixin, View):
    """The file of an accepted version, as it was uploaded."""

    scoped_model = ResultVersion
    action = A.VIEW_RESULTS

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        try:
            version, content = services.results_version_file(actor=self.actor, version_id=pk)
        except (ResultVersion.DoesNotExist, ResultsNotFoundError) as exc:
            raise Http404 from exc
        work = version.sheet.work
        name = f"Результаты {work.subject.name} {work.grade} класс, версия {version.number}.xlsx"
        return _download(name, content)


# --- the browser entry ---------------------------------------------------------------------


def _posted_cells(request: HttpRequest, width: int) -> list[list[str]]:
    """The browser table's inputs ``c<row>_<col>`` (row from 0, columns 1..width)."""
    count = min(int_param(request.POST.get("rows")) or 0, 5000)
    return [[request.POST.get(f"c{i}_{c}", "") for c in range(1, width + 1)] for i in range(count)]


def _table_ctx(
    spec: xlsx.FormSpec, cells: list[list[str]], errors: list[Any] | None
) -> dict[str, Any]:
    """The browser table's rows and cells (errors on their cells, names masked)."""
    by_cell: dict[tuple[int, int], list[str]] = {}
    for e in errors or []:
        by_cell.setdefault((e.row, e.column), []).append(e.message)
    width = spec.col_mark
    kinds = ["code", "variant", *(["score"] * len(spec.columns)), "class", "mark"]
    maxima = [0, 0, *(c.max_score for c in spec.columns), 0, 0]
    table = []
    for i, line in enumerate(cells):
        line = (list(line) + [""] * width)[:width]
        table.append(
            {
                "index": i,
                "number": i + 2,
                "cells": [
                    {
                        "col": c,
                        "kind": kinds[c - 1],
                        "max": maxima[c - 1],
                        "value": "" if _masked(by_cell, i, c) else v,
                        "errors": by_cell.get((i + 2, c), []),
                    }
                    for c, v in enumerate(line, start=1)
                ],
            }
        )
    return {
        "table": table,
        "rows_count": len(cells),
        "errors": errors or [],
        "variants": list(range(1, spec.variants + 1)),
        "score_lists": [
            (m, [*range(m + 1), "X"]) for m in sorted({c.max_score for c in spec.columns})
        ],
    }


class ResultsEntryView(ScopedViewMixin, View):
    """The results table in the browser (for small schools): save a draft, check, submit."""

    api_routes = ("api-results-entry",)
    scoped_model = School
    action = A.UPLOAD_RESULTS

    def _render(
        self,
        request: HttpRequest,
        ctx: dict[str, Any],
        cells: list[list[str]],
        errors: list[Any] | None = None,
    ) -> HttpResponse:
        ctx.update(_table_ctx(ctx["spec"], cells, errors))
        return render(request, "results/entry.html", ctx)

    def _ctx(self, school_id: int, work_id: int) -> dict[str, Any]:
        ctx = work_context(self, school_id, work_id)
        school, work = ctx["school"], ctx["work"]
        ctx["spec"] = sel.form_spec(
            actor=self.actor, school=school, work=work, action=A.UPLOAD_RESULTS
        )
        return ctx

    def get(self, request: HttpRequest, school_id: int, work_id: int) -> HttpResponse:
        ctx = self._ctx(school_id, work_id)
        cells, draft = sel.entry_cells(
            actor=self.actor, school=ctx["school"], work=ctx["work"], spec=ctx["spec"]
        )
        ctx["draft"] = draft
        return self._render(request, ctx, cells)

    def post(self, request: HttpRequest, school_id: int, work_id: int) -> HttpResponse:
        ctx = self._ctx(school_id, work_id)
        cells = _posted_cells(request, ctx["spec"].col_mark)
        ids = {"school_id": school_id, "work_id": work_id}
        try:
            if "save" in request.POST:
                services.results_draft_save(actor=self.actor, cells=cells, **ids)
                messages.success(request, "Черновик сохранён. Результаты ещё не загружены.")
                return redirect("results-entry", school_id=school_id, work_id=work_id)
            if "check" in request.POST:
                checked = services.results_entry_check(actor=self.actor, cells=cells, **ids)
                if checked.ok:
                    messages.success(
                        request, f"Ошибок нет: участников {len(checked.rows)}. Можно загрузить."
                    )
                return self._render(request, ctx, cells, checked.errors)
            accepted = services.results_entry_submit(
                actor=self.actor,
                cells=cells,
                confirm_dropped=request.POST.get("confirm_dropped") == "1",
                observer_id=int_param(request.POST.get("observer") or None),
                **ids,
            )
        except UploadError as exc:
            messages.error(request, "Есть ошибки: исправьте отмеченные ячейки. Ничего не изменено.")
            return self._render(request, ctx, cells, exc.errors)
        except DroppedParticipantsError as exc:
            ctx["dropped"] = exc.codes
            messages.error(request, exc.message)
            return self._render(request, ctx, cells)
        except DomainError as exc:
            messages.error(request, exc.message)
            return self._render(request, ctx, cells)
        messages.success(
            request,
            f"Результаты приняты: версия {accepted.version.number}, участников "
            f"{accepted.version.participants}, отсутствовали {accepted.version.absent}.",
        )
        if accepted.own_only:
            messages.info(request, OWN_ONLY)
        return redirect("results-work", school_id=school_id, work_id=work_id)


def _masked(by_cell: dict[tuple[int, int], list[str]], i: int, c: int) -> bool:
    """A cell refused as a name is shown empty: the name is not sent back to the browser."""
    return xlsx.NAME_MESSAGE in by_cell.get((i + 2, c), [])


# --- the experts' entry ----------------------------------------------------------------------


class ExpertEntryView(ScopedViewMixin, View):
    """An expert enters the scores of the codes given to it (the organizer: on an expert's
    behalf, ``?expert=<person id>``). Saving merges the rows into the school's draft; only the
    organizer submits the results, through the entry."""

    api_routes = ("api-results-expert-entry",)
    scoped_model = School
    action = A.ENTER_SCORES

    def _desk(self, request: HttpRequest, school_id: int, work_id: int) -> sel.ExpertDesk:
        expert_id = int_param(request.POST.get("expert") or request.GET.get("expert") or None)
        try:
            return sel.expert_desk(
                actor=self.actor, school_id=school_id, work_id=work_id, expert_id=expert_id
            )
        except ObjectDoesNotExist as exc:
            raise Http404 from exc

    def _render(
        self,
        request: HttpRequest,
        desk: sel.ExpertDesk,
        cells: list[list[str]],
        errors: list[Any] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        now = timezone.now()
        ctx: dict[str, Any] = {
            "school": desk.school,
            "place": desk.school,
            "work": desk.work,
            "desk": desk,
            "spec": desk.spec,
            "window": desk.window,
            "open": desk.window.is_open(now),
            "not_yet": desk.window.opens_at is None or now < desk.window.opens_at,
            "can_submit": self.actor.can(A.UPLOAD_RESULTS),
            **_table_ctx(desk.spec, cells, errors),
        }
        return render(request, "results/expert_entry.html", ctx, status=status)

    def get(self, request: HttpRequest, school_id: int, work_id: int) -> HttpResponse:
        desk = self._desk(request, school_id, work_id)
        cells = sel.expert_cells(actor=self.actor, desk=desk) if desk.expert else []
        return self._render(request, desk, cells)

    def post(self, request: HttpRequest, school_id: int, work_id: int) -> HttpResponse:
        desk = self._desk(request, school_id, work_id)
        cells = _posted_cells(request, desk.spec.col_mark)
        try:
            services.results_expert_save(
                actor=self.actor,
                school_id=school_id,
                work_id=work_id,
                cells=cells,
                expert_id=desk.expert.pk if desk.expert and desk.on_behalf else None,
            )
        except UploadError as exc:
            messages.error(request, "Есть ошибки: исправьте отмеченные ячейки. Ничего не изменено.")
            return self._render(request, desk, cells, exc.errors)
        except DomainError as exc:
            messages.error(request, exc.message)
            return self._render(request, desk, cells, status=exc.status)
        messages.success(
            request,
            "Баллы сохранены в черновике ОО. Результаты загрузит организатор ОО.",
        )
        url = reverse("results-expert-entry", kwargs={"school_id": school_id, "work_id": work_id})
        if desk.on_behalf and desk.expert is not None:
            url += f"?expert={desk.expert.pk}"
        return redirect(url)
