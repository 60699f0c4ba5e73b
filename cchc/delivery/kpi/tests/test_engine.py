"""KPI engine, 766 scoring and generator against hand-computed values (no Django database).

The hand-made set: units U1 and U2, fields Hộ tịch (HT) and Đất đai (DD), months Jan–Mar 2026.
rp = month received, cp = month closed (finished, or withdrawn/stopped), lp = month of the due date.

 id  unit field ch elig received     due    finished       returned       st  timeliness (finished_at / returned_at)
 D1  U1   HT   2  y   02-03 09:00  02-05  02-04 10:00   02-04 11:00    10  early / early
 D2  U1   HT   1  y   02-03 08:00  02-05  02-05 15:00   02-06 09:00    10  on time / LATE (returned after due)
 D3  U1   DD   2  y   02-02 10:00  02-10  02-12 10:00   02-12 15:00    10  late / late
 D4  U1   DD   1  n   02-09 09:00  02-20  —             —               4  open, late at end of Feb and Mar
 D5  U1   HT   3  y   01-28 09:00  02-02  02-02 16:00   —               9  on time in Feb / OPEN (not returned)
 D6  U1   HT   2  y   01-05 08:30  01-07  01-06 10:30   01-06 11:30    10  early in Jan
 D7  U1   DD   1  y   01-10 09:00  01-25  02-10 09:00   02-11 10:00    10  late at end of Jan, finished late in Feb
 D8  U1   DD   2  y   01-20 09:00  03-10  —             —               5  open, carried over, late at end of Mar
 D9  U1   HT   1  y   02-10 09:00  02-12  02-11 (withdrawn)  —          7  withdrawn in Feb
 D10 U1   HT   2  y   — (submitted 02-27, not received)                 1  never counted
 D11 U1   HT   2  y   — (submitted 02-15, refused)                      3  never counted
 D12 U2   HT   1  y   02-16 10:00  02-16  02-16 14:00   02-16 14:30    10  on time / on time
 D13 U2   DD   2  y   02-17 09:00  02-19  02-18 09:00   02-20 10:00    10  early / LATE
 D14 U2   HT   2  y   02-25 08:00  03-02  —             —               4  open, late at end of Mar
 D15 U2   DD   1  n   01-12 09:00  01-20  01-21 09:00   01-21 10:00    10  late in Jan
 D16 U2   HT   1  y   01-15 09:00  01-16  02-03 (stopped)     —          8  late at end of Jan, stopped in Feb
 D17 U2   HT   2  y   02-27 16:00  03-03  03-02 10:00   03-02 11:00    10  early in Mar
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from cchc.delivery.kpi import (
    INDICATORS_766,
    KpiSettings,
    band_766,
    build_sql,
    compute_kpis,
    default_units,
    generate,
    schema,
    score_766,
    tree_pairs,
    write_file,
)
from cchc.delivery.kpi.scoring766 import NO_DATA, NOT_COMPUTABLE

HT, DD = "Hộ tịch", "Đất đai"


def ts(text: str | None) -> datetime | None:
    return datetime.strptime(f"2026-{text}", "%Y-%m-%d %H:%M") if text else None


def dossier(
    code, unit, field, channel, eligible, received, due, finished, returned, status, *, submitted=None, **kw
):
    sub = ts(submitted) if submitted else ts(received)
    row = {
        "dossier_code": f"{unit}-{sub:%y%m%d}-{code:04d}",
        "unit_code": unit,
        "procedure_code": "HT-01" if field == HT else "DD-01",
        "field": field,
        "level": "full" if eligible else "partial",
        "online_eligible": eligible,
        "channel": channel,
        "submitted_at": sub,
        "received_at": ts(received),
        "due_at": ts(due),
        "finished_at": ts(finished),
        "returned_at": ts(returned),
        "status": status,
        "fee": 0,
        "paid_online": False,
        "components_total": 0,
        "components_digitised": 0,
        "result_digitised": False,
        "rating": None,
        "apology_letter": False,
        "wait_minutes": None,
        "due_reset": False,
    }
    row.update(kw)
    return row


def c(total, digitised):
    return {"components_total": total, "components_digitised": digitised}


DOSSIERS = [
    dossier(1, "U1", HT, 2, True, "02-03 09:00", "02-05 17:00", "02-04 10:00", "02-04 11:00", 10,
            **c(2, 2), result_digitised=True, rating=5),
    dossier(2, "U1", HT, 1, True, "02-03 08:00", "02-05 17:00", "02-05 15:00", "02-06 09:00", 10,
            **c(3, 1), fee=8000, rating=3, wait_minutes=12.0),
    dossier(3, "U1", DD, 2, True, "02-02 10:00", "02-10 10:00", "02-12 10:00", "02-12 15:00", 10,
            **c(4, 4), fee=100000, paid_online=True, result_digitised=True, rating=2,
            apology_letter=True, due_reset=True),
    dossier(4, "U1", DD, 1, False, "02-09 09:00", "02-20 09:00", None, None, 4,
            **c(5, 3), fee=50000, wait_minutes=20.0),
    dossier(5, "U1", HT, 3, True, "01-28 09:00", "02-02 17:00", "02-02 16:00", None, 9,
            submitted="01-26 10:00", **c(2, 2), result_digitised=True),
    dossier(6, "U1", HT, 2, True, "01-05 08:30", "01-07 17:00", "01-06 10:30", "01-06 11:30", 10,
            **c(1, 1), fee=10000, paid_online=True, result_digitised=True, rating=4),
    dossier(7, "U1", DD, 1, True, "01-10 09:00", "01-25 09:00", "02-10 09:00", "02-11 10:00", 10,
            **c(3, 0), rating=1, wait_minutes=30.0, apology_letter=True),
    dossier(8, "U1", DD, 2, True, "01-20 09:00", "03-10 09:00", None, None, 5, **c(4, 4)),
    dossier(9, "U1", HT, 1, True, "02-10 09:00", "02-12 17:00", "02-11 09:00", None, 7,
            **c(2, 2), wait_minutes=5.0),
    dossier(10, "U1", HT, 2, True, None, None, None, None, 1, submitted="02-27 22:00"),
    dossier(11, "U1", HT, 2, True, None, None, None, None, 3, submitted="02-15 10:00"),
    dossier(12, "U2", HT, 1, True, "02-16 10:00", "02-16 17:00", "02-16 14:00", "02-16 14:30", 10,
            **c(1, 1), fee=2000, paid_online=True, result_digitised=True, rating=4, wait_minutes=8.0),
    dossier(13, "U2", DD, 2, True, "02-17 09:00", "02-19 09:00", "02-18 09:00", "02-20 10:00", 10,
            **c(2, 2), result_digitised=True),
    dossier(14, "U2", HT, 2, True, "02-25 08:00", "03-02 08:00", None, None, 4, **c(1, 1)),
    dossier(15, "U2", DD, 1, False, "01-12 09:00", "01-20 09:00", "01-21 09:00", "01-21 10:00", 10,
            **c(3, 2), fee=20000, rating=5, wait_minutes=15.0),
    dossier(16, "U2", HT, 1, True, "01-15 09:00", "01-16 09:00", "02-03 09:00", None, 8, **c(1, 0)),
    dossier(17, "U2", HT, 2, True, "02-27 16:00", "03-03 16:00", "03-02 10:00", "03-02 11:00", 10,
            **c(1, 1), result_digitised=True),
]  # fmt: skip


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    connection.execute(schema.create_table_sql("dossiers"))
    cols = schema.COLUMN_NAMES
    connection.executemany(
        f"INSERT INTO dossiers ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [[d[name] for name in cols] for d in DOSSIERS],
    )
    yield connection
    connection.close()


def kpis(con, settings=None, parents=None):
    return compute_kpis("dossiers", settings or KpiSettings(), parents, con=con)


def pick(rows, period, level="all", unit=None, field=None):
    found = [
        r
        for r in rows
        if r["period"] == period and r["level"] == level and r["unit_code"] == unit and r["field"] == field
    ]
    assert len(found) == 1, (period, level, unit, field, found)
    return found[0]


def check(row, **expected):
    for key, value in expected.items():
        if isinstance(value, float):
            assert row[key] == pytest.approx(value), key
        else:
            assert row[key] == value, key


def test_hand_made_set_is_valid(con):
    assert schema.validate("dossiers", con) == []


def test_validate_reports_broken_rows(con):
    con.execute("CREATE TEMP TABLE broken AS SELECT * FROM dossiers")
    con.execute("UPDATE broken SET channel = 2 WHERE dossier_code LIKE 'U1-%-0004'")  # online, not eligible
    con.execute("UPDATE broken SET returned_at = NULL WHERE dossier_code LIKE 'U1-%-0001'")  # status 10
    problems = schema.validate("broken", con)
    assert any("online channel" in p for p in problems)
    assert any("returned_at set iff status = 10" in p for p in problems)


def test_january_finished_basis(con):
    jan = pick(kpis(con), "2026-01")
    check(
        jan,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        # received in Jan: D5 D6 D7 D8 D15 D16; nothing before Jan
        received=6,
        carried_over=0,
        to_process=6,
        # finished in Jan: D6 early (01-06 < 01-07), D15 late (01-21 > 01-20)
        finished=2,
        finished_early=1,
        finished_on_time=0,
        finished_late=1,
        # open at end of Jan and due before: D7 (due 01-25), D16 (due 01-16)
        unfinished_late_at_period_end=2,
        late_total=3,
        late_rate=3 / 6,
        on_time_rate=3 / 6,
        withdrawn_stopped=0,
        # eligible received: D5 D6 D7 D8 D16 (D15 not eligible); online among them: D6 D8
        online_den=5,
        online_num=2,
        online_share=2 / 5,
        # fee > 0: D6 (paid online), D15
        fee_dossiers=2,
        paid_online=1,
        online_payment_share=0.5,
        # components D5 2/2, D6 1/1, D7 3/0, D8 4/4, D15 3/2, D16 1/0
        components_total=14,
        components_digitised=9,
        components_digitised_rate=9 / 14,
        # finished: D6 digitised, D15 not
        result_digitised=1,
        result_digitised_rate=0.5,
        # ratings of finished: D6 4, D15 5
        rated=2,
        satisfied=2,
        satisfaction_share=1.0,
        # late: D15 (no apology), D7 (apology), D16 (no apology)
        apology_letters_for_late=1,
        apology_share=1 / 3,
        # D6 26 h, D15 216 h
        avg_processing_days=(26 + 216) / 24 / 2,
        # desk waits of Jan receptions: D7 30, D15 15
        wait_n=2,
        avg_wait_minutes=22.5,
    )


def test_february_finished_basis(con):
    feb = pick(kpis(con), "2026-02")
    check(
        feb,
        # received in Feb: D1 D2 D3 D4 D9 D12 D13 D14 D17
        received=9,
        # received before Feb, not closed before 1/2: D5, D7, D8, D16 (D6, D15 closed in Jan)
        carried_over=4,
        to_process=13,
        # D1 early, D13 early; D2, D5, D12 on the due date; D3, D7 late
        finished=7,
        finished_early=2,
        finished_on_time=3,
        finished_late=2,
        # open at 28/2 with due date passed: D4 (D8, D14, D17 due in March; D9, D16 closed in Feb)
        unfinished_late_at_period_end=1,
        late_total=3,
        late_rate=3 / 13,
        on_time_rate=10 / 13,
        # D9 withdrawn, D16 stopped
        withdrawn_stopped=2,
        # eligible: all but D4 (8); online: D1 D3 D13 D14 D17
        online_den=8,
        online_num=5,
        online_share=5 / 8,
        # fee: D2, D3 (online), D4, D12 (online)
        fee_dossiers=4,
        paid_online=2,
        online_payment_share=0.5,
        # D1 2/2, D2 3/1, D3 4/4, D4 5/3, D9 2/2, D12 1/1, D13 2/2, D14 1/1, D17 1/1
        components_total=21,
        components_digitised=17,
        components_digitised_rate=17 / 21,
        # finished D1 D3 D5 D12 D13 digitised; D2 D7 not
        result_digitised=5,
        result_digitised_rate=5 / 7,
        # ratings: D1 5, D2 3, D3 2, D7 1, D12 4 → ≥ 4: D1, D12
        rated=5,
        satisfied=2,
        satisfaction_share=2 / 5,
        # late: D3 (apology), D7 (apology), D4 (none)
        apology_letters_for_late=2,
        apology_share=2 / 3,
        # hours: D1 25, D2 55, D3 240, D5 127, D7 744, D12 4, D13 24
        avg_processing_days=(25 + 55 + 240 + 127 + 744 + 4 + 24) / 24 / 7,
        # waits of Feb receptions: D2 12, D4 20, D9 5, D12 8
        wait_n=4,
        avg_wait_minutes=45 / 4,
    )


def test_march_stocks(con):
    mar = pick(kpis(con), "2026-03")
    # open at 1/3: D4, D8, D14, D17; D17 finished early 03-02; late at 31/3: D4, D8, D14
    check(mar, received=0, carried_over=4, finished=1, finished_early=1, unfinished_late_at_period_end=3)
    check(mar, late_rate=3 / 4, online_share=None, avg_wait_minutes=None, satisfaction_share=None)


def test_late_rate_over_finished(con):
    rows = kpis(con, KpiSettings(late_rate_denominator="finished"))
    # Feb: finished late D3, D7 over finished 7; Jan: D15 over 2
    check(pick(rows, "2026-02"), late_rate=2 / 7, on_time_rate=5 / 7, late_total=3, apology_share=2 / 3)
    check(pick(rows, "2026-01"), late_rate=1 / 2, on_time_rate=1 / 2)


def test_returned_basis(con):
    rows = kpis(con, KpiSettings(timeliness_basis="returned_at"))
    jan, feb, mar = (pick(rows, p) for p in ("2026-01", "2026-02", "2026-03"))
    # Jan: D6 returned 01-06 (early), D15 01-21 (late); same stocks; hours D6 27, D15 217
    check(jan, received=6, finished_early=1, finished_late=1, unfinished_late_at_period_end=2)
    check(jan, avg_processing_days=(27 + 217) / 24 / 2)
    check(
        feb,
        received=9,
        # D5 (status 9, not returned) stays open: carried over D5 D7 D8 D16
        carried_over=4,
        to_process=13,
        # returned in Feb: D1 early; D12 on the due date; D2 (02-06 > 02-05), D3, D7, D13 (02-20 > 02-19) late
        finished=6,
        finished_early=1,
        finished_on_time=1,
        finished_late=4,
        # open at 28/2, due passed: D4, D5
        unfinished_late_at_period_end=2,
        late_total=6,
        late_rate=6 / 13,
        on_time_rate=7 / 13,
        # D1 D3 D12 D13 digitised of 6
        result_digitised_rate=4 / 6,
        rated=5,
        satisfied=2,
        # apology among late D2 D3 D7 D13 D4 D5: D3, D7
        apology_letters_for_late=2,
        apology_share=2 / 6,
        # hours: D1 26, D2 73, D3 245, D7 769, D12 4.5, D13 73
        avg_processing_days=(26 + 73 + 245 + 769 + 4.5 + 73) / 24 / 6,
        withdrawn_stopped=2,
        online_share=5 / 8,
    )
    # Mar: open at 1/3: D4 D5 D8 D14 D17; late at 31/3: D4 D5 D8 D14
    check(mar, carried_over=5, finished_early=1, unfinished_late_at_period_end=4, late_rate=4 / 5)
    rows = kpis(con, KpiSettings(timeliness_basis="returned_at", late_rate_denominator="finished"))
    check(pick(rows, "2026-02"), late_rate=4 / 6, on_time_rate=2 / 6)


def test_other_settings(con):
    rows = kpis(con, KpiSettings(online_share_denominator="all", satisfied_min_rating=3))
    feb = pick(rows, "2026-02")
    # online over all 9 received; ratings ≥ 3: D1, D2, D12
    check(feb, online_den=9, online_num=5, online_share=5 / 9, satisfied=3, satisfaction_share=3 / 5)
    check(pick(rows, "2026-01"), online_den=6, online_share=2 / 6)


def test_units_and_fields(con):
    rows = kpis(con)
    # U1 Feb: received D1 D2 D3 D4 D9; carried D5 D7 D8; finished D1 e, D2 o, D3 l, D5 o, D7 l; late open D4
    check(
        pick(rows, "2026-02", "unit", "U1"),
        received=5,
        carried_over=3,
        to_process=8,
        finished_early=1,
        finished_on_time=2,
        finished_late=2,
        unfinished_late_at_period_end=1,
        late_rate=3 / 8,
        withdrawn_stopped=1,
    )
    # U2 Feb: received D12 D13 D14 D17; carried D16 (stopped 02-03); D12 on time, D13 early
    check(
        pick(rows, "2026-02", "unit", "U2"),
        received=4,
        carried_over=1,
        to_process=5,
        finished_early=1,
        finished_on_time=1,
        finished_late=0,
        late_rate=0.0,
        withdrawn_stopped=1,
    )
    # U1 land Feb: received D3 D4, carried D7 D8, late D3 D7 finished + D4 open
    check(
        pick(rows, "2026-02", "unit", "U1", DD),
        received=2,
        carried_over=2,
        finished_late=2,
        unfinished_late_at_period_end=1,
        late_rate=3 / 4,
        online_share=1 / 1,  # D4 not eligible, D3 online
        avg_wait_minutes=20.0,
    )
    # All units, civil status, Feb: received D1 D2 D9 D12 D14 D17; carried D5 D16
    check(pick(rows, "2026-02", "all", None, HT), received=6, carried_over=2, finished=4, finished_late=0)
    # U1 has no Jan civil-status late: D6 early
    check(
        pick(rows, "2026-01", "unit", "U1", HT), received=2, finished_early=1, unfinished_late_at_period_end=0
    )


def test_tree_rollup(con):
    assert sorted(tree_pairs({"U2": "U1", "U1": "P"})) == [
        ("P", "P"),
        ("U1", "P"),
        ("U1", "U1"),
        ("U2", "P"),
        ("U2", "U1"),
    ]
    with pytest.raises(ValueError):
        tree_pairs({"A": "B", "B": "A"})
    rows = kpis(con, parents={"U2": "U1", "U1": "P"})
    # U1's subtree holds its own dossiers and U2's; P's the same; U1's unit row only its own
    for node in ("U1", "P"):
        check(
            pick(rows, "2026-02", "subtree", node),
            received=9,
            carried_over=4,
            to_process=13,
            finished_late=2,
            unfinished_late_at_period_end=1,
            late_rate=3 / 13,
        )
        check(pick(rows, "2026-02", "subtree", node, DD), received=3, carried_over=2)
    check(pick(rows, "2026-02", "unit", "U1"), to_process=8)
    assert not [r for r in rows if r["level"] == "subtree" and r["unit_code"] == "U2"]  # a leaf


def test_quarter_and_cutoff(con):
    q1 = pick(kpis(con, KpiSettings(granularity="quarter")), "2026-Q1")
    # all 15 received; finished early D1 D6 D13 D17, on time D2 D5 D12, late D3 D7 D15; open late D4 D8 D14
    check(q1, received=15, finished_early=4, finished_on_time=3, finished_late=3)
    check(
        q1,
        unfinished_late_at_period_end=3,
        late_rate=6 / 15,
        withdrawn_stopped=2,
        period_end=date(2026, 3, 31),
    )
    year = pick(kpis(con, KpiSettings(granularity="year")), "2026")
    check(year, received=15, to_process=15, period_start=date(2026, 1, 1), period_end=date(2026, 12, 31))
    # Decree 09/2019 periods: "2026-02" runs 15/1 – 14/2: D16 (01-15), D8, D5, D3, D1, D2, D4, D9
    feb = pick(kpis(con, KpiSettings(cutoff_day=15)), "2026-02")
    check(feb, period_start=date(2026, 1, 15), period_end=date(2026, 2, 14), received=8)


def test_date_range_keeps_stocks(con):
    rows = kpis(con, KpiSettings(date_from=date(2026, 2, 1), date_to=date(2026, 2, 28)))
    assert {r["period"] for r in rows} == {"2026-02"}
    check(pick(rows, "2026-02"), carried_over=4, to_process=13)


def test_file_sources_agree(con, tmp_path):
    expected = kpis(con)
    for ext, opts in (("parquet", "FORMAT parquet"), ("csv", "FORMAT csv, HEADER true")):
        path = tmp_path / f"d.{ext}"
        con.execute(f"COPY dossiers TO '{path}' ({opts})")
        same(compute_kpis(str(path)), expected)
    same(compute_kpis(con.table("dossiers")), expected)  # a relation
    assert "GROUPING SETS" in build_sql("dossiers")


def test_score_766_on_engine_row(con):
    feb = pick(kpis(con), "2026-02")
    score = score_766(feb)
    points = {s.code: s.points for s in score.indicators}
    assert points["2.1"] == pytest.approx(round(20 * 10 / 13, 2))
    assert points["3.1"] == pytest.approx(round(8 * 17 / 21, 2))
    assert points["3.2"] == pytest.approx(round(8 * 5 / 7, 2))
    assert points["4.2"] == pytest.approx(5.0)
    assert points["4.3"] == pytest.approx(4.0)
    assert points["5.3"] == pytest.approx(round(6 * 0.4 / 0.95, 2))
    assert score.not_computable == ["1.1", "1.2", "1.3", "3.3", "4.1", "5.1", "5.2"]
    assert all(s.status == NOT_COMPUTABLE for s in score.indicators if s.code in score.not_computable)
    assert score.computable_max == 58
    assert score.points == pytest.approx(15.38 + 6.48 + 5.71 + 5.0 + 4.0 + 2.53)
    assert score.scaled_100 == pytest.approx(round(39.1 / 58 * 100, 2))  # 67.41
    assert score.band == "Khá" and "cần xác nhận" in score.band_note and "tạm tính" in score.band_note


def test_score_766_table_and_bands():
    assert sum(i.max_points for i in INDICATORS_766) == 100
    by_group = {}
    for i in INDICATORS_766:
        by_group[i.group] = by_group.get(i.group, 0) + i.max_points
    assert by_group == {"1": 18, "2": 20, "3": 22, "4": 22, "5": 18}
    row = {
        "on_time_rate": 0.99,
        "components_digitised_rate": 0.95,
        "result_digitised_rate": 0.9,
        "online_share": 0.8,
        "online_payment_share": None,  # no dossier with a fee
        "satisfaction_share": 0.97,  # ≥ 95% target: full points
    }
    score = score_766(row)
    points = {s.code: s.points for s in score.indicators}
    assert points == {
        "1.1": None, "1.2": None, "1.3": None, "2.1": 19.8, "3.1": 7.6, "3.2": 7.2, "3.3": None,
        "4.1": None, "4.2": 6.4, "4.3": None, "5.1": None, "5.2": None, "5.3": 6.0,
    }  # fmt: skip
    assert {s.code: s.status for s in score.indicators}["4.3"] == NO_DATA
    assert score.computable_max == 50 and score.points == pytest.approx(47.0)
    assert score.scaled_100 == pytest.approx(94.0) and score.band == "Xuất sắc"
    # every non-computable indicator supplied from the portal: a real 100-point score
    extra = {"1.1": 1.0, "1.2": 1.0, "1.3": 0.9, "3.3": 0.5, "4.1": 1.0, "4.3": 0.5, "5.1": 1.0, "5.2": 0.9}
    full = score_766(row, extra=extra)
    assert full.complete and full.computable_max == 100
    assert full.points == pytest.approx(47.0 + 4 + 6 + 7.2 + 3 + 6 + 4 + 6 + 5.4)
    assert full.band == "Tốt" and full.band_note == "cần xác nhận"
    assert band_766(90) == ("Xuất sắc", True)
    assert band_766(89.99) == ("Tốt", False)
    assert band_766(50) == ("Khá", False)
    assert band_766(49.99) == ("Yếu", True)


def test_generator_output_is_valid_and_realistic(tmp_path):
    chunks = list(generate(30_000, year=2026, seed=3, chunk_rows=12_000))
    assert len(chunks) >= 2 and sum(len(c) for c in chunks) == 30_000
    con = duckdb.connect()
    for i, chunk in enumerate(chunks):
        con.register(f"c{i}", chunk)
    con.execute("CREATE TABLE g AS " + " UNION ALL ".join(f"SELECT * FROM c{i}" for i in range(len(chunks))))
    assert list(chunks[0].columns) == list(schema.COLUMN_NAMES)
    assert schema.validate("g", con) == []
    stats = con.execute(
        """
        SELECT
            count(DISTINCT unit_code),
            count(DISTINCT procedure_code),
            avg(CASE WHEN channel = 2 THEN 1 ELSE 0 END)
                FILTER (WHERE online_eligible AND received_at >= DATE '2026-01-01' AND received_at < DATE '2026-02-01'),
            avg(CASE WHEN channel = 2 THEN 1 ELSE 0 END)
                FILTER (WHERE online_eligible AND received_at >= DATE '2026-12-01'),
            avg(CASE WHEN CAST(finished_at AS DATE) > CAST(due_at AS DATE) THEN 1 ELSE 0 END)
                FILTER (WHERE status IN (9, 10)),
            avg(CASE WHEN paid_online THEN 1 ELSE 0 END) FILTER (WHERE fee > 0 AND received_at IS NOT NULL),
            avg(CASE WHEN status IN (2, 4, 5, 6) THEN 1 ELSE 0 END) FILTER (WHERE received_at IS NOT NULL),
            avg(CASE WHEN rating >= 4 THEN 1 ELSE 0 END) FILTER (WHERE rating IS NOT NULL),
            count(DISTINCT status),
            avg(wait_minutes)
        FROM g
        """
    ).fetchall()[0]
    units, procedures, online_jan, online_dec, late, pay, open_, satisfied, statuses, wait = stats
    assert units == 129 and procedures >= 35  # 114 communes + 14 departments + the city
    assert 0.5 <= online_jan <= 0.7 and 0.75 <= online_dec <= 0.92
    assert 0.02 <= late <= 0.05
    assert 0.4 <= pay <= 0.6
    assert 0.001 <= open_ <= 0.05
    assert 0.85 <= satisfied <= 0.98
    assert statuses == 10
    assert 8 <= wait <= 20
    # Zipf-like: the top procedure is far more frequent than the median one
    counts = [
        r[0] for r in con.execute("SELECT count(*) FROM g GROUP BY procedure_code ORDER BY 1 DESC").fetchall()
    ]
    assert counts[0] > 5 * counts[len(counts) // 2]
    # volumes follow population: a bigger commune receives more
    units = default_units(3)
    big, small = max(units[:114], key=lambda u: u[1]), min(units[:114], key=lambda u: u[1])
    n = dict(con.execute("SELECT unit_code, count(*) FROM g GROUP BY 1").fetchall())
    assert n[big[0]] > 2 * n[small[0]]

    csv_path = write_file(tmp_path / "d.csv", 5_000, 2026, "csv", seed=4, chunk_rows=2_000)
    pq_path = write_file(tmp_path / "d.parquet", 5_000, 2026, "parquet", seed=4, chunk_rows=2_000)
    assert schema.validate(schema.csv_read_sql(str(csv_path))) == []
    assert schema.validate(f"read_parquet('{pq_path}')") == []
    same(compute_kpis(str(csv_path)), compute_kpis(str(pq_path)))


def same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x.keys() == y.keys()
        for key in x:
            if isinstance(x[key], float):
                assert x[key] == pytest.approx(y[key], rel=1e-9), key
            else:
                assert x[key] == y[key], key


@pytest.fixture(scope="module")
def generated():
    connection = duckdb.connect()
    chunks = list(generate(12_000, year=2026, seed=11, chunk_rows=12_000, as_of=date(2026, 11, 20)))
    connection.register("chunk", chunks[0])
    connection.execute("CREATE TABLE g AS SELECT * FROM chunk")
    yield connection
    connection.close()


@pytest.mark.parametrize(
    "kpi_settings",
    [
        KpiSettings(),
        KpiSettings(cutoff_day=15, timeliness_basis="returned_at"),
        KpiSettings(granularity="quarter", as_of=date(2026, 11, 20), late_rate_denominator="finished"),
        KpiSettings(cutoff_day=28, by_field=False),
    ],
    ids=["calendar", "cutoff-15-returned", "quarter-as-of", "cutoff-28"],
)
def test_a_date_from_gives_the_periods_of_the_whole_run_from_there_on(generated, kpi_settings):
    """From a first period on, a run leaves out the dossiers received and closed before it; its rows
    must equal those of the whole run, stocks (carried over, late at period end) included."""
    from dataclasses import replace

    units = sorted(r[0] for r in generated.execute("SELECT DISTINCT unit_code FROM g").fetchall())
    parents = {code: "ROOT" if i % 2 else units[0] for i, code in enumerate(units[1:], 1)}
    whole = compute_kpis("g", kpi_settings, parents, con=generated)
    for since in (
        date(2026, 1, 1),
        date(2026, 3, 14),
        date(2026, 3, 15),
        date(2026, 7, 31),
        date(2026, 11, 1),
    ):
        part = compute_kpis("g", replace(kpi_settings, date_from=since), parents, con=generated)
        expected = [r for r in whole if r["period_end"] >= since]
        assert expected and len(expected) < len(whole)
        same(part, expected)
