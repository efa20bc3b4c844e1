"""Russian texts of the classes app's error codes and its error family."""

from __future__ import annotations

from apps.core.errors import ConflictError, InvalidError

MESSAGES: dict[str, str] = {
    "grade_not_in_campaign": "{grade} класс не участвует в {campaign}.",
    "letter_taken": "Класс {label} уже есть в реестре.",
    "number_taken": "Порядковый номер {number} уже занят классом {label} этой параллели.",
    "ovz_over_pupils": "Обучающихся с ОВЗ ({ovz}) больше, чем обучающихся в классе ({pupils}).",
    "register_locked": (
        "Класс {label} уже пишет работы с назначенными датами; его нельзя убрать из реестра. "
        "Обратитесь к координатору."
    ),
    # the class register (apps/classes/register/)
    "letter_invalid": (
        "Литера класса — от 1 до 8 букв или цифр, например «А» или «1»; указано «{letter}»."
    ),
    "number_out_of_range": "Порядковый номер класса — целое число от 1 до {max}; указано {number}.",
    "number_none_free": "В {grade} классах ОО заняты все порядковые номера от 1 до {max}.",
    "pupils_out_of_range": "Обучающихся в классе — от 1 до {max}; указано {pupils}.",
    "ovz_out_of_range": "Обучающихся с ОВЗ не может быть меньше 0; указано {ovz}.",
    "campaign_not_current": (
        "{campaign} не является текущей кампанией: реестр классов по ней не меняется."
    ),
    "no_campaign": "Нет текущей кампании: реестр классов вести пока негде.",
    "registers_refused": (
        "Реестры классов не записаны, ошибок: {count}. Первая — ОО {school}: {first}"
    ),
    "grade_locked": (
        "Класс {label} уже пишет работы с назначенными датами; его параллель изменить нельзя."
    ),
    "assignment_published": "Распределение уже опубликовано; запустить его заново нельзя.",
    "assignment_no_classes": "В реестрах ОО нет ни одного класса участвующих параллелей.",
    "assignment_pool_small": (
        "{grade} класс: предметов по распределению — {pool}, а каждому классу нужно {count}."
    ),
    "assignment_not_published": "Распределение ещё не опубликовано для ОО.",
    "publish_on_too_late": (
        "Дата публикации {publish_on} должна быть раньше начала первого периода проведения "
        "работ кампании ({first})."
    ),
    "seed_invalid": "Зерно распределения — целое число от 0 до {max}.",
    "publish_on_required": "Укажите дату публикации распределения для ОО.",
    "assignment_not_run": "Распределение по кампании ещё не выполнялось: публиковать нечего.",
    # the timetable by class (apps/classes/timetable/)
    "date_outside_period": (
        "Класс {label}: дата {date} вне периода проведения работы «{work}» ({start} — {end}). "
        "Выберите дату внутри периода или согласованный резервный день; резервный день для "
        "классов запрашивается кнопкой «Запросить резервный день»."
    ),
    "date_frozen": (
        "Класс {label}, работа «{work}»: день {date} уже наступил в часовом поясе ОО; "
        "ОО выбирает и меняет день проведения только до конца предыдущего дня."
    ),
    "form_not_allowed": "Работу «{work}» нельзя проводить в компьютерной форме.",
    "form_unknown": "Форма проведения — «бумажная» или «компьютерная»; указано «{form}».",
    "form_frozen": (
        "Класс {label}, работа «{work}»: день проведения {date} уже наступил; форму проведения "
        "изменить нельзя."
    ),
    "timetable_campaign_not_active": (
        "{campaign} не является текущей кампанией: даты и формы проведения по ней не меняются."
    ),
    "criteria_published": (
        "Класс {label}, работа «{work}»: критерии оценивания для ОО опубликованы {at}; "
        "назначить классу день проведения после их публикации нельзя."
    ),
    "bulk_no_classes": "Ни у одного класса ОО нет работы «{work}».",
    "bulk_refused": "Дата не назначена ни одному классу: {errors}",
    # reserve days per class and a coordinator's move of a class day (apps/classes/timetable/)
    "reserve_no_classes": "Отметьте классы, для которых нужен резервный день.",
    "reserve_other_work": (
        "Класс {label} не пишет работу «{work}»: резервный день запрашивается по одной работе."
    ),
    "move_reason_required": (
        "Укажите причину переноса дня проведения: она записывается в журнал действий."
    ),
    "date_in_past": "Дата {date} уже прошла (сегодня по местному времени ОО {today}).",
    "date_locked": (
        "Класс {label}: день проведения {date} работы «{work}» перенести нельзя: {released}. "
        "Если работу нужно провести заново, ОО запрашивает для класса резервный день."
    ),
    "date_target_locked": (
        "Класс {label}: назначить {date} днём проведения работы «{work}» нельзя: {released}. "
        "Выберите более поздний день."
    ),
    # participants per class and work, confirmed in the application (apps/classes/participation.py)
    "participation_invalid": "Число участников не сохранено: исправьте ошибки ({count}).",
}


class ClassesInvalidError(InvalidError):
    messages = MESSAGES


class ClassesError(ConflictError):
    messages = MESSAGES
