from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from apps.core.models import AuditEvent, ImportBatch
from apps.registration.constants import SchoolStatus
from apps.registration.models import School
from apps.registration.reconciliation import rules as rc
from apps.registration.tests.reconciliation.helpers import XLSX, edit, new_school, snapshot

pytestmark = pytest.mark.django_db

API = "/api/v1/school-list"


def _file(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("выверка.xlsx", content, content_type=XLSX)


def test_api_template_upload_apply_and_list(world):
    # given the municipal coordinator on the API
    client = world.client_for("municipal")
    # when it downloads its template
    response = client.get(f"{API}/template/")
    content = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert rc.SHEET_DATA in load_workbook(io.BytesIO(content)).sheetnames
    # and uploads it with one school closed and one new
    code = world.schools["A1b"].code
    changed = edit(content, set_cells={(code, rc.STATUS.header): "Закрыта"}, add=[new_school()])
    created = client.post(f"{API}/batches/", {"file": _file(changed)})
    # then it gets the preview
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "preview"
    assert body["preview"]["counts"] == {
        "created": 1,
        "changed": 1,
        "unchanged": 1,
        "rejected": 0,
        "missing": 0,
    }
    # when it applies it twice
    first = client.post(f"{API}/batches/{body['id']}/apply/")
    second = client.post(f"{API}/batches/{body['id']}/apply/")
    # then the first applies, the second does nothing and says so
    assert first.status_code == 200
    assert first.json()["done"] is True
    assert first.json()["batch"] == body["id"]
    assert first.json()["status"] == "applied"
    assert first.json()["message"].startswith("Изменения применены: новых ОО — 1")
    result = client.get(f"{API}/batches/{body['id']}/").json()["preview"]["result"]
    assert result["created"][0]["code"].startswith("edu")
    assert second.status_code == 200
    assert second.json()["done"] is False
    assert "уже применён" in second.json()["message"]
    assert School.objects.get(code=code).status == SchoolStatus.CLOSED
    assert AuditEvent.objects.filter(action="school_list.apply").count() == 1
    # and the closed school is gone from the active list of the API
    active = client.get("/api/v1/schools/", {"status": "active"}).json()["results"]
    assert code not in {s["code"] for s in active}
    # and the federal operator sees the batch in the list, by region
    federal = world.client_for("federal")
    listed = federal.get(f"{API}/batches/", {"region": world.regions["A"].pk}).json()
    assert [b["id"] for b in listed["results"]] == [body["id"]]
    none = federal.get(f"{API}/batches/", {"region": world.regions["B"].pk}).json()
    assert none["results"] == []


def test_api_refuses_a_bad_file_with_row_and_column(world):
    # given a file with an unknown code
    client = world.client_for("municipal")
    content = b"".join(client.get(f"{API}/template/").streaming_content)
    bad = edit(content, add=[new_school(**{rc.CODE.header: "edu999999"})])
    before, batches = snapshot(), ImportBatch.objects.count()
    # when it is uploaded
    response = client.post(f"{API}/batches/", {"file": _file(bad)})
    # then 400 names the row and column in Russian, with the preview, and nothing changes
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0]["row"] == 6
    assert body["errors"][0]["column"] == "A"
    assert "edu999999" in body["errors"][0]["message"]
    assert body["context"]["preview"]["counts"]["rejected"] == 1
    assert snapshot() == before
    assert ImportBatch.objects.count() == batches


def test_api_upload_needs_a_file_and_the_role(world):
    # given a municipal coordinator without a file, and a school organizer with one
    municipal = world.client_for("municipal")
    school = world.client_for("school_organizer")
    # when they post
    empty = municipal.post(f"{API}/batches/", {})
    refused = school.post(f"{API}/batches/", {"file": _file(b"PK\x03\x04")})
    # then the message is Russian, and the wrong role is refused
    assert empty.status_code == 400
    assert empty.json()["errors"] == [{"field": "file", "message": "Выберите файл для загрузки."}]
    assert refused.status_code == 403


def test_api_batches_of_another_unit_are_missing(world):
    # given a batch of A1
    client = world.client_for("municipal")
    content = b"".join(client.get(f"{API}/template/").streaming_content)
    batch_id = client.post(f"{API}/batches/", {"file": _file(content)}).json()["id"]
    # when the regional coordinator of B (made here) asks for it
    from apps.registration.tests.factories import grant, make_user

    other = make_user("t_regional_b", "x-Password-123")
    grant(other, "regional", world.regions["B"])
    client.force_login(other)
    # then it does not exist for it
    assert client.get(f"{API}/batches/{batch_id}/").status_code == 404
    assert client.post(f"{API}/batches/{batch_id}/apply/").status_code == 404


def test_api_stale_preview_is_409_with_the_rows_and_discard_answers_the_outcome(world):
    # given an upload changing A1a's address, and A1a moved to A2 since the preview
    client = world.client_for("municipal")
    content = b"".join(client.get(f"{API}/template/").streaming_content)
    school = world.schools["A1a"]
    changed = edit(content, set_cells={(school.code, rc.ADDRESS.header): "ул. Новая, 1"})
    batch_id = client.post(f"{API}/batches/", {"file": _file(changed)}).json()["id"]
    school.municipality = world.municipalities["A2"]
    school.save()
    before = snapshot()
    # when it is applied
    stale = client.post(f"{API}/batches/{batch_id}/apply/")
    # then 409 import_stale names the row, carries the file as it reads today; nothing changes
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "import_stale"
    assert "список ОО" in body["detail"]
    assert any("нет в списке ОО" in e["message"] for e in body["errors"])
    assert body["context"]["preview"]["counts"]["rejected"] == 1
    assert snapshot() == before
    # when it is discarded instead, twice
    first = client.post(f"{API}/batches/{batch_id}/discard/")
    second = client.post(f"{API}/batches/{batch_id}/discard/")
    # then the first closes it, the second does nothing and says so
    assert first.json() == {
        "done": True,
        "message": "Загрузка отменена; ничего не изменено.",
        "batch": batch_id,
        "status": "discarded",
    }
    assert second.status_code == 200
    assert second.json()["done"] is False
    assert ImportBatch.objects.get(pk=batch_id).status == ImportBatch.Status.DISCARDED
