"""Forms of the scan pages: the upload and the participant code of one booklet."""

from __future__ import annotations

from django import forms


class ScanUploadForm(forms.Form):
    file = forms.FileField(
        label="Файл сканов (PDF, PNG, JPEG или TIFF)",
        error_messages={"required": "Выберите файл сканов (PDF, PNG, JPEG или TIFF)."},
    )


class BookletCodeForm(forms.Form):
    code = forms.CharField(
        label="Код участника",
        max_length=20,
        error_messages={"required": "Введите код участника из бланка (5 цифр)."},
    )
