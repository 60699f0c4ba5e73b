"""Re-importing what the store already holds costs what it takes to see so: the same file is
recognised by its SHA-256 and not read, the same rows in another file are recognised month by month
by their digest, and a file with one changed dossier rewrites and recomputes only its month."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from cchc.core.models import AuditEntry
from cchc.delivery import partitions, services
from cchc.delivery.kpi.schema import COLUMN_NAMES
from cchc.delivery.models import DossierImport
from cchc.delivery.tests.factories import dossier, write_csv
from cchc.delivery.tests.test_partitions import _figures, _first_year, _sync


def _manifest(batch: DossierImport) -> dict:
    return partitions.read_manifest(services.store.store_dir() / batch.snapshot)


@pytest.fixture
def loaded(world, tmp_path):
    """The store after the first import of a quarter of dossiers: (batch, file, month figures)."""
    path = write_csv(tmp_path / "quy-1.csv", _first_year())
    first = services.dossiers_import(actor=None, path=path)
    assert first.status == "succeeded" and first.inserted == 158
    return first, path, _figures()


@pytest.fixture
def never_staged(monkeypatch):
    """Fails the test if the file is converted into a staged Parquet file (the costly pass)."""

    def refuse(*args, **kwargs):
        raise AssertionError("the file was staged")

    monkeypatch.setattr(services, "stage_file", refuse)


def test_the_same_file_again_is_recorded_as_no_change_without_being_read(loaded, monkeypatch, never_staged):
    first, path, figures = loaded
    monkeypatch.setattr(services, "aggregate_file", lambda *a, **k: pytest.fail("the file was read"))

    again = services.dossiers_import(actor=None, path=path, file_name="quy-1-lan-2.csv")

    assert again.status == "succeeded" and again.same_as == first
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 158)
    assert again.snapshot == "" and again.total_after == first.total_after
    assert (again.data_from, again.data_until) == (first.data_from, first.data_until)
    assert "Tệp giống hệt tệp «quy-1.csv» đã nhập thành công" in again.message
    assert services.current_import() == first and _figures() == figures
    assert AuditEntry.objects.filter(object_id=str(again.pk), action="import").exists()


def test_the_imports_page_says_the_file_was_already_imported(loaded, personas, login):
    first, path, _ = loaded
    again = services.dossiers_import(actor=personas["city_standing"], path=path)

    page = login(personas["city_standing"]).get(f"/dich-vu-cong/nhap-du-lieu/{again.pk}/").content.decode()

    assert "Tệp giống hệt tệp «quy-1.csv»" in page and "dữ liệu hồ sơ và số liệu chỉ số giữ nguyên" in page
    assert f'href="/dich-vu-cong/nhap-du-lieu/{first.pk}/"' in page


def test_forcing_reads_and_compares_the_same_file_again(loaded, monkeypatch):
    first, path, figures = loaded
    compared = []
    real = partitions.merge
    monkeypatch.setattr(partitions, "merge", lambda *a, **k: compared.append(k["by_digest"]) or real(*a, **k))

    again = services.dossiers_import(actor=None, path=path, force=True)

    assert compared == [False]  # every row compared, no digest trusted
    assert again.same_as is None and (again.rows_read, again.updated, again.unchanged) == (158, 0, 158)
    assert services.current_import() == first and _figures() == figures


def test_the_command_forces_a_re_import_with_force(loaded, capsys):
    _, path, _ = loaded
    call_command("import_dossiers", str(path))
    assert DossierImport.objects.latest("pk").same_as is not None
    call_command("import_dossiers", str(path), "--force")
    assert DossierImport.objects.latest("pk").same_as is None
    assert "rows=158 inserted=0 updated=0 unchanged=158" in capsys.readouterr().out


def test_the_same_file_after_another_import_changed_the_store_is_read_again(loaded, tmp_path):
    first, path, _ = loaded
    services.dossiers_import(actor=None, path=write_csv(tmp_path / "dong-bo.csv", _sync()))

    again = services.dossiers_import(actor=None, path=path)

    # The first file holds the older version of the dossier the sync finished late: it comes back.
    assert again.same_as is None and (again.inserted, again.updated) == (0, 1)


def _mapping():
    return services.mapping_save(
        actor=None, name="mot-cua", title="Một cửa", spec={"columns": {}}, expected_version=None
    )


def _edit(mapping) -> None:
    """A setting of the mapping changed through the admin's service (a new version)."""
    services.mapping_save(
        actor=None,
        name="mot-cua",
        title="Một cửa",
        spec={"columns": {}, "thousands_separator": "."},
        expected_version=mapping.version,
    )
    mapping.refresh_from_db()


def test_the_same_file_with_a_changed_mapping_is_read_again(world, tmp_path):
    mapping = _mapping()
    path = write_csv(tmp_path / "quy-1.csv", _first_year())
    services.dossiers_import(actor=None, path=path, mapping=mapping)
    _edit(mapping)

    again = services.dossiers_import(actor=None, path=path, mapping=mapping)

    assert again.same_as is None and again.rows_read == 158


def test_the_same_dossiers_written_otherwise_are_recognised_month_by_month_without_staging(
    loaded, tmp_path, never_staged
):
    first, _, figures = loaded
    # Other cells (codes padded with spaces, as some exports write them), the same dossiers once read.
    rows = [dict(r, dossier_code=f" {r['dossier_code']} ") for r in reversed(_first_year())]

    again = services.dossiers_import(actor=None, path=write_csv(tmp_path / "xuat-lai.csv", rows))

    assert again.status == "succeeded" and again.same_as is None
    assert (again.rows_read, again.inserted, again.updated, again.unchanged) == (158, 0, 0, 158)
    assert "Đã đọc và kiểm tra 158 dòng" in again.message
    assert "trùng khớp với dữ liệu hiện hành" in again.message
    assert services.current_import() == first and _figures() == figures


def test_a_re_export_in_another_row_and_column_order_is_known_by_its_content_without_converting_it(
    loaded, tmp_path, never_staged, monkeypatch
):
    first, _, figures = loaded
    monkeypatch.setattr(services, "aggregate_file", lambda *a, **k: pytest.fail("the file was converted"))
    reexport = write_csv(
        tmp_path / "xuat-lai.csv", list(reversed(_first_year())), columns=list(reversed(COLUMN_NAMES))
    )

    again = services.dossiers_import(actor=None, path=reexport)

    assert again.status == "succeeded" and again.same_as is None and again.sha256 != first.sha256
    assert (again.rows_read, again.inserted, again.updated, again.unchanged) == (158, 0, 0, 158)
    assert "cùng nội dung" in again.message and "«quy-1.csv»" in again.message
    assert again.content_digest == first.content_digest and again.month_digests == first.month_digests
    entry = AuditEntry.objects.get(object_id=str(again.pk), action="import")
    assert entry.changes["same_content_as"] == first.pk
    assert services.current_import() == first and _figures() == figures


def test_content_known_from_an_earlier_import_is_still_compared_with_the_store_of_now(loaded, tmp_path):
    first, _, _ = loaded
    services.dossiers_import(actor=None, path=write_csv(tmp_path / "dong-bo.csv", _sync()))
    reexport = write_csv(tmp_path / "xuat-lai.csv", list(reversed(_first_year())))

    again = services.dossiers_import(actor=None, path=reexport)

    # The re-export holds the older version of the dossier the sync finished late: it comes back.
    assert again.content_digest == first.content_digest
    assert (again.inserted, again.updated, again.unchanged) == (0, 1, 157)


def test_a_re_export_read_with_an_edited_mapping_is_converted_again(world, tmp_path, monkeypatch):
    mapping = _mapping()
    first = services.dossiers_import(
        actor=None, path=write_csv(tmp_path / "quy-1.csv", _first_year()), mapping=mapping
    )
    _edit(mapping)
    converted = []
    real = services.aggregate_file
    monkeypatch.setattr(services, "aggregate_file", lambda *a, **k: converted.append(1) or real(*a, **k))

    again = services.dossiers_import(
        actor=None, path=write_csv(tmp_path / "xuat-lai.csv", _first_year()[::-1]), mapping=mapping
    )

    assert converted == [1] and again.content_digest != first.content_digest
    assert again.status == "succeeded" and again.unchanged == 158


def test_a_file_with_a_problem_is_still_refused_with_its_rows(loaded, tmp_path):
    rows = _first_year()
    rows[3]["received_at"] = "32/13/2026"

    refused = services.dossiers_import(actor=None, path=write_csv(tmp_path / "loi.csv", rows))

    assert refused.status == "failed" and "dòng 5" in " ".join(refused.errors)


def test_one_changed_dossier_rewrites_and_compares_only_its_month(loaded, tmp_path, monkeypatch):
    first, _, _ = loaded
    before = _manifest(first)["partitions"]
    rows = _first_year()
    # A February dossier of 10930, open in the first file, now finished late.
    changed = next(i for i, r in enumerate(rows) if r["dossier_code"] == "10930-260205-0002")
    rows[changed] = dossier("10930", 2, "2026-02-05 09:00", done_days=9, due_days=3)
    merges = []
    real = partitions.merge
    monkeypatch.setattr(partitions, "merge", lambda *a, **k: merges.append(real(*a, **k)) or merges[-1])

    batch = services.dossiers_import(actor=None, path=write_csv(tmp_path / "sua.csv", rows))

    assert (batch.inserted, batch.updated, batch.unchanged) == (0, 1, 157)
    [merged] = merges
    assert merged.same_by_digest == ["2026-01", "2026-03"]  # not compared row by row
    assert merged.touched == ["2026-02"]
    assert [p.parent.name for p in merged.written] == ["rmonth=2026-02"]
    after = _manifest(batch)["partitions"]
    assert after["2026-01"] == before["2026-01"] and after["2026-03"] == before["2026-03"]
    assert after["2026-02"]["file"] != before["2026-02"]["file"]
    assert after["2026-02"]["digest"] != before["2026-02"]["digest"]
    incremental = _figures()
    call_command("recompute_kpis", "--all")
    assert _figures() == incremental


def test_digests_made_by_another_hash_are_recomputed_not_trusted(loaded, tmp_path, never_staged):
    first, _, figures = loaded
    root = services.store.store_dir()
    manifest = _manifest(first)
    manifest["digest_kind"] = "duckdb-0.1-other-hash"
    for p in manifest["partitions"].values():
        p["digest"] = "0:0:0"
    partitions.write_manifest(root, first.snapshot, manifest)

    again = services.dossiers_import(
        actor=None, path=write_csv(tmp_path / "xuat-lai.csv", _first_year()[::-1])
    )

    assert (again.status, again.unchanged) == ("succeeded", 158)
    assert services.current_import() == first and _figures() == figures


def test_a_file_digest_equals_the_digest_of_the_partition_written_from_it(loaded):
    first, path, _ = loaded
    con = services.store.connect()
    try:
        from_file = dict(
            services.aggregate_file(
                path, None, partitions.digests_sql("{rows}"), scratch_dir=services.store.store_dir(), con=con
            )
        )
    finally:
        con.close()
    assert from_file == {k: p["digest"] for k, p in _manifest(first)["partitions"].items()}


def test_the_upload_page_recognises_the_same_file_and_can_force_a_re_import(world, personas, login, tmp_path):
    path = write_csv(tmp_path / "quy-1.csv", _first_year())
    client = login(personas["city_standing"])

    def upload(**extra):
        with open(path, "rb") as handle:
            return client.post(
                "/dich-vu-cong/nhap-du-lieu/", {"file": handle, "mapping": "", **extra}, follow=True
            )

    assert "Nhập lại toàn bộ dù tệp không đổi" in client.get("/dich-vu-cong/nhap-du-lieu/").content.decode()
    upload()
    assert "Tệp giống hệt tệp «quy-1.csv»" in upload().content.decode()
    assert DossierImport.objects.latest("pk").same_as is not None
    forced = upload(force="on").content.decode()
    assert "Đã nhập 158 dòng: 0 hồ sơ mới, 0 cập nhật, 158 không đổi." in forced
    assert DossierImport.objects.latest("pk").same_as is None


def test_a_dossier_twice_in_an_otherwise_unchanged_file_is_refused(loaded, tmp_path):
    first, _, figures = loaded
    rows = _first_year()
    rows.append(dict(rows[0]))  # the very same January row once more: the month's digest differs

    refused = services.dossiers_import(actor=None, path=write_csv(tmp_path / "trung.csv", rows))

    assert refused.status == "failed" and "trùng" in " ".join(refused.errors)
    assert services.current_import() == first and _figures() == figures


def test_a_full_export_after_a_day_of_changes_converts_only_the_months_that_moved(
    loaded, tmp_path, monkeypatch
):
    first, _, _ = loaded
    rows = _first_year()
    # The next day's full export: one February dossier finished late, the other months as they were.
    changed = next(i for i, r in enumerate(rows) if r["dossier_code"] == "10930-260205-0002")
    rows[changed] = dossier("10930", 2, "2026-02-05 09:00", done_days=9, due_days=3)
    converted = []
    real = services.stage_file
    monkeypatch.setattr(
        services, "stage_file", lambda *a, **k: converted.append(k.get("months")) or real(*a, **k)
    )
    monkeypatch.setattr(services, "aggregate_file", lambda *a, **k: pytest.fail("a converting pass"))

    batch = services.dossiers_import(actor=None, path=write_csv(tmp_path / "ngay-sau.csv", rows[::-1]))

    assert converted == [{"2026-02"}]
    assert batch.status == "succeeded"
    assert (batch.rows_read, batch.inserted, batch.updated, batch.unchanged) == (158, 0, 1, 157)
    assert "106 dòng của 2 tháng có nội dung trùng với dữ liệu hiện hành" in batch.message
    entry = AuditEntry.objects.get(object_id=str(batch.pk), action="import")
    assert entry.changes["staged"] == 52
    # It records every month's content, so the day after can be known the same way.
    assert set(batch.month_digests["months"]) == {"2026-01", "2026-02", "2026-03"}
    assert batch.month_digests["months"]["2026-02"] != first.month_digests["months"]["2026-02"]
    incremental = _figures()
    call_command("recompute_kpis", "--all")
    assert _figures() == incremental

    converted.clear()
    again = services.dossiers_import(actor=None, path=write_csv(tmp_path / "ngay-sau-2.csv", rows))
    assert converted == [] and (again.status, again.unchanged) == ("succeeded", 158)


def test_a_dossier_of_an_unchanged_month_repeated_in_a_changed_month_is_refused(loaded, tmp_path):
    first, _, figures = loaded
    rows = _first_year()
    january = next(r for r in rows if r["received_at"].month == 1)
    # Its code once more, on a valid row submitted that day and received in February: each month
    # staged alone has no duplicate.
    february = dossier("10930", 77, "2026-02-02 09:00")
    rows.append(
        {**february, "dossier_code": january["dossier_code"], "submitted_at": january["submitted_at"]}
    )

    refused = services.dossiers_import(actor=None, path=write_csv(tmp_path / "trung-thang.csv", rows))

    assert refused.status == "failed"
    assert refused.errors == [
        f"dòng 2, cột dossier_code: mã hồ sơ «{january['dossier_code']}» trùng với dòng 160",
        f"dòng 160, cột dossier_code: mã hồ sơ «{january['dossier_code']}» trùng với dòng 2",
    ]
    assert services.current_import() == first and _figures() == figures
