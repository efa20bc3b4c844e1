"""Which portal file a workbook is, told by its sheet names. Pure: sheet names in, a kind out.

A school that sends the context-data form to the results upload (or the other way round, or
its application form, or a coordinator's accounts template) must be told «this is the other
form, upload it there», not be shown the first rule of the expected form that the wrong file
happens to break (a textbook line on «Служебный» read as a surname, a missing «Протокол»).

Every file the portal hands out has sheets no other one has. The names of the other apps'
files are repeated here as text (this app does not import their modules);
``tests/test_form_kind.py`` checks them against those modules' constants.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from apps.results import constants as k


@dataclass(frozen=True)
class FormKind:
    """A portal file: its name (nominative, «форма сбора результатов»), the sheets that mark it
    and where it belongs («Загрузите её …» / «Его не загружают …»)."""

    key: str
    name: str
    sheets: frozenset[str]
    where: str


RESULTS = FormKind(
    "results",
    "форма сбора результатов",
    frozenset({k.SHEET_PROTOCOL}),
    "Загрузите её на странице работы в разделе «Результаты ВПР».",
)
CONTEXT = FormKind(
    "context",
    "форма контекстных данных",
    frozenset({"ОО", "Участники"}),
    "Загрузите её на странице «Контекстные данные».",
)
OTHER_KINDS: tuple[FormKind, ...] = (
    FormKind(
        "application",
        "форма-заявка ОО на участие в ВПР",
        frozenset({"Заявка"}),
        "Загрузите её в разделе «Заявка ВПР».",
    ),
    FormKind(
        "application_summary",
        "сводный файл заявок",
        frozenset({"Заявки"}),
        "Его загружает координатор в разделе «Заявки ВПР».",
    ),
    FormKind(
        "accounts_municipal",
        "шаблон учётных записей муниципальных координаторов",
        frozenset({"Координаторы"}),
        "Его загружает координатор в разделе учётных записей.",
    ),
    FormKind(
        "accounts_school",
        "шаблон учётных записей ответственных организаторов ОО",
        frozenset({"Организаторы ОО"}),
        "Его загружает координатор в разделе учётных записей.",
    ),
    FormKind(
        "credentials",
        "файл с логинами и паролями",
        frozenset({"Учётные данные"}),
        "Его не загружают на портал.",
    ),
    FormKind(
        "reconciliation",
        "файл выверки списка ОО",
        frozenset({"Список ОО"}),
        "Его загружает координатор в разделе «Выверка списка ОО».",
    ),
    FormKind(
        "campaign",
        "файл кампании и работ (план-график)",
        frozenset({"Работы", "Задания"}),
        "Его загружает федеральный оператор.",
    ),
    FormKind(
        "bank",
        "файл банка заданий",
        frozenset({"Банк заданий"}),
        "Его загружает федеральный оператор.",
    ),
)
KINDS: tuple[FormKind, ...] = (RESULTS, CONTEXT, *OTHER_KINDS)


def form_kind(sheet_names: Iterable[str]) -> FormKind | None:
    """The portal file whose marking sheets the workbook has, or None (not a portal file)."""
    names = {name.strip() for name in sheet_names}
    for kind in KINDS:
        if kind.sheets <= names:
            return kind
    return None


def wrong_form_message(expected: FormKind, sheet_names: Iterable[str]) -> str | None:
    """«Это форма контекстных данных, а не форма сбора результатов. Загрузите её …» when the
    workbook is another portal file than ``expected``; None when it is (or may be) the right one.
    A workbook that has the expected form's sheets is never called another form."""
    names = {name.strip() for name in sheet_names}
    if expected.sheets <= names:
        return None
    found = form_kind(names)
    if found is None or found is expected:
        return None
    return f"Это {found.name}, а не {expected.name}. {found.where}"
