"""The item-bank markup: a tiny, strict subset of Markdown. Pure: text in, blocks or errors out.

Syntax (one item's text or criteria):

* paragraphs are separated by a blank line; a single line break stays a line break;
* ``**bold**`` and ``*italic*`` inside a line (markers must be balanced on that line);
* a numbered list is a run of lines ``1. …``, ``2. …`` (numbers must go 1, 2, 3 …);
* a table is a run of lines that start and end with ``|``; cells are separated by ``|``; an
  optional second line of dashes (``|---|---|``) marks the first row as the header; every row
  has the same number of cells.

* an image is a line ``[img:<file name>]`` on its own (PNG or JPEG from the bank's image zip).

Anything else is plain text. Errors are Russian, with the line number inside the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

Run = tuple[str, bool, bool]  # text, bold, italic
Line = tuple[Run, ...]

_NUMBERED = re.compile(r"^(\d{1,2})\.\s+(.*)$")
_TABLE_RULE = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+$")
_TOKEN = re.compile(r"(\*\*|\*)")
_IMAGE = re.compile(r"^\[img:\s*([^\]/\\]+?)\s*\]$")


class MarkupError(ValueError):
    """The markup is broken; ``line`` is 1-based inside the text (0 = the whole text)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"строка текста {line}: {message}" if line else message)
        self.line = line


@dataclass(frozen=True)
class Paragraph:
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class NumberedList:
    items: tuple[Line, ...]


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[Line, ...], ...]
    header: bool


@dataclass(frozen=True)
class ImageRef:
    name: str


Block = Paragraph | NumberedList | Table | ImageRef


def parse_inline(text: str, line_no: int = 0) -> Line:
    """Split one line into runs of (text, bold, italic); unbalanced markers are an error."""
    runs: list[Run] = []
    bold = italic = False
    for part in _TOKEN.split(text):
        if part == "**":
            bold = not bold
        elif part == "*":
            italic = not italic
        elif part:
            runs.append((part, bold, italic))
    if bold:
        raise MarkupError(line_no, "не закрыт полужирный шрифт (**).")
    if italic:
        raise MarkupError(line_no, "не закрыт курсив (*).")
    return tuple(runs)


def parse(text: str) -> tuple[Block, ...]:
    """The blocks of a text, or MarkupError naming the line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not any(line.strip() for line in lines):
        raise MarkupError(0, "текст пустой.")
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        raw = lines[i].strip()
        if not raw:
            i += 1
            continue
        if image := _IMAGE.match(raw):
            blocks.append(ImageRef(image.group(1)))
            i += 1
        elif raw.startswith("|"):
            i = _table(lines, i, blocks)
        elif _NUMBERED.match(raw):
            i = _numbered(lines, i, blocks)
        else:
            i = _paragraph(lines, i, blocks)
    return tuple(blocks)


def _is_special(raw: str) -> bool:
    return raw.startswith("|") or bool(_NUMBERED.match(raw)) or bool(_IMAGE.match(raw))


def _paragraph(lines: list[str], i: int, blocks: list[Block]) -> int:
    para: list[Line] = []
    while i < len(lines) and lines[i].strip() and (not para or not _is_special(lines[i].strip())):
        para.append(parse_inline(lines[i].strip(), i + 1))
        i += 1
    blocks.append(Paragraph(tuple(para)))
    return i


def _numbered(lines: list[str], i: int, blocks: list[Block]) -> int:
    items: list[Line] = []
    while i < len(lines) and (match := _NUMBERED.match(lines[i].strip())):
        expected = len(items) + 1
        if int(match.group(1)) != expected:
            raise MarkupError(
                i + 1, f"пункт списка должен иметь номер {expected}, а не {match.group(1)}."
            )
        items.append(parse_inline(match.group(2), i + 1))
        i += 1
    blocks.append(NumberedList(tuple(items)))
    return i


def _table(lines: list[str], i: int, blocks: list[Block]) -> int:
    rows: list[tuple[Line, ...]] = []
    header = False
    width = 0
    start = i
    while i < len(lines) and lines[i].strip().startswith("|"):
        raw = lines[i].strip()
        if not raw.endswith("|") or len(raw) < 2:
            raise MarkupError(i + 1, "строка таблицы должна начинаться и заканчиваться знаком |.")
        if _TABLE_RULE.match(raw):
            if i != start + 1:
                raise MarkupError(i + 1, "линия из дефисов допускается только после заголовка.")
            header = True
            i += 1
            continue
        cells = tuple(parse_inline(c.strip(), i + 1) for c in raw[1:-1].split("|"))
        if width and len(cells) != width:
            raise MarkupError(
                i + 1, f"в строке таблицы {len(cells)} ячеек, а в первой строке {width}."
            )
        width = len(cells)
        rows.append(cells)
        i += 1
    if not rows:
        raise MarkupError(start + 1, "таблица без строк.")
    blocks.append(Table(tuple(rows), header))
    return i


def inline_xml(line: Line) -> str:
    """A line as reportlab paragraph XML (<b>, <i>), with the text escaped."""
    out = []
    for text, bold, italic in line:
        piece = escape(text, quote=False)
        if italic:
            piece = f"<i>{piece}</i>"
        if bold:
            piece = f"<b>{piece}</b>"
        out.append(piece)
    return "".join(out)


def plain_text(blocks: tuple[Block, ...]) -> str:
    """The text without markup (for previews and search)."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.extend("".join(r[0] for r in line) for line in block.lines)
        elif isinstance(block, NumberedList):
            out.extend(
                f"{n}. " + "".join(r[0] for r in line) for n, line in enumerate(block.items, 1)
            )
        elif isinstance(block, ImageRef):
            out.append(f"[рисунок {block.name}]")
        else:
            out.extend(
                " | ".join("".join(r[0] for r in cell) for cell in row) for row in block.rows
            )
    return "\n".join(out)


def image_names(text: str) -> tuple[str, ...]:
    """The image file names a text refers to (``[img:…]`` lines), in order, without repeats."""
    names: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if (match := _IMAGE.match(line.strip())) and match.group(1) not in names:
            names.append(match.group(1))
    return tuple(names)
