"""Report files are named after the report, the work and the unit, in safe characters."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from apps.analytics import pdf
from apps.analytics.exports import ExportReport, safe_file_name
from apps.analytics.models import WorkAggregate
from apps.core.scoping import Level
from conftest import World

from .test_reports import AFTER_RELEASE


def _report(**extra: Any) -> ExportReport:
    return ExportReport(
        kind="marks",
        number=3,
        title="Статистика по отметкам",
        work_line="ВПР, весна Математика 4 класс",
        unit_line="",
        max_score=10,
        generated_on=timezone.now().date(),
        sheet_prefix="МА 4",
        sections=[],
        **extra,
    )


def test_the_stem_names_the_work_and_the_unit() -> None:
    report = _report(file_work="Математика 4", file_unit="МО Белоярский")
    assert report.file_stem == "Ф3_Статистика по отметкам_Математика 4_МО Белоярский"
    assert pdf.combined_file_name(report) == "Отчёты_Математика 4_МО Белоярский.pdf"


def test_unsafe_characters_are_replaced_and_the_length_is_capped() -> None:
    report = _report(file_work="Математика 4", file_unit='МО "Город: Север/Юг"?*')
    assert report.file_stem == "Ф3_Статистика по отметкам_Математика 4_МО Город Север Юг"
    assert safe_file_name("  a\x00b  ") == "a b"
    assert safe_file_name("...") == "Отчёт"
    assert len(safe_file_name("я" * 400)) == 150


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_a_municipal_download_names_the_municipality(world: World, loaded: Any) -> None:
    # given the municipality A1's aggregate of the loaded work
    muni = world.municipalities["A1"]
    agg = WorkAggregate.objects.get(work=loaded, level=Level.MUNICIPALITY, unit_id=muni.pk)
    # when its marks report is downloaded as xlsx
    response = world.client_for("municipal").get(reverse("analytics-marks-xlsx", args=[agg.pk]))
    # then the header carries an ASCII fallback and the Russian name (RFC 6266 / RFC 5987)
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert header.startswith('attachment; filename="')
    assert header.split('filename="')[1].split('"')[0].isascii()
    russian = unquote(header.split("filename*=UTF-8''")[1])
    assert russian == f"Ф3_Статистика по отметкам_Русский язык 4_МО {muni.name}.xlsx"
