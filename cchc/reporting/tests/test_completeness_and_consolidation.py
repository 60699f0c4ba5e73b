from datetime import date
from decimal import Decimal

from cchc.org import services as org
from cchc.plans import services as plans
from cchc.reporting import selectors, services
from cchc.reporting.tests.conftest import at


def _submit(personas, report, day):
    report.refresh_from_db()
    with at(day):
        return services.report_submit(expected_version=report.version, actor=personas["admin"], report=report)


def test_completeness_counts_on_time_late_missing_and_accepted(world, reporting, personas):
    _, periods = reporting
    period = periods["2026-Q1"]  # deadline 9/3/2026
    extra = [
        org.unit_create(actor=None, code=f"9900{i}", name=f"Phường Số {i}", kind="ward", parent=world.city)
        for i in range(3)
    ]
    on_time = services.report_start(actor=None, period=period, unit=world.mao_dien)
    _submit(personas, on_time, date(2026, 3, 9))  # the last day still on time
    late = services.report_start(actor=None, period=period, unit=world.nam_sach)
    _submit(personas, late, date(2026, 3, 12))
    services.report_accept(actor=personas["city_standing"], report=late)
    services.report_start(actor=None, period=period, unit=extra[0])  # a draft, never sent
    services.report_mark_missing(actor=personas["city_standing"], period=period, unit=extra[1])
    # extra[2], Sở Nội vụ and Sở GD&ĐT never even opened theirs.

    state = selectors.completeness(period=period, today=date(2026, 3, 20))
    assert state.counts == {
        "expected": 7,
        "submitted": 2,
        "on_time": 1,
        "late": 1,
        "missing": 5,
        "pending": 0,
        "accepted": 1,
    }
    rows = {row.unit.name: row for row in state.rows}
    assert rows["Xã Nam Sách"].days_late == 3
    assert rows["Phường Số 0"].state == "overdue"
    assert rows["Phường Số 1"].state == "missing"

    before_deadline = selectors.completeness(period=period, today=date(2026, 3, 5))
    assert before_deadline.counts["missing"] == 1  # only the one marked missing
    assert before_deadline.counts["pending"] == 4  # 7 expected − 2 sent − 1 marked missing


def test_consolidation_computes_rates_from_summed_numerators_not_averages(world, reporting, personas):
    _, periods = reporting
    period = periods["2026-Q1"]
    plans.target_create(
        actor=None,
        plan=world.plan_b,
        area=2,
        text="Tỷ lệ hồ sơ trực tuyến ≥ 85%",
        comparator="gte",
        threshold=85,
        unit_of_measure="%",
        parent_target=world.city_online,
    )
    small = services.report_start(actor=None, period=period, unit=world.mao_dien)
    large = services.report_start(actor=None, period=period, unit=world.nam_sach)
    for report, numerator, denominator in ((small, 90, 100), (large, 500, 1000)):
        value = report.target_values.get(target__parent_target=world.city_online)
        services.report_save(
            actor=None,
            report=report,
            expected_version=report.version,
            target_values={value.target_id: {"numerator": numerator, "denominator": denominator}},
            narrative={"area_2": f"Kết quả của {report.unit.name}"},
            task_entries={},
        )
        _submit(personas, report, date(2026, 3, 1))
    view = selectors.consolidation(period=period, today=date(2026, 3, 20))
    online = next(a for a in view.targets if a.target == world.city_online)
    # (90 + 500) / (100 + 1000) = 53.64%, not the mean of 90% and 50% (70%).
    assert online.rate == Decimal("53.64")
    assert (online.numerator, online.denominator, online.units) == (590, 1100, 2)
    assert online.is_met is False
    assert view.task_counts[1]["not_started"] == 3 and view.task_counts[1]["total"] == 3
    assert [unit.name for unit, _ in view.narratives["area_2"]] == ["Xã Mao Điền", "Xã Nam Sách"]
    assert {u.name for u in view.missing_units} == {"Sở Nội vụ", "Sở Giáo dục và Đào tạo"}
