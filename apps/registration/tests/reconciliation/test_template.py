from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.models import AuditEvent
from apps.registration.constants import SchoolStatus
from apps.registration.reconciliation import rules as rc
from apps.registration.tests.reconciliation.helpers import rows_of, template

pytestmark = pytest.mark.django_db


def test_municipal_file_lists_the_unit_with_instructions_first_and_locked_codes(world):
    # given a closed school in the municipality
    closed = world.schools["A1b"]
    closed.status = SchoolStatus.CLOSED
    closed.save()
    # when the municipal coordinator downloads its list
    content = template(world.users["municipal"])
    wb = load_workbook(io.BytesIO(content))
    # then the instructions come first, then the list, the helper sheets are hidden
    assert wb.sheetnames[:2] == [rc.SHEET_INSTRUCTIONS, rc.SHEET_DATA]
    assert "«Закрыта»" in wb[rc.SHEET_INSTRUCTIONS]["A6"].value
    assert wb[rc.SHEET_LISTS].sheet_state == "hidden"
    assert wb[rc.SHEET_SERVICE].sheet_state == "hidden"
    # and it holds exactly the two schools of A1, the closed one marked «Закрыта»
    rows = {r[rc.CODE.header]: r for r in rows_of(content)}
    assert set(rows) == {world.schools["A1a"].code, closed.code}
    assert rows[closed.code][rc.STATUS.header] == "Закрыта"
    assert rows[world.schools["A1a"].code][rc.SCHOOL_TYPE.header] == "СОШ"
    assert rc.MUNICIPALITY.header not in rows[closed.code]
    # and codes are locked on a protected sheet while the other cells stay editable
    ws = wb[rc.SHEET_DATA]
    assert ws.protection.sheet is True
    assert ws["A4"].protection.locked is True
    assert ws["B4"].protection.locked is False
    assert ws["B10"].protection.locked is False  # a blank row for a new school


def test_dropdowns_cover_type_status_zone_and_the_regions_municipalities(world):
    # given the regional coordinator of A
    # when it downloads the region's list
    content = template(world.users["regional"])
    wb = load_workbook(io.BytesIO(content))
    ws = wb[rc.SHEET_DATA]
    # then type, status, municipality and time zone columns have list dropdowns
    validated = {str(dv.sqref).split(":")[0][0] for dv in ws.data_validations.dataValidation}
    assert validated == {"E", "F", "G", "H"}
    assert all(dv.type == "list" for dv in ws.data_validations.dataValidation)
    # and the lists hold the fixed vocabularies and A's municipality codes only
    lists = wb[rc.SHEET_LISTS]
    columns = {
        lists.cell(1, c).value: [lists.cell(r, c).value for r in range(2, lists.max_row + 1)]
        for c in range(1, lists.max_column + 1)
    }
    assert "Лицей" in columns[rc.SCHOOL_TYPE.header]
    assert columns[rc.STATUS.header][:2] == ["Действующая", "Закрыта"]
    assert len([v for v in columns[rc.TIME_ZONE.header] if v]) == 27
    codes = {v for v in columns[rc.MUNICIPALITY.header] if v}
    assert codes == {world.municipalities["A1"].code, world.municipalities["A2"].code}
    # and every school of region A (and none of B) is in the file
    listed = {r[rc.CODE.header] for r in rows_of(content)}
    assert listed == {s.code for k, s in world.schools.items() if k.startswith("A")}


def test_a_name_that_looks_like_a_formula_is_exported_as_text(world):
    # given a school whose name starts with '='
    school = world.schools["A1a"]
    school.full_name = "=1+2"
    school.short_name = '=HYPERLINK("http://example.org")'
    school.save()
    # when the list is downloaded
    content = template(world.users["municipal"])
    ws = load_workbook(io.BytesIO(content))[rc.SHEET_DATA]
    # then the cells are plain strings, never formulas
    cells = [c for row in ws.iter_rows() for c in row if c.value in ("=1+2", school.short_name)]
    assert len(cells) == 2
    assert all(c.data_type == "s" for c in cells)
    # and the raw sheet XML holds no formula element at all
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = "".join(
            archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")
        )
    assert "<f>" not in xml


def test_download_page_is_audited_once_and_for_coordinators_only(world):
    # given the municipal coordinator
    client = world.client_for("municipal")
    before = AuditEvent.objects.filter(action="school_list.template_download").count()
    # when it downloads the file through the page
    response = client.get(reverse("reconciliation-template"))
    # then it gets the xlsx and exactly one audit record in its municipality
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"PK\x03\x04")
    assert "attachment" in response["Content-Disposition"]
    events = AuditEvent.objects.filter(action="school_list.template_download")
    assert events.count() == before + 1
    assert events.first().municipality_id == world.municipalities["A1"].pk
    # and roles that do not reconcile are refused
    for role in ("federal", "school_organizer", "school_tech"):
        assert world.client_for(role).get(reverse("reconciliation-template")).status_code == 403
