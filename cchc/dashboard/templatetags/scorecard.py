from django import template
from django.utils.html import format_html

from cchc.core.numbers import format_number, format_percent

register = template.Library()

ARROWS = {"up": "▲", "down": "▼", "flat": "►"}
LIGHTS = {"green": "Đạt chỉ tiêu", "amber": "Gần đạt chỉ tiêu", "red": "Chưa đạt chỉ tiêu"}


def value_text(indicator, value) -> str:
    if value is None:
        return "—"
    if indicator.kind in ("rate", "share"):
        return format_percent(value, 1, ratio=True)
    if indicator.kind == "score":
        return format_number(value, 2)
    return format_number(value)


@register.simple_tag
def cell(c):
    """A scorecard cell: the value, its traffic light (spelled out for screen readers and print),
    the trend arrow against last year, and for the index the rank."""
    text = value_text(c.indicator, c.value)
    light = ""
    if c.light:
        light = format_html(
            '<span class="sc-dot" aria-hidden="true"></span><span class="sr-only">{}</span>', LIGHTS[c.light]
        )
    arrow = ""
    if c.trend:
        before = value_text(c.indicator, c.previous)
        arrow = format_html(
            '<span class="sc-trend sc-{}" title="Năm trước: {}">{}<span class="sr-only"> {} (năm trước {})</span></span>',
            c.trend,
            before,
            ARROWS[c.trend],
            c.trend_label,
            before,
        )
    extra = format_html('<span class="sc-extra">{}</span>', c.extra) if c.extra else ""
    return format_html(
        '<span class="sc-cell sc-{}">{}{}{}{}</span>', c.light or "none", light, text, arrow, extra
    )


@register.simple_tag
def pct(value):
    return format_percent(value, 1, ratio=True, empty="—")
