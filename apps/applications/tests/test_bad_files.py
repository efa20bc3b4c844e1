"""Bad application files: every problem named in Russian with row and column; nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.applications import services
from apps.applications.tests.conftest import ONE_COLUMN, Chain, edit_xlsx, snapshot, upload
from apps.campaigns.tests.factories import CampaignFactory, SubjectFactory, WorkFactory
from apps.core.models import AuditEvent, ImportBatch
from apps.core.uploads import UploadError

pytestmark = pytest.mark.django_db


def _form(chain: Chain, key: str = "A1a", role: str = "school_organizer") -> bytes:
    app = chain.open(key, role=role)
    return services.application_form_file(actor=chain.actor(role), application_id=app.pk).content


def _refused(
    chain: Chain, content: bytes, role: str = "school_organizer", **kwargs: Any
) -> list[str]:
    """Upload as the role; assert it is refused, changes nothing, is audited; the messages."""
    before = snapshot()
    batches = ImportBatch.objects.count()
    rejected = AuditEvent.objects.filter(action="application.upload_rejected").count()
    with pytest.raises(UploadError) as caught:
        upload(chain.actor(role), content, name="Заявка.xlsx", **kwargs)
    assert snapshot() == before
    assert ImportBatch.objects.count() == batches
    assert AuditEvent.objects.filter(action="application.upload_rejected").count() == rejected + 1
    return [str(e) for e in caught.value.errors]


def test_another_schools_form_is_refused(chain: Chain) -> None:
    # given the form of school A1b (downloaded by the municipal coordinator)
    other = _form(chain, "A1b", role="municipal")
    chain.open("A1a")
    # when school A1a uploads it
    errors = _refused(chain, other)
    # then it is told the file belongs to another school
    code = chain.school("A1b").code
    assert errors == [
        f"Это форма-заявка другой ОО ({code}), а вы загружаете заявку ОО {chain.school().code}. "
        "Скачайте форму-заявку своей ОО на странице заявки и заполните её."
    ]


def test_a_form_of_another_campaign_is_refused(chain: Chain) -> None:
    # given last year's campaign and a form of it
    old = CampaignFactory(year=2025)
    WorkFactory(campaign=old, subject=SubjectFactory(), grade=4, columns=ONE_COLUMN)
    app = services.application_open(
        actor=chain.actor("school_organizer"), school_id=chain.school().pk, campaign_id=old.pk
    )
    content = services.application_form_file(
        actor=chain.actor("school_organizer"), application_id=app.pk
    ).content
    # when it is uploaded while ВПР 2026 takes applications
    errors = _refused(chain, content)
    # then the campaign mismatch is named
    assert errors == [
        "Файл относится к другой кампании («ВПР 2025, весна»), а заявки принимаются для "
        "ВПР 2026, весна. Скачайте форму ВПР 2026, весна и заполните её."
    ]


def test_bad_counts_are_named_by_row_and_column(chain: Chain) -> None:
    # given a form with a negative count, a word for a number, a fraction, a bad «да/нет»,
    # and more participants than the grade has pupils (50 in the school profile)
    content = edit_xlsx(
        _form(chain),
        "Заявка",
        {
            "C4": "да",
            "D4": -5,
            "E4": 1,
            "C5": "да",
            "D5": "двадцать",
            "E5": 1.5,
            "C6": "конечно",
        },
    )
    errors = _refused(chain, content)
    # then each is reported with its row and column, in Russian
    assert errors == [
        "строка 4, столбец D: «Количество участников»: Число не может быть отрицательным "
        "(указано -5).",
        "строка 5, столбец D: «Количество участников»: Нужно целое число, а указано «двадцать».",
        "строка 5, столбец E: «Количество классов»: Нужно целое число, а указано 1.5.",
        "строка 6, столбец C: «Участвует»: Допустимые значения: «да» или «нет», "
        "а указано «конечно».",
    ]


def test_more_participants_than_pupils_in_the_profile(chain: Chain) -> None:
    # given the school profile: 50 pupils in grade 4, 48 in grade 5
    content = edit_xlsx(
        _form(chain), "Заявка", {"C5": "да", "D5": 51, "E5": 2, "C6": "да", "D6": 48, "E6": 3}
    )
    # when the form asks for 51 in grade 4 and 3 classes in grade 5
    errors = _refused(chain, content)
    # then both are refused with the profile's numbers
    assert errors == [
        "строка 5, столбец D: «Количество участников»: Участников (51) больше, чем обучающихся "
        "4 классов по опросному листу ОО (50).",
        "строка 6, столбец E: «Количество классов»: Классов (3) больше, чем 5 классов в ОО по "
        "опросному листу (2).",
    ]


def test_extra_and_missing_rows_are_refused(chain: Chain) -> None:
    # given a form with a row added for a work the campaign does not offer
    content = edit_xlsx(
        _form(chain), "Заявка", {"A7": 4, "B7": "Физика", "C7": "да", "D7": 10, "E7": 1}
    )
    errors = _refused(chain, content)
    assert errors == [
        "строка 7, столбец B: В ВПР 2026, весна нет работы «Физика, 4 класс»: лишняя строка. Не "
        "добавляйте строки и не изменяйте класс и предмет."
    ]
    # and a form with a row deleted
    content = edit_xlsx(
        _form(chain),
        "Заявка",
        {"A6": None, "B6": None, "C6": None, "D6": None, "E6": None, "F6": None},
    )
    errors = _refused(chain, content)
    assert errors == [
        "Нет строки «Математика, 5 класс». Не удаляйте строки формы: для работ, в которых ОО не "
        "участвует, укажите «нет»."
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Файл пустой."),
        (
            b"Code;Name\n1;2\n",
            "Файл не является книгой Excel (.xlsx). Загрузите форму в формате .xlsx.",
        ),
        (
            b"\xd0\xcf\x11\xe0" + b"\x00" * 100,
            "Файл в старом формате .xls. Сохраните его как .xlsx и загрузите снова.",
        ),
        (b"PK\x03\x04" + b"\x00" * 100, "Файл повреждён: не удаётся открыть книгу Excel."),
    ],
)
def test_not_xlsx_or_corrupted(chain: Chain, content: bytes, message: str) -> None:
    chain.open()
    assert _refused(chain, content) == [message]


def test_truncated_xlsx_is_corrupted(chain: Chain) -> None:
    good = _form(chain)
    errors = _refused(chain, good[: len(good) // 2])
    assert len(errors) == 1
    assert errors[0].startswith("Файл повреждён")


def test_an_xlsx_that_is_not_our_form(chain: Chain) -> None:
    from apps.core.xlsx import table_workbook

    content = table_workbook(
        sheet_title="Лист1", headers=["Класс", "Предмет"], rows=[[4, "Русский"]]
    )
    errors = _refused(chain, content)
    assert errors[0].startswith("Файл не является формой-заявкой портала ВПР")


def test_the_upload_page_lists_errors_with_rows_and_columns(chain: Chain, world: Any) -> None:
    # given a form with a negative count
    content = edit_xlsx(_form(chain), "Заявка", {"C5": "да", "D5": -1, "E5": 1})
    client = world.client_for("school_organizer")
    before = snapshot()
    # when it is uploaded in the browser
    response = client.post(
        "/applications/upload/",
        {"file": SimpleUploadedFile("Заявка.xlsx", content), "school": chain.school().pk},
    )
    # then the page says the file was not accepted and shows row 5, column D
    html = response.content.decode()
    assert response.status_code == 200
    assert "не принят. Ничего не изменено." in html
    assert "<td>5</td><td>D</td>" in html
    assert "Число не может быть отрицательным (указано -1)." in html
    assert snapshot() == before


def test_a_form_of_another_session_of_the_same_year_is_refused(chain: Chain) -> None:
    # given an autumn session of the same year with the same works, and its form
    autumn = CampaignFactory(year=2026, session="autumn", name="ВПР 2026 (осенний этап)")
    WorkFactory(campaign=autumn, subject=SubjectFactory(), grade=4, columns=ONE_COLUMN)
    app = services.application_open(
        actor=chain.actor("school_organizer"), school_id=chain.school().pk, campaign_id=autumn.pk
    )
    content = services.application_form_file(
        actor=chain.actor("school_organizer"), application_id=app.pk
    ).content
    # when it is uploaded for the spring campaign
    errors = _refused(chain, content, campaign_id=chain.campaign.pk)
    # then the campaign is named
    assert errors == [
        "Файл относится к другой кампании («ВПР 2026, осень»), а заявки принимаются "
        "для ВПР 2026, весна. Скачайте форму ВПР 2026, весна и заполните её."
    ]
