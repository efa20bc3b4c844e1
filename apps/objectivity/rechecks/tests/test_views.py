"""The re-check pages: the list (a coordinator's, a school's), opening from the form (and a bad
form refused with nothing opened), a re-check, the results with and without."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from apps.analytics.models import WorkAggregate
from apps.core.scoping import Level
from apps.objectivity.models import Review, ReviewCase
from apps.objectivity.rechecks.tests.helpers import after_release, results_in
from apps.objectivity.tests.scene import Scene


@pytest.fixture
def ready(scene: Scene, time_machine: Any) -> Scene:
    results_in(scene)
    after_release(scene, time_machine)
    return scene


@pytest.mark.django_db
def test_open_from_the_form_and_follow_it(ready: Scene) -> None:
    client = ready.world.client_for("regional")
    new = reverse("objectivity-recheck-new")
    form = client.get(new + f"?work={ready.work.pk}").content.decode()
    assert "Результаты намного выше региональных" in form
    assert f'name="schools" value="{ready.school("A1a").pk}"' in form
    # a school without markers has no checkbox
    assert f'name="schools" value="{ready.school("A1b").pk}"' not in form
    response = client.post(
        new,
        {
            "work": ready.work.pk,
            "schools": [ready.school("A1a").pk],
            "random_count": "1",
            "seed": "11",
            "double_share": "20",
            "threshold": "1",
        },
    )
    review = Review.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("objectivity-recheck", args=[review.pk])
    page = client.get(response["Location"]).content.decode()
    assert ready.school("A1a").short_name in page
    assert "зерно — 11" in page
    listed = client.get(reverse("objectivity-rechecks")).content.decode()
    assert review.title in listed
    # the school sees its case in its list
    school = ready.world.client_for("school_organizer")
    own = school.get(reverse("objectivity-rechecks")).content.decode()
    case = ReviewCase.objects.get(review=review, school=ready.school("A1a"))
    assert reverse("objectivity-recheck-case", args=[case.pk]) in own


@pytest.mark.django_db
def test_a_bad_form_is_refused_in_russian_with_nothing_opened(ready: Scene) -> None:
    client = ready.world.client_for("regional")
    new = reverse("objectivity-recheck-new") + f"?work={ready.work.pk}"
    response = client.post(
        reverse("objectivity-recheck-new"),
        {"work": ready.work.pk, "random_count": "много"},
        HTTP_REFERER="http://testserver" + new,
        follow=True,
    )
    assert "Поле «случайных ОО»: нужно целое число, указано «много»." in response.content.decode()
    response = client.post(
        reverse("objectivity-recheck-new"),
        {"work": ready.work.pk, "random_count": "9"},
        HTTP_REFERER="http://testserver" + new,
        follow=True,
    )
    assert "Случайных ОО можно выбрать от 0 до 3" in response.content.decode()
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_a_federal_operator_and_a_school_do_not_open_rechecks(ready: Scene) -> None:
    page = ready.world.client_for("federal").get(reverse("objectivity-recheck-new"))
    assert "открывает региональный или муниципальный координатор" in page.content.decode()
    assert ready.world.client_for("marker").get(reverse("objectivity-rechecks")).status_code == 403


@pytest.mark.django_db
def test_the_with_and_without_page(ready: Scene) -> None:
    region = WorkAggregate.objects.get(
        work=ready.work, level=Level.REGION, unit_id=ready.world.regions["A"].pk
    )
    page = ready.world.client_for("regional").get(
        reverse("objectivity-recheck-results", args=[region.pk])
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Без ОО, результаты которых не подтверждены перепроверкой" in text
    assert "исключено ОО: 0" in text


@pytest.mark.django_db
def test_the_marks_report_links_to_the_with_and_without_page(ready: Scene) -> None:
    region = WorkAggregate.objects.get(
        work=ready.work, level=Level.REGION, unit_id=ready.world.regions["A"].pk
    )
    link = reverse("objectivity-recheck-results", args=[region.pk])
    marks = ready.world.client_for("regional").get(reverse("analytics-marks", args=[region.pk]))
    assert link in marks.content.decode()
    # a cut report (ОВЗ) has no such link: the «without» variant is of the plain report
    cut = ready.world.client_for("regional").get(
        reverse("analytics-marks", args=[region.pk]) + "?ovz=only"
    )
    assert link not in cut.content.decode()


@pytest.mark.django_db
def test_a_municipality_follows_its_schools_in_the_regions_rechecks(ready: Scene) -> None:
    from apps.objectivity.rechecks import services

    review = services.recheck_open(
        actor=ready.actor("regional"),
        work_id=ready.work.pk,
        school_ids=[ready.school("A1a").pk],
        random_count=1,
        seed=3,
    )
    ours = ReviewCase.objects.get(review=review, school=ready.school("A1a"))
    client = ready.world.client_for("municipal")
    listed = client.get(reverse("objectivity-rechecks")).content.decode()
    assert reverse("objectivity-recheck-case", args=[ours.pk]) in listed
    # a case of the other municipality (A2) is not listed
    for case in ReviewCase.objects.filter(review=review).exclude(pk=ours.pk):
        if case.municipality_id != ours.municipality_id:
            assert reverse("objectivity-recheck-case", args=[case.pk]) not in listed
    # the case page opens; the region's re-check itself is not linked (it is the region's)
    page = client.get(reverse("objectivity-recheck-case", args=[ours.pk])).content.decode()
    assert reverse("objectivity-recheck", args=[review.pk]) not in page
    assert client.get(reverse("objectivity-recheck", args=[review.pk])).status_code == 404
