"""Reading CSV and XLSX uploads as rows with their sheet and row numbers, for all-or-nothing imports.

Every import in cchc validates the whole file first and collects every problem as a RowError that
names the sheet, row and column in Vietnamese; only a file without errors is written.

Reading is bounded (``cchc.core.uploads``): the file size and, for .xlsx, the zip directory are
checked before openpyxl opens it; a sheet stops being read at ``IMPORT_MAX_ROWS`` data rows and
the file is refused (an all-or-nothing import must not be cut short silently); reading stops at
the processing deadline. Error lists shown to people are capped (``ImportFileError.shown``).
"""

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from cchc.core import uploads
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

    @property
    def shown(self) -> list[str]:
        """The first IMPORT_ERRORS_SHOWN errors as text, then "và 1.999.950 lỗi khác."."""
        return uploads.capped(self.errors)

    @property
    def count(self) -> int:
        return len(self.errors)


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
    if not (name.endswith((".csv", ".xlsx", ".xlsm"))):
        raise ImportFileError(["Chỉ nhận tệp .xlsx hoặc .csv."])
    try:
        uploads.check_size(len(data), name=filename)
        budget = _Budget(filename)
        if name.endswith(".csv"):
            return [_read_csv(data, header_marker, budget)]
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise ImportFileError(["Tệp không phải là bảng tính Excel (.xlsx) hợp lệ."])
        uploads.check_zip(data, name=filename)
        uploads.check_sheet_rows(data, name=filename)
        return _read_xlsx(data, header_marker, budget)
    except uploads.UploadRefused as exc:
        raise ImportFileError(exc.messages) from exc


class _Budget:
    """Rows and time a file may use while it is read."""

    def __init__(self, filename: str):
        self.filename = filename
        self.max_rows = uploads.limit("IMPORT_MAX_ROWS")
        self.deadline = uploads.Deadline()

    def rows(self, sheet: str, numbered: Iterable[tuple[int, Any]]) -> Iterator[tuple[int, list[Any]]]:
        """The rows in order, refusing the file at the first row past the limit: the rest of a
        million-row sheet is never read. Blank rows do not count (sheets formatted far down)."""
        filled = 0
        for number, values in numbered:
            values = list(values)
            if number % 1000 == 0:
                self.deadline.check()
            if any(v not in (None, "") for v in values):
                filled += 1
                # The header and a title above it may sit in the first rows: allow a few extra.
                if filled > self.max_rows + 30:
                    raise uploads.UploadRefused(
                        f"Trang tính «{sheet}» có hơn {uploads.vn_int(self.max_rows)} dòng dữ liệu, "
                        f"giới hạn mỗi lần nhập là {uploads.vn_int(self.max_rows)} dòng. "
                        "Hãy chia tệp thành nhiều lần nhập."
                    )
            yield number, values


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


def _read_csv(data: bytes, header_marker: str | None, budget: _Budget) -> Sheet:
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
    try:
        rows = list(budget.rows("CSV", enumerate(reader, start=1)))
    except csv.Error as exc:
        raise ImportFileError([f"Không đọc được tệp CSV: {exc}."]) from exc
    return _build_sheet("CSV", rows, header_marker)


def _read_xlsx(data: bytes, header_marker: str | None, budget: _Budget) -> list[Sheet]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(["Tệp không phải là bảng tính Excel (.xlsx) hợp lệ."]) from exc
    sheets = []
    try:
        for worksheet in workbook.worksheets:
            numbered = enumerate(worksheet.iter_rows(values_only=True), start=1)
            rows = list(budget.rows(worksheet.title, numbered))
            sheets.append(_build_sheet(worksheet.title, rows, header_marker))
    finally:
        workbook.close()
    return sheets
