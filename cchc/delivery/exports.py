"""Excel output of KPI tables and late-dossier lists (openpyxl; numbers stay numbers, rates as %)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cchc.core.xlsx import DATETIME, put, put_row, workbook_bytes
from cchc.delivery.kpi.schema import CHANNEL_LABELS, STATUS_LABELS, Channel, Status

# (key, header, kind): kind "n" count, "p" rate 0..1, "d" decimal
KPI_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("received", "Tiếp nhận mới", "n"),
    ("carried_over", "Kỳ trước chuyển sang", "n"),
    ("to_process", "Tổng phải giải quyết", "n"),
    ("finished_early", "Giải quyết trước hạn", "n"),
    ("finished_on_time", "Giải quyết đúng hạn", "n"),
    ("finished_late", "Giải quyết trễ hạn", "n"),
    ("unfinished_late_at_period_end", "Chưa giải quyết, đã quá hạn", "n"),
    ("late_total", "Tổng trễ hạn", "n"),
    ("on_time_rate", "Tỷ lệ đúng hạn", "p"),
    ("online_share", "Tỷ lệ hồ sơ trực tuyến", "p"),
    ("online_payment_share", "Tỷ lệ thanh toán trực tuyến", "p"),
    ("components_digitised_rate", "Tỷ lệ số hóa thành phần hồ sơ", "p"),
    ("result_digitised_rate", "Tỷ lệ số hóa kết quả", "p"),
    ("satisfaction_share", "Tỷ lệ hài lòng", "p"),
    ("apology_letters_for_late", "Văn bản xin lỗi (hồ sơ trễ)", "n"),
    ("avg_processing_days", "Thời gian giải quyết TB (ngày)", "d"),
    ("avg_wait_minutes", "Thời gian chờ TB (phút)", "d"),
)

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


# put() options per kind of KPI column.
_KIND_FORMATS = {"n": {"digits": 0}, "p": {"percent": True, "digits": 1}, "d": {"digits": 1}}


def _sheet_header(ws, title: str, subtitle: str, headers: Sequence[str]) -> None:
    put(ws["A1"], title).font = Font(bold=True, size=13)
    put(ws["A2"], subtitle)
    put_row(ws, 4, headers)
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = "B5"


def kpi_workbook(
    title: str, subtitle: str, sheets: Sequence[tuple[str, str, Sequence[tuple[str, dict]]]]
) -> bytes:
    """``sheets``: (sheet name, first column header, [(row label, kpis)])."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, first, rows in sheets:
        ws = wb.create_sheet(name[:31])
        _sheet_header(ws, title, subtitle, [first, *(h for _, h, _ in KPI_COLUMNS)])
        formats = {j: _KIND_FORMATS[kind] for j, (_, _, kind) in enumerate(KPI_COLUMNS, start=2)}
        for r, (label, kpis) in enumerate(rows, start=5):
            put_row(ws, r, [label, *(kpis.get(key) for key, _, _ in KPI_COLUMNS)], formats=formats)
        ws.column_dimensions["A"].width = 44
        for j in range(2, len(KPI_COLUMNS) + 2):
            ws.column_dimensions[get_column_letter(j)].width = 14
    return workbook_bytes(wb)


LATE_HEADERS = (
    "Mã hồ sơ",
    "Đơn vị",
    "Mã TTHC",
    "Lĩnh vực",
    "Kênh nộp",
    "Ngày tiếp nhận",
    "Ngày hẹn trả",
    "Ngày giải quyết xong",
    "Trạng thái",
    "Số ngày trễ",
    "Văn bản xin lỗi",
)


def late_workbook(
    title: str, subtitle: str, rows: Sequence[dict[str, Any]], unit_names: dict[str, str]
) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Hồ sơ trễ hạn"
    _sheet_header(ws, title, subtitle, LATE_HEADERS)
    dates = {j: {"number_format": DATETIME} for j in (6, 7, 8)}
    for r, row in enumerate(rows, start=5):
        put_row(
            ws,
            r,
            [
                row["dossier_code"],
                unit_names.get(row["unit_code"], row["unit_code"]),
                row["procedure_code"],
                row["field"],
                CHANNEL_LABELS.get(Channel(row["channel"]), str(row["channel"])),
                row["received_at"],
                row["due_at"],
                row["done_at"],
                STATUS_LABELS.get(Status(row["status"]), str(row["status"])),
                row["days_late"],
                "Có" if row["apology_letter"] else "Không",
            ],
            formats=dates,
        )
    for j, width in enumerate((24, 30, 14, 22, 14, 17, 17, 17, 26, 10, 10), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    return workbook_bytes(wb)
