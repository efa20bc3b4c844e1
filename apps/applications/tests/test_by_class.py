"""Applications derived from the class register: per class and work the school confirms the
participants and the form; the lines per work are counted from the classes."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from apps.applications import selectors, services
from apps.applications.messages import ChainError
from apps.applications.models import Application, ApplicationLine, ApplicationLineChange, Status
from apps.applications.services import LinesInvalidError, ParticipationInput
from apps.applications.tests.conftest import Chain
from apps.classes.models import AssignmentRun, ClassWork, SchoolClass
from apps.classes.participation import ParticipationInvalidError
from apps.classes.tests.factories import (
    CampaignGradeFactory,
    ClassWorkFactory,
    SchoolClassFactory,
)

pytestmark = pytest.mark.django_db


@dataclass
class Register:
    chain: Chain
    app: Application
    c4a: SchoolClass
    c4b: SchoolClass
    c5a: SchoolClass
    works: dict[tuple[str, str], ClassWork]  # (class label, "ru4" | "ma4" | "ma5")

    def confirm(
        self, values: dict[tuple[str, str], Any], role: str = "school_organizer"
    ) -> services.Outcome:
        return services.application_class_lines_save(
            actor=self.chain.actor(role),
            application_id=self.app.pk,
            lines=[
                ParticipationInput(self.works[key].pk, *(v if isinstance(v, tuple) else (v,)))
                for key, v in values.items()
            ],
        )

    def all_pupils(self) -> dict[tuple[str, str], Any]:
        return {key: cw.school_class.pupils for key, cw in self.works.items()}

    def lines(self) -> dict[int, tuple[bool, int, int]]:
        return {
            work_id: (takes, participants, classes)
            for work_id, takes, participants, classes in ApplicationLine.objects.filter(
                application=self.app
            ).values_list("work_id", "takes_part", "participants", "classes")
        }


@pytest.fixture
def register(chain: Chain) -> Register:
    """School A1a keeps a register: 4А (25) and 4Б (20) write Russian and maths of grade 4,
    5А (22) writes grade-5 maths; the campaign has grades 4 and 5."""
    for grade in (4, 5):
        CampaignGradeFactory(campaign=chain.campaign, grade=grade)
    school = chain.school()
    c4a = SchoolClassFactory(
        campaign=chain.campaign, school=school, grade=4, letter="А", number=1, pupils=25
    )
    c4b = SchoolClassFactory(
        campaign=chain.campaign, school=school, grade=4, letter="Б", number=2, pupils=20
    )
    c5a = SchoolClassFactory(
        campaign=chain.campaign, school=school, grade=5, letter="А", number=1, pupils=22
    )
    works = {
        ("4А", "ru4"): ClassWorkFactory(school_class=c4a, work=chain.ru4),
        ("4А", "ma4"): ClassWorkFactory(school_class=c4a, work=chain.ma4),
        ("4Б", "ru4"): ClassWorkFactory(school_class=c4b, work=chain.ru4),
        ("4Б", "ma4"): ClassWorkFactory(school_class=c4b, work=chain.ma4),
        ("5А", "ma5"): ClassWorkFactory(school_class=c5a, work=chain.ma5),
    }
    return Register(chain, chain.open(), c4a, c4b, c5a, works)


def test_derived_lines_equal_the_hand_counts(register: Register) -> None:
    chain = register.chain
    # when the school confirms its classes, two pupils of 4Б missing maths
    outcome = register.confirm({**register.all_pupils(), ("4Б", "ma4"): 18})
    # then each work's line counts the classes writing it and sums their numbers
    assert outcome.changed
    assert register.lines() == {
        chain.ru4.pk: (True, 25 + 20, 2),
        chain.ma4.pk: (True, 25 + 18, 2),
        chain.ma5.pk: (True, 22, 1),
    }
    assert ClassWork.objects.get(pk=register.works[("4Б", "ma4")].pk).participants == 18
    # and the save is in the application's history
    change = ApplicationLineChange.objects.get(application=register.app)
    assert {c["work"] for c in change.changes} == {
        "Русский язык, 4 класс",
        "Математика, 4 класс",
        "Математика, 5 класс",
    }
    # and saving the same numbers again changes nothing
    assert not register.confirm({("4Б", "ma4"): 18}).changed


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (26, "Класс 4А, «Математика, 4 класс»: участников (26) больше, чем обучающихся в классе"),
        (-1, "Класс 4А, «Математика, 4 класс»: число участников не может быть отрицательным"),
        ("много", "Класс 4А, «Математика, 4 класс»: число участников — целое число"),
    ],
)
def test_a_bad_number_is_refused_naming_the_class(
    register: Register, value: Any, expected: str
) -> None:
    # when a number beyond the class's pupils (or negative, or not a number) is sent
    with pytest.raises(ParticipationInvalidError) as refused:
        register.confirm({("4А", "ru4"): 25, ("4А", "ma4"): value})
    # then the refusal names the class and the work, and nothing is saved
    assert refused.value.problems[0].message.startswith(expected)
    assert refused.value.status == 400
    assert ClassWork.objects.filter(participants__isnull=False).count() == 0
    assert register.lines() == {}


def test_computer_form_only_where_the_work_allows_it(register: Register) -> None:
    chain = register.chain
    chain.ma4.computer_allowed = True
    chain.ma4.save(update_fields=["computer_allowed"])
    # when 4А takes maths on computer and tries Russian on computer too
    with pytest.raises(ParticipationInvalidError) as refused:
        register.confirm({("4А", "ma4"): (25, "computer"), ("4А", "ru4"): (25, "computer")})
    assert [p.message for p in refused.value.problems] == [
        "Класс 4А, «Русский язык, 4 класс»: работу нельзя проводить в компьютерной форме."
    ]
    # then maths alone is accepted
    register.confirm({("4А", "ma4"): (25, "computer")})
    assert ClassWork.objects.get(pk=register.works[("4А", "ma4")].pk).form == "computer"


def test_submit_is_refused_while_a_class_work_is_unconfirmed(register: Register) -> None:
    chain = register.chain
    school = chain.actor("school_organizer")
    # given every class confirmed except 5А's maths
    values = register.all_pupils()
    del values[("5А", "ma5")]
    register.confirm(values)
    # when the school submits, it is refused naming the class and the work
    with pytest.raises(ChainError) as refused:
        services.application_submit(actor=school, application_id=register.app.pk)
    assert "5А, «Математика, 5 класс»" in refused.value.message
    assert Application.objects.get(pk=register.app.pk).status == Status.DRAFT
    # and once 5А is confirmed the application is submitted with the derived lines
    register.confirm({("5А", "ma5"): 21})
    outcome = services.application_submit(actor=school, application_id=register.app.pk)
    assert outcome.changed
    assert Application.objects.get(pk=register.app.pk).status == Status.SUBMITTED
    assert register.lines()[chain.ma5.pk] == (True, 21, 1)


def test_class_lines_follow_the_chain_lock(register: Register) -> None:
    chain = register.chain
    # given the school's classes confirmed, submitted and confirmed by the municipality
    register.confirm(register.all_pupils())
    services.application_submit(
        actor=chain.actor("school_organizer"), application_id=register.app.pk
    )
    services.application_confirm(actor=chain.actor("municipal"), application_id=register.app.pk)
    # when the school changes a class's number, it is refused and nothing changes
    with pytest.raises(ChainError) as refused:
        register.confirm({("4Б", "ma4"): 18})
    assert refused.value.code == "locked_municipality"
    assert ClassWork.objects.get(pk=register.works[("4Б", "ma4")].pk).participants == 20
    assert register.lines()[chain.ma4.pk] == (True, 25 + 20, 2)
    # then the municipality, which confirmed it, still may
    assert register.confirm({("4Б", "ma4"): 18}, role="municipal").changed
    assert register.lines()[chain.ma4.pk] == (True, 25 + 18, 2)


def test_per_work_edits_of_a_derived_application_are_refused(register: Register) -> None:
    chain = register.chain
    # when the school edits a line per work although it keeps a register
    with pytest.raises(LinesInvalidError) as refused:
        chain.fill(register.app)
    # then it is told the lines follow the classes
    assert "реестру классов" in refused.value.issues[0].message
    assert register.lines() == {}


def test_the_coordinators_summary_shows_the_derived_numbers(register: Register) -> None:
    chain = register.chain
    register.confirm({**register.all_pupils(), ("4А", "ru4"): 24})
    services.application_submit(
        actor=chain.actor("school_organizer"), application_id=register.app.pk
    )
    # when the municipal coordinator downloads the summary
    out = services.application_summary_file(
        actor=chain.actor("municipal"),
        unit_kind="municipality",
        unit_id=chain.world.municipalities["A1"].pk,
    )
    ws = load_workbook(io.BytesIO(out.content))["Заявки"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4, max_row=ws.max_row)]
    code = chain.school().code
    # then the school's rows carry the numbers counted from its classes
    assert [r[:1] + r[2:] for r in rows if r[0] == code] == [
        [code, 4, "Математика", "да", 45, 2],
        [code, 4, "Русский язык", "да", 44, 2],
        [code, 5, "Математика", "да", 22, 1],
    ]
    # and the municipality can still confirm the application
    confirmed = services.application_confirm(
        actor=chain.actor("municipal"), application_id=register.app.pk
    )
    assert confirmed.changed


def test_another_schools_class_work_is_not_found(register: Register) -> None:
    chain = register.chain
    other = SchoolClassFactory(
        campaign=chain.campaign, school=chain.school("A1b"), grade=4, letter="А", number=1
    )
    foreign = ClassWorkFactory(school_class=other, work=chain.ru4)
    # when the school names another school's class work
    with pytest.raises(ClassWork.DoesNotExist):
        services.application_class_lines_save(
            actor=chain.actor("school_organizer"),
            application_id=register.app.pk,
            lines=[ParticipationInput(foreign.pk, 10)],
        )
    # then nothing changed, and the API answers 404 too
    client = chain.world.client_for("school_organizer")
    response = client.put(
        f"/api/v1/applications/{register.app.pk}/class-lines/",
        {"lines": [{"class_work": foreign.pk, "participants": 10}]},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert ClassWork.objects.get(pk=foreign.pk).participants is None


def test_assigned_works_count_only_once_visible_to_the_school(register: Register) -> None:
    chain = register.chain
    today = timezone.localdate()
    run = AssignmentRun.objects.create(
        campaign=chain.campaign,
        seed=1,
        status=AssignmentRun.Status.PUBLISHED,
        publish_on=today + dt.timedelta(days=3),
        published_at=timezone.now(),
    )
    assigned = ClassWorkFactory(
        school_class=register.c5a, work=chain.ru4, source=ClassWork.Source.ASSIGNED, run=run
    )
    # when the school confirms every work it sees before the publication day
    register.confirm(register.all_pupils())
    # then the assigned work is neither shown nor needed for submitting
    page = selectors.application_page(
        actor=chain.actor("school_organizer"), application_id=register.app.pk
    )
    assert assigned.pk not in {r.class_work_id for r in page.class_rows}
    assert page.unconfirmed == []
    outcome = services.application_submit(
        actor=chain.actor("school_organizer"), application_id=register.app.pk
    )
    assert outcome.changed


def test_the_page_and_api_show_and_save_the_classes(register: Register) -> None:
    chain = register.chain
    client = chain.world.client_for("school_organizer")
    # the page offers each class's work with the pupils as the default
    page = client.get(f"/applications/{register.app.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Работы по классам" in body
    assert f'name="cp-{register.works[("4Б", "ma4")].pk}" value="20"' in body
    # a bad number comes back on the page naming the class
    posted = {f"cp-{cw.pk}": cw.school_class.pupils for cw in register.works.values()}
    bad = client.post(
        f"/applications/{register.app.pk}/classes/",
        {**posted, f"cp-{register.works[('4А', 'ru4')].pk}": "30"},
    )
    assert bad.status_code == 200
    assert "Класс 4А, «Русский язык, 4 класс»: участников (30)" in bad.content.decode()
    # the whole table saves and submits
    done = client.post(f"/applications/{register.app.pk}/classes/", {**posted, "then": "submit"})
    assert done.status_code == 302
    assert Application.objects.get(pk=register.app.pk).status == Status.SUBMITTED
    # and the API lists the confirmed class lines
    api = client.get(f"/api/v1/applications/{register.app.pk}/class-lines/").json()
    assert {(r["school_class"], r["subject"], r["participants"]) for r in api} == {
        ("4А", "Русский язык", 25),
        ("4А", "Математика", 25),
        ("4Б", "Русский язык", 20),
        ("4Б", "Математика", 20),
        ("5А", "Математика", 22),
    }
    detail = client.get(f"/api/v1/applications/{register.app.pk}/").json()
    assert detail["by_class"] is True


def test_api_put_confirms_and_refuses_a_negative_number(register: Register) -> None:
    client = register.chain.world.client_for("school_organizer")
    url = f"/api/v1/applications/{register.app.pk}/class-lines/"
    cw = register.works[("4Б", "ru4")]
    bad = client.put(
        url, {"lines": [{"class_work": cw.pk, "participants": -2}]}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert "Класс 4Б" in bad.json()["errors"][0]["message"]
    good = client.put(
        url, {"lines": [{"class_work": cw.pk, "participants": 19}]}, content_type="application/json"
    )
    assert good.status_code == 200
    lines = {line["work"]: line for line in good.json()["lines"]}
    assert (
        lines[register.chain.ru4.pk]["participants"],
        lines[register.chain.ru4.pk]["classes"],
    ) == (
        19,
        1,
    )


def test_a_school_without_a_register_keeps_the_per_work_application(chain: Chain) -> None:
    CampaignGradeFactory(campaign=chain.campaign, grade=4)
    app = chain.open()
    # the per-work lines still save and submit
    chain.fill(app)
    services.application_submit(actor=chain.actor("school_organizer"), application_id=app.pk)
    assert Application.objects.get(pk=app.pk).status == Status.SUBMITTED
    # and the page says to fill the register
    body = chain.world.client_for("school_organizer").get(f"/applications/{app.pk}/")
    assert "Заполните реестр классов" in body.content.decode()
    with pytest.raises(ChainError):
        services.application_class_lines_save(
            actor=chain.actor("municipal"), application_id=app.pk, lines=[]
        )
