"""A plausible demo bank for «Русский язык, 4 класс» (the 15 columns of the 2026 form).

Four items per column (five for a few), with the markup the bank supports: paragraphs,
bold/italic, numbered lists and tables. Synthetic texts written for the demo; not real ВПР
items. ``load_demo_bank`` imports it through the ordinary bank import (validated, audited).

``demo_materials_seed`` (called by ``seed_demo`` after the campaigns) loads that bank into every
demo work of that structure, makes sure the demo school has a submitted application for the
current campaign (through the applications services, as the school itself), composes the
school's kits and participant codes and queues their archive builds, so its materials page shows
real rows. Idempotent.
"""

from __future__ import annotations

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


def demo_bank_json(work: Work) -> bytes:
    from apps.materials.services import work_key

    return write_bank_json(work=work_key(work), rows=demo_rows())


def load_demo_bank(*, actor: Actor, work: Work) -> BankImportResult:
    """Import the demo bank into ``work`` (a Русский язык 4 класс work) as ``actor``."""
    from apps.materials.services import bank_import

    return bank_import(
        actor=actor, work_id=work.pk, content=demo_bank_json(work), filename="demo.json"
    )


DEMO_SCHOOL = "edu660101"
# (subject, grade) → participants and classes of the demo school's application lines
DEMO_LINES: dict[tuple[str, int], tuple[int, int]] = {
    ("russian", 4): (48, 2),
    ("math", 4): (48, 2),
    ("world", 4): (47, 2),
}


@dataclass(frozen=True)
class DemoMaterials:
    banks_loaded: int  # works whose bank changed on this run
    application: str  # the demo application's status label ("" when there is no demo school)
    kits_created: int
    builds_queued: int


def _demo_bank_works() -> list[Work]:
    """The demo works with the structure of the demo bank (Русский язык 4 класс)."""
    from apps.campaigns.models import Work

    return list(
        Work.objects.filter(subject__code="russian", grade=4)  # global reference data
        .select_related("campaign", "subject")
        .order_by("campaign__year", "campaign__session")
    )


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
        loaded += load_demo_bank(actor=system, work=work).changed_anything
    app, applied = _demo_application(school_code)
    created = queued = 0
    if app is not None:
        school_id = app.school_id
        with_bank = {w.pk for w in bank_works}
        for work in applied:
            if work.pk in with_bank:
                created += kits_generate(actor=system, work_id=work.pk, school_id=school_id).created
                # Queue the archive build (a finished build is left alone; without a broker
                # Celery runs it eagerly when the seed's transaction commits).
                queued += kit_build_request(actor=system, work_id=work.pk, school_id=school_id)
    label = app.get_status_display() if app is not None else ""
    return DemoMaterials(
        banks_loaded=loaded, application=label, kits_created=created, builds_queued=queued
    )
