"""Notice pages: the list (unread first), a notice (opening it marks it read), its document
versions, the author's form, new versions and read receipts. Thin: parse, call one selector or
service, render. Every view is Scoped*: a notice outside the actor's scope answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import View

from apps.campaigns.models import Campaign
from apps.core.params import int_param
from apps.notices import selectors, services
from apps.notices.forms import NoticeFileForm, NoticeForm
from apps.notices.messages import NoticeError
from apps.notices.models import Notice, NoticeFile
from apps.registration.access import A, ScopedViewMixin

PAGE_SIZE = 30


def _not_found() -> Http404:
    return Http404("Объявление не найдено.")


class _NoticeMixin(ScopedViewMixin):
    scoped_model = Notice
    action = A.VIEW_NOTICES

    def get_notice(self, pk: int, action: str | None = None) -> Notice:
        try:
            return selectors.notice_get(
                actor=self.actor, notice_id=pk, action=action or self.action
            )
        except Notice.DoesNotExist as exc:
            raise _not_found() from exc


class NoticeListView(_NoticeMixin, View):
    api_routes = ("api-notice-list",)

    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(selectors.notice_list(actor=self.actor), PAGE_SIZE).get_page(
            int_param(request.GET.get("page")) or 1
        )
        ctx = {
            "page": page,
            "notices": page.object_list,
            "can_publish": self.actor.can(A.PUBLISH_NOTICES),
            "unread": selectors.notice_unread_count(actor=self.actor),
        }
        return render(request, "notices/notice_list.html", ctx)


class NoticeDetailView(_NoticeMixin, View):
    api_routes = ("api-notice-detail", "api-notice-read")

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        notice = self.get_notice(pk)
        # Opening the page is reading the notice (recorded once, for notices addressed here).
        if services.notice_mark_read(actor=self.actor, notice_id=notice.pk):
            notice.is_read = True  # type: ignore[attr-defined]
        ctx = {
            "notice": notice,
            "files": selectors.notice_files(actor=self.actor, notice=notice),
            "can_manage": selectors.can_manage(actor=self.actor, notice=notice),
            "place": notice.author_unit,
        }
        return render(request, "notices/notice_detail.html", ctx)


def _campaigns(actor: Any) -> Any:
    return Campaign.objects.for_actor(actor, A.VIEW_NOTICES).order_by("-year", "session")


class NoticeCreateView(_NoticeMixin, View):
    api_routes = ("api-notice-list",)
    action = A.PUBLISH_NOTICES
    template_name = "notices/notice_form.html"

    def _form(self, request: HttpRequest, data: Any = None, files: Any = None) -> NoticeForm:
        return NoticeForm(
            data, files, level=self.actor.scope.level, campaigns=_campaigns(self.actor)
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request, request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            try:
                notice = services.notice_publish(
                    actor=self.actor,
                    title=d["title"],
                    body=d["body"],
                    for_regions=d.get("for_regions", False),
                    for_municipalities=d.get("for_municipalities", False),
                    for_schools=d.get("for_schools", False),
                    campaign_id=d.get("campaign"),
                    upload=d.get("file"),
                )
            except NoticeError as exc:
                form.add_error("file" if exc.code.startswith("file") else None, exc.message)
            else:
                messages.success(request, f"Объявление «{notice.title}» опубликовано.")
                return redirect("notice-detail", pk=notice.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class NoticeFileAddView(_NoticeMixin, View):
    api_routes = ("api-notice-files",)
    action = A.PUBLISH_NOTICES
    template_name = "notices/notice_file_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        notice = self.get_notice(pk)
        ctx = {"notice": notice, "form": NoticeFileForm(), "place": notice.author_unit}
        return render(request, self.template_name, ctx)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        notice = self.get_notice(pk)
        form = NoticeFileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                nf = services.notice_file_add(
                    actor=self.actor,
                    notice_id=notice.pk,
                    upload=form.cleaned_data.get("file"),
                )
            except NoticeError as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(request, f"Загружена версия {nf.version}: «{nf.original_name}».")
                return redirect("notice-detail", pk=notice.pk)
        ctx = {"notice": notice, "form": form, "place": notice.author_unit}
        return render(request, self.template_name, ctx, status=400)


class NoticeReadsView(_NoticeMixin, View):
    """The author's read receipts: per audience level, how many units read it and who did not."""

    api_routes = ("api-notice-reads",)

    action = A.PUBLISH_NOTICES

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        notice = self.get_notice(pk)
        ctx = {
            "notice": notice,
            "stats": selectors.notice_read_stats(actor=self.actor, notice=notice),
            "readers": selectors.notice_readers(actor=self.actor, notice=notice)[:500],
            "place": notice.author_unit,
        }
        return render(request, "notices/notice_reads.html", ctx)


class NoticeFileDownloadView(ScopedViewMixin, View):
    """One version of a notice's document, streamed under its Russian name."""

    api_routes = ("api-notice-file",)

    scoped_model = NoticeFile
    action = A.VIEW_NOTICES

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        try:
            nf, handle = services.notice_file_open(actor=self.actor, file_id=pk)
        except NoticeFile.DoesNotExist as exc:
            raise Http404("Файл не найден.") from exc
        # FileResponse writes filename*=UTF-8''… for a non-ASCII name (RFC 6266).
        return FileResponse(handle, as_attachment=True, filename=nf.original_name)
