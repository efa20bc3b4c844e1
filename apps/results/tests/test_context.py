"""The context-data form: issued, filled, uploaded and stored exactly; every rule refuses a bad
file with a Russian row/column error and stores nothing; re-upload replaces; scoping."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.models import AuditEvent
from apps.core.uploads import UploadError
from apps.results.context import services as svc
from apps.results.context import xlsx as cx
from apps.results.models import ContextUpload, ParticipantContext
from apps.results.tests.conftest import Env

pytestmark = pytest.mark.django_db

SCHOOL = {2: "сельский", 3: "лицей", 4: "русский", 5: 42, 6: 15, 7: "да"}
STORED_SCHOOL = {
    "settlement_type": "сельский",
    "school_type": "лицей",
    "language": "русский",
    "teachers": 42,
    "computers": 15,
    "internet": "да",
}


def blank(env: Env) -> bytes:
    return svc.context_form_download(
        actor=env.actor(), school_id=env.school.pk, campaign_id=env.work.campaign_id
    ).content


def fill(content: bytes, school: dict[int, Any], people: dict[tuple[int, int], Any]) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    for row, value in school.items():
        wb[cx.SHEET_SCHOOL].cell(row=row, column=2).value = value
    for (row, col), value in people.items():
        wb[cx.SHEET_PEOPLE].cell(row=row, column=col).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def answers(count: int, line: str = "Школа России") -> dict[tuple[int, int], Any]:
    """Answers for the first ``count`` code rows (rows 2..count+1)."""
    cells: dict[tuple[int, int], Any] = {}
    for i in range(count):
        r = i + 2
        values = ["м" if i % 2 else "ж", "да" if i % 3 else "нет", "нет" if i % 4 else "да"]
        values += [line, "Перспектива"]
        for c, value in enumerate(values, start=3):
            cells[(r, c)] = value
    return cells


def upload(env: Env, content: bytes, role: str = "school_organizer") -> ContextUpload:
    return svc.context_upload(
        actor=env.actor(role),
        school_id=env.school.pk,
        content=content,
        filename="контекст.xlsx",
        campaign_id=env.work.campaign_id,
    )


def test_issued_form_has_instructions_first_dropdowns_and_only_inputs_open(env: Env) -> None:
    # given the issued form of school A1a
    wb = load_workbook(io.BytesIO(blank(env)))
    # then the instructions come first, the service sheet is hidden
    assert wb.sheetnames == [cx.SHEET_HELP, cx.SHEET_SCHOOL, cx.SHEET_PEOPLE, cx.SHEET_SERVICE]
    assert wb[cx.SHEET_SERVICE].sheet_state == "hidden"
    people = wb[cx.SHEET_PEOPLE]
    codes = [people.cell(row=r, column=1).value for r in range(2, people.max_row + 1)]
    assert sorted(codes) == sorted(env.codes + env.reserve)
    # and only the answer cells are unlocked, on protected sheets, each with a dropdown
    assert people.protection.sheet
    assert wb[cx.SHEET_SCHOOL].protection.sheet
    assert people.cell(row=2, column=1).protection.locked
    assert people.cell(row=2, column=2).protection.locked
    assert all(not people.cell(row=2, column=c).protection.locked for c in range(3, 8))
    assert wb[cx.SHEET_SCHOOL].cell(row=1, column=2).protection.locked
    assert not wb[cx.SHEET_SCHOOL].cell(row=2, column=2).protection.locked
    covered = " ".join(str(dv.sqref) for dv in people.data_validations.dataValidation)
    assert all(letter in covered for letter in "CDEFG")
    assert len(wb[cx.SHEET_SCHOOL].data_validations.dataValidation) == len(cx.SCHOOL_FIELDS)


def test_filled_form_round_trips_exactly(env: Env) -> None:
    # given the issued form filled for every code issued to the school
    total = len(env.codes) + len(env.reserve)
    content = fill(blank(env), SCHOOL, answers(total))
    # when it is uploaded
    version = upload(env, content)
    # then the school part and every participant are stored exactly as typed
    assert version.number == 1
    assert version.school_data == STORED_SCHOOL
    stored = {p.code: p for p in ParticipantContext.objects.filter(sheet=version.sheet)}
    assert len(stored) == total == version.participants
    people = load_workbook(io.BytesIO(content))[cx.SHEET_PEOPLE]
    for r in range(2, total + 2):
        code = people.cell(row=r, column=1).value
        p = stored[code]
        assert p.grade == 4
        assert p.gender == people.cell(row=r, column=3).value
        assert p.native_language == (people.cell(row=r, column=4).value == "да")
        assert p.ovz == (people.cell(row=r, column=5).value == "да")
        assert (p.textbook_russian, p.textbook_math) == ("Школа России", "Перспектива")
    # and the stored data rebuilt into a form reads back to the same content
    spec = svc.context_spec_get(actor=env.actor(), school=env.school, campaign=env.work.campaign)
    data = cx.read_context(content, spec)
    assert cx.read_context(cx.context_workbook(spec, data), spec).snapshot() == version.snapshot
    # and the upload is audited
    assert AuditEvent.objects.filter(action="results.context_upload", school_id=env.school.pk)


def test_unused_code_rows_are_skipped(env: Env) -> None:
    # given a form where only the first 3 codes got answers
    content = fill(blank(env), SCHOOL, answers(3))
    # when uploaded
    version = upload(env, content)
    # then only those 3 participants are stored
    assert ParticipantContext.objects.filter(sheet=version.sheet).count() == 3


def _wrong_code(env: Env) -> bytes:
    return fill(blank(env), SCHOOL, {**answers(2), (2, 1): "99999"})


def _bad_gender(env: Env) -> bytes:
    return fill(blank(env), SCHOOL, {**answers(2), (3, 3): "муж"})


def _bad_number(env: Env) -> bytes:
    return fill(blank(env), {**SCHOOL, 5: "много"}, answers(2))


def _bad_choice(env: Env) -> bytes:
    return fill(blank(env), {**SCHOOL, 2: "посёлок"}, answers(2))


def _name_in_cell(env: Env) -> bytes:
    return fill(blank(env), SCHOOL, {**answers(2), (2, 6): "Иванова Мария"})


def _name_in_extra_column(env: Env) -> bytes:
    return fill(blank(env), SCHOOL, {**answers(2), (3, 8): "Петров П.П."})


def _missing_answer(env: Env) -> bytes:
    return fill(blank(env), SCHOOL, {**answers(2), (2, 4): None})


def _duplicate_code(env: Env) -> bytes:
    return fill(blank(env), SCHOOL, {**answers(2), (3, 1): env.codes[0]})


def _not_xlsx(env: Env) -> bytes:
    return "Код участника;Пол\n40001;м\n".encode()


def _empty_school(env: Env) -> bytes:
    return fill(blank(env), {**SCHOOL, 7: None}, answers(2))


@pytest.mark.parametrize(
    ("make", "row", "column", "fragment"),
    [
        (_wrong_code, 2, "A", "код 99999 не выдавался этой ОО"),
        (_duplicate_code, 3, "A", "повторяется"),
        (_bad_gender, 3, "C", "пол — «м» или «ж»"),
        (_missing_answer, 2, "D", "«да» или «нет»"),
        (_bad_number, 5, "B", "целое число от 1 до 2000"),
        (_bad_choice, 2, "B", "Тип населённого пункта"),
        (_empty_school, 7, "B", "не заполнено"),
        (_name_in_cell, 2, "F", "Похоже на фамилию или имя"),
        (_name_in_extra_column, 3, "H", "Похоже на фамилию или имя"),
        (_not_xlsx, 0, "", "не является книгой Excel"),
    ],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_each_rule_refuses_the_file_and_stores_nothing(
    env: Env, make: Any, row: int, column: str, fragment: str
) -> None:
    # given a bad file
    content = make(env)
    # when it is uploaded
    with pytest.raises(UploadError) as caught:
        upload(env, content)
    # then the error names its row and column, in Russian, and nothing is stored
    found = [e.as_dict() for e in caught.value.errors]
    assert any(
        e["row"] == row and e["column"] == column and fragment in e["message"] for e in found
    ), found
    assert not ContextUpload.objects.exists()
    assert not ParticipantContext.objects.exists()


def test_a_name_is_never_echoed_back(env: Env) -> None:
    # given a name typed into a cell
    content = _name_in_cell(env)
    # when refused, the messages never repeat it
    with pytest.raises(UploadError) as caught:
        upload(env, content)
    assert "Иванова" not in str(caught.value)


def test_form_of_another_school_is_refused(env: Env) -> None:
    # given school A1a's filled form
    other = env.world.schools["A1b"]
    content = fill(blank(env), SCHOOL, answers(2))
    spec = cx.ContextSpec(
        school_code=other.code, campaign_key="x", year=2026, codes={c: 4 for c in env.codes}
    )
    # when checked against school A1b's form
    with pytest.raises(UploadError) as caught:
        cx.read_context(content, spec)
    # then it is refused as another school's form
    assert "другой ОО" in str(caught.value)


def test_reupload_replaces_atomically_and_keeps_versions(env: Env) -> None:
    # given an accepted upload of 5 participants
    first = upload(env, fill(blank(env), SCHOOL, answers(5)))
    # when a corrected file with 2 participants and other values is uploaded
    second = upload(
        env, fill(blank(env), {**SCHOOL, 5: 43}, answers(2, line="Гармония")), "school_tech"
    )
    # then the current data are exactly the second file's
    rows = ParticipantContext.objects.filter(sheet=second.sheet)
    assert rows.count() == 2
    assert {r.textbook_russian for r in rows} == {"Гармония"}
    assert {r.upload_id for r in rows} == {second.pk}
    second.sheet.refresh_from_db()
    assert second.sheet.current_upload_id == second.pk
    assert second.number == 2
    assert second.school_data["teachers"] == 43
    # and both versions are kept with who uploaded them
    kept = ContextUpload.objects.filter(sheet=second.sheet).order_by("number")
    assert [(u.number, u.uploaded_by.username) for u in kept] == [
        (1, env.world.users["school_organizer"].username),
        (2, env.world.users["school_tech"].username),
    ]
    assert kept[0].pk == first.pk
    assert kept[0].participants == 5
    assert AuditEvent.objects.filter(action="results.context_upload").count() == 2


def test_rejected_reupload_keeps_the_previous_data(env: Env) -> None:
    # given an accepted upload
    first = upload(env, fill(blank(env), SCHOOL, answers(4)))
    # when a bad file follows
    with pytest.raises(UploadError):
        upload(env, _bad_gender(env))
    # then the first version is still current and complete
    first.sheet.refresh_from_db()
    assert first.sheet.current_upload_id == first.pk
    assert ParticipantContext.objects.filter(upload=first).count() == 4
    assert ContextUpload.objects.count() == 1
    assert AuditEvent.objects.filter(action="results.context_upload_refused").count() == 1


# --- API and pages ----------------------------------------------------------------------------


def _file(content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "контекст.xlsx",
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def test_api_upload_accepts_and_reports(env: Env) -> None:
    # given a filled form
    content = fill(blank(env), SCHOOL, answers(3))
    client = env.world.client_for("school_organizer")
    # when posted to the API
    response = client.post(
        f"/api/v1/schools/{env.school.pk}/context/",
        {"file": _file(content), "campaign": env.work.campaign_id},
    )
    # then a new version is created
    assert response.status_code == 201, response.content
    assert response.json()["version"]["participants"] == 3
    state = client.get(
        f"/api/v1/schools/{env.school.pk}/context/?campaign={env.work.campaign_id}"
    ).json()
    assert state["current"]["number"] == 1
    assert state["current"]["school"] == STORED_SCHOOL


def test_api_refuses_bad_file_with_row_and_column(env: Env) -> None:
    # given a file with a wrong gender
    client = env.world.client_for("school_organizer")
    # when posted
    response = client.post(
        f"/api/v1/schools/{env.school.pk}/context/",
        {"file": _file(_bad_gender(env)), "campaign": env.work.campaign_id},
    )
    # then 400 lists the error with its row and column; nothing stored
    assert response.status_code == 400
    assert {k: v for k, v in response.json()["errors"][0].items() if k != "message"} == {
        "row": 3,
        "column": "C",
    }
    assert not ContextUpload.objects.exists()


def test_out_of_scope_school_is_404(env: Env) -> None:
    # given a school of another region
    foreign = env.world.schools["B1a"]
    client = env.world.client_for("school_organizer")
    content = fill(blank(env), SCHOOL, answers(2))
    # when the school organizer of A1a reads, downloads or uploads for it
    responses = [
        client.get(f"/api/v1/schools/{foreign.pk}/context/"),
        client.post(f"/api/v1/schools/{foreign.pk}/context/", {"file": _file(content)}),
        client.get(f"/schools/{foreign.pk}/context/"),
        client.get(f"/schools/{foreign.pk}/context/form/"),
        client.post(f"/schools/{foreign.pk}/context/upload/", {"file": _file(content)}),
    ]
    # then every answer is 404 and nothing is stored
    assert [r.status_code for r in responses] == [404] * 5
    assert not ContextUpload.objects.exists()


def test_coordinator_sees_but_cannot_upload(env: Env) -> None:
    # given an accepted upload
    upload(env, fill(blank(env), SCHOOL, answers(2)))
    client = env.world.client_for("municipal")
    # when the municipal coordinator opens the page and tries to upload
    page = client.get(f"/schools/{env.school.pk}/context/?campaign={env.work.campaign_id}")
    refused = client.post(f"/api/v1/schools/{env.school.pk}/context/", {"file": _file(b"x")})
    # then the data are visible and the upload is forbidden
    assert page.status_code == 200
    assert "Число педагогических работников" in page.content.decode()
    assert refused.status_code == 403


def test_browser_download_and_upload(env: Env) -> None:
    # given the school organizer in the browser
    client = env.world.client_for("school_organizer")
    campaign = env.work.campaign_id
    # when the form is downloaded, filled and uploaded; then a bad file is uploaded
    form = client.get(f"/schools/{env.school.pk}/context/form/?campaign={campaign}")
    content = b"".join(form.streaming_content)
    ok = client.post(
        f"/schools/{env.school.pk}/context/upload/?campaign={campaign}",
        {"file": _file(fill(content, SCHOOL, answers(2)))},
    )
    bad = client.post(
        f"/schools/{env.school.pk}/context/upload/?campaign={campaign}",
        {"file": _file(fill(content, SCHOOL, {**answers(2), (2, 5): "может быть"}))},
    )
    # then the form is an xlsx named in Russian, the first upload is accepted
    assert form.status_code == 200
    assert (
        "контекстных" in form["Content-Disposition"] or "filename*" in form["Content-Disposition"]
    )
    assert ok.status_code == 302
    assert ContextUpload.objects.count() == 1
    # and the bad one shows its row and column and stores nothing
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "<td>2</td><td>E</td>" in page
    assert ContextUpload.objects.count() == 1


def test_name_on_the_instruction_sheet_is_refused(env: Env) -> None:
    # given a filled form with a name typed on the instruction sheet
    wb = load_workbook(io.BytesIO(fill(blank(env), SCHOOL, answers(2))))
    wb[cx.SHEET_HELP].cell(row=30, column=1).value = "Сидоров Пётр"
    out = io.BytesIO()
    wb.save(out)
    # when uploaded
    with pytest.raises(UploadError) as caught:
        upload(env, out.getvalue())
    # then it is refused with the sheet, row and column
    found = [e.as_dict() for e in caught.value.errors]
    assert found[0]["row"] == 30
    assert found[0]["column"] == "A"
    assert found[0]["message"].startswith("Лист «Инструкция»")
    assert not ContextUpload.objects.exists()


def test_the_context_page_keeps_its_campaign_and_picks_another(env: Env) -> None:
    # given spring data uploaded, and an autumn campaign of the same year (the newest session,
    # so the one a page without ``?campaign=`` opens)
    from apps.campaigns.models import Session
    from apps.campaigns.tests.factories import CampaignFactory

    spring = env.work.campaign
    autumn = CampaignFactory(year=spring.year, session=Session.AUTUMN, name=spring.name)
    upload(env, fill(blank(env), SCHOOL, answers(2)))
    client = env.world.client_for("school_organizer")
    # when the school opens its spring results and follows the context-data link
    results = client.get(
        reverse("results-school", kwargs={"school_id": env.school.pk}), {"campaign": spring.pk}
    ).content.decode()
    href = re.search(r'href="([^"]+)">Форма сбора контекстных данных', results).group(1)
    page = client.get(href.replace("&amp;", "&")).content.decode()
    # then the spring page opens, named by its session, with its data
    assert f"Контекстные данные об ОО и участниках: ВПР {spring.year}, весна" in page
    assert "Версия 1" in page
    # and the picker offers both sessions, the spring one chosen
    assert f'<option value="{spring.pk}" selected>ВПР {spring.year}, весна' in page
    assert f'<option value="{autumn.pk}">ВПР {spring.year}, осень' in page
    # and its download and upload stay on the spring campaign
    assert f"/context/form/?campaign={spring.pk}" in page
    assert f"/context/upload/?campaign={spring.pk}" in page
    # when the autumn session is picked
    other = client.get(href.split("?")[0], {"campaign": autumn.pk}).content.decode()
    # then its own (empty) page is shown
    assert f"ВПР {spring.year}, осень" in other
    assert "Контекстные данные ещё не загружены." in other
    # and an upload without a file returns to the campaign it was made for
    back = client.post(f"{href.split('?')[0]}upload/?campaign={spring.pk}", {})
    assert back.status_code == 302
    assert back["Location"].endswith(f"/context/?campaign={spring.pk}")
