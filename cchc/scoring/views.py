"""PAR Index pages: seasons, the self-assessment form, the council's queue, the item page with its
ledger, rankings, and the public results (no login). Views parse, fetch through permissions, call
a service and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cchc.core.exceptions import ConflictError
from cchc.core.params import MAX_VERSION, MISSING_VERSION, int_or_none, posted_version
from cchc.org.permissions import scope_for
from cchc.scoring import output, selectors, services
from cchc.scoring.methods import allowed_label
from cchc.scoring.models import (
    Assessment,
    CouncilMember,
    ItemEvidence,
    ItemScore,
    Release,
    ScoreEntry,
    Season,
)
from cchc.scoring.permissions import (
    access_assessment,
    access_season,
    can_edit_self,
    can_manage,
    can_submit,
    is_conflicted,
    member_for,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STAGE_ORDER = [s.value for s in ScoreEntry.Stage]


def _refuse(request, exc) -> None:
    if isinstance(exc, ConflictError):
        messages.error(request, str(exc))
    else:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))


def _file(data: bytes, name: str, fmt: str) -> HttpResponse:
    response = HttpResponse(data, content_type=DOCX if fmt == "docx" else XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def home(request):
    """The seasons a person works in: the ones they run, their unit's assessments, their council."""
    scope = scope_for(request.user)
    seasons = list(Season.objects.select_related("criteria_set"))
    mine = [
        a
        for a in Assessment.objects.select_related("unit", "season").order_by("-season__year", "unit__name")
        if scope.can_edit_items_of(a.unit) and not scope.is_admin
    ]
    councils = CouncilMember.objects.filter(user=request.user).select_related("council__season")
    readable = [s for s in seasons if _can_see_season(request.user, s)]
    return render(
        request,
        "scoring/home.html",
        {"seasons": readable, "mine": mine, "councils": councils, "manager": can_manage(scope)},
    )


def _can_see_season(user, season) -> bool:
    try:
        access_season(user, season.pk)
    except Http404:
        return False
    return True


@login_required
def season_detail(request, pk: int):
    season = access_season(request.user, pk)
    hidden = selectors.hidden_units_for(request.user, season)
    rows = selectors.season_overview(season, hide_unit_ids=hidden)
    submitted = sum(1 for r in rows if r.assessment.status == Assessment.Status.SUBMITTED)
    return render(
        request,
        "scoring/season_detail.html",
        {
            "season": season,
            "rows": rows,
            "submitted": submitted,
            "manager": can_manage(scope_for(request.user)),
            "member": member_for(request.user, season),
            "releases": season.releases.all(),
            "lock_message": services.lock_message(season) if season.stage == Season.Stage.LOCKED else "",
        },
    )


@login_required
@require_POST
def season_action(request, pk: int, action: str):
    season = access_season(request.user, pk)
    actor = request.user
    try:
        if action == "advance":
            services.season_advance(
                actor=actor,
                season=season,
                to_stage=request.POST.get("to", ""),
                expected_version=posted_version(request.POST),
            )
        elif action == "lock":
            services.season_lock(
                actor=actor,
                season=season,
                reason=request.POST.get("reason", ""),
                expected_version=posted_version(request.POST),
            )
        elif action == "unlock":
            services.season_unlock(actor=actor, season=season, reason=request.POST.get("reason", ""))
        elif action == "publish":
            services.season_publish(actor=actor, season=season, note=request.POST.get("note", ""))
        elif action == "classify":
            services.heads_classify(actor=actor, season=season)
        else:
            raise Http404()
        messages.success(request, "Đã thực hiện.")
    except (ValidationError, PermissionDenied, ConflictError) as exc:
        _refuse(request, exc)
    return redirect("scoring:season_detail", pk=season.pk)


@login_required
def ranking_page(request, pk: int):
    season = access_season(request.user, pk)
    board = selectors.ranking(season, hide_unit_ids=selectors.hidden_units_for(request.user, season))
    return render(
        request,
        "scoring/ranking.html",
        {"season": season, "areas": board.areas, "rows": [r.as_json() for r in board.rows]},
    )


@login_required
def assessment_detail(request, pk: int):
    """The self-assessment form grouped by area, with running totals and the evidence inline."""
    assessment = access_assessment(request.user, pk)
    errors: list[str] = []
    editable = (
        can_edit_self(request.user, assessment)
        and assessment.season.stage == Season.Stage.SELF
        and assessment.status == Assessment.Status.DRAFT
    )
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("Bản tự đánh giá không sửa được lúc này.")
        entries, junk_version = {}, False
        for key, value in request.POST.items():
            if key.startswith("points_"):
                item_id = int_or_none(key.removeprefix("points_"), low=1)
                if item_id is None:
                    continue  # not a field the page renders
                raw_version = request.POST.get(f"version_{item_id}")
                version = int_or_none(raw_version, low=0, high=MAX_VERSION)
                junk_version |= raw_version not in (None, "") and version is None
                entries[item_id] = services.SelfEntry(
                    value,
                    request.POST.get(f"explanation_{item_id}", ""),
                    request.POST.get(f"override_{item_id}", ""),
                    version,
                )
        try:
            if junk_version:
                raise ValidationError(MISSING_VERSION)
            changed = services.assessment_save_self(
                actor=request.user, assessment=assessment, entries=entries
            )
            messages.success(request, f"Đã lưu {changed} tiêu chí.")
            return redirect("scoring:assessment_detail", pk=assessment.pk)
        except ConflictError as exc:
            response = render(request, "scoring/conflict.html", {"message": str(exc)}, status=409)
            return response
        except ValidationError as exc:
            errors = exc.messages
    tree = selectors.assessment_tree(assessment)
    nodes = selectors.flatten(tree)
    for node in nodes:
        if node.item is not None:
            node.allowed = allowed_label(node.criterion)
            node.posted = request.POST.get(f"points_{node.item.pk}") if errors else None
    total = sum((n.self_total for n in tree), 0)
    return render(
        request,
        "scoring/assessment_detail.html",
        {
            "assessment": assessment,
            "nodes": nodes,
            "total": total,
            "errors": errors,
            "editable": editable,
            "can_submit": can_submit(request.user, assessment)
            and assessment.season.stage == Season.Stage.SELF,
            "explaining": assessment.season.stage == Season.Stage.EXPLANATION
            and can_edit_self(request.user, assessment),
        },
    )


@login_required
@require_POST
def assessment_action(request, pk: int, action: str):
    assessment = access_assessment(request.user, pk)
    try:
        if action == "submit":
            services.assessment_submit(actor=request.user, assessment=assessment)
            messages.success(request, "Đã gửi bản tự đánh giá tới Sở Nội vụ.")
        elif action == "withdraw":
            services.assessment_withdraw(actor=request.user, assessment=assessment)
            messages.success(request, "Đã rút bản tự đánh giá để chỉnh sửa.")
        elif action == "propose":
            count = services.assessment_propose(actor=request.user, assessment=assessment)
            messages.success(request, f"Đã đề xuất điểm từ dữ liệu cho {count} tiêu chí.")
        else:
            raise Http404()
    except (ValidationError, PermissionDenied, ConflictError) as exc:
        _refuse(request, exc)
    return redirect("scoring:assessment_detail", pk=assessment.pk)


@login_required
def assessment_export(request, pk: int, fmt: str):
    assessment = access_assessment(request.user, pk)
    if fmt not in ("docx", "xlsx"):
        raise Http404()
    data = output.render(output.self_assessment_document(assessment), fmt)
    return _file(data, f"tu-danh-gia-{assessment.unit.code}-{assessment.season.year}", fmt)


def _access_item(user, pk: int) -> ItemScore:
    item = ItemScore.objects.select_related("criterion", "assessment").filter(pk=pk).first()
    if item is None:
        raise Http404("Không tìm thấy tiêu chí.")
    item.assessment = access_assessment(user, item.assessment_id)
    return item


@login_required
def item_detail(request, pk: int):
    """One item: its rule, evidence, the ledger of every stage, and the form the person may use."""
    item = _access_item(request.user, pk)
    season = item.assessment.season
    member = member_for(request.user, season)
    if member is not None and is_conflicted(member, item.assessment.unit):
        raise Http404()
    scores = list(item.member_scores.select_related("member__user"))
    own = next((s for s in scores if member and s.member_id == member.pk), None)
    secretary = member is not None and member.role in (CouncilMember.Role.SECRETARY, CouncilMember.Role.CHAIR)
    # Others' scores stay hidden until the member has entered their own (the secretary sees all).
    show_others = secretary or own is not None or (member is None and can_manage(scope_for(request.user)))
    points = [s.points for s in scores]
    ledger = sorted(item.ledger.select_related("actor"), key=lambda e: (STAGE_ORDER.index(e.stage), e.at))
    return render(
        request,
        "scoring/item_detail.html",
        {
            "item": item,
            "assessment": item.assessment,
            "season": season,
            "allowed": allowed_label(item.criterion),
            "evidence": item.evidence.all(),
            "ledger": ledger,
            "member": member,
            "own": own,
            "scores": scores if show_others else [],
            "spread": (max(points) - min(points)) if show_others and points else None,
            "secretary": secretary,
            "can_evidence": can_edit_self(request.user, item.assessment)
            and (
                (season.stage == Season.Stage.SELF and item.assessment.status == Assessment.Status.DRAFT)
                or season.stage == Season.Stage.EXPLANATION
            ),
            "can_explain": can_edit_self(request.user, item.assessment)
            and season.stage == Season.Stage.EXPLANATION,
            "link_kinds": [c for c in ItemEvidence.LinkKind.choices if c[0] != "file"],
            "methods": services.CouncilMethod.LABELS.items(),
            "figures": (item.proposed_figures or {}).get("figures", []),
            "can_rule": can_manage(scope_for(request.user))
            and season.stage in (Season.Stage.SELF, Season.Stage.APPRAISAL),
        },
    )


@login_required
@require_POST
def item_action(request, pk: int, action: str):
    item = _access_item(request.user, pk)
    post, actor = request.POST, request.user
    try:
        if action == "member":
            services.member_score(
                actor=actor,
                item=item,
                points=post.get("points"),
                reason=post.get("reason", ""),
                expected_version=posted_version(post),
            )
        elif action == "council":
            services.council_score(
                actor=actor,
                item=item,
                method=post.get("method", ""),
                points=post.get("points"),
                reason=post.get("reason", ""),
                comment=post.get("comment", ""),
                expected_version=posted_version(post),
            )
        elif action == "explain":
            services.item_explain(
                actor=actor, item=item, answer=post.get("answer", ""), expected_version=posted_version(post)
            )
        elif action == "decide":
            services.explanation_decide(
                actor=actor,
                item=item,
                points=post.get("points"),
                reason=post.get("reason", ""),
                expected_version=posted_version(post),
            )
        elif action == "applicable":
            services.item_set_applicable(
                actor=actor,
                item=item,
                applicable=post.get("applicable") == "1",
                reason=post.get("reason", ""),
            )
        elif action == "accept":
            services.item_accept_proposal(actor=actor, item=item, expected_version=posted_version(post))
        elif action == "upload":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError("Chưa chọn tệp.")
            services.evidence_attach(
                actor=actor, item=item, upload=upload, section_page=post.get("section_page", "")
            )
        elif action == "link":
            try:
                object_id = int(post.get("object_id", ""))
            except ValueError as exc:
                raise ValidationError("Số hiệu tài liệu phải là số.") from exc
            services.evidence_link(
                actor=actor,
                item=item,
                kind=post.get("kind", ""),
                object_id=object_id,
                section_page=post.get("section_page", ""),
            )
        else:
            raise Http404()
        messages.success(request, "Đã lưu.")
    except ConflictError as exc:
        return render(
            request,
            "scoring/conflict.html",
            {"message": str(exc), "back": reverse("scoring:item_detail", args=[item.pk])},
            status=409,
        )
    except (ValidationError, PermissionDenied) as exc:
        _refuse(request, exc)
    return redirect("scoring:item_detail", pk=item.pk)


@login_required
def evidence_download(request, pk: int):
    evidence = get_object_or_404(
        ItemEvidence.objects.select_related("item"), pk=pk, kind=ItemEvidence.LinkKind.FILE
    )
    access_assessment(request.user, evidence.item.assessment_id)
    response = HttpResponse(evidence.file.open("rb").read(), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{evidence.original_name}"'
    return response


@login_required
def council_queue(request, pk: int):
    """The member's units, "k/n" done by the member and by the council, and the next items."""
    season = get_object_or_404(Season, pk=pk)
    member = member_for(request.user, season)
    if member is None:
        raise Http404("Bạn không thuộc Hội đồng thẩm định của đợt này.")
    rows = selectors.council_queue(member)
    return render(request, "scoring/queue.html", {"season": season, "member": member, "rows": rows})


@login_required
def queue_unit(request, pk: int, assessment_id: int):
    """The items of one unit not yet appraised by me."""
    season = get_object_or_404(Season, pk=pk)
    member = member_for(request.user, season)
    assessment = access_assessment(request.user, assessment_id)
    if member is None or assessment.season_id != season.pk:
        raise Http404()
    items = list(
        assessment.items.filter(applicable=True)
        .exclude(member_scores__member=member)
        .select_related("criterion")
        .order_by("criterion__position")
    )
    return render(
        request, "scoring/queue_unit.html", {"season": season, "assessment": assessment, "items": items}
    )


def _require_manager_page(user) -> None:
    if not can_manage(scope_for(user)):
        raise Http404()


@login_required
def set_list(request):
    """Criteria sets for Sở Nội vụ: download any as .xlsx, import a new edition from a file."""
    from cchc.core.tabular import ImportFileError
    from cchc.scoring import excel
    from cchc.scoring.models import CriteriaSet

    _require_manager_page(request.user)
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            year = int(request.POST.get("year", ""))
        except ValueError:
            year = None
        if upload is None or year is None:
            errors = ["Cần chọn tệp và ghi năm đánh giá."]
        else:
            try:
                created = excel.import_set(
                    actor=request.user,
                    data=upload.read(),
                    filename=upload.name,
                    year=year,
                    block=request.POST.get("block", ""),
                    title=request.POST.get("title", ""),
                )
                messages.success(request, f"Đã nhập {created} ({created.criteria.count()} mục).")
                return redirect("scoring:set_list")
            except ImportFileError as exc:
                errors = [str(e) for e in exc.errors]
            except PermissionDenied as exc:
                errors = [str(exc)]
    sets = CriteriaSet.objects.order_by("-year", "block", "-edition")
    return render(request, "scoring/set_list.html", {"sets": sets, "errors": errors})


@login_required
def set_export(request, pk: int):
    from cchc.scoring import excel
    from cchc.scoring.models import CriteriaSet

    _require_manager_page(request.user)
    criteria_set = get_object_or_404(CriteriaSet, pk=pk)
    data = excel.export_set(criteria_set)
    return _file(
        data, f"bo-tieu-chi-{criteria_set.year}-{criteria_set.block}-v{criteria_set.edition}", "xlsx"
    )


@login_required
def heads(request, pk: int):
    """Heads' classification of a locked season: suggested from the index, overrides with a reason
    proposed by one person and approved by another."""
    from cchc.scoring.models import HeadClassification

    season = access_season(request.user, pk)
    _require_manager_page(request.user)
    if request.method == "POST":
        classification = get_object_or_404(
            HeadClassification.objects.select_related("assessment__season__criteria_set"),
            pk=request.POST.get("classification"),
            assessment__season=season,
        )
        try:
            if request.POST.get("action") == "approve":
                services.head_class_approve(actor=request.user, classification=classification)
            else:
                services.head_class_propose(
                    actor=request.user,
                    classification=classification,
                    level=request.POST.get("level", ""),
                    reason=request.POST.get("reason", ""),
                )
            messages.success(request, "Đã lưu.")
        except (ValidationError, PermissionDenied) as exc:
            _refuse(request, exc)
        return redirect("scoring:heads", pk=season.pk)
    rows = HeadClassification.objects.filter(assessment__season=season).select_related(
        "assessment__unit", "proposed_by", "approved_by"
    )
    levels = [level["label"] for level in season.criteria_set.head_levels]
    return render(request, "scoring/heads.html", {"season": season, "rows": rows, "levels": levels})


@login_required
def council_page(request, pk: int):
    """Sở Nội vụ sets up the council: members and roles, assignments, declared conflicts. Units a
    member is conflicted with are refused by name."""
    from cchc.org.models import Unit, User

    season = access_season(request.user, pk)
    _require_manager_page(request.user)
    council = season.council
    if request.method == "POST":
        post = request.POST
        try:
            action = post.get("action")
            if action == "add":
                user = User.objects.filter(username=post.get("username", "").strip()).first()
                unit = Unit.objects.filter(code=post.get("unit_code", "").strip()).first()
                if user is None or unit is None:
                    raise ValidationError("Không tìm thấy tên đăng nhập hoặc mã đơn vị.")
                services.council_add_member(
                    actor=request.user, season=season, user=user, unit=unit, role=post.get("role", "member")
                )
            else:
                member = get_object_or_404(
                    CouncilMember, pk=int_or_none(post.get("member"), low=1) or 0, council=council
                )
                if action == "assign":
                    chosen = [pk for pk in map(int_or_none, post.getlist("assessment")) if pk]
                    assessments = season.assessments.select_related("unit")
                    if chosen:
                        assessments = assessments.filter(pk__in=chosen)
                    else:
                        assessments = [a for a in assessments if not is_conflicted(member, a.unit)]
                    services.council_assign(actor=request.user, member=member, assessments=assessments)
                elif action == "declare":
                    unit = Unit.objects.filter(code=post.get("unit_code", "").strip()).first()
                    if unit is None:
                        raise ValidationError("Không tìm thấy mã đơn vị.")
                    services.council_declare_conflict(
                        actor=request.user, member=member, unit=unit, reason=post.get("reason", "")
                    )
                else:
                    raise Http404()
            messages.success(request, "Đã lưu.")
        except (ValidationError, PermissionDenied) as exc:
            _refuse(request, exc)
        except IntegrityError:
            messages.error(request, "Người này đã có trong Hội đồng.")
        return redirect("scoring:council", pk=season.pk)
    members = list(
        council.members.select_related("user", "unit").prefetch_related("declarations__unit", "assignments")
    )
    assessments = list(season.assessments.select_related("unit").order_by("unit__name"))
    rows = [
        {
            "member": m,
            "assigned": len(m.assignments.all()),
            "conflicts": [a.unit.name for a in assessments if is_conflicted(m, a.unit)],
        }
        for m in members
    ]
    return render(
        request,
        "scoring/council.html",
        {"season": season, "rows": rows, "assessments": assessments, "roles": CouncilMember.Role.choices},
    )


@login_required
def survey_page(request, pk: int):
    """Bulk entry of survey points per unit, with their source, until the survey module feeds them."""
    season = access_season(request.user, pk)
    _require_manager_page(request.user)
    errors: list[str] = []
    assessments = list(season.assessments.select_related("unit").order_by("unit__name"))
    if request.method == "POST":
        values = {a.pk: request.POST.get(f"survey_{a.pk}", "").strip() for a in assessments}
        try:
            saved = services.season_set_survey(
                actor=request.user, season=season, points=values, source=request.POST.get("source", "")
            )
            messages.success(request, f"Đã lưu điểm điều tra của {saved} đơn vị.")
            return redirect("scoring:survey", pk=season.pk)
        except (ValidationError, PermissionDenied) as exc:
            errors = getattr(exc, "messages", [str(exc)])
        for a in assessments:
            a.posted = request.POST.get(f"survey_{a.pk}", "")
    return render(
        request,
        "scoring/survey.html",
        {
            "season": season,
            "assessments": assessments,
            "errors": errors,
            "source": request.POST.get("source", ""),
        },
    )


# Public ----------------------------------------------------------------------------------------------


def public_index(request):
    """Published results, no login: the latest release of each season and the earlier ones."""
    releases = Release.objects.select_related("season").order_by("-season__year", "season__block", "-number")
    return render(request, "scoring/public_index.html", {"releases": releases})


def public_release(request, pk: int):
    release = get_object_or_404(Release.objects.select_related("season", "season__criteria_set"), pk=pk)
    areas = list(release.season.criteria_set.criteria.filter(parent__isnull=True).order_by("position"))
    rows = release.rows
    unit = request.GET.get("don-vi")
    chosen = next((r for r in rows if r["code"] == unit), None) if unit else None
    return render(
        request,
        "scoring/public_release.html",
        {"release": release, "areas": areas, "rows": rows, "chosen": chosen},
    )


def public_export(request, pk: int, fmt: str):
    release = get_object_or_404(Release.objects.select_related("season", "season__criteria_set"), pk=pk)
    if fmt not in ("docx", "xlsx"):
        raise Http404()
    board = selectors.Ranking(
        release.season,
        [],
        list(release.season.criteria_set.criteria.filter(parent__isnull=True).order_by("position")),
    )
    table = output.ranking_table(board, release.rows)
    data = output.render(output.ranking_document(release.season.year, [table]), fmt)
    return _file(data, f"chi-so-cchc-{release.season.year}-{release.season.block}-lan-{release.number}", fmt)
