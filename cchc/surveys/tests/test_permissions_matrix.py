"""Every survey page and endpoint for every persona. The round asks Mao Điền and Nam Sách; the city
(Sở Nội vụ as its standing agency) runs it. 404, not 403, outside the scope."""

import pytest
from django.urls import reverse

from cchc.surveys import services
from cchc.surveys.tests.conftest import all_answers
from cchc.testing import check_matrix

#                  anon off  offi head cstd sib  city dept lead admin
PUBLIC = "200  200  200  200  200  200  200  200  200  200"
HIDDEN = "404  404  404  404  404  404  404  404  404  404"
LISTS = "302  200  200  200  200  200  200  200  200  200"
ROUND = "302  200  200  200  200  200  200  404  200  200"
MAO_DIEN = "302  200  200  200  200  404  200  404  200  200"
PAPER_MAO_DIEN = "302  200  404  200  200  404  200  404  404  200"
MANAGERS = "302  404  404  404  404  404  200  404  404  200"


def test_every_survey_page_answers_each_persona_as_its_scope_allows(
    world, personas, login, surveys, monkeypatch
):
    from cchc.surveys import exports

    # Access only: the conversion itself is tested with LibreOffice in test_public_form.
    monkeypatch.setattr(exports, "poster_pdf", lambda channel, url: b"%PDF-1.4 test")
    desk, round_ = surveys.mao_dien_desk.slug, surveys.round.pk
    pages = [
        (reverse("surveys:form", args=[desk]), PUBLIC),
        (reverse("surveys:thanks", args=[desk]), PUBLIC),
        (reverse("surveys:qr", args=[desk, "svg"]), PUBLIC),
        (reverse("surveys:qr", args=[desk, "png"]), PUBLIC),
        (reverse("surveys:public_results", args=[round_]), HIDDEN),
        (reverse("surveys:rounds"), LISTS),
        (reverse("surveys:round", args=[round_]), ROUND),
        (reverse("surveys:results_csv", args=[round_]), ROUND),
        (reverse("surveys:results_xlsx", args=[round_]), ROUND),
        (reverse("surveys:answers_csv", args=[round_]), MANAGERS),
        (reverse("surveys:poster", args=[desk]), MAO_DIEN),
        (reverse("surveys:poster_pdf", args=[desk]), MAO_DIEN),
        (reverse("surveys:paper", args=[desk]), PAPER_MAO_DIEN),
        (reverse("surveys:paper_import", args=[desk]), "302  405  405  405  405  405  405  405  405  405"),
        (reverse("surveys:publish", args=[round_]), "302  405  405  405  405  405  405  405  405  405"),
    ]
    failures = check_matrix(login, personas, pages)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "persona", ["officer", "sibling", "leader", "commune_standing", "department_officer"]
)
def test_only_the_surveys_managers_publish(personas, login, surveys, persona):
    page = login(personas[persona]).post(reverse("surveys:publish", args=[surveys.round.pk]))
    assert page.status_code == 404
    surveys.round.refresh_from_db()
    assert surveys.round.status == "open"


def test_the_manager_publishes_and_then_everyone_sees_the_public_results(personas, login, surveys):
    page = login(personas["city_standing"]).post(reverse("surveys:publish", args=[surveys.round.pk]))
    assert page.status_code == 302
    check = check_matrix(
        login, personas, [(reverse("surveys:public_results", args=[surveys.round.pk]), PUBLIC)]
    )
    assert not check, "\n".join(check)


def test_before_publication_a_unit_sees_nothing_of_another_unit(world, personas, login, surveys, submit):
    for _ in range(6):
        submit(surveys.mao_dien_desk, 5)
    for _ in range(6):
        submit(surveys.nam_sach_desk, 2)
    html = login(personas["sibling"]).get(reverse("surveys:round", args=[surveys.round.pk])).content.decode()
    assert "Xã Nam Sách" in html and "Xã Mao Điền" not in html and surveys.mao_dien_desk.slug not in html
    csv_text = b"".join(
        login(personas["sibling"])
        .get(reverse("surveys:results_csv", args=[surveys.round.pk]))
        .streaming_content
    ).decode()
    assert "Xã Nam Sách" in csv_text and "Mao Điền" not in csv_text


def test_raw_answers_export_streams_every_response_for_the_manager(personas, login, surveys):
    for i in range(1205):  # more than one read chunk
        services.response_submit(
            channel=surveys.mao_dien_desk,
            raw=all_answers(5, **{"de-xuat": f"=Ý kiến {i}"}),
            submission_uuid=f"00000000-0000-4000-8000-{i:012d}",
        )
    page = login(personas["city_standing"]).get(reverse("surveys:answers_csv", args=[surveys.round.pk]))
    lines = b"".join(page.streaming_content).decode().splitlines()
    assert len(lines) == 1 + 1205
    assert "'=Ý kiến 0" in lines[1]  # a formula-looking answer stays text


def test_published_results_hide_a_unit_below_the_minimum_count(client, personas, surveys, submit):
    for _ in range(5):
        submit(surveys.mao_dien_desk, 5)
    for _ in range(2):
        submit(surveys.nam_sach_desk, 1)
    services.round_publish(actor=personas["city_standing"], round_=surveys.round)
    html = client.get(reverse("surveys:public_results", args=[surveys.round.pk])).content.decode()
    nam_sach_row = html.split("<td>Xã Nam Sách</td>")[1].split("</tr>")[0]
    assert "ẩn (dưới 5 phiếu)" in nam_sach_row and "0,00%" not in nam_sach_row
    mao_dien_row = html.split("<td>Xã Mao Điền</td>")[1].split("</tr>")[0]
    assert "100,00%" in mao_dien_row
    assert "<script" not in html and "style=" not in html
