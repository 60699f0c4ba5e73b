"""Reading CSV and XLSX uploads as rows with their sheet and row numbers, for all-or-nothing imports.

Every import in cchc validates the whole file first and collects every problem as a RowError that
names the sheet, row and column in Vietnamese; only a file without errors is written.
"""

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from cchc.core.text import fold_key, nfc


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"Trang tính «{self.sheet}»"] if self.sheet else []
        if self.row:
            where.append(f"dòng {self.row}")
        if self.column:
            where.append(f"cột {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportFileError(Exception):
    """The file cannot be imported; nothing was written. `errors` lists every problem found."""

    def __init__(self, errors: Iterable[RowError | str]):
        self.errors = [e if isinstance(e, RowError) else RowError("", None, None, str(e)) for e in errors]
        super().__init__("; ".join(str(e) for e in self.errors[:5]))


@dataclass
class Sheet:
    name: str
    header: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    header_row: int = 1

    def column_letter(self, index: int) -> str:
        return get_column_letter(index + 1)

    def column_index(self, *labels: str) -> int | None:
        wanted = {fold_key(label) for label in labels}
        for index, title in enumerate(self.header):
            if fold_key(title) in wanted:
                return index
        return None


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    return value


def read_workbook(data: bytes, filename: str, *, header_marker: str | None = None) -> list[Sheet]:
    """Sheets of a .xlsx or .csv file. The header is the first row, or the first row whose first
    cell folds to `header_marker` (exports put a title above the table)."""
    name = (filename or "").lower()
    if name.endswith(".csv"):
        return [_read_csv(data, header_marker)]
    if name.endswith(".xlsx") or name.endswith(".xlsm"):
        return _read_xlsx(data, header_marker)
    raise ImportFileError(["Chỉ nhận tệp .xlsx hoặc .csv."])


def _find_header(rows: list[tuple[int, list[Any]]], header_marker: str | None) -> int:
    if not header_marker:
        return 0
    marker = fold_key(header_marker)
    for position, (_, values) in enumerate(rows[:30]):
        if values and fold_key(str(values[0] or "")) == marker:
            return position
    return 0


def _build_sheet(name: str, raw_rows: list[tuple[int, list[Any]]], header_marker: str | None) -> Sheet:
    raw_rows = [(n, [_cell(v) for v in values]) for n, values in raw_rows]
    if not raw_rows:
        return Sheet(name=name, header=[])
    start = _find_header(raw_rows, header_marker)
    header_row, header_values = raw_rows[start]
    header = [str(v).strip() if v is not None else "" for v in header_values]
    rows = [(n, values) for n, values in raw_rows[start + 1 :] if any(v not in (None, "") for v in values)]
    return Sheet(name=name, header=header, rows=rows, header_row=header_row)


def _read_csv(data: bytes, header_marker: str | None) -> Sheet:
    for encoding in ("utf-8-sig", "cp1258", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(["Không đọc được tệp CSV: hãy lưu tệp với bảng mã UTF-8."])
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader: Iterator[list[str]] = csv.reader(io.StringIO(text), dialect)
    rows = [(number, row) for number, row in enumerate(reader, start=1)]
    return _build_sheet("CSV", rows, header_marker)


def _read_xlsx(data: bytes, header_marker: str | None) -> list[Sheet]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(["Tệp không phải là bảng tính Excel (.xlsx) hợp lệ."]) from exc
    sheets = []
    try:
        for worksheet in workbook.worksheets:
            rows = [
                (number, list(values))
                for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1)
            ]
            sheets.append(_build_sheet(worksheet.title, rows, header_marker))
    finally:
        workbook.close()
    return sheets
