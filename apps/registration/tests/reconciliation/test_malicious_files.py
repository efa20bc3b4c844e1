"""A school list that declares a sheet of 1,048,576 × 16,384 cells is refused at once.

The declared size (``<dimension ref="A1:XFD1048576"/>``) costs calamine nothing, but openpyxl's
read-only reader (used to find real formulas) pads every row, and every missing row up to the
last one, to the declared width: one blank cell far down the sheet makes 20,000 × 16,384 empty
cells to walk through, minutes of CPU in the web process.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.models import ImportBatch
from apps.core.tests.bad_files import deadline, edit_sheet
from apps.registration.reconciliation import rules as rc
from apps.registration.tests.reconciliation.helpers import snapshot, template, upload_file

pytestmark = pytest.mark.django_db


def test_a_sheet_declaring_a_huge_range_is_refused_quickly(world) -> None:
    # given the municipality's own school list, whose list sheet declares A1:XFD1048576 and has
    # a blank (a space) in A20000
    content = template(world.users["municipal"])
    index = load_workbook(io.BytesIO(content), read_only=True).sheetnames.index(rc.SHEET_DATA)
    bomb = edit_sheet(
        content,
        f"xl/worksheets/sheet{index + 1}.xml",
        dimension="A1:XFD1048576",
        append_rows='<row r="20000"><c r="A20000" t="inlineStr"><is><t> </t></is></c></row>',
    )
    schools, batches = snapshot(), ImportBatch.objects.count()
    # when the municipal coordinator uploads it
    with deadline(20):
        response = world.client_for("municipal").post(
            reverse("reconciliation-upload"), {"file": upload_file(bomb)}
        )
    # then the sheet's size and the form's limit are named, and nothing changes
    html = response.content.decode()
    assert response.status_code == 400
    assert f"Лист «{rc.SHEET_DATA}» слишком велик" in html
    assert "A1:XFD1048576" in html
    assert "допускается не более" in html
    assert snapshot() == schools
    assert ImportBatch.objects.count() == batches
