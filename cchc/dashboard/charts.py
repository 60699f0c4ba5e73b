"""The scorecard's two charts, drawn server-side with the delivery module's SVG helpers (no script,
each with a <title>/<desc>; the page shows the same numbers in a table)."""

from django.utils.safestring import SafeString

from cchc.delivery.charts import Bar, Series, bar_chart, line_chart


def area_chart(card) -> SafeString | None:
    if not card.areas:
        return None
    bars = [Bar(label, done / total if total else None) for label, done, total in card.areas]
    return bar_chart(bars, title=f"Tỷ lệ nhiệm vụ hoàn thành theo lĩnh vực, năm {card.year}")


TREND_SERIES = (
    ("Nhiệm vụ hoàn thành", "tasks_done", "tasks_total"),
    ("Báo cáo đúng hạn", "reports_on_time", "reports_due"),
    ("Hồ sơ đúng hạn", "dossiers_on_time", "dossiers_finished"),
    ("Hồ sơ trực tuyến", "online_num", "online_den"),
)


def trend_rows(card) -> list[tuple[str, list[float | None]]]:
    out = []
    for name, num, den in TREND_SERIES:
        values = [getattr(r, num) / getattr(r, den) if getattr(r, den) else None for r in card.trend]
        if any(v is not None for v in values):
            out.append((name, values))
    return out


def trend_chart(card) -> SafeString | None:
    if len(card.trend) < 2:
        return None
    series = [Series(name, values) for name, values in trend_rows(card)]
    if not series:
        return None
    labels = [str(r.year) for r in card.trend]
    return line_chart(labels, series, title="Xu hướng qua các năm")
