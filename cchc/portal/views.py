"""The public disclosure portal: no login, phone-first, only published results."""

from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control

from cchc.core.params import paginate
from cchc.portal import selectors


def _public(request, response):
    """Anonymous visitors may be served from any cache; signed-in people see their own header."""
    if not request.user.is_authenticated:
        patch_cache_control(response, public=True, max_age=selectors.CACHE_SECONDS)
    return response


def home(request):
    return _public(request, render(request, "portal/home.html", selectors.home_data()))


def initiatives(request):
    page = paginate(selectors.recognised_initiatives(), 30, request.GET.get("page"))
    return _public(request, render(request, "portal/initiatives.html", {"page": page}))


def initiative(request, pk: int):
    item = get_object_or_404(selectors.recognised_initiatives(), pk=pk)
    return _public(request, render(request, "portal/initiative.html", {"item": item}))
