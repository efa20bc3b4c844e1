"""Notices: scoping both ways, publishing, file versions, reads and receipts, the contacts block,
the menu badge and the API."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.core.audit_actions import action_label
from apps.core.models import AuditEvent
from apps.notices import selectors, services
from apps.notices.messages import NoticeError
from apps.notices.models import Notice, NoticeFile, NoticeRead
from apps.registration.access import Actor, actor_for_user
from conftest import World

PDF = b"%PDF-1.4\n% test document\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _actor(world: World, role: str) -> Actor:
    return actor_for_user(world.users[role])


def _pdf(name: str = "Инструкция для ОО.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _publish(world: World, role: str, **kwargs: Any) -> Notice:
    kwargs.setdefault("title", f"Объявление от {role}")
    return services.notice_publish(actor=_actor(world, role), **kwargs)


@pytest.fixture
def notices(world: World) -> dict[str, Notice]:
    """One notice per author kind; the foreign ones are made as another region's coordinator."""
    from apps.registration.tests.factories import grant, make_user

    other = make_user("t_regional_b", "x-Password-123")
    grant(other, "regional", world.regions["B"])
    other_muni = make_user("t_municipal_a2", "x-Password-123")
    grant(other_muni, "municipal", world.municipalities["A2"])
    return {
        "federal_schools": _publish(world, "federal", title="Всем ОО", for_schools=True),
        "federal_regions": _publish(world, "federal", title="Регионам", for_regions=True),
        "region_a": _publish(world, "regional", title="Регион А: ОО", for_schools=True),
        "muni_a1": _publish(world, "municipal", title="МО А1: ОО", for_schools=True),
        "region_b": services.notice_publish(
            actor=actor_for_user(other), title="Регион Б: ОО", for_schools=True
        ),
        "muni_a2": services.notice_publish(
            actor=actor_for_user(other_muni), title="МО А2: ОО", for_schools=True
        ),
    }


# --- scoping ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_school_sees_its_municipality_region_and_federal_notices_only(
    world: World, notices: dict[str, Notice]
) -> None:
    # given notices from every level, some of another region and another municipality
    # when the school lists its notices
    titles = {n.title for n in selectors.notice_list(actor=_actor(world, "school_organizer"))}
    # then it sees exactly those addressed to schools from its own chain upwards
    assert titles == {"Всем ОО", "Регион А: ОО", "МО А1: ОО"}


@pytest.mark.django_db
def test_coordinators_see_their_own_plus_what_came_from_above(
    world: World, notices: dict[str, Notice]
) -> None:
    # given the same notices
    # when the municipal and regional coordinators list theirs
    muni = {n.title for n in selectors.notice_list(actor=_actor(world, "municipal"))}
    region = {n.title for n in selectors.notice_list(actor=_actor(world, "regional"))}
    # then the municipality sees its own (nothing from above names municipalities)
    assert muni == {"МО А1: ОО"}
    # and the region its own, its municipalities' and the federal one addressed to regions
    assert region == {"Регион А: ОО", "МО А1: ОО", "МО А2: ОО", "Регионам"}


@pytest.mark.django_db
def test_school_gets_404_for_another_regions_notice(
    world: World, notices: dict[str, Notice]
) -> None:
    # given a notice of region B with a document
    foreign = notices["region_b"]
    other = actor_for_user(foreign.author)
    nf = services.notice_file_add(actor=other, notice_id=foreign.pk, upload=_pdf())
    client = world.client_for("school_organizer")
    # when the school of region A asks for the notice, its document and the API
    responses = [
        client.get(reverse("notice-detail", args=[foreign.pk])),
        client.get(reverse("notice-file", args=[nf.pk])),
        client.get(reverse("api-notice-detail", args=[foreign.pk])),
        client.post(reverse("api-notice-read", args=[foreign.pk])),
    ]
    # then each answers 404, as if it did not exist, and no read was recorded
    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert not NoticeRead.objects.filter(notice=foreign).exists()


@pytest.mark.django_db
def test_school_cannot_open_the_authors_pages(world: World, notices: dict[str, Notice]) -> None:
    # given a notice addressed to the school
    client = world.client_for("school_organizer")
    # when the school opens the author's pages
    reads = client.get(reverse("notice-reads", args=[notices["region_a"].pk]))
    create = client.get(reverse("notice-create"))
    # then it lacks the action
    assert (reads.status_code, create.status_code) == (403, 403)


# --- publishing -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_publish_stores_the_author_unit_and_audits(world: World) -> None:
    # given the regional coordinator of region A
    # when it publishes a notice to its schools with a document
    notice = _publish(world, "regional", body="Текст", for_schools=True, upload=_pdf())
    # then the notice carries the author unit and version 1 of the document
    assert (notice.author_level, notice.region_id, notice.municipality_id) == (
        1,
        world.regions["A"].pk,
        None,
    )
    nf = NoticeFile.objects.get(notice=notice)
    assert (nf.version, nf.original_name, nf.size) == (1, "Инструкция для ОО.pdf", len(PDF))
    assert default_storage.open(nf.path).read() == PDF
    # and both writes are audited with Russian labels
    actions = list(
        AuditEvent.objects.filter(target_id__in=[str(notice.pk), str(nf.pk)])
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["notice.publish", "notice.file_version"]
    assert action_label("notice.publish") == "Опубликовано объявление"


@pytest.mark.django_db
def test_publish_refuses_an_audience_that_is_not_below(world: World) -> None:
    # given a municipal coordinator
    # when it tries to address regional coordinators
    with pytest.raises(NoticeError) as err:
        _publish(world, "municipal", for_regions=True, for_schools=True)
    # then it is refused in Russian and nothing is stored
    assert "только уровням ниже своего" in err.value.message
    assert not Notice.objects.exists()


@pytest.mark.django_db
def test_publish_form_creates_the_notice(world: World) -> None:
    # given the municipal coordinator's form
    client = world.client_for("municipal")
    page = client.get(reverse("notice-create"))
    assert "Образовательным организациям" in page.content.decode()
    assert "Региональным координаторам" not in page.content.decode()
    # when it posts a notice with a document
    response = client.post(
        reverse("notice-create"),
        {
            "title": "Сроки ВПР",
            "body": "Проверьте расписание.",
            "for_schools": "on",
            "file": _pdf(),
        },
    )
    # then the notice exists and the browser goes to it
    notice = Notice.objects.get(title="Сроки ВПР")
    assert response.status_code == 302
    assert response["Location"] == reverse("notice-detail", args=[notice.pk])
    assert notice.files.count() == 1


# --- files: versions, download, refusals ------------------------------------------------------


@pytest.mark.django_db
def test_new_version_keeps_the_old_one_downloadable(world: World) -> None:
    # given a notice of the region with version 1 of its document
    notice = _publish(world, "regional", for_schools=True, upload=_pdf())
    v2_content = PDF + b"% revised\n"
    # when the author uploads version 2 through the form
    author = world.client_for("regional")
    response = author.post(
        reverse("notice-file-add", args=[notice.pk]),
        {"file": _pdf("Инструкция для ОО (исправленная).pdf", v2_content)},
    )
    assert response.status_code == 302
    v1, v2 = NoticeFile.objects.filter(notice=notice).order_by("version")
    assert (v1.version, v2.version) == (1, 2)
    # then a school downloads both, streamed under their Russian names
    school = world.client_for("school_organizer")
    got1 = school.get(reverse("notice-file", args=[v1.pk]))
    got2 = school.get(reverse("notice-file", args=[v2.pk]))
    assert got1.streaming
    assert got2.streaming
    assert b"".join(got1.streaming_content) == PDF
    assert b"".join(got2.streaming_content) == v2_content
    expected = quote("Инструкция для ОО (исправленная).pdf")
    assert got2["Content-Disposition"] == f"attachment; filename*=utf-8''{expected}"
    # and the notice page lists both versions, the newest first
    page = school.get(reverse("notice-detail", args=[notice.pk])).content.decode()
    assert page.index("(исправленная)") < page.index("Инструкция для ОО.pdf")
    assert AuditEvent.objects.filter(action="notice.file_download").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("Приказ.exe", b"MZ\x90\x00", "не принят: допустимы файлы"),
        ("Приказ.pdf", b"<html>not a pdf</html>", "не похож на файл .pdf"),
        ("Приказ.pdf", b"", "пуст"),
    ],
)
def test_a_bad_file_is_refused_in_russian_and_changes_nothing(
    world: World, name: str, content: bytes, message: str
) -> None:
    # given a notice with version 1
    notice = _publish(world, "regional", for_schools=True, upload=_pdf())
    author = world.client_for("regional")
    before = AuditEvent.objects.count()
    stored = default_storage.listdir(f"notices/{notice.pk}")[1]
    # when the author uploads a file of the wrong type
    response = author.post(
        reverse("notice-file-add", args=[notice.pk]), {"file": SimpleUploadedFile(name, content)}
    )
    # then the form says why, in Russian, and nothing was stored or audited
    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(notice.files.values_list("version", flat=True)) == [1]
    assert default_storage.listdir(f"notices/{notice.pk}")[1] == stored
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_a_too_big_file_is_refused(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a limit of 1 KB
    monkeypatch.setattr(services, "MAX_FILE_BYTES", 1024)
    # when a regional coordinator publishes with a 2 KB document
    with pytest.raises(NoticeError) as err:
        _publish(world, "regional", for_schools=True, upload=_pdf(content=PDF + b"0" * 2048))
    # then the message names the sizes and no notice or file exists
    assert "слишком большой" in err.value.message
    assert "1 КБ" in err.value.message
    assert not Notice.objects.exists()
    assert not NoticeFile.objects.exists()


# --- reads ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_opening_a_notice_marks_it_read_once_and_the_badge_drops(
    world: World, notices: dict[str, Notice]
) -> None:
    # given three unread notices for the school
    school = _actor(world, "school_organizer")
    client = world.client_for("school_organizer")
    assert selectors.notice_unread_count(actor=school) == 3
    listing = client.get(reverse("notice-list")).content.decode()
    assert 'class="menu-badge" title="Непрочитанных: 3">3</span>' in listing
    # when it opens one twice
    target = notices["muni_a1"]
    client.get(reverse("notice-detail", args=[target.pk]))
    client.get(reverse("notice-detail", args=[target.pk]))
    # then one read is recorded (and audited once) and the unread count drops
    assert NoticeRead.objects.filter(notice=target).count() == 1
    assert AuditEvent.objects.filter(action="notice.read", target_id=str(target.pk)).count() == 1
    assert selectors.notice_unread_count(actor=school) == 2
    # and the list puts the two unread ones first
    ordered = list(selectors.notice_list(actor=school))
    assert [n.unread for n in ordered] == [True, True, False]
    assert ordered[-1].pk == target.pk


@pytest.mark.django_db
def test_the_author_opening_its_own_notice_records_no_read(world: World) -> None:
    # given a notice of the region
    notice = _publish(world, "regional", for_schools=True)
    # when its author opens it
    world.client_for("regional").get(reverse("notice-detail", args=[notice.pk]))
    # then it is not counted as a recipient's read
    assert not NoticeRead.objects.exists()


@pytest.mark.django_db
def test_read_statistics_for_the_author(world: World) -> None:
    # given a region notice to municipalities and schools, read by one school (twice: two users)
    notice = _publish(world, "regional", for_municipalities=True, for_schools=True)
    for role in ("school_organizer", "school_tech", "municipal"):
        services.notice_mark_read(actor=_actor(world, role), notice_id=notice.pk)
    # when the author asks who has read it
    stats = selectors.notice_read_stats(actor=_actor(world, "regional"), notice=notice)
    # then units are counted once each, within the author's region only
    munis, schools = stats
    assert munis.text == "прочитали 1 из 2 муниципалитетов"
    assert schools.text == "прочитали 1 из 4 ОО"
    assert len(schools.unread) == 3
    assert all("A1a" not in name and "ZQX-A1a-" not in name for name in schools.unread)
    assert any("ZQX-A2a-" in name for name in schools.unread)
    # and the receipt page shows the same
    page = world.client_for("regional").get(reverse("notice-reads", args=[notice.pk]))
    text = page.content.decode()
    assert "Прочитали 1 из 4 ОО" in text
    assert "ZQX-B" not in text


@pytest.mark.django_db
def test_another_municipality_cannot_see_the_receipts(world: World) -> None:
    # given a notice of the municipality A1 and a coordinator of A2
    from apps.registration.tests.factories import grant, make_user

    notice = _publish(world, "municipal", for_schools=True)
    other = make_user("t_municipal_a2", "x-Password-123")
    grant(other, "municipal", world.municipalities["A2"])
    client = world.client_for("municipal")
    client.force_login(other)
    # when it opens the receipts or tries to add a version
    reads = client.get(reverse("notice-reads", args=[notice.pk]))
    add = client.post(reverse("notice-file-add", args=[notice.pk]), {"file": _pdf()})
    # then both answer 404 and nothing was added
    assert (reads.status_code, add.status_code) == (404, 404)
    assert not NoticeFile.objects.exists()


# --- contacts ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_school_page_shows_its_coordinators_contacts(world: World) -> None:
    # given coordinators with contact data
    muni = world.users["municipal"]
    muni.full_name, muni.phone, muni.email = "Петрова Анна Сергеевна", "+7 900 111-22-33", "mo@x.ru"
    muni.save()
    region = world.users["regional"]
    region.full_name, region.phone = "Иванов Пётр Ильич", "+7 900 444-55-66"
    region.save()
    # when the school opens a page of its cabinet
    page = world.client_for("school_organizer").get(reverse("notice-list")).content.decode()
    # then both coordinators' contacts are there, logins are not
    for text in ("Ваши координаторы", "Петрова Анна Сергеевна", "+7 900 111-22-33", "mo@x.ru"):
        assert text in page
    assert "Иванов Пётр Ильич" in page
    assert "+7 900 444-55-66" in page
    assert muni.username not in page


@pytest.mark.django_db
def test_contacts_follow_the_level(world: World, settings: Any) -> None:
    # given the federal operator's contacts in settings
    settings.FEDERAL_OPERATOR_CONTACT = {"name": "Поддержка ВПР", "phone": "8 800 000-00-00"}
    world.users["regional"].full_name = "Иванов Пётр Ильич"
    world.users["regional"].save()
    # when each level asks for its contacts
    muni = selectors.contacts_for(_actor(world, "municipal"))
    region = selectors.contacts_for(_actor(world, "regional"))
    federal = selectors.contacts_for(_actor(world, "federal"))
    # then a municipality sees its regional coordinator, a region the federal operator
    assert [(c.role, c.name) for c in muni] == [("Региональный координатор", "Иванов Пётр Ильич")]
    assert [(c.name, c.phone) for c in region] == [("Поддержка ВПР", "8 800 000-00-00")]
    assert federal == []


# --- API ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_list_detail_and_mark_read(world: World, notices: dict[str, Notice]) -> None:
    # given the school's three notices, one with a document
    target = notices["region_a"]
    services.notice_file_add(actor=_actor(world, "regional"), notice_id=target.pk, upload=_pdf())
    client = world.client_for("school_organizer")
    # when it lists them, reads one through the API and opens it
    listing = client.get(reverse("api-notice-list")).json()
    read = client.post(reverse("api-notice-read", args=[target.pk])).json()
    detail = client.get(reverse("api-notice-detail", args=[target.pk])).json()
    # then the list has its three notices, all unread at first
    assert listing["count"] == 3
    assert all(item["unread"] for item in listing["results"])
    # and the read is recorded, the detail shows it with the document's download link
    assert read["read"] is True
    assert detail["is_read"] is True
    assert detail["unread"] is False
    assert detail["files"][0]["original_name"] == "Инструкция для ОО.pdf"
    got = client.get(detail["files"][0]["download_url"])
    assert b"".join(got.streaming_content) == PDF
