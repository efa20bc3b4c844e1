"""Destructive buttons ask first: every submit button whose label deletes, resets,
revokes, rebuilds, discards or mails everyone carries ``data-confirm`` with a Russian question
(static/js/confirm.js shows it and cancels the submission when declined)."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# Button labels that destroy, replace or send something at one click.
DESTRUCTIVE = re.compile(
    r"Удалить|Новый пароль|Выдать новый пароль|Пересобрать|Напомнить|Отменить загрузку"
    r"|Отменить ожидающие|Открепить|Снять подтверждение|Отключить|замена"
)
BUTTON = re.compile(r"<button\b([^>]*)>(.*?)</button>", re.DOTALL)
CONFIRM = re.compile(r'data-confirm="([^"]+)"')


def _buttons() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for attrs, label in BUTTON.findall(path.read_text(encoding="utf-8")):
            found.append((str(path.relative_to(TEMPLATES)), attrs, " ".join(label.split())))
    return found


def test_every_destructive_button_asks_a_specific_question() -> None:
    # given every button in the templates
    buttons = _buttons()
    destructive = [
        (where, attrs, label) for where, attrs, label in buttons if DESTRUCTIVE.search(label)
    ]
    # when the destructive ones are read
    missing = [
        f"{where}: «{label}»" for where, attrs, label in destructive if not CONFIRM.search(attrs)
    ]
    # then there are some, and each carries a specific question in Russian
    assert len(destructive) >= 12, destructive
    assert not missing, "без data-confirm:\n" + "\n".join(missing)
    for where, attrs, label in destructive:
        match = CONFIRM.search(attrs)
        assert match is not None
        question = match.group(1)
        assert "?" in question, (where, label, question)
        assert re.search("[а-яё]", question), (where, label, question)
        assert len(question) >= 40, (where, label, question)
