"""Ranking with Hải Phòng's published 2025 results (domain-scoring.md §1) as the scores."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import load_workbook

from cchc.conftest import _person
from cchc.org import services as org
from cchc.org.models import Unit
from cchc.scoring import services
from cchc.scoring.models import HeadClassification, Method, Release
from cchc.scoring.selectors import RankRow, assign_ranks, ranking
from cchc.scoring.services import CriterionRow, SelfEntry

pytestmark = pytest.mark.django_db

# xã/đặc khu 2025, out of 100: the top three and the 68th; "Xã Hòa Bình" is a made-up tie with
# Quyết Thắng, and "Xã Vĩnh Hải" is left out of the ranking (68 ranked of 69).
PUBLISHED = [
    ("Đặc khu Cát Hải", "special_zone", "94.15"),
    ("Xã Quyết Thắng", "commune", "93.40"),
    ("Xã Hòa Bình", "commune", "93.40"),
    ("Xã An Lão", "commune", "92.94"),
    ("Xã Vĩnh Am", "commune", "73.37"),
]


def test_equal_indices_share_a_rank_and_the_next_is_skipped():
    rows = [RankRow(i, str(i), name, None, None, Decimal(v)) for i, (name, _, v) in enumerate(PUBLISHED)]
    rows.append(RankRow(9, "9", "Xã Vĩnh Hải", None, None, Decimal("99"), excluded=True))
    ranked = assign_ranks(rows)
    assert [(r.name, r.rank) for r in ranked] == [
        ("Đặc khu Cát Hải", 1),
        ("Xã Hòa Bình", 2),
        ("Xã Quyết Thắng", 2),
        ("Xã An Lão", 4),
        ("Xã Vĩnh Am", 5),
        ("Xã Vĩnh Hải", None),
    ]


@pytest.fixture
def hai_phong_2025(world, personas):
    """A one-criterion set (60 appraised + 40 survey), the units scored through every stage so
    that appraised + survey equals the published index, then locked."""
    actor = personas["city_standing"]
    criteria_set = services.set_create(
        actor=actor,
        year=2025,
        block=Unit.Block.COMMUNE,
        title="Bộ kiểm thử",
        appraised_points=60,
        survey_points=40,
        rows=[
            CriterionRow("1", "Tổng hợp", Decimal(60)),
            CriterionRow("1.1", "Điểm thẩm định", Decimal(60), method=Method.FREE),
        ],
    )
    units = []
    for i, (name, kind, _) in enumerate([*PUBLISHED, ("Xã Vĩnh Hải", "commune", "0")]):
        units.append(
            org.unit_create(
                actor=None, code=f"X{i}", name=name, kind=kind, parent=world.city, block="commune"
            )
        )
    season = services.season_open(
        actor=actor, criteria_set=criteria_set, self_deadline=date(2026, 1, 5), units=units
    )
    secretary = _person("thu_ky", world.home_affairs, "officer")
    services.council_add_member(
        actor=actor, season=season, user=secretary, unit=world.home_affairs, role="secretary"
    )
    for unit, (_, _, index) in zip(units, [*PUBLISHED, ("", "", "80")], strict=True):
        head = _person(f"head_{unit.code}", unit, "head")
        assessment = season.assessments.get(unit=unit)
        item = assessment.items.get()
        survey = Decimal("38.50")
        services.assessment_save_self(
            actor=head,
            assessment=assessment,
            entries={item.pk: SelfEntry(Decimal(index) - survey, "Theo báo cáo")},
        )
        services.assessment_submit(actor=head, assessment=assessment, today=date(2026, 1, 2))
        services.assessment_set_survey(
            actor=actor, assessment=assessment, points=survey, source="Điều tra XHH 2025"
        )
    services.assessment_exclude(
        actor=actor,
        assessment=season.assessments.get(unit=units[-1]),
        excluded=True,
        reason="Đơn vị mới sáp nhập",
    )
    services.season_advance(actor=actor, season=season, to_stage="appraisal")
    for assessment in season.assessments.all():
        item = assessment.items.get()
        services.council_score(
            actor=secretary, item=item, method="override", points=item.self_points, reason="Đúng"
        )
    season.refresh_from_db()
    services.season_advance(actor=actor, season=season, to_stage="explanation")
    season.refresh_from_db()
    services.season_lock(actor=actor, season=season, reason="Quyết định công bố ngày 09/01/2026")
    season.refresh_from_db()
    return season


def test_hai_phong_2025_communes_rank_in_the_published_order_with_ties_and_an_excluded_unit(hai_phong_2025):
    rows = ranking(hai_phong_2025).rows
    assert [(r.name, r.rank, str(r.index)) for r in rows] == [
        ("Đặc khu Cát Hải", 1, "94.15"),
        ("Xã Hòa Bình", 2, "93.40"),
        ("Xã Quyết Thắng", 2, "93.40"),
        ("Xã An Lão", 4, "92.94"),
        ("Xã Vĩnh Am", 5, "73.37"),
        ("Xã Vĩnh Hải", None, "80.00"),
    ]
    assert rows[0].band == "Xuất sắc" and rows[-1].excluded_reason == "Đơn vị mới sáp nhập"


def test_a_release_is_immutable_and_a_republication_lists_what_changed(hai_phong_2025, personas):
    actor = personas["city_standing"]
    first = services.season_publish(actor=actor, season=hai_phong_2025, note="Công bố kết quả")
    assert first.number == 1 and first.changes == []
    with pytest.raises(ValidationError, match="không thay đổi"):
        services.season_publish(actor=actor, season=hai_phong_2025)
    # an appeal: unlock, change Vĩnh Am's score after explanation, lock again
    services.season_unlock(actor=actor, season=hai_phong_2025, reason="Phúc khảo của xã Vĩnh Am")
    item = hai_phong_2025.assessments.get(unit__name="Xã Vĩnh Am").items.get()
    secretary = hai_phong_2025.council.members.get().user
    services.explanation_decide(actor=secretary, item=item, points="35,87", reason="Chấp nhận phúc khảo")
    hai_phong_2025.refresh_from_db()
    services.season_lock(actor=actor, season=hai_phong_2025, reason="Quyết định điều chỉnh")
    second = services.season_publish(actor=actor, season=hai_phong_2025, note="Sau phúc khảo")
    assert second.changes == ["Xã Vĩnh Am: chỉ số 73,37 → 74,37, xếp hạng 5 → 5."]
    assert Release.objects.get(pk=first.pk).rows[4]["index"] == "73,37"


def test_heads_are_classified_from_the_index_and_an_override_needs_a_reason_and_another_persons_approval(
    hai_phong_2025, personas, world
):
    actor = personas["city_standing"]
    services.heads_classify(actor=actor, season=hai_phong_2025)
    cat_hai = HeadClassification.objects.get(assessment__unit__name="Đặc khu Cát Hải")
    vinh_am = HeadClassification.objects.get(assessment__unit__name="Xã Vĩnh Am")
    assert cat_hai.final == "Hoàn thành xuất sắc nhiệm vụ"
    assert vinh_am.final == "Hoàn thành nhiệm vụ"
    with pytest.raises(ValidationError, match="lý do"):
        services.head_class_propose(
            actor=actor, classification=vinh_am, level="Không hoàn thành nhiệm vụ", reason=""
        )
    services.head_class_propose(
        actor=actor,
        classification=vinh_am,
        level="Không hoàn thành nhiệm vụ",
        reason="Để xảy ra sai phạm TTHC",
    )
    with pytest.raises(services.PermissionDenied):
        services.head_class_approve(actor=actor, classification=vinh_am)
    other = _person("pho_giam_doc", world.home_affairs, "standing")
    services.head_class_approve(actor=other, classification=vinh_am)
    vinh_am.refresh_from_db()
    assert vinh_am.final == "Không hoàn thành nhiệm vụ" and vinh_am.status == "approved"


def test_scoring_rank_prints_the_ranking_per_block(hai_phong_2025, capsys):
    call_command("scoring_rank", "--year", "2025")
    out = capsys.readouterr().out
    assert "Khối xã, đặc khu (kết quả chính thức)" in out
    lines = [line for line in out.splitlines() if "Xã" in line or "Đặc khu" in line]
    assert lines[0].split()[0] == "1" and "Cát Hải" in lines[0]
    assert "không xếp hạng: Đơn vị mới sáp nhập" in out


def test_scoring_export_writes_the_annex_as_xlsx_and_docx(hai_phong_2025, tmp_path):
    xlsx, docx_path = tmp_path / "kq.xlsx", tmp_path / "kq.docx"
    call_command("scoring_export", "--year", "2025", "--format", "xlsx", "--out", str(xlsx))
    call_command("scoring_export", "--year", "2025", "--format", "docx", "--out", str(docx_path))
    wb = load_workbook(io.BytesIO(xlsx.read_bytes()))
    text = " ".join(
        str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c
    )
    numbers = [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    # The annex writes points as numbers (shown 94,15 in a Vietnamese spreadsheet), not as text.
    assert "Đặc khu Cát Hải" in text and 94.15 in numbers
    import docx

    document = docx.Document(str(docx_path))
    cells = " ".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "Xã Vĩnh Am" in cells
