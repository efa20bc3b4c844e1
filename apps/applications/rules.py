"""The rules of an application, as pure functions (no ORM, no HTTP).

* Values: how a raw «участвует» / count (from a browser form, an xlsx cell or JSON) becomes a
  ``LineValues``, and which combinations are wrong (participants above the pupils of the grade in
  the school profile, classes above participants, …). Every channel uses the same functions, so a
  school gets the same Russian message whichever way it sends its application.
* The chain: who may edit at which status, and where submit / confirm / reopen lead.
* Plans: what applying a set of target values to an application would change, with every
  problem found. Uploads store the plan as their preview and run it again before applying.

Chain, as decided (see docs/adr/0005-application-approval-chain.md):

    draft ──submit (school)──▶ submitted ──confirm (municipality)──▶ confirmed_municipality
      │                            │                                        │
      └───── confirm (municipality or region, on behalf of the school) ─────┴─confirm (region)─▶
                                                                              confirmed_region

A level's confirmation locks the application for the levels below it (the confirming level
itself may still edit). Reopening undoes the latest confirmation: the application returns to the
status it had just before it (normally ``submitted`` for a municipality's confirmation and
``confirmed_municipality`` for the region's). A municipality cannot reopen what the region has
confirmed. The school edits and submits only up to the end of the campaign's application
deadline in its own time zone; coordinators are not bound by it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from apps.applications.constants import FIELD_LABELS, MAX_CLASSES, MAX_PARTICIPANTS, NO, YES
from apps.applications.messages import BY_CLASS_LINES, ChainError
from apps.applications.models import Status
from apps.core.scoping import Level
from apps.core.uploads import looks_like_formula, text

# --- values --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineValues:
    """One work of an application: takes part or not, how many participants and classes."""

    takes_part: bool = False
    participants: int = 0
    classes: int = 0

    def as_list(self) -> list[Any]:
        return [self.takes_part, self.participants, self.classes]

    @classmethod
    def from_list(cls, values: list[Any]) -> LineValues:
        return cls(bool(values[0]), int(values[1]), int(values[2]))

    def display(self) -> str:
        if not self.takes_part:
            return NO
        return f"{YES}: {self.participants} уч., {self.classes} кл."


NOT_TAKING_PART = LineValues()


@dataclass(frozen=True)
class RawLine:
    """A line as it arrived (strings from a form, cell values, JSON values)."""

    takes_part: Any = None
    participants: Any = None
    classes: Any = None


_YES_WORDS = {"да", "yes", "1", "true", "участвует"}
_NO_WORDS = {"", "нет", "no", "0", "false", "не участвует"}
_INT_RE = re.compile(r"^[+-]?\d+$")


def parse_takes_part(raw: Any) -> tuple[bool, str]:
    """(value, error): empty means «нет»."""
    if raw is None:
        return False, ""
    if isinstance(raw, bool):
        return raw, ""
    value = text(raw).casefold()
    if value in _YES_WORDS:
        return True, ""
    if value in _NO_WORDS:
        return False, ""
    return False, f"Допустимые значения: «{YES}» или «{NO}», а указано «{text(raw)[:40]}»."


def parse_count(raw: Any, *, maximum: int) -> tuple[int, str]:
    """(value, error): a whole number 0..maximum; empty means 0."""
    if raw is None:
        return 0, ""
    if isinstance(raw, bool):
        return 0, "Нужно целое число."
    if isinstance(raw, int):
        number = raw
    elif isinstance(raw, float):
        if not raw.is_integer():
            return 0, f"Нужно целое число, а указано {raw:g}."
        number = int(raw)
    else:
        value = str(raw).strip().replace("\u00a0", "").replace(" ", "")
        if not value:
            return 0, ""
        if looks_like_formula(value):
            return 0, "Формулы не допускаются: введите число."
        if not _INT_RE.match(value):
            return 0, f"Нужно целое число, а указано «{str(raw).strip()[:40]}»."
        number = int(value)
    if number < 0:
        return 0, f"Число не может быть отрицательным (указано {number})."
    if number > maximum:
        return 0, f"Слишком большое число ({number}); допускается не более {maximum}."
    return number, ""


def parse_line(raw: RawLine) -> tuple[LineValues | None, list[tuple[str, str]]]:
    """The typed values of a raw line, or None with (field, message) errors."""
    takes_part, e1 = parse_takes_part(raw.takes_part)
    participants, e2 = parse_count(raw.participants, maximum=MAX_PARTICIPANTS)
    classes, e3 = parse_count(raw.classes, maximum=MAX_CLASSES)
    errors = [
        (name, message)
        for name, message in (("takes_part", e1), ("participants", e2), ("classes", e3))
        if message
    ]
    if errors:
        return None, errors
    return LineValues(takes_part, participants, classes), []


def _profile_number(grade_info: Mapping[str, Any] | None, key: str) -> int | None:
    if not grade_info:
        return None
    value = grade_info.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def check_line(
    values: LineValues, *, grade: int, grade_info: Mapping[str, Any] | None
) -> list[tuple[str, str]]:
    """(field, message) for every rule a line breaks. ``grade_info`` is the school profile's
    ``{"classes": n, "pupils": n}`` for the work's grade (None when the profile lacks it)."""
    problems: list[tuple[str, str]] = []
    if not values.takes_part:
        if values.participants:
            problems.append(
                (
                    "participants",
                    f"Указано «{NO}» (не участвует), но число участников {values.participants}. "
                    f"Укажите 0 или выберите «{YES}».",
                )
            )
        if values.classes:
            problems.append(
                (
                    "classes",
                    f"Указано «{NO}» (не участвует), но число классов {values.classes}. "
                    f"Укажите 0 или выберите «{YES}».",
                )
            )
        return problems
    if values.participants < 1:
        problems.append(("participants", "Укажите число участников (не меньше 1)."))
    if values.classes < 1:
        problems.append(("classes", "Укажите число классов (не меньше 1)."))
    elif values.classes > values.participants >= 1:
        problems.append(
            (
                "classes",
                f"Классов ({values.classes}) больше, чем участников ({values.participants}).",
            )
        )
    pupils = _profile_number(grade_info, "pupils")
    if pupils is not None and values.participants > pupils:
        problems.append(
            (
                "participants",
                f"Участников ({values.participants}) больше, чем обучающихся {grade} классов "
                f"по опросному листу ОО ({pupils}).",
            )
        )
    classes = _profile_number(grade_info, "classes")
    if classes is not None and values.classes > classes:
        problems.append(
            (
                "classes",
                f"Классов ({values.classes}) больше, чем {grade} классов в ОО по опросному "
                f"листу ({classes}).",
            )
        )
    return problems


# --- the chain -----------------------------------------------------------------------------------

ORDER = {
    Status.DRAFT: 0,
    Status.SUBMITTED: 1,
    Status.CONFIRMED_MUNICIPALITY: 2,
    Status.CONFIRMED_REGION: 3,
}
CONFIRMS_TO = {
    Level.MUNICIPALITY: Status.CONFIRMED_MUNICIPALITY,
    Level.REGION: Status.CONFIRMED_REGION,
}


def is_confirmed_at(level: Level, status: str) -> bool:
    """Whether the application already stands confirmed at ``level`` (or above it)."""
    target = CONFIRMS_TO.get(level)
    return target is not None and ORDER[Status(status)] >= ORDER[target]


def edit_refusal(
    level: Level, status: str, *, deadline_passed: bool, deadline_text: str = ""
) -> ChainError | None:
    """Why ``level`` may not change the lines of an application at ``status`` (None: it may)."""
    status = Status(status)
    if level is Level.SCHOOL:
        if status == Status.CONFIRMED_REGION:
            return ChainError("locked_region")
        if status == Status.CONFIRMED_MUNICIPALITY:
            return ChainError("locked_municipality")
        if deadline_passed:
            return ChainError("deadline_passed", deadline=deadline_text)
        return None
    if level is Level.MUNICIPALITY:
        if status == Status.CONFIRMED_REGION:
            return ChainError("locked_region")
        return None
    if level is Level.REGION:
        return None
    return ChainError("not_a_transition")


def submit_target(status: str, *, deadline_passed: bool, deadline_text: str = "") -> Status | None:
    """Where a school's submit leads (None: already submitted or further, nothing to do)."""
    status = Status(status)
    if status != Status.DRAFT:
        return None
    refusal = edit_refusal(
        Level.SCHOOL, status, deadline_passed=deadline_passed, deadline_text=deadline_text
    )
    if refusal is not None:
        raise refusal
    return Status.SUBMITTED


def confirm_target(level: Level, status: str) -> Status | None:
    """Where a coordinator's confirmation leads (None: already confirmed at that level)."""
    target = CONFIRMS_TO.get(level)
    if target is None:
        raise ChainError("not_a_transition")
    if is_confirmed_at(level, status):
        return None
    return target


def reopen_target(level: Level, status: str, previous: str | None) -> Status | None:
    """Where reopening leads: back to the status before the latest confirmation.

    None when there is nothing this level could reopen (the application is not confirmed).
    """
    status = Status(status)
    if level not in CONFIRMS_TO:
        raise ChainError("not_a_transition")
    if status not in (Status.CONFIRMED_MUNICIPALITY, Status.CONFIRMED_REGION):
        return None
    if level is Level.MUNICIPALITY and status == Status.CONFIRMED_REGION:
        raise ChainError("locked_region")
    fallback = (
        Status.CONFIRMED_MUNICIPALITY if status == Status.CONFIRMED_REGION else Status.SUBMITTED
    )
    if previous is None:
        return fallback
    before = Status(previous)
    if ORDER[before] >= ORDER[status]:
        return fallback
    return before


# --- plans ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkRef:
    """A work of the campaign as the rules see it."""

    id: int
    grade: int
    subject: str

    @property
    def label(self) -> str:
        return f"{self.subject}, {self.grade} класс"


@dataclass(frozen=True)
class AppState:
    """A school's application as it is now (``status`` None: no application yet)."""

    school_id: int
    code: str
    name: str
    application_id: int | None
    status: str | None
    previous_status: str | None
    lines: Mapping[int, LineValues]
    grades: Mapping[str, Any]
    deadline_passed: bool
    deadline_text: str = ""
    # The school keeps a class register for a campaign with grades: its lines are derived from
    # its classes' works (``derive_lines``) and are never edited per work.
    by_class: bool = False

    @property
    def effective_status(self) -> Status:
        return Status(self.status) if self.status else Status.DRAFT


@dataclass(frozen=True)
class Target:
    """What a form, a file or a request asks for one school.

    ``lines`` holds only the works it names; ``confirm`` is True/False for «подтвердить»
    (None: not asked); ``submit`` asks to submit (a school's own form).
    """

    school_id: int
    lines: Mapping[int, LineValues] = field(default_factory=dict)
    confirm: bool | None = None
    submit: bool = False


@dataclass(frozen=True)
class Issue:
    """A problem of a plan: ``work_id`` None and ``field`` "" mean the whole application;
    ``field`` "confirm" means the «подтвердить» answer."""

    school_id: int
    work_id: int | None
    field: str
    message: str


@dataclass(frozen=True)
class LineChange:
    work_id: int
    label: str
    old: LineValues
    new: LineValues


@dataclass
class SchoolPlan:
    """What applying a target to one application would do."""

    state: AppState
    changes: list[LineChange]
    transition: str  # "", "submit", "confirm" or "reopen"
    status_after: str
    issues: list[Issue]

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.transition)

    def signature(self) -> list[Any]:
        """What must be the same at apply time as at preview time."""
        return [
            self.state.school_id,
            self.state.application_id,
            self.state.status,
            [[c.work_id, c.old.as_list(), c.new.as_list()] for c in self.changes],
            self.transition,
            self.status_after,
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "school_id": self.state.school_id,
            "code": self.state.code,
            "name": self.state.name,
            "application_id": self.state.application_id,
            "status_before": self.state.status or "",
            "status_before_label": _status_label(self.state.status),
            "transition": self.transition,
            "transition_label": TRANSITION_LABELS.get(self.transition, ""),
            "status_after": self.status_after,
            "status_after_label": _status_label(self.status_after or self.state.status),
            "changes": [
                {
                    "work_id": c.work_id,
                    "label": c.label,
                    "old": asdict(c.old),
                    "new": asdict(c.new),
                    "old_display": c.old.display(),
                    "new_display": c.new.display(),
                }
                for c in self.changes
            ],
        }


TRANSITION_LABELS = {
    "submit": "будет подана",
    "confirm": "будет подтверждена",
    "reopen": "подтверждение будет снято",
}


def _status_label(status: str | None) -> str:
    from apps.applications.constants import NOT_APPLIED

    if not status:
        return NOT_APPLIED
    return str(Status(status).label)


def plan_school(
    state: AppState, target: Target, *, level: Level, works: Mapping[int, WorkRef]
) -> SchoolPlan:
    """Compare a target with the application as it is; list the changes and every problem."""
    issues: list[Issue] = []
    changes: list[LineChange] = []
    for work_id, new in target.lines.items():
        work = works.get(work_id)
        if work is None:
            issues.append(Issue(state.school_id, work_id, "", f"Работа {work_id} не найдена."))
            continue
        old = state.lines.get(work_id, NOT_TAKING_PART)
        if new == old:
            continue
        changes.append(LineChange(work_id, work.label, old, new))
        if state.by_class:
            issues.append(Issue(state.school_id, work_id, "", BY_CLASS_LINES))
            continue
        for name, message in check_line(
            new, grade=work.grade, grade_info=state.grades.get(str(work.grade))
        ):
            issues.append(Issue(state.school_id, work_id, name, message))
    status = state.effective_status
    transition = ""
    status_after = state.status or ""
    if level is Level.SCHOOL:
        refusal = edit_refusal(
            level,
            status,
            deadline_passed=state.deadline_passed,
            deadline_text=state.deadline_text,
        )
        if refusal is not None and (changes or target.submit):
            issues.insert(0, Issue(state.school_id, None, "", refusal.message))
        elif target.submit and status == Status.DRAFT:
            transition, status_after = "submit", Status.SUBMITTED.value
    else:
        confirmed = is_confirmed_at(level, status)
        if target.confirm is True and not confirmed:
            transition = "confirm"
            status_after = CONFIRMS_TO[level].value
        elif target.confirm is False and confirmed:
            transition = "reopen"
        refusal = edit_refusal(level, status, deadline_passed=False)
        if refusal is not None and (changes or transition):
            where = "confirm" if transition else ""
            issues.insert(0, Issue(state.school_id, None, where, refusal.message))
            transition, status_after = "", state.status or ""
        elif transition == "reopen":
            after = reopen_target(level, status, state.previous_status)
            status_after = after.value if after else status.value
    if changes and not status_after:
        status_after = Status.DRAFT.value  # a coordinator's edit creates the application
    return SchoolPlan(state, changes, transition, status_after, issues)


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


# --- lines derived from the classes --------------------------------------------------------------


def derive_lines(
    class_works: Iterable[tuple[int, int | None]], work_ids: Iterable[int]
) -> dict[int, LineValues]:
    """The application's line of each work from its classes' works ``(work_id, participants)``:
    a work takes part when a class writes it, ``classes`` counts those classes and
    ``participants`` sums their confirmed numbers.

    A class whose number is not confirmed yet (None) is not counted: a line never claims a class
    without participants, and a school submits only once every class is confirmed, so a
    submitted line counts every class. Works of ``work_ids`` no class writes do not take part.
    """
    found: dict[int, LineValues] = {work_id: NOT_TAKING_PART for work_id in work_ids}
    for work_id, participants in class_works:
        if not participants:
            continue
        line = found.get(work_id, NOT_TAKING_PART)
        found[work_id] = LineValues(True, line.participants + participants, line.classes + 1)
    return found
