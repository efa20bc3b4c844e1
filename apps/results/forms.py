"""Form shapes of the results pages. The rules live in apps.results.xlsx (via services)."""

from __future__ import annotations

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
