"""Helpers of the account tests: fill templates, read credentials files, log in by hand."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, TestCase
from django.urls import reverse
from openpyxl import load_workbook

from apps.registration.accounts.rules import (
    COL_CODE,
    COL_EMAIL,
    COL_FULL_NAME,
    COL_PHONE,
    COL_POSITION,
    COL_REPLACE,
    FIRST_DATA_ROW,
    AccountFileKind,
)
from apps.registration.models import CredentialsFile

NEW_PASSWORD = "Svoj-Parol-2026-qwz"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def person(n: int | str, **extra: str) -> dict[str, str]:
    data = {
        "full_name": f"Тестова Анна Сергеевна {n}",
        "position": "Методист",
        "phone": "+7 (343) 123-45-67",
        "email": f"person{n}@example.org",
    }
    data.update(extra)
    return data


def fill(template: bytes, kind: AccountFileKind, people: Mapping[str, Mapping[str, Any]]) -> bytes:
    """Fill a downloaded template: ``people`` maps a unit code to its person (+ 'replace')."""
    wb = load_workbook(io.BytesIO(template))
    ws = wb[kind.sheet]
    for row in range(FIRST_DATA_ROW, ws.max_row + 1):
        code = ws.cell(row=row, column=COL_CODE).value
        if code in people:
            p = people[code]
            ws.cell(row=row, column=COL_FULL_NAME).value = p.get("full_name", "")
            ws.cell(row=row, column=COL_POSITION).value = p.get("position", "")
            ws.cell(row=row, column=COL_PHONE).value = p.get("phone", "")
            ws.cell(row=row, column=COL_EMAIL).value = p.get("email", "")
            ws.cell(row=row, column=COL_REPLACE).value = p.get("replace", "Нет")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_upload(content: bytes, name: str = "файл.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def apply_upload(client: Client, batch_id: int, *, follow: bool = False) -> HttpResponse:
    """Press «Применить изменения»; the queued job runs once the request's transaction commits.

    Test transactions never commit, so the on-commit callbacks (the task, eager) run at the end
    of this block, as a worker would just after the answer: the answer shows the queued state.
    """
    with TestCase.captureOnCommitCallbacks(execute=True):  # runs them as the block exits
        return client.post(reverse("account-import-apply", args=[batch_id]), follow=follow)


def read_credentials(content: bytes) -> dict[str, str]:
    """login → one-time password from a credentials xlsx."""
    ws = load_workbook(io.BytesIO(content)).active
    assert ws is not None
    found = {}
    for row in ws.iter_rows(min_row=5, values_only=True):
        if row[2]:
            found[str(row[2])] = str(row[3])
    return found


def download_latest_credentials(client: Client, user: Any) -> dict[str, str]:
    cf = CredentialsFile.objects.filter(issued_by=user).order_by("-pk").first()
    assert cf is not None
    response = client.get(reverse("credentials-download", args=[cf.pk]))
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    return read_credentials(response.content)


def login_first_time(login: str, password: str) -> Client:
    """Log in with a one-time password and set one's own, as a person would."""
    client = Client()
    response = client.post(reverse("login"), {"username": login, "password": password})
    assert response.status_code == 302, response.content[:500]
    forced = client.get(reverse("cabinet"))
    assert forced.status_code == 302
    assert forced["Location"] == reverse("password-change")
    response = client.post(
        reverse("password-change"),
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return client
