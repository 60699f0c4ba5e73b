"""The KPIs a plan target can be linked to: label, how the value is formed, and the words that
suggest the link from a target's wording.

Each value is numerator / denominator over ``periods.derive`` keys, so that a report can carry both
and consolidation up the unit tree sums them (never an average of rates).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KpiDef:
    code: str
    label: str
    numerator: str
    denominator: str | None  # None: the value is the numerator itself (a count)
    unit: str  # "%", "ngày", "phút", "hồ sơ"
    higher_is_better: bool = True
    # Folded keyword groups: the target's folded wording must contain every word of one group.
    keywords: tuple[tuple[str, ...], ...] = ()

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"

    def value(self, kpis: Mapping[str, Any]) -> float | None:
        """The value in display units (a rate in %), None when the denominator is 0."""
        num = kpis.get(self.numerator)
        if self.denominator is None:
            return None if num is None else float(num)
        den = kpis.get(self.denominator)
        if num is None or not den:
            return None
        return float(num) / float(den) * (100 if self.is_rate else 1)

    def fraction(self, kpis: Mapping[str, Any]) -> tuple[float | None, float | None]:
        """(numerator, denominator) as stored in a report's target value."""
        num = kpis.get(self.numerator)
        den = kpis.get(self.denominator) if self.denominator else None
        return (None if num is None else float(num), None if den is None else float(den))


KPI_DEFS: tuple[KpiDef, ...] = (
    KpiDef(
        "online_share",
        "Tỷ lệ hồ sơ giải quyết trực tuyến",
        "online_num",
        "online_den",
        "%",
        keywords=(("ho so", "truc tuyen"),),
    ),
    KpiDef(
        "on_time_rate",
        "Tỷ lệ hồ sơ giải quyết đúng hạn",
        "on_time_num",
        "rate_den",
        "%",
        keywords=(("dung han",), ("truoc han",)),
    ),
    KpiDef(
        "late_rate",
        "Tỷ lệ hồ sơ trễ hạn",
        "late_num",
        "rate_den",
        "%",
        higher_is_better=False,
        keywords=(("tre han",), ("qua han",)),
    ),
    KpiDef(
        "online_payment_share",
        "Tỷ lệ giao dịch thanh toán trực tuyến",
        "paid_online",
        "fee_dossiers",
        "%",
        keywords=(("giao dich", "thanh toan truc tuyen"),),
    ),
    KpiDef(
        "components_digitised_rate",
        "Tỷ lệ thành phần hồ sơ được số hóa",
        "components_digitised",
        "components_total",
        "%",
        keywords=(("thanh phan", "so hoa"),),
    ),
    KpiDef(
        "result_digitised_rate",
        "Tỷ lệ kết quả giải quyết TTHC được số hóa",
        "result_digitised",
        "finished",
        "%",
        keywords=(("ho so", "ket qua", "so hoa"),),
    ),
    KpiDef(
        "satisfaction_share",
        "Tỷ lệ hài lòng về giải quyết TTHC (đánh giá trên hệ thống một cửa)",
        "satisfied",
        "rated",
        "%",
        keywords=(("hai long", "giai quyet thu tuc hanh chinh"), ("hai long", "giai quyet tthc")),
    ),
    KpiDef(
        "apology_share",
        "Tỷ lệ hồ sơ trễ hạn có văn bản xin lỗi",
        "apology_letters_for_late",
        "late_total",
        "%",
        keywords=(("xin loi",),),
    ),
    KpiDef(
        "avg_processing_days",
        "Thời gian giải quyết trung bình",
        "processing_days_sum",
        "finished",
        "ngày",
        higher_is_better=False,
    ),
    KpiDef(
        "avg_wait_minutes",
        "Thời gian chờ trung bình tại bộ phận một cửa",
        "wait_sum",
        "wait_n",
        "phút",
        higher_is_better=False,
        keywords=(("thoi gian cho",),),
    ),
    KpiDef("received", "Số hồ sơ tiếp nhận", "received", None, "hồ sơ"),
)
KPI_BY_CODE: dict[str, KpiDef] = {k.code: k for k in KPI_DEFS}
KPI_CHOICES: tuple[tuple[str, str], ...] = tuple((k.code, k.label) for k in KPI_DEFS)


def suggest(text: str) -> KpiDef | None:
    """The KPI a target's wording names, if one clearly does (folded, accent-insensitive)."""
    from cchc.core.text import fold

    folded = " ".join(fold(text).split())
    if "linh vuc" in folded:
        return None  # restricted to some fields: a person picks the lĩnh vực
    for kpi in KPI_DEFS:
        for group in kpi.keywords:
            if all(word in folded for word in group):
                return kpi
    return None
