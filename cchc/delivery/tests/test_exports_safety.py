"""KPI and late-dossier workbooks: text from the dossier files stays text, numbers stay numbers."""

import io
from datetime import datetime
from decimal import Decimal

from openpyxl import load_workbook

from cchc.delivery import exports


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def _late_row(**overrides) -> dict:
    row = {
        "dossier_code": '=HYPERLINK("http://x";"Bấm")',
        "unit_code": "10930",
        "procedure_code": "+1.000894",
        "field": "-Hộ tịch",
        "channel": 2,
        "received_at": datetime(2026, 1, 6, 8, 30),
        "due_at": datetime(2026, 1, 9, 8, 30),
        "done_at": None,
        "status": 4,
        "days_late": 3,
        "apology_letter": False,
    }
    return row | overrides


def test_the_late_dossier_list_never_holds_a_formula_and_keeps_dates_and_counts(db):
    sheet = _book(
        exports.late_workbook("=tiêu đề", "@phụ đề", [_late_row()], {"10930": "Xã Mao Điền"})
    ).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    first = sheet[5]
    assert first[0].value == '=HYPERLINK("http://x";"Bấm")' and first[0].quotePrefix
    assert (first[2].value, first[3].value) == ("+1.000894", "-Hộ tịch")
    assert first[2].quotePrefix and first[3].quotePrefix
    assert sheet["A1"].value == "=tiêu đề" and sheet["A1"].data_type == "s"
    assert first[5].value == datetime(2026, 1, 6, 8, 30) and first[5].number_format == "dd/mm/yyyy hh:mm"
    assert first[9].value == 3 and first[9].data_type == "n"


def test_the_kpi_workbook_writes_counts_rates_and_averages_as_numbers(db):
    kpis = {"received": 1234, "on_time_rate": 0.533, "avg_processing_days": Decimal("2.5")}
    book = _book(exports.kpi_workbook("KPI", "Quý I", [("Theo đơn vị", "Đơn vị", [("=SUM(B5:B9)", kpis)])]))
    sheet = book["Theo đơn vị"]
    headers = [c.value for c in sheet[4]]
    row = sheet[5]
    assert row[0].value == "=SUM(B5:B9)" and row[0].data_type == "s" and row[0].quotePrefix
    received = row[headers.index("Tiếp nhận mới")]
    assert (received.value, received.data_type) == (1234, "n") and "#,##0" in received.number_format
    rate = row[headers.index("Tỷ lệ đúng hạn")]
    assert rate.value == 0.533 and rate.number_format.endswith("0.0%")
    days = row[headers.index("Thời gian giải quyết TB (ngày)")]
    assert (days.value, days.data_type) == (2.5, "n")
    assert not [c for r in sheet.iter_rows() for c in r if c.data_type == "f"]
