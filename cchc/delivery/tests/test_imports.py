"""Dossier imports through the service and the commands: all or nothing, idempotent, scoped."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from cchc.core.models import AuditEntry
from cchc.delivery import services
from cchc.delivery.models import DossierImport, KpiFigure
from cchc.delivery.tests.factories import dossier, write_csv


def _rows():
    rows = [dossier("10930", i, f"2026-01-{5 + i % 5:02d} 09:00", online=i % 10 != 0) for i in range(1, 21)]
    rows += [dossier("10606", i, "2026-02-03 10:00", done_days=6) for i in range(1, 6)]
    return rows


def _store_files() -> list[str]:
    """Every manifest and partition file of the store (no temporary leftovers)."""
    root = services.store.store_dir()
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and p.suffix in (".json", ".parquet") and p.name != "manifest.json"
    )


def test_importing_the_same_file_twice_changes_nothing_the_second_time(world, tmp_path):
    path = write_csv(tmp_path / "mot-cua.csv", _rows())
    first = services.dossiers_import(actor=None, path=path)
    figures = list(KpiFigure.objects.order_by("pk").values())

    second = services.dossiers_import(actor=None, path=path)

    assert (first.status, first.inserted, first.updated, first.unchanged) == ("succeeded", 25, 0, 0)
    assert (second.status, second.inserted, second.updated, second.unchanged) == ("succeeded", 0, 0, 25)
    assert second.snapshot == "" and services.current_import() == first
    assert second.total_after == first.total_after == 25
    assert list(KpiFigure.objects.order_by("pk").values()) == figures


def test_a_changed_dossier_is_updated_and_the_figures_follow(world, tmp_path):
    rows = _rows()
    services.dossiers_import(actor=None, path=write_csv(tmp_path / "a.csv", rows))
    rows[0] = dossier("10930", 1, "2026-01-06 09:00", done_days=7)  # now finished late, on 13/01
    rows.append(dossier("10930", 99, "2026-01-07 09:00"))

    batch = services.dossiers_import(actor=None, path=write_csv(tmp_path / "b.csv", rows))

    assert (batch.inserted, batch.updated, batch.unchanged, batch.total_after) == (1, 1, 24, 26)
    january = KpiFigure.objects.get(level="unit", unit_code="10930", field="", period="2026-01")
    assert (january.received, january.finished_late) == (21, 1)


def test_a_file_with_a_bad_row_imports_nothing_and_names_the_row(world, tmp_path):
    services.dossiers_import(actor=None, path=write_csv(tmp_path / "good.csv", _rows()))
    before = (KpiFigure.objects.count(), services.current_import())
    rows = _rows() + [dossier("10930", 77, "2026-03-02 08:00")]
    rows[3]["status"] = 12  # row 5 of the file (header is row 1)
    bad = write_csv(tmp_path / "bad.csv", rows)

    batch = services.dossiers_import(actor=None, path=bad)

    assert batch.status == DossierImport.Status.FAILED
    assert batch.error_count == 1
    assert "dòng 5" in batch.errors[0] and "«12»" in batch.errors[0]
    assert "không có hồ sơ nào được nhập" in batch.message
    assert (KpiFigure.objects.count(), services.current_import()) == before
    assert AuditEntry.objects.filter(object_id=str(batch.pk), action="import").exists()


def test_an_unknown_unit_code_is_refused_by_row(world, tmp_path):
    rows = _rows() + [dossier("99999", 1, "2026-01-05 09:00")]
    batch = services.dossiers_import(actor=None, path=write_csv(tmp_path / "x.csv", rows))
    assert batch.status == "failed"
    assert "dòng 27" in batch.errors[0] and "99999" in batch.errors[0]


def test_only_the_citys_standing_agency_and_admins_import(personas, tmp_path):
    path = write_csv(tmp_path / "a.csv", _rows())
    for name in ("officer", "head", "commune_standing", "department_officer", "leader"):
        with pytest.raises(PermissionDenied):
            services.dossiers_import(actor=personas[name], path=path)
    assert not DossierImport.objects.exists()
    batch = services.dossiers_import(actor=personas["city_standing"], path=path)
    assert batch.status == "succeeded" and batch.created_by == personas["city_standing"]


def test_the_import_command_prints_counts_and_named_bad_rows(world, tmp_path, capsys):
    path = write_csv(tmp_path / "a.csv", _rows())
    call_command("import_dossiers", str(path))
    call_command("import_dossiers", str(path))
    out = capsys.readouterr().out.splitlines()
    assert "rows=25 inserted=25 updated=0 unchanged=0 total=25" in out[0]
    # The same file again is recognised by its SHA-256, not read: no rows read, all 25 unchanged.
    assert any("rows=0 inserted=0 updated=0 unchanged=25 total=25" in line for line in out)
    assert any("Tệp giống hệt tệp «a.csv»" in line for line in out)

    rows = _rows()
    rows[1]["received_at"] = None  # status 10 without a reception date: row 3
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("import_dossiers", str(write_csv(tmp_path / "bad.csv", rows)))
    assert "dòng 3" in capsys.readouterr().err


def test_the_import_command_names_a_missing_mapping(world, tmp_path):
    with pytest.raises(CommandError, match="Không có cấu hình ánh xạ «khong-co»"):
        call_command("import_dossiers", str(tmp_path / "a.csv"), "--mapping", "khong-co")


def test_generate_then_import_a_year_for_the_world(world, tmp_path, capsys):
    out = tmp_path / "nam-2026.csv"
    call_command(
        "generate_dossiers", "--rows", "3000", "--year", "2026", "--out", str(out), "--as-of", "2026-11-23"
    )
    assert out.exists()
    # The generator draws Hải Phòng's real units; the test world has four of them and refuses the rest.
    batch = services.dossiers_import(actor=None, path=out)
    assert batch.status == "failed" and "không có trong danh mục" in batch.errors[0]


def test_a_saved_mapping_reads_a_vietnamese_export(world, tmp_path):
    from cchc.delivery.kpi.ingest import SourceMapping

    spec = SourceMapping(
        columns={"dossier_code": "Mã hồ sơ", "unit_code": "Mã đơn vị", "status": "Trạng thái"},
    ).to_json()
    mapping = services.mapping_save(
        expected_version=None, actor=None, name="mot-cua", title="Một cửa", spec=spec
    )
    rows = _rows()
    path = write_csv(tmp_path / "vn.csv", rows)
    text = path.read_text(encoding="utf-8").splitlines()
    header = (
        text[0]
        .replace("dossier_code", "Mã hồ sơ")
        .replace("unit_code", "Mã đơn vị")
        .replace("status", "Trạng thái")
    )
    path.write_text("\n".join([header, *text[1:]]) + "\n", encoding="utf-8")

    batch = services.dossiers_import(actor=None, path=path, mapping=mapping)

    assert batch.status == "succeeded", batch.errors
    assert batch.inserted == 25 and batch.mapping == mapping


def test_an_excel_export_imports_like_its_csv(world, tmp_path):
    from openpyxl import Workbook

    from cchc.delivery.kpi.schema import COLUMN_NAMES

    rows = _rows()
    book = Workbook()
    sheet = book.active
    sheet.title = "Hồ sơ"
    sheet.append(list(COLUMN_NAMES))
    for row in rows:
        sheet.append([row[name] for name in COLUMN_NAMES])
    book.save(tmp_path / "mot-cua.xlsx")

    from_excel = services.dossiers_import(actor=None, path=tmp_path / "mot-cua.xlsx")
    from_csv = services.dossiers_import(actor=None, path=write_csv(tmp_path / "mot-cua.csv", rows))

    assert (from_excel.status, from_excel.inserted) == ("succeeded", 25)
    assert (from_csv.inserted, from_csv.updated, from_csv.unchanged) == (0, 0, 25)


def test_the_import_command_shows_each_phase_of_its_progress(world, tmp_path, capsys):
    call_command("import_dossiers", str(write_csv(tmp_path / "a.csv", _rows())))
    err = capsys.readouterr().err
    for phase in ("Đọc và kiểm tra tệp", "Cập nhật kho hồ sơ", "Tính chỉ số"):
        assert phase in err
    assert "100.0%" in err


def test_a_failure_inside_the_engine_leaves_a_refused_batch_and_the_old_state(world, tmp_path, monkeypatch):
    services.dossiers_import(actor=None, path=write_csv(tmp_path / "a.csv", _rows()))
    before = (KpiFigure.objects.count(), services.current_import())
    files = _store_files()

    def broken(*args, **kwargs):
        raise OSError("đĩa đầy")

    monkeypatch.setattr(services, "compute_kpis", broken)
    rows = _rows() + [dossier("10930", 50, "2026-03-02 08:00")]
    with pytest.raises(OSError):
        services.dossiers_import(actor=None, path=write_csv(tmp_path / "b.csv", rows))

    batch = DossierImport.objects.latest("pk")
    assert batch.status == "failed" and "đĩa đầy" in batch.message
    assert (KpiFigure.objects.count(), services.current_import()) == before
    assert _store_files() == files and before[1].snapshot in files


def test_a_source_with_its_own_dossier_codes_imports_when_its_mapping_says_so(world, tmp_path):
    from cchc.delivery.kpi.ingest import SourceMapping

    rows = _rows()
    for i, row in enumerate(rows, start=1):
        row["dossier_code"] = f"000.00.12.H26-{i:06d}"
    path = write_csv(tmp_path / "ma-rieng.csv", rows)
    strict = services.dossiers_import(actor=None, path=path)
    assert strict.status == "failed" and strict.error_count == 25

    spec = SourceMapping(dossier_code_format=False).to_json()
    mapping = services.mapping_save(
        expected_version=None, actor=None, name="ma-rieng", title="Hệ thống có mã riêng", spec=spec
    )
    relaxed = services.dossiers_import(actor=None, path=path, mapping=mapping)
    assert (relaxed.status, relaxed.inserted) == ("succeeded", 25)


def test_a_source_with_its_own_unit_codes_imports_through_its_mapping(world, tmp_path):
    from cchc.delivery.kpi.ingest import SourceMapping

    rows = _rows()
    own = {"10930": "000.00.12.H26", "10606": "000.00.07.H26"}
    for i, row in enumerate(rows, start=1):
        row["unit_code"] = own[row["unit_code"]]
        row["dossier_code"] = f"H26-{i:06d}"
    rows[7]["unit_code"] = "000.00.99.H26"  # row 9: not in the table, and not one of ours
    path = write_csv(tmp_path / "dinh-danh.csv", rows)
    spec = SourceMapping(unit_codes={v: k for k, v in own.items()}, dossier_code_format=False).to_json()
    mapping = services.mapping_save(
        expected_version=None, actor=None, name="dinh-danh", title="Mã định danh", spec=spec
    )

    refused = services.dossiers_import(actor=None, path=path, mapping=mapping)
    assert refused.status == "failed" and refused.error_count == 1
    assert "dòng 9" in refused.errors[0] and "000.00.99.H26" in refused.errors[0]

    rows[7]["unit_code"] = "000.00.12.H26"
    batch = services.dossiers_import(actor=None, path=write_csv(path, rows), mapping=mapping)
    assert (batch.status, batch.inserted) == ("succeeded", 25)
    january = KpiFigure.objects.get(level="unit", unit_code="10930", field="", period="2026-01")
    assert january.received == 20
