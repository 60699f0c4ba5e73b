"""The PAR Index in the demo: a SAMPLE criteria set per block, the 2026 season of each block, and
self-assessments from the seeds' units (Mao Điền, Bạch Long Vĩ, Sở GD&ĐT) whose data-bound items
take the scores proposed from cchc's own plans, reports and dossiers.

The commune and department blocks go through appraisal, one explanation and the lock, and are
published; the ward block stays in its self-assessment stage so the form can be tried. Besides the
seeds' units a few other units of each block are scored so a ranking has something to rank: their
scores are illustrative (said so in every explanation), computed from the unit code, never taken
as real results."""

import zlib
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from cchc.org import services as org_services
from cchc.org.models import Membership, Unit
from cchc.plans.models import Plan
from cchc.scoring import methods, samples, services
from cchc.scoring.models import Assessment, Method, Season

YEAR = 2026
SELF_DEADLINE = date(2027, 1, 15)
SUBMITTED_ON = date(2027, 1, 12)
EXPLAINED_ON = date(2027, 2, 3)
ILLUSTRATIVE = "Dữ liệu minh họa của bản demo, không phải kết quả thật."
# (block, seed unit codes, how many other units of the block join the demo season)
BLOCKS = [
    (Unit.Block.COMMUNE, ["10930", "11948"], 6),
    (Unit.Block.DEPARTMENT, ["SGDDT"], 5),
    (Unit.Block.WARD, [], 4),
]
COUNCIL = [
    ("hoidong.thuky", "Ngô Thị Thanh", "Thư ký Hội đồng thẩm định Chỉ số CCHC", "secretary"),
    ("hoidong.thanhvien", "Lương Văn Phúc", "Thành viên Hội đồng thẩm định Chỉ số CCHC", "member"),
]


def _hash(*parts: str) -> int:
    return zlib.crc32("|".join(parts).encode())


def _illustrative_points(criterion, unit_code: str) -> Decimal:
    h = _hash(unit_code, criterion.code)
    if criterion.method in (Method.BANDS, Method.RATE_BANDS):
        index = 0 if h % 4 else min(1, len(criterion.bands) - 1)
        return methods.as_decimal(criterion.bands[index]["points"])
    if criterion.method == Method.YES_NO:
        return criterion.max_points if h % 6 else Decimal(0)
    if criterion.method == Method.BONUS:
        return Decimal(1) if criterion.max_points > 0 and h % 3 == 0 else Decimal(0)
    share = Decimal(70 + h % 31) / 100
    return (criterion.max_points * share).quantize(Decimal("0.25"), ROUND_HALF_UP)


def _council_users(home_affairs: Unit) -> list:
    users = []
    for username, name, position, _ in COUNCIL:
        user = org_services.user_create(
            actor=None,
            username=username,
            password="cchc@2026",
            full_name=name,
            email=f"{username}@haiphong.gov.vn",
            position=position,
        )
        org_services.membership_grant(actor=None, user=user, unit=home_affairs, role=Membership.Role.OFFICER)
        users.append(user)
    return users


def _self_assess(assessment: Assessment, officer, head) -> None:
    unit = assessment.unit
    services.assessment_propose(actor=officer, assessment=assessment)
    entries = {}
    for item in assessment.items.select_related("criterion").filter(applicable=True):
        if item.proposed_points is not None:
            entries[item.pk] = services.SelfEntry(
                item.proposed_points, "Điểm đề xuất từ dữ liệu của hệ thống, đơn vị thống nhất."
            )
        else:
            entries[item.pk] = services.SelfEntry(
                _illustrative_points(item.criterion, unit.code),
                f"Theo báo cáo kết quả của đơn vị. {ILLUSTRATIVE}",
            )
    services.assessment_save_self(actor=officer, assessment=assessment, entries=entries)
    plan = Plan.objects.filter(issuer=unit).order_by("issued_on").first()
    if plan is not None:
        first = assessment.items.get(criterion__code="1.1.1")
        services.evidence_link(
            actor=officer, item=first, kind="plan", object_id=plan.pk, section_page="toàn văn"
        )
    services.assessment_submit(actor=head, assessment=assessment, today=SUBMITTED_ON)
    survey = Decimal(300 + _hash(unit.code, "survey") % 95) / 10
    services.assessment_set_survey(
        actor=None,
        assessment=assessment,
        points=survey,
        source=f"Chưa có kết quả điều tra XHH. {ILLUSTRATIVE}",
    )


DISPUTED = "1.1.1"


def _appraise(season: Season, secretary, member, dissenting_unit: str) -> None:
    """The council keeps most self-scores. On the seed unit's yearly-plan item the members
    disagree and the council lowers it, which the unit then explains."""
    for assessment in season.assessments.filter(status=Assessment.Status.SUBMITTED).select_related("unit"):
        for item in assessment.items.filter(applicable=True).select_related(
            "criterion", "assessment__season"
        ):
            if assessment.unit.code == dissenting_unit and item.criterion.code == DISPUTED:
                services.member_score(
                    actor=member.user,
                    item=item,
                    points="0,5",
                    reason="Chưa thấy kế hoạch CCHC năm 2026 riêng",
                )
                services.member_score(actor=secretary.user, item=item, points=1, reason="")
                services.council_score(
                    actor=secretary.user,
                    item=item,
                    method="override",
                    points="0,5",
                    reason="Hội đồng biểu quyết: chỉ có kế hoạch giai đoạn, chưa có kế hoạch năm",
                    comment="Đề nghị đơn vị giải trình kế hoạch CCHC năm 2026.",
                )
            else:
                services.council_score(actor=secretary.user, item=item, method="keep")


def load_scoring_demo(users: dict[str, object] | None = None) -> dict[str, int]:
    from cchc.org.models import User

    users = users or {u.username: u for u in User.objects.all()}
    home_affairs = Unit.objects.get(code="SNV")
    standing = users.get("snv.thuongtruc")
    thu_ky, thanh_vien = _council_users(home_affairs)
    counts = {"seasons": 0, "assessments": 0}
    for block, seed_codes, others in BLOCKS:
        criteria_set = services.set_create(
            actor=standing,
            year=YEAR,
            block=block,
            title=samples.sample_title(block, YEAR),
            basis="Bộ mẫu dựng theo cấu trúc trong tài liệu nghiệp vụ; thành phố nạp bộ tiêu chí chính thức bằng tệp Excel.",
            appraised_points=60,
            survey_points=40,
            rows=samples.sample_rows(block),
            is_sample=True,
        )
        seeds = list(Unit.objects.filter(code__in=seed_codes))
        rest = list(
            services.block_units(block)
            .exclude(code__in=[*seed_codes, "SNV"])
            .order_by("sort_order", "code")[:others]
        )
        season = services.season_open(
            actor=standing,
            criteria_set=criteria_set,
            self_deadline=SELF_DEADLINE,
            appraisal_deadline=date(2027, 1, 31),
            explanation_deadline=date(2027, 2, 10),
            units=seeds + rest,
        )
        counts["seasons"] += 1
        counts["assessments"] += len(seeds) + len(rest)
        if block == Unit.Block.WARD:
            continue
        for assessment in season.assessments.select_related("unit"):
            code = assessment.unit.code
            officer = users.get({"10930": "maodien.chuyenvien", "11948": "blv.chuyenvien"}.get(code, ""))
            head = users.get({"10930": "maodien.lanhdao", "11948": "blv.lanhdao"}.get(code, ""))
            _self_assess(assessment, officer, head)
        services.season_advance(actor=standing, season=season, to_stage="appraisal")
        season.refresh_from_db()
        secretary = services.council_add_member(
            actor=standing, season=season, user=thu_ky, unit=home_affairs, role="secretary"
        )
        member = services.council_add_member(
            actor=standing, season=season, user=thanh_vien, unit=home_affairs
        )
        services.council_assign(actor=standing, member=member, assessments=season.assessments.all())
        if block == Unit.Block.COMMUNE and "maodien.vanphong" in users:
            # A member from Mao Điền's own office: conflicted with Mao Điền, which they never see.
            office = Unit.objects.get(code="10930-VP")
            conflicted = services.council_add_member(
                actor=standing, season=season, user=users["maodien.vanphong"], unit=office
            )
            services.council_assign(
                actor=standing, member=conflicted, assessments=season.assessments.exclude(unit__code="10930")
            )
        dissenting = seed_codes[0]
        _appraise(season, secretary, member, dissenting)
        services.season_advance(actor=standing, season=season, to_stage="explanation")
        season.refresh_from_db()
        item = (
            season.assessments.get(unit__code=dissenting)
            .items.select_related("criterion")
            .get(criterion__code=DISPUTED)
        )
        explainer = users.get("maodien.chuyenvien") if dissenting == "10930" else None
        services.item_explain(
            actor=explainer,
            item=item,
            answer="Kế hoạch giai đoạn 2026 - 2030 có phụ lục nhiệm vụ và thời hạn của năm 2026, ban hành trước "
            "ngày 31/01/2026; đơn vị không ban hành kế hoạch năm riêng theo hướng dẫn của Sở Nội vụ.",
            today=EXPLAINED_ON,
        )
        services.explanation_decide(
            actor=secretary.user,
            item=item,
            points=1,
            reason="Chấp nhận giải trình: kế hoạch giai đoạn có nhiệm vụ năm 2026.",
        )
        season.refresh_from_db()
        services.season_lock(
            actor=standing, season=season, reason="Kết quả thẩm định đã được Hội đồng thông qua (demo)"
        )
        season.refresh_from_db()
        services.season_publish(
            actor=standing, season=season, note="Công bố kết quả (dữ liệu demo, bộ tiêu chí mẫu)"
        )
        services.heads_classify(actor=standing, season=season)
    return counts
