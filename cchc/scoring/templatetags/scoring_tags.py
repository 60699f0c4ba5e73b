from django import template

from cchc.scoring.methods import fmt

register = template.Library()


@register.filter
def pts(value) -> str:
    """Points as Vietnamese documents write them (0,5 · 12,25 · 20); a dash when there are none."""
    return "—" if value is None or value == "" else fmt(value)


@register.filter
def ptsin(value) -> str:
    """Points for a form field: empty when there are none."""
    return "" if value is None or value == "" else fmt(value)
