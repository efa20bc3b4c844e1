"""The one HTML hook for domain errors (ADR 0018).

A view that lets a ``DomainError`` escape gets the same answer everywhere: after a form post
(``POST`` with a same-site ``Referer``) the Russian message is flashed and the browser goes back
to the page it came from; otherwise a Russian error page with the status of the error's kind.
Views keep their own ``except DomainError`` only to re-render a form with the error in place.
The API never reaches this hook: DRF answers through ``core.drf.exception_handler``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from apps.core.errors import DomainError

TITLES = {
    400: "Неверный запрос",
    403: "Доступ запрещён",
    404: "Объект не найден",
    409: "Действие сейчас недоступно",
    410: "Больше недоступно",
}


def domain_error_response(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """Flash and go back after a form post; otherwise the error page with the kind's status."""
    back = request.META.get("HTTP_REFERER", "")
    if (
        request.method == "POST"
        and back
        and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        messages.error(request, exc.message)
        return HttpResponseRedirect(back)
    context = {"title": TITLES.get(exc.status, "Ошибка"), "message": exc.message}
    return render(request, "core/domain_error.html", context, status=exc.status)


class DomainErrorMiddleware:
    """Turns a ``DomainError`` raised by an HTML view into ``domain_error_response``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            return domain_error_response(request, exception)
        return None
