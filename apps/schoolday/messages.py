"""Russian texts of the school day app's error codes and its error family."""

from __future__ import annotations

from datetime import datetime

from apps.core.errors import ConflictError, InvalidError
from apps.core.instants import format_instant

MESSAGES: dict[str, str] = {
    # rooms and the adults of the day (apps/schoolday/rooms/)
    "room_name_taken": "Аудитория «{name}» уже есть в списке ОО.",
    "room_name_required": "Укажите название аудитории, например «Кабинет 12».",
    "room_seats_out_of_range": "Мест для участников в аудитории — от 1 до {max}; указано {seats}.",
    "room_computers_out_of_range": (
        "Компьютеров для участников — от 0 до {max}; указано {computers}."
    ),
    "room_computers_over_seats": (
        "Аудитория «{name}»: компьютеров ({computers}) больше, чем мест ({seats})."
    ),
    "room_below_placed": (
        "Аудитория «{name}»: в рассадке на {date} («{work}») в ней {placed} участников "
        "({kind}); меньше сделать нельзя — сначала измените рассадку."
    ),
    "room_in_use": (
        "Аудитория «{name}» занята в рассадке на {date} («{work}»); сначала пересадите "
        "участников в другие аудитории."
    ),
    "person_duty_unknown": "Неизвестная роль участника дня проведения: «{duty}».",
    "person_name_required": "Укажите фамилию, имя и отчество участника дня проведения.",
    "person_expert_subjects": "Укажите хотя бы один предмет, который проверяет эксперт.",
    "person_subject_unknown": "Неизвестный предмет (id {subject}).",
    "person_class_unknown": "Класс (id {school_class}) не найден в реестре ОО.",
    "person_in_use": (
        "{name} назначен(а) {role} на {date} («{work}», аудитория «{room}»); сначала "
        "назначьте другого человека."
    ),
    # experts' own accounts (apps/schoolday/accounts/)
    "expert_account_not_expert": (
        "{name} — не эксперт по проверке работ: доступ к порталу выдаётся только экспертам."
    ),
    "expert_account_exists": (
        "У эксперта {name} уже есть доступ (логин {login}); чтобы выдать новый пароль, "
        "нажмите «Новый пароль»."
    ),
    "expert_account_missing": "У эксперта {name} нет доступа к порталу: сначала выдайте его.",
    "expert_account_login_taken": (
        "Логин {login} уже занят другой учётной записью; обратитесь в службу поддержки."
    ),
    # the placement of a work day (apps/schoolday/placement/)
    "date_required": "Укажите день проведения (ДД.ММ.ГГГГ).",
    "date_invalid": "День проведения «{value}» не распознан: укажите его как ДД.ММ.ГГГГ.",
    "day_no_classes": "Ни один класс ОО не пишет работу «{work}» {date}.",
    "day_over": (
        "День проведения {date} уже закончился в часовом поясе ОО: рассадку, организаторов "
        "и наблюдателей этого дня изменить нельзя."
    ),
    "no_rooms": "В списке ОО нет ни одной аудитории: сначала добавьте аудитории.",
    "class_no_room": (
        "Класс {label}: не хватает мест{kind} — нужно {need}, свободно {free}. "
        "Добавьте аудиторию или распределите участников вручную."
    ),
    "placement_invalid": "Рассадка не сохранена: {problems}",
    "staff_invalid": "Организаторы и наблюдатели не сохранены: {problems}",
    # print planner and delivery packets (apps/schoolday/packets/)
    "packet_day_required": "Укажите работу и день проведения (ДД.ММ.ГГГГ).",
    "packet_no_rooms": (
        "На {date} по работе «{work}» ни один участник не распределён по аудиториям: "
        "сначала составьте рассадку."
    ),
    "packet_codes_missing": (
        "Не хватает кодов участников для классов: {classes}. Коды выдаются по заявке ОО; "
        "пакеты соберутся, когда коды будут выданы."
    ),
    "packet_not_built": "Доставочный пакет ещё не собран: нажмите «Собрать пакеты» и подождите.",
    "packet_stale": (
        "Рассадка, организатор или коды аудитории изменились после сборки пакета: "
        "соберите пакеты заново."
    ),
    "packet_not_released": (
        "{what}: откроется {at} — вместе с листом кодов участников и протоколом."
    ),
    "packet_not_released_no_date": (
        "{what}: дата проведения работы в ОО не выбрана — время открытия не назначено."
    ),
    # checking of the works by the school's experts (apps/schoolday/checking/)
    "checking_class_no_expert": (
        "Работы класса {label} некому проверить: {reason}. Эксперт не проверяет работы "
        "класса, в котором преподаёт; добавьте в список ОО эксперта по предмету «{subject}». "
        "Ничего не распределено."
    ),
    "checking_over": (
        "Проверка работы «{work}» в ОО закончилась: последний день проверки — {date} "
        "(время ОО, {zone}). Распределять работы экспертам больше нельзя."
    ),
    "checking_class_over": (
        "Код {code} (класс {label}): проверка закончилась — последний день проверки {date} "
        "(время ОО, {zone})."
    ),
    "checking_codes_required": "Выберите хотя бы один код участника.",
    "checking_expert_unknown": "Эксперт (id {expert}) не найден в списке ОО.",
    "checking_not_expert": "{name} — {role}, а не эксперт по проверке.",
    "checking_expert_inactive": "{name} больше не участвует в дне проведения ОО.",
    "checking_expert_subject": "{name} не проверяет предмет «{subject}».",
    "checking_own_class": (
        "Код {code} (класс {label}): {name} преподаёт в {label}, а эксперт не проверяет "
        "работы класса, в котором преподаёт."
    ),
    "checking_code_unknown": "Код {code} не относится к классам ОО, которые пишут работу «{work}».",
    "checking_code_scored": (
        "Код {code}: баллы уже внесены — передать работу другому эксперту или снять её нельзя."
    ),
    "checking_invalid": "Работы не распределены: {problems}",
    # the record of the day (apps/schoolday/record/)
    "record_before_day": (
        "Аудитория «{room}»: запись о дне ведётся в день проведения {date}; она откроется "
        "{opens}. Сейчас в ОО {today} {zone}."
    ),
    "record_day_over": (
        "Аудитория «{room}»: день проведения {date} уже закончился в часовом поясе ОО "
        "{zone}; запись о дне больше не меняется."
    ),
    "record_no_participants": (
        "Аудитория «{room}»: в рассадке на {date} в ней нет участников — выдавать нечего."
    ),
    "record_already_handed_out": "Аудитория «{room}»: выдача материалов уже подтверждена {at}.",
    "record_not_handed_out": (
        "Аудитория «{room}»: сначала подтвердите, что материалы выданы, затем — возврат."
    ),
    "record_count_required": (
        "Аудитория «{room}»: укажите число использованных и неиспользованных комплектов "
        "(целые числа от 0)."
    ),
    "record_counts_mismatch": (
        "Аудитория «{room}»: использованных ({used}) и неиспользованных ({unused}) комплектов "
        "вместе {total}, а в пакете аудитории {kits} (по числу участников в рассадке). "
        "Пересчитайте комплекты."
    ),
    "record_not_sealed": (
        "Аудитория «{room}»: подтвердите, что возвратные пакеты (ВДП №1 и №2) запечатаны."
    ),
    "record_note_too_long": "Замечания — не длиннее {max} символов; сейчас {length}.",
}


class SchoolDayError(ConflictError):
    messages = MESSAGES


class SchoolDayInvalidError(InvalidError):
    messages = MESSAGES


class PacketNotReleasedError(ConflictError):
    """A delivery packet asked for before its release instant (the materials' code sheet and
    protocol instant); ``available_from`` is None while the school has no day."""

    messages = MESSAGES

    def __init__(self, what: str, available_from: datetime | None, place: object = None) -> None:
        if available_from is None:
            super().__init__(
                "packet_not_released_no_date", context={"available_from": None}, what=what
            )
        else:
            super().__init__(
                "packet_not_released",
                context={"available_from": available_from.isoformat()},
                what=what,
                at=format_instant(available_from, place),
            )
        self.available_from = available_from
