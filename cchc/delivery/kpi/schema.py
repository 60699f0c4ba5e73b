"""The canonical dossier record (hồ sơ thủ tục hành chính) the KPI engine reads.

One row per dossier, as exported from a one-stop system (Hệ thống thông tin giải quyết TTHC) and
imported into Parquet or a DuckDB table. Pure Python + DuckDB: no Django, no pandas needed.

Timestamps are naive local time (Asia/Ho_Chi_Minh). Timeliness compares calendar dates
(``CAST(x AS DATE)``), never times of day.

Status codes (``status``, as in one-stop systems, domain guide §6):

==  =======================================  ======================================================
 1  mới đăng ký                              submitted (online), not yet received: ``received_at`` NULL
 2  được tiếp nhận                           received, not yet assigned
 3  không được tiếp nhận                     refused at reception: ``received_at`` NULL
 4  đang xử lý                               being processed
 5  yêu cầu bổ sung                          applicant asked to complete the dossier (clock runs on)
 6  yêu cầu thực hiện nghĩa vụ tài chính     waiting for a fee / tax payment
 7  rút hồ sơ                                withdrawn by the applicant: ``finished_at`` = date processing ended
 8  dừng xử lý                               processing stopped: ``finished_at`` = date processing ended
 9  đã xử lý xong                            finished, result not yet handed over: ``returned_at`` NULL
10  đã trả kết quả                           result returned: ``finished_at`` and ``returned_at`` set
==  =======================================  ======================================================

Conventions the engine relies on (``validate`` checks them):

- received = ``received_at`` is not NULL (statuses 2, 4–10). Statuses 1 and 3 never count.
- ``finished_at`` is set exactly for statuses 7–10. For 7 and 8 it is the date processing ended
  (withdrawal / stop): the dossier stops being pending but is not "finished" for timeliness.
- ``returned_at`` is set exactly for status 10.
- ``due_at`` is the ORIGINAL appointment date (ngày hẹn trả on the receipt). When the agency issues
  an apology letter (phiếu xin lỗi) and re-sets the due date once, ``apology_letter`` and
  ``due_reset`` are true but ``due_at`` keeps the original date, so the dossier is still judged
  late against it.
- ``level`` is the online-service level of the procedure: "full" (toàn trình) or "partial" (một phần);
  procedures not offered online (``online_eligible`` false) carry "partial".
- ``channel`` 2 (online) implies ``online_eligible``.
- ``fee`` is in VND (DECIMAL(15,0)); 0 = no fee. ``paid_online`` implies ``fee`` > 0.
- ``wait_minutes`` is queue data (waiting time at the one-stop desk), NULL where the unit has no
  queue system or the dossier did not come to the desk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum


class Status(IntEnum):
    MOI_DANG_KY = 1  # mới đăng ký
    DUOC_TIEP_NHAN = 2  # được tiếp nhận
    KHONG_DUOC_TIEP_NHAN = 3  # không được tiếp nhận
    DANG_XU_LY = 4  # đang xử lý
    YEU_CAU_BO_SUNG = 5  # yêu cầu bổ sung
    YEU_CAU_NGHIA_VU_TAI_CHINH = 6  # yêu cầu thực hiện nghĩa vụ tài chính
    RUT_HO_SO = 7  # rút hồ sơ
    DUNG_XU_LY = 8  # dừng xử lý
    DA_XU_LY_XONG = 9  # đã xử lý xong
    DA_TRA_KET_QUA = 10  # đã trả kết quả

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.MOI_DANG_KY: "Mới đăng ký",
    Status.DUOC_TIEP_NHAN: "Được tiếp nhận",
    Status.KHONG_DUOC_TIEP_NHAN: "Không được tiếp nhận",
    Status.DANG_XU_LY: "Đang xử lý",
    Status.YEU_CAU_BO_SUNG: "Yêu cầu bổ sung",
    Status.YEU_CAU_NGHIA_VU_TAI_CHINH: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Status.RUT_HO_SO: "Rút hồ sơ",
    Status.DUNG_XU_LY: "Dừng xử lý",
    Status.DA_XU_LY_XONG: "Đã xử lý xong",
    Status.DA_TRA_KET_QUA: "Đã trả kết quả",
}

NOT_RECEIVED_STATUSES = (Status.MOI_DANG_KY, Status.KHONG_DUOC_TIEP_NHAN)
PENDING_STATUSES = (
    Status.DUOC_TIEP_NHAN,
    Status.DANG_XU_LY,
    Status.YEU_CAU_BO_SUNG,
    Status.YEU_CAU_NGHIA_VU_TAI_CHINH,
)
CLOSED_WITHOUT_RESULT_STATUSES = (Status.RUT_HO_SO, Status.DUNG_XU_LY)
FINISHED_STATUSES = (Status.DA_XU_LY_XONG, Status.DA_TRA_KET_QUA)


class Channel(IntEnum):
    TRUC_TIEP = 1  # trực tiếp (at the desk)
    TRUC_TUYEN = 2  # trực tuyến (online)
    BUU_CHINH = 3  # bưu chính công ích (public postal service)


CHANNEL_LABELS: dict[Channel, str] = {
    Channel.TRUC_TIEP: "Trực tiếp",
    Channel.TRUC_TUYEN: "Trực tuyến",
    Channel.BUU_CHINH: "Bưu chính công ích",
}

LEVELS = ("partial", "full")  # một phần / toàn trình


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # DuckDB type
    nullable: bool
    doc: str


COLUMNS: tuple[Column, ...] = (
    Column("dossier_code", "VARCHAR", False, "mã hồ sơ: {unit code}-{yyMMdd of submission}-{daily seq}"),
    Column("unit_code", "VARCHAR", False, "unit that receives and resolves the dossier"),
    Column("procedure_code", "VARCHAR", False, "mã TTHC"),
    Column("field", "VARCHAR", False, "lĩnh vực (Hộ tịch, Chứng thực, Đất đai, ...)"),
    Column("level", "VARCHAR", False, "'partial' (một phần) | 'full' (toàn trình)"),
    Column("online_eligible", "BOOLEAN", False, "the procedure is offered online"),
    Column("channel", "TINYINT", False, "1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích"),
    Column("submitted_at", "TIMESTAMP", False, "ngày nộp"),
    Column("received_at", "TIMESTAMP", True, "ngày tiếp nhận (NULL for status 1, 3)"),
    Column("due_at", "TIMESTAMP", True, "ngày hẹn trả (original; NULL when not received)"),
    Column("finished_at", "TIMESTAMP", True, "ngày kết thúc xử lý (statuses 7–10)"),
    Column("returned_at", "TIMESTAMP", True, "ngày trả kết quả (status 10)"),
    Column("status", "TINYINT", False, "1–10, see Status"),
    Column("fee", "DECIMAL(15,0)", False, "phí, lệ phí in VND; 0 = no fee"),
    Column("paid_online", "BOOLEAN", False, "fee paid online"),
    Column("components_total", "SMALLINT", False, "thành phần hồ sơ"),
    Column("components_digitised", "SMALLINT", False, "thành phần hồ sơ đã số hóa"),
    Column("result_digitised", "BOOLEAN", False, "kết quả giải quyết số hóa / điện tử"),
    Column("rating", "TINYINT", True, "đánh giá 1–5, NULL = not rated"),
    Column("apology_letter", "BOOLEAN", False, "phiếu xin lỗi issued"),
    Column("wait_minutes", "DOUBLE", True, "waiting time at the desk (queue data), NULL = no data"),
    Column("due_reset", "BOOLEAN", False, "due date re-set once with an apology letter"),
)

COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
SQL_TYPES: dict[str, str] = {c.name: c.sql_type for c in COLUMNS}

DOSSIER_CODE_RE = re.compile(r"^(?P<unit>.+)-(?P<date>\d{6})-(?P<seq>\d+)$")


def create_table_sql(table: str = "dossiers") -> str:
    """``CREATE TABLE`` statement for the canonical record in DuckDB."""
    cols = ",\n  ".join(f"{c.name} {c.sql_type}{'' if c.nullable else ' NOT NULL'}" for c in COLUMNS)
    return f'CREATE TABLE "{table}" (\n  {cols}\n)'


def csv_read_sql(path: str) -> str:
    """``read_csv(...)`` with the canonical types, for CSV exports with a header line."""
    cols = ", ".join(f"'{c.name}': '{c.sql_type}'" for c in COLUMNS)
    escaped = path.replace("'", "''")
    return f"read_csv('{escaped}', header = true, columns = {{{cols}}})"


DOSSIER_CODE_RULE = "dossier_code not {unit_code}-{yyMMdd}-{seq}"

# Each rule: (name, SQL condition that is TRUE for a bad row). NULL-safe via coalesce where needed.
_RULES: tuple[tuple[str, str], ...] = (
    ("status outside 1–10", "status NOT BETWEEN 1 AND 10"),
    ("channel outside 1–3", "channel NOT BETWEEN 1 AND 3"),
    ("level not partial/full", "level NOT IN ('partial', 'full')"),
    (
        DOSSIER_CODE_RULE,
        "NOT regexp_full_match(dossier_code, '.+-[0-9]{6}-[0-9]+') "
        "OR NOT starts_with(dossier_code, unit_code || '-' || strftime(submitted_at, '%y%m%d') || '-')",
    ),
    ("online channel for a procedure not offered online", "channel = 2 AND NOT online_eligible"),
    ("received_at set iff status not in (1, 3)", "(received_at IS NULL) <> (status IN (1, 3))"),
    ("due_at missing for a received dossier", "received_at IS NOT NULL AND due_at IS NULL"),
    ("finished_at set iff status in (7, 8, 9, 10)", "(finished_at IS NOT NULL) <> (status >= 7)"),
    ("returned_at set iff status = 10", "(returned_at IS NOT NULL) <> (status = 10)"),
    ("received before submitted", "received_at < submitted_at"),
    ("due date before reception date", "CAST(due_at AS DATE) < CAST(received_at AS DATE)"),
    ("finished before received", "finished_at < received_at"),
    ("returned before finished", "returned_at < finished_at"),
    ("negative fee", "fee < 0"),
    ("paid online without a fee", "paid_online AND fee = 0"),
    (
        "components out of range",
        "components_total < 0 OR components_digitised < 0 OR components_digitised > components_total",
    ),
    ("rating outside 1–5", "rating IS NOT NULL AND rating NOT BETWEEN 1 AND 5"),
    ("negative wait_minutes", "wait_minutes < 0"),
    ("due_reset without an apology letter", "due_reset AND NOT apology_letter"),
)


def validate(source: str, con=None, *, limit_examples: int = 3) -> list[str]:
    """Check a source (anything ``FROM`` accepts: a table name, ``read_parquet('x')``, a registered
    DataFrame) against the canonical record. Returns a list of problems, empty when valid.

    Checks: every column present with a compatible type, NOT NULL columns, the rules above, and
    that ``dossier_code`` is unique.
    """
    import duckdb

    con = con or duckdb.connect()
    problems: list[str] = []
    described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    types = {row[0]: row[1] for row in described}
    missing = [c for c in COLUMN_NAMES if c not in types]
    if missing:
        return [f"missing columns: {', '.join(missing)}"]
    for col in COLUMNS:
        if not _type_compatible(col.sql_type, types[col.name]):
            problems.append(f"column {col.name}: type {types[col.name]}, expected {col.sql_type}")
    if problems:
        return problems

    checks = [f"count(*) FILTER (WHERE {c.name} IS NULL)" for c in COLUMNS if not c.nullable]
    checks += [f"count(*) FILTER (WHERE coalesce({cond}, false))" for _, cond in _RULES]
    checks.append("count(*) - count(DISTINCT dossier_code)")
    counts = con.execute(f"SELECT {', '.join(checks)} FROM {source}").fetchall()[0]
    names = [f"{c.name} is NULL" for c in COLUMNS if not c.nullable] + [n for n, _ in _RULES]
    names.append("duplicate dossier_code")
    for name, n in zip(names, counts, strict=True):
        if n:
            problems.append(f"{name}: {n} rows")
    if problems and limit_examples:
        bad = " OR ".join(f"coalesce({cond}, false)" for _, cond in _RULES)
        rows = con.execute(
            f"SELECT dossier_code FROM {source} WHERE {bad} LIMIT {int(limit_examples)}"
        ).fetchall()
        if rows:
            problems.append("examples: " + ", ".join(r[0] for r in rows))
    return problems


def _type_compatible(expected: str, actual: str) -> bool:
    integer = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}
    if expected in {"TINYINT", "SMALLINT"}:
        return actual in integer
    if expected.startswith("DECIMAL"):
        return actual.startswith("DECIMAL") or actual in integer or actual == "DOUBLE"
    if expected == "DOUBLE":
        return actual in {"DOUBLE", "FLOAT"} or actual.startswith("DECIMAL") or actual in integer
    if expected == "TIMESTAMP":
        return actual.startswith("TIMESTAMP")
    if expected == "VARCHAR":
        return actual == "VARCHAR" or actual.startswith("ENUM")
    return actual == expected
