"""Error pages in Russian."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.core.params import QueryParameterError


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 in Russian; a malformed parameter (``core.params``) says which value was wrong."""
    message = (
        getattr(exception, "message", "") if isinstance(exception, QueryParameterError) else ""
    )
    return render(request, "400.html", {"message": message}, status=400)
