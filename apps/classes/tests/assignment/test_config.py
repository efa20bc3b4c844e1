"""The campaign's grade configuration: grades and counts, works' participation, the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.campaigns import grades
from apps.campaigns.audit import CampaignsAudit
from apps.campaigns.messages import CampaignError, CampaignInvalidError
from apps.campaigns.models import Campaign, CampaignGrade, Participation
from apps.classes.assignment import services
from apps.core.models import AuditEvent

from .conftest import Setup

pytestmark = pytest.mark.django_db


def _grades(setup: Setup) -> dict[int, int]:
    return dict(
        CampaignGrade.objects.filter(campaign=setup.campaign).values_list("grade", "assigned_count")
    )


def test_grades_save_sets_adds_and_removes_grades(setup: Setup) -> None:
    # when the federal operator keeps grade 4 with 2 subjects, drops 5 and adds 6
    saved = grades.campaign_grades_save(
        actor=setup.actor("federal"), campaign_id=setup.campaign.pk, grades={4: 2, 6: 1}
    )
    # then the campaign's grades are exactly those, and the change is audited
    assert saved == {4: 2, 6: 1}
    assert _grades(setup) == {4: 2, 6: 1}
    event = AuditEvent.objects.get(action=CampaignsAudit.GRADES_SAVE)
    assert event.details["before"] == {"4": 1, "5": 2}
    assert event.details["after"] == {"4": 2, "6": 1}


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ({12: 1}, "параллель 12"),
        ({0: 1}, "параллель 0"),
        ({4: 11}, "4 класс: число предметов по распределению 11"),
        ({4: -1}, "4 класс: число предметов по распределению -1"),
        ({"x": 1}, "параллель «x» — не число"),
    ],
)
def test_grades_save_refuses_bad_input_and_changes_nothing(
    setup: Setup, bad: dict, words: str
) -> None:
    # when a grade or count is out of range
    with pytest.raises(CampaignInvalidError) as caught:
        grades.campaign_grades_save(
            actor=setup.actor("federal"), campaign_id=setup.campaign.pk, grades=bad
        )
    # then the Russian message names it and the grades stay
    assert caught.value.status == 400
    assert words in caught.value.message
    assert _grades(setup) == {4: 1, 5: 2}


def test_removing_a_grade_with_classes_is_refused(setup: Setup) -> None:
    # given a grade 5 class in a school's register
    setup.add_class("A1a", 5)
    # when the operator drops grade 5
    with pytest.raises(CampaignError) as caught:
        grades.campaign_grades_save(
            actor=setup.actor("federal"), campaign_id=setup.campaign.pk, grades={4: 1}
        )
    # then it is refused (409) naming the grade, and nothing changes
    assert caught.value.status == 409
    assert "5 класс" in caught.value.message
    assert _grades(setup) == {4: 1, 5: 2}


def test_only_the_federal_operator_saves_grades(setup: Setup) -> None:
    with pytest.raises(Campaign.DoesNotExist):
        grades.campaign_grades_save(
            actor=setup.actor("regional"), campaign_id=setup.campaign.pk, grades={4: 1}
        )
    assert _grades(setup) == {4: 1, 5: 2}


def test_grade_config_checks_the_pool(setup: Setup) -> None:
    # given grade 5 asking for more subjects than its pool has
    CampaignGrade.objects.filter(campaign=setup.campaign, grade=5).update(assigned_count=5)
    configs = {
        c.grade: c
        for c in grades.grade_config_list(
            actor=setup.actor("federal"), campaign_id=setup.campaign.pk
        )
    }
    # then grade 4 is fine and grade 5 names its shortfall
    assert configs[4].pool_ok
    assert [w.subject.name for w in configs[4].compulsory] == ["Математика", "Русский язык"]
    assert len(configs[4].assigned) == 3
    assert not configs[5].pool_ok
    assert configs[5].problem == (
        "5 класс: предметов по распределению — 4, а каждому классу нужно 5."
    )


def test_work_participation_set_and_locked_after_publication(setup: Setup) -> None:
    federal = setup.actor("federal")
    work = setup.works[(4, "world")]
    # when the operator makes a work compulsory and allows computers
    grades.work_participation_set(
        actor=federal,
        work_id=work.pk,
        participation=Participation.COMPULSORY,
        computer_allowed=True,
    )
    work.refresh_from_db()
    assert (work.participation, work.computer_allowed) == (Participation.COMPULSORY, True)
    assert AuditEvent.objects.filter(action=CampaignsAudit.WORK_PARTICIPATION_SET).count() == 1
    # and a bad value is refused
    with pytest.raises(CampaignInvalidError):
        grades.work_participation_set(
            actor=federal, work_id=work.pk, participation="sometimes", computer_allowed=False
        )
    # given the assignment published
    grades.work_participation_set(
        actor=federal, work_id=work.pk, participation=Participation.ASSIGNED, computer_allowed=True
    )
    setup.add_class("A1a", 4)
    run = services.assignment_run(
        actor=federal, campaign_id=setup.campaign.pk, seed=1, publish_on=setup.publish_on
    )
    services.assignment_publish(actor=federal, run_id=run.pk, publish_on=setup.publish_on)
    # then the participation is fixed, the computer flag is not
    with pytest.raises(CampaignError) as caught:
        grades.work_participation_set(
            actor=federal,
            work_id=work.pk,
            participation=Participation.COMPULSORY,
            computer_allowed=True,
        )
    assert "уже опубликовано" in caught.value.message
    grades.work_participation_set(
        actor=federal, work_id=work.pk, participation=Participation.ASSIGNED, computer_allowed=False
    )
    work.refresh_from_db()
    assert (work.participation, work.computer_allowed) == (Participation.ASSIGNED, False)


def test_config_page_shows_and_saves(setup: Setup) -> None:
    client = setup.world.client_for("federal")
    url = reverse("assignment-config", kwargs={"campaign_id": setup.campaign.pk})
    # when the operator opens the page
    page = client.get(url).content.decode()
    # then each grade's works and counts are listed
    assert "Окружающий мир" in page
    assert "Параллели кампании" in page
    # when it saves grade 4 only, with a count of 2
    response = client.post(url, {"op": "grades", "take_4": "on", "count_4": "2"})
    assert response.status_code == 302
    assert _grades(setup) == {4: 2}
    # and a count out of range is refused in Russian, changing nothing
    response = client.post(url, {"op": "grades", "take_4": "on", "count_4": "12"})
    assert response.status_code == 200
    assert "4 класс: число предметов не больше 10." in response.content.decode()
    assert _grades(setup) == {4: 2}


def test_config_page_sets_participation(setup: Setup) -> None:
    client = setup.world.client_for("federal")
    url = reverse("assignment-config", kwargs={"campaign_id": setup.campaign.pk})
    work = setup.works[(4, "math")]
    response = client.post(
        url,
        {"op": "works", f"participation_{work.pk}": "assigned", f"computer_{work.pk}": "on"},
    )
    assert response.status_code == 302
    work.refresh_from_db()
    assert (work.participation, work.computer_allowed) == (Participation.ASSIGNED, True)


@pytest.mark.parametrize("role", ["regional", "municipal", "school_organizer"])
def test_config_page_is_federal(setup: Setup, role: str) -> None:
    url = reverse("assignment-config", kwargs={"campaign_id": setup.campaign.pk})
    assert setup.world.client_for(role).get(url).status_code == 403
