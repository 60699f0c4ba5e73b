"""Every page and endpoint as each persona: anonymous, the unit's officer and head, a sibling
commune, the city's standing agency, a leader, Sở KH&CN, a council member and the conflicted member."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cchc.initiatives import services
from cchc.initiatives.tests.conftest import AUTHORS, CRITERIA, form_data, score

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "officer",
    "head",
    "sibling",
    "city_standing",
    "leader",
    "science",
    "member",
    "conflicted",
]


def _status(login, user, url, method="get", data=None):
    client = login(user)
    response = getattr(client, method)(url, data or {})
    return response.status_code


def _check(login, people, url, expected: dict, method="get", data=None):
    got = {who: _status(login, people[who], url, method, data) for who in expected}
    assert got == expected


def test_the_initiative_page_answers_each_persona(eligible, people, login):
    url = reverse("initiatives:initiative_detail", args=[eligible.pk])
    _check(
        login,
        people,
        url,
        {
            "anonymous": 302,
            "officer": 200,
            "head": 200,
            "sibling": 404,
            "city_standing": 200,
            "leader": 200,
            "science": 200,
            "member": 200,
            "conflicted": 404,
        },
    )


def test_the_campaign_dashboard_and_council_pages(eligible, people, login):
    campaign = eligible.campaign
    dashboard = reverse("initiatives:campaign_detail", args=[campaign.pk])
    _check(login, people, dashboard, {**dict.fromkeys(PERSONAS, 200), "anonymous": 302})
    council = reverse("initiatives:council", args=[campaign.pk])
    _check(
        login,
        people,
        council,
        {
            "anonymous": 302,
            "officer": 404,
            "head": 404,
            "sibling": 404,
            "city_standing": 404,
            "leader": 404,
            "science": 200,
            "member": 200,
            "conflicted": 200,
        },
    )
    review = reverse("initiatives:review", args=[eligible.pk])
    _check(
        login,
        people,
        review,
        {**dict.fromkeys(PERSONAS, 404), "anonymous": 302, "member": 200},
    )


def test_the_conflicted_member_sees_no_trace_of_the_initiative_on_the_council_page(eligible, people, login):
    score(people, eligible, "member")
    page = login(people["conflicted"]).get(reverse("initiatives:council", args=[eligible.campaign.pk]))
    body = page.content.decode()
    assert eligible.title not in body
    assert "0/0" in body
    page = login(people["member"]).get(reverse("initiatives:council", args=[eligible.campaign.pk]))
    assert "1/2" in page.content.decode()  # the conflicted member is not among those expected to score


def test_posts_outside_the_role_get_404_and_change_nothing(eligible, people, login):
    codes = {f"score_{c[0]}": "5" for c in CRITERIA}
    for who in ("officer", "sibling", "leader", "conflicted", "anonymous"):
        status = _status(login, people[who], reverse("initiatives:review", args=[eligible.pk]), "post", codes)
        assert status in (302, 404), who
    for who in ("officer", "member", "sibling"):
        status = _status(
            login,
            people[who],
            reverse("initiatives:verdict_record", args=[eligible.pk]),
            "post",
            {"recognised": "yes", "method": "mean", "version": eligible.version},
        )
        assert status == 404, who
    assert not eligible.reviews.exists()


def test_the_full_path_through_the_pages(campaign, people, login, council):
    officer = login(people["officer"])
    data = {**form_data(campaign)}
    for i, a in enumerate(AUTHORS):
        data[f"author-{i}-full_name"] = a["full_name"]
        data[f"author-{i}-contribution"] = a["contribution"]
    bad = {**data, "author-1-contribution": "30"}
    response = officer.post(reverse("initiatives:initiative_new", args=[campaign.pk]), bad)
    assert response.status_code == 400
    assert "Tổng tỷ lệ đóng góp" in response.content.decode()
    response = officer.post(reverse("initiatives:initiative_new", args=[campaign.pk]), data)
    assert response.status_code == 302
    initiative = campaign.initiatives.get()
    stale = officer.post(
        reverse("initiatives:initiative_edit", args=[initiative.pk]), {**data, "version": "0"}
    )
    assert stale.status_code == 409
    assert "người khác cập nhật" in stale.content.decode()
    # The real deadline (29/9/2025) has passed: the head's submission is refused with the reason.
    head = login(people["head"])
    response = head.post(reverse("initiatives:initiative_submit", args=[initiative.pk]), {"version": "1"})
    assert response.status_code == 400
    assert "quá hạn" in response.content.decode()
    page = head.get(reverse("initiatives:initiative_detail", args=[initiative.pk]))
    assert "Lập bản nháp" in page.content.decode()


def test_decision_exports_and_the_public_library(recognised, people, login):
    campaign = recognised.campaign
    services.decision_issue(
        actor=people["science"],
        campaign=campaign,
        number="3210/QĐ-UBND",
        decided_on=date(2025, 11, 28),
        signer="Hoàng Minh Cường",
        signer_title="PHÓ CHỦ TỊCH",
    )
    client = login(people["science"])
    docx = client.get(reverse("initiatives:decision_export", args=[campaign.pk, "docx"]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    xlsx = client.get(reverse("initiatives:decision_export", args=[campaign.pk, "xlsx"]))
    assert xlsx.status_code == 200
    anonymous = login(None)
    page = anonymous.get(reverse("initiatives:library"), {"q": "nhac han ho so"})
    assert recognised.title in page.content.decode()
    page = anonymous.get(reverse("initiatives:library"), {"q": "khong co"})
    assert recognised.title not in page.content.decode()
    detail = anonymous.get(reverse("initiatives:library_detail", args=[recognised.pk]))
    assert detail.status_code == 200 and "Có tài khoản Zalo" in detail.content.decode()
    sibling = login(people["sibling"])
    response = sibling.post(
        reverse("initiatives:replication_record", args=[recognised.pk]),
        {"applied_on": "2025-12-01", "note": "Tốt"},
    )
    assert response.status_code == 302
    assert recognised.replications.get().unit.name == "Xã Nam Sách"
    again = sibling.post(
        reverse("initiatives:replication_record", args=[recognised.pk]), {"applied_on": "2025-12-01"}
    )
    assert again.status_code == 400


def test_a_draft_is_not_in_the_library(draft, login):
    assert login(None).get(reverse("initiatives:library_detail", args=[draft.pk])).status_code == 404


def _initiatives(campaign, people, world, n):
    for k in range(n):
        services.initiative_create(
            actor=people["officer"],
            campaign=campaign,
            unit=world.mao_dien,
            data=form_data(campaign, title=f"Sáng kiến {k}"),
            authors=AUTHORS,
        )


def test_list_pages_do_not_grow_queries_with_rows(campaign, people, world, login, council):
    client = login(people["officer"])
    url = reverse("initiatives:campaign_detail", args=[campaign.pk])
    _initiatives(campaign, people, world, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _initiatives(campaign, people, world, 8)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_council_board_and_the_library_do_not_grow_queries_with_rows(
    campaign, people, world, login, council
):
    def add(n):
        for k in range(n):
            i = services.initiative_create(
                actor=people["officer"],
                campaign=campaign,
                unit=world.mao_dien,
                data=form_data(campaign, title=f"Sáng kiến {k}"),
                authors=AUTHORS,
            )
            from cchc.initiatives.tests.conftest import BEFORE

            i = services.initiative_submit(actor=people["head"], initiative=i, expected_version=1, now=BEFORE)
            i = services.initiative_check(
                actor=people["science"], initiative=i, expected_version=i.version, decision="eligible"
            )
            score(people, i, "member")
            services.verdict_record(actor=people["chair"], initiative=i, recognised=True, method="mean")

    member = login(people["member"])
    board = reverse("initiatives:council", args=[campaign.pk])
    library = reverse("initiatives:library")
    add(2)
    with CaptureQueriesContext(connection) as few_board:
        member.get(board)
    with CaptureQueriesContext(connection) as few_library:
        member.get(library)
    add(6)
    with CaptureQueriesContext(connection) as many_board:
        member.get(board)
    with CaptureQueriesContext(connection) as many_library:
        member.get(library)
    assert len(many_board) == len(few_board)
    assert len(many_library) == len(few_library)


def test_attachments_and_the_draft_decision_follow_the_same_rules(eligible, people, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cchc.core.tests.samples import tiny_pdf
    from cchc.initiatives.models import Attachment, Initiative

    Initiative.objects.filter(pk=eligible.pk).update(status="draft")
    eligible.refresh_from_db()
    services.attachment_add(
        actor=people["officer"], initiative=eligible, upload=SimpleUploadedFile("mo-ta.pdf", tiny_pdf())
    )
    Initiative.objects.filter(pk=eligible.pk).update(status="eligible")
    url = reverse("initiatives:attachment_download", args=[Attachment.objects.get().pk])
    _check(
        login,
        people,
        url,
        {"anonymous": 302, "officer": 200, "sibling": 404, "member": 200, "conflicted": 404, "leader": 200},
    )
    draft_decision = reverse("initiatives:decision_export", args=[eligible.campaign_id, "docx"])
    _check(
        login,
        people,
        draft_decision,
        {"anonymous": 302, "officer": 404, "sibling": 404, "member": 404, "science": 200, "leader": 404},
    )
    check = reverse("initiatives:initiative_check", args=[eligible.pk])
    for who in ("officer", "head", "member", "leader"):
        # With the version the page would post: refused for the role, not for a missing field.
        posted = {"decision": "return", "reason": "x", "version": eligible.version}
        assert _status(login, people[who], check, "post", posted) == 404, who


def test_the_library_never_shows_the_confidential_part(recognised, people, login):
    from cchc.initiatives.models import Initiative

    Initiative.objects.filter(pk=recognised.pk).update(confidential="Mã nguồn phần mềm nhắc hạn")
    page = login(None).get(reverse("initiatives:library_detail", args=[recognised.pk]))
    assert "Mã nguồn phần mềm" not in page.content.decode()


def test_an_administrator_edits_the_campaign_data_in_the_admin(campaign, people, login):
    admin = login(people["admin"])
    assert admin.get(reverse("admin:initiatives_campaign_changelist")).status_code == 200
    page = admin.get(reverse("admin:initiatives_campaign_change", args=[campaign.pk]))
    assert page.status_code == 200 and "Tính mới" in page.content.decode()
    assert login(people["science"]).get(reverse("admin:initiatives_campaign_changelist")).status_code == 302


def test_even_the_chair_sees_no_figures_before_scoring(eligible, people, login):
    score(people, eligible, "member", (9, 9, 9, 9))
    chair = login(people["chair"])
    url = reverse("initiatives:initiative_detail", args=[eligible.pk])
    assert 'id="council-figures"' not in chair.get(url).content.decode()
    score(people, eligible, "chair", (7, 7, 7, 7))
    assert "trung bình 80,00" in chair.get(url).content.decode()
    assert 'id="council-figures"' in login(people["science"]).get(url).content.decode()
