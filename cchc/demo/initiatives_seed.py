"""The seed's 2025 initiative campaign (Công văn 2345/UBND-NVKTGS, 11/9/2025) end to end: the notice
to every unit, seven initiatives from several units, one returned for supplements and resubmitted,
a four-member council in which the member from Xã Mao Điền's Văn phòng is conflicted with Mao Điền's
initiatives, scores, verdicts, the recognition decision, the top five and a replication."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from cchc.initiatives import services
from cchc.initiatives.models import Campaign
from cchc.org import services as org_services
from cchc.org.models import Membership, Unit, User

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# The same password as every demo account (printed by make run).
PASSWORD = "cchc@2026"

FIELDS = [
    (
        "a",
        "Công tác chỉ đạo điều hành",
        "Nâng cao hiệu quả chỉ đạo, điều hành công tác CCHC và vai trò người đứng đầu.",
    ),
    ("b", "Cải cách thể chế", "Nâng cao hiệu quả ban hành và thi hành văn bản quy phạm pháp luật."),
    (
        "c",
        "Cải cách thủ tục hành chính",
        "Rà soát, đơn giản hóa TTHC; tiết kiệm thời gian, chi phí của người dân.",
    ),
    ("d", "Cải cách tổ chức bộ máy hành chính", "Sắp xếp bộ máy tinh gọn, hiệu lực, hiệu quả."),
    ("đ", "Cải cách chế độ công vụ", "Xây dựng đội ngũ; kỷ luật, kỷ cương; đánh giá cán bộ lượng hóa."),
    ("e", "Cải cách tài chính công", "Phân phối, sử dụng nguồn lực tài chính hiệu quả."),
    (
        "g",
        "Xây dựng và phát triển Chính phủ điện tử, Chính phủ số",
        "Ứng dụng CNTT, chuyển đổi số, IOC, ISO.",
    ),
    ("h", "Nâng cao các chỉ số DTI, PCI, PAR Index, PGI", "Giải pháp nâng cao các chỉ số của thành phố."),
]
CRITERIA = [
    ("novelty", "Tính mới, tính sáng tạo", 3, 0, 10),
    ("effect", "Hiệu quả áp dụng", 3, 0, 10),
    ("replicability", "Khả năng nhân rộng", 3, 0, 10),
    ("scope", "Phạm vi ảnh hưởng", 1, 0, 10),
]

# (unit code or kind:index, field, title, owner, authors, scores per member: chair, snv, mao dien vp, stp)
INITIATIVES = [
    (
        "10930",
        "c",
        "Nhắn tin nhắc hạn hồ sơ thủ tục hành chính qua Zalo OA của xã",
        [("Đỗ Văn Hùng", 70), ("Nguyễn Thị Hồng", 30)],
        [(9, 9, 9, 8), (9, 8, 9, 8), None, (9, 9, 8, 8)],
    ),
    (
        "10930",
        "g",
        "Bản đồ số hộ nghèo và đối tượng bảo trợ xã hội xã Mao Điền",
        [("Nguyễn Đình Hiền", 100)],
        [(7, 8, 7, 7), (8, 7, 7, 7), None, (7, 7, 8, 7)],
    ),
    (
        "11948",
        "c",
        "Tiếp nhận hồ sơ thủ tục hành chính qua video cho ngư dân trên biển",
        [("Hoàng Văn Biển", 60), ("Đặng Quốc Đảo", 40)],
        [(10, 9, 8, 9), (9, 9, 8, 9), (9, 9, 9, 9), (10, 9, 8, 8)],
    ),
    (
        "SGDDT",
        "đ",
        "Bộ tiêu chí lượng hóa đánh giá, xếp loại viên chức quản lý trường học",
        [("Vũ Đức Thắng", 50), ("Phạm Thị Lan", 50)],
        [(8, 8, 8, 8), (8, 8, 8, 8), (8, 8, 8, 8), (8, 8, 8, 8)],
    ),
    (
        "10606",
        "c",
        "Phiếu hẹn điện tử có mã QR tra cứu tiến độ giải quyết hồ sơ",
        [("Trịnh Văn Nam", 100)],
        [(8, 9, 9, 7), (8, 8, 9, 8), (8, 9, 8, 8), (8, 8, 9, 8)],
    ),
    (
        "STC",
        "e",
        "Công khai tiến độ giải ngân vốn đầu tư công theo từng chủ đầu tư trên cổng thông tin",
        [("Ngô Thị Thanh", 100)],
        [(8, 7, 7, 7), (8, 7, 7, 7), (8, 7, 7, 7), (8, 7, 7, 7)],
    ),
    (
        "SXD",
        "a",
        "Giao ban trực tuyến công tác cải cách hành chính hằng tháng với các xã",
        [("Lê Hữu Phúc", 100)],
        [(4, 5, 4, 5), (5, 4, 4, 4), (4, 4, 5, 4), (5, 5, 4, 4)],
    ),
]


INITIATIVES_2026 = [
    (
        "10930",
        "h",
        "Tổ công nghệ số cộng đồng hướng dẫn người dân nộp hồ sơ trực tuyến tại thôn",
        [("Đỗ Văn Hùng", 100)],
        [(8, 8, 9, 8), (8, 9, 8, 8), None, (9, 8, 8, 8)],
    ),
    (
        "11948",
        "g",
        "Ký số hồ sơ thủ tục hành chính trên thiết bị di động cho ngư dân",
        [("Hoàng Văn Biển", 100)],
        [(9, 8, 8, 8), (8, 8, 8, 9), (8, 9, 8, 8), (8, 8, 9, 8)],
    ),
]


# Who drafts and who submits, where the demo has such a person (otherwise the loader itself).
DRAFTERS = {
    "10930": "maodien.chuyenvien",
    "11948": "blv.chuyenvien",
    "SGDDT": "sgddt.chuyenvien",
    "10606": "namsach.chuyenvien",
}
HEADS = {"10930": "maodien.lanhdao", "11948": "blv.lanhdao"}


def _user(username: str, full_name: str, unit: Unit, role: str, position: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = org_services.user_create(
            actor=None,
            username=username,
            password=PASSWORD,
            full_name=full_name,
            email=f"{username}@haiphong.gov.vn",
            position=position,
        )
        org_services.membership_grant(actor=None, user=user, unit=unit, role=role)
    return user


def _existing(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def load_initiatives_demo() -> Campaign:
    units = {
        u.code: u
        for u in Unit.objects.filter(
            code__in=["HP", "SKHCN", "SNV", "STP", "STC", "SXD", "10930", "11948", "SGDDT", "10606"]
        )
    }
    science = units["SKHCN"]
    officer = _user(
        "skhcn.chuyenvien", "Lương Thị Hoa", science, Membership.Role.OFFICER, "Chuyên viên Sở KH&CN"
    )
    chair = _user("skhcn.giamdoc", "Phạm Quang Huy", science, Membership.Role.HEAD, "Giám đốc Sở KH&CN")
    _user("stp.chuyenvien", "Mai Thanh Tùng", units["STP"], Membership.Role.OFFICER, "Chuyên viên Sở Tư pháp")
    campaign = _run(
        units, officer, chair, 2025, "2345/UBND-NVKTGS", date(2025, 9, 11), INITIATIVES, "3456/QĐ-UBND"
    )
    services.replication_record(
        actor=_existing("namsach.chuyenvien"),
        initiative=campaign.initiatives.get(unit__code="10930", field__code="c"),
        unit=units["10606"],
        applied_on=date(2026, 1, 5),
        note="Áp dụng tại Bộ phận một cửa xã Nam Sách; hồ sơ trễ hạn giảm từ 6% xuống 1%.",
    )
    # The call is yearly ("hằng năm"): the 2026 round, decided in November 2026, is what the 2026 PAR
    # Index counts, so the demo's self-assessments show the source at work.
    _run(units, officer, chair, 2026, "2150/UBND-NVKTGS", date(2026, 8, 28), INITIATIVES_2026, "3987/QĐ-UBND")
    return campaign


def _run(units, officer, chair, year, number, issued_on, table, decision_number) -> Campaign:
    science = units["SKHCN"]
    campaign = services.campaign_create(
        actor=officer,
        issuer=units["HP"],
        reviewing_unit=science,
        year=year,
        number=number,
        issued_on=issued_on,
        title="Nghiên cứu, đề xuất sáng kiến cải cách hành chính có tính đột phá để triển khai nhân rộng, "
        "áp dụng trên địa bàn thành phố",
        submission_deadline=datetime(year, 9, 29, 23, 59, tzinfo=TZ),
        decision_due=date(year, 11, 30),
        conditions=[
            "Lần đầu tiên được áp dụng hoặc áp dụng thử để nâng cao hiệu quả thực hiện nhiệm vụ cải cách hành "
            "chính trong phạm vi thành phố",
            "Đã mang lại hiệu quả rõ rệt hoặc có khả năng mang lại lợi ích thiết thực, nâng cao hiệu quả triển "
            "khai nhiệm vụ cải cách hành chính của thành phố",
        ],
        fields=FIELDS,
        criteria=CRITERIA,
    )
    services.campaign_notify(actor=officer, campaign=campaign)
    members = [
        services.member_assign(
            actor=officer,
            campaign=campaign,
            user=chair,
            unit=science,
            is_chair=True,
            role_title="Chủ tịch Hội đồng",
        )
    ]
    for username, unit_code, title in (
        ("snv.thuongtruc", "SNV", "Phó Chủ tịch Hội đồng"),
        ("maodien.vanphong", None, "Ủy viên"),
        ("stp.chuyenvien", "STP", "Ủy viên"),
    ):
        user = _existing(username)
        unit = units[unit_code] if unit_code else user.memberships.get().unit
        members.append(
            services.member_assign(actor=officer, campaign=campaign, user=user, unit=unit, role_title=title)
        )

    initiatives = []
    for position, (code, field_code, title, authors, _scores) in enumerate(table):
        unit = units[code]
        initiative = services.initiative_create(
            actor=_existing(DRAFTERS.get(code, "")),
            campaign=campaign,
            unit=unit,
            data={
                "title": title,
                "owner": unit.name,
                "field": campaign.fields.get(code=field_code).pk,
                "first_applied_on": date(year, 3 + position % 5, 1),
                "situation_before": "Người dân và công chức phải theo dõi thủ công; hồ sơ dễ trễ hạn, khó tra cứu.",
                "solution": f"{title}: quy trình được số hóa, phân công rõ người chịu trách nhiệm và thời hạn.",
                "conditions_to_apply": "Có đường truyền Internet và tài khoản trên các nền tảng số của thành phố.",
                "benefits": "Rút ngắn thời gian xử lý, giảm hồ sơ trễ hạn, tăng mức độ hài lòng của người dân.",
                "applied_by": f"{unit.name} áp dụng thử từ năm {year}.",
            },
            authors=[{"full_name": n, "contribution": str(p), "workplace": unit.name} for n, p in authors],
        )
        initiatives.append(initiative)

    for number, initiative in enumerate(initiatives):
        head = _existing(HEADS.get(initiative.unit.code, ""))
        initiative = services.initiative_submit(
            actor=head,
            initiative=initiative,
            expected_version=initiative.version,
            now=datetime(year, 9, 20 + number, 10, 0, tzinfo=TZ),
        )
        if initiative.unit.code == "10606":
            initiative = services.initiative_check(
                actor=officer,
                initiative=initiative,
                expected_version=initiative.version,
                decision="return",
                reason="Bổ sung số liệu hồ sơ trước và sau khi áp dụng và xác nhận của đơn vị áp dụng thử.",
            )
            initiative = services.initiative_submit(
                actor=head,
                initiative=initiative,
                expected_version=initiative.version,
                now=datetime(year, 10, 3, 9, 0, tzinfo=TZ),
            )
        services.initiative_check(
            actor=officer, initiative=initiative, expected_version=initiative.version, decision="eligible"
        )

    codes = [c[0] for c in CRITERIA]
    for initiative, (*_, sheets) in zip(initiatives, table, strict=True):
        for member, sheet in zip(members, sheets, strict=True):
            if sheet is None:
                continue  # conflicted by the unit tree: cannot score, and is not counted
            services.review_save(
                actor=member.user, initiative=initiative, scores=dict(zip(codes, sheet, strict=True))
            )
        recognised = initiative.unit.code != "SXD"
        services.verdict_record(
            actor=chair,
            initiative=initiative,
            recognised=recognised,
            method="mean",
            reason=""
            if recognised
            else "Chưa đáp ứng điều kiện «lần đầu tiên được áp dụng»: đã triển khai từ năm 2023.",
        )
    services.decision_issue(
        actor=officer,
        campaign=campaign,
        number=decision_number,
        decided_on=date(year, 11, 28 if year == 2025 else 26),
        signer="Hoàng Minh Cường",
        signer_title="PHÓ CHỦ TỊCH",
    )
    return campaign
