"""Reporting pages: periods, a unit's report (fill, submit), review (return, accept), the chase page,
consolidation and official output."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cchc.core.exceptions import ConflictError
from cchc.core.params import int_or_none, parse_version
from cchc.org.models import Unit
from cchc.org.permissions import scope_for
from cchc.plans.models import Area, Task
from cchc.reporting import output, selectors, services
from cchc.reporting.models import ConsolidatedReport, Reminder, ReportingPeriod, UnitReport
from cchc.reporting.permissions import access_period, access_report, can_fill, can_submit, periods_visible

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NARRATIVE_LABELS = {
    **{f"area_{value}": f"Kết quả: {label}" for value, label in Area.choices},
    "limitations": "Tồn tại, hạn chế",
    "causes": "Nguyên nhân",
    "next_tasks": "Nhiệm vụ trọng tâm kỳ tới",
    "proposals": "Đề xuất, kiến nghị",
}


def _messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def period_list(request):
    scope = scope_for(request.user)
    periods = list(periods_visible(scope))
    own_units = (
        [u for u in Unit.objects.filter(kind__in=Unit.REPORTING_KINDS) if can_fill(scope, u)]
        if not scope.is_admin
        else []
    )
    reports = {
        (r.period_id, r.unit_id): r
        for r in UnitReport.objects.filter(period__in=periods, unit__in=own_units).select_related("unit")
    }
    rows = []
    for period in periods:
        expected = set(selectors.expected_units(period).values_list("pk", flat=True))
        mine = [(unit, reports.get((period.pk, unit.pk))) for unit in own_units if unit.pk in expected]
        rows.append({"period": period, "mine": mine, "runs": scope.in_subtree(period.rule_set.issuer)})
    return render(request, "reporting/period_list.html", {"rows": rows, "today": timezone.localdate()})


@login_required
def period_detail(request, pk: int):
    """The chase page: who must report, who did, on time or late, who is missing; history over periods."""
    period = access_period(request.user, pk)
    scope = scope_for(request.user)
    if not scope.in_subtree(period.rule_set.issuer):
        raise Http404
    year_periods = list(
        ReportingPeriod.objects.filter(rule_set=period.rule_set, year=period.year)
        .exclude(kind="adhoc")
        .order_by("deadline")
    )
    by_period = {p.pk: selectors.completeness(period=p) for p in year_periods}
    state = by_period.get(period.pk) or selectors.completeness(period=period)
    history = selectors.unit_history(states=list(by_period.values()))
    reminded_today = set(
        Reminder.objects.filter(period=period, day=timezone.localdate()).values_list("unit_id", flat=True)
    )
    for row in state.rows:
        states = [(p, history.get(row.unit.pk, {}).get(p.pk, "")) for p in year_periods]
        row.history = [
            (p.get_kind_display(), selectors.SHORT_LABELS.get(code, "—"), code.removesuffix("_late"))
            for p, code in states
        ]
        row.remindable = row.state in services.REMINDABLE_STATES
        row.reminded_today = row.unit.pk in reminded_today
    chosen_state = request.GET.get("trang-thai", "")
    rows = (
        [r for r in state.rows if r.state == chosen_state]
        if chosen_state in selectors.STATE_LABELS
        else state.rows
    )
    sort = request.GET.get("sap-xep", "")
    if sort == "tre":
        rows = sorted(rows, key=lambda r: (-r.days_late, r.unit.path))
    return render(
        request,
        "reporting/period_detail.html",
        {
            "period": period,
            "state": state,
            "rows": rows,
            "counts": state.counts,
            "year_periods": year_periods,
            "can_review": scope.is_standing_agency_of(period.rule_set.issuer),
            "state_choices": list(selectors.STATE_LABELS.items()),
            "chosen_state": chosen_state if chosen_state in selectors.STATE_LABELS else "",
            "sort": sort,
        },
    )


@login_required
@require_POST
def remind(request, pk: int):
    """Send a reminder to the units ticked on the chase page."""
    period = access_period(request.user, pk)
    ids = [i for i in (int_or_none(v) for v in request.POST.getlist("unit")) if i is not None]
    units = list(Unit.objects.filter(pk__in=ids).order_by("path"))
    try:
        reminded, skipped = services.reminders_send(actor=request.user, period=period, units=units)
    except PermissionDenied as exc:
        raise Http404 from exc
    if reminded:
        messages.success(
            request, f"Đã gửi nhắc {len(reminded)} đơn vị: " + ", ".join(str(u) for u in reminded) + "."
        )
    if skipped:
        messages.warning(
            request,
            "Không gửi nhắc (đã nhắc hôm nay hoặc không còn gì phải gửi): "
            + ", ".join(str(u) for u in skipped)
            + ".",
        )
    if not units:
        messages.error(request, "Hãy chọn ít nhất một đơn vị để gửi nhắc.")
    return redirect("reporting:period_detail", pk=period.pk)


@login_required
@require_POST
def report_start(request, pk: int, unit_id: int):
    period = access_period(request.user, pk)
    unit = get_object_or_404(Unit, pk=unit_id)
    try:
        report = services.report_start(actor=request.user, period=period, unit=unit)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
        return redirect("reporting:period_list")
    return redirect("reporting:report_detail", pk=report.pk)


def _keep_input(report: UnitReport, entries: list, values: list, posted) -> None:
    """Show what the user typed (not saved) over the stored values, so a refused save loses nothing."""
    narrative, tasks, targets = _parse_report_form(posted)
    report.narrative = {**report.narrative, **narrative}
    for entry in entries:
        for key, value in tasks.get(entry.task_id, {}).items():
            if key in ("status", "progress", "result"):
                setattr(entry, key, value)
    for value in values:
        for key, typed in targets.get(value.target_id, {}).items():
            if key in ("numerator", "denominator", "actual"):
                setattr(value, key, typed)


def _report_context(request, report: UnitReport, errors=None, posted=None) -> dict:
    scope = scope_for(request.user)
    entries = list(
        report.task_entries.select_related("task").order_by("task__area", "task__position", "task_id")
    )
    values = list(
        report.target_values.select_related("target", "target__parent_target").order_by(
            "target__area", "target__position"
        )
    )
    if posted is not None:
        _keep_input(report, entries, values, posted)
    sections = []
    for area, label in Area.choices:
        area_entries = [e for e in entries if e.task.area == area]
        area_values = [v for v in values if v.target.area == area]
        finished = sum(1 for e in area_entries if e.status in Task.FINISHED)
        text = report.narrative.get(f"area_{area}", "")
        sections.append(
            {
                "area": area,
                "label": label,
                "entries": area_entries,
                "values": area_values,
                "key": f"area_{area}",
                "text": text,
                "finished": finished,
                # Folded on the form: every task finished, every target valued, the result written.
                "is_done": bool(text.strip())
                and finished == len(area_entries)
                and all(v.actual is not None for v in area_values),
            }
        )
    return {
        "report": report,
        "sections": sections,
        "closing": [
            (key, NARRATIVE_LABELS[key], report.narrative.get(key, ""))
            for key in ("limitations", "causes", "next_tasks", "proposals")
        ],
        "statuses": Task.Status.choices,
        "can_edit": report.is_editable and can_fill(scope, report.unit),
        "can_submit": report.is_editable and can_submit(scope, report.unit),
        "can_review": report.status == UnitReport.Status.SUBMITTED and scope.can_review(report.unit),
        "revisions": report.revisions.select_related("submitted_by", "returned_by"),
        "errors": errors or [],
        "on_time": selectors.is_on_time(report, report.period),
    }


@login_required
def report_detail(request, pk: int):
    report = access_report(request.user, pk)
    return render(request, "reporting/report_detail.html", _report_context(request, report))


def _unsaved_texts(context: dict, post) -> list[tuple[str, str]]:
    """After a conflict the form shows the other person's version; what this user typed differently is
    listed beside it, to copy back in, rather than lost."""
    narrative, tasks, _ = _parse_report_form(post)
    unsaved = []
    for section in context["sections"]:
        typed = narrative.get(section["key"])
        if typed is not None and typed.strip() != section["text"].strip():
            unsaved.append((f"{section['area']}. {section['label']}", typed))
        for entry in section["entries"]:
            result = tasks.get(entry.task_id, {}).get("result")
            if result is not None and result.strip() != entry.result.strip():
                unsaved.append(
                    (f"Kết quả nhiệm vụ {entry.task.number or ''} «{entry.task.content[:60]}»", result)
                )
    for key, label, text in context["closing"]:
        typed = narrative.get(key)
        if typed is not None and typed.strip() != text.strip():
            unsaved.append((label, typed))
    return unsaved


def _parse_report_form(post) -> tuple[dict, dict, dict]:
    narrative = {
        key[len("narrative_") :]: value for key, value in post.items() if key.startswith("narrative_")
    }
    tasks: dict[int, dict] = {}
    targets: dict[int, dict] = {}
    for key, value in post.items():
        parts = key.split("_")
        pk = int_or_none(parts[1], low=1) if len(parts) == 3 else None
        if pk is not None and parts[0] in ("task", "target"):
            bucket = tasks if parts[0] == "task" else targets
            bucket.setdefault(pk, {})[parts[2]] = value
    return narrative, tasks, targets


def _is_autosave(request) -> bool:
    """The form's script saving a draft in the background: it wants JSON, not a page."""
    return request.headers.get("X-Autosave") == "1"


@login_required
@require_POST
def report_save(request, pk: int):
    report = access_report(request.user, pk)
    narrative, tasks, targets = _parse_report_form(request.POST)
    autosave = _is_autosave(request)
    try:
        saved = services.report_save(
            actor=request.user,
            report=report,
            expected_version=parse_version(request.POST.get("version")),
            narrative=narrative,
            task_entries=tasks,
            target_values=targets,
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ConflictError as exc:
        if autosave:
            return JsonResponse({"error": str(exc)}, status=409)
        # The other person's version is shown; what this user typed differently is listed to copy back.
        context = _report_context(request, report, errors=[str(exc)])
        context["unsaved"] = _unsaved_texts(context, request.POST)
        return render(request, "reporting/report_detail.html", context, status=409)
    except ValidationError as exc:
        if autosave:
            return JsonResponse({"error": " ".join(exc.messages)}, status=400)
        context = _report_context(request, report, exc.messages, posted=request.POST)
        return render(request, "reporting/report_detail.html", context, status=400)
    if autosave:
        saved_at = timezone.localtime().strftime("%H:%M")
        return JsonResponse({"version": saved.version, "saved_at": saved_at})
    if request.POST.get("then") == "submit":
        return _submit(request, saved, saved.version)
    messages.success(request, "Đã lưu bản nháp báo cáo.")
    return redirect("reporting:report_detail", pk=report.pk)


@login_required
@require_POST
def report_submit(request, pk: int):
    report = access_report(request.user, pk)
    try:
        version = parse_version(request.POST.get("version"))
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
        return redirect("reporting:report_detail", pk=report.pk)
    return _submit(request, report, version)


def _submit(request, report: UnitReport, version: int):
    try:
        services.report_submit(actor=request.user, report=report, expected_version=version)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except (ValidationError, ConflictError) as exc:
        messages.error(request, _messages_of(exc) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, "Đã gửi báo cáo. Bản đã gửi được lưu giữ nguyên, không sửa được.")
    return redirect("reporting:report_detail", pk=report.pk)


@login_required
@require_POST
def report_review(request, pk: int, decision: str):
    report = access_report(request.user, pk)
    try:
        if decision == "return":
            services.report_return(actor=request.user, report=report, reason=request.POST.get("reason", ""))
            messages.success(request, "Đã trả lại báo cáo để đơn vị chỉnh sửa.")
        elif decision == "accept":
            services.report_accept(actor=request.user, report=report, note=request.POST.get("note", ""))
            messages.success(request, "Đã tiếp nhận báo cáo.")
        else:
            raise Http404
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    return redirect("reporting:report_detail", pk=report.pk)


@login_required
@require_POST
def mark_missing(request, pk: int, unit_id: int):
    period = access_period(request.user, pk)
    unit = get_object_or_404(Unit, pk=unit_id)
    try:
        services.report_mark_missing(
            actor=request.user, period=period, unit=unit, reason=request.POST.get("reason", "")
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, f"Đã ghi nhận {unit} không gửi báo cáo.")
    return redirect("reporting:period_detail", pk=period.pk)


@login_required
def consolidation(request, pk: int):
    period = access_period(request.user, pk)
    scope = scope_for(request.user)
    issuer = period.rule_set.issuer
    if not scope.in_subtree(issuer):
        raise Http404
    consolidated = ConsolidatedReport.objects.filter(period=period, unit=issuer).first()
    is_agency = scope.is_standing_agency_of(issuer)
    errors, status, posted = [], 200, {}
    if request.method == "POST":
        if not is_agency:
            raise Http404
        posted = {k[len("narrative_") :]: v for k, v in request.POST.items() if k.startswith("narrative_")}
        try:
            # A page shown before the consolidated report existed sends version 1, the version it is
            # created with: if someone else created and saved it meanwhile, that is a conflict.
            version = parse_version(request.POST.get("version"))
            consolidated = consolidated or services.consolidated_open(actor=request.user, period=period)
            consolidated = services.consolidated_save(
                actor=request.user,
                report=consolidated,
                expected_version=version,
                narrative=posted,
            )
            if request.POST.get("then") == "finalise":
                services.consolidated_finalise(actor=request.user, report=consolidated)
                messages.success(request, "Đã hoàn thành báo cáo tổng hợp.")
            else:
                messages.success(request, "Đã lưu báo cáo tổng hợp.")
            return redirect("reporting:consolidation", pk=period.pk)
        except ConflictError as exc:
            errors, status = [str(exc)], 409
        except ValidationError as exc:
            errors, status = exc.messages, 400
    view = selectors.consolidation(period=period)
    narrative = {**(consolidated.narrative if consolidated else {}), **(posted if errors else {})}
    blocks = [
        {"key": key, "label": label, "units": view.narratives.get(key, []), "text": narrative.get(key, "")}
        for key, label in NARRATIVE_LABELS.items()
    ]
    task_rows = [
        {"area": a, "label": label, "counts": view.task_counts.get(a, {})} for a, label in Area.choices
    ]
    return render(
        request,
        "reporting/consolidation.html",
        {
            "period": period,
            "view": view,
            "consolidated": consolidated,
            "blocks": blocks,
            "task_rows": task_rows,
            "is_agency": is_agency,
            "errors": errors,
            "statuses": Task.Status.choices,
        },
        status=status,
    )


def _download(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX if fmt == "docx" else XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def report_export(request, pk: int, fmt: str):
    report = access_report(request.user, pk)
    document = output.unit_report_document(report)
    content = output.render(document, fmt)
    return _download(content, fmt, f"bao-cao-{report.period.code}-{report.unit.code}")


@login_required
def consolidation_export(request, pk: int, fmt: str):
    period = access_period(request.user, pk)
    if not scope_for(request.user).in_subtree(period.rule_set.issuer):
        raise Http404
    document = output.consolidated_document(period)
    return _download(output.render(document, fmt), fmt, f"bao-cao-tong-hop-{period.code}")
