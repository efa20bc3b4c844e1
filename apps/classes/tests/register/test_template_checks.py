"""The register template's cell checks: one per column, titled with the column's header, over
the template's rows (a pure function, no database)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from apps.classes.models import MAX_CLASS_NUMBER, MAX_PUPILS
from apps.classes.register.xlsx import HEADERS, SHEET, TEMPLATE_ROWS, build_template


def test_every_column_has_its_check_titled_with_its_header() -> None:
    # given the template of a campaign with three grades and no classes yet
    content = build_template(campaign_label="ВПР", grades=[4, 5, 10], rows=[])

    # when its data validations are read back
    ws = load_workbook(io.BytesIO(content))[SHEET]
    checks = [
        (str(v.sqref), v.type, v.operator, v.formula1, v.formula2, v.errorTitle, v.allow_blank)
        for v in ws.data_validations.dataValidation
    ]

    # then each column has one check over the template's rows, in the order of the headers
    last = TEMPLATE_ROWS + 1
    titles = [header for header, _width in HEADERS]
    assert checks == [
        (f"A2:A{last}", "list", None, '"4,5,10"', None, titles[0], True),
        (f"B2:B{last}", "textLength", "between", "1", "8", titles[1], True),
        (f"C2:C{last}", "whole", "between", "1", str(MAX_CLASS_NUMBER), titles[2], True),
        (f"D2:D{last}", "whole", "between", "1", str(MAX_PUPILS), titles[3], True),
        (f"E2:E{last}", "whole", "between", "0", str(MAX_PUPILS), titles[4], True),
    ]
    # and each error message names the allowed values
    errors = [v.error for v in ws.data_validations.dataValidation]
    assert errors[2] == f"Порядковый номер — целое число от 1 до {MAX_CLASS_NUMBER}."
    assert errors[3] == f"Обучающихся — целое число от 1 до {MAX_PUPILS}."
    assert errors[4] == "С ОВЗ — целое число от 0 до числа обучающихся."
