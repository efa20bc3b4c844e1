"""Forms of the campaigns pages: shape and types only; the rules live in ``rules``/services."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.db.models import QuerySet

from apps.campaigns import rules
from apps.campaigns.models import Difficulty, ReserveDayRequest, Session, Subject, Work
from apps.campaigns.rules import ColumnSpec, WorkSpec

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
_REQUIRED = {"required": "Заполните это поле."}
_DATE_ERRORS = {"required": "Укажите дату.", "invalid": "Укажите дату в виде ДД.ММ.ГГГГ."}
_INT_ERRORS = {
    "required": "Заполните это поле.",
    "invalid": "Введите целое число.",
    "min_value": "Значение должно быть не меньше %(limit_value)s.",
    "max_value": "Значение должно быть не больше %(limit_value)s.",
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date(label: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        error_messages=_DATE_ERRORS,
        **kwargs,
    )


def _int(label: str, lo: int, hi: int, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=lo, max_value=hi, error_messages=_INT_ERRORS, **kwargs
    )


class CampaignForm(forms.Form):
    year = _int("Год", 2000, 2100)
    session = forms.ChoiceField(label="Этап", choices=Session.choices)
    name = forms.CharField(label="Наименование", max_length=100, error_messages=_REQUIRED)
    application_deadline = _date("Последний день подачи заявок")
    is_active = forms.BooleanField(
        label="Текущая кампания (остальные перестанут быть текущими)", required=False
    )


class SubjectForm(forms.Form):
    code = forms.CharField(
        label="Код (латиницей)",
        max_length=40,
        error_messages=_REQUIRED,
        help_text="Например, russian, math, history.",
    )
    name = forms.CharField(label="Наименование", max_length=100, error_messages=_REQUIRED)


def _dates(raw: str) -> tuple[dt.date, ...]:
    found = []
    for part in (p for p in re.split(r"[,;\s]+", raw.strip()) if p):
        for fmt in DATE_FORMATS:
            try:
                found.append(dt.datetime.strptime(part, fmt).date())  # noqa: DTZ007 - a date
                break
            except ValueError:
                continue
        else:
            raise forms.ValidationError(f"«{part}» — не дата; запишите даты как ДД.ММ.ГГГГ.")
    return tuple(found)


class WorkForm(forms.Form):
    subject = forms.ModelChoiceField(
        label="Предмет", queryset=Subject.objects.none(), error_messages=_REQUIRED
    )
    grade = forms.TypedChoiceField(
        label="Класс", choices=[(g, g) for g in rules.GRADES], coerce=int
    )
    max_score = _int("Максимальный первичный балл", 1, rules.MAX_WORK_SCORE)
    mark3_from = _int("«3» от балла", 0, rules.MAX_WORK_SCORE)
    mark4_from = _int("«4» от балла", 0, rules.MAX_WORK_SCORE)
    mark5_from = _int("«5» от балла", 0, rules.MAX_WORK_SCORE)
    duration_minutes = _int("Продолжительность, минут", 1, rules.MAX_DURATION, initial=45)
    encrypted_archive = forms.BooleanField(
        label="Архив зашифрован (8 класс: пароль в день проведения в 07:30)", required=False
    )
    variants_per_school = _int("Вариантов на ОО", 1, rules.MAX_VARIANTS, initial=2)
    period_start = _date("Первый день периода")
    period_end = _date("Последний день периода")
    recommended_dates = forms.CharField(
        label="Рекомендуемые даты",
        required=False,
        help_text="Через запятую, ДД.ММ.ГГГГ.",
        widget=forms.TextInput(attrs={"size": 40}),
    )
    materials_publish_date = _date("Публикация материалов")
    results_upload_deadline = _date("Последний день загрузки результатов")
    results_release_date = _date("Публикация результатов")
    checking_until = _date(
        "Последний день проверки работ",
        required=False,
        help_text="Не раньше конца периода и не позже последнего дня загрузки результатов; "
        "пусто — до последнего дня загрузки.",
    )

    def __init__(self, *args: Any, subjects: QuerySet[Subject], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = subjects  # type: ignore[attr-defined]

    def clean_recommended_dates(self) -> tuple[dt.date, ...]:
        return _dates(self.cleaned_data.get("recommended_dates", ""))

    @staticmethod
    def initial_for(work: Work) -> dict[str, Any]:
        data: dict[str, Any] = {
            name: getattr(work, name)
            for name in (
                "grade",
                "max_score",
                "mark3_from",
                "mark4_from",
                "mark5_from",
                "duration_minutes",
                "encrypted_archive",
                "variants_per_school",
                "period_start",
                "period_end",
                "materials_publish_date",
                "results_upload_deadline",
                "results_release_date",
                "checking_until",
            )
        }
        data["subject"] = work.subject_id
        data["recommended_dates"] = ", ".join(
            dt.date.fromisoformat(d).strftime("%d.%m.%Y") for d in work.recommended_dates
        )
        return data


class ColumnForm(forms.Form):
    label = forms.CharField(label="Номер", max_length=16, required=False)
    max_score = forms.IntegerField(
        label="Макс. балл",
        min_value=1,
        max_value=rules.MAX_COLUMN_SCORE,
        required=False,
        error_messages=_INT_ERRORS,
    )
    difficulty = forms.ChoiceField(
        label="Уровень", choices=Difficulty.choices, initial=Difficulty.BASIC
    )
    topic = forms.CharField(
        label="Планируемый результат", required=False, widget=forms.TextInput(attrs={"size": 60})
    )

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("label") and not data.get("max_score") and not data.get("topic")


ColumnFormSet = forms.formset_factory(ColumnForm, extra=3, can_delete=True, max_num=100)

# The form field a rules.Problem of a column points at.
COLUMN_FIELDS = {"label": "label", "column_max": "max_score", "difficulty": "difficulty"}


def build_spec(form: WorkForm, formset: Any) -> tuple[WorkSpec, list[Any]]:
    """The WorkSpec of a valid form and formset, and the column forms in spec order."""
    data = form.cleaned_data
    subject: Subject = data["subject"]
    used = []
    columns = []
    for column_form in formset.forms:
        if column_form.cleaned_data.get("DELETE") or column_form.is_blank():
            continue
        c = column_form.cleaned_data
        used.append(column_form)
        columns.append(
            ColumnSpec(
                label=rules.normalize_label(c.get("label") or ""),
                max_score=c.get("max_score") or 0,
                difficulty=c.get("difficulty") or "Б",
                topic=" ".join((c.get("topic") or "").split()),
            )
        )
    spec = WorkSpec(
        subject_code=subject.code,
        subject_name=subject.name,
        grade=data["grade"],
        max_score=data["max_score"],
        mark3_from=data["mark3_from"],
        mark4_from=data["mark4_from"],
        mark5_from=data["mark5_from"],
        duration_minutes=data["duration_minutes"],
        encrypted_archive=data["encrypted_archive"],
        variants_per_school=data["variants_per_school"],
        period_start=data["period_start"],
        period_end=data["period_end"],
        recommended_dates=data["recommended_dates"],
        materials_publish_date=data["materials_publish_date"],
        results_upload_deadline=data["results_upload_deadline"],
        results_release_date=data["results_release_date"],
        columns=tuple(columns),
        checking_until=data.get("checking_until"),
    )
    return spec, used


def report_problems(form: WorkForm, used: list[Any], problems: list[rules.Problem]) -> list[str]:
    """Attach each problem to its field; return those that belong to no field."""
    loose = []
    for problem in problems:
        if problem.column is not None and problem.column < len(used):
            field = COLUMN_FIELDS.get(problem.field)
            used[problem.column].add_error(field, problem.message)
        elif problem.field in form.fields:
            form.add_error(problem.field, problem.message)
        elif problem.field == "subject_code":
            form.add_error("subject", problem.message)
        else:
            loose.append(problem.message)
    return loose


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Файл работ (.xlsx или .json)",
        error_messages={
            "required": "Выберите файл для загрузки.",
            "empty": "Файл пустой.",
            "invalid": "Не удалось получить файл. Выберите его ещё раз.",
        },
    )


class ScheduleDateForm(forms.Form):
    work = forms.IntegerField(error_messages={"required": "Не указана работа."})
    date = _date("Дата проведения")


class ScheduleMoveForm(ScheduleDateForm):
    """A coordinator moves a school's day (ADR 0014): the reason goes to the audit log."""

    reason = forms.CharField(
        label="Причина переноса",
        max_length=2000,
        error_messages={"required": "Укажите причину переноса."},
    )


class ReserveDayForm(forms.Form):
    work = forms.TypedChoiceField(label="Работа", coerce=int, error_messages=_REQUIRED)
    date = _date("Дата проведения вне периода")
    reason = forms.CharField(
        label="Причина",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
        error_messages={"required": "Укажите причину."},
    )

    def __init__(self, *args: Any, works: list[Work], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["work"].choices = [  # type: ignore[attr-defined]
            (
                w.pk,
                f"{w.subject.name}, {w.grade} класс ({w.period_start:%d.%m}–{w.period_end:%d.%m})",
            )
            for w in works
        ]


class DecisionForm(forms.Form):
    verdict = forms.ChoiceField(
        label="Решение",
        choices=[
            (ReserveDayRequest.Status.APPROVED, "Согласовать"),
            (ReserveDayRequest.Status.REJECTED, "Отклонить"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Выберите решение."},
    )
    comment = forms.CharField(
        label="Комментарий для ОО",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text="Обязателен при отказе.",
    )
