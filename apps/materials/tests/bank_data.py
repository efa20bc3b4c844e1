"""The materials tests' own item bank: ``data/bank_russian4.json``.

Synthetic items for the public 15-column Русский язык 4 класс structure (``RUSSIAN_4_2026``),
four per column with varied difficulty and the markup the bank supports (bold/italic,
paragraphs, numbered lists, a table). It goes through the ordinary bank file writer and import,
so any work with that structure (whatever its subject or grade) can load it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from apps.campaigns.models import Work
from apps.materials.bank import ItemRow, write_bank_json
from apps.materials.services import BankImportResult, bank_import, work_key
from apps.registration.access import Actor

DATA = Path(__file__).resolve().parent / "data" / "bank_russian4.json"


@cache
def _items() -> tuple[dict[str, Any], ...]:
    with DATA.open(encoding="utf-8") as fh:
        return tuple(json.load(fh)["items"])


def bank_rows() -> list[ItemRow]:
    """The test bank's items, in file order (codes ``RU4-<column>-<n>``)."""
    return [ItemRow(**item, where="") for item in _items()]


def bank_json(work: Work) -> bytes:
    """The test bank as a bank file (JSON) of ``work``."""
    return write_bank_json(work=work_key(work), rows=bank_rows())


def load_bank(*, actor: Actor, work: Work) -> BankImportResult:
    """Import the test bank into ``work`` as ``actor`` (validated and audited like any upload)."""
    return bank_import(actor=actor, work_id=work.pk, content=bank_json(work), filename="bank.json")
