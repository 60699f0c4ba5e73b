"""Every write on PAR initiatives: scope check, validation, audit row, one transaction."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from cchc.core import audit
from cchc.core.exceptions import ConflictError, PermissionDenied, ValidationError
from cchc.core.numbers import format_number
from cchc.core.text import fold, nfc
from cchc.initiatives import notices
from cchc.initiatives.models import (
    Attachment,
    Author,
    Campaign,
    Conflict,
    CouncilMember,
    Criterion,
    Field,
    Initiative,
    Notice,
    Replication,
    Review,
    Verdict,
)
from cchc.initiatives.permissions import can_edit, can_submit, is_reviewer, member_for
from cchc.org.models import Unit
from cchc.org.permissions import scope_for
from cchc.org.tree import is_near

S = Initiative.Status
TEXT_FIELDS = (
    "title",
    "owner",
    "situation_before",
    "solution",
    "conditions_to_apply",
    "benefits",
    "applied_by",
    "confidential",
)
REQUIRED = {
    "title": "Tên sáng kiến",
    "owner": "Chủ đầu tư tạo ra sáng kiến",
    "situation_before": "Tình trạng trước khi có sáng kiến",
    "solution": "Nội dung, giải pháp của sáng kiến",
    "conditions_to_apply": "Điều kiện cần thiết để áp dụng",
    "benefits": "Lợi ích thu được",
}
AUDITED = (*TEXT_FIELDS, "field", "first_applied_on", "status")


def local_deadline_text(campaign: Campaign) -> str:
    return timezone.localtime(campaign.submission_deadline).strftime("%H:%M ngày %d/%m/%Y")


def _check_version(obj, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != obj.version:
        raise ConflictError()


# Campaign ------------------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    actor,
    issuer: Unit,
    reviewing_unit: Unit,
    year: int,
    number: str,
    issued_on: date,
    title: str,
    submission_deadline: datetime,
    conditions: Sequence[str],
    fields: Sequence[tuple[str, str, str]],
    criteria: Sequence[tuple[str, str, Any, Any, Any]],
    award_count: int = 5,
    tie_rule: str = Campaign.TieRule.CRITERIA_ORDER,
    decision_due: date | None = None,
) -> Campaign:
    scope = scope_for(actor) if actor is not None else None
    if scope is not None and not (scope.is_admin or scope.can_edit_items_of(reviewing_unit)):
        raise PermissionDenied("Chỉ cơ quan tiếp nhận hồ sơ sáng kiến mới lập được đợt phát động.")
    if not fields:
        raise ValidationError("Đợt phát động phải nêu ít nhất một lĩnh vực.")
    if not criteria:
        raise ValidationError("Thang điểm phải có ít nhất một tiêu chí.")
    if tie_rule not in Campaign.TieRule.values:
        raise ValidationError("Quy tắc xếp hạng khi bằng điểm không hợp lệ.")
    if timezone.is_naive(submission_deadline):
        submission_deadline = timezone.make_aware(submission_deadline)
    campaign = Campaign.objects.create(
        issuer=issuer,
        reviewing_unit=reviewing_unit,
        year=year,
        number=nfc(number),
        issued_on=issued_on,
        title=nfc(title),
        conditions=[nfc(c) for c in conditions],
        submission_deadline=submission_deadline,
        award_count=award_count,
        tie_rule=tie_rule,
        decision_due=decision_due,
    )
    for position, (code, name, description) in enumerate(fields):
        Field.objects.create(
            campaign=campaign, code=code, name=nfc(name), description=nfc(description), position=position
        )
    for position, (code, name, weight, low, high) in enumerate(criteria):
        low, high, weight = Decimal(str(low)), Decimal(str(high)), Decimal(str(weight))
        if low >= high or weight <= 0:
            raise ValidationError(f"Tiêu chí «{name}»: khoảng điểm hoặc hệ số không hợp lệ.")
        Criterion.objects.create(
            campaign=campaign,
            code=code,
            name=nfc(name),
            weight=weight,
            min_score=low,
            max_score=high,
            position=position,
        )
    audit.record(actor=actor, action="create", instance=campaign, changes={"number": [None, campaign.number]})
    return campaign


def notice_units(campaign: Campaign) -> list[Unit]:
    """Every department and commune under the issuer: the seed's addressees."""
    return list(
        Unit.objects.filter(
            path__startswith=campaign.issuer.path, kind__in=Unit.REPORTING_KINDS, is_active=True
        ).exclude(pk=campaign.issuer_id)
    )


@transaction.atomic
def campaign_notify(*, actor, campaign: Campaign) -> int:
    """The campaign notice, in-app and by e-mail, to every unit's officers, head and standing agency."""
    if actor is not None and not is_reviewer(actor, campaign):
        raise PermissionDenied("Bạn không có quyền gửi thông báo phát động.")
    fields = "; ".join(f"{f.code}) {f.name}" for f in campaign.fields.all())
    message = (
        f"{campaign.issuer} phát động đề xuất sáng kiến cải cách hành chính năm {campaign.year} "
        f"(văn bản số {campaign.number} ngày {campaign.issued_on:%d/%m/%Y}). Lĩnh vực: {fields}. "
        f"Hồ sơ gửi {campaign.reviewing_unit} trên hệ thống, hạn cuối {local_deadline_text(campaign)}."
    )
    sent = 0
    seen: set[int] = set()
    for unit in notice_units(campaign):
        for user in notices.unit_people(unit):
            if user.pk in seen:
                continue
            seen.add(user.pk)
            sent += notices.notify(
                user=user, campaign=campaign, kind=Notice.Kind.CAMPAIGN, key="", message=message
            )
    campaign.notified_at = timezone.now()
    campaign.save(update_fields=["notified_at", "updated_at"])
    audit.record(
        actor=actor, action="status", instance=campaign, note=f"Gửi thông báo phát động: {sent} người"
    )
    return sent


# Submissions ---------------------------------------------------------------------------------


def _as_date(value, label: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return datetime.strptime(str(value).strip(), "%d/%m/%Y").date()
    except ValueError:
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(f"{label}: ngày «{value}» không hợp lệ (dạng dd/mm/yyyy).") from None


def _as_decimal(value, label: str) -> Decimal:
    text = str(value).strip().replace(",", ".").rstrip("%").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"{label}: «{value}» không phải là số.") from None
    if not number.is_finite():
        raise ValidationError(f"{label}: «{value}» không phải là số.")
    return number


def _clean_authors(authors: Iterable[Mapping[str, Any]]) -> list[dict]:
    cleaned = []
    for row in authors:
        name = nfc((row.get("full_name") or "").strip())
        if not name and not str(row.get("contribution") or "").strip():
            continue
        if not name:
            raise ValidationError("Mỗi tác giả phải có họ và tên.")
        share = _as_decimal(row.get("contribution") or "", f"Tỷ lệ đóng góp của {name}")
        if share <= 0 or share > 100:
            raise ValidationError(f"Tỷ lệ đóng góp của {name} phải lớn hơn 0 và không quá 100%.")
        cleaned.append(
            {
                "full_name": name,
                "birth_date": _as_date(row.get("birth_date"), f"Ngày sinh của {name}"),
                "workplace": nfc(row.get("workplace") or ""),
                "job_title": nfc(row.get("job_title") or ""),
                "qualification": nfc(row.get("qualification") or ""),
                "contribution": share,
                "email": (row.get("email") or "").strip(),
            }
        )
    if not cleaned:
        raise ValidationError("Sáng kiến phải có ít nhất một tác giả.")
    total = sum(a["contribution"] for a in cleaned)
    if total != 100:
        raise ValidationError(
            f"Tổng tỷ lệ đóng góp của các tác giả phải bằng 100%; hiện là {format_number(total, 2, trim=True)}%."
        )
    return cleaned


def _apply(initiative: Initiative, data: Mapping[str, Any]) -> None:
    for name in TEXT_FIELDS:
        if name in data:
            setattr(initiative, name, nfc((data.get(name) or "").strip()))
    missing = [label for name, label in REQUIRED.items() if not getattr(initiative, name)]
    if missing:
        raise ValidationError(f"Chưa nhập: {', '.join(missing)}.")
    field = data.get("field")
    if isinstance(field, str | int):
        field = Field.objects.filter(campaign=initiative.campaign, pk=field).first()
    if field is None or field.campaign_id != initiative.campaign_id:
        raise ValidationError("Hãy chọn một lĩnh vực của đợt phát động.")
    initiative.field = field
    first = _as_date(data.get("first_applied_on"), "Ngày áp dụng lần đầu")
    if first is None:
        raise ValidationError("Chưa nhập ngày áp dụng lần đầu hoặc áp dụng thử.")
    if first > timezone.localdate():
        raise ValidationError("Ngày áp dụng lần đầu không thể ở tương lai.")
    initiative.first_applied_on = first
    initiative.search_text = fold(
        " ".join(
            [
                initiative.title,
                initiative.owner,
                initiative.solution,
                initiative.benefits,
                str(initiative.unit),
            ]
        )
    )


def _save_authors(initiative: Initiative, authors: list[dict]) -> None:
    initiative.authors.all().delete()
    Author.objects.bulk_create(
        [Author(initiative=initiative, position=i, **a) for i, a in enumerate(authors)]
    )


def _author_text(authors: list[dict]) -> list[str]:
    return [f"{a['full_name']} ({format_number(a['contribution'], 2, trim=True)}%)" for a in authors]


@transaction.atomic
def initiative_create(
    *, actor, campaign: Campaign, unit: Unit, data: Mapping[str, Any], authors: Iterable[Mapping[str, Any]]
) -> Initiative:
    if actor is not None and not scope_for(actor).can_edit_items_of(unit):
        raise PermissionDenied("Bạn không có quyền đề xuất sáng kiến cho đơn vị này.")
    if campaign.status != Campaign.Status.OPEN:
        raise ValidationError("Đợt phát động đã kết thúc nhận hồ sơ.")
    organisation = unit.organisation or unit
    initiative = Initiative(campaign=campaign, unit=organisation, created_by=actor)
    _apply(initiative, data)
    cleaned = _clean_authors(authors)
    initiative.save()
    _save_authors(initiative, cleaned)
    audit.record(
        actor=actor,
        action="create",
        instance=initiative,
        changes={**audit.snapshot(initiative, AUDITED), "authors": _author_text(cleaned)},
    )
    return initiative


@transaction.atomic
def initiative_update(
    *,
    actor,
    initiative: Initiative,
    expected_version: int | None,
    data: Mapping[str, Any],
    authors: Iterable[Mapping[str, Any]],
) -> Initiative:
    initiative = (
        Initiative.objects.select_for_update().select_related("campaign", "unit").get(pk=initiative.pk)
    )
    if actor is not None and not can_edit(actor, initiative):
        raise PermissionDenied("Sáng kiến này không còn ở trạng thái được sửa, hoặc bạn không có quyền sửa.")
    _check_version(initiative, expected_version)
    before = audit.snapshot(initiative, AUDITED)
    before_authors = [
        f"{a.full_name} ({format_number(a.contribution, 2, trim=True)}%)" for a in initiative.authors.all()
    ]
    _apply(initiative, data)
    cleaned = _clean_authors(authors)
    initiative.version += 1
    initiative.save()
    _save_authors(initiative, cleaned)
    changes = audit.diff(before, audit.snapshot(initiative, AUDITED))
    if _author_text(cleaned) != before_authors:
        changes["authors"] = [before_authors, _author_text(cleaned)]
    audit.record(actor=actor, action="update", instance=initiative, changes=changes)
    return initiative


def validate_attachment(upload: UploadedFile) -> str:
    """The one place attachments are checked, so the content checks of cchc.core.uploads can replace
    the task-evidence rules when they land."""
    from cchc.plans.services import validate_evidence_file

    return validate_evidence_file(upload)


@transaction.atomic
def attachment_add(*, actor, initiative: Initiative, upload: UploadedFile) -> Attachment:
    if actor is not None and not can_edit(actor, initiative):
        raise PermissionDenied("Bạn không có quyền bổ sung tài liệu cho sáng kiến này.")
    name = validate_attachment(upload)
    attachment = Attachment(initiative=initiative, original_name=name, size=upload.size, uploaded_by=actor)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    audit.record(actor=actor, action="attach", instance=initiative, changes={"attachment": [None, name]})
    return attachment


def _tell_unit_and_authors(initiative: Initiative, kind: str, key: str, message: str) -> None:
    for user in notices.unit_people(initiative.unit):
        notices.notify(user=user, campaign=initiative.campaign, kind=kind, key=key, message=message)
    notices.email_authors(initiative, Notice.Kind(kind).label, message)


def _pin_tree_conflicts(initiative: Initiative) -> None:
    """Pinned: once derived, a conflict outlives any later change of a member's unit."""
    for member in initiative.campaign.members.select_related("unit", "unit__organisation"):
        if is_near(member.unit, initiative.unit):
            Conflict.objects.get_or_create(
                member=member,
                initiative=initiative,
                defaults={"kind": Conflict.Kind.TREE, "reason": f"{member.unit} – {initiative.unit}"},
            )


@transaction.atomic
def initiative_submit(
    *, actor, initiative: Initiative, expected_version: int | None, now: datetime | None = None
) -> Initiative:
    """The head submits. The deadline is checked here, to the minute, not in the form: a first
    submission after it is refused. A returned initiative may come back after the deadline, since
    the return asked for it."""
    initiative = (
        Initiative.objects.select_for_update().select_related("campaign", "unit").get(pk=initiative.pk)
    )
    if actor is not None and not can_submit(actor, initiative):
        raise PermissionDenied("Chỉ lãnh đạo đơn vị mới gửi được sáng kiến của đơn vị.")
    _check_version(initiative, expected_version)
    now = now or timezone.now()
    campaign = initiative.campaign
    if initiative.status == S.DRAFT and now > campaign.submission_deadline:
        raise ValidationError(
            f"Đã quá hạn gửi hồ sơ sáng kiến ({local_deadline_text(campaign)}). Hồ sơ chưa được gửi."
        )
    if campaign.status == Campaign.Status.DECIDED:
        raise ValidationError("Đợt phát động đã có quyết định công nhận.")
    if not initiative.authors.exists():
        raise ValidationError("Sáng kiến phải có ít nhất một tác giả.")
    old = initiative.status
    initiative.status = S.SUBMITTED
    initiative.submitted_at = now
    initiative.first_submitted_at = initiative.first_submitted_at or now
    initiative.version += 1
    initiative.save()
    _pin_tree_conflicts(initiative)
    audit.record(
        actor=actor, action="status", instance=initiative, changes={"status": [old, initiative.status]}
    )
    _tell_unit_and_authors(
        initiative,
        Notice.Kind.SUBMITTED,
        f"{initiative.pk}-{initiative.version}",
        f"Sáng kiến «{initiative.title}» của {initiative.unit} đã được gửi {campaign.reviewing_unit} "
        f"lúc {timezone.localtime(now):%H:%M ngày %d/%m/%Y}.",
    )
    return initiative


@transaction.atomic
def initiative_check(
    *, actor, initiative: Initiative, expected_version: int | None, decision: str, reason: str = ""
) -> Initiative:
    """Sở KH&CN's eligibility check: eligible (to the council), returned for supplements, or not eligible."""
    initiative = (
        Initiative.objects.select_for_update().select_related("campaign", "unit").get(pk=initiative.pk)
    )
    if actor is not None and not is_reviewer(actor, initiative.campaign):
        raise PermissionDenied("Chỉ cơ quan tiếp nhận mới thẩm định được hồ sơ sáng kiến.")
    _check_version(initiative, expected_version)
    if initiative.status != S.SUBMITTED:
        raise ValidationError("Chỉ thẩm định được sáng kiến đã gửi và đang chờ thẩm định.")
    targets = {"eligible": S.ELIGIBLE, "return": S.RETURNED, "ineligible": S.INELIGIBLE}
    if decision not in targets:
        raise ValidationError("Kết quả thẩm định không hợp lệ.")
    reason = nfc(reason.strip())
    if decision != "eligible" and not reason:
        raise ValidationError("Hãy ghi rõ lý do trả lại hoặc lý do không đủ điều kiện.")
    old = initiative.status
    initiative.status = targets[decision]
    initiative.return_reason = reason if decision != "eligible" else ""
    initiative.version += 1
    initiative.save()
    audit.record(
        actor=actor,
        action="status",
        instance=initiative,
        changes={"status": [old, initiative.status]},
        note=reason,
    )
    text = {
        "eligible": "đủ điều kiện và được chuyển Hội đồng đánh giá.",
        "return": f"được trả lại để bổ sung. Lý do: {reason}",
        "ineligible": f"không đủ điều kiện xét công nhận. Lý do: {reason}",
    }[decision]
    kind = {
        "eligible": Notice.Kind.ELIGIBLE,
        "return": Notice.Kind.RETURNED,
        "ineligible": Notice.Kind.INELIGIBLE,
    }
    _tell_unit_and_authors(
        initiative,
        kind[decision],
        f"{initiative.pk}-{initiative.version}",
        f"Sáng kiến «{initiative.title}» {text}",
    )
    return initiative


# Council -------------------------------------------------------------------------------------


@transaction.atomic
def member_assign(
    *, actor, campaign: Campaign, user, unit: Unit, is_chair: bool = False, role_title: str = ""
) -> CouncilMember:
    if actor is not None and not is_reviewer(actor, campaign):
        raise PermissionDenied("Chỉ cơ quan tiếp nhận mới phân công được Hội đồng.")
    if is_chair and campaign.members.filter(is_chair=True).exists():
        raise ValidationError("Hội đồng đã có chủ tịch.")
    if campaign.members.filter(user=user).exists():
        raise ValidationError(f"{user} đã là thành viên Hội đồng.")
    member = CouncilMember.objects.create(
        campaign=campaign, user=user, unit=unit, is_chair=is_chair, role_title=nfc(role_title)
    )
    for initiative in campaign.initiatives.exclude(status=S.DRAFT).select_related("unit", "campaign"):
        if is_near(unit, initiative.unit):
            Conflict.objects.create(
                member=member,
                initiative=initiative,
                kind=Conflict.Kind.TREE,
                reason=f"{unit} – {initiative.unit}",
            )
    audit.record(actor=actor, action="create", instance=member, changes={"unit": [None, str(unit)]})
    notices.notify(
        user=user,
        campaign=campaign,
        kind=Notice.Kind.ASSIGNED,
        key="",
        message=f"Ông/bà được phân công là {'Chủ tịch' if is_chair else 'thành viên'} Hội đồng đánh giá "
        f"sáng kiến CCHC năm {campaign.year}.",
    )
    return member


@transaction.atomic
def conflict_declare(*, actor, member: CouncilMember, initiative: Initiative, reason: str) -> Conflict:
    """A member (or the reviewing unit) declares a conflict; it is pinned and cannot be withdrawn."""
    campaign = member.campaign
    if actor is not None and actor != member.user and not is_reviewer(actor, campaign):
        raise PermissionDenied("Chỉ thành viên đó hoặc cơ quan tiếp nhận khai báo được xung đột lợi ích.")
    reason = nfc(reason.strip())
    if not reason:
        raise ValidationError("Hãy ghi lý do xung đột lợi ích.")
    conflict, created = Conflict.objects.get_or_create(
        member=member, initiative=initiative, defaults={"kind": Conflict.Kind.DECLARED, "reason": reason}
    )
    if created:
        audit.record(
            actor=actor, action="create", instance=initiative, note=f"Xung đột lợi ích: {member} – {reason}"
        )
    return conflict


def _council_member(actor, initiative: Initiative) -> CouncilMember:
    member = member_for(actor, initiative.campaign)
    if member is None or Conflict.objects.filter(member=member, initiative=initiative).exists():
        raise PermissionDenied("Bạn không chấm sáng kiến này.")
    return member


def parse_scores(campaign: Campaign, raw: Mapping[str, Any]) -> dict[str, Decimal]:
    scores = {}
    for criterion in campaign.criteria.all():
        value = raw.get(criterion.code)
        if value in (None, ""):
            raise ValidationError(f"Chưa chấm tiêu chí «{criterion.name}».")
        number = _as_decimal(value, f"Tiêu chí «{criterion.name}»")
        if not criterion.min_score <= number <= criterion.max_score:
            raise ValidationError(
                f"Điểm tiêu chí «{criterion.name}» phải từ {format_number(criterion.min_score, 2, trim=True)} "
                f"đến {format_number(criterion.max_score, 2, trim=True)}; đã nhập {value}."
            )
        scores[criterion.code] = number
    return scores


def weighted_total(campaign: Campaign, scores: Mapping[str, Any]) -> Decimal:
    return sum(
        (Decimal(str(scores[c.code])) * c.weight for c in campaign.criteria.all() if c.code in scores),
        Decimal(0),
    )


@transaction.atomic
def review_save(
    *,
    actor,
    initiative: Initiative,
    scores: Mapping[str, Any],
    comment: str = "",
    expected_version: int | None = None,
) -> Review:
    initiative = Initiative.objects.select_for_update().select_related("campaign").get(pk=initiative.pk)
    member = _council_member(actor, initiative)
    if initiative.status != S.ELIGIBLE:
        raise ValidationError("Sáng kiến này đã có kết luận; không chấm thêm được.")
    parsed = parse_scores(initiative.campaign, scores)
    total = weighted_total(initiative.campaign, parsed)
    review = Review.objects.select_for_update().filter(member=member, initiative=initiative).first()
    plain = {k: format(v.normalize(), "f") for k, v in parsed.items()}
    if review is None:
        if expected_version not in (None, 0, "0", ""):
            raise ConflictError()
        review = Review.objects.create(
            member=member, initiative=initiative, scores=plain, total=total, comment=nfc(comment)
        )
        audit.record(actor=actor, action="create", instance=review, changes={"total": [None, total]})
    else:
        _check_version(review, expected_version)
        old = review.total
        review.scores, review.total, review.comment = plain, total, nfc(comment)
        review.version += 1
        review.save()
        audit.record(actor=actor, action="update", instance=review, changes={"total": [old, total]})
    return review


@transaction.atomic
def verdict_record(
    *,
    actor,
    initiative: Initiative,
    recognised: bool,
    method: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Verdict:
    from cchc.initiatives.selectors import aggregate

    initiative = Initiative.objects.select_for_update().select_related("campaign").get(pk=initiative.pk)
    member = _council_member(actor, initiative) if actor is not None else None
    if member is not None and not member.is_chair:
        raise PermissionDenied("Chỉ Chủ tịch Hội đồng ghi kết luận.")
    if initiative.status != S.ELIGIBLE:
        raise ValidationError("Sáng kiến không ở giai đoạn Hội đồng kết luận.")
    if method not in Verdict.Method.values:
        raise ValidationError("Hãy chọn hình thức kết luận.")
    reason = nfc(reason.strip())
    if not recognised and not reason:
        raise ValidationError("Kết luận không công nhận phải ghi rõ lý do.")
    stats = aggregate(initiative)
    if stats.count == 0:
        raise ValidationError("Chưa có phiếu chấm nào; chưa kết luận được.")
    verdict = Verdict.objects.select_for_update().filter(initiative=initiative).first()
    if verdict is not None:
        _check_version(verdict, expected_version)
        if verdict.is_final:
            raise ValidationError("Sáng kiến đã có kết luận.")
    else:
        verdict = Verdict(initiative=initiative)
    verdict.recognised = recognised
    verdict.method = method
    verdict.reason = reason
    verdict.final_score = stats.mean
    verdict.criterion_means = [format(m.normalize(), "f") for m in stats.criterion_means]
    verdict.is_final = True
    verdict.decided_by = actor
    if verdict.pk:
        verdict.version += 1
    verdict.save()
    old = initiative.status
    initiative.status = S.RECOGNISED if recognised else S.NOT_RECOGNISED
    initiative.version += 1
    initiative.save()
    audit.record(
        actor=actor,
        action="status",
        instance=initiative,
        changes={"status": [old, initiative.status], "final_score": [None, stats.mean]},
        note=reason,
    )
    verdict_text = (
        "được Hội đồng đề nghị công nhận" if recognised else f"không được công nhận. Lý do: {reason}"
    )
    _tell_unit_and_authors(
        initiative,
        Notice.Kind.VERDICT,
        f"{initiative.pk}-{initiative.version}",
        f"Sáng kiến «{initiative.title}» {verdict_text}",
    )
    return verdict


@transaction.atomic
def verdict_reopen(*, actor, verdict: Verdict, reason: str, expected_version: int | None = None) -> Verdict:
    verdict = Verdict.objects.select_for_update().select_related("initiative__campaign").get(pk=verdict.pk)
    initiative = verdict.initiative
    member = _council_member(actor, initiative)
    if not member.is_chair:
        raise PermissionDenied("Chỉ Chủ tịch Hội đồng mở lại được kết luận.")
    _check_version(verdict, expected_version)
    if initiative.campaign.status == Campaign.Status.DECIDED:
        raise ValidationError("Đã có quyết định công nhận; không mở lại kết luận được.")
    reason = nfc(reason.strip())
    if not reason:
        raise ValidationError("Mở lại kết luận phải ghi rõ lý do.")
    verdict.is_final = False
    verdict.reopen_reason = reason
    verdict.version += 1
    verdict.save()
    old = initiative.status
    initiative.status = S.ELIGIBLE
    initiative.version += 1
    initiative.save()
    audit.record(
        actor=actor,
        action="status",
        instance=initiative,
        changes={"status": [old, initiative.status]},
        note=reason,
    )
    return verdict


# Decision and afterlife ----------------------------------------------------------------------


@transaction.atomic
def decision_issue(
    *, actor, campaign: Campaign, number: str, decided_on: date, signer: str, signer_title: str
) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if actor is not None and not is_reviewer(actor, campaign):
        raise PermissionDenied("Chỉ cơ quan tiếp nhận mới trình được quyết định công nhận.")
    pending = campaign.initiatives.filter(status__in=[S.SUBMITTED, S.ELIGIBLE]).count()
    if pending:
        raise ValidationError(f"Còn {pending} sáng kiến chưa được thẩm định hoặc chưa có kết luận.")
    if not number.strip():
        raise ValidationError("Chưa nhập số quyết định.")
    campaign.decision_number = nfc(number.strip())
    campaign.decision_date = decided_on
    campaign.decision_signer = nfc(signer)
    campaign.decision_signer_title = nfc(signer_title)
    old = campaign.status
    campaign.status = Campaign.Status.DECIDED
    campaign.version += 1
    campaign.save()
    audit.record(
        actor=actor,
        action="status",
        instance=campaign,
        changes={"status": [old, campaign.status], "decision_number": [None, campaign.decision_number]},
    )
    return campaign


@transaction.atomic
def replication_record(
    *, actor, initiative: Initiative, unit: Unit, applied_on: date, note: str = ""
) -> Replication:
    if actor is not None and not scope_for(actor).can_edit_items_of(unit):
        raise PermissionDenied("Bạn chỉ ghi nhận được việc áp dụng cho đơn vị của mình.")
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if initiative.status != S.RECOGNISED:
        raise ValidationError("Chỉ nhân rộng được sáng kiến đã được công nhận.")
    unit = unit.organisation or unit
    if unit.pk == initiative.unit_id:
        raise ValidationError("Đơn vị đề xuất không tự ghi nhận nhân rộng sáng kiến của mình.")
    if applied_on > timezone.localdate():
        raise ValidationError("Ngày áp dụng không thể ở tương lai.")
    if Replication.objects.filter(initiative=initiative, unit=unit).exists():
        raise ValidationError(f"{unit} đã ghi nhận áp dụng sáng kiến này.")
    replication = Replication.objects.create(
        initiative=initiative, unit=unit, applied_on=applied_on, note=nfc(note), recorded_by=actor
    )
    audit.record(actor=actor, action="create", instance=initiative, note=f"Nhân rộng tại {unit}")
    return replication
