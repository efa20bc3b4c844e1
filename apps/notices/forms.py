"""Shapes of the notice forms; the rules (audience, file checks) live in the services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from apps.core.scoping import Level

_AUDIENCE_FIELDS: dict[Level, tuple[str, ...]] = {
    Level.FEDERAL: ("for_regions", "for_municipalities", "for_schools"),
    Level.REGION: ("for_municipalities", "for_schools"),
    Level.MUNICIPALITY: ("for_schools",),
}


class NoticeForm(forms.Form):
    title = forms.CharField(label="Заголовок", max_length=200)
    body = forms.CharField(
        label="Текст объявления",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
    )
    for_regions = forms.BooleanField(label="Региональным координаторам", required=False)
    for_municipalities = forms.BooleanField(label="Муниципальным координаторам", required=False)
    for_schools = forms.BooleanField(label="Образовательным организациям", required=False)
    campaign = forms.TypedChoiceField(
        label="Кампания", required=False, coerce=int, empty_value=None
    )
    file = forms.FileField(
        label="Документ (необязательно)",
        required=False,
        help_text="PDF, Word, Excel, OpenDocument, RTF, TXT или ZIP, не больше 20 МБ.",
    )

    def __init__(self, *args: Any, level: Level, campaigns: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = _AUDIENCE_FIELDS.get(level, ())
        for name in ("for_regions", "for_municipalities", "for_schools"):
            if name not in allowed:
                del self.fields[name]
        if len(allowed) == 1:
            self.fields[allowed[0]].initial = True
        choices: list[tuple[Any, str]] = [("", "— без кампании —")]
        choices += [(c.pk, str(c)) for c in campaigns]
        self.fields["campaign"].choices = choices  # type: ignore[attr-defined]


class NoticeFileForm(forms.Form):
    file = forms.FileField(
        label="Новая версия документа",
        required=False,
        help_text="Прежние версии останутся доступны для скачивания.",
    )
