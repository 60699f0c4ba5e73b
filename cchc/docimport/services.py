"""From a document to a reviewed plan: read, propose, correct, commit. Nothing reaches the plans
before the commit, and the commit writes through the plan services in one transaction."""

import re
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cchc.core import audit, uploads
from cchc.core.exceptions import check_version
from cchc.core.params import decimal_or_none, index_path, int_or_none
from cchc.core.text import fold_key, nfc
from cchc.docimport.extract import Extracted, ExtractError
from cchc.docimport.models import ImportDraft
from cchc.docimport.parse import parse_plan_text
from cchc.org.models import Unit
from cchc.org.naming import is_group_text
from cchc.org.permissions import scope_for
from cchc.org.selectors import UnitMatcher
from cchc.plans import services as plan_services
from cchc.plans.models import Area, Plan, Target
from cchc.plans.services import DuplicatePlanError  # noqa: F401  (raised by draft_commit; callers catch it from here)

TARGET_FIELDS = ("area", "text", "metric", "comparator", "threshold", "unit", "deadline_year")
TASK_FIELDS = ("area", "number", "content", "lead", "partners", "product", "time_text")
META_FIELDS = ("number", "date", "title", "kind", "year_start", "year_end", "replaces")


def propose(
    *, data: bytes, filename: str, issuer: Unit | None = None, matcher: UnitMatcher | None = None
) -> dict:
    """The proposed plan as JSON: what `import_plan --json` prints and what a draft stores.

    The file is measured first (size, zip directory of a .docx, page count and structure of a PDF:
    ``cchc.core.uploads``), then read in a child process with a time and memory limit, so a
    document bomb costs the web process nothing."""
    extracted = extract_bounded(data, filename)
    draft = parse_plan_text(extracted.text)
    if not draft.targets and not draft.tasks and not draft.looks_like_plan:
        # a plan whose parts could not be read is still proposed, with its "phần không đọc được";
        # only a file that is not a plan at all is refused
        raise ValidationError(
            "Không nhận ra chỉ tiêu hay nhiệm vụ nào trong tệp. Hãy kiểm tra tệp có phải là kế hoạch cải cách "
            "hành chính (có phần mục tiêu, nhiệm vụ hoặc phụ lục danh mục nhiệm vụ) không."
        )
    proposal = draft.to_json()
    proposal["source_kind"] = extracted.source_kind
    proposal["pages"] = extracted.pages
    matcher = matcher or UnitMatcher()
    organisation = (issuer.organisation or issuer) if issuer else None
    for target in proposal["targets"]:
        target["include"] = True
    for task in _walk(proposal["tasks"]):
        task["include"] = True
        _match_units(task, matcher, organisation)
    return proposal


def check_document(data: bytes, filename: str) -> None:
    """The instant checks of a document (size, PDF structure, zip directory, page count): the upload
    page runs them before it queues the reading, so a bomb is refused on the page itself."""
    uploads.check_size(len(data), name=filename)
    if b"%PDF" in data[:1024]:
        uploads.check_pdf_structure(data, name=filename)  # instant, before pdfium counts pages
    uploads.check_upload(data, name=filename)


def extract_bounded(data: bytes, filename: str) -> Extracted:
    """``extract_text`` behind the upload limits, in a bounded child process. A later task queue
    can run this same call: it takes bytes and returns a picklable ``Extracted``."""
    check_document(data, filename)
    try:
        return uploads.run_bounded("cchc.docimport.extract:extract_text", data, filename)
    except ExtractError as exc:
        raise ValidationError(str(exc)) from exc


def _walk(tasks: list[dict]):
    for task in tasks:
        yield task
        yield from _walk(task.get("children") or [])


def _match_units(task: dict, matcher: UnitMatcher, organisation: Unit | None) -> None:
    matched, unmatched = [], []
    for name in task.get("lead") or []:
        if is_group_text(name):
            continue
        found = matcher.match(name, organisation=organisation)
        if found.unit:
            matched.append({"name": name, "unit_id": found.unit.pk, "unit": found.unit.name})
        else:
            unmatched.append(name)
    task["lead_units"], task["unmatched_leads"] = matched, unmatched


def _require(actor, issuer: Unit) -> None:
    if actor is not None and not scope_for(actor).can_edit_plan_of(issuer):
        raise PermissionDenied("Bạn không có quyền lập kế hoạch cho đơn vị này.")


def draft_create(
    *, actor, data: bytes, filename: str, issuer: Unit, parent: Plan | None = None
) -> ImportDraft:
    _require(actor, issuer)
    # Reading the document may take a while (OCR): no transaction is held open meanwhile.
    proposal = propose(data=data, filename=filename, issuer=issuer)
    return _draft_save(actor=actor, proposal=proposal, filename=filename, issuer=issuer, parent=parent)


@transaction.atomic
def _draft_save(*, actor, proposal: dict, filename: str, issuer: Unit, parent: Plan | None) -> ImportDraft:
    _require(actor, issuer)
    source_lines = proposal.pop("lines", [])
    draft = ImportDraft.objects.create(
        issuer=issuer,
        parent=parent,
        filename=nfc(filename)[:255],
        source_kind=proposal.pop("source_kind"),
        pages=proposal.pop("pages") or 0,
        source_lines=source_lines,
        proposal=proposal,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="import",
        instance=draft,
        changes={
            "file": draft.filename,
            "targets": len(proposal["targets"]),
            "tasks": sum(1 for _ in _walk(proposal["tasks"])),
        },
    )
    return draft


def _lock(actor, draft: ImportDraft) -> ImportDraft:
    draft = ImportDraft.objects.select_for_update().select_related("issuer").get(pk=draft.pk)
    _require(actor, draft.issuer)
    if draft.status != ImportDraft.Status.DRAFT:
        raise ValidationError("Bản nhập này đã được xử lý, không sửa được nữa.")
    return draft


def _number(value: Any, label: str) -> float | None:
    # A threshold becomes Target.threshold (12 digits, 2 decimals): NaN, Infinity and longer are refused.
    number = decimal_or_none(
        str(value if value is not None else "").replace("%", ""),
        label,
        allow_negative=True,
        integer_digits=10,
    )
    return None if number is None else float(number)


def _names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [nfc(v) for v in value if nfc(v)]
    return [nfc(part) for part in re.split(r"[;\n]", value or "") if nfc(part)]


def apply_edits(proposal: dict, edits: dict, *, issuer: Unit, preview: bool = False) -> list[str]:
    """The reviewer's corrections applied to ``proposal`` in place; the errors, in Vietnamese.

    ``preview``: for showing a refused save again with what the user typed (nothing is saved): items
    that are not in the draft are skipped and a number that does not read stays as typed."""
    errors: list[str] = []
    matcher = UnitMatcher()
    organisation = issuer.organisation or issuer
    for key, value in (edits.get("meta") or {}).items():
        if key == "replaces":
            # The issued plan of the same issuer this one will supersede, chosen on the review page.
            proposal[key] = int_or_none(value, low=1)
        elif key in META_FIELDS:
            if key.startswith("year_"):
                proposal[key] = int_or_none(value, low=1900, high=2200)
            else:
                proposal[key] = nfc(value)
    for index, changes in (edits.get("targets") or {}).items():
        targets = proposal.get("targets") or []
        try:
            position = index_path(index, [len(targets)], depth=1)[0]
        except ValidationError as exc:
            errors.extend([] if preview else exc.messages)
            continue
        target = targets[position]
        for key, value in changes.items():
            if key == "include":
                target["include"] = bool(value)
            elif key == "threshold":
                try:
                    target[key] = _number(value, f"Chỉ tiêu {position + 1}, ngưỡng")
                except ValidationError as exc:
                    errors.extend(exc.messages)
                    if preview:
                        target[key] = value
            elif key == "area":
                target[key] = int_or_none(value, low=0, high=6)
            elif key == "deadline_year":
                target[key] = int_or_none(value, low=1900, high=2200)
            elif key in TARGET_FIELDS:
                target[key] = nfc(value)
            target["reviewed"] = True
    for path, changes in (edits.get("tasks") or {}).items():
        try:
            task = _task_at(proposal.get("tasks") or [], path)
        except ValidationError as exc:
            errors.extend([] if preview else exc.messages)
            continue
        for key, value in changes.items():
            if key == "include":
                task["include"] = bool(value)
            elif key in ("lead", "partners"):
                task[key] = _names(value)
            elif key == "area":
                area = int_or_none(value, low=0, high=6)
                task[key] = task.get(key) if area is None else area
            elif key in TASK_FIELDS:
                task[key] = nfc(value)
            task["reviewed"] = True
        _match_units(task, matcher, organisation)
    return errors


@transaction.atomic
def draft_update(*, actor, draft: ImportDraft, expected_version: int, edits: dict) -> ImportDraft:
    """Apply the reviewer's corrections: {"meta": {...}, "targets": {i: {...}}, "tasks": {"3" or "3.1": {...}}}."""
    draft = _lock(actor, draft)
    check_version(
        draft.version, expected_version, "Bản nhập vừa được người khác sửa; hãy tải lại trang rồi sửa tiếp."
    )
    proposal = draft.proposal
    errors = apply_edits(proposal, edits, issuer=draft.issuer)
    if errors:
        raise ValidationError(errors)
    draft.proposal = proposal
    draft.version += 1
    draft.save(update_fields=["proposal", "version", "updated_at"])
    audit.record(
        actor=actor,
        action="update",
        instance=draft,
        changes={
            "targets": sorted(map(str, (edits.get("targets") or {}))),
            "tasks": sorted(edits.get("tasks") or {}),
        },
    )
    return draft


def _task_at(tasks: list[dict], path: str) -> dict:
    # The indices come from the posted form: anything that is not an item of this draft is refused.
    task: dict = {"children": tasks}
    for index in index_path(path):
        children = task.get("children") or []
        if index >= len(children):
            raise ValidationError(f"Mục «{str(path)[:20]}» không có trong bản nhập.")
        task = children[index]
    return task


def _parent_target(target: dict, candidates: list[Target]) -> Target | None:
    """The parent plan's target this one concretises: same unit, most shared words (at least 40%)."""
    words = set(fold_key(target.get("metric") or target["text"]).split()) | set(
        fold_key(target["text"]).split()
    )
    best, best_score = None, 0.4
    for candidate in candidates:
        if (candidate.unit_of_measure or "") != (target.get("unit") or ""):
            continue
        theirs = set(fold_key(candidate.text).split()) | set(fold_key(candidate.metric).split())
        score = len(words & theirs) / max(1, len(words | theirs))
        if score > best_score:
            best, best_score = candidate, score
    return best


@transaction.atomic
def draft_commit(
    *,
    actor,
    draft: ImportDraft,
    replaces_id: int | None = None,
    allow_duplicate_number: bool = False,
) -> Plan:
    """Create the draft plan, its targets and tasks from the reviewed draft, all or nothing.

    If the issuer already has a plan with this number, `plan_create` raises `DuplicatePlanError`
    and the reviewer chooses: replace that (issued) plan, or confirm this one is distinct."""
    draft = _lock(actor, draft)
    replaces = None
    replaces_id = replaces_id or draft.proposal.get("replaces")
    if replaces_id is not None:
        replaces = Plan.objects.filter(pk=replaces_id, issuer=draft.issuer).first()
        if replaces is None:
            raise ValidationError("Không tìm thấy kế hoạch cần thay thế của đơn vị ban hành này.")
    proposal = draft.proposal
    year_start = proposal.get("year_start") or (
        draft.parent.year_start if draft.parent else date.today().year
    )
    year_end = proposal.get("year_end") or (draft.parent.year_end if draft.parent else year_start)
    try:
        issued_on = date.fromisoformat(proposal["date"]) if proposal.get("date") else None
    except ValueError as exc:
        raise ValidationError(
            f"Ngày ban hành «{proposal.get('date')}» không hợp lệ (dạng YYYY-MM-DD)."
        ) from exc
    plan = plan_services.plan_create(
        actor=actor,
        issuer=draft.issuer,
        parent=draft.parent,
        number=proposal.get("number") or "",
        title=proposal.get("title") or f"Kế hoạch cải cách hành chính của {draft.issuer}",
        issued_on=issued_on,
        kind=proposal.get("kind") or Plan.Kind.PERIOD,
        year_start=year_start,
        year_end=year_end,
        status=Plan.Status.DRAFT,
        replaces=replaces,
        allow_duplicate_number=allow_duplicate_number,
    )
    candidates = list(draft.parent.targets.all()) if draft.parent else []
    errors: list[str] = []
    for position, target in enumerate((t for t in proposal["targets"] if t.get("include")), start=1):
        try:
            plan_services.target_create(
                actor=actor,
                plan=plan,
                area=target.get("area") or 0,
                text=target["text"],
                metric=target.get("metric") or "",
                comparator=target.get("comparator") or "gte",
                threshold=target.get("threshold"),
                unit_of_measure=target.get("unit") or "",
                deadline_year=target.get("deadline_year"),
                position=position,
                parent_target=_parent_target(target, candidates),
            )
        except ValidationError as exc:
            errors.append(f"Chỉ tiêu «{target['text'][:60]}»: {' '.join(exc.messages)}")
    matcher = UnitMatcher()
    position = 0
    for task in (t for t in proposal["tasks"] if t.get("include")):
        position += 10
        parent_task = _create_task(actor, plan, task, position, None, matcher, errors)
        for offset, child in enumerate((c for c in task.get("children") or [] if c.get("include")), start=1):
            _create_task(
                actor, plan, child, position + offset, parent_task, matcher, errors, area=task.get("area")
            )
    if errors:
        raise ValidationError(errors)
    draft.status, draft.plan = ImportDraft.Status.COMMITTED, plan
    draft.save(update_fields=["status", "plan", "updated_at"])
    audit.record(
        actor=actor,
        action="status",
        instance=draft,
        changes={"status": ["draft", "committed"], "plan": str(plan)},
    )
    return plan


def _create_task(actor, plan, task, position, parent, matcher, errors, area=None):
    try:
        return plan_services.task_create(
            actor=actor,
            plan=plan,
            area=task.get("area", area) if task.get("area") is not None else (area or 0),
            content=task["content"],
            number=task.get("number") or ("-" if parent else ""),
            lead=task.get("lead") or [],
            partners=task.get("partners") or [],
            product=task.get("product") or "",
            time_text=task.get("time_text") or "",
            position=position,
            parent=parent,
            matcher=matcher,
        )
    except ValidationError as exc:
        errors.append(f"Nhiệm vụ «{task.get('content', '')[:60]}»: {' '.join(exc.messages)}")
        return None


@transaction.atomic
def draft_discard(*, actor, draft: ImportDraft) -> ImportDraft:
    draft = _lock(actor, draft)
    draft.status = ImportDraft.Status.DISCARDED
    draft.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="status", instance=draft, changes={"status": ["draft", "discarded"]})
    return draft


AREA_LABELS = dict(Area.choices)
