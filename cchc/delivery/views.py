"""Service-delivery pages: KPIs per unit, field and period with drill-down to late dossiers, the
linked targets, dossier imports. Views read through selectors and write through services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from cchc.core.cache import versioned
from cchc.core.exceptions import ConflictError
from cchc.core.params import MISSING_VERSION, page_offset, paginate
from cchc.delivery import charts, exports, selectors, services, store
from cchc.delivery.forms import DossierUploadForm, TargetLinkForm
from cchc.delivery.kpi import score_766
from cchc.delivery.kpi.schema import CHANNEL_LABELS, STATUS_LABELS, Channel, Status
from cchc.delivery.models import DossierImport, SourceMapping
from cchc.delivery.permissions import access_unit, breadcrumb
from cchc.org.models import Unit
from cchc.org.permissions import scope_for
from cchc.plans.permissions import access_target, targets_visible

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LATE_PAGE_SIZE = 50
# The national targets of Resolution 76/NQ-CP the charts draw as lines.
ON_TIME_TARGET = 0.98


def _selection(request):
    """(unit, catalogue, period, field) from the query string; 404 for a unit outside the scope."""
    unit = access_unit(request.user, request.GET.get("don-vi"))
    current = selectors.current_import()
    catalogue = selectors.period_catalogue(current)
    period = catalogue.get(request.GET.get("ky")) or catalogue.default
    field = request.GET.get("linh-vuc", "")
    return unit, current, catalogue, period, field


def _query(unit: Unit, period, field: str = "", **extra) -> str:
    params = {"don-vi": unit.code}
    if period:
        params["ky"] = period.key
    if field:
        params["linh-vuc"] = field
    params.update(extra)
    return urlencode(params)


def _download(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
def overview(request):
    unit, current, catalogue, period, field = _selection(request)
    can_manage = services.can_manage_data(request.user)
    context = {
        "unit": unit,
        "crumbs": breadcrumb(request.user, unit),
        "catalogue": catalogue,
        "period": period,
        "field": field,
        "current": current,
        "can_manage": can_manage,
        "can_publish": can_manage,  # services.can_publish: the same people, without asking twice
        "publication": selectors.publication_of(period.key) if period else None,
    }
    if period is None:
        return render(request, "delivery/overview.html", context)
    # The same unit and period look the same to everyone who may see them, until the figures change.
    config = selectors.kpi_config()
    version = selectors.figures_version(current, config)
    view = versioned(
        "delivery-overview",
        version,
        (unit.pk, period.key, field),
        lambda: selectors.unit_overview(unit, catalogue, period, field=field, config=config),
    )
    kpis, children, trend = view.kpis, view.children, view.trend
    year = period.months[0][:4]
    ranked = sorted(
        (c for c in children if c.unit != unit),
        key=lambda c: (c.kpis["on_time_rate"] is None, c.kpis["on_time_rate"] or 0),
    )
    context.update(
        kpis=kpis,
        score=score_766(kpis) if not field else None,
        children=children,
        fields=view.fields,
        all_fields=versioned("delivery-fields", version, (), selectors.fields),
        query=_query(unit, period, field),
        child_links={c.unit.pk: _query(c.unit, period) for c in children if c.unit and c.unit != unit},
        ranking_chart=charts.bar_chart(
            [charts.Bar(c.label, c.kpis["on_time_rate"], f"?{_query(c.unit, period)}") for c in ranked[:30]],
            title=f"Tỷ lệ hồ sơ đúng hạn theo đơn vị (thấp nhất trước), {period.label}",
            target=ON_TIME_TARGET,
            target_label="mục tiêu 98%",
        )
        if len(ranked) > 1
        else None,
        trend_chart=charts.line_chart(
            [f"T{int(m.key[5:])}" for m, _ in trend],
            [
                charts.Series("Đúng hạn", [k["on_time_rate"] for _, k in trend]),
                charts.Series("Trực tuyến", [k["online_share"] for _, k in trend]),
                charts.Series("Thanh toán trực tuyến", [k["online_payment_share"] for _, k in trend]),
                charts.Series("Hài lòng", [k["satisfaction_share"] for _, k in trend]),
            ],
            title=f"Diễn biến theo tháng năm {year}, {unit.name}",
        )
        if len(trend) > 1
        else None,
        trend=trend,
    )
    return render(request, "delivery/overview.html", context)


@login_required
@require_POST
def publication(request):
    """Publish the chosen period on the disclosure portal, or withdraw it (the city's standing agency)."""
    if not services.can_publish(request.user):
        raise Http404("Không tìm thấy trang.")
    key = request.POST.get("ky", "")
    unit_code = request.POST.get("don-vi", "")
    try:
        if request.POST.get("action") == "unpublish":
            done = services.unpublish_kpi_period(actor=request.user, period=key)
            messages.success(request, f"Đã thu hồi công khai chỉ số {done.label} khỏi cổng công khai.")
        else:
            done = services.publish_kpi_period(actor=request.user, period=key)
            messages.success(
                request, f"Đã công khai chỉ số {done.label} của {len(done.rows)} đơn vị trên cổng công khai."
            )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    params = {"ky": key} if key else {}
    if unit_code:
        params["don-vi"] = unit_code
    return redirect(reverse("delivery:overview") + (f"?{urlencode(params)}" if params else ""))


@login_required
def overview_xlsx(request):
    unit, _, catalogue, period, field = _selection(request)
    if period is None:
        raise Http404("Chưa có số liệu.")
    view = selectors.unit_overview(unit, catalogue, period, field=field)
    subtitle = f"Kỳ: {period.label} ({period.range_label})" + (f" · Lĩnh vực: {field}" if field else "")
    sheets = [("Tổng hợp", "Đơn vị", [(unit.name, view.kpis)])]
    if not field:
        if view.children:
            sheets.append(("Theo đơn vị", "Đơn vị", [(c.label, c.kpis) for c in view.children]))
        sheets.append(("Theo lĩnh vực", "Lĩnh vực", view.fields))
    sheets.append(("Theo tháng", "Tháng", [(f"{m.label} ({m.range_label})", k) for m, k in view.trend]))
    content = exports.kpi_workbook(f"Chỉ số giải quyết TTHC – {unit.name}", subtitle, sheets)
    return _download(content, f"chi-so-tthc-{unit.code}-{period.key}")


class SnapshotMissing(Exception):
    pass


def _snapshot_missing(request, name: str) -> HttpResponse:
    response = render(
        request,
        "core/request_error.html",
        {
            "title": "Chưa đọc được dữ liệu hồ sơ",
            "message": f"Kho hồ sơ một cửa (DOSSIER_STORE_DIR) không có bản dữ liệu «{name}» mà lần nhập hiện "
            "hành ghi nhận. Hãy báo quản trị hệ thống khôi phục kho hồ sơ cùng với cơ sở dữ liệu "
            "(lệnh restore).",
            "back": "/",
        },
        status=503,
    )
    return response


def _late_rows(request):
    unit, current, _, period, field = _selection(request)
    if period is None or current is None:
        raise Http404("Chưa có số liệu.")
    snapshot = store.snapshot_path(current.snapshot)
    if not snapshot.exists():
        # The database names a snapshot the store does not hold (a copy restored without its
        # DOSSIER_STORE_DIR): say so, instead of DuckDB's file error as a 500.
        raise SnapshotMissing(current.snapshot)
    return (
        unit,
        period,
        field,
        snapshot,
        selectors.kpi_config().engine_settings(as_of=current.data_until),
    )


@login_required
def late_dossiers(request):
    try:
        unit, period, field, snapshot, kpi_settings = _late_rows(request)
    except SnapshotMissing as exc:
        return _snapshot_missing(request, str(exc))
    codes = None if unit.parent_id is None else selectors.unit_codes_below(unit)
    total = selectors.unit_kpis(unit, period, field=field)["late_total"]
    # Clamped to the pages there are: DuckDB takes the OFFSET as a 64-bit integer.
    page_number, offset = page_offset(request.GET.get("trang"), LATE_PAGE_SIZE, total)
    rows, _ = store.late_dossiers(
        snapshot,
        codes,
        period.start,
        period.end,
        kpi_settings,
        field=field,
        limit=LATE_PAGE_SIZE,
        offset=offset,
        count=False,
    )
    names = dict(Unit.objects.filter(code__in={r["unit_code"] for r in rows}).values_list("code", "name"))
    for row in rows:
        row["unit_name"] = names.get(row["unit_code"], row["unit_code"])
        row["channel_label"] = CHANNEL_LABELS.get(Channel(row["channel"]), "")
        row["status_label"] = STATUS_LABELS.get(Status(row["status"]), "")
    pages = Paginator(range(total), LATE_PAGE_SIZE).get_page(page_number)
    return render(
        request,
        "delivery/late_dossiers.html",
        {
            "unit": unit,
            "crumbs": breadcrumb(request.user, unit),
            "period": period,
            "field": field,
            "rows": rows,
            "total": total,
            "page": pages,
            "query": _query(unit, period, field),
        },
    )


@login_required
def late_dossiers_xlsx(request):
    try:
        unit, period, field, snapshot, kpi_settings = _late_rows(request)
    except SnapshotMissing as exc:
        return _snapshot_missing(request, str(exc))
    rows, _ = store.late_dossiers(
        snapshot,
        None if unit.parent_id is None else selectors.unit_codes_below(unit),
        period.start,
        period.end,
        kpi_settings,
        field=field,
        limit=None,
        count=False,
    )
    names = dict(Unit.objects.filter(path__startswith=unit.path).values_list("code", "name"))
    subtitle = f"Kỳ: {period.label} ({period.range_label})" + (f" · Lĩnh vực: {field}" if field else "")
    content = exports.late_workbook(f"Hồ sơ trễ hạn – {unit.name}", subtitle, rows, names)
    return _download(content, f"ho-so-tre-han-{unit.code}-{period.key}")


@login_required
def targets(request):
    """Plan targets measured by a KPI, with value and status per period of the latest year."""
    scope = scope_for(request.user)
    visible = list(
        targets_visible(scope)
        .filter(kpi_link__isnull=False)
        .select_related("plan", "plan__issuer", "kpi_link")
        .order_by("plan__issuer__path", "plan_id", "area", "position")
    )
    current = selectors.current_import()
    catalogue = selectors.period_catalogue(current)
    default = catalogue.default
    year = default.key[:4] if default else ""
    periods = [
        p for p in catalogue.spans if p.key.startswith(year) and p.kind in ("quarter", "half", "9m", "year")
    ]
    by_period = selectors.target_actuals_by_period(visible, periods)
    rows = [(t, [(p, by_period[p.key].get(t.pk)) for p in periods]) for t in visible]
    return render(request, "delivery/targets.html", {"rows": rows, "periods": periods, "current": current})


@login_required
@require_POST
def target_link(request, pk: int):
    target = access_target(request.user, pk, for_edit=True)
    existing = getattr(target, "kpi_link", None)
    form = TargetLinkForm(request.POST, initial={"field": existing.field if existing else ""})
    back = reverse("plans:target_edit", args=[target.pk])
    if not form.is_valid():
        if "version" in form.errors:
            messages.error(request, MISSING_VERSION)
        else:
            messages.error(request, "Chọn một chỉ số hợp lệ.")
        return redirect(back)
    version = form.cleaned_data["version"]
    try:
        if form.cleaned_data["kpi"]:
            services.target_link_set(
                actor=request.user,
                target=target,
                kpi=form.cleaned_data["kpi"],
                field=form.cleaned_data["field"],
                expected_version=version,
            )
            messages.success(request, "Đã liên kết chỉ tiêu với chỉ số giải quyết TTHC.")
        else:
            services.target_link_clear(actor=request.user, target=target, expected_version=version)
            messages.success(request, "Đã bỏ liên kết chỉ số.")
    except (ValidationError, PermissionDenied, ConflictError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect(back)


@login_required
def imports(request):
    if not services.can_manage_data(request.user):
        raise Http404("Không tìm thấy trang.")
    form = DossierUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        mapping = form.cleaned_data["mapping"]
        # The import runs on the queue (cchc.jobs): the page keeps the file and shows the job's progress.
        try:
            job = services.dossier_upload_enqueue(
                actor=request.user, upload=upload, mapping=mapping, force=form.cleaned_data["force"]
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("delivery:imports")
        return redirect("jobs:detail", pk=job.pk)
    services.imports_fail_stale()  # an import whose process died must not show "đang nhập" for ever
    batches = DossierImport.objects.select_related("mapping", "created_by").order_by("-started_at", "-pk")
    return render(
        request,
        "delivery/imports.html",
        {
            "form": form,
            "page": paginate(batches, 25, request.GET.get("trang")),
            "mappings": SourceMapping.objects.all(),
            "max_mb": settings.DOSSIER_UPLOAD_MAX_BYTES // (1024 * 1024),
            "current": selectors.current_import(),
        },
    )


@login_required
def import_detail(request, pk: int):
    if not services.can_manage_data(request.user):
        raise Http404("Không tìm thấy trang.")
    services.imports_fail_stale()
    batch = DossierImport.objects.select_related("mapping", "created_by", "same_as").filter(pk=pk).first()
    if batch is None:
        raise Http404("Không tìm thấy lần nhập.")
    more_errors = batch.error_count - len(batch.errors or []) if batch.errors else 0
    return render(request, "delivery/import_detail.html", {"batch": batch, "more_errors": more_errors})
