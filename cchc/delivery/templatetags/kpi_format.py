"""Vietnamese number formats for KPI pages: 1.234.567 hồ sơ, 87,5%."""

from django import template

register = template.Library()


def _group(text: str) -> str:
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


@register.filter
def num(value) -> str:
    if value is None or value == "":
        return "—"
    return _group(f"{int(round(float(value))):,}")


@register.filter
def pct(value, digits: int = 1) -> str:
    """A rate in 0..1 as a percentage."""
    if value is None:
        return "—"
    return _group(f"{float(value) * 100:,.{int(digits)}f}") + "%"


@register.filter
def dec(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    return _group(f"{float(value):,.{int(digits)}f}")


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
