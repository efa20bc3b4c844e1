"""Fixed vocabularies of the registration app."""

from __future__ import annotations

from datetime import datetime

from django.db import models

from apps.core.instants import moscow_offset

# Every IANA zone used on Russian territory, west to east (Russia spans eleven offsets).
RUSSIAN_TIME_ZONES: tuple[str, ...] = (
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Simferopol",
    "Europe/Kirov",
    "Europe/Volgograd",
    "Europe/Astrakhan",
    "Europe/Saratov",
    "Europe/Ulyanovsk",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Barnaul",
    "Asia/Tomsk",
    "Asia/Novokuznetsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Chita",
    "Asia/Yakutsk",
    "Asia/Khandyga",
    "Asia/Vladivostok",
    "Asia/Ust-Nera",
    "Asia/Magadan",
    "Asia/Sakhalin",
    "Asia/Srednekolymsk",
    "Asia/Kamchatka",
    "Asia/Anadyr",
)

_CITY = {
    "Europe/Kaliningrad": "Калининград",
    "Europe/Moscow": "Москва",
    "Europe/Simferopol": "Симферополь",
    "Europe/Kirov": "Киров",
    "Europe/Volgograd": "Волгоград",
    "Europe/Astrakhan": "Астрахань",
    "Europe/Saratov": "Саратов",
    "Europe/Ulyanovsk": "Ульяновск",
    "Europe/Samara": "Самара",
    "Asia/Yekaterinburg": "Екатеринбург",
    "Asia/Omsk": "Омск",
    "Asia/Novosibirsk": "Новосибирск",
    "Asia/Barnaul": "Барнаул",
    "Asia/Tomsk": "Томск",
    "Asia/Novokuznetsk": "Новокузнецк",
    "Asia/Krasnoyarsk": "Красноярск",
    "Asia/Irkutsk": "Иркутск",
    "Asia/Chita": "Чита",
    "Asia/Yakutsk": "Якутск",
    "Asia/Khandyga": "Хандыга",
    "Asia/Vladivostok": "Владивосток",
    "Asia/Ust-Nera": "Усть-Нера",
    "Asia/Magadan": "Магадан",
    "Asia/Sakhalin": "Южно-Сахалинск",
    "Asia/Srednekolymsk": "Среднеколымск",
    "Asia/Kamchatka": "Петропавловск-Камчатский",
    "Asia/Anadyr": "Анадырь",
}


def time_zone_label(name: str, at: datetime | None = None) -> str:
    """'МСК+2 (Екатеринбург)': the offset from Moscow now (or at `at`) and the zone's city."""
    return f"{moscow_offset(name, at)} ({_CITY.get(name, name)})"


TIME_ZONE_CHOICES: list[tuple[str, str]] = [(tz, time_zone_label(tz)) for tz in RUSSIAN_TIME_ZONES]


class SchoolType(models.TextChoices):
    """Types of ОО as ФИС ОКО lists them in the school questionnaire."""

    SOSH = "sosh", "СОШ"
    OOSH = "oosh", "ООШ"
    NOSH = "nosh", "НОШ"
    GYMNASIUM = "gymnasium", "Гимназия"
    LYCEUM = "lyceum", "Лицей"
    EDUCATION_CENTER = "center", "Центр образования"
    EVENING = "evening", "Вечерняя (сменная) школа"
    CORRECTIONAL = "correctional", "Коррекционная школа"
    BOARDING = "boarding", "Школа-интернат"
    COLLEGE = "college", "Организация СПО"


class SchoolStatus(models.TextChoices):
    ACTIVE = "active", "Действующая"
    CLOSED = "closed", "Закрыта"


class Role(models.TextChoices):
    """The roles of the portal, plus the system actor of background jobs. An expert is a
    school's adult of the day with an account: it sees and enters only the codes given to it.
    A marker is a member of a federal, regional or municipal checking commission: it sees and
    marks only the works allocated to it (apps.objectivity)."""

    FEDERAL = "federal", "Федеральный оператор"
    REGIONAL = "regional", "Региональный координатор"
    MUNICIPAL = "municipal", "Муниципальный координатор"
    SCHOOL_ORGANIZER = "school_organizer", "Ответственный организатор ОО"
    SCHOOL_TECH = "school_tech", "Технический специалист ОО"
    EXPERT = "expert", "Эксперт по проверке работ"
    MARKER = "marker", "Эксперт комиссии"
    SYSTEM = "system", "Система"


# Permission codenames that hold a user's grant (see docs/architecture.md, "Scoping").
PERM_FEDERAL = "registration.operate_federal"
PERM_REGION = "coordinate_region"
PERM_MUNICIPALITY = "coordinate_municipality"
PERM_SCHOOL_ORGANIZER = "organize_school"
PERM_SCHOOL_TECH = "assist_school"
PERM_SCHOOL_EXPERT = "check_school"
# A member of a checking commission (apps.objectivity): federal, regional or municipal.
PERM_MARK_FEDERAL = "registration.mark_federal"
PERM_MARK_REGION = "mark_region"
PERM_MARK_MUNICIPALITY = "mark_municipality"

SCHOOL_CODE_REGEX = r"^edu\d{6}$"
MUNICIPALITY_CODE_REGEX = r"^reg\d{2}_m\d{3}$"
REGION_CODE_REGEX = r"^\d{2}$"

# The only background-job kind whose output the exports page lists and serves
# (kit builds, bank imports, reminders… are jobs too, with their own gated routes).
SCHOOL_LIST_EXPORT = "school_list_export"
