"""Forces a user holding a one-time password to set its own before anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

PASSWORD_CHANGE_MESSAGE = "Смените одноразовый пароль: откройте портал в браузере и войдите."  # noqa: S105


class PasswordChangeRequiredMiddleware:
    """Redirects every page (403 for the API) to the password change while it is required."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
        ):
            allowed = (reverse("password-change"), reverse("logout"))
            path = request.path
            if not path.startswith(allowed) and not path.startswith("/static/"):
                if path.startswith("/api/"):
                    body = {"code": "password_change_required", "detail": PASSWORD_CHANGE_MESSAGE}
                    return JsonResponse(body, status=403)
                return redirect(f"{reverse('password-change')}")
        return self.get_response(request)
