"""Longer periods from month rows, and rates from sums, in Python (no DuckDB).

The Django side stores the engine's month rows (sums only) and answers every longer period from
them: a quarter, "6 tháng", "9 tháng", a year. Flows add up; stocks are read at the right end:
``carried_over`` is the first month's (carried into the period's start), the late stocks are the last
month's (at the period's end). Rates are then derived from the combined sums exactly as the engine's
final SELECT does, so a quarter combined here equals the engine's own quarter row (tested).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .engine import FLOW_MEASURES, STOCK_MEASURES, KpiSettings

MEASURES = FLOW_MEASURES + STOCK_MEASURES
FIRST_MONTH_STOCKS = ("carried_over",)
LAST_MONTH_STOCKS = ("unfinished_late_at_period_end", "apology_unfinished_late")


def combine(months: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Sums of consecutive month rows (oldest first) of one (unit, field) as one period's sums.

    A month missing from ``months`` (no dossier received and none carried over) contributes
    nothing, which is right: its stocks are zero too."""
    if not months:
        return {m: 0 for m in MEASURES}
    out: dict[str, Any] = {}
    for m in FLOW_MEASURES:
        out[m] = sum((row.get(m) or 0) for row in months)
    for m in FIRST_MONTH_STOCKS:
        out[m] = months[0].get(m) or 0
    for m in LAST_MONTH_STOCKS:
        out[m] = months[-1].get(m) or 0
    return out


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def derive(sums: Mapping[str, Any], settings: KpiSettings | None = None) -> dict[str, Any]:
    """Every KPI of ``engine.OUTPUT_COLUMNS`` (but level, unit, field and period) from the sums, plus
    the late rate's fraction (``rate_den``, ``late_num``, ``on_time_num``) and the sums behind the
    two averages."""
    s = settings or KpiSettings()
    g = {m: (sums.get(m) or 0) for m in MEASURES}
    finished = g["finished_early"] + g["finished_on_time"] + g["finished_late"]
    to_process = g["received"] + g["carried_over"]
    late_total = g["finished_late"] + g["unfinished_late_at_period_end"]
    if s.late_rate_denominator == "to_process":
        late_rate = _ratio(late_total, to_process)
    else:
        late_rate = _ratio(g["finished_late"], finished)
    apology = g["apology_finished_late"] + g["apology_unfinished_late"]
    # The late rate's own fraction, so that on-time and late shares can travel as num/den too.
    if s.late_rate_denominator == "to_process":
        rate_den, late_num = to_process, late_total
    else:
        rate_den, late_num = finished, g["finished_late"]
    return {
        "received": g["received"],
        "carried_over": g["carried_over"],
        "to_process": to_process,
        "finished": finished,
        "finished_early": g["finished_early"],
        "finished_on_time": g["finished_on_time"],
        "finished_late": g["finished_late"],
        "unfinished_late_at_period_end": g["unfinished_late_at_period_end"],
        "late_total": late_total,
        "late_rate": late_rate,
        "on_time_rate": None if late_rate is None else 1 - late_rate,
        "withdrawn_stopped": g["withdrawn_stopped"],
        "online_num": g["online_num"],
        "online_den": g["online_den"],
        "online_share": _ratio(g["online_num"], g["online_den"]),
        "fee_dossiers": g["fee_dossiers"],
        "paid_online": g["paid_online"],
        "online_payment_share": _ratio(g["paid_online"], g["fee_dossiers"]),
        "components_total": g["components_total"],
        "components_digitised": g["components_digitised"],
        "components_digitised_rate": _ratio(g["components_digitised"], g["components_total"]),
        "result_digitised": g["result_digitised"],
        "result_digitised_rate": _ratio(g["result_digitised"], finished),
        "rated": g["rated"],
        "satisfied": g["satisfied"],
        "satisfaction_share": _ratio(g["satisfied"], g["rated"]),
        "apology_letters_for_late": apology,
        "apology_share": _ratio(apology, late_total),
        "avg_processing_days": _ratio(g["processing_days_sum"], finished),
        "wait_n": g["wait_n"],
        "avg_wait_minutes": _ratio(g["wait_sum"], g["wait_n"]),
        "rate_den": rate_den,
        "late_num": late_num,
        "on_time_num": rate_den - late_num,
        "processing_days_sum": g["processing_days_sum"],
        "wait_sum": g["wait_sum"],
    }


def sums_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """The additive measures of an engine row computed with ``include_sums=True``."""
    out = {m: row.get(m) for m in MEASURES if m in row}
    missing = [m for m in MEASURES if m not in out]
    if missing:
        raise KeyError(f"row lacks measures: {', '.join(missing)}")
    return out
