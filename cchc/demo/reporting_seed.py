"""Reporting in the demo: Hải Phòng's rule set at the city level, the 2026 periods, and reports in
every state (accepted on time and late, returned, drafting, never sent), as of late November 2026."""

from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

from cchc.org.models import Unit
from cchc.reporting import services
from cchc.reporting.models import ReportingPeriod

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# (unit code, period, day sent or None, outcome, online dossiers numerator/denominator, narrative)
DEMO_REPORTS = [
    (
        "10930",
        "2026-Q1",
        date(2026, 3, 6),
        "accepted",
        (1184, 1520),
        "Ban hành Kế hoạch CCHC năm 2026 của xã; kiện toàn bộ phận một cửa theo Nghị định 118/2025/NĐ-CP.",
    ),
    (
        "11948",
        "2026-Q1",
        date(2026, 3, 12),
        "accepted",
        (58, 96),
        "Niêm yết công khai 100% TTHC tại Trung tâm Phục vụ hành chính công đặc khu.",
    ),
    (
        "SGDDT",
        "2026-Q1",
        date(2026, 3, 4),
        "accepted",
        None,
        "Rà soát, công bố danh mục TTHC ngành giáo dục.",
    ),
    (
        "10930",
        "2026-S1",
        date(2026, 6, 8),
        "returned",
        (2410, 3020),
        "Tỷ lệ hồ sơ trực tuyến 6 tháng đạt 79,8%.",
    ),
    (
        "11948",
        "2026-S1",
        date(2026, 6, 5),
        "accepted",
        (131, 205),
        "Duy trì tiếp nhận hồ sơ trực tuyến toàn trình.",
    ),
    ("SGDDT", "2026-S1", date(2026, 6, 9), "submitted", None, "Số hóa 100% hồ sơ TTHC tiếp nhận trong kỳ."),
    ("10930", "2026-Q3", None, "draft", (3650, 4410), "Đang tổng hợp kết quả quý III."),
]


def _at(day: date):
    return mock.patch(
        "django.utils.timezone.now", return_value=datetime(day.year, day.month, day.day, 9, tzinfo=TZ)
    )


def load_reporting_demo() -> dict[str, int]:
    city = Unit.objects.get(code="HP")
    rule_set = services.rule_set_create_hai_phong(actor=None, issuer=city)
    periods = {p.code: p for p in services.periods_open_year(actor=None, rule_set=rule_set, year=2026)}
    for code, period_code, sent_on, outcome, online, text in DEMO_REPORTS:
        unit = Unit.objects.get(code=code)
        report = services.report_start(actor=None, period=periods[period_code], unit=unit)
        values = {}
        if online:
            value = report.target_values.filter(target__parent_target__key="dossiers_online_rate").first()
            if value:
                values[value.target_id] = {"numerator": online[0], "denominator": online[1]}
        report = services.report_save(
            actor=None,
            report=report,
            expected_version=report.version,
            target_values=values,
            narrative={
                "area_0": text,
                "area_2": text,
                "limitations": "Hạ tầng công nghệ thông tin còn hạn chế; "
                "một bộ phận người dân chưa quen sử dụng dịch vụ công trực tuyến.",
                "next_tasks": "Tiếp tục đẩy mạnh dịch vụ công trực tuyến toàn trình, số hóa hồ sơ.",
                "proposals": "Đề nghị thành phố hỗ trợ trang thiết bị cho bộ phận một cửa.",
            },
        )
        if sent_on is None:
            continue
        with _at(sent_on):
            report = services.report_submit(actor=None, report=report, expected_version=report.version)
        if outcome == "accepted":
            services.report_accept(actor=None, report=report, note="Báo cáo đầy đủ.")
        elif outcome == "returned":
            services.report_return(
                actor=None,
                report=report,
                reason="Đề nghị bổ sung số liệu hồ sơ giải quyết đúng hạn và tỷ lệ số hóa.",
            )
    consolidated = services.consolidated_open(actor=None, period=periods["2026-Q1"])
    services.consolidated_save(
        actor=None,
        report=consolidated,
        expected_version=consolidated.version,
        narrative={
            "area_0": "UBND thành phố ban hành Kế hoạch CCHC năm 2026; Sở Nội vụ hướng dẫn các đơn vị triển khai.",
            "limitations": "Nhiều đơn vị cấp xã gửi báo cáo chậm hoặc chưa gửi; số liệu chỉ tiêu chưa đầy đủ.",
        },
    )
    return {"periods": ReportingPeriod.objects.count()}
