"""HTML cabinets. Thin: parse, call one selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import DetailView, ListView, View

from apps.core.listing import Column, Listing
from apps.core.models import Job
from apps.registration import selectors, services
from apps.registration.access import A, ScopedViewMixin
from apps.registration.constants import SchoolStatus
from apps.registration.forms import LoginForm
from apps.registration.models import Municipality, Region, School

PAGE_SIZE = 25


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    browser_only = (
        "Ends the browser session; an API client revokes its token with "
        "POST /api/v1/auth/token/revoke/."
    )


class HomeView(View):
    """The root: the cabinet for a logged-in user, the login page otherwise."""

    browser_only = (
        "The root only redirects to the cabinet or to the login page; API clients start at "
        "GET /api/v1/me/."
    )

    def get(self, request: HttpRequest) -> HttpResponse:
        return redirect("cabinet" if request.user.is_authenticated else "login")


class _SortedListMixin:
    """A ListView sorted and paged by ``core.listing`` (bad ``sort`` / ``page`` → 400)."""

    paginate_by: int | None = PAGE_SIZE
    request: HttpRequest
    # Sortable columns (core.listing); none: the selector's order and ListView's paging.
    sort_columns: tuple[Column, ...] = ()
    default_sort = ""
    _listing: Listing | None = None

    def listing(self) -> Listing:
        if self._listing is None:
            self._listing = Listing(
                self.request, self.sort_columns, self.default_sort, page_size=PAGE_SIZE
            )
        return self._listing

    def paginate_queryset(self, queryset: Any, page_size: int) -> Any:
        if not self.sort_columns:
            return super().paginate_queryset(queryset, page_size)  # type: ignore[misc]
        page = self.listing().paginate(queryset)
        return page.paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # A mixin: mypy cannot see the view class that provides get_context_data.
        ctx: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        if self.sort_columns:
            ctx["listing"] = self.listing()
        return ctx


class _SearchListMixin(_SortedListMixin):
    def search_query(self) -> str:
        return self.request.GET.get("q", "")[:100]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx: dict[str, Any] = super().get_context_data(**kwargs)
        ctx["q"] = self.search_query()
        return ctx


class RegionListView(_SearchListMixin, ScopedViewMixin, ListView):  # type: ignore[type-arg]
    api_routes = ("api-region-list",)
    scoped_model = Region
    action = A.VIEW_REGION
    template_name = "registration/region_list.html"

    def get_queryset(self) -> QuerySet[Region]:
        return selectors.region_list(actor=self.actor, q=self.search_query())


class RegionDetailView(ScopedViewMixin, DetailView):  # type: ignore[type-arg]
    """A region's cabinet page: its municipalities with search and pagination."""

    api_routes = ("api-region-detail",)

    scoped_model = Region
    action = A.VIEW_REGION
    template_name = "registration/region_detail.html"
    context_object_name = "region"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        q = self.request.GET.get("q", "")[:100]
        units = selectors.municipality_list(actor=self.actor, q=q, region_id=self.object.pk)
        ctx["page_obj"] = Paginator(units, PAGE_SIZE).get_page(self.request.GET.get("page"))
        ctx["q"] = q
        return ctx


class MunicipalityListView(_SearchListMixin, ScopedViewMixin, ListView):  # type: ignore[type-arg]
    api_routes = ("api-municipality-list",)
    scoped_model = Municipality
    action = A.VIEW_MUNICIPALITY
    template_name = "registration/municipality_list.html"
    sort_columns = (
        Column("code", "Код"),
        Column("name", "Муниципалитет", ("name", "code")),
        Column("region", "Регион", ("region__name", "code")),
        Column("schools", "Действующих ОО", ("school_count", "code")),
    )
    default_sort = "code"

    def get_queryset(self) -> QuerySet[Municipality]:
        return selectors.municipality_list(actor=self.actor, q=self.search_query())


class MunicipalityDetailView(ScopedViewMixin, DetailView):  # type: ignore[type-arg]
    """A municipality's cabinet page: its schools with search, status filter and pagination."""

    api_routes = ("api-municipality-detail",)

    scoped_model = Municipality
    action = A.VIEW_MUNICIPALITY
    template_name = "registration/municipality_detail.html"
    context_object_name = "municipality"

    def get_queryset(self) -> QuerySet[Municipality]:
        return super().get_queryset().select_related("region")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        q = self.request.GET.get("q", "")[:100]
        status = selectors.school_status_filter(
            self.request.GET.get("status"), default=SchoolStatus.ACTIVE
        )
        units = selectors.school_list(
            actor=self.actor, q=q, municipality_id=self.object.pk, status=status
        )
        ctx["page_obj"] = Paginator(units, PAGE_SIZE).get_page(self.request.GET.get("page"))
        ctx["q"] = q
        ctx["status"] = status
        ctx["statuses"] = SchoolStatus.choices
        return ctx


class SchoolListView(_SearchListMixin, ScopedViewMixin, ListView):  # type: ignore[type-arg]
    api_routes = ("api-school-list",)
    scoped_model = School
    action = A.VIEW_SCHOOL
    template_name = "registration/school_list.html"
    sort_columns = (
        Column("code", "Логин"),
        Column("name", "ОО", ("short_name", "code")),
        Column("municipality", "Муниципалитет", ("municipality__name", "code")),
        Column("status", "Статус", ("status", "code")),
    )
    default_sort = "code"

    def get_queryset(self) -> QuerySet[School]:
        return selectors.school_list(actor=self.actor, q=self.search_query())


class SchoolDetailView(ScopedViewMixin, DetailView):  # type: ignore[type-arg]
    """A school's own page."""

    api_routes = ("api-school-detail",)

    scoped_model = School
    action = A.VIEW_SCHOOL
    template_name = "registration/school_detail.html"
    context_object_name = "school"

    def get_queryset(self) -> QuerySet[School]:
        return super().get_queryset().select_related("municipality", "region")


class RegionSchoolExportView(ScopedViewMixin, View):
    """Queues the xlsx list of a region's schools (POST); the file appears under «Мои выгрузки»."""

    api_routes = ("api-region-school-export",)

    scoped_model = Region
    action = A.EXPORT_SCHOOLS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            services.school_list_export_request(actor=self.actor, region_id=pk)
        except Region.DoesNotExist as exc:
            raise Http404 from exc
        return HttpResponseRedirect(reverse("job-list"))


class MunicipalitySchoolExportView(ScopedViewMixin, View):
    """Queues the xlsx list of a municipality's schools (POST)."""

    api_routes = ("api-municipality-school-export",)

    scoped_model = Municipality
    action = A.EXPORT_SCHOOLS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            services.school_list_export_request(actor=self.actor, municipality_id=pk)
        except Municipality.DoesNotExist as exc:
            raise Http404 from exc
        return HttpResponseRedirect(reverse("job-list"))


class JobListView(_SortedListMixin, ScopedViewMixin, ListView):  # type: ignore[type-arg]
    api_routes = ("api-jobs",)
    scoped_model = Job
    action = A.VIEW_JOB
    template_name = "registration/job_list.html"
    paginate_by = PAGE_SIZE
    sort_columns = (
        Column("created", "Запрошено", ("created_at",)),
        Column("title", "Что", ("params__title", "-created_at")),
        Column("status", "Состояние", ("status", "-created_at")),
    )
    default_sort = "-created"

    def get_queryset(self) -> QuerySet[Job]:
        return selectors.job_list(actor=self.actor)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        # While an export on the page is being prepared, the table refreshes itself (poll.js).
        waiting = (Job.Status.QUEUED, Job.Status.RUNNING)
        ctx["running"] = any(job.status in waiting for job in ctx["object_list"])
        return ctx


class JobDownloadView(ScopedViewMixin, View):
    """Streams a finished export from storage; the download is audited."""

    api_routes = ("api-export-download",)

    scoped_model = Job
    action = A.VIEW_JOB

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:
        try:
            job = selectors.export_job_get(actor=self.actor, job_id=int(kwargs["pk"]))
        except Job.DoesNotExist as exc:
            raise Http404 from exc
        if not job.output:
            raise Http404
        from django.core.files.storage import default_storage

        services.job_download_record(actor=self.actor, job=job)
        name = f"Список ОО {job.params.get('title', '')}".strip() + ".xlsx"
        return FileResponse(
            default_storage.open(job.output, "rb"), as_attachment=True, filename=name
        )
