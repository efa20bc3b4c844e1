"""The slips name a class once: «Класс 4А», or «Класс № 2» where the school kept no register."""

from __future__ import annotations

from apps.families import pdf


def test_a_class_is_named_once_after_the_word_class() -> None:
    assert pdf._bare("4А") == "4А"
    assert pdf._bare("класс № 2") == "№ 2"
    assert f"Класс {pdf._bare('класс № 2')}" == "Класс № 2"
