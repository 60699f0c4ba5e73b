"""An initiatives world on top of the shared one: Sở KH&CN receives the dossiers, a 2025 campaign
with the seed's fields and a four-criterion rubric, and a three-member council in which the member
from Xã Mao Điền's Văn phòng is conflicted with Mao Điền's initiatives by the unit tree."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cchc.conftest import _person

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DEADLINE = datetime(2025, 9, 29, 23, 59, tzinfo=VN)
FIELDS = [
    ("a", "Công tác chỉ đạo điều hành", ""),
    ("c", "Cải cách thủ tục hành chính", ""),
    ("g", "Xây dựng và phát triển Chính phủ điện tử, Chính phủ số", ""),
]
CRITERIA = [
    ("novelty", "Tính mới", 3, 0, 10),
    ("effect", "Hiệu quả", 3, 0, 10),
    ("replicability", "Khả năng nhân rộng", 3, 0, 10),
    ("scope", "Phạm vi ảnh hưởng", 1, 0, 10),
]


@pytest.fixture
def science(world):
    from cchc.org import services as org
    from cchc.org.models import Unit

    return org.unit_create(
        actor=None,
        code="SKHCN",
        name="Sở Khoa học và Công nghệ",
        kind=Unit.Kind.DEPARTMENT,
        parent=world.city,
        block=Unit.Block.DEPARTMENT,
    )


@pytest.fixture
def people(personas, science, world):
    return {
        **personas,
        "science": _person("science", science, "officer"),
        "chair": _person("chair", science, "head"),
        "member": _person("member", world.home_affairs, "officer"),
        "conflicted": _person("conflicted", world.mao_dien_office, "officer"),
    }


@pytest.fixture
def campaign(world, science, people):
    from cchc.initiatives import services

    return services.campaign_create(
        actor=people["science"],
        issuer=world.city,
        reviewing_unit=science,
        year=2025,
        number="2345/UBND-NVKTGS",
        issued_on=date(2025, 9, 11),
        title="Nghiên cứu, đề xuất sáng kiến cải cách hành chính có tính đột phá",
        submission_deadline=DEADLINE,
        conditions=["Lần đầu tiên được áp dụng", "Đã mang lại hiệu quả rõ rệt"],
        fields=FIELDS,
        criteria=CRITERIA,
    )


@pytest.fixture
def council(campaign, people, science, world):
    from cchc.initiatives import services

    return {
        "chair": services.member_assign(
            actor=people["science"], campaign=campaign, user=people["chair"], unit=science, is_chair=True
        ),
        "member": services.member_assign(
            actor=people["science"], campaign=campaign, user=people["member"], unit=world.home_affairs
        ),
        "conflicted": services.member_assign(
            actor=people["science"], campaign=campaign, user=people["conflicted"], unit=world.mao_dien_office
        ),
    }


def form_data(campaign, **overrides):
    data = {
        "title": "Phần mềm nhắc hạn hồ sơ thủ tục hành chính qua Zalo",
        "owner": "Ủy ban nhân dân xã Mao Điền",
        "field": campaign.fields.get(code="c").pk,
        "first_applied_on": "01/03/2025",
        "situation_before": "Hồ sơ trễ hạn do không theo dõi được.",
        "solution": "Tự động nhắc cán bộ trước hạn hai ngày.",
        "conditions_to_apply": "Có tài khoản Zalo OA của xã.",
        "benefits": "Giảm 80% hồ sơ trễ hạn.",
        "applied_by": "Bộ phận một cửa xã",
        "confidential": "",
    }
    data.update(overrides)
    return data


AUTHORS = [
    {"full_name": "Nguyễn Văn An", "contribution": "60", "email": "an@maodien.gov.vn"},
    {"full_name": "Trần Thị Bình", "contribution": "40"},
]


@pytest.fixture
def draft(campaign, people, world):
    from cchc.initiatives import services

    return services.initiative_create(
        actor=people["officer"],
        campaign=campaign,
        unit=world.mao_dien,
        data=form_data(campaign),
        authors=AUTHORS,
    )


BEFORE = datetime(2025, 9, 20, 9, 0, tzinfo=VN)


@pytest.fixture
def eligible(draft, people, council):
    from cchc.initiatives import services

    submitted = services.initiative_submit(
        actor=people["head"], initiative=draft, expected_version=1, now=BEFORE
    )
    return services.initiative_check(
        actor=people["science"], initiative=submitted, expected_version=submitted.version, decision="eligible"
    )


def score(people, initiative, who, values=(8, 8, 8, 8)):
    from cchc.initiatives import services

    codes = [c[0] for c in CRITERIA]
    return services.review_save(
        actor=people[who], initiative=initiative, scores=dict(zip(codes, values, strict=True))
    )


@pytest.fixture
def recognised(eligible, people):
    score(people, eligible, "member", (9, 9, 9, 9))
    score(people, eligible, "chair", (8, 8, 8, 8))
    from cchc.initiatives import services

    services.verdict_record(actor=people["chair"], initiative=eligible, recognised=True, method="mean")
    eligible.refresh_from_db()
    return eligible
