"""Vietnamese number formats for KPI pages: 1.234.567 hồ sơ, 87,5%."""

from django import template

from cchc.core.numbers import format_number, format_percent

register = template.Library()


@register.filter
def num(value) -> str:
    return format_number(value, 0, empty="—")


@register.filter
def pct(value, digits: int = 1) -> str:
    """A rate in 0..1 as a percentage."""
    return format_percent(value, int(digits), ratio=True, empty="—")


@register.filter
def dec(value, digits: int = 1) -> str:
    return format_number(value, int(digits), empty="—")


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
