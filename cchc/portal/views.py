"""The public disclosure portal: no login, phone-first, only published results."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from cchc.core.params import paginate
from cchc.portal import selectors


def _public(request, response):
    """Anonymous visitors may be served from any cache; signed-in people see their own header."""
    if not request.user.is_authenticated:
        patch_cache_control(response, public=True, max_age=selectors.CACHE_SECONDS)
    return response


def home(request):
    stamps = selectors.kpi_stamps()
    context = {**selectors.home_data(), "kpi_periods": selectors.published_periods(stamps)[:4]}
    return _public(request, render(request, "portal/home.html", context))


def _conditional(request, view, variant: str, build):
    """Anonymous visitors get an ETag and Last-Modified tied to the publication, and a 304 when their
    copy is current; ``build`` renders the page only when it is needed."""
    anonymous = not request.user.is_authenticated
    etag = f'"kpi-{view.stamp}-{variant}"'
    last_modified = view.published_at.timestamp()
    if anonymous:
        not_modified = get_conditional_response(request, etag=etag, last_modified=int(last_modified))
        if not_modified is not None:
            not_modified["ETag"] = etag
            return _public(request, not_modified)
    response = build()
    if anonymous:
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
    return _public(request, response)


def delivery(request):
    """The published periods of service-delivery KPIs, latest first."""
    periods = selectors.published_periods(selectors.kpi_stamps())
    return _public(request, render(request, "portal/delivery.html", {"periods": periods}))


def _kpi_page(request, key: str, code: str | None):
    stamps = selectors.kpi_stamps()
    view = selectors.published_period(key, stamps)
    if view is None:
        raise Http404("Kỳ này không được công khai.")
    if code is None:
        unit, codes = None, view.top
    else:
        unit = view.units.get(code)
        if unit is None:
            raise Http404("Không có đơn vị này trong số liệu đã công khai.")
        codes = view.children.get(code, [])

    def build():
        others = [(p["key"], p["label"]) for p in selectors.published_periods(stamps) if p["key"] != key]
        context = {
            "view": view,
            "unit": unit,
            "trail": view.trail(code)[:-1] if code else [],
            "rows": [view.units[c] for c in codes],
            "children_of": {c for c in codes if view.children.get(c)},
            "other_periods": others,
            # Every publication's stamp (the other periods are linked) and the unit.
            "fragment_key": f"{selectors.stamps_version(stamps)}:{code or ''}:{key}",
        }
        return render(request, "portal/delivery_unit.html", context)

    return _conditional(request, view, code or "", build)


def delivery_period(request, period: str):
    return _kpi_page(request, period, None)


def delivery_unit(request, period: str, code: str):
    return _kpi_page(request, period, code)


def initiatives(request):
    page = paginate(selectors.recognised_initiatives(), 30, request.GET.get("page"))
    return _public(request, render(request, "portal/initiatives.html", {"page": page}))


def initiative(request, pk: int):
    item = get_object_or_404(selectors.recognised_initiatives(), pk=pk)
    return _public(request, render(request, "portal/initiative.html", {"item": item}))
