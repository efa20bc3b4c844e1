"""The print planner: what a school prints and packs for one work day, per room and in total.

Pure arithmetic over counts (no ORM); ``packets/selectors.py`` feeds it the rooms' participants
and the work's task labels. The delivery packet's contents follow the Saratov instruction
(p. 7): the room's kits (one per participant, put in a separate sleeve), the room's protocol,
its code sheet, drafts (at least 2 sheets per participant) and two return packets (ВДП).

Assumptions, each a named constant below:

* **Kit pages** — materials does not record the page count of a built kit, so it is estimated
  from the work's tasks: one page for the title and the instruction, then
  ``KIT_TASKS_PER_PAGE`` tasks per page. A task is a leading number of the results form's
  columns («9.1» and «9.2» are task 9; «4К1» and «4К2» are task 4). Русский язык, 4 класс
  (12 tasks) gives 1 + 6 = 7 pages.
* **Printing** — kits and packet sheets are printed one-sided, A4, black and white (the
  federal instruction forbids two pages on one side; one-sided keeps the participant-code box
  on every sheet), so a printed page is a sheet of paper. Drafts are blank sheets: paper, no
  toner.
* **Toner** — every printed page is taken at 5 % coverage, the coverage at which a cartridge's
  yield is stated (ISO/IEC 19752); ``TONER_PAGES_PER_CARTRIDGE`` is the yield of a typical A4
  mono laser cartridge. The estimate is a share of one such cartridge.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from apps.schoolday.packets import pdf
from apps.schoolday.packets.constants import (
    DRAFT_SHEETS_PER_PARTICIPANT,
    RETURN_PACKETS_PER_ROOM,
)

KIT_TITLE_PAGES = 1
KIT_TASKS_PER_PAGE = 2
TONER_COVERAGE_PERCENT = 5
TONER_PAGES_PER_CARTRIDGE = 2000

_TASK_NUMBER = re.compile(r"^\s*(\d+)")


def task_count(labels: Iterable[str]) -> int:
    """Distinct tasks among the results form's column labels («9.1», «9.2» → task 9)."""
    tasks = set()
    for label in labels:
        match = _TASK_NUMBER.match(label)
        tasks.add(match.group(1) if match else label.strip())
    return len(tasks)


def kit_pages_estimate(labels: Sequence[str]) -> int:
    """Pages of one participant's kit (see the module docstring)."""
    return KIT_TITLE_PAGES + math.ceil(task_count(labels) / KIT_TASKS_PER_PAGE)


@dataclass(frozen=True)
class PrintLine:
    """What one room (or a whole work day) prints and packs."""

    rooms: int
    participants: int
    kits: int
    kit_pages: int  # all kits' pages
    cover_pages: int  # the packet's cover sheet with the checklist
    protocol_pages: int
    code_sheet_pages: int
    label_pages: int  # the labels of the two return packets
    drafts: int  # blank draft sheets
    return_packets: int

    @property
    def packet_pages(self) -> int:
        """Pages of the rooms' packet PDFs (cover, protocol, code sheet, labels)."""
        return self.cover_pages + self.protocol_pages + self.code_sheet_pages + self.label_pages

    @property
    def printed_pages(self) -> int:
        return self.kit_pages + self.packet_pages

    @property
    def sheets(self) -> int:
        """Sheets of A4 paper: every printed page (one-sided) and the drafts."""
        return self.printed_pages + self.drafts

    @property
    def toner_cartridges(self) -> float:
        """The share of one cartridge the printed pages use (see the module docstring)."""
        return round(self.printed_pages / TONER_PAGES_PER_CARTRIDGE, 3)

    @property
    def toner_percent(self) -> int:
        return math.ceil(self.printed_pages * 100 / TONER_PAGES_PER_CARTRIDGE)


def room_line(*, participants: int, kit_pages: int) -> PrintLine:
    """One room's line: its kits, its packet PDF's pages, drafts and return packets. A room
    with nobody placed in it prints and packs nothing."""
    if participants <= 0:
        return PrintLine(1, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    return PrintLine(
        rooms=1,
        participants=participants,
        kits=participants,
        kit_pages=participants * kit_pages,
        cover_pages=pdf.COVER_PAGES,
        protocol_pages=pdf.protocol_pages(participants),
        code_sheet_pages=pdf.code_sheet_pages(participants),
        label_pages=pdf.LABEL_PAGES,
        drafts=participants * DRAFT_SHEETS_PER_PARTICIPANT,
        return_packets=RETURN_PACKETS_PER_ROOM,
    )


def total_line(lines: Iterable[PrintLine]) -> PrintLine:
    """The sum of the rooms' lines."""
    rows = list(lines)
    return PrintLine(
        **{f.name: sum(getattr(row, f.name) for row in rows) for f in fields(PrintLine)}
    )
