"""The bank markup: paragraphs, bold/italic, numbered lists, tables; errors name the line."""

from __future__ import annotations

import pytest

from apps.materials.markup import MarkupError, NumberedList, Paragraph, Table, inline_xml, parse


def test_parses_every_supported_block() -> None:
    # given a text with a paragraph, a list and a table
    text = (
        "Прочитай **текст** и *ответь*.\n\n1. первый\n2. второй\n\n"
        "|Слово|Часть речи|\n|---|---|\n|дом|сущ.|"
    )
    # when it is parsed
    blocks = parse(text)
    # then it has one block of each kind, with formatting kept
    assert [type(b) for b in blocks] == [Paragraph, NumberedList, Table]
    assert inline_xml(blocks[0].lines[0]) == "Прочитай <b>текст</b> и <i>ответь</i>."
    assert len(blocks[1].items) == 2
    assert blocks[2].header is True
    assert len(blocks[2].rows) == 2


def test_text_is_escaped_for_the_pdf_engine() -> None:
    # given a text with characters reportlab reads as markup
    blocks = parse("a < b & c > d")
    # when it becomes paragraph XML
    xml = inline_xml(blocks[0].lines[0])
    # then they are escaped
    assert xml == "a &lt; b &amp; c &gt; d"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "текст пустой"),
        ("Прочитай **текст", "строка текста 1: не закрыт полужирный"),
        ("первая\nвторая *курсив", "строка текста 2: не закрыт курсив"),
        ("1. первый\n3. третий", "строка текста 2: пункт списка должен иметь номер 2"),
        ("|а|б|\n|в|", "строка текста 2: в строке таблицы 1 ячеек"),
        ("|а|б", "строка текста 1: строка таблицы должна"),
    ],
)
def test_broken_markup_is_reported_with_its_line(text: str, message: str) -> None:
    # given broken markup
    # when it is parsed
    with pytest.raises(MarkupError) as error:
        parse(text)
    # then the Russian message names the line
    assert message in str(error.value)


def test_an_image_line_is_its_own_block_and_its_name_is_listed() -> None:
    from apps.materials import markup

    # given a text with an image line between two paragraphs
    text = "Рассмотри рисунок.\n[img: схема 1.png]\nОтветь на вопрос.\n\n[img:схема 1.png]"
    # when it is parsed
    blocks = markup.parse(text)
    # then the image is a block of its own, and its name is listed once
    assert blocks[1] == markup.ImageRef("схема 1.png")
    assert isinstance(blocks[0], markup.Paragraph)
    assert isinstance(blocks[2], markup.Paragraph)
    assert markup.image_names(text) == ("схема 1.png",)
    assert "[рисунок схема 1.png]" in markup.plain_text(blocks)
