"""Every time expression of domain §2, and the forms the seed plans use."""

from datetime import date

import pytest

from cchc.core.timetext import EVENT_DRIVEN, RANGE, RECURRING, parse_time_text


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-2030", date(2026, 1, 1), date(2030, 12, 31)),
        ("2026-2027", date(2026, 1, 1), date(2027, 12, 31)),
        ("2026- 02/2027", date(2026, 1, 1), date(2027, 2, 28)),
        ("Tháng 12/2021", date(2021, 12, 1), date(2021, 12, 31)),
        ("Trong tháng 01/2022", date(2022, 1, 1), date(2022, 1, 31)),
        ("10/01/2022", date(2022, 1, 10), date(2022, 1, 10)),
        ("Quý II/2022", date(2022, 4, 1), date(2022, 6, 30)),
        ("Quý IV/2022 đến Quý I/2023", date(2022, 10, 1), date(2023, 3, 31)),
        ("Cả năm 2022", date(2022, 1, 1), date(2022, 12, 31)),
        ("Năm 2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026 – 2030", date(2026, 1, 1), date(2030, 12, 31)),
        ("Quy IV/2022 den Quy I/2023", date(2022, 10, 1), date(2023, 3, 31)),
        ("6 tháng đầu năm 2026", date(2026, 1, 1), date(2026, 6, 30)),
        ("Tháng 02/2028", date(2028, 2, 1), date(2028, 2, 29)),
    ],
)
def test_dated_expressions_give_their_window(text, start, end):
    window = parse_time_text(text)
    assert (window.kind, window.start, window.end) == (RANGE, start, end)


@pytest.mark.parametrize(
    "text",
    [
        "Theo yêu cầu của Bộ Nội vụ",
        "Theo chỉ đạo của UBND thành phố",
        "Theo văn bản chỉ đạo của Sở Nội vụ",
        "Theo van ban chi dao cua",
        "Khi có yêu cầu",
    ],
)
def test_expressions_without_a_date_are_event_driven(text):
    window = parse_time_text(text)
    assert window.kind == EVENT_DRIVEN
    assert window.start is None and window.end is None


def test_yearly_tasks_recur_over_the_plan_years():
    window = parse_time_text("Hằng năm", plan_start_year=2026, plan_end_year=2030)
    assert (window.kind, window.start, window.end) == (RECURRING, date(2026, 1, 1), date(2030, 12, 31))


def test_empty_text_is_unknown_not_an_error():
    assert parse_time_text("").kind == "unknown"
    assert parse_time_text(None).kind == "unknown"
