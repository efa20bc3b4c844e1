"""The school profile («опросный лист ОО»): the school fills it in the browser or through the API.

The rules live here (forms and serializers only check shapes and types), so both interfaces give
the same Russian messages. Saving writes one audit row. The profile holds staff contacts only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from apps.core import registry
from apps.core.services import audit_record
from apps.registration.access import A, Actor
from apps.registration.audit import SchoolsAudit
from apps.registration.constants import SchoolType
from apps.registration.models import School, SchoolProfile, SettlementType
from apps.registration.services import school_unit_scope

# The grades that take part since 2025 (docs/classes.md), for a portal with no campaign yet.
DEFAULT_GRADES: tuple[int, ...] = (4, 5, 6, 7, 8, 10)
MAX_CLASSES = 50
MAX_PUPILS_PER_CLASS = 45
# The highest grade a school of a type teaches (НОШ: 1–4, ООШ: 1–9); others teach up to 11.
TOP_GRADE = {SchoolType.NOSH.value: 4, SchoolType.OOSH.value: 9}
_PHONE_CHARS = re.compile(r"^[0-9+()\-\s]+$")
_NAME_CHARS = re.compile(r"^[A-Za-zА-Яа-яЁё.\-'\s]+$")


def profile_grades() -> tuple[str, ...]:
    """The grades the questionnaire asks about: the current campaign's (``CampaignGrade`` rows,
    provided by the campaigns app through ``core.registry``; the most recent campaign's when the
    current one has none yet), else the grades since 2025."""
    return tuple(str(g) for g in registry.current_grades() or DEFAULT_GRADES)


def grades_text(grades: tuple[str, ...]) -> str:
    """«4, 5, 6, 7, 8 и 10»."""
    return grades[0] if len(grades) == 1 else f"{', '.join(grades[:-1])} и {grades[-1]}"


def unknown_grades_message(unknown: list[str], grades: tuple[str, ...]) -> str:
    """«Параллели 9, 11 не участвуют в ВПР: участвуют 4, 5, 6, 7, 8 и 10 классы. …»"""
    return (
        f"Параллели {', '.join(unknown)} не участвуют в ВПР: участвуют {grades_text(grades)} "
        "классы. Укажите числа только для них."
    )


@dataclass(frozen=True)
class GradeCount:
    classes: int
    pupils: int


@dataclass(frozen=True)
class ProfileInput:
    """What the school enters; ``grades`` maps each grade of the campaign ("4", "5", …) to its
    classes and pupils."""

    school_type: str
    settlement_type: str
    address: str
    director_name: str
    phone: str
    email: str
    time_zone_confirmed: bool
    grades: Mapping[str, GradeCount] = field(default_factory=dict)

    @classmethod
    def from_profile(cls, profile: SchoolProfile) -> ProfileInput:
        return cls(
            school_type=profile.school_type,
            settlement_type=profile.settlement_type,
            address=profile.address,
            director_name=profile.director_name,
            phone=profile.phone,
            email=profile.email,
            time_zone_confirmed=profile.time_zone_confirmed,
            grades={
                g: GradeCount(
                    classes=int(profile.grades.get(g, {}).get("classes", 0)),
                    pupils=int(profile.grades.get(g, {}).get("pupils", 0)),
                )
                for g in profile_grades()
            },
        )

    def grades_json(self) -> dict[str, dict[str, int]]:
        return {
            g: {"classes": c.classes, "pupils": c.pupils}
            for g in profile_grades()
            if (c := self.grades.get(g)) is not None
        }


def grade_field(grade: str, part: str) -> str:
    """The form / error key of one grade cell, e.g. ``classes_5``."""
    return f"{part}_{grade}"


def profile_errors(data: ProfileInput) -> dict[str, list[str]]:
    """Every broken rule of the profile, by field, in Russian (empty when it is valid)."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if data.school_type not in SchoolType.values:
        add("school_type", "Выберите тип ОО из списка.")
    if data.settlement_type not in SettlementType.values:
        add("settlement_type", "Выберите тип населённого пункта из списка.")
    if len(data.address.strip()) < 5:
        add("address", "Укажите адрес ОО: населённый пункт, улицу и дом.")
    elif len(data.address) > 500:
        add("address", "Адрес длиннее 500 символов.")
    name = data.director_name.strip()
    if len(name.split()) < 2 or not _NAME_CHARS.match(name):
        add(
            "director_name",
            "Укажите фамилию, имя и отчество руководителя полностью, буквами (например, "
            "Иванова Мария Петровна).",
        )
    elif len(name) > 300:
        add("director_name", "ФИО руководителя длиннее 300 символов.")
    digits = re.sub(r"\D", "", data.phone)
    if not _PHONE_CHARS.match(data.phone.strip() or "x") or not 10 <= len(digits) <= 11:
        add(
            "phone",
            "Укажите телефон ОО с кодом города: 10–11 цифр, например +7 (845) 222-33-44.",
        )
    try:
        validate_email(data.email.strip())
    except ValidationError:
        add("email", "Укажите правильный адрес электронной почты, например school@example.ru.")
    if not data.time_zone_confirmed:
        add(
            "time_zone_confirmed",
            "Подтвердите часовой пояс ОО. Если он указан неверно, сообщите муниципальному "
            "координатору: от пояса зависит время выдачи материалов.",
        )
    top = TOP_GRADE.get(data.school_type, 11)
    type_label = SchoolType(data.school_type).label if data.school_type in SchoolType.values else ""
    any_pupils = False
    grades = profile_grades()
    unknown = sorted(
        (g for g in data.grades if g not in grades), key=lambda g: (not g.isdecimal(), g.zfill(3))
    )
    if unknown:
        add("grades", unknown_grades_message(unknown, grades))
    for grade in grades:
        count = data.grades.get(grade, GradeCount(0, 0))
        classes_key, pupils_key = grade_field(grade, "classes"), grade_field(grade, "pupils")
        if count.classes < 0 or count.classes > MAX_CLASSES:
            add(classes_key, f"{grade} класс: число классов должно быть от 0 до {MAX_CLASSES}.")
            continue
        if count.pupils < 0:
            add(pupils_key, f"{grade} класс: число обучающихся не может быть отрицательным.")
            continue
        if count.classes and not count.pupils:
            add(
                pupils_key,
                f"{grade} класс: указаны классы ({count.classes}), но не указаны обучающиеся.",
            )
        elif count.pupils and not count.classes:
            add(
                classes_key,
                f"{grade} класс: указаны обучающиеся ({count.pupils}), но не указано "
                "число классов.",
            )
        elif count.pupils < count.classes:
            add(
                pupils_key,
                f"{grade} класс: обучающихся ({count.pupils}) меньше, чем классов "
                f"({count.classes}).",
            )
        elif count.pupils > count.classes * MAX_PUPILS_PER_CLASS:
            add(
                pupils_key,
                f"{grade} класс: {count.pupils} обучающихся в {count.classes} кл. — больше "
                f"{MAX_PUPILS_PER_CLASS} на класс. Проверьте числа.",
            )
        if count.pupils and int(grade) > top:
            add(
                classes_key,
                f"{grade} класс: в ОО типа «{type_label}» обучение только до {top} класса. "
                "Проверьте тип ОО или числа.",
            )
        any_pupils = any_pupils or count.pupils > 0
    if not any_pupils and not any(k.startswith(("classes_", "pupils_")) for k in errors):
        add(
            "grades",
            "Укажите число классов и обучающихся хотя бы в одной из параллелей: "
            f"{grades_text(grades)} классы.",
        )
    return errors


def school_profile_initial(school: School) -> ProfileInput:
    """A first draft for a school that has no profile yet: what the school list knows."""
    return ProfileInput(
        school_type=school.school_type,
        settlement_type="",
        address=school.address,
        director_name="",
        phone="",
        email="",
        time_zone_confirmed=False,
        grades={g: GradeCount(0, 0) for g in profile_grades()},
    )


def _own_school(actor: Actor, *, lock: bool = False) -> School:
    """The actor's own school (DoesNotExist → 404 for anyone without one)."""
    qs = School.objects.for_actor(actor, A.EDIT_PROFILE)
    if lock:
        qs = qs.select_for_update()
    return qs.get(pk=actor.scope.school_id or 0)


@transaction.atomic
def school_profile_save(*, actor: Actor, data: ProfileInput) -> SchoolProfile:
    """Validate and save the actor's school profile; ValidationError (by field) changes nothing."""
    school = _own_school(actor, lock=True)
    errors = profile_errors(data)
    if errors:
        raise ValidationError(errors)
    profile = SchoolProfile.objects.for_actor(actor, A.EDIT_PROFILE).filter(school=school).first()
    first = profile is None
    if profile is None:
        profile = SchoolProfile(school=school)
    values: dict[str, Any] = {
        "school_type": data.school_type,
        "settlement_type": data.settlement_type,
        "address": data.address.strip(),
        "director_name": " ".join(data.director_name.split()),
        "phone": data.phone.strip(),
        "email": data.email.strip(),
        "time_zone_confirmed": data.time_zone_confirmed,
        "grades": data.grades_json(),
    }
    changed = sorted(k for k, v in values.items() if getattr(profile, k, None) != v)
    for key, value in values.items():
        setattr(profile, key, value)
    profile.filled_at = timezone.now()
    profile.filled_by = actor.user
    profile.full_clean()
    profile.save()
    audit_record(
        actor=actor,
        action=SchoolsAudit.SCHOOL_PROFILE_SAVE,
        target=profile,
        scope=school_unit_scope(school),
        # Field names only: the contacts themselves stay out of the log.
        details={"first": first, "changed": changed},
    )
    return profile
