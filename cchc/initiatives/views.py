"""Initiative pages: campaigns and their dashboard, the request form, the eligibility check, the
council's board and score sheet, verdicts, the recognition decision and the public library."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cchc.core import audit
from cchc.core.exceptions import ConflictError
from cchc.core.params import posted_version
from cchc.initiatives import documents, selectors, services
from cchc.initiatives.models import Attachment, Campaign, Initiative, Notice, Verdict
from cchc.initiatives.permissions import (
    access_campaign,
    access_initiative,
    campaigns_visible,
    can_edit,
    can_propose_for,
    can_submit,
    is_reviewer,
    member_for,
    visible_initiatives,
)
from cchc.org.models import Membership, Unit

AUTHOR_ROWS = 5
AUTHOR_KEYS = ("full_name", "birth_date", "workplace", "job_title", "qualification", "contribution", "email")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _home_unit(user) -> Unit | None:
    """The organisation a person works in (Sở Nội vụ for its standing officers, not the city they serve)."""
    membership = (
        Membership.objects.filter(user=user, is_active=True)
        .exclude(role=Membership.Role.VIEWER)
        .select_related("unit__organisation")
        .order_by("pk")
        .first()
    )
    if membership is None:
        return None
    return membership.unit.organisation or membership.unit


@login_required
def index(request):
    campaigns = list(campaigns_visible(request.user).select_related("issuer", "reviewing_unit"))
    notices = list(Notice.objects.filter(user=request.user).select_related("campaign")[:10])
    return render(request, "initiatives/index.html", {"campaigns": campaigns, "notices": notices})


@login_required
def campaign_detail(request, pk: int):
    campaign = access_campaign(request.user, pk)
    initiatives = Paginator(
        visible_initiatives(request.user)
        .filter(campaign=campaign)
        .select_related("unit", "field")
        .order_by("unit__name", "pk"),
        50,
    ).get_page(request.GET.get("page"))
    home = _home_unit(request.user)
    context = {
        "campaign": campaign,
        "fields": list(campaign.fields.all()),
        "criteria": list(campaign.criteria.all()),
        "initiatives": initiatives,
        "dashboard": selectors.dashboard(request.user, campaign),
        "reviewer": is_reviewer(request.user, campaign),
        "member": member_for(request.user, campaign),
        "can_propose": home is not None
        and campaign.status == Campaign.Status.OPEN
        and can_propose_for(request.user, home),
        "deadline": services.local_deadline_text(campaign),
        "top": selectors.top_awards(campaign) if campaign.status == Campaign.Status.DECIDED else [],
    }
    return render(request, "initiatives/campaign_detail.html", context)


@login_required
@require_POST
def campaign_notify(request, pk: int):
    campaign = access_campaign(request.user, pk)
    try:
        sent = services.campaign_notify(actor=request.user, campaign=campaign)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, f"Đã gửi thông báo phát động tới {sent} người.")
    return redirect("initiatives:campaign_detail", pk=campaign.pk)


def _authors_from(post) -> list[dict]:
    return [{k: post.get(f"author-{i}-{k}", "") for k in AUTHOR_KEYS} for i in range(AUTHOR_ROWS)]


def _author_rows(initiative: Initiative | None, post=None) -> list[dict]:
    if post is not None:
        return _authors_from(post)
    rows = []
    if initiative is not None:
        for a in initiative.authors.all():
            rows.append(
                {
                    "full_name": a.full_name,
                    "birth_date": a.birth_date.strftime("%d/%m/%Y") if a.birth_date else "",
                    "workplace": a.workplace,
                    "job_title": a.job_title,
                    "qualification": a.qualification,
                    "contribution": f"{a.contribution.normalize():f}",
                    "email": a.email,
                }
            )
    rows += [dict.fromkeys(AUTHOR_KEYS, "") for _ in range(AUTHOR_ROWS - len(rows))]
    return rows


def _form_values(initiative: Initiative | None, post=None) -> dict:
    names = (*services.TEXT_FIELDS, "field", "first_applied_on")
    if post is not None:
        return {n: post.get(n, "") for n in names}
    if initiative is None:
        return dict.fromkeys(names, "")
    values = {n: getattr(initiative, n) for n in services.TEXT_FIELDS}
    values["field"] = str(initiative.field_id)
    values["first_applied_on"] = initiative.first_applied_on.strftime("%d/%m/%Y")
    return values


def _form(request, campaign, initiative, values, authors, error="", status=200):
    return render(
        request,
        "initiatives/initiative_form.html",
        {
            "campaign": campaign,
            "initiative": initiative,
            "values": values,
            "authors": authors,
            "fields": list(campaign.fields.all()),
            "error": error,
            "deadline": services.local_deadline_text(campaign),
        },
        status=status,
    )


@login_required
def initiative_new(request, pk: int):
    campaign = access_campaign(request.user, pk)
    unit = _home_unit(request.user)
    if unit is None or not can_propose_for(request.user, unit) or campaign.status != Campaign.Status.OPEN:
        raise Http404("Không tìm thấy trang.")
    if request.method != "POST":
        return _form(request, campaign, None, _form_values(None), _author_rows(None))
    try:
        initiative = services.initiative_create(
            actor=request.user,
            campaign=campaign,
            unit=unit,
            data=_form_values(None, request.POST),
            authors=_authors_from(request.POST),
        )
    except (ValidationError, PermissionDenied) as exc:
        return _form(
            request,
            campaign,
            None,
            _form_values(None, request.POST),
            _author_rows(None, request.POST),
            _error_text(exc),
            400,
        )
    messages.success(request, "Đã lưu bản nháp sáng kiến.")
    return redirect("initiatives:initiative_detail", pk=initiative.pk)


@login_required
def initiative_edit(request, pk: int):
    initiative = access_initiative(request.user, pk)
    if not can_edit(request.user, initiative):
        raise Http404("Không tìm thấy trang.")
    campaign = initiative.campaign
    if request.method != "POST":
        return _form(request, campaign, initiative, _form_values(initiative), _author_rows(initiative))
    try:
        services.initiative_update(
            actor=request.user,
            initiative=initiative,
            expected_version=posted_version(request.POST),
            data=_form_values(None, request.POST),
            authors=_authors_from(request.POST),
        )
    except ConflictError as exc:
        return _form(
            request,
            campaign,
            initiative,
            _form_values(None, request.POST),
            _author_rows(None, request.POST),
            str(exc),
            409,
        )
    except (ValidationError, PermissionDenied) as exc:
        return _form(
            request,
            campaign,
            initiative,
            _form_values(None, request.POST),
            _author_rows(None, request.POST),
            _error_text(exc),
            400,
        )
    messages.success(request, "Đã lưu sáng kiến.")
    return redirect("initiatives:initiative_detail", pk=initiative.pk)


def _timeline(initiative: Initiative) -> list[dict]:
    """Every step in the order it happened, with status names in Vietnamese."""
    labels = dict(Initiative.Status.choices)
    steps = []
    for entry in reversed(list(audit.history_for(initiative)[:100])):
        status = entry.changes.get("status")
        if entry.action == "create":
            text = "Lập bản nháp"
        elif status and isinstance(status, list) and len(status) == 2:
            text = f"{labels.get(status[0], status[0])} → {labels.get(status[1], status[1])}"
        elif entry.action == "attach":
            text = f"Đính kèm {entry.changes.get('attachment', ['', ''])[1]}"
        else:
            text = entry.get_action_display()
        steps.append({"at": entry.created_at, "actor": entry.actor, "text": text, "note": entry.note})
    return steps


def _sees_figures(initiative: Initiative, member, reviewer: bool) -> bool:
    """Blind phase: a member (the chair included) sees the council's figures only after scoring."""
    if member is not None:
        return (
            initiative.reviews.filter(member=member).exists()
            or initiative.status != Initiative.Status.ELIGIBLE
        )
    return reviewer


def _detail(request, initiative: Initiative, error: str = "", status: int = 200):
    campaign = initiative.campaign
    member = member_for(request.user, campaign)
    verdict = Verdict.objects.filter(initiative=initiative).first()
    reviewer = is_reviewer(request.user, campaign)
    context = {
        "initiative": initiative,
        "campaign": campaign,
        "authors": list(initiative.authors.all()),
        "attachments": list(initiative.attachments.all()),
        "timeline": _timeline(initiative),
        "can_edit": can_edit(request.user, initiative),
        "can_submit": can_submit(request.user, initiative),
        "can_check": reviewer and initiative.status == Initiative.Status.SUBMITTED,
        "member": member,
        "verdict": verdict,
        "stats": selectors.aggregate(initiative) if _sees_figures(initiative, member, reviewer) else None,
        "can_decide": member is not None
        and member.is_chair
        and initiative.status == Initiative.Status.ELIGIBLE,
        "can_reopen": member is not None
        and member.is_chair
        and verdict is not None
        and verdict.is_final
        and campaign.status != Campaign.Status.DECIDED,
        "methods": Verdict.Method.choices,
        "error": error,
        "deadline": services.local_deadline_text(campaign),
    }
    return render(request, "initiatives/initiative_detail.html", context, status=status)


@login_required
def initiative_detail(request, pk: int):
    return _detail(request, access_initiative(request.user, pk))


def _act(request, pk: int, action):
    """Run a POST action; bad input re-renders the page with the message and nothing saved."""
    initiative = access_initiative(request.user, pk)
    try:
        message = action(initiative)
    except PermissionDenied as exc:
        raise Http404("Không tìm thấy trang.") from exc
    except ConflictError as exc:
        return _detail(request, initiative, str(exc), 409)
    except ValidationError as exc:
        return _detail(request, initiative, _error_text(exc), 400)
    messages.success(request, message)
    return redirect("initiatives:initiative_detail", pk=initiative.pk)


@login_required
@require_POST
def initiative_submit(request, pk: int):
    def action(initiative):
        services.initiative_submit(
            actor=request.user, initiative=initiative, expected_version=posted_version(request.POST)
        )
        return "Đã gửi sáng kiến tới cơ quan tiếp nhận."

    return _act(request, pk, action)


@login_required
@require_POST
def initiative_check(request, pk: int):
    def action(initiative):
        services.initiative_check(
            actor=request.user,
            initiative=initiative,
            expected_version=posted_version(request.POST),
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
        )
        return "Đã ghi kết quả thẩm định."

    return _act(request, pk, action)


@login_required
@require_POST
def attachment_upload(request, pk: int):
    def action(initiative):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError("Hãy chọn tệp cần đính kèm.")
        services.attachment_add(actor=request.user, initiative=initiative, upload=upload)
        return f"Đã đính kèm «{upload.name}»."

    return _act(request, pk, action)


@login_required
def attachment_download(request, pk: int):
    attachment = Attachment.objects.filter(pk=pk).first()
    if (
        attachment is None
        or not visible_initiatives(request.user).filter(pk=attachment.initiative_id).exists()
    ):
        raise Http404("Không tìm thấy tài liệu.")
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


@login_required
@require_POST
def conflict_declare(request, pk: int):
    def action(initiative):
        member = member_for(request.user, initiative.campaign)
        if member is None:
            raise PermissionDenied
        services.conflict_declare(
            actor=request.user, member=member, initiative=initiative, reason=request.POST.get("reason", "")
        )
        return "Đã ghi nhận xung đột lợi ích; ông/bà không chấm sáng kiến này."

    response = _act(request, pk, action)
    if response.status_code == 302:
        return redirect("initiatives:council", pk=access_campaign(request.user, _campaign_id(pk)).pk)
    return response


def _campaign_id(initiative_pk: int) -> int:
    return Initiative.objects.filter(pk=initiative_pk).values_list("campaign_id", flat=True).first() or 0


@login_required
@require_POST
def verdict_record(request, pk: int):
    def action(initiative):
        services.verdict_record(
            actor=request.user,
            initiative=initiative,
            recognised=request.POST.get("recognised") == "yes",
            method=request.POST.get("method", ""),
            reason=request.POST.get("reason", ""),
            expected_version=posted_version(request.POST),
        )
        return "Đã ghi kết luận của Hội đồng."

    return _act(request, pk, action)


@login_required
@require_POST
def verdict_reopen(request, pk: int):
    def action(initiative):
        verdict = Verdict.objects.filter(initiative=initiative).first()
        if verdict is None:
            raise ValidationError("Sáng kiến chưa có kết luận.")
        services.verdict_reopen(
            actor=request.user,
            verdict=verdict,
            reason=request.POST.get("reason", ""),
            expected_version=posted_version(request.POST),
        )
        return "Đã mở lại kết luận."

    return _act(request, pk, action)


@login_required
def council(request, pk: int):
    campaign = access_campaign(request.user, pk)
    member = member_for(request.user, campaign)
    if member is None and not is_reviewer(request.user, campaign):
        raise Http404("Không tìm thấy trang.")
    member, rows = selectors.council_board(request.user, campaign)
    return render(
        request,
        "initiatives/council.html",
        {
            "campaign": campaign,
            "member": member,
            "rows": rows,
            "done": sum(1 for r in rows if r.mine),
            "pending": [
                r for r in rows if r.mine is None and r.initiative.status == Initiative.Status.ELIGIBLE
            ],
            "discuss": [r for r in rows if r.to_discuss],
            "criteria": list(campaign.criteria.all()),
        },
    )


@login_required
def review(request, pk: int):
    initiative = access_initiative(request.user, pk)
    campaign = initiative.campaign
    member = member_for(request.user, campaign)
    if member is None:
        raise Http404("Không tìm thấy trang.")
    mine = initiative.reviews.filter(member=member).first()
    criteria = list(campaign.criteria.all())
    values = {c.code: (mine.scores.get(c.code, "") if mine else "") for c in criteria}
    comment = mine.comment if mine else ""
    error, status = "", 200
    if request.method == "POST":
        values = {c.code: request.POST.get(f"score_{c.code}", "") for c in criteria}
        comment = request.POST.get("comment", "")
        try:
            services.review_save(
                actor=request.user,
                initiative=initiative,
                scores=values,
                comment=comment,
                expected_version=posted_version(request.POST),
            )
        except PermissionDenied as exc:
            raise Http404("Không tìm thấy trang.") from exc
        except ConflictError as exc:
            error, status = str(exc), 409
        except ValidationError as exc:
            error, status = _error_text(exc), 400
        else:
            messages.success(request, "Đã lưu phiếu chấm.")
            return redirect("initiatives:council", pk=campaign.pk)
    return render(
        request,
        "initiatives/review.html",
        {
            "initiative": initiative,
            "campaign": campaign,
            "rows": [(c, values.get(c.code, "")) for c in criteria],
            "comment": comment,
            "mine": mine,
            "error": error,
            "authors": list(initiative.authors.all()),
        },
        status=status,
    )


@login_required
@require_POST
def decision_issue(request, pk: int):
    campaign = access_campaign(request.user, pk)
    try:
        decided_on = date.fromisoformat(request.POST.get("decided_on", ""))
    except ValueError:
        messages.error(request, "Ngày quyết định không hợp lệ. Chưa có gì được lưu.")
        return redirect("initiatives:campaign_detail", pk=campaign.pk)
    try:
        services.decision_issue(
            actor=request.user,
            campaign=campaign,
            number=request.POST.get("number", ""),
            decided_on=decided_on,
            signer=request.POST.get("signer", ""),
            signer_title=request.POST.get("signer_title", ""),
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, _error_text(exc) + " Chưa có gì được lưu.")
        return redirect("initiatives:campaign_detail", pk=campaign.pk)
    messages.success(request, "Đã ghi quyết định công nhận.")
    return redirect("initiatives:campaign_detail", pk=campaign.pk)


@login_required
def decision_export(request, pk: int, fmt: str):
    campaign = access_campaign(request.user, pk)
    if fmt not in ("docx", "xlsx"):
        raise Http404
    # The draft stays with Sở KH&CN until the decision is recorded; then every unit may download it.
    if campaign.status != Campaign.Status.DECIDED and not is_reviewer(request.user, campaign):
        raise Http404("Không tìm thấy trang.")
    document = documents.recognition_decision(campaign)
    if fmt == "docx":
        body, content_type = documents.render_docx(document), DOCX
    else:
        body, content_type = documents.render_xlsx(document), XLSX
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="quyet-dinh-cong-nhan-sang-kien-{campaign.year}.{fmt}"'
    )
    return response


# The public library --------------------------------------------------------------------------


def library(request):
    q = request.GET.get("q", "").strip()
    field_code = request.GET.get("linh_vuc", "").strip()
    try:
        year = int(request.GET.get("nam", "") or 0) or None
    except ValueError:
        year = None
    page = Paginator(selectors.library(q=q, field_code=field_code, year=year), 30).get_page(
        request.GET.get("page")
    )
    years = sorted(set(Campaign.objects.values_list("year", flat=True)), reverse=True)
    field_choices = sorted(
        set(
            Initiative.objects.filter(status=Initiative.Status.RECOGNISED).values_list(
                "field__code", "field__name"
            )
        )
    )
    return render(
        request,
        "initiatives/library.html",
        {
            "page": page,
            "q": q,
            "field_code": field_code,
            "year": year,
            "years": years,
            "field_choices": field_choices,
        },
    )


def _public(pk: int) -> Initiative:
    initiative = (
        Initiative.objects.filter(pk=pk, status=Initiative.Status.RECOGNISED)
        .select_related("unit", "field", "campaign")
        .first()
    )
    if initiative is None:
        raise Http404("Không tìm thấy sáng kiến.")
    return initiative


def library_detail(request, pk: int, error: str = "", status: int = 200):
    initiative = _public(pk)
    home = _home_unit(request.user) if request.user.is_authenticated else None
    can_replicate = (
        home is not None
        and home.pk != initiative.unit_id
        and can_propose_for(request.user, home)
        and not initiative.replications.filter(unit=home).exists()
    )
    return render(
        request,
        "initiatives/library_detail.html",
        {
            "initiative": initiative,
            "authors": list(initiative.authors.all()),
            "replications": list(initiative.replications.select_related("unit")),
            "can_replicate": can_replicate,
            "home": home,
            "error": error,
        },
        status=status,
    )


@login_required
@require_POST
def replication_record(request, pk: int):
    initiative = _public(pk)
    home = _home_unit(request.user)
    if home is None:
        raise Http404
    try:
        applied_on = date.fromisoformat(request.POST.get("applied_on", ""))
        services.replication_record(
            actor=request.user,
            initiative=initiative,
            unit=home,
            applied_on=applied_on,
            note=request.POST.get("note", ""),
        )
    except ValueError:
        return library_detail(request, pk, "Ngày áp dụng không hợp lệ. Chưa có gì được lưu.", 400)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return library_detail(request, pk, _error_text(exc), 400)
    messages.success(request, "Đã ghi nhận đơn vị áp dụng sáng kiến.")
    return redirect("initiatives:library_detail", pk=pk)
