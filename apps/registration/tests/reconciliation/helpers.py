"""Helpers of the reconciliation tests: get the unit's file, edit it like a coordinator, upload."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from apps.core.imports import ImportOutcome
from apps.core.models import ImportBatch
from apps.registration.access import actor_for_user
from apps.registration.models import School
from apps.registration.reconciliation import rules as rc
from apps.registration.reconciliation import services as service

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template(user: Any) -> bytes:
    return service.school_list_template(actor=actor_for_user(user)).content


def _headers(ws: Any) -> tuple[int, dict[str, int]]:
    for row in ws.iter_rows(min_row=1, max_row=rc.HEADER_SCAN_ROWS):
        found = {str(c.value): c.column for c in row if c.value}
        if rc.CODE.header in found:
            return row[0].row, found
    raise AssertionError("no header row")


def rows_of(content: bytes) -> list[dict[str, Any]]:
    """The data rows of a reconciliation file, as header → value."""
    ws = load_workbook(io.BytesIO(content))[rc.SHEET_DATA]
    header_row, cols = _headers(ws)
    out = []
    for r in range(header_row + 1, ws.max_row + 1):
        values = {h: ws.cell(row=r, column=c).value for h, c in cols.items()}
        if any(v not in (None, "") for v in values.values()):
            out.append(values)
    return out


def edit(
    content: bytes,
    *,
    set_cells: Mapping[tuple[str, str], Any] | None = None,
    add: list[Mapping[str, Any]] | None = None,
    drop_service_sheet: bool = False,
    duplicate_code: str | None = None,
) -> bytes:
    """The file with cells changed (by school code and header), rows added below the list."""
    wb = load_workbook(io.BytesIO(content))
    ws = wb[rc.SHEET_DATA]
    header_row, cols = _headers(ws)
    by_code = {
        ws.cell(row=r, column=cols[rc.CODE.header]).value: r
        for r in range(header_row + 1, ws.max_row + 1)
        if ws.cell(row=r, column=cols[rc.CODE.header]).value
    }
    for (code, header), value in (set_cells or {}).items():
        ws.cell(row=by_code[code], column=cols[header]).value = value
    last = max(by_code.values(), default=header_row)
    if duplicate_code is not None:
        src = by_code[duplicate_code]
        last += 1
        for c in cols.values():
            ws.cell(row=last, column=c).value = ws.cell(row=src, column=c).value
    for extra in add or []:
        last += 1
        for header, value in extra.items():
            ws.cell(row=last, column=cols[header]).value = value
    if drop_service_sheet:
        del wb[rc.SHEET_SERVICE]
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload_file(content: bytes, name: str = "выверка.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def upload(user: Any, content: bytes, name: str = "выверка.xlsx") -> ImportBatch:
    return service.school_list_import_upload(
        actor=actor_for_user(user), file=io.BytesIO(content), name=name, size=len(content)
    )


def apply(user: Any, batch: ImportBatch) -> ImportOutcome:
    return service.school_list_import_apply(actor=actor_for_user(user), batch_id=batch.pk)


def discard(user: Any, batch: ImportBatch) -> ImportOutcome:
    return service.school_list_import_discard(actor=actor_for_user(user), batch_id=batch.pk)


def snapshot() -> dict[str, tuple[Any, ...]]:
    """Every school with every field that reconciliation may change (to prove nothing did)."""
    return {
        s.code: (
            s.full_name,
            s.short_name,
            s.address,
            s.school_type,
            s.status,
            s.time_zone,
            s.municipality_id,
            s.updated_at,
        )
        for s in School.objects.order_by("code")
    }


def new_school(**overrides: Any) -> dict[str, Any]:
    row = {
        rc.FULL_NAME.header: "МБОУ «Средняя общеобразовательная школа № 77 пос. Новый»",
        rc.SHORT_NAME.header: "МБОУ СОШ № 77",
        rc.ADDRESS.header: "пос. Новый, ул. Лесная, д. 3",
        rc.SCHOOL_TYPE.header: "СОШ",
        rc.STATUS.header: "Действующая",
    }
    row.update(overrides)
    return row
