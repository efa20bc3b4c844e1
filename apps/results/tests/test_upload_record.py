"""Every accepted upload records who checked which codes (the experts' assignments) and the
public observer present; another school's person or a non-observer refuses the upload whole."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.materials.models import ParticipantCode
from apps.results import selectors as sel
from apps.results.messages import ResultsInvalidError
from apps.results.models import ParticipantResult, ResultVersion, Source
from apps.results.tests.conftest import Env
from apps.schoolday.models import ExpertAssignment, Person
from conftest import expert_person

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _person(school: Any, duty: str, name: str) -> Person:
    return Person.objects.create(
        school=school,
        duty=duty,
        full_name=name,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )


def _assign(env: Env, expert: Person, codes: list[str]) -> None:
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
def experts(env: Env) -> tuple[Person, Person]:
    """Two experts: the first checks 40001–40005 and 40009, the second 40006–40008; the rest of
    the codes (and the reserve) have no assignment."""
    first = env.world.experts["A1a"]
    second = expert_person(env.school, name="Эксперт второй")
    _assign(env, first, ["40001", "40002", "40003", "40004", "40005", "40009"])
    _assign(env, second, ["40006", "40007", "40008"])
    return first, second


@pytest.mark.django_db
def test_checked_by_equals_the_assignments_of_the_uploaded_codes(
    env: Env, experts: tuple[Person, Person]
) -> None:
    # when the school uploads its 20 participants
    accepted = env.upload(env.filled())
    # then the version names, per uploaded code with an assignment, its expert
    expected = {
        a.code.code: a.expert.full_name
        for a in ExpertAssignment.objects.select_related("code", "expert")
    }
    assert len(expected) == 9
    assert accepted.version.checked_by == expected
    # and a later upload without some codes records only the codes it holds
    fewer = env.filled(env.rows(count=7))
    second = env.upload(fewer, confirm_dropped=True)
    assert second.version.checked_by == {
        code: name for code, name in expected.items() if code <= "40007"
    }


@pytest.mark.django_db
def test_the_version_page_shows_the_observer_and_who_checked(
    env: Env, experts: tuple[Person, Person]
) -> None:
    observer = _person(env.school, Person.Duty.OBSERVER, "Наблюдатель Общественный")
    accepted = env.upload(env.filled(), observer_id=observer.pk)
    client = env.world.client_for("municipal")
    html = client.get(reverse("results-version", args=[accepted.version.pk])).content.decode()
    assert "Общественный наблюдатель при загрузке: Наблюдатель Общественный" in html
    assert "Кто проверял" in html
    first, second = experts
    assert f"<td>{first.full_name}</td><td>40001–40005, 40009</td><td>6</td>" in html
    assert f"<td>{second.full_name}</td><td>40006–40008</td><td>3</td>" in html


@pytest.mark.django_db
def test_the_upload_page_offers_and_stores_the_observer(env: Env) -> None:
    observer = _person(env.school, Person.Duty.OBSERVER, "Наблюдатель Первый")
    _person(env.world.schools["A1b"], Person.Duty.OBSERVER, "Наблюдатель Чужой")
    client = env.world.client_for("school_tech")
    ids = {"school_id": env.school.pk, "work_id": env.work.pk}
    page = client.get(reverse("results-work", kwargs=ids)).content.decode()
    assert "Общественный наблюдатель при загрузке" in page
    assert f'<option value="{observer.pk}">Наблюдатель Первый</option>' in page
    assert "Наблюдатель Чужой" not in page
    upload = SimpleUploadedFile("форма.xlsx", env.filled(), content_type=XLSX)
    response = client.post(
        reverse("results-upload", kwargs=ids),
        {"file": upload, "upload": "1", "observer": str(observer.pk)},
    )
    assert response.status_code == 302
    version = ResultVersion.objects.get()
    assert version.observer == observer
    assert version.observer_name == "Наблюдатель Первый"


@pytest.mark.django_db
@pytest.mark.parametrize("whose", ["another school's observer", "an organizer of the school"])
def test_a_foreign_or_non_observer_refuses_the_upload_and_changes_nothing(
    env: Env, whose: str
) -> None:
    # given accepted results
    env.upload(env.filled())
    before = [(r.code, r.scores) for r in env.stored()]
    if whose.startswith("another"):
        person = _person(env.world.schools["A1b"], Person.Duty.OBSERVER, "Наблюдатель Чужой")
    else:
        person = _person(env.school, Person.Duty.ORGANIZER, "Организатор Аудитории")
    # when a changed file names that person as the observer
    with pytest.raises(ResultsInvalidError) as caught:
        env.upload(env.filled(env.rows(seed=5)), observer_id=person.pk)
    # then it is refused in Russian and nothing changed
    assert "не найден среди наблюдателей этой ОО" in caught.value.message
    assert ResultVersion.objects.count() == 1
    assert [(r.code, r.scores) for r in env.stored()] == before
    # and the page shows the refusal, again without a new version
    client = env.world.client_for("school_organizer")
    ids = {"school_id": env.school.pk, "work_id": env.work.pk}
    upload = SimpleUploadedFile("форма.xlsx", env.filled(env.rows(seed=5)), content_type=XLSX)
    html = client.post(
        reverse("results-upload", kwargs=ids),
        {"file": upload, "upload": "1", "observer": str(person.pk)},
    ).content.decode()
    assert "не найден среди наблюдателей этой ОО" in html
    assert ResultVersion.objects.count() == 1
    assert ParticipantResult.objects.filter(version__number=2).count() == 0


@pytest.mark.django_db
def test_the_api_takes_the_observer_and_shows_the_record(
    env: Env, experts: tuple[Person, Person]
) -> None:
    observer = _person(env.school, Person.Duty.OBSERVER, "Наблюдатель Первый")
    foreign = _person(env.world.schools["B1a"], Person.Duty.OBSERVER, "Наблюдатель Чужой")
    client = env.world.client_for("school_tech")
    url = reverse("api-school-results", kwargs={"school_id": env.school.pk, "work_id": env.work.pk})

    def post(observer_id: Any) -> Any:
        upload = SimpleUploadedFile("форма.xlsx", env.filled(), content_type=XLSX)
        return client.post(url, {"file": upload, "observer": str(observer_id)})

    refused = post(foreign.pk)
    assert refused.status_code == 400
    assert "не найден среди наблюдателей" in refused.json()["detail"]
    assert post("чужой").status_code == 400
    assert not ResultVersion.objects.exists()
    accepted = post(observer.pk)
    assert accepted.status_code == 201, accepted.json()
    version = accepted.json()["version"]
    assert version["observer"] == observer.pk
    assert version["observer_name"] == "Наблюдатель Первый"
    assert version["checked_by"]["40006"] == experts[1].full_name
    assert len(version["checked_by"]) == 9
    assert ResultVersion.objects.get().source == Source.API


@pytest.mark.django_db
def test_the_browser_entry_submit_records_the_observer_and_experts(
    env: Env, experts: tuple[Person, Person]
) -> None:
    observer = _person(env.school, Person.Duty.OBSERVER, "Наблюдатель Первый")
    width = len(env.spec().columns)
    rows = [[str(v) if v is not None else "" for v in r.values(width)] for r in env.rows(count=3)]
    data: dict[str, Any] = {"rows": "3", "submit": "1", "observer": str(observer.pk)}
    for i, line in enumerate(rows):
        for c, value in enumerate(line, start=1):
            data[f"c{i}_{c}"] = value
    client = env.world.client_for("school_organizer")
    ids = {"school_id": env.school.pk, "work_id": env.work.pk}
    page = client.get(reverse("results-entry", kwargs=ids)).content.decode()
    assert f'<option value="{observer.pk}">Наблюдатель Первый</option>' in page
    response = client.post(reverse("results-entry", kwargs=ids), data)
    assert response.status_code == 302
    version = ResultVersion.objects.get()
    assert version.source == Source.BROWSER
    assert version.observer_name == "Наблюдатель Первый"
    assert version.checked_by == dict.fromkeys(["40001", "40002", "40003"], experts[0].full_name)
    assert sel.entered_codes(school_id=env.school.pk, work_id=env.work.pk) == {
        "40001",
        "40002",
        "40003",
    }


def test_code_ranges_are_compact() -> None:
    assert sel.code_ranges(["40003", "40001", "40002", "40009", "40011", "40010"]) == (
        "40001–40003, 40009–40011"
    )
    assert sel.code_ranges(["50001"]) == "50001"
    assert sel.code_ranges([]) == ""
