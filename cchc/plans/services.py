"""Writes to plans, targets, tasks and evidence. Pages, imports, the API and commands all call these."""

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cchc.core import audit, uploads
from cchc.core.exceptions import ConflictError
from cchc.core.text import fold, nfc
from cchc.core.timetext import parse_time_text
from cchc.org.models import Unit
from cchc.org.permissions import scope_for
from cchc.org.selectors import UnitMatcher
from cchc.plans.models import Area, Plan, Target, Task, TaskEvidence
from cchc.plans.permissions import can_edit_plan, can_edit_task
from cchc.plans.selectors import plan_duplicates

PLAN_FIELDS = (
    "issuer",
    "number",
    "issued_on",
    "title",
    "kind",
    "year_start",
    "year_end",
    "parent",
    "status",
    "signer",
    "signer_title",
    "replaces",
)
TARGET_FIELDS = (
    "area",
    "position",
    "key",
    "text",
    "metric",
    "comparator",
    "threshold",
    "unit_of_measure",
    "deadline_year",
    "parent_target",
)
TASK_STRUCTURE_FIELDS = (
    "area",
    "position",
    "number",
    "content",
    "lead_text",
    "partner_text",
    "product",
    "time_text",
    "start_date",
    "end_date",
    "time_kind",
    "parent",
)
TASK_PROGRESS_FIELDS = ("status", "progress", "result", "completed_on", "responsible")


# Scope ------------------------------------------------------------------------------------------


def _require_plan_edit(actor, plan: Plan) -> None:
    if actor is not None and not can_edit_plan(scope_for(actor), plan):
        raise PermissionDenied("Bạn không có quyền sửa kế hoạch này.")


def _require_issuer(actor, issuer: Unit) -> None:
    if actor is not None and not scope_for(actor).can_edit_plan_of(issuer):
        raise PermissionDenied("Bạn không có quyền lập kế hoạch cho đơn vị này.")


def _check_version(instance, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != instance.version:
        raise ConflictError()


def _locked(model, pk):
    return model.objects.select_for_update().get(pk=pk)


def _save_changed(instance, *, actor, changes: dict, action: str = "update"):
    """Save a versioned object only if something changed: bump its version, write the audit row."""
    if changes:
        instance.version = F("version") + 1
        instance.save()
        instance.refresh_from_db()
        audit.record(actor=actor, action=action, instance=instance, changes=changes)
    return instance


# Plans ------------------------------------------------------------------------------------------


def _validate_plan(plan: Plan) -> None:
    plan.number = nfc(plan.number)
    plan.title = nfc(plan.title)
    plan.signer = nfc(plan.signer)
    plan.signer_title = nfc(plan.signer_title)
    plan.full_clean(exclude=["version"])
    if plan.year_end < plan.year_start:
        raise ValidationError({"year_end": "Năm kết thúc phải sau năm bắt đầu."})
    if plan.parent_id and plan.parent_id == plan.pk:
        raise ValidationError({"parent": "Kế hoạch không thể là cấp trên của chính nó."})
    if (
        plan.parent_id
        and not plan.issuer.is_within(plan.parent.issuer)
        and plan.parent.issuer_id != plan.issuer_id
    ):
        raise ValidationError({"parent": "Kế hoạch cấp trên phải do đơn vị cấp trên ban hành."})


class DuplicatePlanError(ValidationError):
    """Another live plan of the issuer has this number. The caller shows it and asks: replace that
    plan, or confirm this one is distinct. Nothing was written."""

    def __init__(self, existing: Sequence[Plan], number: str):
        self.existing = list(existing)
        names = "; ".join(f"«{p}» ({p.get_status_display().lower()})" for p in self.existing)
        super().__init__(
            f"{self.existing[0].issuer} đã có kế hoạch số {number}: {names}. Hãy chọn thay thế kế hoạch "
            "đó, hoặc xác nhận đây là một kế hoạch khác."
        )


def _check_duplicate(plan: Plan, *, allow_duplicate_number: bool) -> None:
    if allow_duplicate_number:
        return
    existing = list(
        plan_duplicates(issuer=plan.issuer, number=plan.number, exclude=(plan.pk, plan.replaces_id))
    )
    if existing:
        raise DuplicatePlanError(existing, plan.number)


def _check_replaces(plan: Plan) -> None:
    old = plan.replaces
    if old is None:
        return
    if old.issuer_id != plan.issuer_id:
        raise ValidationError({"replaces": "Chỉ thay thế được kế hoạch của cùng cơ quan ban hành."})
    if old.status != Plan.Status.ISSUED:
        raise ValidationError(
            {"replaces": f"«{old}» chưa ban hành hoặc đã được thay thế, không thay thế được."}
        )
    if plan.status != Plan.Status.DRAFT:
        raise ValidationError({"replaces": "Kế hoạch thay thế phải được lập ở dạng dự thảo rồi ban hành."})
    other = Plan.objects.filter(replaces=old, status=Plan.Status.DRAFT).exclude(pk=plan.pk).first()
    if other is not None:
        raise ValidationError({"replaces": f"Đã có dự thảo «{other}» thay thế kế hoạch này."})


@transaction.atomic
def plan_create(
    *,
    actor,
    issuer: Unit,
    title: str,
    year_start: int,
    year_end: int,
    replaces: Plan | None = None,
    allow_duplicate_number: bool = False,
    **fields,
) -> Plan:
    """A new plan. A number the issuer already uses raises `DuplicatePlanError` unless the caller
    says which: `replaces` (an issued plan this draft will supersede) or `allow_duplicate_number`."""
    _require_issuer(actor, issuer)
    plan = Plan(
        issuer=issuer, title=title, year_start=year_start, year_end=year_end, replaces=replaces, **fields
    )
    _validate_plan(plan)
    _check_replaces(plan)
    _check_duplicate(plan, allow_duplicate_number=allow_duplicate_number)
    plan.save()
    changes = audit.snapshot(plan, PLAN_FIELDS)
    if allow_duplicate_number and plan_duplicates(issuer=issuer, number=plan.number, exclude=(plan.pk,)):
        changes["duplicate_number_confirmed"] = True
    audit.record(actor=actor, action="create", instance=plan, changes=changes)
    return plan


@transaction.atomic
def plan_update(*, actor, plan: Plan, expected_version: int | None = None, **fields) -> Plan:
    _require_plan_edit(actor, plan)
    plan = _locked(Plan, plan.pk)
    _check_version(plan, expected_version)
    before = audit.snapshot(plan, PLAN_FIELDS)
    if (
        Plan.Status.SUPERSEDED in (plan.status, fields.get("status"))
        and fields.get("status", plan.status) != plan.status
    ):
        raise ValidationError("Một kế hoạch chỉ được thay thế khi ban hành kế hoạch thay thế nó.")
    for name, value in fields.items():
        setattr(plan, name, value)
    _validate_plan(plan)
    return _save_changed(plan, actor=actor, changes=audit.diff(before, audit.snapshot(plan, PLAN_FIELDS)))


@transaction.atomic
def plan_issue(
    *,
    actor,
    plan: Plan,
    expected_version: int | None,
    number: str | None = None,
    issued_on: date | None = None,
    allow_duplicate_number: bool = False,
) -> Plan:
    """Draft → issued. The plan gets its number and date as signed; if it replaces an issued plan, that
    plan becomes superseded in the same transaction (and stops feeding new reports)."""
    _require_plan_edit(actor, plan)
    plan = Plan.objects.select_for_update(of=("self",)).select_related("issuer", "replaces").get(pk=plan.pk)
    _check_version(plan, expected_version)
    if plan.status != Plan.Status.DRAFT:
        raise ValidationError("Chỉ ban hành được kế hoạch đang ở dạng dự thảo.")
    before = audit.snapshot(plan, PLAN_FIELDS)
    if number is not None:
        plan.number = " ".join(nfc(number).split())
    if issued_on is not None:
        plan.issued_on = issued_on
    errors = {}
    if not plan.number:
        errors["number"] = "Kế hoạch ban hành phải có số, ký hiệu."
    if not plan.issued_on:
        errors["issued_on"] = "Kế hoạch ban hành phải có ngày ban hành."
    if not plan.tasks.exists() and not plan.targets.exists():
        errors["__all__"] = "Kế hoạch chưa có chỉ tiêu hay nhiệm vụ nào, chưa ban hành được."
    if errors:
        raise ValidationError(errors)
    _validate_plan(plan)
    _check_replaces(plan)
    _check_duplicate(plan, allow_duplicate_number=allow_duplicate_number)
    old = plan.replaces
    plan.status = Plan.Status.ISSUED
    _save_changed(
        plan, actor=actor, changes=audit.diff(before, audit.snapshot(plan, PLAN_FIELDS)), action="status"
    )
    if old is not None:
        old = _locked(Plan, old.pk)
        old.status = Plan.Status.SUPERSEDED
        _save_changed(
            old,
            actor=actor,
            changes={"status": [Plan.Status.ISSUED, Plan.Status.SUPERSEDED], "replaced_by": str(plan)},
            action="status",
        )
    return plan


@transaction.atomic
def plan_delete(*, actor, plan: Plan, expected_version: int | None) -> None:
    """Delete a draft with its targets, tasks and evidence. Issued plans are replaced, never deleted."""
    _require_plan_edit(actor, plan)
    plan = _locked(Plan, plan.pk)
    _check_version(plan, expected_version)
    if plan.status != Plan.Status.DRAFT:
        raise ValidationError(
            "Chỉ xóa được kế hoạch dự thảo. Kế hoạch đã ban hành thì lập kế hoạch thay thế."
        )
    children = list(plan.children.all()[:3])
    if children:
        raise ValidationError(
            "Kế hoạch đang được cụ thể hóa bởi "
            + "; ".join(f"«{c}» của {c.issuer}" for c in children)
            + ", chưa xóa được."
        )
    stored = list(TaskEvidence.objects.filter(task__plan=plan).values_list("file", flat=True))
    audit.record(
        actor=actor,
        action="delete",
        instance=plan,
        changes={
            **audit.snapshot(plan, PLAN_FIELDS),
            "targets": plan.targets.count(),
            "tasks": plan.tasks.count(),
            "evidence": len(stored),
        },
    )
    storage = TaskEvidence._meta.get_field("file").storage
    plan.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in stored])


# Targets ----------------------------------------------------------------------------------------


def _validate_target(target: Target) -> None:
    target.text = nfc(target.text)
    target.metric = nfc(target.metric)
    target.unit_of_measure = nfc(target.unit_of_measure)
    if target.comparator == Target.Comparator.TEXT:
        target.threshold = None
    elif target.threshold is None:
        raise ValidationError({"threshold": "Chỉ tiêu định lượng cần có ngưỡng."})
    if target.unit_of_measure == "%" and target.threshold is not None and not (0 <= target.threshold <= 100):
        raise ValidationError({"threshold": "Tỷ lệ phần trăm phải từ 0 đến 100."})
    if target.parent_target_id and target.parent_target.plan_id == target.plan_id:
        raise ValidationError({"parent_target": "Chỉ tiêu cấp trên phải thuộc kế hoạch cấp trên."})
    target.full_clean(exclude=["version", "plan"])


@transaction.atomic
def target_create(*, actor, plan: Plan, area: int, text: str, **fields) -> Target:
    _require_plan_edit(actor, plan)
    if "position" not in fields:
        fields["position"] = plan.targets.filter(area=area).count() + 1
    if fields.get("threshold") is not None:
        fields["threshold"] = Decimal(str(fields["threshold"]))
    target = Target(plan=plan, area=area, text=text, **fields)
    _validate_target(target)
    target.save()
    audit.record(actor=actor, action="create", instance=target, changes=audit.snapshot(target, TARGET_FIELDS))
    return target


@transaction.atomic
def target_update(*, actor, target: Target, expected_version: int | None = None, **fields) -> Target:
    _require_plan_edit(actor, target.plan)
    target = Target.objects.select_for_update().select_related("plan").get(pk=target.pk)
    _check_version(target, expected_version)
    before = audit.snapshot(target, TARGET_FIELDS)
    if fields.get("threshold") is not None:
        fields["threshold"] = Decimal(str(fields["threshold"]))
    for name, value in fields.items():
        setattr(target, name, value)
    _validate_target(target)
    return _save_changed(
        target, actor=actor, changes=audit.diff(before, audit.snapshot(target, TARGET_FIELDS))
    )


@transaction.atomic
def target_delete(*, actor, target: Target) -> None:
    _require_plan_edit(actor, target.plan)
    audit.record(actor=actor, action="delete", instance=target, changes=audit.snapshot(target, TARGET_FIELDS))
    target.delete()


# Tasks ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedUnits:
    units: list[Unit]
    text: str
    unmatched: list[str]


def resolve_unit_names(
    names: Iterable[str], *, organisation: Unit | None, matcher: UnitMatcher | None = None
) -> ResolvedUnits:
    """Match names as written to units; names of groups ("Các cơ quan, đơn vị") and unknown names
    stay as text. A piece with commas that does not match as a whole is tried part by part."""
    matcher = matcher or UnitMatcher()
    units: list[Unit] = []
    unmatched: list[str] = []
    written = [nfc(n) for n in names if nfc(n)]
    for name in written:
        found = matcher.match(name, organisation=organisation)
        if found.unit:
            units.append(found.unit)
            continue
        parts = [p.strip() for p in name.split(",") if p.strip()]
        part_matches = [matcher.match(p, organisation=organisation) for p in parts] if len(parts) > 1 else []
        if part_matches and all(m.unit for m in part_matches):
            units.extend(m.unit for m in part_matches)
        elif not matcher.is_group(name):
            unmatched.append(name)
    unique = list({u.pk: u for u in units}.values())
    return ResolvedUnits(unique, "; ".join(written), unmatched)


def _split_names(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in value.replace("\n", ";").split(";") if p.strip()]
    return [nfc(v) for v in value if nfc(v)]


def _check_responsible(task: Task, person) -> None:
    organisation = task.plan.issuer.organisation or task.plan.issuer
    if not person.memberships.filter(is_active=True, unit__path__startswith=organisation.path).exists():
        raise ValidationError(
            {"responsible": f"{person} không thuộc {organisation}, không giao phụ trách được."}
        )


def _search_text(task: Task) -> str:
    return fold(
        " ".join([task.number, task.content, task.lead_text, task.partner_text, task.product, task.time_text])
    )


def _apply_time(task: Task, plan: Plan) -> None:
    window = parse_time_text(task.time_text, plan_start_year=plan.year_start, plan_end_year=plan.year_end)
    task.time_kind = window.kind
    task.start_date = window.start
    task.end_date = window.end


def _validate_task(task: Task) -> None:
    task.content = nfc(task.content)
    task.number = nfc(task.number)
    task.product = nfc(task.product)
    task.time_text = nfc(task.time_text)
    if not task.content:
        raise ValidationError({"content": "Nội dung công việc không được để trống."})
    if task.area not in Area.values:
        raise ValidationError({"area": "Lĩnh vực không hợp lệ."})
    if task.parent_id and task.parent.plan_id != task.plan_id:
        raise ValidationError({"parent": "Nhiệm vụ cha phải thuộc cùng kế hoạch."})
    _validate_progress(task)
    task.full_clean(exclude=["version", "plan", "parent", "source_task", "responsible", "search_text"])


def check_task_progress(status: str, progress: int | str | None) -> int:
    """The one rule tying a task's status to its progress, applied alike by the task form, the plan's
    Excel import and the entries of a unit report: "Chưa thực hiện" is 0%, "Hoàn thành" (on time or
    late) is 100%, anything else 0–100%. A contradiction is refused, not silently corrected, because
    either half may be the typo. No progress given means the one the status implies."""
    if status not in Task.Status.values:
        raise ValidationError({"status": f"Trạng thái «{status}» không hợp lệ."})
    label = Task.Status.DONE.label if status in Task.FINISHED else Task.Status(status).label
    if progress is None or str(progress).strip() == "":
        return 100 if status in Task.FINISHED else 0
    try:
        value = int(str(progress).strip().rstrip("%").strip())
    except ValueError:
        raise ValidationError({"progress": f"Tiến độ «{progress}» không phải là số."}) from None
    if not 0 <= value <= 100:
        raise ValidationError({"progress": f"Tiến độ phải từ 0 đến 100% (đang ghi {value}%)."})
    if status == Task.Status.NOT_STARTED and value:
        raise ValidationError({"progress": f"Nhiệm vụ «{label}» thì tiến độ phải là 0% (đang ghi {value}%)."})
    if status in Task.FINISHED and value != 100:
        raise ValidationError(
            {"progress": f"Nhiệm vụ «{label}» thì tiến độ phải là 100% (đang ghi {value}%)."}
        )
    return value


def _validate_progress(task: Task) -> None:
    task.progress = check_task_progress(task.status, task.progress)
    if task.status not in Task.FINISHED:
        task.completed_on = None


@transaction.atomic
def task_create(
    *,
    actor,
    plan: Plan,
    area: int,
    content: str,
    lead: str | Sequence[str] | None = None,
    partners: str | Sequence[str] | None = None,
    matcher: UnitMatcher | None = None,
    **fields,
) -> Task:
    _require_plan_edit(actor, plan)
    organisation = plan.issuer.organisation or plan.issuer
    leads = resolve_unit_names(_split_names(lead), organisation=organisation, matcher=matcher)
    partner_units = resolve_unit_names(_split_names(partners), organisation=organisation, matcher=matcher)
    if "position" not in fields:
        fields["position"] = (plan.tasks.filter(area=area).count() + 1) * 10
    task = Task(
        plan=plan, area=area, content=content, lead_text=leads.text, partner_text=partner_units.text, **fields
    )
    _apply_time(task, plan)
    _validate_task(task)
    task.search_text = _search_text(task)
    task.save()
    task.lead_units.set(leads.units)
    task.partner_units.set(partner_units.units)
    audit.record(
        actor=actor,
        action="create",
        instance=task,
        changes={
            **audit.snapshot(task, TASK_STRUCTURE_FIELDS + TASK_PROGRESS_FIELDS),
            "lead_units": [str(u) for u in leads.units],
        },
    )
    return task


@transaction.atomic
def task_update(
    *,
    actor,
    task: Task,
    expected_version: int | None = None,
    lead: str | Sequence[str] | None = None,
    partners: str | Sequence[str] | None = None,
    matcher: UnitMatcher | None = None,
    **fields,
) -> Task:
    """Change a task's structure (content, units, time) and/or progress. Structure needs plan rights."""
    task = Task.objects.select_for_update().select_related("plan", "plan__issuer").get(pk=task.pk)
    scope = scope_for(actor) if actor is not None else None
    structural = lead is not None or partners is not None or any(f in TASK_STRUCTURE_FIELDS for f in fields)
    if scope is not None:
        if structural and not can_edit_plan(scope, task.plan):
            raise PermissionDenied("Bạn không có quyền sửa nội dung nhiệm vụ này.")
        if not structural and not can_edit_task(scope, task):
            raise PermissionDenied("Bạn không có quyền cập nhật nhiệm vụ này.")
    _check_version(task, expected_version)
    before = audit.snapshot(task, TASK_STRUCTURE_FIELDS + TASK_PROGRESS_FIELDS)
    before_leads = sorted(str(u) for u in task.lead_units.all())
    if fields.get("status") in Task.FINISHED and "progress" not in fields:
        fields["progress"] = 100  # finishing without saying the progress: the status says it
    for name, value in fields.items():
        setattr(task, name, value)
    organisation = task.plan.issuer.organisation or task.plan.issuer
    leads = partner_units = None
    if lead is not None:
        leads = resolve_unit_names(_split_names(lead), organisation=organisation, matcher=matcher)
        task.lead_text = leads.text
    if partners is not None:
        partner_units = resolve_unit_names(_split_names(partners), organisation=organisation, matcher=matcher)
        task.partner_text = partner_units.text
    if "time_text" in fields:
        _apply_time(task, task.plan)
    if fields.get("responsible") is not None:
        _check_responsible(task, fields["responsible"])
    if task.status in Task.FINISHED and not task.completed_on:
        task.completed_on = timezone.localdate()
    if (
        task.status == Task.Status.DONE
        and task.end_date
        and task.completed_on
        and task.completed_on > task.end_date
    ):
        task.status = Task.Status.DONE_LATE
    _validate_task(task)
    task.search_text = _search_text(task)
    changes = audit.diff(before, audit.snapshot(task, TASK_STRUCTURE_FIELDS + TASK_PROGRESS_FIELDS))
    if leads is not None:
        task.lead_units.set(leads.units)
        after_leads = sorted(str(u) for u in leads.units)
        if after_leads != before_leads:
            changes["lead_units"] = [before_leads, after_leads]
    if partner_units is not None:
        task.partner_units.set(partner_units.units)
    action = "status" if set(changes) <= {"status", "progress", "completed_on"} else "update"
    return _save_changed(task, actor=actor, changes=changes, action=action)


@transaction.atomic
def task_delete(*, actor, task: Task) -> None:
    _require_plan_edit(actor, task.plan)
    audit.record(
        actor=actor, action="delete", instance=task, changes=audit.snapshot(task, TASK_STRUCTURE_FIELDS)
    )
    task.delete()


# Evidence ---------------------------------------------------------------------------------------


def validate_evidence_file(upload: UploadedFile) -> str:
    """Extension on the allow-list, size within the limit, and content that really is of that type
    from its first byte to its last (``cchc.core.uploads.check_evidence_content``): a PDF with a
    program in front or an image with a web page behind is refused, as is a zip bomb."""
    name = os.path.basename(upload.name or "")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = [e.lower() for e in settings.EVIDENCE_EXTENSIONS]
    if extension not in allowed:
        raise ValidationError(
            f"Không nhận tệp «{name}»: chỉ nhận các định dạng {', '.join('.' + e for e in allowed)}."
        )
    data = uploads.read_upload(upload, max_bytes=settings.EVIDENCE_MAX_BYTES)
    upload.seek(0)
    uploads.check_evidence_content(data, name=name, extension=extension)
    return name


def evidence_attach(
    *, actor, task: Task, upload: UploadedFile, kind: str = "document", note: str = ""
) -> TaskEvidence:
    if actor is not None and not can_edit_task(scope_for(actor), task):
        raise PermissionDenied("Bạn không có quyền cập nhật nhiệm vụ này.")
    if kind not in TaskEvidence.Kind.values:
        raise ValidationError("Loại tài liệu không hợp lệ.")
    # The content check may take a moment (a PDF is parsed in a child process): outside the
    # transaction, so no database lock waits on it.
    name = validate_evidence_file(upload)
    return _evidence_save(actor=actor, task=task, upload=upload, kind=kind, note=note, name=name)


@transaction.atomic
def _evidence_save(
    *, actor, task: Task, upload: UploadedFile, kind: str, note: str, name: str
) -> TaskEvidence:
    if actor is not None and not can_edit_task(scope_for(actor), task):
        raise PermissionDenied("Bạn không có quyền cập nhật nhiệm vụ này.")
    evidence = TaskEvidence(
        task=task, kind=kind, original_name=name, size=upload.size, note=nfc(note), uploaded_by=actor
    )
    evidence.file.save(name, upload, save=False)
    evidence.save()
    audit.record(
        actor=actor,
        action="attach",
        instance=task,
        changes={"evidence": [None, f"{name} ({evidence.get_kind_display()})"]},
    )
    return evidence


@transaction.atomic
def evidence_remove(*, actor, evidence: TaskEvidence) -> None:
    task = evidence.task
    if actor is not None and not can_edit_task(scope_for(actor), task):
        raise PermissionDenied("Bạn không có quyền cập nhật nhiệm vụ này.")
    audit.record(
        actor=actor, action="detach", instance=task, changes={"evidence": [evidence.original_name, None]}
    )
    stored = evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: evidence.file.storage.delete(stored))


# Cascade ----------------------------------------------------------------------------------------


@transaction.atomic
def plan_concretise(
    *,
    actor,
    parent: Plan,
    issuer: Unit,
    title: str,
    number: str = "",
    issued_on: date | None = None,
    target_ids: Iterable[int] = (),
    task_ids: Iterable[int] = (),
    year_start: int | None = None,
    year_end: int | None = None,
    replaces: Plan | None = None,
    allow_duplicate_number: bool = False,
) -> Plan:
    """ "Cụ thể hóa": a unit's draft plan made from its parent's, keeping the links for alignment.

    Carried targets keep wording and threshold (the unit adjusts them afterwards); carried tasks are
    led by the new plan's issuer until the unit assigns its own sub-units."""
    if not issuer.is_within(parent.issuer) or issuer.pk == parent.issuer_id:
        raise ValidationError(
            "Đơn vị cụ thể hóa phải là đơn vị cấp dưới của cơ quan ban hành kế hoạch cấp trên."
        )
    if actor is not None and not scope_for(actor).can_read_unit(parent.issuer):
        raise PermissionDenied("Bạn không xem được kế hoạch cấp trên này.")
    if parent.status != Plan.Status.ISSUED:
        raise ValidationError("Chỉ cụ thể hóa được kế hoạch cấp trên đã ban hành và còn hiệu lực.")
    plan = plan_create(
        actor=actor,
        issuer=issuer,
        title=title,
        number=number,
        issued_on=issued_on,
        parent=parent,
        kind=parent.kind,
        year_start=year_start or parent.year_start,
        year_end=year_end or parent.year_end,
        status=Plan.Status.DRAFT,
        replaces=replaces,
        allow_duplicate_number=allow_duplicate_number,
    )
    for target in parent.targets.filter(pk__in=list(target_ids)).order_by("area", "position"):
        target_create(
            actor=actor,
            plan=plan,
            area=target.area,
            text=target.text,
            metric=target.metric,
            comparator=target.comparator,
            threshold=target.threshold,
            unit_of_measure=target.unit_of_measure,
            deadline_year=target.deadline_year,
            parent_target=target,
            key=target.key,
            position=target.position,
        )
    carried = {}
    for task in parent.tasks.filter(pk__in=list(task_ids)).order_by(
        F("parent_id").asc(nulls_first=True), "area", "position"
    ):
        carried[task.pk] = task_create(
            actor=actor,
            plan=plan,
            area=task.area,
            content=task.content,
            number=task.number,
            lead=[issuer.name],
            partners=task.partner_text,
            product=task.product,
            time_text=task.time_text,
            position=task.position,
            source_task=task,
            parent=carried.get(task.parent_id),
        )
    return plan
