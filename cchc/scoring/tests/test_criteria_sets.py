from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import load_workbook

from cchc.core.tabular import ImportFileError
from cchc.org.models import Unit
from cchc.scoring import excel, samples, services
from cchc.scoring.models import CriteriaSet, Method
from cchc.scoring.services import CriterionRow

pytestmark = pytest.mark.django_db


def _cells(data: bytes) -> dict[str, list[list]]:
    import io

    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_the_sample_set_adds_up_to_sixty_appraised_points_and_is_titled_as_a_sample(commune_set):
    assert commune_set.appraised_points == 60 and commune_set.survey_points == 40
    assert commune_set.title.startswith("BỘ MẪU")
    assert commune_set.criteria.filter(parent__isnull=True).count() == 8


def test_a_set_whose_children_do_not_add_up_is_refused_naming_the_item(world, personas):
    rows = samples.sample_rows(Unit.Block.COMMUNE)
    rows[1].max_points = Decimal(6)  # 1.1 claims 6 while 1.1.1 + 1.1.2 make 5
    with pytest.raises(ValidationError) as caught:
        services.set_create(
            actor=personas["city_standing"],
            year=2026,
            block="commune",
            title="x",
            appraised_points=60,
            rows=rows,
        )
    assert any("mục 1.1 có điểm tối đa 6 nhưng các mục con cộng lại 5" in m for m in caught.value.messages)
    assert not CriteriaSet.objects.exists()


def test_only_home_affairs_creates_sets(world, personas):
    with pytest.raises(services.PermissionDenied):
        services.set_create(
            actor=personas["officer"],
            year=2026,
            block="commune",
            title="x",
            appraised_points=1,
            rows=[CriterionRow("1", "A", Decimal(1), method=Method.FREE)],
        )


def test_the_set_round_trips_through_xlsx_unchanged(commune_set, personas):
    first = excel.export_set(commune_set)
    copy = excel.import_set(
        actor=personas["city_standing"], data=first, filename="bo.xlsx", year=2026, block="xa"
    )
    assert copy.edition == 2
    assert _cells(excel.export_set(copy)) == _cells(first)
    assert [
        (c.code, c.method, c.bands, c.threshold, c.max_points, c.min_points, c.source)
        for c in copy.criteria.all()
    ] == [
        (c.code, c.method, c.bands, c.threshold, c.max_points, c.min_points, c.source)
        for c in commune_set.criteria.all()
    ]


def test_an_imported_set_with_a_bad_row_names_sheet_row_and_column_and_saves_nothing(commune_set, personas):
    import io

    wb = load_workbook(io.BytesIO(excel.export_set(commune_set)))
    ws = wb[excel.SHEET]
    ws["C4"] = "hai"  # row 4 is 1.1.1's maximum
    ws["E5"] = "Chấm bừa"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ImportFileError) as caught:
        excel.import_set(actor=None, data=out.getvalue(), filename="bo.xlsx", year=2027, block="xa")
    messages = [str(e) for e in caught.value.errors]
    assert "Trang tính «Bộ tiêu chí», dòng 4, cột C: «hai» không phải là số." in messages
    assert any(
        m.startswith("Trang tính «Bộ tiêu chí», dòng 5, cột E: cách chấm «Chấm bừa»") for m in messages
    )
    assert not CriteriaSet.objects.filter(year=2027).exists()


def test_the_cau_mau_rule_text_is_read_into_bands(world):
    bands = excel._parse_pairs("Ban hành kịp thời: 1; Ban hành không kịp thời: 0,5; Không ban hành: 0")
    assert bands == [
        ("Ban hành kịp thời", Decimal(1)),
        ("Ban hành không kịp thời", Decimal("0.5")),
        ("Không ban hành", 0),
    ]


def test_opening_a_season_freezes_the_set_and_a_new_version_is_a_copy(season, personas):
    criteria_set = season.criteria_set
    criteria_set.refresh_from_db()
    assert criteria_set.status == CriteriaSet.Status.FROZEN
    criterion = criteria_set.criteria.get(code="2.1")
    with pytest.raises(ValidationError, match="đã khóa"):
        services.criterion_update(actor=personas["city_standing"], criterion=criterion, content="Sửa")
    copy = services.set_copy(actor=personas["city_standing"], criteria_set=criteria_set, year=2027)
    assert copy.status == CriteriaSet.Status.DRAFT and copy.copied_from == criteria_set
    assert copy.criteria.count() == criteria_set.criteria.count()


def test_the_import_command_loads_a_set_for_a_year_and_block(commune_set, tmp_path, capsys):
    path = tmp_path / "bo-tieu-chi.xlsx"
    path.write_bytes(excel.export_set(commune_set))
    call_command("scoring_import_set", str(path), "--year", "2027", "--block", "xa")
    imported = CriteriaSet.objects.get(year=2027)
    assert imported.block == Unit.Block.COMMUNE and imported.criteria.count() == commune_set.criteria.count()
    assert "Đã nhập" in capsys.readouterr().out
