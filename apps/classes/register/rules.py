"""The rules of one class of the register, shared by the services and the xlsx file. Pure.

Each check returns the domain error it breaks (``None`` when the value is fine), so a service
raises the first one and the file lists every one by row and column.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from apps.classes.messages import ClassesError, ClassesInvalidError
from apps.classes.models import MAX_CLASS_NUMBER, MAX_PUPILS
from apps.core.errors import DomainError

_LETTER = re.compile(r"^[0-9A-ZА-ЯЁ]{1,8}$")


@dataclass(frozen=True)
class ClassInput:
    """What the school enters for one class; ``number`` None takes the next free one."""

    grade: int
    letter: str
    number: int | None
    pupils: int
    pupils_ovz: int = 0


def letter_clean(letter: str) -> str:
    """«а » → «А»: the letter as stored (upper case, no spaces)."""
    return "".join(str(letter).split()).upper()


def check_grade(grade: int, grades: Collection[int], campaign_label: str) -> DomainError | None:
    if grade not in grades:
        return ClassesInvalidError("grade_not_in_campaign", grade=grade, campaign=campaign_label)
    return None


def check_letter(letter: str) -> DomainError | None:
    if not _LETTER.match(letter):
        return ClassesInvalidError("letter_invalid", letter=letter)
    return None


def check_number(number: int | None) -> DomainError | None:
    if number is not None and not 1 <= number <= MAX_CLASS_NUMBER:
        return ClassesInvalidError("number_out_of_range", number=number, max=MAX_CLASS_NUMBER)
    return None


def check_pupils(pupils: int) -> DomainError | None:
    if not 1 <= pupils <= MAX_PUPILS:
        return ClassesInvalidError("pupils_out_of_range", pupils=pupils, max=MAX_PUPILS)
    return None


def check_ovz(ovz: int, pupils: int) -> DomainError | None:
    if ovz < 0:
        return ClassesInvalidError("ovz_out_of_range", ovz=ovz)
    if ovz > pupils:
        return ClassesInvalidError("ovz_over_pupils", ovz=ovz, pupils=pupils)
    return None


def check_values(
    data: ClassInput, grades: Collection[int], campaign_label: str
) -> list[DomainError]:
    """Every broken rule of one class taken alone (not against the other classes)."""
    found = [
        check_grade(data.grade, grades, campaign_label),
        check_letter(data.letter),
        check_number(data.number),
        check_pupils(data.pupils),
        check_ovz(data.pupils_ovz, data.pupils),
    ]
    return [e for e in found if e is not None]


def letter_taken(grade: int, letter: str) -> DomainError:
    return ClassesError("letter_taken", label=f"{grade}{letter}")


def number_taken(number: int, grade: int, letter: str) -> DomainError:
    return ClassesError("number_taken", number=number, label=f"{grade}{letter}")


def next_free_number(taken: Iterable[int], grade: int) -> int:
    """The lowest «Порядковый номер» of the grade nobody holds (``number_none_free`` if none)."""
    used = set(taken)
    for number in range(1, MAX_CLASS_NUMBER + 1):
        if number not in used:
            return number
    raise ClassesError("number_none_free", grade=grade, max=MAX_CLASS_NUMBER)
