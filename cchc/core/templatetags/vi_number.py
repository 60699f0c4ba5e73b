"""Numbers in templates the Vietnamese way, through :mod:`cchc.core.numbers`: {{ x|number }} "1.234",
{{ x|number:2 }} "1.234,50", {{ x|number:"-2" }} up to two places "1.234,5", {{ rate|percent }} "53,30%"
(a value already in percent), {{ share|ratio_percent:1 }} "87,5%" (a value in 0..1)."""

from django import template

from cchc.core.numbers import format_number, format_percent

register = template.Library()

_EMPTY = "—"


def _digits(digits) -> tuple[int, bool]:
    # floatformat's convention: a negative count means "up to that many places".
    value = int(digits)
    return abs(value), value < 0


@register.filter
def number(value, digits=0) -> str:
    places, trim = _digits(digits)
    return format_number(value, places, trim=trim, empty=_EMPTY)


@register.filter
def percent(value, digits=2) -> str:
    places, trim = _digits(digits)
    return format_percent(value, places, trim=trim, empty=_EMPTY)


@register.filter
def ratio_percent(value, digits=1) -> str:
    places, trim = _digits(digits)
    return format_percent(value, places, ratio=True, trim=trim, empty=_EMPTY)
