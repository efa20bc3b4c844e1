"""Content-Security-Policy: the header on every page, and templates that keep to it.

The browser side (no violation reported while the pages are used) is tests/browser/test_csp.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from conftest import World

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# What the policy blocks: inline <script> and <style> elements, style="" and on*="" attributes,
# javascript: URLs. A <script src="..."> is fine.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+\s*=|javascript:", re.IGNORECASE
)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["school_organizer", "municipal"])
def test_every_page_carries_a_strict_content_security_policy(world: World, role: str) -> None:
    # given a logged-in user and an anonymous visitor
    client = world.client_for(role)
    school = world.schools["A1a"]
    # when they open pages of the cabinet, the login page and an API endpoint
    responses = [
        client.get(f"/schools/{school.pk}/"),
        client.get(f"/schools/{school.pk}/schedule/"),
        client.get("/api/v1/me/"),
        client.__class__().get("/accounts/login/"),
    ]
    # then each carries the policy: only the portal's own scripts and styles, nothing inline
    for response in responses:
        policy = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        assert "http" not in policy


def test_no_template_needs_inline_code_or_styles() -> None:
    # given every template of the portal
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        # when it is scanned for what the policy would block
        for match in INLINE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            offenders.append(f"{path.relative_to(TEMPLATES)}:{line}: {match.group()}")
    # then there is none: scripts and styles live in static files
    assert not offenders, "\n".join(offenders)
