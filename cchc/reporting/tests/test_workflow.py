from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cchc.core.exceptions import ConflictError
from cchc.org import services as org
from cchc.reporting import services
from cchc.reporting.models import ReportRevision, UnitReport
from cchc.reporting.selectors import expected_units
from cchc.reporting.tests.conftest import at


def test_expected_units_are_the_reporting_units_under_the_level_that_existed_at_the_cut_off(
    world, reporting, personas
):
    _, periods = reporting
    new = org.unit_create(
        actor=None,
        code="99001",
        name="Phường Mới",
        kind="ward",
        parent=world.city,
        established_on=date(2026, 7, 1),
    )
    merged = org.unit_create(
        actor=None,
        code="99002",
        name="Xã Sáp Nhập",
        kind="commune",
        parent=world.city,
        dissolved_on=date(2026, 7, 1),
    )
    names = {code: set(expected_units(p).values_list("name", flat=True)) for code, p in periods.items()}
    base = {"Sở Nội vụ", "Sở Giáo dục và Đào tạo", "Xã Mao Điền", "Xã Nam Sách"}
    assert names["2026-S1"] == base | {merged.name}
    assert names["2026-Q3"] == base | {new.name}
    assert names["2026"] == base | {new.name}


def test_a_report_is_prefilled_from_the_tracker_and_the_last_report(world, reporting, personas):
    from cchc.plans import services as plans

    _, periods = reporting
    plans.task_update(
        expected_version=world.task.version,
        actor=None,
        task=world.task,
        status="in_progress",
        progress=30,
        result="Đã rà soát 10 văn bản",
    )
    q1 = services.report_start(actor=personas["officer"], period=periods["2026-Q1"], unit=world.mao_dien)
    entry = q1.task_entries.get(task=world.task)
    assert (entry.status, entry.progress, entry.result) == ("in_progress", 30, "Đã rà soát 10 văn bản")
    value = q1.target_values.get(target__text__startswith="Tỷ lệ hồ sơ")
    q1 = services.report_save(
        actor=personas["officer"],
        report=q1,
        expected_version=1,
        narrative={"limitations": "Thiếu nhân lực"},
        target_values={value.target_id: {"numerator": "780", "denominator": "1000"}},
    )
    with at(date(2026, 3, 5)):
        services.report_submit(expected_version=q1.version, actor=personas["head"], report=q1)
    s1 = services.report_start(actor=personas["officer"], period=periods["2026-S1"], unit=world.mao_dien)
    assert s1.narrative["limitations"] == "Thiếu nhân lực"
    carried = s1.target_values.get(target=value.target)
    assert (carried.numerator, carried.denominator, carried.actual) == (780, 1000, 78)


def test_draft_submit_return_resubmit_accept_keeps_every_submitted_version(world, reporting, personas):
    _, periods = reporting
    report = services.report_start(actor=personas["officer"], period=periods["2026-Q1"], unit=world.mao_dien)
    report = services.report_save(
        actor=personas["officer"],
        report=report,
        expected_version=report.version,
        narrative={"area_1": "Bản thứ nhất"},
    )
    with at(date(2026, 3, 2)):
        report = services.report_submit(
            expected_version=report.version, actor=personas["head"], report=report
        )
    assert report.status == "submitted" and report.revision == 1
    with pytest.raises(ValidationError, match="không sửa được"):
        services.report_save(
            actor=personas["officer"],
            report=report,
            expected_version=report.version,
            narrative={"area_1": "Sửa lén sau khi gửi"},
        )
    report = services.report_return(
        actor=personas["city_standing"], report=report, reason="Thiếu số liệu chỉ tiêu"
    )
    assert (report.status, report.revision) == ("returned", 2)
    report = services.report_save(
        actor=personas["officer"],
        report=report,
        expected_version=report.version,
        narrative={"area_1": "Bản thứ hai"},
    )
    with at(date(2026, 3, 12)):
        report = services.report_submit(
            expected_version=report.version, actor=personas["head"], report=report
        )
    report = services.report_accept(actor=personas["city_standing"], report=report)
    assert report.status == "accepted"
    revisions = list(ReportRevision.objects.filter(report=report).order_by("number"))
    assert [r.content["narrative"]["area_1"] for r in revisions] == ["Bản thứ nhất", "Bản thứ hai"]
    assert revisions[0].returned_reason == "Thiếu số liệu chỉ tiêu"
    # Timeliness is judged on the first submission (2/3, before the deadline of 9/3).
    assert report.first_submitted_at.date() == date(2026, 3, 2)


@pytest.mark.parametrize(
    ("persona", "action"),
    [
        ("officer", "submit"),  # only the head submits
        ("commune_standing", "submit"),
        ("sibling", "submit"),
        ("officer", "accept"),  # nobody reviews their own unit's report
        ("head", "accept"),
        ("commune_standing", "accept"),
        ("leader", "accept"),
        ("department_officer", "return"),
    ],
)
def test_refused_transitions_by_role(world, reporting, personas, persona, action):
    _, periods = reporting
    report = services.report_start(actor=personas["officer"], period=periods["2026-Q1"], unit=world.mao_dien)
    if action != "submit":
        report = services.report_submit(
            expected_version=report.version, actor=personas["head"], report=report
        )
    with pytest.raises(PermissionDenied):
        if action == "submit":
            services.report_submit(expected_version=report.version, actor=personas[persona], report=report)
        elif action == "accept":
            services.report_accept(actor=personas[persona], report=report)
        else:
            services.report_return(actor=personas[persona], report=report, reason="x")


def test_refused_transitions_by_state(world, reporting, personas):
    _, periods = reporting
    report = services.report_start(actor=personas["officer"], period=periods["2026-Q1"], unit=world.mao_dien)
    with pytest.raises(ValidationError):
        services.report_accept(actor=personas["city_standing"], report=report)  # a draft
    with pytest.raises(ValidationError):
        services.report_return(actor=personas["city_standing"], report=report, reason="x")
    report = services.report_submit(expected_version=report.version, actor=personas["head"], report=report)
    with pytest.raises(ValidationError):
        services.report_submit(
            expected_version=report.version, actor=personas["head"], report=report
        )  # twice
    with pytest.raises(ValidationError, match="lý do"):
        services.report_return(actor=personas["city_standing"], report=report, reason="  ")
    report = services.report_accept(actor=personas["city_standing"], report=report)
    with pytest.raises(ValidationError):
        services.report_return(actor=personas["city_standing"], report=report, reason="muộn")


def test_a_second_editors_stale_save_is_refused_and_the_first_editors_text_is_intact(
    world, reporting, personas
):
    _, periods = reporting
    report = services.report_start(actor=personas["officer"], period=periods["2026-Q1"], unit=world.mao_dien)
    opened_at = report.version  # both open the draft now
    services.report_save(
        actor=personas["officer"],
        report=report,
        expected_version=opened_at,
        narrative={"causes": "Văn bản của người thứ nhất"},
    )
    with pytest.raises(ConflictError, match="vừa được người khác cập nhật"):
        services.report_save(
            actor=personas["commune_standing"],
            report=report,
            expected_version=opened_at,
            narrative={"causes": "Văn bản của người thứ hai"},
        )
    report.refresh_from_db()
    assert report.narrative["causes"] == "Văn bản của người thứ nhất"


def test_bad_values_are_refused_and_nothing_of_the_save_is_kept(world, reporting, personas):
    _, periods = reporting
    report = services.report_start(actor=personas["officer"], period=periods["2026-Q1"], unit=world.mao_dien)
    value = report.target_values.first()
    with pytest.raises(ValidationError) as caught:
        services.report_save(
            actor=personas["officer"],
            report=report,
            expected_version=report.version,
            narrative={"causes": "Không được giữ"},
            task_entries={world.task.pk: {"status": "in_progress", "progress": "150"}},
            target_values={value.target_id: {"numerator": "12", "denominator": "0"}},
        )
    assert len(caught.value.messages) == 2
    report.refresh_from_db()
    assert report.narrative["causes"] == "" and report.version == 1
    assert report.task_entries.get(task=world.task).progress == 0


def test_the_level_above_finalises_only_when_every_unit_is_accepted_or_marked_missing(
    world, reporting, personas
):
    rule_set, periods = reporting
    period = periods["2026-Q1"]
    consolidated = services.consolidated_open(actor=personas["city_standing"], period=period)
    mao_dien = services.report_start(actor=personas["officer"], period=period, unit=world.mao_dien)
    services.report_accept(
        actor=personas["city_standing"],
        report=services.report_submit(
            expected_version=mao_dien.version, actor=personas["head"], report=mao_dien
        ),
    )
    with pytest.raises(ValidationError, match="3 đơn vị chưa được tiếp nhận"):
        services.consolidated_finalise(actor=personas["city_standing"], report=consolidated)
    for unit in (world.nam_sach, world.home_affairs, world.education):
        services.report_mark_missing(
            actor=personas["city_standing"], period=period, unit=unit, reason="Không gửi"
        )
    consolidated = services.consolidated_finalise(actor=personas["city_standing"], report=consolidated)
    assert consolidated.status == "final"
    with pytest.raises(ValidationError):
        services.consolidated_save(
            actor=personas["city_standing"],
            report=consolidated,
            expected_version=consolidated.version,
            narrative={"area_1": "sửa sau khi hoàn thành"},
        )


def test_a_unit_that_submitted_cannot_be_marked_missing(world, reporting, personas):
    _, periods = reporting
    report = services.report_start(actor=personas["officer"], period=periods["2026-Q1"], unit=world.mao_dien)
    services.report_submit(expected_version=report.version, actor=personas["head"], report=report)
    with pytest.raises(ValidationError):
        services.report_mark_missing(
            actor=personas["city_standing"], period=periods["2026-Q1"], unit=world.mao_dien
        )
    assert UnitReport.objects.get(pk=report.pk).status == "submitted"


def test_an_ad_hoc_request_names_its_units_deadline_and_question(world, reporting, personas):
    rule_set, _ = reporting
    period = services.adhoc_request_create(
        actor=personas["city_standing"],
        rule_set=rule_set,
        title="Báo cáo đột xuất về số hóa hồ sơ",
        deadline=date(2026, 12, 20),
        units=[world.mao_dien],
        request_text="Số hồ sơ đã số hóa đến 15/12/2026",
    )
    assert period.code == "2026-DX1"
    assert list(expected_units(period)) == [world.mao_dien]
    with pytest.raises(ValidationError):
        services.report_start(actor=personas["sibling"], period=period, unit=world.nam_sach)
