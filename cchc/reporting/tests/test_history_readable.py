"""A report's history names the report once, its sections and tasks by name, its states in Vietnamese."""

from datetime import date

from django.urls import reverse

from cchc.reporting import services
from cchc.reporting.tests.conftest import at


def test_a_report_history_names_sections_tasks_and_states(world, reporting, personas, login):
    _, periods = reporting
    report = services.report_start(actor=None, period=periods["2026-Q1"], unit=world.mao_dien)
    entry = report.task_entries.select_related("task").first()
    services.report_save(
        actor=None,
        report=report,
        expected_version=report.version,
        narrative={"area_0": "Ban hành kế hoạch", "area_1": "Rà soát văn bản", "causes": "Thiếu người"},
        task_entries={entry.task_id: {"status": "in_progress", "progress": 40, "result": "Đang rà soát"}},
        target_values={},
    )
    report.refresh_from_db()
    with at(date(2026, 3, 1)):
        report.refresh_from_db()
        services.report_submit(actor=personas["admin"], report=report, expected_version=report.version)

    html = login(personas["officer"]).get(reverse("object_history", args=["reporting.unitreport", report.pk]))
    text = html.content.decode()
    assert html.status_code == 200
    assert "Báo cáo Báo cáo" not in text
    assert "<h1>Báo cáo cải cách hành chính quý I năm 2026 – Xã Mao Điền</h1>" in text
    assert "Công tác chỉ đạo, điều hành, Kết quả: Cải cách thể chế, Nguyên nhân" in text
    assert entry.task.content[:40] in text
    assert "Đang soạn</span> → Đã gửi" in text
    for internal in (
        "area_0",
        "area_1",
        "causes",
        "draft",
        "submitted",
        "<dt>narrative</dt>",
        "<dt>tasks</dt>",
    ):
        assert internal not in text
