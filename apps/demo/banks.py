"""The demo item banks: hand-written for «Русский язык, 4 класс» (the 15 columns of the 2026
form), generated for every other demo work (``generated_rows``: per-subject generators, four
items per column, math answers computed in code).

The texts live in data files: ``data/banks/russian4.json`` holds the Russian 4 items per column
(four, five for a few; with the markup the bank supports: paragraphs, bold/italic, numbered
lists and tables), ``data/banks/pools.json`` the text pools the generators draw from. Synthetic
texts written for the demo; not real ВПР items. ``load_demo_bank`` imports a work's bank through
the ordinary bank import (validated, audited).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from apps.demo.data import load
from apps.materials.bank import ItemRow, write_bank_json

if TYPE_CHECKING:
    from apps.campaigns.models import Work
    from apps.materials.services import BankImportResult
    from apps.registration.access import Actor

RUSSIAN4 = "banks/russian4.json"
POOLS = "banks/pools.json"


def demo_rows() -> list[ItemRow]:
    """The hand-written Русский язык 4 класс bank, codes ``RU4-<column>-<n>``."""
    rows = []
    columns: dict[str, Any] = load(RUSSIAN4)
    for label, column in columns.items():
        slug = label.replace(".", "-")
        for n, item in enumerate(column["items"], start=1):
            rows.append(
                ItemRow(
                    code=f"RU4-{slug}-{n:02d}",
                    column=label,
                    text=item["text"],
                    answer=item["answer"],
                    difficulty=min(item["difficulty"], 5),
                    topic=column["topic"],
                    where="",
                )
            )
    return rows


def work_demo_rows(work: Work) -> list[ItemRow]:
    """The demo bank of ``work``: the hand-written one for Русский язык 4 класс, else generated."""
    if (work.subject.code, work.grade) == ("russian", 4):
        return demo_rows()
    columns = [
        Column(i, c.label, c.max_score, c.difficulty, c.topic)
        for i, c in enumerate(work.columns.order_by("position"))
    ]
    return generated_rows(work.subject.code, work.grade, columns)


def demo_bank_json(work: Work) -> bytes:
    from apps.materials.services import work_key

    return write_bank_json(work=work_key(work), rows=work_demo_rows(work))


def load_demo_bank(*, actor: Actor, work: Work) -> BankImportResult:
    """Import the demo bank of ``work`` (any demo work with task columns) as ``actor``."""
    from apps.materials.services import bank_import

    return bank_import(
        actor=actor, work_id=work.pk, content=demo_bank_json(work), filename="demo.json"
    )


# --- Generated banks for the other demo works -----------------------------------------------
# Every other demo work gets four items per column from a compact deterministic generator of
# its subject: the same database always yields the same bank (so reseeding changes nothing).

_PREFIX = {
    "russian": "RU",
    "math": "MA",
    "world": "OM",
    "history": "IS",
    "biology": "BI",
    "english": "EN",
}
ITEMS_PER_COLUMN = 4

Pair = tuple[str, str]


@dataclass(frozen=True)
class Column:
    index: int
    label: str
    maximum: int
    level: str  # Б, П, В
    topic: str


@dataclass(frozen=True)
class _Pools:
    """The generators' text pools, as read from ``data/banks/pools.json``."""

    ru_missing: tuple[Pair, ...]  # (words with gaps, answer)
    ru_punct: tuple[Pair, ...]  # (sentence without commas, answer)
    ru_morph: tuple[Pair, ...]  # (word, morphemes)
    ru_dictation: tuple[str, ...]
    facts: dict[str, dict[int, tuple[Pair, ...]]]  # subject → grade (0 = any) → (question, answer)
    fact_forms: tuple[Pair, ...]  # (task, answer) templates with {q}, {a} and {c} (criteria)
    en_grammar: tuple[Pair, ...]  # (sentence with a gap, answer)
    en_reading: tuple[tuple[str, str, str], ...]  # (text, question, answer)


def _pairs(entries: list[dict[str, str]], first: str, second: str) -> tuple[Pair, ...]:
    return tuple((e[first], e[second]) for e in entries)


@cache
def _pools() -> _Pools:
    data: dict[str, Any] = load(POOLS)
    russian, english = data["russian"], data["english"]
    return _Pools(
        ru_missing=_pairs(russian["missing"], "words", "answer"),
        ru_punct=_pairs(russian["punctuation"], "sentence", "answer"),
        ru_morph=_pairs(russian["morphemes"], "word", "answer"),
        ru_dictation=tuple(russian["dictations"]),
        facts={
            subject: {
                int(grade): _pairs(pool, "question", "answer") for grade, pool in by_grade.items()
            }
            for subject, by_grade in data["facts"].items()
        },
        fact_forms=_pairs(data["fact_forms"], "task", "answer"),
        en_grammar=_pairs(english["grammar"], "sentence", "answer"),
        en_reading=tuple((e["text"], e["question"], e["answer"]) for e in english["reading"]),
    )


def _difficulty(level: str, n: int) -> int:
    """Базовый 1–2, повышенный 3–4, высокий 4–5."""
    return {"Б": 1, "П": 3, "В": 4}.get(level, 2) + n % 2


def _points(n: int) -> str:
    return f"{n} балл" if n == 1 else f"{n} балла" if n < 5 else f"{n} баллов"


def _criteria(maximum: int) -> str:
    if maximum == 1:
        return "Верный ответ — 1 балл."
    return f"Полный верный ответ — **{_points(maximum)}**; ответ с одной ошибкой — 1 балл."


def _math(grade: int, col: Column, n: int) -> tuple[str, str]:
    rng = random.Random(f"math-{grade}-{col.label}-{n}")
    big = 10 ** min(2 + grade // 3, 4)  # grade 4: 100 … grade 10: 10 000
    kind = col.index % 6 if col.level == "Б" else 6 + col.index % 3
    if kind == 0:
        a, b = rng.randrange(big, big * 10), rng.randrange(big, big * 10)
        c = rng.randrange(1, a + b)
        return f"Найди значение выражения:\n\n**{a} + {b} − {c}**", f"Ответ: {a + b - c}."
    if kind == 1:
        a, b = rng.randrange(12, 99), rng.randrange(3, 9 + grade)
        c = rng.randrange(2, 9)
        return (
            f"Найди значение выражения:\n\n**{a * b * c} : {c} − {a}**",
            f"Ответ: {a * b - a}.",
        )
    if kind == 2:
        a, b = rng.randrange(3, 20), rng.randrange(3, 20)
        return (
            f"Длина прямоугольника {a} см, ширина {b} см. Найди его периметр и площадь.",
            f"Ответ: периметр {2 * (a + b)} см, площадь {a * b} см².",
        )
    if kind == 3 and grade >= 8:
        p, q = rng.randrange(-9, 0), rng.randrange(1, 10)
        q += q == -p  # no zero middle term
        b, c = -(p + q), p * q
        return (
            f"Найди корни уравнения:\n\n**x² {'+' if b >= 0 else '−'} {abs(b)}x − {abs(c)} = 0**",
            f"Ответ: x = {p}; x = {q}.",
        )
    if kind == 3:
        h, m = rng.randrange(1, 6), rng.randrange(5, 60, 5)
        return f"Сколько минут в {h} ч {m} мин?", f"Ответ: {h * 60 + m} мин."
    if kind == 4:
        price, count = rng.randrange(12, 90), rng.randrange(3, 9)
        return (
            f"Тетрадь стоит {price} руб. Сколько рублей стоят {count} таких тетрадей?",
            f"Ответ: {price * count} руб.",
        )
    if kind == 5:
        v, t = rng.randrange(4, 20), rng.randrange(2, 6)
        return (
            f"Велосипедист едет со скоростью {v} км/ч. Какое расстояние он проедет за {t} ч?",
            f"Ответ: {v * t} км.",
        )
    if kind == 6 and grade >= 6:
        a, x, b = (
            rng.randrange(2, 9),
            rng.randrange(-9 if grade >= 7 else 1, 15),
            rng.randrange(1, 30),
        )
        return f"Реши уравнение:\n\n**{a}x + {b} = {a * x + b}**", f"Ответ: x = {x}."
    if kind in (6, 7) and grade < 6:
        a, b = rng.randrange(20, 60), rng.randrange(10, 40)
        x, y = rng.randrange(2, 5), rng.randrange(2, 5)  # «2–4 пачки», «2–4 пакета»
        paid = (a * x + b * y) // 100 * 100 + 100 * rng.randrange(1, 4)
        return (
            f"Мама купила {x} пачки печенья по {a} руб. и {y} пакета сока по {b} руб. Она "
            f"заплатила {paid} руб. Сколько рублей сдачи она получила?",
            f"Ответ: {paid - a * x - b * y} руб. "
            f"Решение записано полностью — {_points(col.maximum)}.",
        )
    if kind in (6, 7):
        p, unit = rng.choice((10, 20, 25, 50)), rng.randrange(2, 30)
        whole = unit * 20
        return (
            f"В магазин привезли {whole} кг яблок. В первый день продали {p} % яблок. "
            "Сколько килограммов яблок продали в первый день?",
            f"Ответ: {whole * p // 100} кг. Решение записано полностью — {_points(col.maximum)}.",
        )
    total = rng.randrange(25, 36)
    a, b = rng.randrange(8, 16), rng.randrange(6, 14)
    both = rng.randrange(2, 6)
    return (
        f"В классе {total} учеников. {a} из них занимаются плаванием, {b} — футболом, "
        f"а {both} — и плаванием, и футболом. Сколько учеников не занимаются ни плаванием, "
        "ни футболом?",
        f"Ответ: {total - (a + b - both)}. Обоснованное решение — {_points(col.maximum)}.",
    )


def _russian(grade: int, col: Column, n: int) -> tuple[str, str]:
    pools = _pools()
    k = (n + col.index + grade) % 6
    if col.label.startswith("1К"):
        text = pools.ru_dictation[n % len(pools.ru_dictation)]
        return (
            f"Спиши текст без ошибок, соблюдая орфографические и пунктуационные нормы.\n\n*{text}*",
            f"Критерий {col.label}: оценивается по {col.maximum}-балльной шкале "
            "(орфография, пунктуация, правильность списывания).",
        )
    kind = col.index % 3
    if kind == 0:
        words, answer = pools.ru_missing[k]
        return (
            f"Вставь пропущенные буквы: **{words}**.",
            f"Ответ: {answer}. {_criteria(col.maximum)}",
        )
    if kind == 1:
        sentence, answer = pools.ru_punct[k]
        return (
            f"Расставь знаки препинания в предложении и объясни их постановку.\n\n*{sentence}*",
            f"Ответ: {answer} {_criteria(col.maximum)}",
        )
    word, answer = pools.ru_morph[k]
    return (
        f"Выполни морфемный разбор слова **{word}**.",
        f"Ответ: {answer}. {_criteria(col.maximum)}",
    )


def _facts(subject: str, grade: int, col: Column, n: int) -> tuple[str, str]:
    pools = _pools()
    pool = pools.facts[subject].get(grade) or pools.facts[subject][0]
    q, a = pool[(n + col.index) % len(pool)]
    form, answer = pools.fact_forms[col.index % len(pools.fact_forms)]
    criteria = _criteria(col.maximum)
    return form.format(q=q), answer.format(a=a, c=criteria)


def _english(grade: int, col: Column, n: int) -> tuple[str, str]:
    pools = _pools()
    k = (n + col.index) % 4
    if col.index % 2:
        sentence, answer = pools.en_grammar[(k + grade) % len(pools.en_grammar)]
        return (
            f"Раскрой скобки, поставив глагол или прилагательное в нужную форму.\n\n*{sentence}*",
            f"Ответ: {answer}. {_criteria(col.maximum)}",
        )
    text, question, answer = pools.en_reading[k]
    return (
        f"Прочитай текст и ответь на вопрос на английском языке.\n\n*{text}*\n\n{question}",
        f"Ответ: {answer}. {_criteria(col.maximum)}",
    )


def generated_rows(subject: str, grade: int, columns: Sequence[Column]) -> list[ItemRow]:
    """``ITEMS_PER_COLUMN`` items per column of a work (not Русский язык 4 класс)."""
    prefix = _PREFIX.get(subject, subject[:2].upper())
    rows = []
    for col in columns:
        slug = col.label.replace(".", "-")
        for n in range(ITEMS_PER_COLUMN):
            if subject == "math":
                text, answer = _math(grade, col, n)
            elif subject == "russian":
                text, answer = _russian(grade, col, n)
            elif subject == "english":
                text, answer = _english(grade, col, n)
            else:
                text, answer = _facts(subject, grade, col, n)
            rows.append(
                ItemRow(
                    code=f"{prefix}{grade}-{slug}-{n + 1:02d}",
                    column=col.label,
                    text=text,
                    answer=answer,
                    difficulty=_difficulty(col.level, n),
                    topic=col.topic,
                    where="",
                )
            )
    return rows
