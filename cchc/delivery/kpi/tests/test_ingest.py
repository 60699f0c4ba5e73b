"""Importing one-stop exports (CSV, XLSX) into the Parquet snapshot store (no Django database).

Files come from the synthetic generator (``write_file``), rewritten with Vietnamese headers and value
words where a test needs them, and patched at known rows to make them wrong.
"""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import duckdb
import pytest

from cchc.delivery.kpi import schema, write_file
from cchc.delivery.kpi.ingest import (
    RULE_MESSAGES,
    IngestFileError,
    SourceMapping,
    content_digest,
    fold_key,
    merge_snapshot,
    stage_file,
)

COLS = ", ".join(schema.COLUMN_NAMES)
TIMESTAMPS = ("submitted_at", "received_at", "due_at", "finished_at", "returned_at")

VIETNAMESE_HEADERS = {
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
    "components_total": "Số thành phần",
    "components_digitised": "Số thành phần đã số hóa",
    "result_digitised": "Kết quả điện tử",
    "rating": "Đánh giá",
    "apology_letter": "Phiếu xin lỗi",
    "wait_minutes": "Thời gian chờ (phút)",
    "due_reset": "Gia hạn",
}
# The saved mapping of this (imaginary) source system, as the Django side would store it.
MAPPING_JSON = {
    # headers written a little differently from the file: matching ignores accents, case, punctuation
    "columns": {**VIETNAMESE_HEADERS, "fee": "phi le phi", "due_reset": "GIA HẠN"},
    "thousands_separator": ".",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """2,000 synthetic dossiers as canonical CSV and Parquet (same seed: same rows)."""
    base = tmp_path_factory.mktemp("generated")
    return (
        write_file(base / "dossiers.csv", 2000, 2026, "csv", seed=3),
        write_file(base / "dossiers.parquet", 2000, 2026, "parquet", seed=3),
    )


def parquet(path: Path) -> str:
    return f"read_parquet('{path}')"


def differences(left: str, right: str) -> tuple[int, int]:
    """Rows of left not in right and of right not in left (as multisets)."""
    con = duckdb.connect()
    sql = "SELECT count(*) FROM (SELECT {c} FROM {a} EXCEPT ALL SELECT {c} FROM {b})"
    one = con.execute(sql.format(c=COLS, a=left, b=right)).fetchone()[0]
    two = con.execute(sql.format(c=COLS, a=right, b=left)).fetchone()[0]
    return one, two


def patch_csv(
    path: Path, out: Path, changes: dict[int, dict[str, str]], *, drop_line: int | None = None
) -> Path:
    """Copy a canonical CSV, changing cells at Excel rows (header = row 1). Streams line by line."""
    with open(path, encoding="utf-8", newline="") as src, open(out, "w", encoding="utf-8", newline="") as dst:
        header = next(csv.reader([src.readline()]))
        dst.write(",".join(header) + "\n")
        for number, line in enumerate(src, start=2):
            if number == drop_line:
                continue
            if number in changes:
                record = next(csv.reader([line]))
                for column, value in changes[number].items():
                    record[header.index(column)] = value
                buffer = io.StringIO()
                csv.writer(buffer, lineterminator="\n").writerow(record)
                line = buffer.getvalue()
            dst.write(line)
    return out


def row_of(path: Path, excel_row: int) -> dict[str, str]:
    with open(path, encoding="utf-8", newline="") as handle:
        for number, record in enumerate(csv.DictReader(handle), start=2):
            if number == excel_row:
                return record
    raise KeyError(excel_row)


def first_row(path: Path, where: str) -> int:
    """Excel row of the first dossier matching a condition in a canonical CSV."""
    con = duckdb.connect()
    con.execute("SET threads = 1")
    found = con.execute(
        f"SELECT rn FROM (SELECT row_number() OVER () + 1 AS rn, * FROM {schema.csv_read_sql(str(path))}) "
        f"WHERE {where} LIMIT 1"
    ).fetchone()
    assert found, where
    return found[0]


def vietnamese_select(source: str) -> str:
    """The generated rows as a Vietnamese one-stop system would export them."""
    status = " ".join(f"WHEN {int(s)} THEN '{label}'" for s, label in schema.STATUS_LABELS.items())
    channel = " ".join(f"WHEN {int(c)} THEN '{label}'" for c, label in schema.CHANNEL_LABELS.items())

    def yes_no(column: str) -> str:
        return f"CASE WHEN {column} THEN 'Có' ELSE 'Không' END"

    def date(column: str) -> str:
        return f"coalesce(strftime({column}, '%d/%m/%Y %H:%M'), '')"

    h = VIETNAMESE_HEADERS
    return f"""
        SELECT dossier_code AS "{h["dossier_code"]}", unit_code AS "{h["unit_code"]}",
            procedure_code AS "{h["procedure_code"]}", field AS "{h["field"]}",
            CASE level WHEN 'full' THEN 'Toàn trình' ELSE 'Một phần' END AS "{h["level"]}",
            {yes_no("online_eligible")} AS "{h["online_eligible"]}",
            CASE channel {channel} END AS "{h["channel"]}",
            {date("submitted_at")} AS "{h["submitted_at"]}", {date("received_at")} AS "{h["received_at"]}",
            {date("due_at")} AS "{h["due_at"]}", {date("finished_at")} AS "{h["finished_at"]}",
            {date("returned_at")} AS "{h["returned_at"]}",
            CASE status {status} END AS "{h["status"]}",
            replace(format('{{:,}}', CAST(fee AS BIGINT)), ',', '.') AS "{h["fee"]}",
            {yes_no("paid_online")} AS "{h["paid_online"]}",
            components_total AS "{h["components_total"]}", components_digitised AS "{h["components_digitised"]}",
            CASE WHEN result_digitised THEN 'x' ELSE '' END AS "{h["result_digitised"]}",
            rating AS "{h["rating"]}", {yes_no("apology_letter")} AS "{h["apology_letter"]}",
            replace(CAST(wait_minutes AS VARCHAR), '.', ',') AS "{h["wait_minutes"]}",
            {yes_no("due_reset")} AS "{h["due_reset"]}"
        FROM {source}
    """


def minutes(source: str) -> str:
    """The source with its timestamps cut to the minute (what a dd/mm/yyyy HH:MM export keeps)."""
    cut = ", ".join(f"date_trunc('minute', {c}) AS {c}" for c in TIMESTAMPS)
    return f"(SELECT * REPLACE ({cut}) FROM {source})"


@pytest.fixture(scope="module")
def vietnamese_csv(generated, tmp_path_factory):
    out = tmp_path_factory.mktemp("vn") / "Danh sach ho so.csv"
    duckdb.connect().execute(
        f"COPY ({vietnamese_select(parquet(generated[1]))}) TO '{out}' (HEADER, DELIMITER ';')"
    )
    return out


# --------------------------------------------------------------------------------------------------
# Clean files


def test_a_canonical_csv_stages_without_errors_into_the_generated_data(generated, tmp_path):
    csv_path, parquet_path = generated
    result = stage_file(csv_path, out_path=tmp_path / "staged.parquet")
    assert (result.rows, result.error_count, result.errors) == (2000, 0, [])
    assert result.path == tmp_path / "staged.parquet" and result.path.exists()
    assert differences(parquet(result.path), parquet(parquet_path)) == (0, 0)
    con = duckdb.connect()
    described = con.execute(f"DESCRIBE SELECT * FROM {parquet(result.path)}").fetchall()
    assert [(r[0], r[1]) for r in described] == [(c.name, c.sql_type) for c in schema.COLUMNS]
    assert schema.validate(parquet(result.path), con) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["staged.parquet"]  # no temporary files left


def test_a_vietnamese_csv_with_a_saved_mapping_stages_the_same_dossiers(generated, vietnamese_csv, tmp_path):
    text = vietnamese_csv.read_text(encoding="utf-8")
    assert text.startswith("Mã hồ sơ;Mã đơn vị;") and "Đã trả kết quả" in text and ";Có;" in text
    mapping = SourceMapping.from_json(json.loads(json.dumps(MAPPING_JSON)))
    result = stage_file(vietnamese_csv, mapping, tmp_path / "staged.parquet")
    assert (result.rows, result.error_count) == (2000, 0), result.errors[:3]
    assert differences(parquet(result.path), minutes(parquet(generated[1]))) == (0, 0)

    con = duckdb.connect()
    staged = parquet(result.path)
    # hand-picked: the dossier with the highest fee among those paid online and returned
    code, fee = con.execute(
        f"SELECT dossier_code, fee FROM {parquet(generated[1])} WHERE fee >= 100000 AND paid_online "
        "AND status = 10 ORDER BY fee DESC, dossier_code LIMIT 1"
    ).fetchone()
    line = next(x for x in text.splitlines() if x.startswith(code + ";"))
    assert f";{fee:,.0f};".replace(",", ".") in line  # e.g. ";1.200.000;" in the file
    got = con.execute(
        f"SELECT fee, paid_online, status, channel, level FROM {staged} WHERE dossier_code = ?", [code]
    ).fetchone()
    expected = con.execute(
        f"SELECT fee, paid_online, status, channel, level FROM {parquet(generated[1])} WHERE dossier_code = ?",
        [code],
    ).fetchone()
    assert got == expected and got[1] is True and got[2] == 10
    # a dossier still pending (no finishing date: empty cells) and one with a waiting time
    for where in (
        "status = 4 AND finished_at IS NULL",
        "wait_minutes IS NOT NULL AND wait_minutes <> floor(wait_minutes)",
    ):
        code = con.execute(
            f"SELECT dossier_code FROM {parquet(generated[1])} WHERE {where} LIMIT 1"
        ).fetchone()[0]
        got = con.execute(f"SELECT * FROM {staged} WHERE dossier_code = ?", [code]).fetchone()
        expected = con.execute(
            f"SELECT * FROM {minutes(parquet(generated[1]))} WHERE dossier_code = ?", [code]
        )
        assert got == expected.fetchone()


def test_the_same_export_as_xlsx_with_real_dates_stages_to_the_same_result(vietnamese_csv, tmp_path):
    from openpyxl import Workbook

    mapping = SourceMapping.from_json(MAPPING_JSON)
    from_csv = stage_file(vietnamese_csv, mapping, tmp_path / "from_csv.parquet")

    con = duckdb.connect()
    cur = con.execute(f"SELECT * FROM {parquet(from_csv.path)}")
    rows = cur.fetchall()
    names = [d[0] for d in cur.description]
    status_label = {int(s): label for s, label in schema.STATUS_LABELS.items()}
    channel_label = {int(c): label for c, label in schema.CHANNEL_LABELS.items()}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Hồ sơ")
    sheet.append([])  # an empty first row: the header is the first non-empty row
    sheet.append(list(VIETNAMESE_HEADERS.values()))
    for values in rows:
        r = dict(zip(names, values, strict=True))
        sheet.append(
            [
                r["dossier_code"],
                int(r["unit_code"])
                if r["unit_code"].isdigit() and r["unit_code"][0] != "0"
                else r["unit_code"],
                r["procedure_code"],
                r["field"],
                "Toàn trình" if r["level"] == "full" else "Một phần",
                "Có" if r["online_eligible"] else "Không",
                channel_label[r["channel"]],
                *(r[c] for c in TIMESTAMPS),  # datetime cells
                status_label[r["status"]],
                int(r["fee"]),
                "Có" if r["paid_online"] else "Không",
                r["components_total"],
                r["components_digitised"],
                "x" if r["result_digitised"] else None,
                r["rating"],
                "Có" if r["apology_letter"] else "Không",
                r["wait_minutes"],
                "Có" if r["due_reset"] else "Không",
            ]
        )
    xlsx = tmp_path / "Danh sach ho so.xlsx"
    workbook.save(xlsx)

    from_xlsx = stage_file(xlsx, mapping, tmp_path / "from_xlsx.parquet")
    assert (from_xlsx.rows, from_xlsx.error_count) == (2000, 0), from_xlsx.errors[:3]
    assert differences(parquet(from_xlsx.path), parquet(from_csv.path)) == (0, 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "Danh sach ho so.xlsx",
        "from_csv.parquet",
        "from_xlsx.parquet",
    ]


def test_an_xlsx_error_names_the_sheet_and_its_real_row(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Tháng 1"
    sheet.append(["dossier_code", "unit_code", "procedure_code", "field", "level", "online_eligible", "channel",
                  "submitted_at", "received_at", "due_at", "finished_at", "returned_at", "status", "fee",
                  "paid_online", "components_total", "components_digitised", "result_digitised"])  # fmt: skip
    good = ["U1-260105-0001", "U1", "HT-01", "Hộ tịch", "full", True, 2, "05/01/2026 08:00", "05/01/2026 09:00",
            "06/01/2026 17:00", None, None, 4, 0, False, 2, 2, False]  # fmt: skip
    sheet.append(good)
    sheet.append([])  # a blank row in the middle: still row 3 in Excel
    bad = list(good)
    bad[0], bad[7] = "U1-260105-0002", "05/01/2026 8h"
    sheet.append(bad)
    workbook.save(tmp_path / "one.xlsx")
    result = stage_file(tmp_path / "one.xlsx", out_path=tmp_path / "one.parquet")
    assert result.rows == 2 and result.path is None
    assert [(e.sheet, e.row, e.column) for e in result.errors] == [("Tháng 1", 4, "submitted_at")]
    assert (
        str(result.errors[0])
        == "Trang tính «Tháng 1», dòng 4, cột submitted_at: «05/01/2026 8h» không phải ngày giờ hợp lệ"
    )


# --------------------------------------------------------------------------------------------------
# Bad rows


def test_a_file_with_one_bad_date_writes_nothing_and_names_the_row_and_header(generated, tmp_path):
    bad = patch_csv(generated[0], tmp_path / "bad.csv", {1234: {"received_at": "32/13/2026"}})
    out = tmp_path / "staged.parquet"
    out.write_bytes(b"an older staging of the same file")  # must not survive a failed staging
    result = stage_file(bad, out_path=out)
    assert result.path is None and not out.exists()
    assert (result.rows, result.error_count) == (2000, 1)
    (error,) = result.errors
    assert (error.sheet, error.row, error.column) == ("", 1234, "received_at")
    assert error.message == "«32/13/2026» không phải ngày giờ hợp lệ"
    assert str(error) == "dòng 1234, cột received_at: «32/13/2026» không phải ngày giờ hợp lệ"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_a_file_with_several_kinds_of_errors_lists_each_at_its_row(generated, tmp_path):
    src = generated[0]
    returned = first_row(src, "rn > 100 AND status = 10 AND returned_at > finished_at")
    paid = first_row(src, f"rn > 100 AND rn <> {returned} AND fee > 0 AND paid_online")
    dup_of = 40
    original = row_of(src, dup_of)
    changes = {
        7: {"status": "Hoàn thành"},
        9: {"fee": "abc"},
        11: {"unit_code": ""},
        13: {"components_digitised": "2.5"},
        15: {"online_eligible": "có lẽ"},
        returned: {"returned_at": "2020-01-01 00:00:00"},
        paid: {"fee": "0"},
        60: {"dossier_code": original["dossier_code"]},
    }
    bad = patch_csv(src, tmp_path / "bad.csv", changes)
    result = stage_file(bad, out_path=tmp_path / "staged.parquet")
    assert result.path is None
    got = [(e.row, e.column, e.message) for e in result.errors]
    code = original["dossier_code"]
    expected = [
        (7, "status", "«Hoàn thành» không phải trạng thái hồ sơ (1–10 hoặc tên trạng thái)"),
        (9, "fee", "«abc» không phải số"),
        (11, "unit_code", "thiếu giá trị bắt buộc"),
        (13, "components_digitised", "«2.5» không phải số nguyên"),
        (15, "online_eligible", "«có lẽ» không phải giá trị có/không (Có, Không, x, 1, 0)"),
        (dup_of, "dossier_code", f"mã hồ sơ «{code}» trùng với dòng 60"),
        (60, "dossier_code", f"mã hồ sơ «{code}» trùng với dòng {dup_of}"),
        (returned, "returned_at", "ngày trả kết quả trước ngày kết thúc xử lý"),
        (paid, "paid_online", "thanh toán trực tuyến nhưng hồ sơ không có phí, lệ phí"),
    ]
    # row 60 now has row 40's code: unless both rows share unit and submission day, it breaks the rule
    # that the code starts with {unit}-{yyMMdd of submission}- too (reported after the duplicate)
    record = row_of(src, 60)
    prefix = record["unit_code"] + "-" + record["submitted_at"][2:10].replace("-", "") + "-"
    if not code.startswith(prefix):
        rule = "phải có dạng {mã đơn vị}-{ngày nộp yyMMdd}-{số thứ tự}, tức là bắt đầu bằng"
        expected.append((60, "dossier_code", f"mã hồ sơ «{code}» {rule} «{prefix}»"))
    expected.sort(key=lambda e: e[0])  # stable: the duplicate before the rule on row 60
    assert got == expected
    assert result.error_count == len(expected)
    assert [e.row for e in result.errors] == sorted(e.row for e in result.errors)


def test_rule_messages_quote_the_values_they_are_about(generated, tmp_path):
    src = generated[0]
    record = row_of(src, 30)
    components = first_row(src, "rn > 30 AND components_total > 0")
    bad = patch_csv(src, tmp_path / "bad.csv", {
        30: {"dossier_code": "HS-0001"},
        components: {"components_digitised": "40"},
    })  # fmt: skip
    result = stage_file(bad, out_path=tmp_path / "staged.parquet")
    prefix = record["unit_code"] + "-" + record["submitted_at"][2:10].replace("-", "") + "-"
    total = row_of(src, components)["components_total"]
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (30, "dossier_code", f"mã hồ sơ «HS-0001» phải có dạng {{mã đơn vị}}-{{ngày nộp yyMMdd}}-{{số thứ tự}}, "
                             f"tức là bắt đầu bằng «{prefix}»"),
        (components, "components_digitised", f"số thành phần đã số hóa (40) lớn hơn số thành phần hồ sơ ({total})"),
    ]  # fmt: skip


def test_an_unknown_unit_code_is_named(generated, tmp_path):
    src = generated[0]
    record = row_of(src, 25)
    changes = {25: {"unit_code": "XYZ", "dossier_code": "XYZ-" + record["dossier_code"].split("-", 1)[1]}}
    bad = patch_csv(src, tmp_path / "bad.csv", changes)
    units = {
        u
        for (u,) in duckdb.connect()
        .execute(f"SELECT DISTINCT unit_code FROM {parquet(generated[1])}")
        .fetchall()
    }
    result = stage_file(bad, out_path=tmp_path / "staged.parquet", known_units=units)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (25, "unit_code", "mã đơn vị «XYZ» không có trong danh mục đơn vị")
    ]
    assert stage_file(src, out_path=tmp_path / "clean.parquet", known_units=units).error_count == 0


def test_rule_errors_are_not_reported_for_cells_that_are_already_wrong(generated, tmp_path):
    # a bad reception date would also break "received set iff status", "due before reception", ...
    row = first_row(generated[0], "status = 10")
    bad = patch_csv(generated[0], tmp_path / "bad.csv", {row: {"received_at": "hôm qua"}})
    result = stage_file(bad, out_path=tmp_path / "staged.parquet")
    assert [(e.row, e.column) for e in result.errors] == [(row, "received_at")]


def test_every_schema_rule_has_a_vietnamese_message():
    assert {name for name, _ in schema._RULES} == set(RULE_MESSAGES)


def test_only_the_first_max_errors_are_listed_but_all_are_counted(generated, tmp_path):
    changes = {row: {"status": "?"} for row in range(2, 2002, 2)}  # 1,000 bad rows
    bad = patch_csv(generated[0], tmp_path / "bad.csv", changes)
    result = stage_file(bad, out_path=tmp_path / "staged.parquet", max_errors=50)
    assert result.error_count == 1000 and len(result.errors) == 50
    assert [e.row for e in result.errors] == list(range(2, 102, 2))


def test_row_numbers_count_blank_lines_and_quoted_line_breaks_as_excel_does(generated, tmp_path):
    lines = generated[0].read_text(encoding="utf-8").splitlines(keepends=True)[:31]  # header + 30 rows
    header = next(csv.reader([lines[0]]))
    record = next(csv.reader([lines[5]]))  # row 6
    record[header.index("field")] = "Hộ tịch\nghi chú"  # a quoted line break inside a value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(record)
    lines[5] = buffer.getvalue()
    bad = next(csv.reader([lines[20]]))  # row 21
    bad[header.index("fee")] = "-"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(bad)
    lines[20] = buffer.getvalue()
    text = "".join(lines[:10]) + "\n" + "".join(lines[10:])  # a blank line: row 11 in Excel
    path = tmp_path / "blank.csv"
    path.write_text(text + "\n\n", encoding="utf-8")
    result = stage_file(path, out_path=tmp_path / "staged.parquet")
    assert [(e.row, e.column, e.message) for e in result.errors] == [(22, "fee", "«-» không phải số")]
    assert result.rows == 30


def test_a_windows_export_with_bom_and_crlf_lines_is_read_the_same(generated, tmp_path):
    text = generated[0].read_text(encoding="utf-8")
    path = tmp_path / "windows.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    result = stage_file(path, out_path=tmp_path / "staged.parquet")
    assert (result.rows, result.error_count) == (2000, 0)
    assert differences(parquet(result.path), parquet(generated[1])) == (0, 0)
    patched = patch_csv(generated[0], tmp_path / "patched.csv", {100: {"paid_online": "vâng"}})
    lines = patched.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_bytes(
        b"\xef\xbb\xbf" + "".join(lines[:50] + ["\n"] + lines[50:]).replace("\n", "\r\n").encode()
    )
    result = stage_file(path, out_path=tmp_path / "staged.parquet")
    assert [(e.row, e.message) for e in result.errors] == [
        (101, "«vâng» không phải giá trị có/không (Có, Không, x, 1, 0)")
    ]  # the blank line at row 51 moves row 100 to 101


def test_row_numbers_stay_right_deep_in_a_large_file_read_with_two_threads(tmp_path):
    big = write_file(tmp_path / "big.csv", 400_000, 2026, "csv", seed=5)
    bad = patch_csv(
        big,
        tmp_path / "bad.csv",
        {2: {"channel": "9"}, 300_001: {"submitted_at": "2026-13-01 08:00:00"}, 400_001: {"rating": "7"}},
    )
    big.unlink()
    con = duckdb.connect()
    con.execute("SET threads = 2")
    result = stage_file(bad, out_path=tmp_path / "staged.parquet", con=con)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "channel", "«9» không phải kênh nộp hồ sơ (1–3 hoặc Trực tiếp, Trực tuyến, Bưu chính công ích)"),
        (300_001, "submitted_at", "«2026-13-01 08:00:00» không phải ngày giờ hợp lệ"),
        (400_001, "rating", "đánh giá phải từ 1 đến 5"),
    ]
    assert result.rows == 400_000 and result.error_count == 3
    assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 2  # the caller's connection


# --------------------------------------------------------------------------------------------------
# Merging into the snapshot


def test_merge_inserts_then_ignores_the_same_file_then_upserts_changes(generated, tmp_path):
    store = tmp_path / "store"
    staged = stage_file(generated[0], out_path=tmp_path / "staged.parquet").path
    first = merge_snapshot(None, staged, store / "snapshot-1.parquet")
    assert (first.inserted, first.updated, first.unchanged, first.total) == (2000, 0, 0, 2000)
    assert first.snapshot == store / "snapshot-1.parquet"
    assert differences(parquet(first.snapshot), parquet(generated[1])) == (0, 0)

    again = merge_snapshot(first.snapshot, staged, store / "snapshot-2.parquet")
    assert (again.inserted, again.updated, again.unchanged, again.total, again.snapshot) == (
        0,
        0,
        2000,
        2000,
        None,
    )
    assert not (store / "snapshot-2.parquet").exists()

    # the next export: 3 dossiers changed (status moved on, a rating added), 2 new ones
    con = duckdb.connect()
    changed = [
        c
        for (c,) in con.execute(
            f"SELECT dossier_code FROM {parquet(staged)} WHERE status = 9 ORDER BY dossier_code LIMIT 3"
        ).fetchall()
    ]
    next_export = tmp_path / "next.csv"
    con.execute(
        f"""COPY (
            SELECT * REPLACE (
                CASE WHEN list_contains(?, dossier_code) THEN 10 ELSE status END AS status,
                CASE WHEN list_contains(?, dossier_code) THEN finished_at + INTERVAL 1 HOUR ELSE returned_at END
                    AS returned_at,
                CASE WHEN list_contains(?, dossier_code) THEN 5 ELSE rating END AS rating)
            FROM {parquet(staged)}
            UNION ALL  -- two new dossiers: same data, another daily number
            SELECT * REPLACE (regexp_replace(dossier_code, '-([0-9]+)$', '-9\\1') AS dossier_code)
            FROM {parquet(staged)}
            WHERE dossier_code IN (SELECT dossier_code FROM {parquet(staged)} ORDER BY dossier_code DESC LIMIT 2)
        ) TO '{next_export}' (HEADER)""",
        [changed, changed, changed],
    )
    restaged = stage_file(next_export, out_path=tmp_path / "restaged.parquet")
    assert restaged.error_count == 0, restaged.errors
    second = merge_snapshot(first.snapshot, restaged.path, store / "snapshot-2.parquet")
    assert (second.inserted, second.updated, second.unchanged, second.total) == (2, 3, 1997, 2002)
    assert second.snapshot == store / "snapshot-2.parquet"
    snap = parquet(second.snapshot)
    assert con.execute(f"SELECT count(*), count(DISTINCT dossier_code) FROM {snap}").fetchone() == (
        2002,
        2002,
    )
    got = con.execute(
        f"SELECT dossier_code, status, rating FROM {snap} WHERE list_contains(?, dossier_code) ORDER BY 1",
        [changed],
    ).fetchall()
    assert got == [(c, 10, 5) for c in changed]
    assert differences(snap, parquet(restaged.path)) == (0, 0)
    assert sorted(p.name for p in store.iterdir()) == ["snapshot-1.parquet", "snapshot-2.parquet"]


def test_merge_can_replace_the_current_snapshot_in_place(generated, tmp_path):
    staged = stage_file(generated[0], out_path=tmp_path / "staged.parquet").path
    snapshot = tmp_path / "snapshot.parquet"
    merge_snapshot(None, staged, snapshot)
    con = duckdb.connect()
    one = tmp_path / "one.csv"
    con.execute(
        f"COPY (SELECT * REPLACE (5 AS rating) FROM {parquet(staged)} WHERE status = 10 AND rating IS NULL "
        f"ORDER BY dossier_code LIMIT 1) TO '{one}' (HEADER)"
    )
    code = row_of(one, 2)["dossier_code"]
    result = merge_snapshot(snapshot, stage_file(one, out_path=tmp_path / "one.parquet").path, snapshot)
    assert (result.inserted, result.updated, result.unchanged, result.total) == (0, 1, 0, 2000)
    assert result.snapshot == snapshot
    assert con.execute(
        f"SELECT rating FROM {parquet(snapshot)} WHERE dossier_code = ?", [code]
    ).fetchone() == (5,)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "one.csv",
        "one.parquet",
        "snapshot.parquet",
        "staged.parquet",
    ]


# --------------------------------------------------------------------------------------------------
# Unusable files


def test_a_missing_required_column_names_the_expected_header(vietnamese_csv, tmp_path):
    con = duckdb.connect()
    path = tmp_path / "no_status.csv"
    con.execute(
        f"COPY (SELECT * EXCLUDE (\"Trạng thái\") FROM read_csv('{vietnamese_csv}', all_varchar = true)) "
        f"TO '{path}' (HEADER, DELIMITER ';')"
    )
    with pytest.raises(IngestFileError) as caught:
        stage_file(path, SourceMapping.from_json(MAPPING_JSON), tmp_path / "staged.parquet")
    assert "«Trạng thái»" in caught.value.message and "thiếu 1 cột" in caught.value.message
    with pytest.raises(IngestFileError) as caught:
        stage_file(vietnamese_csv, None, tmp_path / "staged.parquet")  # no mapping: canonical names expected
    assert "«dossier_code» (Mã hồ sơ)" in caught.value.message
    assert not (tmp_path / "staged.parquet").exists()


def test_optional_columns_and_mapping_defaults_fill_missing_columns(generated, tmp_path):
    con = duckdb.connect()
    path = tmp_path / "short.csv"
    con.execute(
        f"COPY (SELECT * EXCLUDE (rating, wait_minutes, apology_letter, due_reset, online_eligible) "
        f"FROM {parquet(generated[1])} WHERE online_eligible) TO '{path}' (HEADER)"
    )
    with pytest.raises(IngestFileError, match="online_eligible"):
        stage_file(path, out_path=tmp_path / "staged.parquet")
    result = stage_file(path, SourceMapping(defaults={"online_eligible": True}), tmp_path / "staged.parquet")
    assert result.error_count == 0, result.errors[:3]
    row = con.execute(
        f"SELECT count(*), count(rating), count(wait_minutes), bool_or(apology_letter), bool_and(online_eligible) "
        f"FROM {parquet(result.path)}"
    ).fetchone()
    assert row[1:] == (0, 0, False, True) and row[0] > 1000
    with pytest.raises(IngestFileError, match="mặc định «có lẽ»"):
        stage_file(path, SourceMapping(defaults={"online_eligible": "có lẽ"}), tmp_path / "staged.parquet")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("export.txt", b"dossier_code\nA-260101-1\n", "Chỉ nhận tệp .csv hoặc .xlsx"),
        ("export.xlsx", b"PK\x03\x04 this is not a workbook", "không phải là bảng tính Excel"),
        ("export.xlsx", b"", "không phải là bảng tính Excel"),
        ("export.csv", b"", "Tệp trống"),
        ("export.csv", b"\xff\xfed\x00o\x00", "UTF-16"),
        ("export.csv", "tên;x\n1;2\n".encode("cp1258"), "UTF-8"),
        ("export.csv", "a;x\n1;ô\n".encode("cp1258"), "UTF-8"),
    ],
)
def test_unusable_files_raise_an_ingest_file_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestFileError) as caught:
        stage_file(path, out_path=tmp_path / "staged.parquet")
    assert message in caught.value.message
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_header_only_file_is_empty(generated, tmp_path):
    path = tmp_path / "header.csv"
    path.write_text(generated[0].read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    with pytest.raises(IngestFileError, match="không có dòng dữ liệu"):
        stage_file(path, out_path=tmp_path / "staged.parquet")


def test_a_row_with_too_many_cells_makes_the_csv_unusable(generated, tmp_path):
    lines = generated[0].read_text(encoding="utf-8").splitlines()[:50]
    lines[30] += ",extra"
    path = tmp_path / "broken.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(IngestFileError, match="lỗi cấu trúc"):
        stage_file(path, out_path=tmp_path / "staged.parquet")


# --------------------------------------------------------------------------------------------------
# Mapping, text, progress


def test_a_mapping_round_trips_through_json_and_rejects_nonsense():
    mapping = SourceMapping.from_json(
        {
            **MAPPING_JSON,
            "status_values": {"Hoàn thành": 10},
            "datetime_formats": ["%d-%m-%Y"],
            "delimiter": ";",
        }
    )
    assert mapping.status_values == {"hoan thanh": 10}
    assert SourceMapping.from_json(json.loads(json.dumps(mapping.to_json()))) == mapping
    assert mapping.status_words()["hoan thanh"] == 10 and mapping.status_words()["da tra ket qua"] == 10
    for bad in ({"columns": {"ma_ho_so": "Mã hồ sơ"}}, {"status_values": {"xong": 11}}, {"colums": {}},
                {"defaults": {"dossier_code": "X"}}, {"defaults": {"status": None}}):  # fmt: skip
        with pytest.raises(ValueError, match="không hợp lệ"):
            SourceMapping.from_json(bad)


def test_words_and_codes_are_folded_and_text_is_nfc(generated, tmp_path):
    import unicodedata

    assert fold_key("  Đã TRẢ kết-quả. ") == "da tra ket qua"
    src = generated[0]
    row = first_row(src, "status = 10 AND channel = 2 AND field = 'Hộ tịch'")
    changes = {
        row: {
            "status": " ĐÃ TRẢ KẾT QUẢ ",
            "channel": "trực tuyến.",
            "field": unicodedata.normalize("NFD", "Hộ tịch"),
        }
    }
    path = patch_csv(src, tmp_path / "words.csv", changes)
    result = stage_file(path, out_path=tmp_path / "staged.parquet")
    assert result.error_count == 0, result.errors
    assert differences(parquet(result.path), parquet(generated[1])) == (0, 0)


def test_progress_rises_to_one_at_most_ten_times_a_second(tmp_path):
    path = write_file(tmp_path / "p.csv", 300_000, 2026, "csv", seed=1)
    calls: list[tuple[float, float]] = []
    started = time.monotonic()
    result = stage_file(
        path, out_path=tmp_path / "p.parquet", progress=lambda f: calls.append((time.monotonic(), f))
    )
    elapsed = time.monotonic() - started
    assert result.error_count == 0
    fractions = [f for _, f in calls]
    assert len(fractions) >= 2 and fractions[-1] == 1.0
    assert fractions == sorted(fractions) and all(0.0 <= f <= 1.0 for f in fractions)
    assert len(calls) <= elapsed * 10 + 2
    # The last report (1.0, the end) goes at once; the ones before it are a tenth of a second apart.
    gaps = [b - a for (a, _), (b, _) in zip(calls[:-1], calls[1:-1], strict=False)]
    assert min(gaps) >= 0.09


# --------------------------------------------------------------------------------------------------
# Content digest


def _rewritten(source: Path, out: Path, *, columns=None, order="", where="", replace=None) -> Path:
    """The CSV at ``source`` written again with other column order, row order or cells."""
    cols = ", ".join(columns or schema.COLUMN_NAMES)
    rel = f"read_csv('{source}', all_varchar = true, header = true)"
    if replace:
        rel = f"(SELECT * REPLACE ({replace}) FROM {rel})"
    sql = f"SELECT {cols} FROM {rel} {where} {order}"
    duckdb.connect().execute(f"COPY ({sql}) TO '{out}' (HEADER)")
    return out


def _month(received_at: str) -> str:
    return f"coalesce(strftime({received_at}, '%Y-%m'), 'none')"


def test_the_content_digest_ignores_row_and_column_order_and_nothing_else(generated, tmp_path):
    source = generated[0]
    codes = ["unit-a"]  # the catalogue does not have to hold the file's units: it is part of the key

    def digest(path, mapping=None, known=codes):
        return content_digest(path, mapping, scratch_dir=tmp_path, known_units=known).digest

    first = digest(source)
    shuffled = _rewritten(
        source,
        tmp_path / "xuat-lai.csv",
        columns=list(reversed(schema.COLUMN_NAMES)),
        order="ORDER BY hash(dossier_code)",
    )
    assert shuffled.read_bytes() != source.read_bytes()
    assert digest(shuffled) == first
    assert first.split(":")[1] == "2000"  # the number of records
    one_cell = _rewritten(
        source,
        tmp_path / "mot-o.csv",
        replace="CASE WHEN dossier_code = (SELECT min(dossier_code) FROM read_csv('"
        f"{source}', all_varchar = true)) THEN fee || '0' ELSE fee END AS fee",
    )
    assert digest(one_cell) != first
    padded = _rewritten(source, tmp_path / "dem.csv", replace="' ' || unit_code AS unit_code")
    assert digest(padded) != first  # cells as read: the converting pass decides they are the same
    one_row_less = _rewritten(source, tmp_path / "thieu.csv", where="LIMIT 1999")
    assert digest(one_row_less) != first
    # what the conversion depends on is part of the digest
    assert digest(source, SourceMapping(thousands_separator=".")) != first
    assert digest(source, known=[*codes, "unit-b"]) != first
    assert digest(source, known=None) != first


def test_the_content_digest_by_month_changes_only_in_the_month_that_changed(generated, tmp_path):
    source = generated[0]
    con = duckdb.connect()
    months = dict(
        con.execute(
            f"SELECT {_month('received_at')}, count(*) FROM read_parquet('{generated[1]}') GROUP BY 1"
        ).fetchall()
    )
    # the last month's first dossier is finished a day later
    last = max(m for m in months if m != "none")
    changed = _rewritten(
        source,
        tmp_path / "sua.csv",
        replace=f"CASE WHEN dossier_code = (SELECT min(dossier_code) FROM read_csv('{source}', all_varchar = "
        f"true) WHERE received_at LIKE '{last}%') THEN '2026-12-31 10:00:00' ELSE finished_at END AS finished_at",
    )

    before = content_digest(source, None, scratch_dir=tmp_path, month_key=_month)
    after = content_digest(changed, None, scratch_dir=tmp_path, month_key=_month)

    assert {m: int(d.split(":")[0]) for m, d in before.months.items()} == months  # grouped as converted
    assert before.rows == 2000 and before.key == after.key
    assert [m for m in before.months if before.months[m] != after.months[m]] == [last]


def test_date_formats_are_sniffed_once_per_file_and_again_when_it_changes(generated, tmp_path):
    from cchc.delivery.kpi import ingest

    path = tmp_path / "ngay.csv"
    day_first = "%d/%m/%Y %H:%M:%S"
    mapping = SourceMapping.from_json({"datetime_formats": [day_first]})

    def write(as_day_first: bool) -> None:
        cols = ", ".join(
            f"strftime(CAST({c} AS TIMESTAMP), '{day_first}') AS {c}"
            if c in TIMESTAMPS and as_day_first
            else c
            for c in schema.COLUMN_NAMES
        )
        duckdb.sql(f"COPY (SELECT {cols} FROM read_csv('{generated[0]}')) TO '{path}' (FORMAT csv, HEADER)")

    def first_format() -> str:
        latest = [v for k, v in ingest._SNIFFED.items() if str(path) in k[0]][-1]
        return latest["received_at"][0]

    ingest._SNIFFED.clear()
    write(as_day_first=True)
    assert stage_file(path, mapping, tmp_path / "a.parquet").rows == 2000
    assert first_format() == day_first
    assert stage_file(path, mapping, tmp_path / "b.parquet").rows == 2000 and len(ingest._SNIFFED) == 1

    write(as_day_first=False)  # the same name, other content: sniffed again
    assert stage_file(path, mapping, tmp_path / "c.parquet").rows == 2000
    assert first_format() != day_first and len(ingest._SNIFFED) == 2
