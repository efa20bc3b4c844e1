"""Forms of the rooms and people page: shapes and types only, the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from apps.campaigns.models import Subject
from apps.classes.models import SchoolClass
from apps.schoolday.models import MAX_SEATS, Person, Room
from apps.schoolday.rooms.services import PersonInput, RoomInput


def _int(label: str, *, low: int, high: int, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=low,
        max_value=high,
        error_messages={
            "required": f"Заполните поле «{label}».",
            "invalid": f"«{label}» — целое число.",
            "min_value": f"«{label}» — не меньше {low}.",
            "max_value": f"«{label}» — не больше {high}.",
        },
    )


class RoomForm(forms.Form):
    name = forms.CharField(
        label="Аудитория",
        max_length=64,
        help_text="Например, «Кабинет 12».",
        error_messages={
            "required": "Укажите название аудитории, например «Кабинет 12».",
            "max_length": "Название аудитории — не длиннее 64 знаков.",
        },
    )
    seats = _int("Мест для участников", low=1, high=MAX_SEATS)
    computers = _int("Компьютеров для участников", low=0, high=MAX_SEATS, required=False)

    def to_input(self) -> RoomInput:
        data = self.cleaned_data
        return RoomInput(data["name"], data["seats"], data.get("computers") or 0)

    @staticmethod
    def initial_from(room: Room) -> dict[str, Any]:
        return {"name": room.name, "seats": room.seats, "computers": room.computers}


class PersonForm(forms.Form):
    duty = forms.ChoiceField(
        label="Роль",
        choices=Person.Duty.choices,
        error_messages={
            "required": "Выберите роль.",
            "invalid_choice": "Выберите роль из списка.",
        },
    )
    full_name = forms.CharField(
        label="ФИО",
        max_length=150,
        error_messages={
            "required": "Укажите фамилию, имя и отчество.",
            "max_length": "ФИО — не длиннее 150 знаков.",
        },
    )
    contact = forms.CharField(
        label="Телефон или почта",
        max_length=150,
        required=False,
        error_messages={"max_length": "Контакт — не длиннее 150 знаков."},
    )
    subjects = forms.ModelMultipleChoiceField(
        label="Предметы (для эксперта)",
        queryset=Subject.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Выберите предметы из списка."},
    )
    teaches = forms.ModelMultipleChoiceField(
        label="Классы, в которых преподаёт (для эксперта)",
        queryset=SchoolClass.objects.none(),  # unscoped: empty; the view sets the scoped one
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Эксперт не проверяет работы классов, в которых преподаёт.",
        error_messages={"invalid_choice": "Выберите классы из списка."},
    )

    def __init__(
        self,
        *args: Any,
        subjects: QuerySet[Subject] | None = None,
        classes: QuerySet[SchoolClass] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # the choices are the view's scoped selectors' querysets
        if subjects is not None:
            self.fields["subjects"].queryset = subjects  # type: ignore[attr-defined]
        if classes is not None:
            self.fields["teaches"].queryset = classes  # type: ignore[attr-defined]
        self.fields["teaches"].label_from_instance = lambda c: c.label  # type: ignore[attr-defined]

    def to_input(self) -> PersonInput:
        data = self.cleaned_data
        return PersonInput(
            duty=data["duty"],
            full_name=data["full_name"],
            contact=data.get("contact") or "",
            subject_ids=tuple(s.pk for s in data.get("subjects") or []),
            class_ids=tuple(c.pk for c in data.get("teaches") or []),
        )

    @staticmethod
    def initial_from(person: Person) -> dict[str, Any]:
        return {
            "duty": person.duty,
            "full_name": person.full_name,
            "contact": person.contact,
            "subjects": [s.pk for s in person.subjects.all()],
            "teaches": [c.pk for c in person.teaches.all()],
        }
