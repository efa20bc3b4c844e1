"""A school's cabinet leads it through a re-check: the scans requested, then the codes of its
uploaded scans to type, then the re-check's state; another school sees none of it."""

from __future__ import annotations

from typing import Any

import pytest

from apps.cabinet.selectors import school_todo
from apps.materials import pdf
from apps.objectivity.models import Booklet
from apps.objectivity.rechecks import services as rechecks
from apps.objectivity.scans.tests.helpers import upload
from apps.objectivity.tests import synthetic
from apps.objectivity.tests.scene import Scene


def _lines(scene: Scene, key: str) -> dict[str, tuple[str, str, str]]:
    todo = school_todo(actor=scene.organizer(key), school_id=scene.school(key).pk)
    return {
        i.title: (i.text, i.state, i.url)
        for i in todo.items
        if "перепроверка" in i.title or "коды участников" in i.title
    }


@pytest.mark.django_db
def test_the_cabinet_asks_for_scans_then_codes_then_shows_the_recheck(
    scene: Scene, django_capture_on_commit_callbacks: Any
) -> None:
    # given a regional re-check of all three region A schools taking part
    review = rechecks.recheck_open(
        actor=scene.actor("regional"),
        work_id=scene.work.pk,
        school_ids=[],
        random_count=3,
        seed=5,
        title="Перепроверка",
    )
    # then A1a's cabinet asks for the scans of the work, linking the work's scans page
    ((text, state, url),) = _lines(scene, "A1a").values()
    assert "Сканы работ запрошены для перепроверки" in text
    assert state == "soon"
    assert url.endswith(f"/schools/{scene.school('A1a').pk}/scans/{scene.work.pk}/")
    # and B1a (region B, not in the re-check) is asked for nothing
    assert _lines(scene, "B1a") == {}

    # when A1a uploads one participant's work, its code not typed yet
    doc = next(d for d in scene.variant_docs("A1a") if d.number == 1)
    content = synthetic.as_pdf(synthetic.scanned(pdf.variant_pdf(doc), seed=3))
    upload(scene, content, capture=django_capture_on_commit_callbacks)
    # then the cabinet asks for the code, today
    ((text, state, url),) = _lines(scene, "A1a").values()
    assert text == "Ждут кода участника: 1 — введите коды с бланков"
    assert state == "today"

    # when the case moves on (the commission marks), the cabinet shows its state
    case = review.cases.get(school=scene.school("A1a"))
    case.status = case.Status.MARKING
    case.save()
    Booklet.objects.filter(school_id=scene.school("A1a").pk).update(
        status=Booklet.Status.READY, code=scene.codes["A1a"][0]
    )
    ((text, state, url),) = _lines(scene, "A1a").values()
    assert text.startswith("на проверке")
    assert state == "later"
    assert url.endswith(f"/{case.pk}/")
