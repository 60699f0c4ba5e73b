"""QĐ 766/QĐ-TTg (23/6/2022) scoring from dossier KPIs.

The index (Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp trong
thực hiện TTHC, DVC theo thời gian thực trên môi trường điện tử) has 100 points in five groups:
công khai, minh bạch 18 · tiến độ, kết quả giải quyết 20 · số hóa hồ sơ 22 · cung cấp dịch vụ công
trực tuyến 22 · mức độ hài lòng 18.

Assumptions (documented in docs/kpi-definitions.md; the table is data, replace it when the
decision's annex is checked):

- The group maxima are those of the decision. The split of a group into indicators and their points
  is our reading of the decision and of public summaries, NOT checked against the annex text.
- Points = max × rate (linear share of the maximum, as commonly applied), rate in 0..1 from the KPI
  engine. Where the index rewards reaching a Resolution 76/NQ-CP target, full points at or above the
  target and max × rate / target below (only 5.3, target 95% for 2026–2030, configurable).
- Indicators that need data a one-stop dossier export does not hold (the procedure catalogue, the
  national portal's synchronisation, the feedback system) are marked "không tính được từ dữ liệu hồ
  sơ"; a caller that has the rate from another source passes it in ``extra``.
- An indicator whose rate has no denominator in the period (e.g. no dossier with a fee) scores
  nothing and leaves the maximum that can be computed.
- Bands: ≥ 90 xuất sắc, < 50 yếu (from the decision); 70–< 90 tốt and 50–< 70 khá are common practice,
  marked "cần xác nhận". When some indicators cannot be computed, the band is given for the score
  scaled to 100 over what could be computed, marked "tạm tính".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

NOT_COMPUTABLE = "không tính được từ dữ liệu hồ sơ"
FROM_DOSSIERS = "tính từ dữ liệu hồ sơ"
FROM_EXTRA = "từ nguồn dữ liệu khác"
NO_DATA = "không có hồ sơ phát sinh trong kỳ"
TO_CONFIRM = "cần xác nhận"


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    max_points: float


@dataclass(frozen=True)
class Indicator:
    code: str
    group: str
    name: str
    max_points: float
    kpi: str | None  # key of the KPI engine's row holding the rate; None = not in dossier data
    target: float | None = None  # full points at or above this rate
    note: str = ""


GROUPS_766: tuple[Group, ...] = (
    Group("1", "Công khai, minh bạch", 18),
    Group("2", "Tiến độ, kết quả giải quyết", 20),
    Group("3", "Số hóa hồ sơ", 22),
    Group("4", "Cung cấp dịch vụ công trực tuyến", 22),
    Group("5", "Mức độ hài lòng", 18),
)

INDICATORS_766: tuple[Indicator, ...] = (
    Indicator(
        "1.1",
        "1",
        "TTHC được cập nhật, công khai đúng hạn trên CSDL quốc gia về TTHC",
        4,
        None,
        note="needs the procedure database (publication dates)",
    ),
    Indicator(
        "1.2",
        "1",
        "TTHC được công khai đầy đủ, chuẩn hóa trên Cổng Dịch vụ công",
        6,
        None,
        note="needs portal data",
    ),
    Indicator(
        "1.3",
        "1",
        "Hồ sơ được đồng bộ, công khai tiến độ trên Cổng Dịch vụ công quốc gia",
        8,
        None,
        note="needs the national portal's synchronisation log",
    ),
    Indicator(
        "2.1",
        "2",
        "Hồ sơ giải quyết đúng hạn (trước hạn và đúng hạn)",
        20,
        "on_time_rate",
        note="on_time_rate = 1 − late_rate with the engine's late_rate_denominator",
    ),
    Indicator("3.1", "3", "Thành phần hồ sơ được số hóa khi tiếp nhận", 8, "components_digitised_rate"),
    Indicator("3.2", "3", "Kết quả giải quyết TTHC được số hóa, cấp bản điện tử", 8, "result_digitised_rate"),
    Indicator(
        "3.3",
        "3",
        "Khai thác, sử dụng lại thông tin, dữ liệu đã số hóa",
        6,
        None,
        note="needs reuse logs of the digitised-data store",
    ),
    Indicator(
        "4.1",
        "4",
        "TTHC cung cấp dịch vụ công trực tuyến (toàn trình, một phần)",
        6,
        None,
        note="needs the procedure catalogue (all procedures, not only those with dossiers)",
    ),
    Indicator(
        "4.2",
        "4",
        "Hồ sơ tiếp nhận trực tuyến",
        8,
        "online_share",
        note="denominator per online_share_denominator (default: procedures offered online)",
    ),
    Indicator(
        "4.3", "4", "Hồ sơ có nghĩa vụ tài chính được thanh toán trực tuyến", 8, "online_payment_share"
    ),
    Indicator(
        "5.1", "5", "Phản ánh, kiến nghị được xử lý đúng hạn", 6, None, note="needs the feedback system"
    ),
    Indicator(
        "5.2", "5", "Hài lòng trong xử lý phản ánh, kiến nghị", 6, None, note="needs the feedback system"
    ),
    Indicator(
        "5.3",
        "5",
        "Hài lòng trong tiếp nhận, giải quyết TTHC",
        6,
        "satisfaction_share",
        target=0.95,
        note="full points at ≥ 95% (Resolution 76/NQ-CP target 2026–2030), linear below",
    ),
)


@dataclass
class IndicatorScore:
    code: str
    group: str
    name: str
    max_points: float
    rate: float | None
    points: float | None
    status: str
    note: str = ""


@dataclass
class GroupScore:
    code: str
    name: str
    max_points: float
    points: float
    computable_max: float


@dataclass
class Score766:
    indicators: list[IndicatorScore]
    groups: list[GroupScore]
    points: float  # sum of the points that could be computed
    computable_max: float  # maximum of the indicators that could be computed
    scaled_100: float | None  # points / computable_max × 100
    complete: bool  # every indicator computed: points is the real 100-point score
    band: str | None
    band_note: str = ""
    not_computable: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def band_766(score: float) -> tuple[str, bool]:
    """(band, confirmed). Only ≥ 90 xuất sắc and < 50 yếu are from the decision."""
    if score >= 90:
        return "Xuất sắc", True
    if score < 50:
        return "Yếu", True
    if score >= 70:
        return "Tốt", False
    return "Khá", False


def indicator_points(rate: float, max_points: float, target: float | None = None) -> float:
    rate = min(max(float(rate), 0.0), 1.0)
    share = min(1.0, rate / target) if target else rate
    return round(max_points * share, 2)


def score_766(
    kpis: Mapping[str, Any],
    *,
    extra: Mapping[str, float] | None = None,
    indicators: Sequence[Indicator] = INDICATORS_766,
    groups: Sequence[Group] = GROUPS_766,
) -> Score766:
    """Score one KPI row (a dict from ``compute_kpis``, usually field None: all fields).

    ``extra``: indicator code → rate (0..1) from another source, for the indicators dossier data
    cannot give (e.g. {"1.3": 0.98} from the national portal)."""
    extra = extra or {}
    scores: list[IndicatorScore] = []
    for ind in indicators:
        if ind.code in extra:
            rate, status = extra[ind.code], FROM_EXTRA
        elif ind.kpi is None:
            rate, status = None, NOT_COMPUTABLE
        else:
            rate, status = kpis.get(ind.kpi), FROM_DOSSIERS
            if rate is None or rate != rate:  # None or NaN: no denominator in the period
                rate, status = None, NO_DATA
        points = indicator_points(rate, ind.max_points, ind.target) if rate is not None else None
        scores.append(
            IndicatorScore(ind.code, ind.group, ind.name, ind.max_points, rate, points, status, ind.note)
        )

    group_scores = []
    for g in groups:
        mine = [s for s in scores if s.group == g.code]
        group_scores.append(
            GroupScore(
                g.code,
                g.name,
                g.max_points,
                round(sum(s.points for s in mine if s.points is not None), 2),
                sum(s.max_points for s in mine if s.points is not None),
            )
        )
    points = round(sum(s.points for s in scores if s.points is not None), 2)
    computable_max = sum(s.max_points for s in scores if s.points is not None)
    total_max = sum(g.max_points for g in groups)
    complete = computable_max == total_max
    scaled = round(points / computable_max * 100, 2) if computable_max else None
    band, note = None, ""
    if scaled is not None:
        band, confirmed = band_766(points if complete else scaled)
        notes = [] if confirmed else [TO_CONFIRM]
        if not complete:
            notes.append(f"tạm tính trên {computable_max:g}/{total_max:g} điểm tính được")
        note = "; ".join(notes)
    return Score766(
        indicators=scores,
        groups=group_scores,
        points=points,
        computable_max=computable_max,
        scaled_100=scaled,
        complete=complete,
        band=band,
        band_note=note,
        not_computable=[s.code for s in scores if s.status == NOT_COMPUTABLE],
    )
