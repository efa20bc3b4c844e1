"""Fixed vocabularies of the applications app."""

from __future__ import annotations

from apps.core.scoping import Level

# core.ImportBatch.kind of every application upload (a school's form or a coordinator's summary).
IMPORT_KIND = "application"

FORM_SCHOOL = "school"
FORM_SUMMARY = "summary"

YES = "да"
NO = "нет"

MAX_PARTICIPANTS = 2000  # per school and work; far above the largest real parallel
MAX_CLASSES = 50  # the results form numbers classes 1–50

NOT_APPLIED = "заявка не подана"

FIELD_LABELS = {
    "takes_part": "Участвует",
    "participants": "Количество участников",
    "classes": "Количество классов",
}

# Who a level is, in words (for messages and file titles).
LEVEL_NAMES = {
    Level.SCHOOL: "ОО",
    Level.MUNICIPALITY: "муниципальный координатор",
    Level.REGION: "региональный координатор",
    Level.FEDERAL: "федеральный оператор",
}
LEVEL_KEYS = {
    Level.SCHOOL: "school",
    Level.MUNICIPALITY: "municipality",
    Level.REGION: "region",
    Level.FEDERAL: "federal",
}
LEVEL_BY_KEY = {v: k for k, v in LEVEL_KEYS.items()}
