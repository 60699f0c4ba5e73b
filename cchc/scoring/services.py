"""Every write of the PAR Index. Each checks scope and stage, validates, writes its audit row and
(for scores) its ledger row in one transaction, and refuses stale versions with ConflictError."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from statistics import median

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cchc.core import audit
from cchc.core.exceptions import ConflictError
from cchc.core.text import nfc
from cchc.dashboard.services import refresh_scorecard_soon
from cchc.org.models import Unit
from cchc.org.permissions import scope_for
from cchc.scoring import methods, sources
from cchc.scoring.methods import fmt
from cchc.scoring.models import (
    Assessment,
    Assignment,
    ConflictDeclaration,
    Council,
    CouncilMember,
    CriteriaSet,
    Criterion,
    HeadClassification,
    ItemEvidence,
    ItemScore,
    MemberScore,
    Method,
    Release,
    ScoreEntry,
    Season,
)
from cchc.scoring.permissions import can_edit_self, can_manage, can_submit, is_conflicted, member_for

Stage = Season.Stage


# Guards -------------------------------------------------------------------------------------------


def _require_manager(actor) -> None:
    if actor is not None and not can_manage(scope_for(actor)):
        raise PermissionDenied(
            "Chỉ Sở Nội vụ (cơ quan thường trực CCHC thành phố) được thực hiện thao tác này."
        )


def _check_version(instance, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != instance.version:
        raise ConflictError()


def _bump(instance) -> None:
    instance.version = F("version") + 1
    instance.save()
    instance.refresh_from_db()


def lock_message(season: Season) -> str:
    when = timezone.localtime(season.locked_at).strftime("%d/%m/%Y") if season.locked_at else ""
    return (
        f"Kết quả {season} đã được chốt ngày {when}: {season.lock_reason}. "
        "Mọi thay đổi bị từ chối; chỉ Sở Nội vụ mở khóa được, kèm lý do."
    )


def _require_stage(season: Season, *stages: str, action: str) -> None:
    if season.stage == Stage.LOCKED and Stage.LOCKED not in stages:
        raise ValidationError(lock_message(season))
    if season.stage not in stages:
        wanted = ", ".join(Stage(s).label.lower() for s in stages)
        raise ValidationError(
            f"Không thể {action}: đợt đang ở giai đoạn «{season.get_stage_display()}», "
            f"thao tác này chỉ làm được ở giai đoạn {wanted}."
        )


# Criteria sets -------------------------------------------------------------------------------------


@dataclass
class CriterionRow:
    """A criterion as imported or edited, before it is written."""

    code: str
    content: str
    max_points: Decimal
    min_points: Decimal = Decimal(0)
    method: str = Method.TOTAL
    bands: list | None = None
    threshold: Decimal | None = None
    rule_text: str = ""
    evidence_asked: str = ""
    applies_to: list | None = None
    source: str = ""


def _parent_code(code: str) -> str:
    return code.rsplit(".", 1)[0] if "." in code else ""


def _is_bonus(code: str, by_code: Mapping[str, CriterionRow], children: Mapping[str, list]) -> bool:
    row = by_code[code]
    if row.method == Method.BONUS:
        return True
    kids = children.get(code, [])
    return bool(kids) and all(_is_bonus(k, by_code, children) for k in kids)


def check_rows(rows: list[CriterionRow], appraised_points: Decimal) -> list[tuple[int, str]]:
    """Every structural problem as (row index, Vietnamese message): codes, parents, methods, totals."""
    problems: list[tuple[int, str]] = []
    by_code: dict[str, CriterionRow] = {}
    index_of: dict[str, int] = {}
    children: dict[str, list[str]] = {}
    for i, row in enumerate(rows):
        if row.code in by_code:
            problems.append((i, f"mã {row.code} bị trùng."))
            continue
        by_code[row.code] = row
        index_of[row.code] = i
        parent = _parent_code(row.code)
        if parent:
            if parent not in by_code:
                problems.append((i, f"mục {row.code} không có mục cha {parent} ở phía trên."))
            else:
                children.setdefault(parent, []).append(row.code)
    for code, row in by_code.items():
        i = index_of[code]
        kids = children.get(code, [])
        if kids and row.method != Method.TOTAL:
            problems.append((i, f"mục {code} có mục con nên phải là «{Method.TOTAL.label}»."))
        if not kids and row.method == Method.TOTAL:
            problems.append((i, f"mục {code} không có mục con nên phải ghi cách chấm điểm."))
        if row.method in (Method.BANDS, Method.RATE_BANDS):
            if not row.bands:
                problems.append((i, f"mục {code}: chưa ghi các mức điểm."))
            elif max(methods.as_decimal(b["points"]) for b in row.bands) != row.max_points:
                problems.append((i, f"mục {code}: mức điểm cao nhất khác điểm tối đa {fmt(row.max_points)}."))
            if row.method == Method.RATE_BANDS and any(b.get("min") is None for b in row.bands or []):
                problems.append((i, f"mục {code}: mỗi mức theo tỷ lệ cần ngưỡng (%)."))
        if row.method == Method.PROPORTIONAL and not row.threshold:
            problems.append((i, f"mục {code}: cách chấm theo tỷ lệ cần ngưỡng đạt điểm tối đa (%)."))
        if row.max_points < 0 or row.min_points > row.max_points:
            problems.append((i, f"mục {code}: điểm tối thiểu lớn hơn điểm tối đa."))
        if kids:
            bonus_parent = _is_bonus(code, by_code, children)
            counted = [k for k in kids if bonus_parent or not _is_bonus(k, by_code, children)]
            total = sum((by_code[k].max_points for k in counted), Decimal(0))
            if total != row.max_points:
                problems.append(
                    (
                        i,
                        f"mục {code} có điểm tối đa {fmt(row.max_points)} nhưng các mục con cộng lại {fmt(total)}.",
                    )
                )
    areas = [c for c in by_code if not _parent_code(c) and not _is_bonus(c, by_code, children)]
    total = sum((by_code[c].max_points for c in areas), Decimal(0))
    if rows and total != appraised_points:
        problems.append(
            (
                -1,
                f"các lĩnh vực cộng lại {fmt(total)} điểm, khác điểm thẩm định tối đa {fmt(appraised_points)}.",
            )
        )
    return problems


def _require_draft(criteria_set: CriteriaSet) -> None:
    if criteria_set.status == CriteriaSet.Status.FROZEN:
        raise ValidationError(
            f"{criteria_set} đã khóa vì đã mở đợt đánh giá; hãy tạo phiên bản mới thay vì sửa bộ đang áp dụng."
        )


@transaction.atomic
def set_create(
    *,
    actor,
    year: int,
    block: str,
    title: str,
    appraised_points,
    survey_points=0,
    rows: list[CriterionRow],
    basis: str = "",
    is_sample: bool = False,
    bands: list | None = None,
    head_levels: list | None = None,
    copied_from: CriteriaSet | None = None,
) -> CriteriaSet:
    """A new edition of the year's set for the block, written only if its totals add up."""
    _require_manager(actor)
    if block not in Unit.Block.values:
        raise ValidationError(f"Khối «{block}» không hợp lệ.")
    appraised = methods.as_decimal(appraised_points)
    problems = check_rows(rows, appraised)
    if problems:
        raise ValidationError([f"Bộ tiêu chí không hợp lệ: {message}" for _, message in problems])
    last = CriteriaSet.objects.filter(year=year, block=block).order_by("-edition").first()
    criteria_set = CriteriaSet.objects.create(
        year=year,
        block=block,
        edition=(last.edition + 1) if last else 1,
        title=nfc(title),
        basis=nfc(basis),
        is_sample=is_sample,
        appraised_points=appraised,
        survey_points=methods.as_decimal(survey_points) or Decimal(0),
        bands=bands if bands is not None else DEFAULT_BANDS,
        head_levels=head_levels if head_levels is not None else DEFAULT_HEAD_LEVELS,
        copied_from=copied_from,
    )
    created: dict[str, Criterion] = {}
    for position, row in enumerate(rows):
        created[row.code] = Criterion.objects.create(
            criteria_set=criteria_set,
            parent=created.get(_parent_code(row.code)),
            position=position,
            code=row.code,
            area_code=row.code.split(".", 1)[0],
            content=nfc(row.content),
            max_points=row.max_points,
            min_points=row.min_points,
            method=row.method,
            bands=row.bands or [],
            threshold=row.threshold,
            rule_text=nfc(row.rule_text),
            evidence_asked=nfc(row.evidence_asked),
            applies_to=row.applies_to or [],
            source=row.source,
        )
    audit.record(
        actor=actor,
        action="create",
        instance=criteria_set,
        changes={"criteria": [None, len(rows)]},
        note="Sao chép từ " + str(copied_from) if copied_from else "",
    )
    return criteria_set


DEFAULT_BANDS = [
    {"label": "Xuất sắc", "min": 93},
    {"label": "Tốt", "min": 85},
    {"label": "Khá", "min": 75},
    {"label": "Trung bình", "min": 0},
]
DEFAULT_HEAD_LEVELS = [
    {"label": "Hoàn thành xuất sắc nhiệm vụ", "min": 93},
    {"label": "Hoàn thành tốt nhiệm vụ", "min": 85},
    {"label": "Hoàn thành nhiệm vụ", "min": 70},
    {"label": "Không hoàn thành nhiệm vụ", "min": 0},
]


def rows_of(criteria_set: CriteriaSet) -> list[CriterionRow]:
    return [
        CriterionRow(
            code=c.code,
            content=c.content,
            max_points=c.max_points,
            min_points=c.min_points,
            method=c.method,
            bands=c.bands,
            threshold=c.threshold,
            rule_text=c.rule_text,
            evidence_asked=c.evidence_asked,
            applies_to=c.applies_to,
            source=c.source,
        )
        for c in criteria_set.criteria.order_by("position")
    ]


def set_copy(*, actor, criteria_set: CriteriaSet, year: int | None = None) -> CriteriaSet:
    """A draft copy for another year (or a new edition of the same year) to edit."""
    return set_create(
        actor=actor,
        year=year or criteria_set.year,
        block=criteria_set.block,
        title=criteria_set.title,
        basis=criteria_set.basis,
        is_sample=criteria_set.is_sample,
        appraised_points=criteria_set.appraised_points,
        survey_points=criteria_set.survey_points,
        rows=rows_of(criteria_set),
        bands=criteria_set.bands,
        head_levels=criteria_set.head_levels,
        copied_from=criteria_set,
    )


CRITERION_EDITABLE = ("content", "rule_text", "evidence_asked", "source", "applies_to")


@transaction.atomic
def criterion_update(*, actor, criterion: Criterion, **fields) -> Criterion:
    """Wording, evidence, applicability and data source of a draft set (points change by import)."""
    _require_manager(actor)
    criteria_set = CriteriaSet.objects.select_for_update().get(pk=criterion.criteria_set_id)
    _require_draft(criteria_set)
    unknown = set(fields) - set(CRITERION_EDITABLE)
    if unknown:
        raise ValidationError(f"Không sửa được trường {', '.join(sorted(unknown))} tại đây.")
    before = audit.snapshot(criterion, fields)
    for name, value in fields.items():
        setattr(criterion, name, nfc(value) if isinstance(value, str) else value)
    criterion.save()
    audit.record(
        actor=actor,
        action="update",
        instance=criterion,
        changes=audit.diff(before, audit.snapshot(criterion, fields)),
    )
    return criterion


# Seasons -----------------------------------------------------------------------------------------


def _applies(criterion: Criterion, unit: Unit) -> bool:
    return not criterion.applies_to or unit.kind in criterion.applies_to


def block_units(block: str):
    return Unit.objects.filter(block=block, is_active=True, kind__in=Unit.REPORTING_KINDS).order_by(
        "sort_order", "name"
    )


@transaction.atomic
def season_open(
    *,
    actor,
    criteria_set: CriteriaSet,
    self_deadline: date,
    appraisal_deadline: date | None = None,
    explanation_deadline: date | None = None,
    units: Iterable[Unit] | None = None,
) -> Season:
    """Open the year's season for the set's block: freeze the set, create every unit's assessment."""
    _require_manager(actor)
    criteria_set = CriteriaSet.objects.select_for_update().get(pk=criteria_set.pk)
    if Season.objects.filter(year=criteria_set.year, block=criteria_set.block).exists():
        raise ValidationError(
            f"Đã có đợt đánh giá năm {criteria_set.year} cho {criteria_set.get_block_display()}."
        )
    problems = check_rows(rows_of(criteria_set), criteria_set.appraised_points)
    if problems:
        raise ValidationError([f"Bộ tiêu chí không hợp lệ: {m}" for _, m in problems])
    criteria_set.status = CriteriaSet.Status.FROZEN
    criteria_set.save()
    season = Season.objects.create(
        year=criteria_set.year,
        block=criteria_set.block,
        criteria_set=criteria_set,
        self_deadline=self_deadline,
        appraisal_deadline=appraisal_deadline,
        explanation_deadline=explanation_deadline,
    )
    Council.objects.create(season=season)
    leaves = [c for c in criteria_set.criteria.all() if c.is_leaf]
    units = list(units) if units is not None else list(block_units(criteria_set.block))
    for unit in units:
        assessment = Assessment.objects.create(season=season, unit=unit)
        ItemScore.objects.bulk_create(
            ItemScore(
                assessment=assessment,
                criterion=c,
                applicable=_applies(c, unit),
                inapplicable_reason=""
                if _applies(c, unit)
                else f"Không áp dụng cho {unit.get_kind_display().lower()}",
            )
            for c in leaves
        )
    audit.record(actor=actor, action="create", instance=season, changes={"units": [None, len(units)]})
    return season


@transaction.atomic
def season_advance(*, actor, season: Season, to_stage: str, expected_version: int | None = None) -> Season:
    """Self-assessment → appraisal → explanation. Locking has its own service (it needs a reason)."""
    _require_manager(actor)
    season = Season.objects.select_for_update().get(pk=season.pk)
    _check_version(season, expected_version)
    order = [Stage.SELF, Stage.APPRAISAL, Stage.EXPLANATION]
    if season.stage == Stage.LOCKED:
        raise ValidationError(lock_message(season))
    if to_stage not in order or order.index(to_stage) != order.index(season.stage) + 1:
        raise ValidationError(f"Không chuyển được từ «{season.get_stage_display()}» sang giai đoạn này.")
    before = season.stage
    season.stage = to_stage
    _bump(season)
    audit.record(actor=actor, action="status", instance=season, changes={"stage": [before, to_stage]})
    return season


def _final_of(item: ItemScore) -> Decimal | None:
    for value in (item.explained_points, item.appraised_points, item.self_points):
        if value is not None:
            return value
    return None


@transaction.atomic
def season_lock(*, actor, season: Season, reason: str, expected_version: int | None = None) -> Season:
    """Close the explanation round: every applicable item of a submitted assessment gets its final
    score (after explanation, else appraised) in the ledger, and nothing changes any more."""
    _require_manager(actor)
    season = Season.objects.select_for_update().get(pk=season.pk)
    _check_version(season, expected_version)
    _require_stage(season, Stage.EXPLANATION, action="chốt kết quả")
    if not (reason or "").strip():
        raise ValidationError("Cần ghi lý do (căn cứ) chốt kết quả.")
    items = list(
        ItemScore.objects.filter(
            assessment__season=season, assessment__status=Assessment.Status.SUBMITTED, applicable=True
        ).select_related("assessment__unit", "criterion")
    )
    missing = [i for i in items if i.appraised_points is None]
    if missing:
        names = "; ".join(f"{i.assessment.unit} — {i.criterion.code}" for i in missing[:5])
        raise ValidationError(f"Còn {len(missing)} tiêu chí chưa có điểm thẩm định của Hội đồng: {names}.")
    for item in items:
        item.final_points = _final_of(item)
    ItemScore.objects.bulk_update(items, ["final_points"], batch_size=2000)
    ScoreEntry.objects.bulk_create(
        (
            ScoreEntry(
                item=i, stage=ScoreEntry.Stage.FINAL, points=i.final_points, actor=actor, reason=nfc(reason)
            )
            for i in items
        ),
        batch_size=2000,
    )
    season.stage = Stage.LOCKED
    season.locked_at = timezone.now()
    season.locked_by = actor if getattr(actor, "is_authenticated", False) else None
    season.lock_reason = nfc(reason.strip())
    _bump(season)
    audit.record(
        actor=actor,
        action="status",
        instance=season,
        changes={"stage": ["explanation", "locked"]},
        note=reason,
    )
    return season


@transaction.atomic
def season_unlock(*, actor, season: Season, reason: str) -> Season:
    """Only Sở Nội vụ lifts a lock, with a reason; the season returns to the explanation round."""
    _require_manager(actor)
    season = Season.objects.select_for_update().get(pk=season.pk)
    if season.stage != Stage.LOCKED:
        raise ValidationError("Đợt đánh giá chưa chốt nên không cần mở khóa.")
    if not (reason or "").strip():
        raise ValidationError("Mở khóa kết quả cần ghi rõ lý do.")
    season.stage = Stage.EXPLANATION
    _bump(season)
    audit.record(
        actor=actor,
        action="status",
        instance=season,
        changes={"stage": ["locked", "explanation"]},
        note=nfc(reason),
    )
    return season


# Self-assessment ----------------------------------------------------------------------------------


def _locked_assessment(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().select_related("season", "unit").get(pk=assessment.pk)


def _require_self_edit(actor, assessment: Assessment) -> None:
    if actor is not None and not can_edit_self(actor, assessment):
        raise PermissionDenied("Bạn không có quyền tự chấm điểm cho đơn vị này.")
    _require_stage(assessment.season, Stage.SELF, action="sửa bản tự đánh giá")
    if assessment.status == Assessment.Status.SUBMITTED:
        raise ValidationError("Bản tự đánh giá đã gửi; lãnh đạo đơn vị rút lại thì mới sửa được.")


@dataclass
class SelfEntry:
    points: object
    explanation: str = ""
    override_reason: str = ""
    version: int | None = None


@transaction.atomic
def assessment_save_self(*, actor, assessment: Assessment, entries: Mapping[int, SelfEntry]) -> int:
    """Save many items of the form at once: every error is collected and named, nothing is saved
    unless all are valid. Returns how many items changed."""
    assessment = _locked_assessment(assessment)
    _require_self_edit(actor, assessment)
    items = {
        i.pk: i
        for i in ItemScore.objects.select_for_update()
        .filter(assessment=assessment, pk__in=list(entries))
        .select_related("criterion")
    }
    errors, changed = [], []
    for pk, entry in entries.items():
        item = items.get(pk)
        if item is None:
            errors.append("Có tiêu chí không thuộc bản tự đánh giá này.")
            continue
        if entry.version is not None and int(entry.version) != item.version:
            raise ConflictError(
                f"Tiêu chí {item.criterion.code} vừa được người khác cập nhật. Thay đổi của bạn chưa được lưu; "
                "hãy tải lại trang rồi nhập lại."
            )
        if entry.points in (None, ""):
            # A draft may hold an explanation before its score; submission asks for both.
            explanation = nfc((entry.explanation or "").strip())
            if (item.self_points, item.explanation) != (None, explanation):
                item.self_points, item.explanation = None, explanation
                changed.append(item)
            continue
        if not item.applicable:
            errors.append(f"Tiêu chí {item.criterion.code} không áp dụng cho đơn vị, không chấm điểm.")
            continue
        try:
            points = methods.validate_points(item.criterion, entry.points)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        reason = nfc((entry.override_reason or "").strip())
        if item.proposed_points is not None and points != item.proposed_points and not reason:
            errors.append(
                f"Tiêu chí {item.criterion.code}: điểm {fmt(points)} khác điểm đề xuất từ dữ liệu "
                f"{fmt(item.proposed_points)}, cần ghi lý do."
            )
            continue
        new = (points, nfc((entry.explanation or "").strip()), reason)
        if new != (item.self_points, item.explanation, item.override_reason):
            item.self_points, item.explanation, item.override_reason = new
            changed.append(item)
    if errors:
        raise ValidationError(errors)
    for item in changed:
        item.version += 1
    ItemScore.objects.bulk_update(changed, ["self_points", "explanation", "override_reason", "version"])
    if changed:
        audit.record(
            actor=actor,
            action="update",
            instance=assessment,
            changes={i.criterion.code: [None, fmt(i.self_points)] for i in changed},
        )
    return len(changed)


@transaction.atomic
def assessment_propose(*, actor, assessment: Assessment) -> int:
    """Scores proposed from cchc's data for the items bound to a source; each goes in the ledger."""
    assessment = _locked_assessment(assessment)
    _require_self_edit(actor, assessment)
    items = list(
        assessment.items.filter(applicable=True).exclude(criterion__source="").select_related("criterion")
    )
    count = 0
    for item in items:
        proposal = sources.propose(assessment.unit, assessment.season.year, item.criterion)
        if proposal is None:
            figures = {"figures": [["Nguồn", "chưa có dữ liệu"]], "links": []}
            points = None
        else:
            figures, points = proposal.as_json(), proposal.points
        if (points, figures) == (item.proposed_points, item.proposed_figures):
            continue
        item.proposed_points, item.proposed_figures = points, figures
        item.version += 1
        item.save(update_fields=["proposed_points", "proposed_figures", "version"])
        if points is not None:
            ScoreEntry.objects.create(
                item=item,
                stage=ScoreEntry.Stage.PROPOSED,
                points=points,
                actor=None,
                reason="; ".join(f"{k}: {v}" for k, v in figures["figures"]),
            )
            count += 1
    audit.record(
        actor=actor, action="update", instance=assessment, note=f"Đề xuất điểm từ dữ liệu: {count} tiêu chí"
    )
    return count


@transaction.atomic
def item_accept_proposal(*, actor, item: ItemScore, expected_version: int | None = None) -> ItemScore:
    if item.proposed_points is None:
        raise ValidationError(f"Tiêu chí {item.criterion.code} chưa có điểm đề xuất từ dữ liệu.")
    assessment_save_self(
        actor=actor,
        assessment=item.assessment,
        entries={item.pk: SelfEntry(item.proposed_points, item.explanation, "", expected_version)},
    )
    item.refresh_from_db()
    return item


def _evidence_labels(item: ItemScore) -> list[str]:
    return [f"{e.label}{' — ' + e.section_page if e.section_page else ''}" for e in item.evidence.all()]


def _require_evidence_edit(actor, item: ItemScore) -> str:
    """Evidence is added while self-assessing, or while answering in the explanation round."""
    assessment = _locked_assessment(item.assessment)
    if actor is not None and not can_edit_self(actor, assessment):
        raise PermissionDenied("Bạn không có quyền bổ sung tài liệu cho đơn vị này.")
    if assessment.season.stage == Stage.EXPLANATION:
        return "explanation"
    _require_self_edit(actor, assessment)
    return "self"


@transaction.atomic
def evidence_attach(*, actor, item: ItemScore, upload: UploadedFile, section_page: str = "") -> ItemEvidence:
    from cchc.plans.services import validate_evidence_file

    stage = _require_evidence_edit(actor, item)
    name = validate_evidence_file(upload)
    evidence = ItemEvidence(
        item=item,
        kind=ItemEvidence.LinkKind.FILE,
        original_name=name,
        label=name,
        section_page=nfc(section_page),
        stage=stage,
        added_by=actor,
    )
    evidence.file.save(name, upload, save=False)
    evidence.save()
    audit.record(
        actor=actor, action="attach", instance=item.assessment, changes={item.criterion.code: [None, name]}
    )
    return evidence


@transaction.atomic
def evidence_link(
    *, actor, item: ItemScore, kind: str, object_id: int, section_page: str = ""
) -> ItemEvidence:
    """Point to a report, a task's evidence or a plan already in cchc, if the unit may read it."""
    from cchc.plans.models import Plan, TaskEvidence
    from cchc.reporting.models import UnitReport

    stage = _require_evidence_edit(actor, item)
    unit = item.assessment.unit
    label = None
    if kind == ItemEvidence.LinkKind.REPORT:
        report = UnitReport.objects.filter(pk=object_id, unit=unit).select_related("period").first()
        label = report and f"Báo cáo {report.period.title}"
    elif kind == ItemEvidence.LinkKind.PLAN:
        plan = Plan.objects.filter(pk=object_id, issuer=unit).first()
        label = plan and f"Kế hoạch {plan.number} {plan.title}".strip()
    elif kind == ItemEvidence.LinkKind.TASK_EVIDENCE:
        evidence = (
            TaskEvidence.objects.filter(pk=object_id, task__plan__issuer=unit).select_related("task").first()
        )
        label = (
            evidence
            and f"{evidence.original_name} (nhiệm vụ {evidence.task.number}. {evidence.task.content[:60]})"
        )
    else:
        raise ValidationError("Loại tài liệu liên kết không hợp lệ.")
    if not label:
        raise ValidationError("Không tìm thấy tài liệu này trong dữ liệu của đơn vị.")
    linked = ItemEvidence.objects.create(
        item=item,
        kind=kind,
        object_id=object_id,
        label=label[:300],
        section_page=nfc(section_page),
        stage=stage,
        added_by=actor,
    )
    audit.record(
        actor=actor,
        action="attach",
        instance=item.assessment,
        changes={item.criterion.code: [None, label[:200]]},
    )
    return linked


@transaction.atomic
def assessment_submit(*, actor, assessment: Assessment, today: date | None = None) -> Assessment:
    """The head sends the self-assessment before the deadline; every applicable item scored, and
    explained wherever it has no evidence. Each score goes into the ledger."""
    assessment = _locked_assessment(assessment)
    if actor is not None and not can_submit(actor, assessment):
        raise PermissionDenied("Chỉ lãnh đạo đơn vị được gửi bản tự đánh giá.")
    _require_stage(assessment.season, Stage.SELF, action="gửi bản tự đánh giá")
    if assessment.status == Assessment.Status.SUBMITTED:
        raise ValidationError("Bản tự đánh giá đã được gửi.")
    today = today or timezone.localdate()
    if today > assessment.season.self_deadline:
        raise ValidationError(
            f"Đã quá hạn gửi tự đánh giá ({assessment.season.self_deadline:%d/%m/%Y}); liên hệ Sở Nội vụ."
        )
    items = list(
        assessment.items.filter(applicable=True)
        .select_related("criterion")
        .prefetch_related("evidence")
        .order_by("criterion__position")
    )
    errors = []
    for item in items:
        if item.self_points is None:
            errors.append(f"Tiêu chí {item.criterion.code}: chưa chấm điểm.")
        elif not item.evidence.all() and not item.explanation:
            errors.append(
                f"Tiêu chí {item.criterion.code}: chưa có tài liệu kiểm chứng thì phải giải thích cách chấm."
            )
    if errors:
        raise ValidationError(errors)
    ScoreEntry.objects.bulk_create(
        ScoreEntry(
            item=i,
            stage=ScoreEntry.Stage.SELF,
            points=i.self_points,
            actor=actor,
            reason=i.override_reason or i.explanation,
            evidence_seen=_evidence_labels(i),
        )
        for i in items
    )
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.submitted_by = actor
    _bump(assessment)
    audit.record(
        actor=actor, action="status", instance=assessment, changes={"status": ["draft", "submitted"]}
    )
    return assessment


@transaction.atomic
def assessment_withdraw(*, actor, assessment: Assessment) -> Assessment:
    assessment = _locked_assessment(assessment)
    if actor is not None and not can_submit(actor, assessment):
        raise PermissionDenied("Chỉ lãnh đạo đơn vị được rút bản tự đánh giá.")
    _require_stage(assessment.season, Stage.SELF, action="rút bản tự đánh giá (thẩm định đã bắt đầu)")
    if assessment.status != Assessment.Status.SUBMITTED:
        raise ValidationError("Bản tự đánh giá chưa gửi.")
    assessment.status = Assessment.Status.DRAFT
    _bump(assessment)
    audit.record(
        actor=actor, action="status", instance=assessment, changes={"status": ["submitted", "draft"]}
    )
    return assessment


@transaction.atomic
def item_set_applicable(*, actor, item: ItemScore, applicable: bool, reason: str) -> ItemScore:
    """Sở Nội vụ rules a criterion (in)applicable to a unit; the unit's total is then rescaled."""
    _require_manager(actor)
    season = Season.objects.get(pk=item.assessment.season_id)
    _require_stage(season, Stage.SELF, Stage.APPRAISAL, action="đổi phạm vi áp dụng")
    if not (reason or "").strip():
        raise ValidationError("Cần ghi lý do.")
    item.applicable = applicable
    item.inapplicable_reason = "" if applicable else nfc(reason)
    item.version += 1
    item.save(update_fields=["applicable", "inapplicable_reason", "version"])
    audit.record(
        actor=actor,
        action="update",
        instance=item.assessment,
        changes={item.criterion.code: [not applicable, applicable]},
        note=reason,
    )
    return item


@transaction.atomic
def assessment_set_survey(*, actor, assessment: Assessment, points, source: str) -> Assessment:
    """Survey points entered by Sở Nội vụ (until the survey module feeds them), with their source."""
    _require_manager(actor)
    season = Season.objects.get(pk=assessment.season_id)
    _require_stage(season, Stage.SELF, Stage.APPRAISAL, Stage.EXPLANATION, action="nhập điểm điều tra")
    value = methods.as_decimal(points)
    maximum = season.criteria_set.survey_points
    if value is None or not (0 <= value <= maximum):
        raise ValidationError(f"{assessment.unit}: điểm điều tra phải từ 0 đến {fmt(maximum)}.")
    if not (source or "").strip():
        raise ValidationError("Cần ghi nguồn điểm điều tra.")
    before = assessment.survey_points
    Assessment.objects.filter(pk=assessment.pk).update(
        survey_points=value, survey_source=nfc(source), version=F("version") + 1
    )
    assessment.refresh_from_db()
    audit.record(
        actor=actor,
        action="update",
        instance=assessment,
        changes={"survey_points": [before, value]},
        note=source,
    )
    return assessment


@transaction.atomic
def season_set_survey(*, actor, season: Season, points: Mapping[int, object], source: str) -> int:
    """Survey points of many units at once (bulk entry): all saved, or none with every bad unit
    named. Blank values are skipped."""
    _require_manager(actor)
    assessments = {a.pk: a for a in season.assessments.select_related("unit").filter(pk__in=list(points))}
    errors, saved = [], 0
    for pk, value in points.items():
        if value in (None, "") or pk not in assessments:
            continue
        try:
            assessment_set_survey(actor=actor, assessment=assessments[pk], points=value, source=source)
            saved += 1
        except ValidationError as exc:
            errors.extend(
                f"{assessments[pk].unit}: {m}" if not m.startswith(str(assessments[pk].unit)) else m
                for m in exc.messages
            )
    if errors:
        raise ValidationError(errors)  # leaving the transaction undoes the units already saved
    return saved


@transaction.atomic
def assessment_exclude(*, actor, assessment: Assessment, excluded: bool, reason: str = "") -> Assessment:
    _require_manager(actor)
    season = Season.objects.get(pk=assessment.season_id)
    _require_stage(season, Stage.SELF, Stage.APPRAISAL, Stage.EXPLANATION, action="loại khỏi xếp hạng")
    if excluded and not (reason or "").strip():
        raise ValidationError("Cần ghi lý do không xếp hạng đơn vị.")
    Assessment.objects.filter(pk=assessment.pk).update(
        excluded=excluded, excluded_reason=nfc(reason) if excluded else ""
    )
    assessment.refresh_from_db()
    audit.record(
        actor=actor,
        action="update",
        instance=assessment,
        changes={"excluded": [not excluded, excluded]},
        note=reason,
    )
    return assessment


# Council ------------------------------------------------------------------------------------------


@transaction.atomic
def council_add_member(
    *, actor, season: Season, user, unit: Unit, role: str = CouncilMember.Role.MEMBER
) -> CouncilMember:
    _require_manager(actor)
    _require_stage(season, Stage.SELF, Stage.APPRAISAL, action="sửa thành phần Hội đồng")
    if role not in CouncilMember.Role.values:
        raise ValidationError("Vai trò trong Hội đồng không hợp lệ.")
    member = CouncilMember.objects.create(council=season.council, user=user, unit=unit, role=role)
    user.__dict__.pop("_par_members", None)  # the per-request cache of permissions.member_for
    audit.record(actor=actor, action="create", instance=member, changes={"role": [None, role]})
    return member


@transaction.atomic
def council_assign(*, actor, member: CouncilMember, assessments: Iterable[Assessment]) -> int:
    """Assign units to a member; a unit the member is conflicted with is refused by name."""
    _require_manager(actor)
    assessments = list(assessments)
    conflicted = [a.unit.name for a in assessments if is_conflicted(member, a.unit)]
    if conflicted:
        raise ValidationError(
            f"{member.user} có xung đột lợi ích với: {', '.join(conflicted)}; không phân công được."
        )
    made = 0
    for assessment in assessments:
        _, created = Assignment.objects.get_or_create(member=member, assessment=assessment)
        made += created
    audit.record(actor=actor, action="update", instance=member, changes={"assigned": [None, made]})
    return made


@transaction.atomic
def council_declare_conflict(*, actor, member: CouncilMember, unit: Unit, reason: str) -> ConflictDeclaration:
    if actor is not None and actor != member.user:
        _require_manager(actor)
    if not (reason or "").strip():
        raise ValidationError("Cần ghi lý do xung đột lợi ích.")
    declaration = ConflictDeclaration.objects.create(member=member, unit=unit, reason=nfc(reason))
    member.user.__dict__.pop("_par_members", None)
    if actor is not None:
        actor.__dict__.pop("_par_members", None)
    Assignment.objects.filter(member=member, assessment__unit=unit).delete()
    audit.record(
        actor=actor, action="create", instance=member, changes={"conflict": [None, unit.name]}, note=reason
    )
    return declaration


def _require_member(actor, item: ItemScore, *, secretary: bool = False) -> CouncilMember:
    season = item.assessment.season
    member = member_for(actor, season)
    if member is None or is_conflicted(member, item.assessment.unit):
        raise PermissionDenied("Bạn không thuộc Hội đồng thẩm định đơn vị này.")
    if secretary and member.role not in (CouncilMember.Role.SECRETARY, CouncilMember.Role.CHAIR):
        raise PermissionDenied("Chỉ Thư ký hoặc Chủ tịch Hội đồng ghi điểm của Hội đồng.")
    return member


def _locked_item(item: ItemScore) -> ItemScore:
    return (
        ItemScore.objects.select_for_update()
        .select_related("criterion", "assessment", "assessment__season", "assessment__unit")
        .get(pk=item.pk)
    )


@transaction.atomic
def member_score(
    *, actor, item: ItemScore, points, reason: str = "", expected_version: int | None = None
) -> MemberScore:
    """A member's appraised score; a reason is required where it differs from the self-score.
    `expected_version` is the version of the member's own score the form was read at (0 = none yet)."""
    item = _locked_item(item)
    member = _require_member(actor, item)
    _require_stage(item.assessment.season, Stage.APPRAISAL, action="chấm điểm thẩm định")
    if item.assessment.status != Assessment.Status.SUBMITTED or not item.applicable:
        raise ValidationError(f"Tiêu chí {item.criterion.code} không thuộc phần được thẩm định.")
    value = methods.validate_points(item.criterion, points)
    reason = nfc((reason or "").strip())
    if value != item.self_points and not reason:
        raise ValidationError(
            f"Tiêu chí {item.criterion.code}: điểm thẩm định {fmt(value)} khác điểm tự chấm {fmt(item.self_points)}, cần ghi lý do."
        )
    existing = MemberScore.objects.select_for_update().filter(item=item, member=member).first()
    current = existing.version if existing else 0
    if expected_version is not None and int(expected_version) != current:
        raise ConflictError()
    if existing is None:
        existing = MemberScore.objects.create(item=item, member=member, points=value, reason=reason)
    else:
        existing.points, existing.reason = value, reason
        existing.version += 1
        existing.save()
    audit.record(
        actor=actor,
        action="update",
        instance=item.assessment,
        changes={f"{item.criterion.code} ({member.user})": [None, fmt(value)]},
        note=reason,
    )
    return existing


class CouncilMethod:
    KEEP = "keep"
    CONSENSUS = "consensus"
    MEDIAN = "median"
    OVERRIDE = "override"
    LABELS = {
        "keep": "Giữ điểm tự chấm",
        "consensus": "Thống nhất",
        "median": "Trung vị",
        "override": "Hội đồng quyết định khác",
    }


@transaction.atomic
def council_score(
    *,
    actor,
    item: ItemScore,
    method: str,
    points=None,
    reason: str = "",
    comment: str = "",
    expected_version: int | None = None,
) -> ItemScore:
    """The secretary records the council's score from the members' (consensus or median) or
    decides otherwise with a reason. `comment` goes back to the unit for the explanation round."""
    item = _locked_item(item)
    _require_member(actor, item, secretary=True)
    _require_stage(item.assessment.season, Stage.APPRAISAL, action="ghi điểm của Hội đồng")
    _check_version(item, expected_version)
    scores = [s.points for s in item.member_scores.all()]
    reason = nfc((reason or "").strip())
    if method == CouncilMethod.KEEP:
        if item.self_points is None:
            raise ValidationError(f"Tiêu chí {item.criterion.code}: đơn vị chưa tự chấm.")
        value = item.self_points
    elif method == CouncilMethod.CONSENSUS:
        if not scores or len(set(scores)) != 1:
            raise ValidationError(
                f"Tiêu chí {item.criterion.code}: các thành viên chưa thống nhất một mức điểm."
            )
        value = scores[0]
    elif method == CouncilMethod.MEDIAN:
        if not scores:
            raise ValidationError(f"Tiêu chí {item.criterion.code}: chưa có thành viên nào chấm.")
        value = methods.validate_points(item.criterion, Decimal(str(median(scores))))
    elif method == CouncilMethod.OVERRIDE:
        if not reason:
            raise ValidationError("Hội đồng quyết định điểm khác cần ghi lý do.")
        value = methods.validate_points(item.criterion, points)
    else:
        raise ValidationError("Cách chốt điểm không hợp lệ.")
    if value != item.self_points and not (reason or comment):
        raise ValidationError(
            f"Tiêu chí {item.criterion.code}: điểm Hội đồng khác điểm tự chấm, cần ghi ý kiến cho đơn vị."
        )
    item.appraised_points = value
    item.appraisal_method = method
    item.appraisal_comment = nfc((comment or reason).strip())
    item.version += 1
    item.save(update_fields=["appraised_points", "appraisal_method", "appraisal_comment", "version"])
    ScoreEntry.objects.create(
        item=item,
        stage=ScoreEntry.Stage.APPRAISED,
        points=value,
        actor=actor,
        reason=f"{CouncilMethod.LABELS[method]}. {item.appraisal_comment}".strip(),
        evidence_seen=_evidence_labels(item),
    )
    audit.record(
        actor=actor,
        action="update",
        instance=item.assessment,
        changes={f"{item.criterion.code} (Hội đồng)": [None, fmt(value)]},
        note=reason,
    )
    return item


# Explanation round -----------------------------------------------------------------------------------


@transaction.atomic
def item_explain(
    *, actor, item: ItemScore, answer: str, expected_version: int | None = None, today: date | None = None
) -> ItemScore:
    """The unit answers an appraised item within the window (adding evidence separately)."""
    item = _locked_item(item)
    assessment = item.assessment
    if actor is not None and not can_edit_self(actor, assessment):
        raise PermissionDenied("Bạn không có quyền giải trình cho đơn vị này.")
    season = assessment.season
    _require_stage(season, Stage.EXPLANATION, action="giải trình")
    today = today or timezone.localdate()
    if season.explanation_deadline and today > season.explanation_deadline:
        raise ValidationError(f"Đã hết hạn giải trình ({season.explanation_deadline:%d/%m/%Y}).")
    _check_version(item, expected_version)
    if not (answer or "").strip():
        raise ValidationError("Nội dung giải trình không được để trống.")
    item.explanation_answer = nfc(answer.strip())
    item.version += 1
    item.save(update_fields=["explanation_answer", "version"])
    audit.record(
        actor=actor,
        action="update",
        instance=assessment,
        changes={f"{item.criterion.code} (giải trình)": [None, answer[:200]]},
    )
    return item


@transaction.atomic
def explanation_decide(
    *, actor, item: ItemScore, points, reason: str, expected_version: int | None = None
) -> ItemScore:
    """The council's decision on an explained item: the score after explanation, with why."""
    item = _locked_item(item)
    _require_member(actor, item, secretary=True)
    _require_stage(item.assessment.season, Stage.EXPLANATION, action="quyết định sau giải trình")
    _check_version(item, expected_version)
    value = methods.validate_points(item.criterion, points)
    if not (reason or "").strip():
        raise ValidationError("Cần ghi kết luận của Hội đồng về nội dung giải trình.")
    item.explained_points = value
    item.version += 1
    item.save(update_fields=["explained_points", "version"])
    ScoreEntry.objects.create(
        item=item,
        stage=ScoreEntry.Stage.EXPLAINED,
        points=value,
        actor=actor,
        reason=nfc(reason),
        evidence_seen=_evidence_labels(item),
    )
    audit.record(
        actor=actor,
        action="update",
        instance=item.assessment,
        changes={f"{item.criterion.code} (sau giải trình)": [None, fmt(value)]},
        note=reason,
    )
    return item


# Publication and heads' classification ----------------------------------------------------------------


@transaction.atomic
def season_publish(*, actor, season: Season, note: str = "") -> Release:
    """An immutable release of the locked results; a later one lists what changed."""
    from cchc.scoring.selectors import ranking

    _require_manager(actor)
    season = Season.objects.select_for_update().get(pk=season.pk)
    if season.stage != Stage.LOCKED:
        raise ValidationError("Chỉ công bố được kết quả đã chốt.")
    rows = [row.as_json() for row in ranking(season).rows]
    last = season.releases.order_by("-number").first()
    changes = release_changes(last.rows if last else None, rows)
    if last and not changes:
        raise ValidationError("Kết quả không thay đổi so với lần công bố trước.")
    release = Release.objects.create(
        season=season,
        number=(last.number + 1) if last else 1,
        published_by=actor,
        note=nfc(note),
        rows=rows,
        changes=changes,
    )
    audit.record(
        actor=actor, action="create", instance=release, changes={"units": [None, len(rows)]}, note=note
    )
    refresh_scorecard_soon(season.year)
    return release


def release_changes(before: list[dict] | None, after: list[dict]) -> list[str]:
    if before is None:
        return []
    old = {r["code"]: r for r in before}
    out = []
    for row in after:
        prev = old.get(row["code"])
        if prev is None:
            out.append(f"{row['name']}: mới có trong kết quả.")
        elif (prev["index"], prev["rank"]) != (row["index"], row["rank"]):
            out.append(
                f"{row['name']}: chỉ số {prev['index']} → {row['index']}, "
                f"xếp hạng {prev['rank'] or '—'} → {row['rank'] or '—'}."
            )
    return out


@transaction.atomic
def heads_classify(*, actor, season: Season) -> int:
    """Suggested class of each unit's head from the final index; approved overrides stay."""
    from cchc.scoring.selectors import ranking

    _require_manager(actor)
    season = Season.objects.select_related("criteria_set").get(pk=season.pk)
    if season.stage != Stage.LOCKED:
        raise ValidationError("Phân loại người đứng đầu sau khi đã chốt kết quả chỉ số.")
    levels = season.criteria_set.head_levels
    count = 0
    existing = {h.assessment_id: h for h in HeadClassification.objects.filter(assessment__season=season)}
    for row in ranking(season).rows:
        suggested = methods.level_for(row.index, levels) if row.index is not None else ""
        if not suggested:
            continue
        hc = existing.get(row.assessment_id)
        if hc is None:
            HeadClassification.objects.create(
                assessment_id=row.assessment_id, suggested=suggested, final=suggested
            )
        else:
            hc.suggested = suggested
            if hc.status == HeadClassification.Status.SUGGESTED:
                hc.final = suggested
            hc.save()
        count += 1
    audit.record(
        actor=actor, action="update", instance=season, note=f"Phân loại người đứng đầu: {count} đơn vị"
    )
    return count


@transaction.atomic
def head_class_propose(
    *, actor, classification: HeadClassification, level: str, reason: str
) -> HeadClassification:
    _require_manager(actor)
    levels = [lv["label"] for lv in classification.assessment.season.criteria_set.head_levels]
    if level not in levels:
        raise ValidationError(f"Mức «{level}» không có trong các mức phân loại.")
    if not (reason or "").strip():
        raise ValidationError("Điều chỉnh mức phân loại cần ghi lý do.")
    classification.proposed, classification.reason = level, nfc(reason)
    classification.status = HeadClassification.Status.OVERRIDE_PENDING
    classification.proposed_by = actor
    classification.save()
    audit.record(
        actor=actor,
        action="update",
        instance=classification.assessment,
        changes={"head_class": [classification.final, level]},
        note=reason,
    )
    return classification


@transaction.atomic
def head_class_approve(*, actor, classification: HeadClassification) -> HeadClassification:
    """Another person than the proposer approves: an override is never self-approved."""
    _require_manager(actor)
    if classification.status != HeadClassification.Status.OVERRIDE_PENDING:
        raise ValidationError("Không có đề nghị điều chỉnh nào chờ phê duyệt.")
    if actor is not None and classification.proposed_by_id == actor.pk:
        raise PermissionDenied("Người đề nghị điều chỉnh không tự phê duyệt được.")
    before = classification.final
    classification.final = classification.proposed
    classification.status = HeadClassification.Status.APPROVED
    classification.approved_by = actor
    classification.save()
    audit.record(
        actor=actor,
        action="status",
        instance=classification.assessment,
        changes={"head_class": [before, classification.final]},
    )
    return classification
