"""Form shapes of the results pages. The rules live in apps.results.xlsx (via services)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

XLSX_ACCEPT = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Заполненная форма сбора результатов (.xlsx)",
        error_messages={
            "required": "Выберите файл формы для загрузки.",
            "empty": "Файл пустой.",
            "invalid": "Не удалось получить файл. Выберите его ещё раз.",
        },
        widget=forms.ClearableFileInput(attrs={"accept": XLSX_ACCEPT}),
    )
    # Only the shape here: the service refuses another school's person or a non-observer.
    observer = forms.IntegerField(
        label="Общественный наблюдатель при загрузке",
        required=False,
        min_value=1,
        error_messages={"invalid": "Выберите наблюдателя из списка."},
    )

    def __init__(self, *args: Any, observers: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["observer"].widget = forms.Select(
            choices=[("", "— не указан —"), *((p.pk, p.full_name) for p in observers)]
        )


class ReopenForm(forms.Form):
    until = forms.DateField(
        label="Принимать результаты до (включительно, по местному времени ОО)",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Укажите дату.",
            "invalid": "Укажите дату в формате ДД.ММ.ГГГГ.",
        },
    )
    reason = forms.CharField(
        label="Причина",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Укажите причину."},
    )
