"""The one .xlsx cell writer: numbers, dates, text that never becomes a formula."""

import io
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from cchc.core.numbers import format_number, format_percent, parse_number
from cchc.core.xlsx import put, put_text_or_number, workbook_bytes


def _round_trip(values, writer=put):
    workbook = Workbook()
    for row, value in enumerate(values, start=1):
        writer(workbook.active.cell(row=row, column=1), value)
    return [row[0] for row in load_workbook(io.BytesIO(workbook_bytes(workbook))).active.iter_rows()]


@pytest.mark.parametrize(
    "text", ["=SUM(A1)", "+1", "-5% so với cùng kỳ", "@SUM(1)", "\t=1", "\r=1", "＝1+1", "－1", "＠a"]
)
def test_text_that_a_spreadsheet_would_evaluate_is_quote_prefixed_and_reads_back_unchanged(text):
    (cell,) = _round_trip([text])
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)


def test_ordinary_text_is_left_alone_and_stored_as_nfc():
    (cell,) = _round_trip(["Xa\u0303 Mao Điền"])
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("Xã Mao Điền", "s", False)


def test_numbers_dates_and_nothing_keep_their_types():
    cells = _round_trip(
        [12, Decimal("3.50"), 2.25, date(2026, 3, 9), datetime(2026, 3, 9, 8, 5), None, float("nan")]
    )
    assert [c.value for c in cells[:5]] == [12, 3.5, 2.25, datetime(2026, 3, 9), datetime(2026, 3, 9, 8, 5)]
    assert [c.data_type for c in cells[:5]] == ["n", "n", "n", "d", "d"]
    assert cells[3].number_format == "dd/mm/yyyy" and cells[4].number_format == "dd/mm/yyyy hh:mm"
    assert len(cells) == 5  # None and NaN leave the cells empty


def test_vietnamese_number_text_becomes_a_number_with_the_same_look():
    cells = _round_trip(
        ["1.234,5", "53,30%", "2026", "0123", "1.2.3", "≥ 90%", "12 hồ sơ"], put_text_or_number
    )
    assert [c.value for c in cells[:3]] == [1234.5, pytest.approx(0.533), 2026]
    assert [c.value for c in cells[3:]] == ["0123", "1.2.3", "≥ 90%", "12 hồ sơ"]


def test_numbers_are_formatted_with_a_decimal_comma_and_a_thousands_dot():
    assert format_number(1234567) == "1.234.567"
    assert format_number(Decimal("1234.5"), 2) == "1.234,50"
    assert format_number(12.5, 2, trim=True) == "12,5"
    assert format_percent(53.3) == "53,30%"
    assert format_percent(0.875, 1, ratio=True) == "87,5%"
    assert format_number(None) == "" and format_number(float("inf"), empty="—") == "—"
    assert format_number(-0.001, 1) == "0,0"


def test_parsing_is_the_inverse_of_formatting():
    for value in (Decimal("1234.5"), Decimal("-3"), Decimal("0.25")):
        text = format_number(value, 2)
        assert parse_number(text)[0] == value
    assert parse_number("53,30%") == (Decimal("53.30"), 2, False, True)


def test_every_module_that_builds_a_workbook_writes_its_cells_through_the_helper():
    root = Path(__file__).resolve().parents[2]
    writers = [
        path
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "xlsx.py"
        and re.search(r"\bWorkbook\(\)", path.read_text())
    ]
    assert writers, "no workbook writer found: the scan is looking in the wrong place"
    for path in writers:
        source = path.read_text()
        assert "from cchc.core.xlsx import" in source, path
        assert not re.search(
            r"\b(ws|sheet|worksheet)\.append\(|\.cell\([^)]*value=|\bcell\.value\s*=", source
        ), path
