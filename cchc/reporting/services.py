"""Writes for periodic reporting. Each checks scope, validates, audits, in one transaction."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from cchc.core import audit
from cchc.core.exceptions import check_version
from cchc.core.params import MAX_INTEGER_DIGITS, decimal_or_none
from cchc.core.text import nfc
from cchc.dashboard.services import refresh_scorecard_soon
from cchc.delivery.selectors import AUTO_VALUE_NOTE, report_target_values
from cchc.org.models import Unit
from cchc.org.permissions import scope_for
from cchc.plans.models import Plan, Target, Task
from cchc.plans.services import check_task_progress
from cchc.reporting import notices
from cchc.reporting.models import (
    ConsolidatedReport,
    PeriodKind,
    Reminder,
    ReportingPeriod,
    ReportingRule,
    ReportingRuleSet,
    ReportRevision,
    ReportTargetValue,
    ReportTaskEntry,
    UnitReport,
)
from cchc.reporting.permissions import can_fill, can_submit
from cchc.reporting.rules import HAI_PHONG_RULES, period_dates
from cchc.reporting.selectors import expected_units, previous_report, report_content

NARRATIVE_KEYS = [f"area_{n}" for n in range(7)] + ["limitations", "causes", "next_tasks", "proposals"]
Status = UnitReport.Status


def _scope(actor):
    return scope_for(actor) if actor is not None else None


def _save_versioned(instance, *, actor, action: str, changes: dict, note: str = ""):
    """Save with a new version (so concurrent editors see the change) and its audit row."""
    instance.version = F("version") + 1
    instance.save()
    instance.refresh_from_db()
    audit.record(actor=actor, action=action, instance=instance, changes=changes, note=note)
    return instance


# Rules and periods ------------------------------------------------------------------------------


@transaction.atomic
def rule_set_create_hai_phong(*, actor, issuer: Unit) -> ReportingRuleSet:
    """Hải Phòng's rules, shipped as the default: editable data afterwards."""
    scope = _scope(actor)
    if scope is not None and not scope.is_standing_agency_of(issuer):
        raise PermissionDenied("Chỉ cơ quan thường trực CCHC của cấp này được đặt quy định báo cáo.")
    rule_set = ReportingRuleSet.objects.create(
        issuer=issuer,
        name=f"Chế độ báo cáo CCHC của {issuer}",
        basis="Kế hoạch CCHC của UBND thành phố Hải Phòng; số liệu theo Nghị định 09/2019/NĐ-CP",
    )
    for kind, start, previous, end, deadline, enabled in HAI_PHONG_RULES:
        ReportingRule.objects.create(
            rule_set=rule_set,
            kind=kind,
            cutoff_start_day=start[0],
            cutoff_start_month=start[1],
            cutoff_start_previous_year=previous,
            cutoff_end_day=end[0],
            cutoff_end_month=end[1],
            deadline_day=deadline[0],
            deadline_month=deadline[1],
            is_enabled=enabled,
        )
    audit.record(actor=actor, action="create", instance=rule_set, changes={"name": rule_set.name})
    return rule_set


@transaction.atomic
def period_open(*, actor, rule_set: ReportingRuleSet, year: int, kind: str) -> ReportingPeriod:
    """Open a regular period (idempotent): its dates are computed from the rule and then kept."""
    scope = _scope(actor)
    if scope is not None and not scope.is_standing_agency_of(rule_set.issuer):
        raise PermissionDenied("Chỉ cơ quan thường trực CCHC của cấp này được mở kỳ báo cáo.")
    rule = rule_set.rules.filter(kind=kind).first()
    if rule is None:
        raise ValidationError(f"Quy định «{rule_set}» không có kỳ {PeriodKind(kind).label}.")
    dates = period_dates(rule, year, deadline_exclusive=rule_set.deadline_exclusive)
    period, created = ReportingPeriod.objects.get_or_create(
        rule_set=rule_set,
        code=dates.code,
        defaults={
            "kind": kind,
            "year": year,
            "title": dates.title,
            "cutoff_start": dates.cutoff_start,
            "cutoff_end": dates.cutoff_end,
            "deadline": dates.deadline,
        },
    )
    if created:
        audit.record(
            actor=actor,
            action="create",
            instance=period,
            changes=audit.snapshot(period, ["code", "cutoff_start", "cutoff_end", "deadline"]),
        )
    return period


def periods_open_year(*, actor, rule_set: ReportingRuleSet, year: int) -> list[ReportingPeriod]:
    return [
        period_open(actor=actor, rule_set=rule_set, year=year, kind=rule.kind)
        for rule in rule_set.rules.filter(is_enabled=True)
    ]


@transaction.atomic
def adhoc_request_create(
    *,
    actor,
    rule_set: ReportingRuleSet,
    title: str,
    deadline: date,
    units: list[Unit],
    request_text: str,
    cutoff_start: date | None = None,
    cutoff_end: date | None = None,
) -> ReportingPeriod:
    scope = _scope(actor)
    if scope is not None and not scope.is_standing_agency_of(rule_set.issuer):
        raise PermissionDenied("Chỉ cơ quan thường trực CCHC của cấp này được yêu cầu báo cáo đột xuất.")
    if not units:
        raise ValidationError("Yêu cầu đột xuất phải nêu đơn vị phải báo cáo.")
    outside = [u for u in units if not u.is_within(rule_set.issuer) or u.pk == rule_set.issuer_id]
    if outside:
        raise ValidationError(f"Đơn vị không thuộc cấp này: {', '.join(map(str, outside))}.")
    today = timezone.localdate()
    sequence = (
        ReportingPeriod.objects.filter(rule_set=rule_set, kind=PeriodKind.ADHOC, year=deadline.year).count()
        + 1
    )
    period = ReportingPeriod.objects.create(
        rule_set=rule_set,
        kind=PeriodKind.ADHOC,
        year=deadline.year,
        code=f"{deadline.year}-DX{sequence}",
        title=nfc(title),
        cutoff_start=cutoff_start or today,
        cutoff_end=cutoff_end or deadline,
        deadline=deadline,
        request_text=nfc(request_text),
    )
    period.units.set(units)
    audit.record(
        actor=actor,
        action="create",
        instance=period,
        changes={"title": period.title, "deadline": deadline, "units": [str(u) for u in units]},
    )
    return period


# Unit reports -----------------------------------------------------------------------------------


def _active_plans(unit: Unit, year: int):
    return Plan.objects.filter(
        issuer=unit, status=Plan.Status.ISSUED, year_start__lte=year, year_end__gte=year
    )


@transaction.atomic
def report_start(*, actor, period: ReportingPeriod, unit: Unit) -> UnitReport:
    """The unit's report for the period, created once and prefilled from the tracker and the last report."""
    scope = _scope(actor)
    if scope is not None and not can_fill(scope, unit):
        raise PermissionDenied("Bạn không có quyền lập báo cáo của đơn vị này.")
    if not expected_units(period).filter(pk=unit.pk).exists():
        raise ValidationError(f"{unit} không thuộc danh sách phải báo cáo {period}.")
    report = UnitReport.objects.filter(period=period, unit=unit).first()
    if report is not None:
        return report
    last = previous_report(period=period, unit=unit)
    report = UnitReport.objects.create(
        period=period,
        unit=unit,
        narrative={key: (last.narrative.get(key, "") if last else "") for key in NARRATIVE_KEYS},
    )
    tasks = Task.objects.filter(plan__in=_active_plans(unit, period.year)).order_by(
        "plan_id", "area", "position"
    )
    ReportTaskEntry.objects.bulk_create(
        ReportTaskEntry(report=report, task=t, status=t.status, progress=t.progress, result=t.result)
        for t in tasks
    )
    last_values = {v.target_id: v for v in last.target_values.all()} if last else {}
    targets = list(
        Target.objects.filter(plan__in=_active_plans(unit, period.year))
        .exclude(comparator="text")
        .select_related("plan__issuer")
    )
    # Targets measured by a service-delivery KPI start from the dossiers of the reporting window;
    # the others from the previous report.
    computed = report_target_values(unit, targets, period.cutoff_start, period.cutoff_end)
    ReportTargetValue.objects.bulk_create(
        ReportTargetValue(report=report, target=t, **computed[t.pk])
        if t.pk in computed
        else ReportTargetValue(
            report=report,
            target=t,
            actual=getattr(last_values.get(t.pk), "actual", None),
            numerator=getattr(last_values.get(t.pk), "numerator", None),
            denominator=getattr(last_values.get(t.pk), "denominator", None),
        )
        for t in targets
    )
    audit.record(
        actor=actor,
        action="create",
        instance=report,
        changes={"period": str(period), "unit": str(unit), "prefilled_from": str(last or "")},
    )
    return report


def _decimal(value, label: str, *, allow_negative: bool = False) -> Decimal | None:
    # One parser for every figure: NaN, Infinity, numbers too long for the column are refused here.
    return decimal_or_none(value, label, allow_negative=allow_negative)


def _lock_editable(actor, report: UnitReport, expected_version: int) -> UnitReport:
    report = UnitReport.objects.select_for_update().select_related("unit", "period").get(pk=report.pk)
    scope = _scope(actor)
    if scope is not None and not can_fill(scope, report.unit):
        raise PermissionDenied("Bạn không có quyền sửa báo cáo này.")
    check_version(
        report.version,
        expected_version,
        "Báo cáo vừa được người khác cập nhật. Nội dung bạn vừa nhập chưa được lưu; hãy tải lại trang, "
        "xem bản mới nhất rồi nhập lại phần của bạn.",
    )
    if not report.is_editable:
        raise ValidationError(f"Báo cáo đang ở trạng thái «{report.get_status_display()}», không sửa được.")
    return report


@transaction.atomic
def report_save(
    *,
    actor,
    report: UnitReport,
    expected_version: int,
    narrative: dict | None = None,
    task_entries: dict[int, dict] | None = None,
    target_values: dict[int, dict] | None = None,
) -> UnitReport:
    """Save the draft: narrative sections, task progress, target values. A stale version is refused."""
    report = _lock_editable(actor, report, expected_version)
    changes: dict = {}
    if narrative is not None:
        cleaned = {key: nfc(narrative.get(key, report.narrative.get(key, ""))) for key in NARRATIVE_KEYS}
        changed = [k for k in NARRATIVE_KEYS if cleaned[k] != report.narrative.get(k, "")]
        if changed:
            changes["narrative"] = changed
            report.narrative = cleaned
    errors: list[str] = []
    for entry in report.task_entries.select_related("task").filter(task_id__in=list(task_entries or {})):
        data = task_entries[entry.task_id]
        label = f"Nhiệm vụ {entry.task.number or ''} «{entry.task.content[:50]}»"
        status, progress = data.get("status", entry.status), data.get("progress", entry.progress)
        try:
            progress = check_task_progress(status, progress)
        except ValidationError as exc:
            errors.append(f"{label}: {' '.join(m for msgs in exc.message_dict.values() for m in msgs)}")
            continue
        new = (status, progress, nfc(data.get("result", entry.result)))
        if new != (entry.status, entry.progress, entry.result):
            entry.status, entry.progress, entry.result = new
            entry.save()
            changes.setdefault("tasks", []).append(entry.task_id)
    for value in report.target_values.select_related("target").filter(
        target_id__in=list(target_values or {})
    ):
        data = target_values[value.target_id]
        label = f"Chỉ tiêu «{value.target.text[:50]}»"
        try:
            numerator = _decimal(data.get("numerator"), f"{label}, tử số")
            denominator = _decimal(data.get("denominator"), f"{label}, mẫu số")
            actual = _decimal(data.get("actual"), f"{label}, giá trị đạt", allow_negative=True)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if denominator is not None and denominator <= 0:
            errors.append(f"{label}: mẫu số phải lớn hơn 0.")
            continue
        if numerator is not None and denominator is not None:
            if numerator > denominator and value.target.unit_of_measure == "%":
                errors.append(f"{label}: tử số lớn hơn mẫu số.")
                continue
            actual = (numerator * 100 / denominator).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if actual.adjusted() >= MAX_INTEGER_DIGITS:
                errors.append(f"{label}: tỷ lệ tính từ tử số và mẫu số quá lớn.")
                continue
        note = nfc(data.get("note", value.note))
        if (
            "note" not in data
            and note.startswith(AUTO_VALUE_NOTE)
            and (actual, numerator, denominator) != (value.actual, value.numerator, value.denominator)
        ):
            note = "Đơn vị sửa giá trị tính tự động từ dữ liệu hồ sơ một cửa."
        new = (actual, numerator, denominator, note)
        if new != (value.actual, value.numerator, value.denominator, value.note):
            value.actual, value.numerator, value.denominator, value.note = new
            value.save()
            changes.setdefault("targets", []).append(value.target_id)
    if errors:
        raise ValidationError(errors)
    if changes:
        report = _save_versioned(report, actor=actor, action="update", changes=changes)
    return report


@transaction.atomic
def report_submit(*, actor, report: UnitReport, expected_version: int) -> UnitReport:
    """The unit head sends the report: the content is frozen as a revision and kept for good."""
    report = UnitReport.objects.select_for_update().select_related("unit", "period").get(pk=report.pk)
    scope = _scope(actor)
    if scope is not None and not can_submit(scope, report.unit):
        raise PermissionDenied("Chỉ lãnh đạo đơn vị được gửi báo cáo.")
    check_version(
        report.version, expected_version, "Báo cáo vừa được người khác cập nhật; hãy xem lại trước khi gửi."
    )
    if not report.is_editable:
        raise ValidationError(f"Không gửi được: báo cáo đang ở trạng thái «{report.get_status_display()}».")
    now = timezone.now()
    ReportRevision.objects.create(
        report=report,
        number=report.revision,
        content=report_content(report),
        submitted_by=actor,
        submitted_at=now,
    )
    before = report.status
    report.status = Status.SUBMITTED
    report.submitted_at = now
    report.first_submitted_at = report.first_submitted_at or now
    report = _save_versioned(
        report,
        actor=actor,
        action="status",
        changes={"status": [before, report.status], "revision": report.revision},
    )
    notices.notify_reviewers(report=report)
    return report


def _lock_for_review(actor, report: UnitReport) -> UnitReport:
    report = UnitReport.objects.select_for_update().select_related("unit", "period").get(pk=report.pk)
    scope = _scope(actor)
    if scope is not None and not scope.can_review(report.unit):
        raise PermissionDenied("Chỉ cơ quan thường trực CCHC cấp trên được xem xét báo cáo này.")
    return report


@transaction.atomic
def report_return(*, actor, report: UnitReport, reason: str) -> UnitReport:
    report = _lock_for_review(actor, report)
    if report.status != Status.SUBMITTED:
        raise ValidationError("Chỉ trả lại được báo cáo đã gửi và chưa tiếp nhận.")
    reason = nfc(reason)
    if not reason:
        raise ValidationError("Cần nêu lý do trả lại để đơn vị chỉnh sửa.")
    revision = report.revisions.get(number=report.revision)
    revision.returned_reason, revision.returned_by, revision.returned_at = reason, actor, timezone.now()
    revision.save()
    report.status = Status.RETURNED
    report.revision += 1
    report.reviewer_note = reason
    report = _save_versioned(
        report,
        actor=actor,
        action="status",
        changes={"status": [Status.SUBMITTED, Status.RETURNED]},
        note=reason,
    )
    notices.notify_unit(
        report=report,
        kind="returned",
        key=str(report.revision - 1),
        message=f"{report.period} của {report.unit} bị trả lại: {reason}",
    )
    return report


@transaction.atomic
def report_accept(*, actor, report: UnitReport, note: str = "") -> UnitReport:
    report = _lock_for_review(actor, report)
    if report.status != Status.SUBMITTED:
        raise ValidationError("Chỉ tiếp nhận được báo cáo đã gửi.")
    report.status = Status.ACCEPTED
    report.accepted_at = timezone.now()
    report.reviewer_note = nfc(note)
    report = _save_versioned(
        report,
        actor=actor,
        action="status",
        changes={"status": [Status.SUBMITTED, Status.ACCEPTED]},
        note=report.reviewer_note,
    )
    notices.notify_unit(
        report=report,
        kind="accepted",
        key=str(report.revision),
        message=f"{report.period} của {report.unit} đã được tiếp nhận.",
    )
    refresh_scorecard_soon(report.period.year)
    return report


@transaction.atomic
def report_mark_missing(*, actor, period: ReportingPeriod, unit: Unit, reason: str = "") -> UnitReport:
    """The reviewer records that a unit sent nothing, so the level above can close its report."""
    scope = _scope(actor)
    if scope is not None and not scope.can_review(unit):
        raise PermissionDenied(
            "Chỉ cơ quan thường trực CCHC cấp trên được ghi nhận đơn vị không gửi báo cáo."
        )
    report, _ = UnitReport.objects.select_for_update().get_or_create(period=period, unit=unit)
    if report.first_submitted_at is not None:
        raise ValidationError(f"{unit} đã gửi báo cáo, không ghi nhận thiếu được.")
    before = report.status
    report.status = Status.MISSING
    report.reviewer_note = nfc(reason) or "Không gửi báo cáo"
    report = _save_versioned(
        report,
        actor=actor,
        action="status",
        changes={"status": [before, Status.MISSING]},
        note=report.reviewer_note,
    )
    return report


# Consolidated reports ---------------------------------------------------------------------------


@transaction.atomic
def consolidated_open(*, actor, period: ReportingPeriod) -> ConsolidatedReport:
    unit = period.rule_set.issuer
    scope = _scope(actor)
    if scope is not None and not scope.is_standing_agency_of(unit):
        raise PermissionDenied("Chỉ cơ quan thường trực CCHC của cấp này được lập báo cáo tổng hợp.")
    report, created = ConsolidatedReport.objects.get_or_create(
        period=period, unit=unit, defaults={"narrative": {key: "" for key in NARRATIVE_KEYS}}
    )
    if created:
        audit.record(actor=actor, action="create", instance=report, changes={"period": period.code})
    return report


def _lock_consolidated(actor, report: ConsolidatedReport) -> ConsolidatedReport:
    report = ConsolidatedReport.objects.select_for_update().select_related("unit", "period").get(pk=report.pk)
    scope = _scope(actor)
    if scope is not None and not scope.is_standing_agency_of(report.unit):
        raise PermissionDenied("Chỉ cơ quan thường trực CCHC của cấp này được sửa báo cáo tổng hợp.")
    return report


@transaction.atomic
def consolidated_save(
    *, actor, report: ConsolidatedReport, expected_version: int, narrative: dict
) -> ConsolidatedReport:
    report = _lock_consolidated(actor, report)
    check_version(report.version, expected_version)
    if report.status == ConsolidatedReport.Status.FINAL:
        raise ValidationError("Báo cáo tổng hợp đã hoàn thành, không sửa được.")
    cleaned = {key: nfc(narrative.get(key, report.narrative.get(key, ""))) for key in NARRATIVE_KEYS}
    changed = [k for k in NARRATIVE_KEYS if cleaned[k] != report.narrative.get(k, "")]
    if changed:
        report.narrative = cleaned
        report = _save_versioned(report, actor=actor, action="update", changes={"narrative": changed})
    return report


@transaction.atomic
def consolidated_finalise(*, actor, report: ConsolidatedReport) -> ConsolidatedReport:
    """Only when every expected unit below is accepted or explicitly recorded as missing."""
    report = _lock_consolidated(actor, report)
    closed = set(
        UnitReport.objects.filter(
            period=report.period, status__in=[Status.ACCEPTED, Status.MISSING]
        ).values_list("unit_id", flat=True)
    )
    open_units = [u for u in expected_units(report.period) if u.pk not in closed]
    if open_units:
        names = ", ".join(u.name for u in open_units[:5]) + (
            f" và {len(open_units) - 5} đơn vị khác" if len(open_units) > 5 else ""
        )
        raise ValidationError(
            f"Chưa hoàn thành được: {len(open_units)} đơn vị chưa được tiếp nhận báo cáo hoặc ghi nhận "
            f"thiếu ({names})."
        )
    report.status = ConsolidatedReport.Status.FINAL
    report.finalised_at = timezone.now()
    report = _save_versioned(report, actor=actor, action="status", changes={"status": ["draft", "final"]})
    return report


REMINDABLE_STATES = {"not_started", "drafting", "overdue", "returned"}


@transaction.atomic
def reminders_send(
    *, actor, period: ReportingPeriod, units: list[Unit], today: date | None = None
) -> tuple[list[Unit], list[Unit]]:
    """The standing agency reminds the selected units that have not (re)sent their report: a notice and an
    e-mail to each unit's people. A unit already reminded today for this period is skipped, as is one
    that has nothing to send. Returns (reminded, skipped)."""
    from cchc.notices.services import notify
    from cchc.reporting.selectors import completeness

    scope = _scope(actor)
    if scope is not None and not scope.is_standing_agency_of(period.rule_set.issuer):
        raise PermissionDenied("Chỉ cơ quan thường trực CCHC của cấp giao báo cáo được gửi nhắc.")
    today = today or timezone.localdate()
    rows = {row.unit.pk: row for row in completeness(period=period, today=today).rows}
    deadline = period.deadline.strftime("%d/%m/%Y")
    url = reverse("reporting:period_list")
    reminded, skipped = [], []
    for unit in units:
        row = rows.get(unit.pk)
        if row is None or row.state not in REMINDABLE_STATES:
            skipped.append(unit)
            continue
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(period=period, unit=unit, day=today, sent_by=actor)
        except IntegrityError:
            skipped.append(unit)  # already reminded today
            continue
        if row.state == "returned":
            body = f"{unit}: {period} đã bị trả lại để chỉnh sửa. Đề nghị hoàn thiện và gửi lại."
        elif row.days_late:
            body = f"{unit}: {period} đã quá hạn {row.days_late} ngày (hạn {deadline}) mà chưa gửi. Đề nghị gửi ngay."
        else:
            body = f"{unit}: hạn gửi {period} là ngày {deadline}. Đề nghị hoàn thành và gửi báo cáo."
        people = notices.recipients_for(unit)
        notify(people, "reporting.reminder", f"Nhắc gửi báo cáo: {period}", body, url)
        reminder.recipients = len(people)
        reminder.save(update_fields=["recipients"])
        audit.record(actor=actor, action="create", instance=reminder, changes={"recipients": len(people)})
        reminded.append(unit)
    return reminded, skipped
