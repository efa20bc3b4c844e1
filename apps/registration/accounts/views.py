"""HTML pages for accounts: coordinators, organizers, specialists, uploads, credentials, login.

Thin: parse, call one selector or service, render. Every page taking an id is a
ScopedViewMixin over the model of that id.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar, cast

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import View

from apps.core.client_ip import Client
from apps.core.errors import DomainError
from apps.core.imports import DISCARD, ImportOutcome
from apps.core.models import ImportBatch, Job
from apps.core.uploads import UploadError
from apps.registration import totp
from apps.registration import views as base_views
from apps.registration.access import A, ActorViewMixin, ScopedViewMixin
from apps.registration.accounts import selectors as sel
from apps.registration.accounts import services as svc
from apps.registration.accounts.forms import CodeForm, PersonForm, UploadForm
from apps.registration.accounts.rules import AccountFileKind, account_template_xlsx
from apps.registration.constants import Role
from apps.registration.import_views import ImportActionView
from apps.registration.messages import text as messages_text
from apps.registration.models import CredentialsFile, Municipality, Region, School, User

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PENDING_KEY = "vpr_2fa_pending"
PENDING_SECONDS = 300
PENDING_TRIES = 5
APPLY_REFRESH_SECONDS = 3


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


def _person(form: PersonForm) -> svc.Person:
    d = form.cleaned_data
    return svc.Person(d["full_name"], d["position"], d["phone"], d["email"])


# --- login with an optional second step -------------------------------------------------------


class LoginView(base_views.LoginView):
    """The login page. A user with TOTP on gets a second step on the same URL: the code.

    After a correct password such a user is not logged in yet; the session remembers who is
    pending (for five minutes, five tries) and the page asks for the code.
    """

    browser_only = (
        "The login form of a person (password, then the TOTP code); API clients obtain a "
        "token with POST /api/v1/auth/token/."
    )

    code_template = "registration/accounts/login_code.html"

    def _pending(self) -> dict[str, Any] | None:
        pending = self.request.session.get(PENDING_KEY)
        if not pending or time.time() - pending["at"] > PENDING_SECONDS:
            self.request.session.pop(PENDING_KEY, None)
            return None
        return pending  # type: ignore[no-any-return]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("step") == "code" and self._pending() is not None:
            return render(request, self.code_template, {"form": CodeForm()})
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "code" in request.POST:
            return self._code_step(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not user.totp_enabled:
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING_KEY] = {
            "uid": user.pk,
            "username": user.get_username(),
            "backend": user.backend,
            "at": int(time.time()),
            "tries": 0,
            "next": self.get_redirect_url(),
        }
        return HttpResponseRedirect(f"{reverse('login')}?step=code")

    def _code_step(self, request: HttpRequest) -> HttpResponse:
        pending = self._pending()
        if pending is None:
            messages.error(request, "Время ввода кода истекло. Войдите снова.")
            return redirect("login")
        form = CodeForm(request.POST)
        user = None
        if form.is_valid():
            user = svc.totp_login_check(
                user_id=pending["uid"],
                code=form.cleaned_data["code"],
                client=Client.of_request(request),
            )
        if user is None:
            # A wrong code counts as a failed login of the (login, address) pair, as in the
            # token API: a thief who knows the password cannot guess codes faster than
            # passwords by logging in again after every few codes.
            AxesProxyHandler.user_login_failed(
                sender=LoginView, credentials={"username": pending.get("username")}, request=request
            )
            if getattr(request, "axes_locked_out", False):
                request.session.pop(PENDING_KEY, None)
                locked: HttpResponse = get_lockout_response(
                    request, credentials={"username": pending["username"]}
                )
                return locked
            pending["tries"] += 1
            if pending["tries"] >= PENDING_TRIES:
                request.session.pop(PENDING_KEY, None)
                messages.error(request, "Слишком много неверных кодов. Войдите снова.")
                return redirect("login")
            request.session[PENDING_KEY] = pending
            ctx = {"form": CodeForm(), "error": messages_text("totp_bad_code")}
            return render(request, self.code_template, ctx)
        request.session.pop(PENDING_KEY, None)
        login(request, user, backend=pending["backend"])
        target = pending.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("cabinet")
        return HttpResponseRedirect(target or reverse("cabinet"))


# --- own account ------------------------------------------------------------------------------


def _own_user(request: HttpRequest) -> User:
    """The logged-in user: ActorViewMixin sends anonymous requests to the login page first."""
    return cast(User, request.user)


class PasswordChangeView(ActorViewMixin, View):
    """Change one's own password; required after logging in with a one-time password."""

    browser_only = (
        "A person sets a password of their own in the browser: API tokens are refused until "
        "a one-time password is replaced (HasAction), and a script never handles a person's "
        "password."
    )

    template_name = "registration/accounts/password_change.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": PasswordChangeForm(_own_user(request))})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PasswordChangeForm(_own_user(request), request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        user = svc.password_change(
            user=_own_user(request),
            new_password=form.cleaned_data["new_password1"],
            client=self.actor.client,
        )
        update_session_auth_hash(request, user)
        messages.success(request, "Пароль изменён.")
        return redirect("cabinet")


class SecurityView(ActorViewMixin, View):
    """Two-factor login (TOTP) for coordinators and the federal operator."""

    browser_only = (
        "Two-factor login is a person's own: the page shows the secret as a QR code for the "
        "person's phone and confirms it with a code from that phone."
    )

    template_name = "registration/accounts/security.html"

    def _context(self, user: User, **extra: Any) -> dict[str, Any]:
        ctx: dict[str, Any] = {"enabled": user.totp_enabled, "form": CodeForm(), **extra}
        if user.totp_secret and not user.totp_enabled:
            from django.conf import settings

            secret = svc.totp_secret(user)
            ctx["secret"] = totp.grouped(secret)
            ctx["uri"] = totp.provisioning_uri(
                secret, account=user.username, issuer=settings.VPR_TOTP_ISSUER
            )
        return ctx

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.actor.can(A.USE_TOTP):
            raise PermissionDenied
        user = User.objects.get(pk=_own_user(request).pk)
        return render(request, self.template_name, self._context(user))

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.actor.can(A.USE_TOTP):
            raise PermissionDenied
        user = User.objects.get(pk=_own_user(request).pk)
        step = request.POST.get("step", "")
        if step == "begin" and not user.totp_enabled:
            svc.totp_begin(user=user)
            return redirect("account-security")
        form = CodeForm(request.POST)
        code = form.cleaned_data["code"] if form.is_valid() else ""
        try:
            if step == "confirm":
                svc.totp_confirm(user=user, code=code, client=self.actor.client)
                messages.success(request, "Вход с одноразовым кодом включён.")
            elif step == "disable":
                svc.totp_disable(user=user, code=code, client=self.actor.client)
                messages.success(request, "Вход с одноразовым кодом отключён.")
            else:
                raise Http404
        except DomainError as exc:
            user.refresh_from_db()
            return render(request, self.template_name, self._context(user, error=exc.message))
        return redirect("account-security")


# --- the regional coordinator (federal operator) ----------------------------------------------


class RegionCoordinatorView(ScopedViewMixin, View):
    """The coordinator of a region: who it is, and the form to create, update or replace it."""

    api_routes = ("api-region-coordinator", "api-regional-coordinator-set")

    scoped_model = Region
    action = A.MANAGE_REGIONAL_COORDINATOR
    template_name = "registration/accounts/region_coordinator.html"

    def _render(
        self, request: HttpRequest, pk: int, form: PersonForm, status: int = 200
    ) -> HttpResponse:
        account = sel.regional_coordinator_get(actor=self.actor, region_id=pk)
        return render(
            request,
            self.template_name,
            {"account": account, "region": account.unit, "form": form},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            account = sel.regional_coordinator_get(actor=self.actor, region_id=pk)
        except Region.DoesNotExist as exc:
            raise Http404 from exc
        u = account.user
        initial = (
            {"full_name": u.full_name, "position": u.position, "phone": u.phone, "email": u.email}
            if u
            else {}
        )
        return self._render(request, pk, PersonForm(initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = PersonForm(request.POST)
        try:
            if not form.is_valid():
                return self._render(request, pk, form)
            result = svc.regional_coordinator_set(
                actor=self.actor,
                region_id=pk,
                person=_person(form),
                replace=request.POST.get("mode") == "replace",
            )
        except Region.DoesNotExist as exc:
            raise Http404 from exc
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self._render(request, pk, form)
        text = {
            svc.CREATED: "Учётная запись регионального координатора создана.",
            svc.REPLACED: "Координатор заменён; прежняя учётная запись отключена.",
            svc.UPDATED: "Данные координатора обновлены; пароль не изменился.",
            svc.UNCHANGED: "Изменений нет.",
        }[result.outcome]
        messages.success(request, text)
        if result.credentials is not None:
            return redirect("credentials-list")
        return redirect("region-coordinator", pk=pk)


class _ReissueView(ScopedViewMixin, View):
    """POST: a new one-time password for the account of a unit."""

    back: ClassVar[str]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            cf = svc.account_reissue(
                actor=self.actor,
                model=self.scoped_model,  # type: ignore[arg-type]
                unit_id=pk,
            )
        except self.scoped_model.DoesNotExist as exc:  # type: ignore[attr-defined]
            raise Http404 from exc
        if cf is None:
            messages.warning(request, "У подразделения нет действующей учётной записи.")
            back = request.POST.get("back", "")
            if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
                back = reverse("cabinet")
            return HttpResponseRedirect(back or reverse("cabinet"))
        messages.success(request, "Выдан новый одноразовый пароль; прежний больше не действует.")
        return redirect("credentials-list")


class RegionCoordinatorReissueView(_ReissueView):
    api_routes = ("api-region-coordinator-reissue",)
    scoped_model = Region
    action = A.MANAGE_REGIONAL_COORDINATOR


class MunicipalityCoordinatorReissueView(_ReissueView):
    api_routes = ("api-municipality-coordinator-reissue",)
    scoped_model = Municipality
    action = A.MANAGE_MUNICIPAL_COORDINATORS


class SchoolOrganizerReissueView(_ReissueView):
    api_routes = ("api-school-organizer-reissue",)
    scoped_model = School
    action = A.MANAGE_SCHOOL_ORGANIZERS


# --- coordinator files: the page, the template, the upload ------------------------------------


class _UnitAccountsView(ScopedViewMixin, View):
    """A unit's children with their accounts, the template link and the upload form."""

    kind: ClassVar[AccountFileKind]
    template_name = "registration/accounts/unit_accounts.html"
    template_url: ClassVar[str]
    reissue_url: ClassVar[str]

    def _render(self, request: HttpRequest, pk: int, **extra: Any) -> HttpResponse:
        try:
            unit = svc.import_unit_get(actor=self.actor, kind=self.kind, unit_id=pk)
            accounts = sel.unit_accounts_list(actor=self.actor, kind=self.kind, unit_id=pk)
        except self.scoped_model.DoesNotExist as exc:  # type: ignore[attr-defined]
            raise Http404 from exc
        status = extra.pop("status", 200)
        ctx = {
            "unit": unit,
            "kind": self.kind,
            "accounts": accounts,
            "form": extra.pop("form", UploadForm()),
            "template_url": reverse(self.template_url, args=[pk]),
            "reissue_url": self.reissue_url,
            "imports": sel.account_import_list(actor=self.actor).filter(kind=self.kind.value)[:5],
            **extra,
        }
        return render(request, self.template_name, ctx, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, pk)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, pk, form=form)
        upload = form.cleaned_data["file"]
        try:
            batch = svc.account_import_upload(
                actor=self.actor,
                kind=self.kind,
                unit_id=pk,
                name=upload.name or "",
                file=upload,
                size=upload.size or 0,
            )
        except self.scoped_model.DoesNotExist as exc:  # type: ignore[attr-defined]
            raise Http404 from exc
        except UploadError as exc:
            rejected = len({e.row for e in exc.errors if e.row})
            return self._render(
                request,
                pk,
                form=form,
                errors=exc.errors,
                rejected_rows=rejected,
                file_name=upload.name,
            )
        return redirect("account-import-detail", pk=batch.pk)


class MunicipalCoordinatorsView(_UnitAccountsView):
    api_routes = ("api-account-imports",)
    scoped_model = Region
    action = A.MANAGE_MUNICIPAL_COORDINATORS
    kind = AccountFileKind.MUNICIPAL_COORDINATORS
    template_url = "municipal-coordinators-template"
    reissue_url = "municipality-coordinator-reissue"


class SchoolOrganizersView(_UnitAccountsView):
    api_routes = ("api-account-imports",)
    scoped_model = Municipality
    action = A.MANAGE_SCHOOL_ORGANIZERS
    kind = AccountFileKind.SCHOOL_ORGANIZERS
    template_url = "school-organizers-template"
    reissue_url = "school-organizer-reissue"


class _TemplateView(ScopedViewMixin, View):
    kind: ClassVar[AccountFileKind]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            unit = svc.import_unit_get(actor=self.actor, kind=self.kind, unit_id=pk)
            accounts = sel.unit_accounts_list(actor=self.actor, kind=self.kind, unit_id=pk)
        except self.scoped_model.DoesNotExist as exc:  # type: ignore[attr-defined]
            raise Http404 from exc
        code = svc.unit_login(unit) if isinstance(unit, Region) else unit.code
        content = account_template_xlsx(
            kind=self.kind, unit_code=code, unit_name=unit.name, rows=sel.template_rows(accounts)
        )
        return _xlsx_response(content, f"{self.kind.label} {code}.xlsx")


class MunicipalCoordinatorsTemplateView(_TemplateView):
    api_routes = ("api-municipal-coordinators-template",)
    scoped_model = Region
    action = A.MANAGE_MUNICIPAL_COORDINATORS
    kind = AccountFileKind.MUNICIPAL_COORDINATORS


class SchoolOrganizersTemplateView(_TemplateView):
    api_routes = ("api-school-organizers-template",)
    scoped_model = Municipality
    action = A.MANAGE_SCHOOL_ORGANIZERS
    kind = AccountFileKind.SCHOOL_ORGANIZERS


# --- preview → apply --------------------------------------------------------------------------


class AccountImportDetailView(ScopedViewMixin, View):
    """The preview of an upload: what would be created, replaced, updated or left unchanged."""

    api_routes = ("api-account-import-detail",)

    scoped_model = ImportBatch
    action = A.IMPORT_ACCOUNTS
    template_name = "registration/accounts/import_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            batch = sel.account_import_get(actor=self.actor, batch_id=pk)
        except ImportBatch.DoesNotExist as exc:
            raise Http404 from exc
        if batch.kind not in svc.ACCOUNT_IMPORT_KINDS:
            ctx = {"batch": batch, "foreign": True, "back_url": reverse("cabinet")}
            return render(request, self.template_name, ctx)
        kind = AccountFileKind(batch.kind)
        job = sel.account_import_apply_job(actor=self.actor, batch=batch)
        # While the apply waits or runs, the page shows it and reloads itself every few seconds.
        applying = batch.status == ImportBatch.Status.PREVIEW and (
            job is not None and job.status in (Job.Status.QUEUED, Job.Status.RUNNING)
        )
        failed = batch.status == ImportBatch.Status.PREVIEW and (
            job is not None and job.status == Job.Status.FAILED
        )
        ctx = {
            "batch": batch,
            "kind": kind,
            "rows": batch.preview.get("rows", []),
            "counts": batch.preview.get("counts", {}),
            "unit": batch.preview.get("unit", {}),
            "credentials": sel.credentials_for_batch(actor=self.actor, batch=batch),
            "back_url": self._back_url(kind, batch),
            "applying": applying,
            "apply_error": job.error if failed and job is not None else "",
            "refresh_seconds": APPLY_REFRESH_SECONDS,
        }
        response = render(request, self.template_name, ctx)
        if applying:
            response["Refresh"] = str(APPLY_REFRESH_SECONDS)
        return response

    @staticmethod
    def _back_url(kind: AccountFileKind, batch: ImportBatch) -> str:
        unit_id = batch.preview.get("unit", {}).get("id")
        name = (
            "municipal-coordinators"
            if kind is AccountFileKind.MUNICIPAL_COORDINATORS
            else "school-organizers"
        )
        return reverse(name, args=[unit_id]) if unit_id else reverse("cabinet")


class _AccountImportActionView(ImportActionView):
    """Apply or discard an upload of either coordinator file (the kind is the batch's)."""

    action = A.IMPORT_ACCOUNTS
    detail_url = "account-import-detail"


class AccountImportApplyView(_AccountImportActionView):
    """Queue the apply. With eager tasks it is done already and the answer is as before: the
    message, and the credentials files if passwords were issued; otherwise the upload's page says
    the apply is running (and reloads itself) or why it failed. A stale preview is flashed."""

    api_routes = ("api-account-import-apply",)

    credentials: CredentialsFile | None = None

    def run(self, pk: int) -> ImportOutcome:
        try:
            asked = svc.account_import_apply_request(actor=self.actor, batch_id=pk)
        except ObjectDoesNotExist as exc:  # the upload, or the unit it is about, is not visible
            raise Http404 from exc
        if asked.job is None:
            return ImportOutcome(asked.batch, False, asked.refusal)
        job = sel.account_import_apply_job(actor=self.actor, batch=asked.batch)
        if job is None or job.status != Job.Status.DONE:
            return ImportOutcome(asked.batch, False, "")  # the page shows the job
        self.credentials = sel.credentials_for_batch(actor=self.actor, batch=asked.batch)
        message = svc.apply_message(self.credentials)
        return ImportOutcome(asked.batch, True, message, self.credentials)

    def after(self, request: HttpRequest, outcome: ImportOutcome) -> None:
        if outcome.message:
            super().after(request, outcome)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        answer = super().post(request, pk)
        return redirect("credentials-list") if self.credentials is not None else answer


class AccountImportDiscardView(_AccountImportActionView):
    api_routes = ("api-account-import-discard",)
    operation = DISCARD

    def run(self, pk: int) -> ImportOutcome:
        return svc.account_import_discard(actor=self.actor, batch_id=pk)


# --- credentials ------------------------------------------------------------------------------


class CredentialsListView(ScopedViewMixin, View):
    """The credentials files the actor issued; each can be downloaded once."""

    api_routes = ("api-credentials",)

    scoped_model = CredentialsFile
    action = A.DOWNLOAD_CREDENTIALS

    def get(self, request: HttpRequest) -> HttpResponse:
        files = sel.credentials_list(actor=self.actor)[:50]
        ctx = {"files": files, "now": timezone.now()}
        return render(request, "registration/accounts/credentials_list.html", ctx)


class CredentialsDownloadView(ScopedViewMixin, View):
    api_routes = ("api-credentials-download",)
    scoped_model = CredentialsFile
    action = A.DOWNLOAD_CREDENTIALS

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            name, content = svc.credentials_download(actor=self.actor, credentials_id=pk)
        except CredentialsFile.DoesNotExist as exc:
            raise Http404 from exc
        except DomainError as exc:
            return render(
                request,
                "registration/accounts/credentials_gone.html",
                {"message": exc.message},
                status=410,
            )
        return _xlsx_response(content, name)


# --- technical specialists --------------------------------------------------------------------


class SpecialistsView(ScopedViewMixin, View):
    """A school's technical specialists: list, add (login <school>_t<n>), remove."""

    api_routes = ("api-school-specialists", "api-specialist-add")

    scoped_model = School
    action = A.MANAGE_SPECIALISTS
    template_name = "registration/accounts/specialists.html"

    def _render(
        self, request: HttpRequest, pk: int, form: PersonForm, status: int = 200
    ) -> HttpResponse:
        try:
            school, active, disabled = sel.specialist_list(actor=self.actor, school_id=pk)
        except School.DoesNotExist as exc:
            raise Http404 from exc
        experts = sel.expert_account_list(actor=self.actor, school=school)
        ctx = {
            "school": school,
            "active": active,
            "disabled": disabled,
            "experts": experts,
            "expert_role": Role.EXPERT.label,
            "form": form,
        }
        return render(request, self.template_name, ctx, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, pk, PersonForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = PersonForm(request.POST)
        if not form.is_valid():
            return self._render(request, pk, form)
        try:
            result = svc.specialist_add(actor=self.actor, school_id=pk, person=_person(form))
        except School.DoesNotExist as exc:
            raise Http404 from exc
        login_name = result.user.username if result.user else ""
        messages.success(request, f"Технический специалист добавлен: логин {login_name}.")
        return redirect("credentials-list")


class _SpecialistActionView(ScopedViewMixin, View):
    """POST on one technical specialist of a school; a warning if the user is not one."""

    scoped_model = School
    action = A.MANAGE_SPECIALISTS

    def act(self, pk: int, user_id: int) -> Any:
        """Call the service; None when ``user_id`` is not an active specialist of the school."""
        raise NotImplementedError

    def done(self, request: HttpRequest, pk: int, result: Any) -> HttpResponse:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
        try:
            result = self.act(pk, user_id)
        except School.DoesNotExist as exc:
            raise Http404 from exc
        if result is None:
            messages.warning(request, messages_text("specialist_not_found"))
            return redirect("school-specialists", pk=pk)
        return self.done(request, pk, result)


class SpecialistDisableView(_SpecialistActionView):
    api_routes = ("api-school-specialist-disable",)

    def act(self, pk: int, user_id: int) -> User | None:
        return svc.specialist_disable(actor=self.actor, school_id=pk, user_id=user_id)

    def done(self, request: HttpRequest, pk: int, result: User) -> HttpResponse:
        messages.success(request, f"Учётная запись {result.username} отключена.")
        return redirect("school-specialists", pk=pk)


class SpecialistReissueView(_SpecialistActionView):
    api_routes = ("api-school-specialist-reissue",)

    def act(self, pk: int, user_id: int) -> CredentialsFile | None:
        return svc.specialist_reissue(actor=self.actor, school_id=pk, user_id=user_id)

    def done(self, request: HttpRequest, pk: int, result: CredentialsFile) -> HttpResponse:
        messages.success(request, "Выдан новый одноразовый пароль; прежний больше не действует.")
        return redirect("credentials-list")
