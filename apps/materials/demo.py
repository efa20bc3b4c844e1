"""Plausible demo banks: hand-written for «Русский язык, 4 класс» (the 15 columns of the 2026
form), generated for every other demo work (``generated_rows``: per-subject generators, four
items per column, math answers computed in code).

The Russian 4 bank has four items per column (five for a few), with the markup the bank
supports: paragraphs, bold/italic, numbered lists and tables. Synthetic texts written for the
demo; not real ВПР items. ``load_demo_bank`` imports a work's bank through the ordinary bank
import (validated, audited).

``demo_materials_seed`` (called by ``seed_demo`` after the campaigns) loads a bank into every
demo work with task columns, makes sure the demo school has a submitted application for the
current campaign (through the applications services, as the school itself), composes the
school's kits and participant codes and queues their archive builds, so its materials page shows
real rows. Idempotent.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from apps.materials.bank import ItemRow, write_bank_json

if TYPE_CHECKING:
    from apps.applications.models import Application
    from apps.campaigns.models import Work
    from apps.materials.services import BankImportResult
    from apps.registration.access import Actor

# column label → list of (text, answer, difficulty, topic)
_Item = tuple[str, str, int, str]

_DICTATION = [
    "Весной в лесу просыпаются звери. Ёжик вылез из норки и греется на солнышке.",
    "Зимой на кормушку прилетают синицы и снегири. Дети насыпают им семечки.",
    "Осенью листья на берёзах пожелтели. Ветер кружит их над дорожкой.",
    "Летом мы ходили к реке. На берегу росли камыши и жёлтые кувшинки.",
]
_MISSING = [
    ("в..сна, тр..ва, л..сной", "весна, трава, лесной"),
    ("з..мой, сн..жинка, м..роз", "зимой, снежинка, мороз"),
    ("гр..за, д..ждливый, с..довый", "гроза, дождливый, садовый"),
    ("пт..ца, х..лодный, р..чной", "птица, холодный, речной"),
]
_SENTENCES = [
    ("Маленький котёнок играл с клубком.", "котёнок играл", "котёнок — сущ., играл — глаг."),
    ("Весёлые ребята катались на санках.", "ребята катались", "ребята — сущ., катались — глаг."),
    ("Высокая сосна качала ветвями.", "сосна качала", "сосна — сущ., качала — глаг."),
    ("Старый дуб шумел листвой.", "дуб шумел", "дуб — сущ., шумел — глаг."),
    ("Тёплый дождь поливал огород.", "дождь поливал", "дождь — сущ., поливал — глаг."),
]
_STRESS = [
    ("торты, щавель, звонит, красивее", "то́рты, щаве́ль, звони́т, краси́вее"),
    ("километр, договор, кухонный, начала", "киломе́тр, догово́р, ку́хонный, начала́"),
    ("шарфы, банты, столяр, жалюзи", "ша́рфы, ба́нты, столя́р, жалюзи́"),
    ("свёкла, каталог, облегчить, позвонишь", "свёкла, катало́г, облегчи́ть, позвони́шь"),
]
_ODD = [
    ("дом, домик, домашний, дама", "дама"),
    ("лес, лесной, лесник, лестница", "лестница"),
    ("вода, водяной, водитель, подводный", "водитель"),
    ("гора, горный, горе, пригорок", "горе"),
]
_SOFT = [
    ("ночь, мяч, дочь, ключ, печь", "ночь, дочь, печь"),
    ("рожь, нож, мышь, ёрш, тишь", "рожь, мышь, тишь"),
    ("помощь, плащ, вещь, товарищ", "помощь, вещь"),
    ("мелочь, врач, речь, грач", "мелочь, речь"),
]
_CHECK = [
    ("гр..бы, з..мля, тр..пинка", "грибы — гриб, земля — земли, тропинка — тропы"),
    ("л..са, д..ревья, ст..на", "леса — лес, деревья — дерево, стена — стены"),
    ("к..ток, пл..ды, г..ра", "каток — катание, плоды — плод, гора — горы"),
    ("м..ря, з..ря, р..ка", "моря — море, заря — зори, река — реки"),
]
_TEXTS = [
    (
        "Старый пёс Барбос жил у бабушки в деревне. Каждое утро он провожал внука до школы, "
        "а вечером ждал его у калитки. Однажды мальчик задержался, и пёс сам пошёл его "
        "искать. Он нашёл мальчика у реки: тот помогал соседу чинить лодку.",
        "Верность собаки своему хозяину.",
        "1. Барбос провожает внука. 2. Пёс ждёт у калитки. 3. Поиски мальчика. 4. Встреча у реки.",
    ),
    (
        "В нашем дворе растёт старая липа. Весной на ней появляются клейкие листочки, летом "
        "она цветёт, и пчёлы гудят в её кроне. Осенью дворники сгребают её жёлтые листья, а "
        "зимой на ветках сидят снегири.",
        "Липа во дворе красива в любое время года.",
        "1. Весенняя липа. 2. Цветение летом. 3. Осенние листья. 4. Снегири зимой.",
    ),
    (
        "Маша решила вырастить цветок. Она посадила семечко в горшок, поливала его и ставила "
        "на солнечное окно. Через неделю показался росток, а через месяц распустился "
        "настоящий цветок. Маша подарила его маме.",
        "Терпение и забота приносят результат.",
        "1. Маша сажает семечко. 2. Уход за ростком. 3. Цветок распустился. 4. Подарок маме.",
    ),
    (
        "Зимой в лесу трудно найти корм. Ребята из нашего класса сделали кормушки и повесили "
        "их в парке. Каждый день они приносили туда крошки и семечки. Скоро к кормушкам "
        "стали прилетать синицы, воробьи и даже дятел.",
        "Люди должны помогать птицам зимой.",
        "1. Зимой птицам голодно. 2. Ребята делают кормушки. 3. Забота о птицах. "
        "4. Гости у кормушек.",
    ),
]
_WORDS = [
    ("калитка", "дверца в заборе, воротца"),
    ("крона", "ветви и листья дерева"),
    ("росток", "молодое растение, только что вышедшее из семени"),
    ("кормушка", "устройство, куда насыпают корм для птиц"),
]
_SYNONYMS = [
    ("смелый", "храбрый, отважный"),
    ("грустный", "печальный, унылый"),
    ("быстрый", "скорый, стремительный"),
    ("большой", "огромный, крупный"),
]
_ANTONYMS = [
    ("высокий", "низкий"),
    ("тёплый", "холодный"),
    ("весёлый", "грустный"),
    ("широкий", "узкий"),
]
_ROOTS = [
    ("подснежник, лесник, садовод", "снеж, лес, сад"),
    ("пригорок, водичка, рыбак", "гор, вод, рыб"),
    ("зимушка, подберёзовик, травинка", "зим, берёз, трав"),
    ("домик, перелесок, заморозки", "дом, лес, мороз"),
]


def _items() -> dict[str, list[_Item]]:
    bank: dict[str, list[_Item]] = {c: [] for c in _COLUMNS}
    for n, text in enumerate(_DICTATION):
        bank["1"].append(
            (
                "Спиши текст без ошибок, расставь знаки препинания.\n\n*" + text + "*",
                "Текст списан без ошибок — **2 балла**; допущено не более двух ошибок — "
                "**1 балл**; более двух ошибок — **0 баллов**.",
                2 + n % 2,
                "Списывание текста",
            )
        )
    for n, (words, answer) in enumerate(_MISSING):
        bank["2"].append(
            (
                f"Вставь пропущенные безударные гласные в корне слова: **{words}**.",
                f"Ответ: {answer}. Все гласные вставлены верно — 1 балл.",
                1 + n % 3,
                "Безударные гласные в корне",
            )
        )
    for n, (sentence, basis, _parts) in enumerate(_SENTENCES[:4]):
        bank["3"].append(
            (
                f"Найди и подчеркни грамматическую основу предложения.\n\n**{sentence}**",
                f"Основа: *{basis}*. Подлежащее и сказуемое указаны верно — 2 балла; "
                "только одно из них — 1 балл.",
                2 + n % 2,
                "Главные члены предложения",
            )
        )
    for n, (sentence, _basis, parts) in enumerate(_SENTENCES[1:]):
        bank["4"].append(
            (
                "Определи, какой частью речи является каждое слово основы. Заполни таблицу.\n\n"
                f"*{sentence}*\n\n|Слово|Часть речи|\n|---|---|\n| | |\n| | |",
                f"{parts}. Каждое верно определённое слово — 1 балл; за полностью "
                "верную таблицу — 3 балла.",
                3 + n % 3,
                "Части речи",
            )
        )
    for n, (words, answer) in enumerate(_STRESS):
        bank["5"].append(
            (
                f"Поставь знак ударения в словах: **{words}**.",
                f"Ответ: {answer}. Все ударения верно — 2 балла, одна ошибка — 1 балл.",
                2 + n % 3,
                "Орфоэпия",
            )
        )
    for n, (words, answer) in enumerate(_ODD):
        bank["6"].append(
            (
                f"Найди лишнее слово в ряду однокоренных слов и выпиши его.\n\n{words}",
                f"Ответ: {answer}.",
                2 + n % 2,
                "Однокоренные слова",
            )
        )
    for n, (words, answer) in enumerate(_SOFT):
        bank["7"].append(
            (
                f"Выпиши существительные женского рода, в которых на конце пишется *ь*:\n\n{words}",
                f"Ответ: {answer}.",
                2 + n % 3,
                "Мягкий знак после шипящих",
            )
        )
    for n, (words, answer) in enumerate(_CHECK):
        bank["8"].append(
            (
                "Вставь пропущенные буквы и подбери к каждому слову проверочное слово: "
                f"**{words}**.",
                f"Ответ: {answer}. Все слова верно — 2 балла, одна ошибка — 1 балл.",
                2 + n % 2,
                "Проверка безударных гласных",
            )
        )
    for n, (text, idea, plan) in enumerate(_TEXTS):
        bank["9.1"].append(
            (
                f"Прочитай текст.\n\n{text}\n\nОпредели и запиши основную мысль текста.",
                f"Основная мысль: *{idea}* Допускается иная формулировка, близкая по смыслу.",
                3 + n % 2,
                "Основная мысль текста",
            )
        )
        bank["9.2"].append(
            (
                f"Прочитай текст.\n\n{text}\n\nСоставь план текста из четырёх пунктов.",
                f"Примерный план: {plan} План отражает содержание — 2 балла; частично — 1 балл.",
                4 + n % 2,
                "План текста",
            )
        )
    for n, (word, meaning) in enumerate(_WORDS):
        bank["10.1"].append(
            (
                f"Как ты понимаешь значение слова **{word}**? Запиши толкование.",
                f"Ответ: {meaning}.",
                2 + n % 3,
                "Лексическое значение слова",
            )
        )
    for n, (word, answer) in enumerate(_SYNONYMS):
        bank["10.2"].append(
            (
                f"Подбери к слову **{word}** два синонима и составь с одним из них предложение.",
                f"Синонимы: {answer}. Синонимы и предложение верны — 2 балла; только синонимы — "
                "1 балл.",
                3 + n % 2,
                "Синонимы",
            )
        )
    for n, (word, answer) in enumerate(_ANTONYMS):
        bank["11"].append(
            (f"Подбери антоним к слову *{word}*.", f"Ответ: {answer}.", 1 + n % 2, "Антонимы")
        )
    for n, (words, answer) in enumerate(_ROOTS):
        bank["12.1"].append(
            (
                "Выдели корень в словах:\n\n"
                + "\n".join(f"{i}. {w.strip()}" for i, w in enumerate(words.split(","), start=1)),
                f"Корни: {answer}. Все верно — 2 балла, одна ошибка — 1 балл.",
                3 + n % 2,
                "Состав слова",
            )
        )
    for n, (sentence, _basis, _parts) in enumerate(_SENTENCES[:4]):
        bank["12.2"].append(
            (
                "Замени в предложении одно слово синонимом и запиши новое предложение."
                f"\n\n*{sentence}*",
                "Предложение записано верно, смысл сохранён — 1 балл.",
                2 + n % 3,
                "Работа с предложением",
            )
        )
    return bank


_COLUMNS = (
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9.1",
    "9.2",
    "10.1",
    "10.2",
    "11",
    "12.1",
    "12.2",
)


def demo_rows() -> list[ItemRow]:
    rows = []
    for label, items in _items().items():
        slug = label.replace(".", "-")
        for n, (text, answer, difficulty, topic) in enumerate(items, start=1):
            rows.append(
                ItemRow(
                    code=f"RU4-{slug}-{n:02d}",
                    column=label,
                    text=text,
                    answer=answer,
                    difficulty=min(difficulty, 5),
                    topic=topic,
                    where="",
                )
            )
    return rows


def work_demo_rows(work: Work) -> list[ItemRow]:
    """The demo bank of ``work``: the hand-written one for Русский язык 4 класс, else generated."""
    if (work.subject.code, work.grade) == ("russian", 4):
        return demo_rows()
    columns = [
        _Column(i, c.label, c.max_score, c.difficulty, c.topic)
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


@dataclass(frozen=True)
class _Column:
    index: int
    label: str
    maximum: int
    level: str  # Б, П, В
    topic: str


def _difficulty(level: str, n: int) -> int:
    """Базовый 1–2, повышенный 3–4, высокий 4–5."""
    return {"Б": 1, "П": 3, "В": 4}.get(level, 2) + n % 2


def _points(n: int) -> str:
    return f"{n} балл" if n == 1 else f"{n} балла" if n < 5 else f"{n} баллов"


def _criteria(maximum: int) -> str:
    if maximum == 1:
        return "Верный ответ — 1 балл."
    return f"Полный верный ответ — **{_points(maximum)}**; ответ с одной ошибкой — 1 балл."


def _math(grade: int, col: _Column, n: int) -> tuple[str, str]:
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


_RU_MISSING = [
    ("зар..сли, р..сток, р..стение", "заросли, росток, растение"),
    ("пол..жить, прил..гательное, изл..гать", "положить, прилагательное, излагать"),
    ("з..ря, з..рница, оз..рение", "заря, зарница, озарение"),
    ("пр..красный, пр..ехать, пр..бывать (в город)", "прекрасный, приехать, прибывать"),
    ("ц..фра, ц..рк, огурц..", "цифра, цирк, огурцы"),
    ("ж..лтый, ш..пот, деш..вый", "жёлтый, шёпот, дешёвый"),
]
_RU_PUNCT = [
    (
        "Солнце село и на небе зажглись первые звёзды.",
        "Солнце село, и на небе зажглись первые звёзды.",
    ),
    ("Ребята если вы готовы начнём урок.", "Ребята, если вы готовы, начнём урок."),
    ("Мы увидели что за рекой поднимается туман.", "Мы увидели, что за рекой поднимается туман."),
    ("В лесу росли ели сосны и берёзы.", "В лесу росли ели, сосны и берёзы."),
    ("Шумит освещённая солнцем дубрава.", "Знаки препинания не нужны."),
    ("Дождь к счастью скоро кончился.", "Дождь, к счастью, скоро кончился."),
]
_RU_MORPH = [
    ("подберёзовик", "под-берёз-ов-ик"),
    ("пересказать", "пере-сказ-а-ть"),
    ("заснеженный", "за-снеж-енн-ый"),
    ("безоблачный", "без-облач-н-ый"),
    ("прибрежный", "при-береж-н-ый"),
    ("расписание", "рас-пис-ани-е"),
]
_RU_DICTATION = [
    "Осенний лес притих. Под ногами шуршат листья, а в вышине кричат улетающие журавли.",
    "На рассвете над рекой поднялся туман. Рыбаки, не торопясь, спустили лодку на воду.",
    "Старинный город раскинулся на высоком берегу. Его белые стены видны издалека.",
    "Зимний вечер был тихим и морозным. Снег, освещённый фонарями, искрился и переливался.",
]


def _russian(grade: int, col: _Column, n: int) -> tuple[str, str]:
    k = (n + col.index + grade) % 6
    if col.label.startswith("1К"):
        text = _RU_DICTATION[n % len(_RU_DICTATION)]
        return (
            f"Спиши текст без ошибок, соблюдая орфографические и пунктуационные нормы.\n\n*{text}*",
            f"Критерий {col.label}: оценивается по {col.maximum}-балльной шкале "
            "(орфография, пунктуация, правильность списывания).",
        )
    kind = col.index % 3
    if kind == 0:
        words, answer = _RU_MISSING[k]
        return (
            f"Вставь пропущенные буквы: **{words}**.",
            f"Ответ: {answer}. {_criteria(col.maximum)}",
        )
    if kind == 1:
        sentence, answer = _RU_PUNCT[k]
        return (
            f"Расставь знаки препинания в предложении и объясни их постановку.\n\n*{sentence}*",
            f"Ответ: {answer} {_criteria(col.maximum)}",
        )
    word, answer = _RU_MORPH[k]
    return (
        f"Выполни морфемный разбор слова **{word}**.",
        f"Ответ: {answer}. {_criteria(col.maximum)}",
    )


# subject → grade (0 = any) → (question, answer)
_FACTS: dict[str, dict[int, list[tuple[str, str]]]] = {
    "world": {
        0: [
            ("Какое тело Солнечной системы является спутником Земли?", "Луна."),
            ("Как называется природная зона, где растут лишайники и карликовые берёзы?", "Тундра."),
            (
                "Какое растение называют «хлебом» тайги: ель, кедр или берёза?",
                "Кедр (кедровая сосна).",
            ),
            ("По какому номеру телефона вызывают службу спасения?", "112."),
            ("Какой орган человека перекачивает кровь?", "Сердце."),
            ("На какой реке стоит город Казань?", "На Волге."),
            ("Что показывает компас?", "Стороны горизонта (синяя стрелка — на север)."),
            ("Сколько часов длятся сутки?", "24 часа."),
        ]
    },
    "history": {
        5: [
            ("В какой стране построены пирамиды в Гизе?", "В Древнем Египте."),
            ("Как звали царя, создавшего законы Вавилона?", "Хаммурапи."),
            ("В каком году до н. э. прошли первые Олимпийские игры?", "В 776 г. до н. э."),
            ("Как назывался главный холм Афин с храмом Парфенон?", "Акрополь."),
        ],
        6: [
            ("В каком году произошло Крещение Руси?", "В 988 году."),
            ("Кто победил на Чудском озере в 1242 году?", "Князь Александр Невский."),
            ("В каком году произошла Куликовская битва?", "В 1380 году."),
            ("Кто из князей Руси основал Москву (по летописи 1147 г.)?", "Юрий Долгорукий."),
        ],
        7: [
            ("Кто первым в России принял титул царя?", "Иван IV Грозный (1547)."),
            ("Кто возглавил второе ополчение в 1612 году?", "Кузьма Минин и Дмитрий Пожарский."),
            ("Кто стал первым царём династии Романовых?", "Михаил Фёдорович (1613)."),
            ("Кто отправился в поход на Сибирское ханство в 1582 году?", "Ермак Тимофеевич."),
        ],
        8: [
            ("В каком году был основан Санкт-Петербург?", "В 1703 году."),
            ("Кто основал Московский университет вместе с И. И. Шуваловым?", "М. В. Ломоносов."),
            ("Какая битва 1709 года решила исход Северной войны?", "Полтавская битва."),
            ("Кто командовал штурмом Измаила в 1790 году?", "А. В. Суворов."),
        ],
        10: [
            ("В каком году началась Великая Отечественная война?", "22 июня 1941 года."),
            ("Кто первым в мире полетел в космос?", "Ю. А. Гагарин, 12 апреля 1961 года."),
            ("В каком году завершилась Сталинградская битва?", "В 1943 году (2 февраля)."),
            ("Как назывался план нападения Германии на СССР?", "План «Барбаросса»."),
        ],
    },
    "biology": {
        5: [
            ("Какой прибор используют, чтобы рассмотреть клетку?", "Микроскоп."),
            (
                "Как называются организмы, которые сами создают органические вещества?",
                "Производители (автотрофы).",
            ),
            ("К какому царству относятся грибы-трутовики?", "К царству Грибы."),
            ("Какую оболочку Земли населяют живые организмы?", "Биосферу."),
        ],
        6: [
            ("В каком органоиде клетки растения идёт фотосинтез?", "В хлоропласте."),
            ("Какой орган растения поглощает воду из почвы?", "Корень."),
            ("Как называется видоизменённый подземный побег картофеля?", "Клубень."),
            ("Какой газ выделяют растения на свету?", "Кислород."),
        ],
        7: [
            ("К какому классу относится лягушка?", "К классу Земноводные."),
            ("Сколько камер в сердце рыбы?", "Две."),
            ("Какое животное относится к насекомым: паук, майский жук или рак?", "Майский жук."),
            ("Как называются животные, выкармливающие детёнышей молоком?", "Млекопитающие."),
        ],
        8: [
            ("Какие клетки крови переносят кислород?", "Эритроциты."),
            ("Какой орган очищает кровь и образует мочу?", "Почка."),
            ("Где начинается переваривание крахмала?", "В ротовой полости (фермент слюны)."),
            ("Сколько пар черепно-мозговых нервов у человека?", "Двенадцать."),
        ],
        10: [
            ("Какая молекула хранит наследственную информацию?", "ДНК."),
            ("Как называется деление клетки, при котором образуются половые клетки?", "Мейоз."),
            ("Кто сформулировал законы наследственности?", "Грегор Мендель."),
            ("Какой органоид называют энергетической станцией клетки?", "Митохондрию."),
        ],
    },
}
_FACT_FORMS = (
    ("Ответь на вопрос.\n\n**{q}**", "Ответ: {a} {c}"),
    ("Прочитай вопрос и запиши краткий ответ.\n\n{q}", "Ответ: {a} {c}"),
    (
        "Ответь на вопрос и объясни свой ответ одним-двумя предложениями.\n\n*{q}*",
        "Ответ: {a} {c} Без объяснения — не более 1 балла.",
    ),
)


def _facts(subject: str, grade: int, col: _Column, n: int) -> tuple[str, str]:
    pool = _FACTS[subject].get(grade) or _FACTS[subject][0]
    q, a = pool[(n + col.index) % len(pool)]
    form, answer = _FACT_FORMS[col.index % len(_FACT_FORMS)]
    criteria = _criteria(col.maximum)
    return form.format(q=q), answer.format(a=a, c=criteria)


_EN_GRAMMAR = [
    ("She usually ___ (go) to school by bus.", "goes"),
    ("Yesterday we ___ (watch) a film about dolphins.", "watched"),
    ("Look! The children ___ (play) football in the yard.", "are playing"),
    ("This is the ___ (tall) building in our town.", "tallest"),
    ("Tom ___ (not / like) cold weather.", "doesn't like"),
    ("They ___ (visit) London next summer.", "will visit"),
]
_EN_READING = [
    (
        "Anna lives in Kazan. Every weekend she goes to the park with her dog Rex.",
        "Where does Anna go every weekend?",
        "to the park",
    ),
    ("Mike has got a sister. Her name is Kate and she is ten.", "How old is Kate?", "ten"),
    (
        "Our school has a big library. We take books there on Fridays.",
        "When do the pupils take books?",
        "on Fridays",
    ),
    (
        "In winter the Petrovs go skiing in the forest near their village.",
        "What do the Petrovs do in winter?",
        "they go skiing",
    ),
]


def _english(grade: int, col: _Column, n: int) -> tuple[str, str]:
    k = (n + col.index) % 4
    if col.index % 2:
        sentence, answer = _EN_GRAMMAR[(k + grade) % len(_EN_GRAMMAR)]
        return (
            f"Раскрой скобки, поставив глагол или прилагательное в нужную форму.\n\n*{sentence}*",
            f"Ответ: {answer}. {_criteria(col.maximum)}",
        )
    text, question, answer = _EN_READING[k]
    return (
        f"Прочитай текст и ответь на вопрос на английском языке.\n\n*{text}*\n\n{question}",
        f"Ответ: {answer}. {_criteria(col.maximum)}",
    )


def generated_rows(subject: str, grade: int, columns: Sequence[_Column]) -> list[ItemRow]:
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


DEMO_SCHOOL = "edu660101"
# (subject, grade) → participants and classes of the demo school's application lines
DEMO_LINES: dict[tuple[str, int], tuple[int, int]] = {
    ("russian", 4): (48, 2),
    ("math", 4): (48, 2),
    ("world", 4): (47, 2),
}
KIT_WORKS = {("russian", 4)}


@dataclass(frozen=True)
class DemoMaterials:
    banks_loaded: int  # works whose bank changed on this run
    application: str  # the demo application's status label ("" when there is no demo school)
    kits_created: int
    builds_queued: int


def _demo_bank_works() -> list[Work]:
    """Every demo work with task columns (global reference data)."""
    from apps.campaigns.models import Work

    return list(
        Work.objects.filter(columns__isnull=False)
        .distinct()
        .select_related("campaign", "subject")
        .order_by("campaign__year", "campaign__session", "subject__code", "grade")
    )


def _bank_is_current(work: Work) -> bool:
    """Whether the work's current bank already is its demo bank (a rerun skips the import)."""
    from apps.materials.models import BankItem
    from apps.registration.access import A, Actor

    system = Actor.system(reason="seed_demo")
    current = BankItem.objects.for_actor(system, A.MANAGE_BANK).filter(
        work=work, until_revision__isnull=True
    )
    stored = set(
        current.values_list("code", "column__label", "text", "answer", "difficulty", "topic")
    )
    wanted = {(r.code, *r.content()) for r in work_demo_rows(work)}
    return stored == wanted


def _demo_application(school_code: str) -> tuple[Application | None, list[Work]]:
    """The demo school's submitted application for the current campaign (made if missing)."""
    from apps.applications import services as app_services
    from apps.applications.models import Status
    from apps.applications.rules import RawLine
    from apps.campaigns.models import Campaign
    from apps.registration.access import actor_for_user
    from apps.registration.models import User

    user = User.objects.filter(username=school_code, is_active=True).first()
    campaign = Campaign.objects.filter(is_active=True).first()
    if user is None or campaign is None:
        return None, []
    actor = actor_for_user(user)
    school = actor.scope.school_id
    if school is None:
        return None, []
    works = {
        (w.subject.code, w.grade): w for w in campaign.works.select_related("subject", "campaign")
    }
    chosen = [works[key] for key in DEMO_LINES if key in works]
    app = app_services.application_open(actor=actor, school_id=school, campaign_id=campaign.pk)
    if app.status == Status.DRAFT:
        lines = {
            works[key].pk: RawLine(takes_part="да", participants=n, classes=c)
            for key, (n, c) in DEMO_LINES.items()
            if key in works
        }
        app_services.application_lines_save(actor=actor, application_id=app.pk, lines=lines)
        app_services.application_submit(actor=actor, application_id=app.pk)
        app.refresh_from_db()
    return app, chosen


def demo_materials_seed(*, school_code: str = DEMO_SCHOOL) -> DemoMaterials:
    """Demo bank, the demo school's submitted application, its kits and codes. Idempotent."""
    from apps.materials.services import kit_build_request, kits_generate
    from apps.registration.access import Actor

    system = Actor.system(reason="seed_demo")
    bank_works = _demo_bank_works()
    loaded = 0
    for work in bank_works:
        if not _bank_is_current(work):
            loaded += load_demo_bank(actor=system, work=work).changed_anything
    app, applied = _demo_application(school_code)
    created = queued = 0
    if app is not None:
        school_id = app.school_id
        with_bank = {w.pk for w in bank_works}
        for work in applied:
            # Kits only for the work of the hand-written bank: the materials page shows real
            # rows, and the seed stays fast (each kit renders PDFs when its build runs).
            if work.pk in with_bank and (work.subject.code, work.grade) in KIT_WORKS:
                created += kits_generate(actor=system, work_id=work.pk, school_id=school_id).created
                # Queue the archive build (a finished build is left alone; without a broker
                # Celery runs it eagerly when the seed's transaction commits).
                queued += kit_build_request(actor=system, work_id=work.pk, school_id=school_id)
    label = app.get_status_display() if app is not None else ""
    return DemoMaterials(
        banks_loaded=loaded, application=label, kits_created=created, builds_queued=queued
    )
