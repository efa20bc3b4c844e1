"""Fixed texts of the ФИС ОКО results form (2026 layout). The form's words are data the school
sees, so they are Russian; everything else here is English."""

from __future__ import annotations

SHEET_PROTOCOL = "Протокол"
SHEET_SERVICE = "Служебный"
SHEET_CLASSES = "Порядковый номер класса"
SHEETS = (SHEET_PROTOCOL, SHEET_SERVICE, SHEET_CLASSES)

HEAD_CODE = "Код участника"
HEAD_VARIANT = "Вариант"
HEAD_CLASS = "Порядковый номер класса"
HEAD_MARK = "Отметка за предыдущий триместр/ четверть/полугодие"
HEAD_TOTAL = "Итого баллов"
# The class sheet of a school with a class register: number, label («4А»), pupils.
HEAD_CLASS_LABEL = "Класс"
HEAD_CLASS_PUPILS = "Обучающихся"

ABSENT = "отсутствовал"
NO_MARK = "нет отметки"
NOT_ATTEMPTED = "X"
# A score cell may say X in Latin or Cyrillic, either case.
NOT_ATTEMPTED_SPELLINGS = frozenset({"X", "x", "Х", "х"})
MARKS = (5, 4, 3, 2)
CLASS_MIN, CLASS_MAX = 1, 50
CODE_LENGTH = 5

# When no participant codes are issued yet the form still has this many formatted rows.
DEFAULT_BLANK_ROWS = 30
# A school grade has at most 9999 codes; anything longer is not a results form.
MAX_DATA_ROWS = 10_000
# How far any sheet of an uploaded form may reach (core.uploads.SheetLimits): twice the rows a
# form can hold, and far more columns than a work has tasks. Beyond it the file is refused
# before it is parsed (a sheet with a cell in XFD1048576 is a memory bomb).
MAX_SHEET_ROWS = 2 * MAX_DATA_ROWS
MAX_SHEET_COLUMNS = 200
# Errors beyond this are summarised in one line (a wholly wrong file would list thousands).
MAX_ERRORS = 300

# The service sheet's meta block (column H onwards): how a form names its school and work.
META_SCHOOL = "Код ОО"
META_WORK = "Работа"
META_WORK_KEY = "Ключ работы"

# Background job kinds.
RESULTS_REMIND = "results_remind"  # one reminder click: e-mails to the schools still missing
# One per accepted version: recompute the school's statistics and analytics (the sweep re-sends
# it when the broker was down at upload time).
RESULTS_STATS = "results_stats"
