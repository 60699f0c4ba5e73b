"""Longer periods combined from stored month rows equal the engine's own longer periods."""

from __future__ import annotations

from collections import defaultdict

import pytest

from cchc.delivery.kpi import KpiSettings, compute_kpis, write_file
from cchc.delivery.kpi.catalogue import KPI_BY_CODE, suggest
from cchc.delivery.kpi.engine import OUTPUT_COLUMNS
from cchc.delivery.kpi.periods import combine, derive, sums_of

RATES = [
    c
    for c in OUTPUT_COLUMNS
    if c not in ("level", "unit_code", "field", "period", "period_start", "period_end")
]


@pytest.fixture(scope="module")
def dossiers(tmp_path_factory):
    units = [("U1", 40_000), ("U2", 25_000), ("U3", 60_000)]
    return write_file(tmp_path_factory.mktemp("d") / "d.parquet", 30_000, 2026, "parquet", units=units)


@pytest.mark.parametrize(
    "granularity, months",
    [("quarter", 3), ("year", 12)],
)
@pytest.mark.parametrize("late_denominator", ["to_process", "finished"])
def test_a_longer_period_combined_from_months_equals_the_engines_own(
    dossiers, granularity, months, late_denominator
):
    monthly = KpiSettings(granularity="month", cutoff_day=15, late_rate_denominator=late_denominator)
    longer = KpiSettings(granularity=granularity, cutoff_day=15, late_rate_denominator=late_denominator)
    month_rows = compute_kpis(dossiers, monthly, include_sums=True)
    by_key = defaultdict(list)
    for row in month_rows:
        by_key[(row["level"], row["unit_code"], row["field"])].append(row)
    checked = 0
    for row in compute_kpis(dossiers, longer):
        inside = [
            m
            for m in by_key[(row["level"], row["unit_code"], row["field"])]
            if row["period_start"] <= m["period_start"] and m["period_end"] <= row["period_end"]
        ]
        if len(inside) < months:
            continue  # a period running past the data: only its first months exist as rows
        combined = derive(
            combine([sums_of(m) for m in sorted(inside, key=lambda m: m["period_start"])]), longer
        )
        for key in RATES:
            expected = row[key]
            if expected is None:
                assert combined[key] is None, (row["period"], key)
            else:
                assert combined[key] == pytest.approx(expected, rel=1e-9, abs=1e-9), (row["period"], key)
        checked += 1
    assert checked > 50


def test_the_catalogue_reads_value_and_fraction_from_derived_kpis():
    kpis = derive(
        {"received": 80, "online_num": 70, "online_den": 80, "carried_over": 20, "finished_late": 3}
    )
    online = KPI_BY_CODE["online_share"]
    assert online.value(kpis) == pytest.approx(87.5)
    assert online.fraction(kpis) == (70.0, 80.0)
    on_time = KPI_BY_CODE["on_time_rate"]
    assert on_time.fraction(kpis) == (97.0, 100.0)
    assert KPI_BY_CODE["online_payment_share"].value(kpis) is None  # no dossier with a fee


@pytest.mark.parametrize(
    "wording, code",
    [
        ("Tỷ lệ hồ sơ giải quyết trực tuyến trên tổng số hồ sơ đạt tối thiểu 85%", "online_share"),
        ("trong số đó, tỷ lệ giao dịch thanh toán trực tuyến đạt từ 50% trở lên", "online_payment_share"),
        ("100% hồ sơ, kết quả giải quyết thủ tục hành chính được số hóa", "result_digitised_rate"),
        (
            "Mức độ hài lòng của người dân, doanh nghiệp về giải quyết thủ tục hành chính đạt tối thiểu 95%",
            "satisfaction_share",
        ),
        ("Tỷ lệ hồ sơ giải quyết đúng hoặc trước hạn đạt 98%", "on_time_rate"),
        (
            "100% thủ tục hành chính, có yêu cầu nghĩa vụ tài chính, được triển khai thanh toán trực tuyến",
            None,
        ),
        ("Số hóa toàn bộ dữ liệu ngành", None),
        ("Trong đó, mức độ hài lòng về giải quyết thủ tục hành chính lĩnh vực đất đai đạt 90%", None),
    ],
)
def test_a_targets_wording_suggests_the_kpi_it_names_and_only_that(wording, code):
    kpi = suggest(wording)
    assert (kpi.code if kpi else None) == code


def test_an_open_dossier_due_after_the_export_day_is_not_late_yet(tmp_path):
    from datetime import date

    import duckdb

    from cchc.delivery.kpi.schema import create_table_sql

    con = duckdb.connect()
    con.execute(create_table_sql())
    # Both received on 2/2 and still open; one due 5/2 (late by the export day 10/2), one due 20/2.
    for seq, due in ((1, "2026-02-05"), (2, "2026-02-20")):
        con.execute(
            "INSERT INTO dossiers VALUES (?, 'U1', 'P', 'Hộ tịch', 'full', true, 2, TIMESTAMP '2026-02-02 09:00',"
            " TIMESTAMP '2026-02-02 09:00', CAST(? AS TIMESTAMP), NULL, NULL, 4, 0, false, 1, 1, false, NULL,"
            " false, NULL, false)",
            [f"U1-260202-{seq:04d}", due],
        )
    at_period_end = compute_kpis("dossiers", KpiSettings(by_field=False), con=con)
    as_exported = compute_kpis("dossiers", KpiSettings(by_field=False, as_of=date(2026, 2, 10)), con=con)

    def feb(rows):
        return next(r for r in rows if r["level"] == "unit" and r["period"] == "2026-02")

    assert feb(at_period_end)["unfinished_late_at_period_end"] == 2
    assert feb(as_exported)["unfinished_late_at_period_end"] == 1
