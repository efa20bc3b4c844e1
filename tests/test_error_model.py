"""One error model (ADR 0018): every API error has the documented shape, every domain refusal
of one kind has one status, no view handles errors on its own, and the schema says so."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework.views import APIView

import apps
from apps.campaigns.tests.factories import WorkFactory
from apps.core.errors import KINDS, DomainError, kind_of
from apps.core.messages import MESSAGES as CORE_MESSAGES
from apps.core.uploads import UploadError
from conftest import World

ERROR_KEYS = {"code", "detail", "errors", "context"}
HUGE = "1" + "0" * 20  # above 2**64


def assert_error_shape(response: HttpResponse, status: int) -> dict[str, Any]:
    """The documented ``Error``: ``code`` and ``detail`` strings, optional ``errors`` (a list of
    objects) and ``context`` (an object), nothing else, as JSON."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, dict)
    assert {"code", "detail"} <= set(body) <= ERROR_KEYS, body
    assert isinstance(body["code"], str)
    assert body["code"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert all("a" <= ch <= "z" or ch == "_" for ch in body["code"]), body["code"]
    if "errors" in body:
        assert isinstance(body["errors"], list)
        assert body["errors"]
        assert all(isinstance(e, dict) and "message" in e for e in body["errors"])
    if "context" in body:
        assert isinstance(body["context"], dict)
    return body


def _work_body(campaign_id: int, **over: Any) -> dict[str, Any]:
    start = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
    body: dict[str, Any] = {
        "campaign": campaign_id,
        "subject_code": "history",
        "subject_name": "История",
        "grade": 5,
        "max_score": 5,
        "mark3_from": 2,
        "mark4_from": 3,
        "mark5_from": 4,
        "period_start": start.isoformat(),
        "period_end": (start + dt.timedelta(days=10)).isoformat(),
        "recommended_dates": [(start + dt.timedelta(days=1)).isoformat()],
        "materials_publish_date": (start - dt.timedelta(days=4)).isoformat(),
        "results_upload_deadline": (start + dt.timedelta(days=17)).isoformat(),
        "results_release_date": (start + dt.timedelta(days=30)).isoformat(),
        "columns": [
            {"label": "1", "max_score": 2, "difficulty": "Б", "topic": "Карта"},
            {"label": "2К1", "max_score": 3, "difficulty": "П"},
        ],
    }
    body.update(over)
    return body


def _client(world: World, role: str) -> Client:
    client = world.client_for(role)
    client.raise_request_exception = False  # a crash is a 500 here, as a caller would see it
    return client


# --- (a) every error response of the API has one shape ---------------------------------------


@pytest.mark.django_db
def test_drf_errors_of_every_kind_have_the_documented_shape(world: World) -> None:
    # given callers of several roles and an anonymous one
    federal = _client(world, "federal")
    school = _client(world, "school_organizer")
    anonymous = Client()
    # when each kind of error DRF and Django raise is provoked on endpoints of several apps
    unauthenticated = anonymous.get("/api/v1/campaigns/")
    forbidden = school.post("/api/v1/works/", {}, content_type="application/json")
    missing = [
        federal.get("/api/v1/campaigns/999999/"),
        federal.get("/api/v1/result-versions/999999/"),
        federal.get("/api/v1/applications/999999/"),
        federal.get("/api/v1/schools/999999/"),
    ]
    invalid = school.post("/api/v1/school-dates/", {}, content_type="application/json")
    unparsable = school.post("/api/v1/school-dates/", "{", content_type="application/json")
    bad_param = federal.get("/api/v1/applications/", {"campaign": HUGE})
    not_allowed = anonymous.get("/api/v1/auth/token/")
    # then every answer has the Error shape and the status of its kind
    assert assert_error_shape(unauthenticated, 401)["code"] == "not_authenticated"
    assert assert_error_shape(forbidden, 403)["code"] == "permission_denied"
    for response in missing:
        assert assert_error_shape(response, 404)["detail"] == "Объект не найден."
    body = assert_error_shape(invalid, 400)
    assert body["code"] == "invalid"
    assert {"school", "work", "date"} <= {e["field"] for e in body["errors"]}
    assert assert_error_shape(unparsable, 400)["code"] == "parse_error"
    assert "целое число" in assert_error_shape(bad_param, 400)["detail"]
    assert assert_error_shape(not_allowed, 405)["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_domain_refusals_answer_the_status_of_their_kind(world: World) -> None:
    # given a campaign with a work and the federal operator
    work = WorkFactory()
    federal = _client(world, "federal")
    body = _work_body(work.campaign_id)
    # when it creates a work, creates it again, and sends one that breaks the rules
    created = federal.post("/api/v1/works/", body, content_type="application/json")
    again = federal.post("/api/v1/works/", body, content_type="application/json")
    broken = federal.post(
        "/api/v1/works/",
        _work_body(work.campaign_id, grade=6, mark5_from=6),
        content_type="application/json",
    )
    # and uploads a file that is not a workbook
    upload = federal.post(
        "/api/v1/work-imports/",
        {"campaign": work.campaign_id, "file": _named(b"not a workbook", "works.xlsx")},
    )
    # then the state refusal is a 409, the invalid work a 400 with one item per problem,
    # the file a 400 with its errors by row and column, all in the Error shape
    assert created.status_code == 201, created.content[:300]
    assert assert_error_shape(again, 409)["code"] == "work_exists"
    refused = assert_error_shape(broken, 400)
    assert refused["code"] == "work_invalid"
    assert all({"field", "message"} <= set(e) for e in refused["errors"])
    file_refused = assert_error_shape(upload, 400)
    assert file_refused["code"] == "upload_invalid"
    assert all({"row", "column", "message"} <= set(e) for e in file_refused["errors"])


def _named(content: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


# --- (b) one family, one status per kind, no copies of the handling --------------------------


def _import_every_app_module() -> None:
    for module in pkgutil.walk_packages(apps.__path__, "apps."):
        name = module.name
        if ".tests" in name or ".migrations" in name or name.startswith("apps.demo"):
            continue
        importlib.import_module(name)


def _subclasses(cls: type[DomainError]) -> Iterator[type[DomainError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_domain_error_belongs_to_exactly_one_kind_with_its_status() -> None:
    # given every module of every app imported
    _import_every_app_module()
    # when every DomainError subclass outside the kinds themselves is collected
    found = {c for c in _subclasses(DomainError) if c not in KINDS}
    found = {c for c in found if not c.__module__.startswith(("tests.", "apps.core.tests"))}
    # then there are the apps' families, each of exactly one kind, never changing its status
    names = {c.__name__ for c in found}
    assert {"ChainError", "CampaignError", "ResultsError", "UploadError"} <= names
    assert {"NotReleasedError", "LinesInvalidError", "NoticeError", "MaterialsError"} <= names
    for error_class in found:
        kind = kind_of(error_class)  # TypeError for none or several
        assert error_class.status == kind.status, error_class
        assert error_class.kind == kind.kind, error_class
    # and each kind has its own status
    assert len({k.status for k in KINDS}) == len(KINDS)


def test_every_app_error_finds_its_russian_text() -> None:
    # given every app's error classes
    _import_every_app_module()
    for error_class in _subclasses(DomainError):
        if error_class.__module__.startswith("apps.core") or error_class in KINDS:
            continue
        if issubclass(error_class, UploadError):  # core's file refusal, rows in ``errors``
            continue
        # then each reads its texts from its own app's messages module (the nearest one: a
        # sub-package of an app may keep its own, e.g. apps.objectivity.scans.messages)
        assert error_class.messages, f"{error_class.__qualname__} has no messages"
        assert error_class.messages is _owner_messages(error_class.__module__), error_class
    # and core keeps only its own texts
    assert "login_taken" not in CORE_MESSAGES
    assert "credentials_expired" not in CORE_MESSAGES


def _owner_messages(module: str) -> Any:
    """The ``MESSAGES`` of the messages module nearest to ``module`` inside its app."""
    parts = module.split(".")
    for end in range(len(parts), 1, -1):
        package = ".".join(parts[:end])
        if package.endswith(".messages"):
            return importlib.import_module(package).MESSAGES
        try:
            return importlib.import_module(f"{package}.messages").MESSAGES
        except ModuleNotFoundError:
            continue
    raise AssertionError(f"no messages module for {module}")


def _views(patterns: list[Any]) -> Iterator[type]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            view = getattr(entry.callback, "view_class", None) or getattr(
                entry.callback, "cls", None
            )
            if inspect.isclass(view):
                yield view


def test_no_view_handles_exceptions_on_its_own() -> None:
    # given every view class of the URLconf (pages and API)
    views = set(_views(get_resolver().url_patterns))
    assert len(views) > 50
    # then none overrides handle_exception: the one handler and the one hook answer errors
    own = sorted(
        f"{cls.__module__}.{cls.__qualname__} via {base.__qualname__}"
        for cls in views
        for base in cls.__mro__
        if "handle_exception" in base.__dict__ and not base.__module__.startswith("rest_framework")
    )
    assert own == []
    assert any(issubclass(v, APIView) for v in views)


# --- (c) the schema documents the shape -------------------------------------------------------


def test_the_schema_has_the_error_component_on_every_error_response() -> None:
    # when the OpenAPI schema is generated
    schema = SchemaGenerator().get_schema(request=None, public=True)
    # then it has the Error component with the two required fields
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "detail"}
    assert set(error["properties"]) == ERROR_KEYS
    # and every operation documents 400, 401, 403 and 404 (writes also 409), each an Error
    operations = [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "responses" in op
    ]
    assert len(operations) > 50
    for path, method, op in operations:
        expected = {"400", "401", "403", "404"}
        if method in {"post", "put", "patch", "delete"}:
            expected.add("409")
        assert expected <= set(op["responses"]), (path, method)
        for status, response in op["responses"].items():
            if int(status) >= 400:
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Error", (path, method, status)


# --- the one HTML hook -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_html_hook_flashes_after_a_post_and_shows_a_page_otherwise(
    rf: Any, world: World
) -> None:
    # given a domain refusal escaping from a page, once after a form post and once on a GET
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage

    from apps.applications.messages import ChainError
    from apps.core.middleware import DomainErrorMiddleware

    hook = DomainErrorMiddleware(lambda request: HttpResponse())
    refusal = ChainError("not_a_transition")
    posted = rf.post("/applications/1/submit/", HTTP_REFERER="http://testserver/applications/1/")
    posted.session = {}
    posted._messages = FallbackStorage(posted)
    posted.user = world.users["school_organizer"]
    shown = rf.get("/applications/1/")
    shown.user = world.users["school_organizer"]
    # when the hook answers them
    back = hook.process_exception(posted, refusal)
    page = hook.process_exception(shown, refusal)
    ignored = hook.process_exception(shown, ValueError("not ours"))
    # then the post goes back to its page with the Russian message flashed
    assert back is not None
    assert back.status_code == 302
    assert back["Location"] == "http://testserver/applications/1/"
    assert [str(m) for m in get_messages(posted)] == [refusal.message]
    # and the GET gets a Russian page with the kind's status; other errors are not its business
    assert page is not None
    assert page.status_code == 409
    assert refusal.message in page.content.decode()
    assert ignored is None


def test_the_handler_shapes_what_services_raise_directly() -> None:
    # given what a service may raise past a view: Django's own refusals and a domain error
    from django.core.exceptions import ObjectDoesNotExist, PermissionDenied

    from apps.campaigns.messages import CampaignInvalidError
    from apps.core.drf import exception_handler

    raised = {
        403: PermissionDenied(),
        404: ObjectDoesNotExist(),
        400: CampaignInvalidError("move_reason_required"),
    }
    for status, exc in raised.items():
        # when the one handler answers it
        response = exception_handler(exc, {})
        # then the body has the Error shape and the status of its kind
        assert response is not None
        assert response.status_code == status
        assert {"code", "detail"} <= set(response.data) <= ERROR_KEYS
        assert response.data["detail"]
