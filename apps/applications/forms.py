"""Form shapes of the application pages. Rules live in apps.applications.rules (via services)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from apps.applications.rules import RawLine
from apps.classes.participation import ParticipationInput

XLSX_ACCEPT = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Файл заявки (.xlsx)",
        error_messages={
            "required": "Выберите файл для загрузки.",
            "empty": "Файл пустой.",
            "invalid": "Не удалось получить файл. Выберите его ещё раз.",
        },
    )
    school = forms.IntegerField(required=False, widget=forms.HiddenInput)
    campaign = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CommentForm(forms.Form):
    comment = forms.CharField(required=False, max_length=2000)


def field_name(kind: str, work_id: int) -> str:
    """The input name of one cell of the application table: tp-/p-/c-<work id>."""
    return f"{kind}-{work_id}"


def lines_from_post(data: Mapping[str, Any]) -> dict[int, RawLine]:
    """The lines a posted application table names (raw strings; the service checks them)."""
    ids: set[int] = set()
    for key in data:
        prefix, _, rest = key.partition("-")
        if prefix in ("tp", "p", "c") and rest.isdigit():
            ids.add(int(rest))
    return {
        work_id: RawLine(
            takes_part=data.get(field_name("tp", work_id)),
            participants=data.get(field_name("p", work_id)),
            classes=data.get(field_name("c", work_id)),
        )
        for work_id in sorted(ids)
    }


def class_field_name(kind: str, class_work_id: int) -> str:
    """The input name of one cell of the per-class table: cp-/cf-<class work id>."""
    return f"{kind}-{class_work_id}"


def class_lines_from_post(data: Mapping[str, Any]) -> list[ParticipationInput]:
    """The class works a posted per-class table names (raw strings; the service checks them)."""
    ids: set[int] = set()
    for key in data:
        prefix, _, rest = key.partition("-")
        if prefix in ("cp", "cf") and rest.isdigit():
            ids.add(int(rest))
    return [
        ParticipationInput(
            class_work_id=class_work_id,
            participants=data.get(class_field_name("cp", class_work_id)),
            form=data.get(class_field_name("cf", class_work_id)),
        )
        for class_work_id in sorted(ids)
    ]
