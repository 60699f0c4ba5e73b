"""Import dossier exports (CSV, XLSX) from one-stop systems into a Parquet snapshot store.

Pure Python + DuckDB (+ openpyxl for .xlsx); no Django. Two steps:

1. ``stage_file(path, mapping)`` reads one export, maps its columns onto the canonical record
   (``schema.COLUMNS``) with a saved ``SourceMapping``, converts every value in SQL and checks every
   rule of ``schema``. A file with any problem writes nothing and returns the problems as
   ``RowError`` (row as seen in Excel, header as written in the file, Vietnamese message). A clean
   file becomes a canonical Parquet file.
2. ``merge_snapshot(current, staged, out)`` upserts the staged rows into the current snapshot by
   ``dossier_code``; re-importing the same export changes nothing.

Everything streams through DuckDB (spilling to a temporary directory beside the output), so the
size of a file is bounded by disk, not memory.

How a file is read
------------------
The happy path is one parallel DuckDB pass: ``read_csv(all_varchar)`` → conversions → a guard that
raises on the first row with a problem → ``COPY ... TO`` a temporary Parquet file; then a check that
``dossier_code`` is unique, and the file is renamed into place. Only a file with a problem goes on to
the diagnostics (``_diagnose``): duplicated codes (a parallel GROUP BY), then a numbered pass that
keeps the rows with a problem (stopping at the ``max_errors``-th one when there are no duplicates),
and a parallel count of all problems when that pass stopped early.

Row numbers. In the numbered pass over a plain CSV file the row number is ``row_number() OVER ()``
right over ``read_csv``: DuckDB documents that its CSV reader returns rows in file order and that a
window with an empty ``OVER ()`` keeps that order (it runs as a single-threaded streaming window; the
filters and joins come after the number is attached). DuckDB skips blank lines, which Excel shows as
rows, so a CSV file with a blank line (other than at its end) is first rewritten by Python's ``csv``
module into a temporary CSV with an explicit row-number column, as an .xlsx sheet always is (there the
number is the real sheet row, so that pass runs in parallel).

Values are converted in SQL: timestamps with ``try_strptime`` over the ISO formats and the mapping's
formats, numbers with ``try_cast`` after removing the thousands separator, booleans, statuses,
channels and levels by exact spelling, code or folded word (``fold_key`` in SQL), text trimmed and
NFC-normalised. A cell that does not convert, a missing required value, each broken rule of
``schema._RULES`` (only when the cells it reads are valid), a duplicated code and an unknown unit are
each one ``RowError``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import json
import math
import os
import re
import shutil
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from cchc.core.tabular import RowError  # plain dataclass with a Vietnamese __str__; no Django needed
from cchc.core.text import fold_key

from . import schema
from .schema import CHANNEL_LABELS, COLUMN_NAMES, COLUMNS, SQL_TYPES, STATUS_LABELS

__all__ = [
    "DEFAULT_CHANNEL_VALUES",
    "DEFAULT_LEVEL_VALUES",
    "DEFAULT_STATUS_VALUES",
    "IngestFileError",
    "MergeResult",
    "RowError",
    "SourceMapping",
    "StageResult",
    "fold_key",
    "merge_snapshot",
    "aggregate_file",
    "FileContent",
    "content_digest",
    "stage_file",
]

# --------------------------------------------------------------------------------------------------
# Text folding: cchc.core.text.fold_key (no Django), plus "_" read as a space for header matching.


def _header_key(text: Any) -> str:
    return fold_key(str(text or "").replace("_", " "))


# --------------------------------------------------------------------------------------------------
# Mapping

DEFAULT_STATUS_VALUES: dict[str, int] = {fold_key(label): int(code) for code, label in STATUS_LABELS.items()}
DEFAULT_STATUS_VALUES.update(
    {
        "da tiep nhan": 2,
        "tu choi tiep nhan": 3,
        "tu choi": 3,
        "dang giai quyet": 4,
        "bo sung ho so": 5,
        "cho bo sung": 5,
        "thuc hien nghia vu tai chinh": 6,
        "rut": 7,
        "da rut": 7,
        "dung": 8,
        "da xu ly": 9,
        "da giai quyet": 9,
        "da tra": 10,
    }
)
DEFAULT_CHANNEL_VALUES: dict[str, int] = {
    fold_key(label): int(code) for code, label in CHANNEL_LABELS.items()
}
DEFAULT_CHANNEL_VALUES.update({"buu chinh": 3, "online": 2, "truc tiep tai bo phan mot cua": 1})
# Online-service levels; the old levels 3/4 ("mức độ 3/4") are the partial/full of today.
DEFAULT_LEVEL_VALUES: dict[str, str] = {
    "mot phan": "partial",
    "toan trinh": "full",
    "partial": "partial",
    "full": "full",
    "dvc truc tuyen mot phan": "partial",
    "dvc truc tuyen toan trinh": "full",
    "dich vu cong truc tuyen mot phan": "partial",
    "dich vu cong truc tuyen toan trinh": "full",
    "muc do 3": "partial",
    "muc do 4": "full",
    "3": "partial",
    "4": "full",
}

# Columns a file may leave out without a default in the mapping: optional data many systems lack.
OPTIONAL_DEFAULTS: dict[str, Any] = {
    "rating": None,
    "wait_minutes": None,
    "apology_letter": False,
    "due_reset": False,
}

# Vietnamese names of the canonical columns, for messages about a column that is not in the file.
COLUMN_LABELS: dict[str, str] = {
    "dossier_code": "Mã hồ sơ",
    "unit_code": "Mã đơn vị",
    "procedure_code": "Mã TTHC",
    "field": "Lĩnh vực",
    "level": "Mức độ",
    "online_eligible": "Cung cấp trực tuyến",
    "channel": "Kênh nộp",
    "submitted_at": "Ngày nộp",
    "received_at": "Ngày tiếp nhận",
    "due_at": "Ngày hẹn trả",
    "finished_at": "Ngày kết thúc xử lý",
    "returned_at": "Ngày trả kết quả",
    "status": "Trạng thái",
    "fee": "Phí, lệ phí",
    "paid_online": "Thanh toán trực tuyến",
    "components_total": "Số thành phần hồ sơ",
    "components_digitised": "Số thành phần đã số hóa",
    "result_digitised": "Kết quả số hóa",
    "rating": "Đánh giá",
    "apology_letter": "Phiếu xin lỗi",
    "wait_minutes": "Thời gian chờ (phút)",
    "due_reset": "Điều chỉnh ngày hẹn trả",
}

ISO_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
)


@dataclass(frozen=True)
class SourceMapping:
    """How the export of one source system maps onto the canonical record. Saved as JSON
    (``to_json`` / ``from_json``) and reused for every file of that system."""

    # canonical column -> header as written in the file (matched with fold_key); absent: own name
    columns: dict[str, str] = field(default_factory=dict)
    # canonical column -> constant used when the file has no such column
    defaults: dict[str, Any] = field(default_factory=dict)
    # value words (folded) -> canonical values; digits are always accepted as codes
    status_values: dict[str, int] = field(default_factory=dict)
    channel_values: dict[str, int] = field(default_factory=dict)
    level_values: dict[str, str] = field(default_factory=dict)
    true_values: tuple[str, ...] = ("1", "true", "x", "co", "yes", "dung")
    false_values: tuple[str, ...] = ("0", "false", "", "khong", "no", "sai")
    # extra datetime formats (strptime); ISO 'YYYY-MM-DD[ HH:MM[:SS]]' / 'YYYY-MM-DDTHH:MM:SS' always
    datetime_formats: tuple[str, ...] = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")
    thousands_separator: str = ""  # "." also makes "," the decimal separator ("12,5" minutes)
    delimiter: str | None = None  # CSV delimiter, None = detected from the header line
    # Systems whose dossier codes do not start with the unit code and the day ("000.00.12.H26-…"):
    # False skips that one format rule; codes must still be present and unique.
    dossier_code_format: bool = True
    # The source system's own unit codes -> the units' codes here (mã định danh "000.00.12.H26" ->
    # "10930"); codes not listed are taken as they are.
    unit_codes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = []
        for what, keys in (("columns", self.columns), ("defaults", self.defaults)):
            unknown = [k for k in keys if k not in SQL_TYPES]
            if unknown:
                problems.append(f"{what}: không có cột chuẩn {', '.join(map(repr, unknown))}")
        for name, header in self.columns.items():
            if not isinstance(header, str) or not fold_key(header):
                problems.append(f"columns: tiêu đề cột của {name} phải là một chuỗi không rỗng")
        if "dossier_code" in self.defaults:
            problems.append("defaults: mã hồ sơ không thể có giá trị mặc định")
        for name, value in self.defaults.items():
            col = _COLUMN.get(name)
            if col is not None and value is None and not col.nullable:
                problems.append(f"defaults: cột {name} bắt buộc, giá trị mặc định không thể để trống")
            if value is not None and not isinstance(value, str | int | float | bool):
                problems.append(f"defaults: giá trị của {name} phải là chuỗi, số hoặc đúng/sai")
        if any(
            not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 10
            for v in self.status_values.values()
        ):
            problems.append("status_values: trạng thái phải là số từ 1 đến 10")
        if any(
            not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 3
            for v in self.channel_values.values()
        ):
            problems.append("channel_values: kênh nộp phải là 1, 2 hoặc 3")
        if any(v not in schema.LEVELS for v in self.level_values.values()):
            problems.append("level_values: mức độ phải là 'partial' hoặc 'full'")
        if any(not str(k).strip() or not str(v).strip() for k, v in self.unit_codes.items()):
            problems.append("unit_codes: mã đơn vị nguồn và mã đơn vị đích không được để trống")
        if self.thousands_separator not in ("", ".", ",", " ", "\u00a0", "'"):
            problems.append("thousands_separator: chỉ nhận '', '.', ',', dấu cách hoặc '")
        if self.delimiter is not None and (len(self.delimiter) != 1 or self.delimiter in '"\r\n'):
            problems.append("delimiter: phải là một ký tự (',', ';', tab, '|')")
        for fmt in self.datetime_formats:
            if not isinstance(fmt, str) or "%" not in fmt:
                problems.append(f"datetime_formats: {fmt!r} không phải định dạng ngày giờ (kiểu strptime)")
        if problems:
            raise ValueError("Cấu hình ánh xạ cột không hợp lệ: " + "; ".join(problems))

    @classmethod
    def from_json(cls, data: dict | None) -> SourceMapping:
        data = dict(data or {})
        known = {
            "columns",
            "defaults",
            "status_values",
            "channel_values",
            "level_values",
            "true_values",
            "false_values",
            "datetime_formats",
            "thousands_separator",
            "delimiter",
            "dossier_code_format",
            "unit_codes",
        }
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"Cấu hình ánh xạ cột không hợp lệ: khóa lạ {', '.join(unknown)}")
        kwargs: dict[str, Any] = {}
        for key in ("columns", "defaults"):
            if key in data:
                kwargs[key] = dict(data[key] or {})
        for key in ("status_values", "channel_values", "level_values"):
            if key in data:
                kwargs[key] = {fold_key(k): v for k, v in (data[key] or {}).items()}
        for key in ("true_values", "false_values", "datetime_formats"):
            if key in data:
                kwargs[key] = tuple(data[key] or ())
        if "thousands_separator" in data:
            kwargs["thousands_separator"] = data["thousands_separator"] or ""
        if "delimiter" in data:
            kwargs["delimiter"] = data["delimiter"] or None
        if "dossier_code_format" in data:
            kwargs["dossier_code_format"] = bool(data["dossier_code_format"])
        if "unit_codes" in data:
            kwargs["unit_codes"] = {
                str(k).strip(): str(v).strip() for k, v in (data["unit_codes"] or {}).items()
            }
        return cls(**kwargs)

    def to_json(self) -> dict:
        return {
            "columns": dict(self.columns),
            "defaults": dict(self.defaults),
            "status_values": dict(self.status_values),
            "channel_values": dict(self.channel_values),
            "level_values": dict(self.level_values),
            "true_values": list(self.true_values),
            "false_values": list(self.false_values),
            "datetime_formats": list(self.datetime_formats),
            "thousands_separator": self.thousands_separator,
            "delimiter": self.delimiter,
            "dossier_code_format": self.dossier_code_format,
            "unit_codes": dict(self.unit_codes),
        }

    # The word maps with the defaults merged under the mapping's own words, keys folded.
    def status_words(self) -> dict[str, int]:
        return {**DEFAULT_STATUS_VALUES, **{fold_key(k): int(v) for k, v in self.status_values.items()}}

    def channel_words(self) -> dict[str, int]:
        return {**DEFAULT_CHANNEL_VALUES, **{fold_key(k): int(v) for k, v in self.channel_values.items()}}

    def level_words(self) -> dict[str, str]:
        return {**DEFAULT_LEVEL_VALUES, **{fold_key(k): v for k, v in self.level_values.items()}}

    def header_for(self, name: str) -> str:
        """The header this mapping expects in the file for a canonical column."""
        return self.columns.get(name) or name


_COLUMN = {c.name: c for c in COLUMNS}


class IngestFileError(Exception):
    """The whole file cannot be imported (unreadable, wrong type, empty, missing columns); nothing
    was written. ``message`` is in Vietnamese."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass
class StageResult:
    rows: int  # data rows read
    errors: list[RowError]  # the first max_errors problems, in file order
    error_count: int  # all problems (may exceed len(errors))
    path: Path | None  # the canonical Parquet written; None when there were errors
    seconds: float


@dataclass
class MergeResult:
    inserted: int
    updated: int
    unchanged: int
    total: int  # rows in the resulting snapshot
    snapshot: Path | None  # the new snapshot file; None when nothing changed (keep the current one)
    seconds: float


# --------------------------------------------------------------------------------------------------
# Messages

RULE_MESSAGES: dict[str, tuple[str, str]] = {
    # rule name -> (column the message is about, SQL expression of the Vietnamese message)
    "status outside 1–10": ("status", "'trạng thái phải từ 1 đến 10'"),
    "channel outside 1–3": ("channel", "'kênh nộp phải là 1, 2 hoặc 3'"),
    "level not partial/full": ("level", "'mức độ phải là một phần hoặc toàn trình'"),
    "dossier_code not {unit_code}-{yyMMdd}-{seq}": (
        "dossier_code",
        "'mã hồ sơ «' || dossier_code || '» phải có dạng {mã đơn vị}-{ngày nộp yyMMdd}-{số thứ tự}, "
        "tức là bắt đầu bằng «' || unit_code || '-' || strftime(submitted_at, '%y%m%d') || '-»'",
    ),
    "online channel for a procedure not offered online": (
        "channel",
        "'hồ sơ nộp trực tuyến nhưng thủ tục không được cung cấp trực tuyến'",
    ),
    "received_at set iff status not in (1, 3)": (
        "received_at",
        "CASE WHEN received_at IS NULL THEN 'ngày tiếp nhận phải có khi trạng thái khác 1 và 3' "
        "ELSE 'ngày tiếp nhận phải để trống khi trạng thái là 1 (mới đăng ký) hoặc 3 (không được tiếp nhận)' END",
    ),
    "due_at missing for a received dossier": (
        "due_at",
        "'ngày hẹn trả phải có khi hồ sơ đã được tiếp nhận'",
    ),
    "finished_at set iff status in (7, 8, 9, 10)": (
        "finished_at",
        "CASE WHEN finished_at IS NULL THEN 'ngày kết thúc xử lý phải có khi trạng thái từ 7 đến 10' "
        "ELSE 'ngày kết thúc xử lý phải để trống khi trạng thái từ 1 đến 6' END",
    ),
    "returned_at set iff status = 10": (
        "returned_at",
        "CASE WHEN returned_at IS NULL THEN 'ngày trả kết quả phải có khi trạng thái là 10 (đã trả kết quả)' "
        "ELSE 'ngày trả kết quả phải để trống khi trạng thái khác 10 (đã trả kết quả)' END",
    ),
    "received before submitted": ("received_at", "'ngày tiếp nhận trước ngày nộp'"),
    "due date before reception date": ("due_at", "'ngày hẹn trả trước ngày tiếp nhận'"),
    "finished before received": ("finished_at", "'ngày kết thúc xử lý trước ngày tiếp nhận'"),
    "returned before finished": ("returned_at", "'ngày trả kết quả trước ngày kết thúc xử lý'"),
    "negative fee": ("fee", "'phí, lệ phí không được âm'"),
    "paid online without a fee": ("paid_online", "'thanh toán trực tuyến nhưng hồ sơ không có phí, lệ phí'"),
    "components out of range": (
        "components_digitised",
        "CASE WHEN components_total < 0 OR components_digitised < 0 "
        "THEN 'số thành phần hồ sơ không được âm' "
        "ELSE 'số thành phần đã số hóa (' || components_digitised || ') lớn hơn số thành phần hồ sơ (' "
        "|| components_total || ')' END",
    ),
    "rating outside 1–5": ("rating", "'đánh giá phải từ 1 đến 5'"),
    "negative wait_minutes": ("wait_minutes", "'thời gian chờ không được âm'"),
    "due_reset without an apology letter": (
        "due_reset",
        "'điều chỉnh ngày hẹn trả nhưng không có phiếu xin lỗi'",
    ),
}

MSG_REQUIRED = "thiếu giá trị bắt buộc"
_BAD_VALUE = {
    "timestamp": "không phải ngày giờ hợp lệ",
    "number": "không phải số",
    "boolean": "không phải giá trị có/không (Có, Không, x, 1, 0)",
    "status": "không phải trạng thái hồ sơ (1–10 hoặc tên trạng thái)",
    "channel": "không phải kênh nộp hồ sơ (1–3 hoặc Trực tiếp, Trực tuyến, Bưu chính công ích)",
    "level": "không phải mức độ dịch vụ công trực tuyến (một phần hoặc toàn trình)",
}
_NOT_INTEGER = "không phải số nguyên"
_OUT_OF_RANGE = "vượt quá giới hạn cho phép"

_GUARD_MESSAGE = "CCHC_INGEST_ROW_ERROR"

# --------------------------------------------------------------------------------------------------
# SQL helpers


def _lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _case_map(x: str, mapping: dict[str, str], otherwise: str = "NULL") -> str:
    """``CASE x WHEN key THEN value ... ELSE otherwise END`` (values are SQL). Not IN lists, MAPs or
    list_contains: DuckDB turns IN lists in a SELECT list into mark joins; MAP lookups cost more."""
    if not mapping:
        return otherwise
    whens = " ".join(f"WHEN {_lit(k)} THEN {v}" for k, v in mapping.items())
    return f"CASE {x} {whens} ELSE {otherwise} END"


_WS = " \t\r\n\u00a0\ufeff"


def _clean(x: str) -> str:
    """Trimmed value, NULL when empty. trim() costs ~100 ns a value, so only values that start or
    end with a space, or hold a tab or a non-breaking space, are trimmed."""
    return (
        f"nullif(CASE WHEN starts_with({x}, ' ') OR ends_with({x}, ' ') OR contains({x}, chr(9)) "
        f"OR contains({x}, chr(160)) OR contains({x}, chr(65279)) THEN trim({x}, {_lit(_WS)}) ELSE {x} END, '')"
    )


def _sql_fold(x: str) -> str:
    """fold_key in SQL (an ASCII result for Vietnamese text)."""
    return (
        f"trim(regexp_replace(regexp_replace(lower(strip_accents(replace(replace({x}, 'đ', 'd'), 'Đ', 'D'))), "
        f"'[^a-z0-9_\\s]', ' ', 'g'), '\\s+', ' ', 'g'))"
    )


def _nfc(x: str) -> str:
    """NFC, computed only for non-ASCII values holding a combining mark (nfc_normalize is slow)."""
    return (
        f"CASE WHEN strlen({x}) = length({x}) THEN {x} "
        f"WHEN regexp_matches({x}, '[\\x{{0300}}-\\x{{036F}}]') THEN nfc_normalize({x}) ELSE {x} END"
    )


def _quote_value(x: str) -> str:
    """'«value»' in SQL, long values shortened."""
    return f"'«' || CASE WHEN length({x}) > 60 THEN left({x}, 57) || '...' ELSE {x} END || '»'"


@dataclass
class _Check:
    order: int
    column: str  # header as written in the file (or expected)
    condition: str  # SQL, TRUE for a bad row
    message: str  # SQL expression


def _r(name: str) -> str:
    return _ident("__r_" + name)


def _e(name: str) -> str:
    return _ident("__e_" + name)


def _f(name: str) -> str:
    return _ident("__f_" + name)


def _d(name: str) -> str:
    return _ident("__d_" + name)


class _Plan:
    """The SQL of one file, as layers of SELECTs over ``read_csv(all_varchar)``:

    A. ``__row`` and the trimmed raw text ``__r_<col>`` of every canonical column (or its default);
    F. the folded key ``__f_<col>`` of word columns (status, channel, level, booleans), computed only
       for values that are neither a code nor an exact spelling;
    B. typed values ``<col>`` (numbers as ``__d_<col>`` DOUBLE first);
    C. typed numbers and the error code of every cell ``__e_<col>``: NULL ok, 1 missing,
       2 not convertible, 3 not an integer, 4 out of range.
    The checks (cells, unit catalogue, schema rules) are conditions over C."""

    def __init__(
        self,
        mapping: SourceMapping,
        headers: list[str],
        known_table: str | None,
        unit_table: str | None = None,
    ):
        self.unit_table = unit_table
        self.mapping = mapping
        self.known_table = known_table
        self.known_codes: list[str] | None = None  # sorted, when the unit catalogue is checked
        self.formats: dict[str, list[str]] = {}  # timestamp column -> formats, most used first
        by_key: dict[str, list[str]] = {}
        for h in headers:
            by_key.setdefault(_header_key(h), []).append(h)
        self.source: dict[str, str | None] = {}  # canonical -> header in file (None = default)
        self.defaults: dict[str, Any] = {}
        self.display: dict[str, str] = {}  # canonical -> header for messages
        missing = []
        for col in COLUMNS:
            wanted = mapping.header_for(col.name)
            found = by_key.get(_header_key(wanted)) or by_key.get(_header_key(col.name))
            if found and len(found) > 1:
                raise IngestFileError(
                    f"Tệp có {len(found)} cột cùng tên «{found[0]}» (cột «{wanted}»): hãy đổi tên hoặc xóa bớt."
                )
            if found:
                self.source[col.name] = found[0]
                self.display[col.name] = found[0]
            elif col.name in mapping.defaults or col.name in OPTIONAL_DEFAULTS:
                self.source[col.name] = None
                self.defaults[col.name] = mapping.defaults.get(col.name, OPTIONAL_DEFAULTS.get(col.name))
                self.display[col.name] = wanted
            else:
                missing.append((col.name, wanted))
        if missing:
            names = ", ".join(
                f"«{wanted}»" if wanted != name else f"«{name}» ({COLUMN_LABELS[name]})"
                for name, wanted in missing
            )
            raise IngestFileError(
                f"Tệp thiếu {len(missing)} cột bắt buộc: {names}. Hãy kiểm tra dòng tiêu đề hoặc cấu hình ánh xạ cột."
            )

    def datetime_formats(self) -> list[str]:
        return list(dict.fromkeys((*ISO_FORMATS, *self.mapping.datetime_formats)))

    def sniff_formats(
        self, con: duckdb.DuckDBPyConnection, source_sql: str, sample: int = 2000, stamp: tuple = ()
    ) -> None:
        """Order the datetime formats of each timestamp column by how many of the first ``sample``
        rows they parse. try_strptime tries a list of formats in order and a failed attempt costs
        ~10x a successful one, so the usual format goes first (all formats are still tried)."""
        formats = self.datetime_formats()
        columns = [c.name for c in COLUMNS if self.kind(c.name) == "timestamp" and self.source[c.name]]
        if not columns or len(formats) < 2:
            return
        # An import opens its file up to three times (content, digests, staging): sniff it once. The
        # order only makes parsing faster (every format is still tried), so a stale entry is harmless.
        key = (source_sql, stamp, tuple(formats), tuple(self.source[n] for n in columns))
        if key in _SNIFFED:
            self.formats.update(_SNIFFED[key])
            return
        counts = ", ".join(
            f"count(try_strptime({_clean(_ident(self.source[n]))}, {_lit(f)}))"
            for n in columns
            for f in formats
        )
        row = con.execute(f"SELECT {counts} FROM (SELECT * FROM {source_sql} LIMIT {int(sample)})").fetchone()
        for i, name in enumerate(columns):
            hits = row[i * len(formats) : (i + 1) * len(formats)]
            order = sorted(range(len(formats)), key=lambda k: -hits[k])  # stable: ties keep their order
            self.formats[name] = [formats[k] for k in order]
        if len(_SNIFFED) >= 16:
            _SNIFFED.pop(next(iter(_SNIFFED)))
        _SNIFFED[key] = {n: self.formats[n] for n in columns}

    # -- A: raw text ------------------------------------------------------------------------------
    def raw_sql(self, name: str) -> str:
        header = self.source[name]
        if header is not None:
            return _clean(_ident(header))
        value = self.defaults[name]
        if isinstance(value, bool):
            return _lit("true" if value else "false")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = "" if value is None else str(value).strip()
        return f"{_lit(text)}::VARCHAR" if text else "NULL::VARCHAR"

    def layer_a(self, source_sql: str, row_expr: str) -> str:
        cols = [f"{row_expr} AS __row"]
        cols += [f"{self.raw_sql(c.name)} AS {_r(c.name)}" for c in COLUMNS]
        return f"SELECT {', '.join(cols)} FROM {source_sql}"

    # -- the content of the file as read ----------------------------------------------------------
    def content_hash_sql(self) -> str:
        """A 64-bit hash of one record's cells exactly as read (not trimmed: trimming costs as much
        as the hash), in canonical column order, defaults included: two records with the same cells
        under the same headers have the same hash whatever the order of the columns in the file."""
        cells = []
        for c in COLUMNS:
            header = self.source[c.name]
            cells.append(_ident(header) if header is not None else self.raw_sql(c.name))
        return f"hash({', '.join(cells)})"

    def received_sql(self) -> str:
        """The reception time as layer B converts it, over the column ``__r_received_at``."""
        return self._value_b(next(c for c in COLUMNS if c.name == "received_at"))

    def only_months(self, source_sql: str, month_key: Callable[[str], str], months: Collection[str]) -> str:
        """The source's records whose reception month (``month_key``, converted as layer B does)
        is one of ``months``: filtered before any other cell is converted or checked."""
        listed = ", ".join(_lit(m) for m in sorted(months))
        r = _r("received_at")
        return (
            f"(SELECT * EXCLUDE ({r}) FROM (SELECT *, {self.raw_sql('received_at')} AS {r} FROM {source_sql}) "
            f"WHERE {month_key(self.received_sql())} IN ({listed}))"
        )

    def reading_key(self) -> str:
        """What the conversion of a cell depends on besides the cell: the mapping, the order in
        which the datetime formats are tried (sniffed from the first rows; an ambiguous date parses
        by the first format that fits), the unit catalogue and DuckDB's hash. Equal content under
        equal keys converts to equal canonical rows."""
        known = "-"
        if self.known_codes is not None:
            known = hashlib.sha256("\n".join(self.known_codes).encode()).hexdigest()
        spec = {
            "mapping": self.mapping.to_json(),
            "formats": {k: self.formats[k] for k in sorted(self.formats)},
            "known": known,
            "hash": f"duckdb-{duckdb.__version__}-content-1",
        }
        return hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]

    # -- B: typed values --------------------------------------------------------------------------
    def kind(self, name: str) -> str:
        t = SQL_TYPES[name]
        if name in ("status", "channel", "level"):
            return name
        if t == "BOOLEAN":
            return "boolean"
        if t == "TIMESTAMP":
            return "timestamp"
        if t in ("TINYINT", "SMALLINT", "DOUBLE") or t.startswith("DECIMAL"):
            return "number"
        return "text"

    def _words(self, name: str) -> tuple[dict[str, str], dict[str, str]]:
        """(exact spellings, folded keys) -> SQL value of a word column; the canonical spellings
        first (a CASE tries its WHENs in order)."""
        m = self.mapping
        kind = self.kind(name)
        if kind == "status":
            folded = {k: f"{v}::TINYINT" for k, v in m.status_words().items()}
            first = {label: f"{int(code)}::TINYINT" for code, label in STATUS_LABELS.items()}
        elif kind == "channel":
            folded = {k: f"{v}::TINYINT" for k, v in m.channel_words().items()}
            first = {label: f"{int(code)}::TINYINT" for code, label in CHANNEL_LABELS.items()}
        elif kind == "level":
            folded = {k: _lit(v) for k, v in m.level_words().items()}
            first = {
                "partial": "'partial'",
                "full": "'full'",
                "Một phần": "'partial'",
                "Toàn trình": "'full'",
            }
        else:  # boolean
            folded = {fold_key(v): "false" for v in m.false_values}
            folded.update({fold_key(v): "true" for v in m.true_values})
            folded.update({"true": "true", "false": "false"})
            first = {"true": "true", "false": "false"}
            first.update(
                {k: folded[fold_key(k)] for k in ("Có", "Không", "TRUE", "FALSE") if fold_key(k) in folded}
            )
        folded = {k: v for k, v in folded.items() if k}
        exact = dict(first)
        exact.update((k, v) for k, v in folded.items() if k not in exact)
        return exact, folded

    def _value_b(self, c: schema.Column) -> str:
        r = _r(c.name)
        kind = self.kind(c.name)
        if kind == "text":
            return self.unit_value() if c.name == "unit_code" else _nfc(r)
        if kind == "timestamp":
            formats = self.formats.get(c.name) or self.datetime_formats()
            return f"try_strptime({r}, [{', '.join(_lit(f) for f in formats)}])"
        if kind == "number":
            sep = self.mapping.thousands_separator
            x = r
            if sep:
                x = f"replace({x}, {_lit(sep)}, '')"
            if sep == ".":
                x = f"replace({x}, ',', '.')"
            return f"try_cast({x} AS DOUBLE)"
        # Tiers, cheapest first, nested as CASE ... ELSE (a CASE evaluates its ELSE only for the rows
        # not matched yet; coalesce would evaluate every argument): codes, exact spellings (canonical
        # words first), then the folded key computed in layer F for the other values only.
        exact, folded = self._words(c.name)
        value = _case_map(r, exact, _case_map(_f(c.name), folded))
        if kind in ("status", "channel"):
            value = f"CASE WHEN {self._digits(c.name)} THEN {self._numeric_code(c.name)} ELSE {value} END"
        if kind == "boolean":
            falses = {fold_key(v) for v in self.mapping.false_values}
            trues = {fold_key(v) for v in self.mapping.true_values}
            empty = "false" if "" in falses else ("true" if "" in trues else "NULL")
            value = f"CASE WHEN {r} IS NULL THEN {empty} ELSE {value} END"
        return value

    def unit_value(self) -> str:
        """The unit code as written, or its translation through the mapping's ``unit_codes``."""
        r = _nfc(_r("unit_code"))
        if not self.unit_table:
            return r
        return f"coalesce((SELECT dst FROM {self.unit_table} WHERE src = {r}), {r})"

    def _digits(self, name: str) -> str:
        return f"regexp_full_match({_r(name)}, '[0-9]{{1,3}}')"

    def _numeric_code(self, name: str) -> str:
        r, hi = _r(name), (10 if name == "status" else 3)
        return f"CASE WHEN try_cast({r} AS INTEGER) BETWEEN 1 AND {hi} THEN try_cast({r} AS TINYINT) END"

    def layer_f(self, inner: str) -> str:
        """Folded keys ``__f_<col>`` of word columns, only for values no cheaper tier recognises
        (a simple ``CASE f(x) WHEN ...`` would evaluate f(x) once for every WHEN)."""
        cols = ["*"]
        for c in COLUMNS:
            if self.kind(c.name) not in ("status", "channel", "level", "boolean"):
                continue
            r = _r(c.name)
            exact, _ = self._words(c.name)
            known = _case_map(r, dict.fromkeys(exact, "true"), "false")
            if self.kind(c.name) in ("status", "channel"):
                known = f"{self._digits(c.name)} OR {known}"
            cols.append(f"CASE WHEN {r} IS NULL OR {known} THEN NULL ELSE {_sql_fold(r)} END AS {_f(c.name)}")
        return f"SELECT {', '.join(cols)} FROM ({inner})"

    def layer_b(self, inner: str) -> str:
        cols = ["__row"]
        for c in COLUMNS:
            value = self._value_b(c)
            cols.append(f"{value} AS {_d(c.name) if self.kind(c.name) == 'number' else _ident(c.name)}")
            cols.append(_r(c.name))
        if self.known_table:
            cols.append(
                f"{_r('unit_code')} IS NOT NULL AND {self.unit_value()} IN (SELECT code FROM {self.known_table}) "
                "AS __unit_known"
            )
        return f"SELECT {', '.join(cols)} FROM ({inner})"

    # -- C: typed numbers and error codes ---------------------------------------------------------
    def _value_c(self, c: schema.Column) -> tuple[str, str]:
        r, kind = _r(c.name), self.kind(c.name)
        required = "NULL" if c.nullable else "1"
        if kind != "number":
            v = _ident(c.name)
            if kind == "boolean":
                return v, f"CASE WHEN {v} IS NULL THEN (CASE WHEN {r} IS NULL THEN {required} ELSE 2 END) END"
            return v, f"CASE WHEN {r} IS NULL THEN {required} WHEN {v} IS NULL THEN 2 END"
        d = _d(c.name)
        if c.sql_type == "DOUBLE":
            value = f"CASE WHEN isfinite({d}) THEN {d} END"
            return (
                value,
                f"CASE WHEN {r} IS NULL THEN {required} WHEN NOT coalesce(isfinite({d}), false) THEN 2 END",
            )
        limit = {"TINYINT": 127, "SMALLINT": 32767}.get(c.sql_type, 10**15 - 1)
        value = f"CASE WHEN isfinite({d}) AND {d} = round({d}) AND abs({d}) <= {limit} THEN CAST({d} AS {c.sql_type}) END"
        code = (
            f"CASE WHEN {r} IS NULL THEN {required} WHEN {d} IS NULL OR NOT isfinite({d}) THEN 2 "
            f"WHEN {d} <> round({d}) THEN 3 WHEN abs({d}) > {limit} THEN 4 END"
        )
        return value, code

    def layer_c(self, inner: str) -> str:
        cols = ["__row"]
        for c in COLUMNS:
            value, code = self._value_c(c)
            cols += [f"{value} AS {_ident(c.name)}", f"{code} AS {_e(c.name)}", _r(c.name)]
        if self.known_table:
            cols.append("__unit_known")
        return f"SELECT {', '.join(cols)} FROM ({inner})"

    def converted(self, source_sql: str, row_expr: str = "NULL::BIGINT") -> str:
        return self.layer_c(self.layer_b(self.layer_f(self.layer_a(source_sql, row_expr))))

    # -- checks over C ----------------------------------------------------------------------------
    def checks(self) -> list[_Check]:
        out: list[_Check] = []
        for c in COLUMNS:
            e = _e(c.name)
            bad = _quote_value(_r(c.name))
            message = (
                f"CASE {e} WHEN 1 THEN {_lit(MSG_REQUIRED)} "
                f"WHEN 3 THEN {bad} || {_lit(' ' + _NOT_INTEGER)} "
                f"WHEN 4 THEN {bad} || {_lit(' ' + _OUT_OF_RANGE)} "
                f"ELSE {bad} || {_lit(' ' + _BAD_VALUE.get(self.kind(c.name), 'không hợp lệ'))} END"
            )
            out.append(_Check(len(out), self.display[c.name], f"{e} IS NOT NULL", message))
        if self.known_table:
            out.append(
                _Check(
                    len(out),
                    self.display["unit_code"],
                    f"{_e('unit_code')} IS NULL AND NOT __unit_known",
                    "'mã đơn vị «' || unit_code || '» không có trong danh mục đơn vị'",
                )
            )
        for name, condition in schema._RULES:
            if name == schema.DOSSIER_CODE_RULE and not self.mapping.dossier_code_format:
                continue
            column, message = RULE_MESSAGES.get(name, (None, _lit(name)))
            used = [n for n in COLUMN_NAMES if re.search(rf"\b{n}\b", condition)]
            column = column or (used[0] if used else "dossier_code")
            clean = " AND ".join(f"{_e(n)} IS NULL" for n in used) or "true"
            out.append(
                _Check(
                    len(out), self.display[column], f"({clean} AND coalesce(({condition}), false))", message
                )
            )
        return out

    def guarded_select(self, source_sql: str) -> str:
        """Canonical columns; raises (error()) on the first row with a problem."""
        bad = " OR ".join(f"({ch.condition})" for ch in self.checks())
        cols = ", ".join(f"CAST({_ident(c.name)} AS {c.sql_type}) AS {_ident(c.name)}" for c in COLUMNS)
        return (
            f"SELECT {cols} FROM ({self.converted(source_sql)}) "
            f"WHERE CASE WHEN {bad} THEN error({_lit(_GUARD_MESSAGE)}) ELSE true END"
        )

    def _code(self) -> str:
        return f"CASE WHEN {_e('dossier_code')} IS NULL THEN dossier_code END"

    def codes_select(self, source_sql: str) -> str:
        """The valid dossier codes (only that column is converted)."""
        return f"SELECT {self._code()} AS code FROM ({self.converted(source_sql)})"

    def count_select(self, source_sql: str) -> str:
        """(rows, number of cell and rule problems) in one parallel pass."""
        failed = " + ".join(f"CAST(({ch.condition}) AS INTEGER)" for ch in self.checks())
        return f"SELECT count(*), coalesce(sum({failed}), 0) FROM ({self.converted(source_sql)})"

    def diagnostic_select(self, source_sql: str, row_expr: str, dups: str | None, limit: int | None) -> str:
        """(row, dossier_code, list of problems or NULL) of the rows with a problem or a duplicated
        code (``dups``: a table of such codes), in file order, the first ``limit`` of them."""
        checks = self.checks()
        bad = " OR ".join(f"({ch.condition})" for ch in checks)
        structs = ", ".join(
            f"{{'ord': {ch.order}, 'col': {_lit(ch.column)}, 'msg': CASE WHEN {ch.condition} THEN {ch.message} END}}"
            for ch in checks
        )
        problems = f"CASE WHEN {bad} THEN list_filter([{structs}], lambda x: x.msg IS NOT NULL) END"
        keep = "problems IS NOT NULL"
        if dups:
            keep += f" OR dossier_code IN (SELECT code FROM {dups})"
        return (
            f"SELECT __row, dossier_code, problems FROM ("
            f"SELECT __row, {self._code()} AS dossier_code, {problems} AS problems "
            f"FROM ({self.converted(source_sql, row_expr)})) WHERE {keep}"
            + (f" LIMIT {int(limit)}" if limit is not None else "")
        )

    def default_error(self, con: duckdb.DuckDBPyConnection, name: str) -> int | None:
        """Error code of a default value (converted as if it were a cell)."""
        row = ", ".join(
            f"{self.raw_sql(c.name) if c.name == name else 'NULL::VARCHAR'} AS {_ident(c.name)}"
            for c in COLUMNS
        )
        saved = dict(self.source)
        try:
            self.source = {c.name: c.name for c in COLUMNS}
            self.source[name] = None
            sql = self.converted(f"(SELECT {row})")
        finally:
            self.source = saved
        return con.execute(f"SELECT {_e(name)} FROM ({sql})").fetchone()[0]


# --------------------------------------------------------------------------------------------------
# Progress


class _Progress:
    """Monotonic progress reports to the caller's callback, throttled to 10 a second; a forced report
    (the end of a phase) goes at once: the job store throttles its own writes, and an import must not
    wait on its progress bar."""

    def __init__(self, callback: Callable[[float], None] | None):
        self.callback = callback
        self.value = 0.0
        self.last_call = 0.0

    def report(self, fraction: float, *, force: bool = False) -> None:
        if self.callback is None:
            return
        fraction = min(max(fraction, self.value), 1.0)
        now = time.monotonic()
        if not force and (fraction <= self.value or now - self.last_call < 0.1):
            return
        self.value = fraction
        self.last_call = time.monotonic()
        self.callback(fraction)

    def span(self, start: float, end: float) -> Callable[[float], None]:
        def report(fraction: float) -> None:
            self.report(start + (end - start) * min(max(fraction, 0.0), 1.0))

        return report


def _run(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: list | None = None,
    progress: Callable[[float], None] | None = None,
) -> list[tuple]:
    """Run a query; with ``progress``, run it in a worker thread and poll ``query_progress`` from the
    caller's thread (so the callback runs where the caller expects it; if it raises, the query is
    interrupted and the exception propagates)."""
    if progress is None:
        return con.execute(sql, params).fetchall()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["rows"] = con.execute(sql, params).fetchall()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="cchc-ingest-query", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
            if worker.is_alive():
                fraction = con.query_progress()
                if fraction is not None and fraction >= 0:
                    progress(fraction / 100.0)
    except BaseException:
        with contextlib.suppress(Exception):
            con.interrupt()
        worker.join()
        raise
    if "error" in outcome:
        raise outcome["error"]
    return outcome["rows"]


# --------------------------------------------------------------------------------------------------
# Connections and scratch files


@contextlib.contextmanager
def _connection(
    con: duckdb.DuckDBPyConnection | None, directory: Path
) -> Iterator[duckdb.DuckDBPyConnection]:
    if con is not None:
        wanted = {
            "enable_progress_bar": True,
            "enable_progress_bar_print": False,
            "preserve_insertion_order": True,
        }
        saved = {name: con.execute(f"SELECT current_setting('{name}')").fetchone()[0] for name in wanted}
        for name, value in wanted.items():
            con.execute(f"SET {name} = {str(value).lower()}")
        try:
            yield con
        finally:
            for name, value in saved.items():
                with contextlib.suppress(duckdb.Error):
                    con.execute(f"SET {name} = {str(bool(value)).lower()}")
        return
    temp_dir = directory / f".duckdb-tmp-{uuid.uuid4().hex[:12]}"
    own = duckdb.connect()
    try:
        own.execute(f"SET threads = {int(os.cpu_count() or 1)}")
        own.execute(f"SET memory_limit = {_lit(os.environ.get('CCHC_DUCKDB_MEMORY', '1GB'))}")
        own.execute(f"SET temp_directory = {_lit(str(temp_dir))}")
        own.execute("SET enable_progress_bar = true")
        own.execute("SET enable_progress_bar_print = false")
        own.execute("SET preserve_insertion_order = true")
        yield own
    finally:
        own.close()
        shutil.rmtree(temp_dir, ignore_errors=True)


class _Scratch:
    """Temporary files beside the output, removed at the end."""

    def __init__(self, directory: Path, stem: str):
        self.directory = directory
        self.stem = stem
        self.paths: list[Path] = []

    def path(self, suffix: str) -> Path:
        p = self.directory / f".{self.stem}.{uuid.uuid4().hex[:12]}{suffix}"
        self.paths.append(p)
        return p

    def cleanup(self) -> None:
        for p in self.paths:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()


# --------------------------------------------------------------------------------------------------
# Reading the file


# (source SQL, file stamp, formats, headers) -> the datetime formats of each column in sniffed order.
_SNIFFED: dict[tuple, dict[str, list[str]]] = {}


def _file_stamp(path: Path) -> tuple:
    """Size and modification time of a file, or () when it cannot be read."""
    try:
        stat = path.stat()
    except OSError:
        return ()
    return (stat.st_size, stat.st_mtime_ns)


@dataclass
class _Source:
    csv_path: Path
    delimiter: str
    sheet: str  # "" for CSV
    row_column: str | None  # column holding the row number, or None: row_number() OVER () + 1

    def read_sql(self) -> str:
        opts = [
            _lit(str(self.csv_path)),
            "all_varchar = true",
            "header = true",
            f"delim = {_lit(self.delimiter)}",
            "quote = '\"'",
            "escape = '\"'",
            "auto_detect = true",
        ]
        return f"read_csv({', '.join(opts)})"


_ROW_COLUMN = "__cchc_row__"
_DELIMITERS = (",", ";", "\t", "|")


def _first_line(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(1 << 20)
    if not head.strip():
        raise IngestFileError("Tệp trống: không có dòng tiêu đề và dữ liệu.")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestFileError("Tệp CSV đang ở bảng mã UTF-16: hãy lưu lại với bảng mã UTF-8 (CSV UTF-8).")
    line = head.lstrip(b"\r\n").split(b"\n", 1)[0]
    try:
        return line.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError as exc:
        if len(line) >= (1 << 20) - 4:
            return line.decode("utf-8", errors="ignore")
        raise IngestFileError(_NOT_UTF8) from exc


_NOT_UTF8 = "Tệp CSV không ở bảng mã UTF-8: hãy mở tệp và lưu lại với kiểu «CSV UTF-8», rồi tải lên lại."


def _detect_delimiter(line: str) -> str:
    counts = {d: 0 for d in _DELIMITERS}
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _has_blank_lines(path: Path) -> bool:
    """Whether a blank line comes before some data: DuckDB's CSV reader skips blank lines, Excel
    shows them as rows. (A blank line inside a quoted value also counts: the slower numbering is
    still right then.) Reads in chunks (an mmap would count the whole file in the RSS)."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(4)
        start = 3 if head.startswith(b"\xef\xbb\xbf") else 0
        if head[start : start + 1] in (b"\n", b"\r"):
            return True
        handle.seek(0)
        offset, tail = 0, b""
        while chunk := handle.read(8 << 20):
            data = tail + chunk
            for pattern in (b"\n\n", b"\n\r\n"):
                pos = data.find(pattern)
                if pos >= 0:
                    end = offset - len(tail) + pos  # position in the file
                    if size - end > 4096:
                        return True
                    handle.seek(end)
                    return bool(handle.read().strip())  # False: only blank lines up to the end
            offset += len(chunk)
            tail = data[-2:]
    return False


def _csv_source(path: Path, mapping: SourceMapping) -> _Source:
    line = _first_line(path)
    return _Source(path, mapping.delimiter or _detect_delimiter(line), "", None)


def _numbered_csv(source: _Source, scratch: _Scratch, report: Callable[[float], None]) -> _Source:
    """The CSV rewritten by Python's csv module with the Excel row number of every record in a first
    column (for files with blank lines, which DuckDB skips). Streams; rows are not kept."""
    out = scratch.path(".csv")
    size = max(source.csv_path.stat().st_size, 1)
    try:
        with (
            open(source.csv_path, encoding="utf-8-sig", newline="") as src,
            open(out, "w", encoding="utf-8", newline="") as dst,
        ):
            reader = csv.reader(src, delimiter=source.delimiter, quotechar='"', doublequote=True)
            writer = csv.writer(dst, lineterminator="\n")
            width = None
            for number, record in enumerate(reader, start=1):
                if not record:  # a blank line: a row in Excel, nothing for DuckDB
                    continue
                if width is None:
                    width = len(record)
                    writer.writerow([_ROW_COLUMN, *record])
                    continue
                if len(record) != width:
                    raise IngestFileError(
                        f"Tệp CSV bị lỗi cấu trúc ở dòng {number}: có {len(record)} cột "
                        f"trong khi dòng tiêu đề có {width} cột."
                    )
                writer.writerow([number, *record])
                if number % 50_000 == 0:
                    report(src.buffer.tell() / size)
    except UnicodeDecodeError as exc:
        raise IngestFileError(_NOT_UTF8) from exc
    except csv.Error as exc:
        raise IngestFileError(f"Tệp CSV bị lỗi cấu trúc: {exc}") from exc
    return _Source(out, ",", source.sheet, _ROW_COLUMN)


def _xlsx_cell(value: Any, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        # Excel stores times as fractions of a day: snap values within 1 ms to the whole second.
        micro = value.microsecond
        if micro and (micro < 1000 or micro > 999_000):
            value = value.replace(microsecond=0) + (
                dt.timedelta(seconds=1) if micro > 999_000 else dt.timedelta()
            )
        return value.isoformat(sep=" ", timespec="microseconds" if value.microsecond else "seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        text = repr(value)
        return text.replace(".", ",") if decimal_comma else text
    return str(value)


def _xlsx_source(
    path: Path, mapping: SourceMapping, scratch: _Scratch, report: Callable[[float], None]
) -> _Source:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors alike: not a workbook we can read
        raise IngestFileError("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ.") from exc
    out = scratch.path(".csv")
    decimal_comma = mapping.thousands_separator == "."
    try:
        if not workbook.worksheets:
            raise IngestFileError("Tệp Excel không có trang tính nào.")
        sheet = workbook.worksheets[0]
        max_row = sheet.max_row or 0
        width = None
        with open(out, "w", encoding="utf-8", newline="") as dst:
            writer = csv.writer(dst, lineterminator="\n")
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_xlsx_cell(v, decimal_comma) for v in values]
                if width is None:
                    if not any(c.strip() for c in cells):
                        continue
                    while cells and not cells[-1].strip():
                        cells.pop()
                    width = len(cells)
                    writer.writerow([_ROW_COLUMN, *cells])
                    continue
                if not any(c.strip() for c in cells):
                    continue
                # cells right of the last header are outside the table (notes): ignored
                cells = cells[:width] + [""] * (width - len(cells))
                writer.writerow([number, *cells])
                if max_row and number % 2000 == 0:
                    report(number / max_row)
        title = sheet.title
    except IngestFileError:
        raise
    except Exception as exc:  # a damaged sheet part
        raise IngestFileError("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ.") from exc
    finally:
        workbook.close()
    if width is None:
        raise IngestFileError(f"Trang tính «{title}» trống: không có dòng tiêu đề và dữ liệu.")
    return _Source(out, ",", title, _ROW_COLUMN)


def _csv_error(exc: Exception) -> IngestFileError:
    text = str(exc)
    if "not utf-8" in text.lower() or "invalid unicode" in text.lower():
        return IngestFileError(_NOT_UTF8)
    line = re.search(r"Line: (\d+)", text)
    where = f" ở dòng {line.group(1)}" if line else ""
    if "Expected Number of Columns" in text or "columns" in text.lower():
        return IngestFileError(f"Tệp CSV bị lỗi cấu trúc{where}: số cột không khớp với dòng tiêu đề.")
    if "quote" in text.lower():
        return IngestFileError(f"Tệp CSV bị lỗi cấu trúc{where}: dấu ngoặc kép không đóng.")
    return IngestFileError(f"Không đọc được tệp CSV{where}.")


def _describe(con: duckdb.DuckDBPyConnection, source: _Source) -> list[str]:
    try:
        rows = con.execute(f"DESCRIBE SELECT * FROM {source.read_sql()}").fetchall()
    except duckdb.Error as exc:
        raise _csv_error(exc) from exc
    return [r[0] for r in rows if r[0] != _ROW_COLUMN]


# --------------------------------------------------------------------------------------------------
# stage_file


def stage_file(
    path: str | os.PathLike,
    mapping: SourceMapping | None = None,
    out_path: str | os.PathLike | None = None,
    *,
    known_units: Collection[str] | None = None,
    progress: Callable[[float], None] | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    max_errors: int = 200,
    months: Collection[str] | None = None,
    month_key: Callable[[str], str] | None = None,
) -> StageResult:
    """Read one export, check it entirely, and write it as canonical Parquet when it has no problem.

    ``months`` (with ``month_key``, see ``content_digest``): convert, check and write only the
    records received in those months — the caller knows the others hold what the store holds.
    A problem found there is still listed by reading the whole file (row numbers are the file's).

    ``out_path`` defaults to ``<file>.staged.parquet`` beside the file. Returns the number of data
    rows, the first ``max_errors`` problems in file order with their total, and the Parquet path (None
    when there was any problem: then nothing is written). Raises ``IngestFileError`` when the whole
    file is unusable."""
    started = time.perf_counter()
    path = Path(path)
    out_path = Path(out_path) if out_path is not None else path.with_name(path.stem + ".staged.parquet")
    reporter = _Progress(progress)
    # an earlier staging at out_path must not pass for this file
    with contextlib.suppress(FileNotFoundError):
        out_path.unlink()
    with _prepared(path, mapping, out_path.parent, out_path.name, known_units, con, reporter) as (
        db,
        plan,
        source,
        scratch,
        base,
    ):
        only = None
        if months is not None and month_key is not None:
            only = plan.only_months(source.read_sql(), month_key, months)
        result = _stage(
            db, plan, source, out_path, scratch, reporter, base, max_errors, uuid.uuid4().hex[:12], only
        )
    reporter.report(1.0, force=True)
    result.seconds = time.perf_counter() - started
    return result


def aggregate_file(
    path: str | os.PathLike,
    mapping: SourceMapping | None,
    query: str,
    *,
    scratch_dir: str | os.PathLike,
    known_units: Collection[str] | None = None,
    progress: Callable[[float], None] | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> list[tuple] | None:
    """Run ``query`` (SQL reading the relation ``{rows}``) over the converted and checked canonical
    rows of a CSV export, without writing them anywhere: one parallel pass, the cost of reading the
    file. Returns None when that pass cannot answer: a row with a problem (the guard fired; only
    ``stage_file`` numbers and words the problems), or an .xlsx workbook (converted row by row to a
    CSV first, which is the cost this pass is there to avoid). Rows are not checked for duplicated
    codes here: a caller that needs unique codes checks them in ``query``."""
    done = _csv_pass(
        path,
        mapping,
        scratch_dir,
        known_units,
        con,
        progress,
        lambda plan, source: query.replace("{rows}", f"({plan.guarded_select(source.read_sql())})"),
        guarded=True,
    )
    return done[0] if done else None


def _csv_pass(
    path: str | os.PathLike,
    mapping: SourceMapping | None,
    scratch_dir: str | os.PathLike,
    known_units: Collection[str] | None,
    con: duckdb.DuckDBPyConnection | None,
    progress: Callable[[float], None] | None,
    sql_of: Callable[[_Plan, _Source], str],
    *,
    guarded: bool,
) -> tuple[list[tuple], _Plan] | None:
    """One parallel read-only pass of the SQL ``sql_of(plan, source)`` over a CSV export: its rows and
    the plan it read with. None for an .xlsx workbook (converted row by row to a CSV first, the cost
    these passes avoid), and, when ``guarded``, for a file whose checking guard fired."""
    path = Path(path)
    if path.suffix.lower() != ".csv":
        return None
    reporter = _Progress(progress)
    with _prepared(path, mapping, Path(scratch_dir), path.name, known_units, con, reporter) as (
        db,
        plan,
        source,
        _scratch,
        _base,
    ):
        try:
            rows = _run(
                db, sql_of(plan, source), progress=reporter.span(0.0, 1.0) if reporter.callback else None
            )
        except duckdb.Error as exc:
            if not guarded or _GUARD_MESSAGE not in str(exc):
                _raise_file_error(exc)
            return None
    reporter.report(1.0, force=True)
    return rows, plan


@dataclass
class FileContent:
    """The content of a CSV export as read: its reading key (``_Plan.reading_key``) and, for each
    group of records (the month of receipt when a ``month_key`` is given), the count, XOR and sum of
    the records' content hashes as "count:xor:sum" — an order-free digest, like the partitions'."""

    key: str
    months: dict[str, str]

    @property
    def rows(self) -> int:
        return sum(int(d.split(":", 1)[0]) for d in self.months.values())

    @property
    def digest(self) -> str:
        """The whole file's digest: "key:count:xor:sum"."""
        count = xor = total = 0
        for d in self.months.values():
            c, x, t = (int(v) for v in d.split(":"))
            count, xor, total = count + c, xor ^ x, total + t
        return f"{self.key}:{count}:{xor}:{total}"


def content_digest(
    path: str | os.PathLike,
    mapping: SourceMapping | None,
    *,
    scratch_dir: str | os.PathLike,
    known_units: Collection[str] | None = None,
    month_key: Callable[[str], str] | None = None,
    progress: Callable[[float], None] | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> FileContent | None:
    """An order-free digest of a CSV export's cells exactly as read, with what their conversion
    depends on (``_Plan.reading_key``): two files with the same records, in any row order and any
    column order, under the same mapping and unit catalogue, have the same digest, so an earlier
    import of one tells what the other converts to without converting it.

    ``month_key``: SQL of a record's group from its reception time (the partition key), given the SQL
    of that time; the digest is then kept per group, the time converted exactly as the import
    converts it. The pass only reads, hashes and parses that one column (a quarter of the cost of
    the converting pass). None for an .xlsx workbook."""

    def sql_of(plan: _Plan, source: _Source) -> str:
        group = month_key(plan.received_sql()) if month_key else "''"
        return (
            f"SELECT grp, CAST(count(*) AS VARCHAR) || ':' || CAST(coalesce(bit_xor(h), 0) AS VARCHAR) "
            f"|| ':' || CAST(coalesce(sum(h), 0) AS VARCHAR) FROM (SELECT {group} AS grp, h FROM "
            f"(SELECT {plan.content_hash_sql()} AS h, {plan.raw_sql('received_at')} AS {_r('received_at')} "
            f"FROM {source.read_sql()})) GROUP BY grp"
        )

    done = _csv_pass(path, mapping, scratch_dir, known_units, con, progress, sql_of, guarded=False)
    if done is None:
        return None
    rows, plan = done
    return FileContent(plan.reading_key(), dict(sorted(rows)))


@contextlib.contextmanager
def _prepared(
    path: Path,
    mapping: SourceMapping | None,
    directory: Path,
    stem: str,
    known_units: Collection[str] | None,
    con: duckdb.DuckDBPyConnection | None,
    reporter: _Progress,
) -> Iterator[tuple[duckdb.DuckDBPyConnection, _Plan, _Source, _Scratch, float]]:
    """The file opened for SQL: its source relation, the conversion plan for its headers, the known
    units and the mapping's unit codes as temporary tables; everything removed afterwards."""
    mapping = mapping or SourceMapping()
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise IngestFileError("Chỉ nhận tệp .csv hoặc .xlsx.")
    if not path.is_file():
        raise IngestFileError(f"Không tìm thấy tệp «{path.name}».")
    directory.mkdir(parents=True, exist_ok=True)
    scratch = _Scratch(directory, stem)
    tag = uuid.uuid4().hex[:12]
    try:
        if suffix == ".xlsx":
            source = _xlsx_source(path, mapping, scratch, reporter.span(0.0, 0.5))
            base = 0.5
        else:
            source = _csv_source(path, mapping)
            base = 0.0
        with _connection(con, directory) as db:
            headers = _describe(db, source)
            known_table = None
            if known_units is not None:
                known_table = f"__cchc_known_{tag}"
                codes = sorted({unicodedata.normalize("NFC", str(u).strip()) for u in known_units} - {""})
                db.execute(f"CREATE TEMP TABLE {known_table} AS SELECT unnest(?::VARCHAR[]) AS code", [codes])
            unit_table = None
            if mapping.unit_codes:
                unit_table = f"__cchc_units_{tag}"
                pairs = sorted(
                    (unicodedata.normalize("NFC", k), unicodedata.normalize("NFC", v))
                    for k, v in mapping.unit_codes.items()
                )
                db.execute(
                    f"CREATE TEMP TABLE {unit_table} AS SELECT unnest(?::VARCHAR[]) AS src, unnest(?::VARCHAR[]) AS dst",
                    [[k for k, _ in pairs], [v for _, v in pairs]],
                )
            try:
                plan = _Plan(mapping, headers, known_table, unit_table)
                if known_units is not None:
                    plan.known_codes = codes
                _check_defaults(db, plan)
                try:
                    plan.sniff_formats(db, source.read_sql(), stamp=_file_stamp(source.csv_path))
                except duckdb.Error as exc:
                    _raise_file_error(exc)
                yield db, plan, source, scratch, base
            finally:
                for table in (known_table, unit_table):
                    if table:
                        db.execute(f"DROP TABLE IF EXISTS {table}")
    finally:
        scratch.cleanup()


def _check_defaults(con: duckdb.DuckDBPyConnection, plan: _Plan) -> None:
    for name, value in plan.defaults.items():
        code = plan.default_error(con, name)
        if code is not None:
            reason = MSG_REQUIRED if code == 1 else _BAD_VALUE.get(plan.kind(name), "không hợp lệ")
            raise IngestFileError(
                f"Giá trị mặc định «{value}» của cột «{plan.display[name]}» trong cấu hình ánh xạ không hợp lệ ({reason})."
            )


def _stage(
    con: duckdb.DuckDBPyConnection,
    plan: _Plan,
    source: _Source,
    out_path: Path,
    scratch: _Scratch,
    reporter: _Progress,
    base: float,
    max_errors: int,
    tag: str,
    only: str | None = None,
) -> StageResult:
    tmp = scratch.path(".parquet")
    # 1. Fast path: convert and write in one parallel pass; the guard raises on the first bad row.
    fast_ok = True
    rows = 0
    try:
        written = _run(
            con,
            f"COPY ({plan.guarded_select(only or source.read_sql())}) TO {_lit(str(tmp))} (FORMAT parquet)",
            progress=reporter.span(base, base + (1 - base) * 0.85) if reporter.callback else None,
        )
        rows = int(written[0][0]) if written else 0
    except duckdb.Error as exc:
        if _GUARD_MESSAGE not in str(exc):
            _raise_file_error(exc)
        fast_ok = False
    if fast_ok:
        if rows == 0 and only is None:
            raise IngestFileError("Tệp không có dòng dữ liệu nào (chỉ có dòng tiêu đề).")
        distinct = con.execute(
            f"SELECT count(DISTINCT dossier_code) FROM read_parquet({_lit(str(tmp))})"
        ).fetchone()[0]
        if distinct == rows:
            os.replace(tmp, out_path)
            return StageResult(rows=rows, errors=[], error_count=0, path=out_path, seconds=0.0)
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()

    # 2. Diagnostics: the rows with a problem, numbered as in Excel.
    return _diagnose(con, plan, source, scratch, reporter, max_errors, tag)


def _raise_file_error(exc: duckdb.Error) -> None:
    """Re-raise a DuckDB error, as an IngestFileError when the CSV itself is unreadable."""
    text = str(exc)
    if "CSV" in text or "unicode" in text.lower():
        raise _csv_error(exc) from exc
    raise exc


def _diagnose(
    con: duckdb.DuckDBPyConnection,
    plan: _Plan,
    source: _Source,
    scratch: _Scratch,
    reporter: _Progress,
    max_errors: int,
    tag: str,
) -> StageResult:
    """List the first ``max_errors`` problems in file order and count them all.

    a) duplicated codes (parallel pass over the code column) and the number of rows;
    b) the numbered pass: rows with a problem or a duplicated code. Without duplicates it stops at
       the ``max_errors``-th bad row (a file whose every row is wrong is diagnosed at once); with
       duplicates it reads the whole file (the other row of a pair can be anywhere);
    c) when (b) stopped early, the problems are counted in a parallel pass."""
    start = reporter.value

    def span(share: float) -> Callable[[float], None] | None:
        nonlocal start
        if reporter.callback is None:
            return None
        begin, start = start, start + (1 - start) * share
        return reporter.span(begin, start)

    dups, diag = f"__cchc_dups_{tag}", f"__cchc_diag_{tag}"
    max_errors = max(int(max_errors), 0)
    try:
        try:
            # one pass: the duplicated codes, and (grouping set ()) the number of rows
            _run(
                con,
                f"CREATE TEMP TABLE {dups} AS SELECT code, count(*) AS n, grouping(code) AS everything "
                f"FROM ({plan.codes_select(source.read_sql())}) GROUP BY GROUPING SETS ((code), ()) "
                "HAVING grouping(code) = 1 OR (code IS NOT NULL AND count(*) > 1)",
                progress=span(0.25),
            )
            rows = con.execute(f"SELECT n FROM {dups} WHERE everything = 1").fetchone()[0]
            con.execute(f"DELETE FROM {dups} WHERE everything = 1")
            if rows == 0:
                raise IngestFileError("Tệp không có dòng dữ liệu nào (chỉ có dòng tiêu đề).")
            dup_rows = con.execute(f"SELECT coalesce(sum(n), 0) FROM {dups}").fetchone()[0]
            if source.row_column is None and _has_blank_lines(source.csv_path):
                source = _numbered_csv(source, scratch, span(0.3) or (lambda _: None))
            if source.row_column is None:
                # row_number() OVER () right over read_csv: DuckDB documents that the CSV reader
                # returns rows in file order and that a window with an empty OVER () keeps it (it
                # runs as a single-threaded streaming window; the filter and LIMIT come after it).
                # Header = row 1 and no blank lines (checked above): record n is row n + 1.
                row_expr = "row_number() OVER () + 1"
            else:
                row_expr = f"CAST({_ident(source.row_column)} AS BIGINT)"
            limit = None if dup_rows else max_errors
            _run(
                con,
                f"CREATE TEMP TABLE {diag} AS "
                f"{plan.diagnostic_select(source.read_sql(), row_expr, dups if dup_rows else None, limit)}",
                progress=span(0.7),
            )
            kept, listed_problems = con.execute(
                f"SELECT count(*), coalesce(sum(len(problems)), 0) FROM {diag}"
            ).fetchone()
            if limit is not None and kept >= limit:
                _, problems_total = _run(con, plan.count_select(source.read_sql()), progress=span(0.9))[0]
            else:
                problems_total = listed_problems
        except duckdb.Error as exc:
            _raise_file_error(exc)
        code_col = plan.display["dossier_code"]
        errors_sql = f"""
            SELECT __row AS row, p.ord AS ord, p.col AS col, p.msg AS msg
            FROM (SELECT __row, unnest(problems) AS p FROM {diag} WHERE problems IS NOT NULL)
            UNION ALL
            SELECT t.__row, -1, {_lit(code_col)},
                'mã hồ sơ «' || t.dossier_code || '» trùng với dòng '
                || CAST(CASE WHEN t.__row = d.firsts[1] THEN d.firsts[2] ELSE d.firsts[1] END AS VARCHAR)
                || CASE WHEN d.n > 2 THEN ' (mã này có ở ' || d.n || ' dòng)' ELSE '' END
            FROM {diag} t
            JOIN (SELECT dossier_code, min(__row, 2) AS firsts, count(*) AS n FROM {diag}
                  WHERE dossier_code IN (SELECT code FROM {dups}) GROUP BY dossier_code) d
              USING (dossier_code)
        """
        listed = con.execute(
            f"SELECT list(struct_pack(row, col, msg) ORDER BY row, ord) FROM "
            f"(SELECT * FROM ({errors_sql}) ORDER BY row, ord LIMIT {max_errors})"
        ).fetchone()[0]
    finally:
        con.execute(f"DROP TABLE IF EXISTS {diag}")
        con.execute(f"DROP TABLE IF EXISTS {dups}")
    total = int(problems_total) + int(dup_rows)
    errors = [RowError(source.sheet, int(e["row"]), e["col"], e["msg"]) for e in (listed or [])]
    if not total:  # the fast pass found a problem the diagnostics did not: never pass such a file
        total = 1
        errors = [
            RowError(source.sheet, None, None, "Tệp có dữ liệu không hợp lệ nhưng không xác định được dòng.")
        ]
    return StageResult(rows=int(rows), errors=errors, error_count=total, path=None, seconds=0.0)


# --------------------------------------------------------------------------------------------------
# merge_snapshot


def _canonical(path: Path) -> str:
    cols = ", ".join(f"CAST({_ident(c.name)} AS {c.sql_type}) AS {_ident(c.name)}" for c in COLUMNS)
    return f"(SELECT {cols} FROM read_parquet({_lit(str(path))}))"


def merge_snapshot(
    current: str | os.PathLike | None,
    staged: str | os.PathLike,
    out_path: str | os.PathLike,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
) -> MergeResult:
    """Upsert the staged rows into the current snapshot by ``dossier_code``.

    A staged row whose code is not in ``current`` is inserted; one whose code is there with any
    column different is updated (replaces it); an identical one is unchanged. When nothing is
    inserted or updated, nothing is written and ``snapshot`` is None. Otherwise ``out_path`` (written
    atomically) = current rows whose code is not staged + all staged rows. ``current`` None = empty."""
    started = time.perf_counter()
    staged = Path(staged)
    out_path = Path(out_path)
    current = Path(current) if current is not None else None
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with _connection(con, out_path.parent) as db:
        for p in (current, staged):
            if p is None:
                continue
            names = [
                r[0] for r in db.execute(f"DESCRIBE SELECT * FROM read_parquet({_lit(str(p))})").fetchall()
            ]
            if names != list(COLUMN_NAMES):
                raise ValueError(f"{p} is not a canonical dossier file (columns {names})")
        s = _canonical(staged)
        if current is None:
            inserted = db.execute(f"SELECT count(*) FROM read_parquet({_lit(str(staged))})").fetchone()[0]
            updated = unchanged = current_rows = 0
        else:
            c = _canonical(current)
            differs = " OR ".join(f"s.{_ident(n)} IS DISTINCT FROM c.{_ident(n)}" for n in COLUMN_NAMES)
            inserted, updated, unchanged, current_rows = db.execute(
                f"""SELECT count(*) FILTER (WHERE c.dossier_code IS NULL),
                           count(*) FILTER (WHERE c.dossier_code IS NOT NULL AND ({differs})),
                           count(*) FILTER (WHERE c.dossier_code IS NOT NULL AND NOT ({differs})),
                           (SELECT count(*) FROM read_parquet({_lit(str(current))}))
                    FROM {s} s LEFT JOIN {c} c ON s.dossier_code = c.dossier_code"""
            ).fetchone()
        total = int(current_rows) + int(inserted)
        if inserted + updated == 0:
            return MergeResult(0, 0, int(unchanged), total, None, time.perf_counter() - started)
        tmp = out_path.with_name(f".{out_path.name}.{uuid.uuid4().hex[:12]}.tmp")
        try:
            if current is None:
                query = f"SELECT * FROM {s}"
            else:
                query = (
                    f"SELECT * FROM {_canonical(current)} c "
                    f"WHERE NOT EXISTS (SELECT 1 FROM read_parquet({_lit(str(staged))}) x "
                    f"WHERE x.dossier_code = c.dossier_code) UNION ALL SELECT * FROM {s}"
                )
            # Sorted by unit: a page about one unit reads only that unit's row groups (min/max
            # statistics), 10x faster for a commune's late dossiers; the sort costs ~70% of a copy.
            db.execute(
                f"COPY (SELECT * FROM ({query}) ORDER BY unit_code, submitted_at) TO {_lit(str(tmp))} (FORMAT parquet)"
            )
            os.replace(tmp, out_path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    return MergeResult(
        int(inserted), int(updated), int(unchanged), total, out_path, time.perf_counter() - started
    )
