"""The pure rules of a work day's placement (no ORM): the automatic proposal by seats and the
checks of a placement the school sends.

A *run* is a class's participants from ``offset`` (0-based, in the class's codes ordered by
number) taking ``count`` places in one room. Capacity: a room holds at most ``seats``
participants of the work, of whom at most ``computers`` write it in the computer form; a room
without computers takes no computer-form class.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from apps.schoolday.messages import SchoolDayError, SchoolDayInvalidError


@dataclass(frozen=True)
class RoomSpec:
    """An active room of the school: its places for participants and its computers."""

    id: int
    name: str
    seats: int
    computers: int = 0


@dataclass(frozen=True)
class ClassSpec:
    """A class writing the work that day (``id``: its ``ClassWork``), with its participants."""

    id: int
    label: str
    participants: int
    computer: bool = False


@dataclass(frozen=True)
class Run:
    """A run of a class's participants in a room (``offset`` in the class's code order)."""

    class_work_id: int
    room_id: int
    offset: int
    count: int


@dataclass(frozen=True)
class Move:
    """One line of a placement as the school sends it: so many participants of a class in a
    room. The offsets follow the order of a class's lines (its codes fill them in turn)."""

    class_work_id: int
    room_id: int
    count: int


@dataclass(frozen=True)
class Problem:
    """Why a placement is refused: the class and/or room concerned and the Russian text."""

    message: str
    class_work_id: int | None = None
    room_id: int | None = None

    def as_detail(self) -> dict[str, object]:
        detail: dict[str, object] = {"message": self.message}
        if self.class_work_id is not None:
            detail["class_work"] = self.class_work_id
        if self.room_id is not None:
            detail["room"] = self.room_id
        return detail


def natural_key(name: str) -> tuple[object, ...]:
    """«Кабинет 2» before «Кабинет 10»: digits compare as numbers."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", name)
        if part
    )


def room_order(rooms: Sequence[RoomSpec]) -> list[RoomSpec]:
    return sorted(rooms, key=lambda r: (natural_key(r.name), r.id))


def _capacity(room: RoomSpec, computer: bool, used: dict[int, int], used_pc: dict[int, int]) -> int:
    free = room.seats - used[room.id]
    if computer:
        return max(0, min(free, room.computers - used_pc[room.id]))
    return max(0, free)


def propose(rooms: Sequence[RoomSpec], classes: Sequence[ClassSpec]) -> list[Run]:
    """The automatic placement of a work day.

    Computer-form classes first (they fit fewer rooms), then the larger classes first. A class
    goes whole into the room it fills best (least left over, then room order); a class that fits
    no single room is split: the largest rooms take it until the rest fits one room, which is
    again the best-filled one; its codes run through those rooms in room order. Raises
    ``SchoolDayError("class_no_room")`` when a class cannot be seated at all (nothing is saved).
    """
    ordered = room_order(rooms)
    index = {r.id: i for i, r in enumerate(ordered)}
    used = {r.id: 0 for r in ordered}
    used_pc = {r.id: 0 for r in ordered}
    position = {c.id: i for i, c in enumerate(classes)}
    queue = sorted(classes, key=lambda c: (not c.computer, -c.participants, position[c.id]))
    runs: list[Run] = []
    for spec in queue:
        need = spec.participants
        if need <= 0:
            continue
        caps = {r.id: _capacity(r, spec.computer, used, used_pc) for r in ordered}
        eligible = [r for r in ordered if caps[r.id] > 0]
        free = sum(caps[r.id] for r in eligible)
        if free < need:
            raise SchoolDayError(
                "class_no_room",
                label=spec.label,
                kind=" в аудиториях с компьютерами" if spec.computer else "",
                need=need,
                free=free,
            )
        chosen: list[tuple[RoomSpec, int]] = []
        left = need
        pool = list(eligible)
        while left > 0:
            fitting = [r for r in pool if caps[r.id] >= left]
            if fitting:
                best = min(fitting, key=lambda r: (caps[r.id] - left, index[r.id]))
                chosen.append((best, left))
                left = 0
            else:
                largest = min(pool, key=lambda r: (-caps[r.id], index[r.id]))
                chosen.append((largest, caps[largest.id]))
                left -= caps[largest.id]
                pool.remove(largest)
        offset = 0
        for room, count in sorted(chosen, key=lambda rc: index[rc[0].id]):
            runs.append(Run(spec.id, room.id, offset, count))
            used[room.id] += count
            if spec.computer:
                used_pc[room.id] += count
            offset += count
    return sorted(runs, key=lambda r: (position[r.class_work_id], r.offset))


def runs_from_moves(moves: Sequence[Move]) -> list[Run]:
    """Offsets for the school's lines: each class's codes fill its lines in the order given;
    lines of no participants are dropped."""
    offsets: dict[int, int] = {}
    runs = []
    for move in moves:
        if move.count == 0:
            continue
        start = offsets.get(move.class_work_id, 0)
        runs.append(Run(move.class_work_id, move.room_id, start, move.count))
        offsets[move.class_work_id] = start + move.count
    return runs


def check(
    rooms: Sequence[RoomSpec], classes: Sequence[ClassSpec], runs: Sequence[Run]
) -> list[Problem]:
    """Every problem of a placement: unknown classes or rooms, a class twice in one room, a
    class whose places do not add up to its participants (or whose runs do not cover its codes
    once each), a room over its seats or computers, a computer-form class in a room without
    computers. Empty when the placement may be saved."""
    by_room = {r.id: r for r in rooms}
    by_class = {c.id: c for c in classes}
    problems: list[Problem] = []
    seen: set[tuple[int, int]] = set()
    placed = {c.id: 0 for c in classes}
    spans: dict[int, list[tuple[int, int]]] = {c.id: [] for c in classes}
    in_room = {r.id: 0 for r in rooms}
    pc_in_room = {r.id: 0 for r in rooms}
    for run in runs:
        spec = by_class.get(run.class_work_id)
        room = by_room.get(run.room_id)
        if spec is None:
            problems.append(
                Problem(
                    f"класс (работа класса id {run.class_work_id}) не пишет эту работу в этот день",
                    class_work_id=run.class_work_id,
                )
            )
            continue
        if room is None:
            problems.append(
                Problem(
                    f"класс {spec.label}: аудитории (id {run.room_id}) нет среди действующих "
                    "аудиторий ОО",
                    class_work_id=spec.id,
                    room_id=run.room_id,
                )
            )
            continue
        if run.count < 1 or run.offset < 0:
            problems.append(
                Problem(
                    f"класс {spec.label}, аудитория «{room.name}»: число участников — целое "
                    f"число от 1; указано {run.count}",
                    class_work_id=spec.id,
                    room_id=room.id,
                )
            )
            continue
        if (spec.id, room.id) in seen:
            problems.append(
                Problem(
                    f"класс {spec.label} указан в аудитории «{room.name}» дважды",
                    class_work_id=spec.id,
                    room_id=room.id,
                )
            )
            continue
        seen.add((spec.id, room.id))
        if spec.computer and room.computers == 0:
            problems.append(
                Problem(
                    f"класс {spec.label} пишет работу в компьютерной форме, а в аудитории "
                    f"«{room.name}» нет компьютеров",
                    class_work_id=spec.id,
                    room_id=room.id,
                )
            )
        placed[spec.id] += run.count
        spans[spec.id].append((run.offset, run.count))
        in_room[room.id] += run.count
        if spec.computer:
            pc_in_room[room.id] += run.count
    for spec in classes:
        if placed[spec.id] != spec.participants:
            problems.append(
                Problem(
                    f"класс {spec.label}: рассажено {placed[spec.id]} участников из "
                    f"{spec.participants}",
                    class_work_id=spec.id,
                )
            )
            continue
        covered = 0
        for offset, count in sorted(spans[spec.id]):
            if offset != covered:
                problems.append(
                    Problem(
                        f"класс {spec.label}: части класса должны идти подряд по кодам "
                        "участников, без пропусков и повторов",
                        class_work_id=spec.id,
                    )
                )
                break
            covered += count
    for room in room_order(rooms):
        if in_room[room.id] > room.seats:
            problems.append(
                Problem(
                    f"аудитория «{room.name}»: {in_room[room.id]} участников при "
                    f"{room.seats} местах",
                    room_id=room.id,
                )
            )
        if room.computers and pc_in_room[room.id] > room.computers:
            problems.append(
                Problem(
                    f"аудитория «{room.name}»: {pc_in_room[room.id]} участников компьютерной "
                    f"формы при {room.computers} компьютерах",
                    room_id=room.id,
                )
            )
    return problems


def raise_problems(problems: Sequence[Problem], code: str = "placement_invalid") -> None:
    """Refuse with every problem named (400); nothing has been written."""
    if problems:
        raise SchoolDayInvalidError(
            code,
            details=[p.as_detail() for p in problems],
            problems="; ".join(p.message for p in problems) + ".",
        )


DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


def parse_date(raw: str | None) -> dt.date | None:
    """A day as ``ДД.ММ.ГГГГ`` or ISO; None when empty; 400 with a Russian text when malformed."""
    value = (raw or "").strip()
    if not value:
        return None
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 (a plain day)
        except ValueError:
            continue
    raise SchoolDayInvalidError("date_invalid", value=value[:40])
