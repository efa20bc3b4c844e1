"""The Content-Security-Policy header on every response (Django 5.2 has no built-in CSP).

The policy (``settings.VPR_CONTENT_SECURITY_POLICY``) allows scripts, styles, fonts and images
from the portal itself only: no inline scripts, event-handler attributes or ``style``
attributes, no third-party origins. The templates keep to it (tests/test_csp.py scans them, and
tests/browser/test_csp.py opens the pages in Chromium and listens for violations), so an injected
``<script>`` or ``onerror=`` would not run even if escaping were ever missed somewhere.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"


class ContentSecurityPolicyMiddleware:
    """Sets the portal's policy on responses that do not carry one of their own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy: str = settings.VPR_CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and HEADER not in response:
            response[HEADER] = self.policy
        return response
