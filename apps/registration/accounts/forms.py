"""Forms of the account pages: shape and types only."""

from __future__ import annotations

from django import forms

from apps.core.uploads import looks_like_formula


class PersonForm(forms.Form):
    """ФИО, position, phone and e-mail of an account holder."""

    full_name = forms.CharField(label="ФИО (полностью)", max_length=300)
    position = forms.CharField(label="Должность", max_length=300)
    phone = forms.CharField(label="Телефон", max_length=50)
    email = forms.EmailField(label="Адрес электронной почты", max_length=254)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        for name, value in list(data.items()):
            if looks_like_formula(value):
                self.add_error(name, "Значение не может начинаться со знака «=».")
            elif isinstance(value, str):
                data[name] = " ".join(value.split()) if name != "email" else value.lower()
        return data


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Заполненный файл (.xlsx)",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        error_messages={"required": "Выберите файл .xlsx для загрузки."},
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Код из приложения",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
