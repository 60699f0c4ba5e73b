"""Report workbooks: figures are numeric cells, text that looks like a formula stays text."""

import io

from openpyxl import load_workbook

from cchc.reporting.documents import Table, render_xlsx
from cchc.reporting.tests.test_documents import build_report


def _annex(rows: list[list[str]]):
    report = build_report()
    report.annexes = [
        Table(columns=["STT", "Chỉ tiêu", "Tử số", "Mẫu số", "Tỷ lệ"], rows=rows, title="Phụ lục")
    ]
    sheet = load_workbook(io.BytesIO(render_xlsx(report)))["Phụ lục"]
    header = next(row for row in sheet.iter_rows() if row[0].value == "STT")[0].row
    return sheet, [list(row) for row in sheet.iter_rows(min_row=header + 1)]


def test_figures_in_a_report_annex_are_numbers_shown_the_vietnamese_way():
    _, rows = _annex(
        [["1", "Hồ sơ đúng hạn", "1.234", "2.315", "53,30%"], ["2", "Năm đạt", "2026", "0123", "87,5"]]
    )
    stt, _, numerator, denominator, rate = rows[0]
    assert (stt.value, numerator.value, denominator.value) == (1, 1234, 2315)
    assert all(c.data_type == "n" for c in (stt, numerator, denominator, rate))
    assert abs(rate.value - 0.533) < 1e-12 and rate.number_format.endswith("0.00%")
    assert numerator.number_format.endswith("#,##0")
    _, _, year, code, decimal = rows[1]
    assert year.value == 2026 and not year.number_format.endswith("#,##0")  # a year shows as 2026
    assert code.value == "0123" and code.data_type == "s"  # a leading zero is a code: kept as typed
    assert decimal.value == 87.5 and decimal.number_format.endswith("0.0")


def test_formula_like_text_in_a_report_stays_text():
    sheet, rows = _annex([["1", "=SUM(C1:C9)", "-5% so với cùng kỳ", "+2", "@x"]])
    assert [c.value for c in rows[0][1:]] == ["=SUM(C1:C9)", "-5% so với cùng kỳ", "+2", "@x"]
    assert all(c.data_type == "s" and c.quotePrefix for c in rows[0][1:])
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
