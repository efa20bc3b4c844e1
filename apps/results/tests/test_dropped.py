"""A re-upload that drops participants of the current version needs an explicit confirmation:
the check warns, the upload is refused with the codes, nothing changes until confirmed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.results.messages import DroppedParticipantsError, codes_text
from apps.results.models import ResultVersion
from apps.results.tests.conftest import Env

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WARNING = "В новой версии нет участников с кодами 40019, 40020: они будут удалены."

pytestmark = pytest.mark.django_db


def _kw(env: Env) -> dict[str, int]:
    return {"school_id": env.school.pk, "work_id": env.work.pk}


def _fewer(env: Env) -> bytes:
    """The first version's participants without the last two (codes 40019 and 40020)."""
    return env.filled(env.rows(seed=1, count=18))


def _codes(env: Env) -> set[str]:
    return {r.code for r in env.stored()}


def test_the_service_refuses_to_drop_without_confirmation(env: Env) -> None:
    # given an accepted version of 20 participants
    env.upload(env.filled(env.rows(seed=1)))
    before = _codes(env)
    # when a file without two of them is uploaded without confirmation
    with pytest.raises(DroppedParticipantsError) as refused:
        env.upload(_fewer(env))
    # then it is refused, naming the codes, and nothing changed
    assert refused.value.codes == ["40019", "40020"]
    assert WARNING in refused.value.message
    assert ResultVersion.objects.count() == 1
    assert _codes(env) == before
    # and with the confirmation it replaces
    accepted = env.upload(_fewer(env), confirm_dropped=True)
    assert accepted.diff.removed == ["40019", "40020"]
    assert _codes(env) == before - {"40019", "40020"}


def test_the_first_upload_and_additions_need_no_confirmation(env: Env) -> None:
    first = env.upload(env.filled(env.rows(seed=1, count=18)))
    more = env.upload(env.filled(env.rows(seed=1)))
    assert (first.version.number, more.version.number) == (1, 2)


def test_html_check_warns_and_upload_asks_for_the_box(env: Env) -> None:
    env.upload(env.filled(env.rows(seed=1)))
    client = env.world.client_for("school_organizer")
    url = reverse("results-upload", kwargs=_kw(env))

    def post(**extra: str) -> Any:
        data: dict[str, Any] = {"file": SimpleUploadedFile("ф.xlsx", _fewer(env), XLSX), **extra}
        return client.post(url, data, follow=True)

    # when the school checks the file: the warning is shown before anything is replaced
    checked = post(check="1").content.decode()
    assert "проверен: ошибок нет" in checked
    assert WARNING in checked
    assert 'name="confirm_dropped"' in checked
    # when it uploads without the box: refused with the codes and the box, nothing replaced
    refused = post(upload="1").content.decode()
    assert WARNING in refused
    assert 'type="checkbox" name="confirm_dropped" value="1"' in refused
    assert ResultVersion.objects.count() == 1
    # when it ticks the box: version 2 replaces the results
    accepted = post(upload="1", confirm_dropped="1").content.decode()
    assert "Результаты приняты: версия 2" in accepted
    assert "40019" not in _codes(env)


def test_api_answers_409_with_the_codes_until_confirmed(env: Env) -> None:
    env.upload(env.filled(env.rows(seed=1)))
    client = env.world.client_for("school_tech")
    url = reverse("api-school-results", kwargs=_kw(env))

    def post(**extra: str) -> Any:
        data: dict[str, Any] = {"file": SimpleUploadedFile("ф.xlsx", _fewer(env), XLSX), **extra}
        return client.post(url, data)

    # the dry run lists the codes
    dry = post(dry_run="true")
    assert dry.status_code == 200
    assert dry.json()["dropped_codes"] == ["40019", "40020"]
    assert WARNING in dry.json()["detail"]
    # the upload without the flag is a 409 with a Russian message and the codes
    refused = post()
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "dropped_unconfirmed"
    assert body["context"]["dropped_codes"] == ["40019", "40020"]
    assert WARNING in body["detail"]
    assert ResultVersion.objects.count() == 1
    # with confirm_dropped=true it is accepted
    accepted = post(confirm_dropped="true")
    assert accepted.status_code == 201, accepted.json()
    assert accepted.json()["version"]["number"] == 2


def test_a_long_list_of_codes_is_shortened() -> None:
    codes = [str(40000 + i) for i in range(60)]
    assert codes_text(codes).endswith("40049 и ещё 10")
    assert codes_text(["1", "2"]) == "1, 2"
