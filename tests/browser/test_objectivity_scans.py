"""The scans of a school's work in the browser: the report of a mixed upload, then typing the
participant codes from the code boxes one after another (Enter saves and shows the next).

The scene is the shared objectivity scene (apps/objectivity/tests/scene.py); the upload is
processed before the browser opens the page. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from apps.objectivity.conftest import scene  # noqa: F401 - fixture
from apps.objectivity.models import Booklet, ScanBatch
from apps.objectivity.scans.tests.helpers import mixed_file, upload
from apps.objectivity.tests.scene import Scene
from tests.browser.conftest import log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_school_types_the_codes_from_the_code_boxes(
    page: Any,
    live_server: Any,
    scene: Scene,  # noqa: F811 - the fixture imported above
    screenshots_dir: Path,
) -> None:
    # given A1a's mixed upload, processed
    batch = upload(scene, mixed_file(scene).content)
    from apps.objectivity.scans import services

    batch = services.scans_process(batch_id=batch.pk)
    assert batch.status == ScanBatch.Status.DONE
    school = scene.school("A1a")
    log_in_as(page, scene.world, "school_organizer", live_server)
    # when the organizer opens the work's scans
    page.goto(live_server.url + reverse("objectivity-scans-work", args=[school.pk, scene.work.pk]))
    # then the report lists what to check and the first code box is shown, its field focused
    report = page.locator("main").inner_text()
    assert "Стр. 7 файла: чужая страница — комплект другой ОО" in report
    assert "Работа 2 (вариант 2): нет страницы 2 из 3" in report
    box = page.locator("img.code-box")
    assert box.evaluate("img => img.complete && img.naturalWidth > 100")
    assert page.evaluate("document.activeElement.name") == "code"
    page.screenshot(path=str(screenshots_dir / "objectivity-scans-work.png"), full_page=True)
    # when a code is typed and Enter pressed
    with page.expect_navigation():
        page.keyboard.type(scene.codes["A1a"][0])
        page.keyboard.press("Enter")
    # then booklet 2 is on screen, focused again, and booklet 1 has its code
    assert "Ждут кода: 1" in page.locator("#identify").inner_text()
    assert page.evaluate("document.activeElement.name") == "code"
    with page.expect_navigation():
        page.keyboard.type(scene.codes["A1a"][1])
        page.keyboard.press("Enter")
    assert (
        "Коды введены для всех работ последней загрузки" in page.locator("#identify").inner_text()
    )
    page.screenshot(path=str(screenshots_dir / "objectivity-scans-coded.png"), full_page=True)
    assert (
        list(Booklet.objects.filter(batch=batch).order_by("seq").values_list("code", flat=True))
        == scene.codes["A1a"][:2]
    )
