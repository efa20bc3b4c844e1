"""The experts' entry: an expert (or the organizer on its behalf) enters the scores of the codes
given to it into the school's draft, inside the checking window; only the organizer submits."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from apps.core.models import AuditEvent
from apps.materials.models import ParticipantCode
from apps.registration.access import actor_for_user
from apps.results import selectors as sel
from apps.results import services
from apps.results.messages import ResultsError
from apps.results.models import ResultDraft, ResultVersion
from apps.results.tests.conftest import Env
from apps.schoolday.checking.selectors import scored_codes
from apps.schoolday.models import ExpertAssignment, Person
from conftest import expert_person

OWN = ("40001", "40002", "40003")
OTHER = ("40004", "40005")


@dataclass
class Checking:
    env: Env
    own: Person  # the expert behind the world's «expert» account
    other: Person  # a second expert of the school, without an account

    def url(self, expert: Person | None = None) -> str:
        env = self.env
        url = reverse(
            "results-expert-entry", kwargs={"school_id": env.school.pk, "work_id": env.work.pk}
        )
        return f"{url}?expert={expert.pk}" if expert is not None else url

    def api(self) -> str:
        env = self.env
        return reverse(
            "api-results-expert-entry",
            kwargs={"school_id": env.school.pk, "work_id": env.work.pk},
        )

    def lines(self, codes: tuple[str, ...], seed: int = 3) -> list[list[str]]:
        """Filled rows (code … mark) for ``codes``, as the table posts them."""
        width = len(self.env.spec().columns)
        rows = {r.code: r for r in self.env.rows(seed=seed, absent=0)}
        return [["" if v is None else str(v) for v in rows[c].values(width)] for c in codes]

    def post(self, role: str, lines: list[list[str]], expert: Person | None = None) -> Any:
        data: dict[str, Any] = {"rows": str(len(lines)), "save": "1"}
        if expert is not None:
            data["expert"] = str(expert.pk)
        for i, line in enumerate(lines):
            for c, value in enumerate(line, start=1):
                data[f"c{i}_{c}"] = value
        return self.env.world.client_for(role).post(self.url(), data)


def _assign(env: Env, expert: Person, codes: tuple[str, ...]) -> None:
    school = env.school
    for code in codes:
        ExpertAssignment.objects.create(
            work=env.work,
            code=ParticipantCode.objects.get(school=school, code=code),
            expert=expert,
            school_id=school.pk,
            municipality_id=school.municipality_id,
            region_id=school.region_id,
        )


@pytest.fixture
def checking(env: Env) -> Checking:
    own = env.world.experts["A1a"]
    other = expert_person(env.school, name="Эксперт второй")
    _assign(env, own, OWN)
    _assign(env, other, OTHER)
    return Checking(env=env, own=own, other=other)


def _draft_rows() -> dict[str, list[str]]:
    return {line[0]: line for line in ResultDraft.objects.get().cells}


@pytest.mark.django_db
def test_an_expert_sees_only_the_codes_given_to_it(checking: Checking) -> None:
    # when the expert opens its entry page
    response = checking.env.world.client_for("expert").get(checking.url())
    html = response.content.decode()
    # then it shows its three codes and none of another expert's (or the rest of the school)
    assert response.status_code == 200
    assert all(f'value="{code}"' in html for code in OWN)
    assert html.count('class="code"') == 3
    assert "40004" not in html
    assert "40010" not in html
    assert checking.own.full_name in html


@pytest.mark.django_db
def test_an_expert_cannot_open_another_experts_codes_or_another_school(checking: Checking) -> None:
    client = checking.env.world.client_for("expert")
    assert client.get(checking.url(checking.other)).status_code == 404
    foreign = checking.env.world.schools["A1b"]
    url = reverse(
        "results-expert-entry", kwargs={"school_id": foreign.pk, "work_id": checking.env.work.pk}
    )
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_another_experts_code_is_refused_naming_the_row_and_nothing_is_saved(
    checking: Checking,
) -> None:
    # given the expert's own two rows and, in the third row, another expert's code
    lines = checking.lines(("40001", "40002", "40004"))
    response = checking.post("expert", lines)
    # then the whole save is refused (404-like), naming the row and the code
    assert response.status_code == 404
    html = response.content.decode()
    assert "Строка 4: код 40004 не передан этому эксперту на проверку" in html
    assert not ResultDraft.objects.exists()


@pytest.mark.django_db
def test_the_expert_save_merges_its_rows_and_keeps_the_other_rows(checking: Checking) -> None:
    env = checking.env
    organizer = env.actor()
    # given the organizer's draft with the whole table and a row of another code filled in
    cells, _ = sel.entry_cells(actor=organizer, school=env.school, work=env.work, spec=env.spec())
    filled = {line[0]: line for line in checking.lines(("40010", "40001"), seed=7)}
    cells = [filled.get(line[0], line) for line in cells]
    services.results_draft_save(
        actor=organizer, school_id=env.school.pk, work_id=env.work.pk, cells=cells
    )
    before = _draft_rows()
    # when the expert saves its three rows
    mine = checking.lines(OWN, seed=11)
    response = checking.post("expert", mine)
    assert response.status_code == 302, response.content.decode()[:2000]
    # then its rows are the ones it typed, in place, and every other row is unchanged
    after = _draft_rows()
    assert [line[0] for line in ResultDraft.objects.get().cells] == [line[0] for line in cells]
    for line in mine:
        assert after[line[0]] == line
    assert after["40001"] != before["40001"]
    for code, line in before.items():
        if code not in OWN:
            assert after[code] == line
    assert after["40010"] == filled["40010"]
    # and the save is audited as the expert's entry
    event = AuditEvent.objects.get(action="results.expert_entry")
    assert event.details["codes"] == 3
    assert event.details["on_behalf"] is False


@pytest.mark.django_db
def test_without_a_draft_the_expert_save_starts_from_the_school_table(checking: Checking) -> None:
    checking.post("expert", checking.lines(("40002",)))
    rows = ResultDraft.objects.get().cells
    # every issued code is in the draft (22), only 40002 carries scores
    assert len(rows) == 22
    assert [line[0] for line in rows if line[1]] == ["40002"]
    ids = (checking.env.school.pk, checking.env.work.pk)
    assert sel.entered_codes(school_id=ids[0], work_id=ids[1]) == {"40002"}
    # and the school day's checking progress reads the same through its hook
    assert scored_codes({ids}) == {ids: {"40002"}}


@pytest.mark.django_db
def test_the_organizer_enters_on_an_experts_behalf_only_its_codes(checking: Checking) -> None:
    client = checking.env.world.client_for("school_organizer")
    # the page without ?expert lists the experts to choose from
    chooser = client.get(checking.url()).content.decode()
    assert checking.own.full_name in chooser
    assert checking.other.full_name in chooser
    # with ?expert= it shows only that expert's codes
    html = client.get(checking.url(checking.other)).content.decode()
    assert all(f'value="{code}"' in html for code in OTHER)
    assert 'value="40001"' not in html
    # and saves them; a code of the first expert is refused
    refused = checking.post("school_organizer", checking.lines(("40001",)), checking.other)
    assert refused.status_code == 404
    saved = checking.post("school_organizer", checking.lines(OTHER), checking.other)
    assert saved.status_code == 302
    assert saved["Location"].endswith(f"?expert={checking.other.pk}")
    assert _draft_rows()["40004"] == checking.lines(("40004",))[0]
    event = AuditEvent.objects.get(action="results.expert_entry")
    assert event.details == {
        "work_id": checking.env.work.pk,
        "expert_id": checking.other.pk,
        "codes": 2,
        "on_behalf": True,
    }


@pytest.mark.django_db
def test_the_organizer_cannot_name_a_person_who_is_not_an_expert(checking: Checking) -> None:
    env = checking.env
    observer = Person.objects.create(
        school=env.school,
        duty=Person.Duty.OBSERVER,
        full_name="Наблюдатель",
        municipality_id=env.school.municipality_id,
        region_id=env.school.region_id,
    )
    client = env.world.client_for("school_organizer")
    assert client.get(checking.url(observer)).status_code == 404


@pytest.mark.django_db
def test_an_expert_cannot_submit_the_results(checking: Checking) -> None:
    env = checking.env
    client = env.world.client_for("expert")
    lines = checking.lines(OWN)
    # the organizer's entry (and its «Загрузить») is not the expert's
    entry = reverse("results-entry", kwargs={"school_id": env.school.pk, "work_id": env.work.pk})
    data: dict[str, Any] = {"rows": "3", "submit": "1"}
    for i, line in enumerate(lines):
        for c, value in enumerate(line, start=1):
            data[f"c{i}_{c}"] = value
    assert client.post(entry, data).status_code == 403
    assert client.get(entry).status_code == 403
    # a «submit» posted to the expert's page only saves the draft
    client.post(checking.url(), data)
    assert not ResultVersion.objects.exists()
    assert ResultDraft.objects.exists()
    # and the service refuses the expert outright
    with pytest.raises(PermissionDenied):
        services.results_entry_submit(
            actor=actor_for_user(env.world.users["expert"]),
            school_id=env.school.pk,
            work_id=env.work.pk,
            cells=lines,
        )
    assert not ResultVersion.objects.exists()


@pytest.mark.django_db
def test_scores_above_the_maximum_and_names_are_refused(checking: Checking) -> None:
    lines = checking.lines(OWN)
    lines[1][3] = "5"  # task 2 has a maximum of 1 (form row 3, column D)
    html = checking.post("expert", lines).content.decode()
    assert "Балл за задание 2: целое число от 0 до 1 или X." in html
    assert not ResultDraft.objects.exists()
    lines = checking.lines(OWN)
    lines[0][2] = "Иванова Анна"
    html = checking.post("expert", lines).content.decode()
    assert "Похоже на фамилию или имя участника" in html
    assert "Иванова" not in html
    assert not ResultDraft.objects.exists()


@pytest.mark.django_db
def test_a_partial_row_is_kept_as_a_draft(checking: Checking) -> None:
    # an expert may save a row half-filled: empty cells pass, the organizer's submit checks all
    line = ["40003", "1", "1", "", "", "", "", "", "", "", "", "", "", ""]
    width = checking.env.spec().col_mark
    response = checking.post("expert", [line[:width]])
    assert response.status_code == 302
    assert _draft_rows()["40003"][:3] == ["40003", "1", "1"]


def _local_today(env: Env) -> dt.date:
    return timezone.now().astimezone(ZoneInfo(sel.school_zone(env.school))).date()


@pytest.mark.django_db
def test_outside_the_checking_window_the_entry_is_refused(checking: Checking) -> None:
    env = checking.env
    # given a checking window that ended yesterday (school-local)
    env.work.checking_until = _local_today(env) - dt.timedelta(days=1)
    env.work.save(update_fields=["checking_until"])
    response = checking.post("expert", checking.lines(OWN))
    # then the save is refused with the local end of the window and the zone label
    assert response.status_code == 409
    html = response.content.decode()
    end = env.work.checking_until + dt.timedelta(days=1)
    assert f"Срок проверки работ истёк {end:%d.%m.%Y} 00:00" in html
    assert "время ОО" in html
    # and the page names the last day of checking itself, not only the instant after it
    page = env.world.client_for("expert").get(checking.url()).content.decode()
    assert f"по {env.work.checking_until:%d.%m.%Y} включительно" in page
    assert not ResultDraft.objects.exists()
    with pytest.raises(ResultsError):
        services.results_expert_save(
            actor=actor_for_user(env.world.users["expert"]),
            school_id=env.school.pk,
            work_id=env.work.pk,
            cells=checking.lines(OWN),
        )


@pytest.mark.django_db
def test_before_the_day_of_the_work_the_entry_is_not_open(checking: Checking) -> None:
    env = checking.env
    from apps.campaigns.models import SchoolWorkDate

    day = _local_today(env) + dt.timedelta(days=1)
    SchoolWorkDate.objects.filter(school=env.school, work=env.work).update(date=day)
    response = checking.post("expert", checking.lines(OWN))
    assert response.status_code == 409
    assert f"открывается {day:%d.%m.%Y} 00:00" in response.content.decode()
    assert not ResultDraft.objects.exists()


@pytest.mark.django_db
def test_the_api_gives_and_takes_only_the_experts_rows(checking: Checking) -> None:
    client = checking.env.world.client_for("expert")
    got = client.get(checking.api())
    assert got.status_code == 200
    body = got.json()
    assert body["codes"] == list(OWN)
    assert [line[0] for line in body["rows"]] == list(OWN)
    assert body["expert"]["id"] == checking.own.pk
    assert body["open"] is True
    # a foreign code: 404, nothing saved
    refused = client.put(
        checking.api(),
        json.dumps({"rows": checking.lines(("40005",))}),
        content_type="application/json",
    )
    assert refused.status_code == 404, refused.json()
    assert "код 40005 не передан" in refused.json()["detail"]
    assert not ResultDraft.objects.exists()
    # its own rows: saved and given back
    mine = checking.lines(OWN)
    saved = client.put(checking.api(), json.dumps({"rows": mine}), content_type="application/json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["rows"] == mine
    assert [_draft_rows()[c] for c in OWN] == mine


@pytest.mark.django_db
def test_the_api_lets_the_organizer_enter_for_an_expert(checking: Checking) -> None:
    client = checking.env.world.client_for("school_organizer")
    body = client.get(checking.api() + f"?expert={checking.other.pk}").json()
    assert body["codes"] == list(OTHER)
    assert body["on_behalf"] is True
    saved = client.put(
        checking.api(),
        json.dumps({"expert": checking.other.pk, "rows": checking.lines(OTHER)}),
        content_type="application/json",
    )
    assert saved.status_code == 200, saved.json()
    assert sel.entered_codes(school_id=checking.env.school.pk, work_id=checking.env.work.pk) == set(
        OTHER
    )


@pytest.mark.django_db
def test_the_technical_specialist_holds_no_entry(checking: Checking) -> None:
    client = checking.env.world.client_for("school_tech")
    assert client.get(checking.url()).status_code == 403
