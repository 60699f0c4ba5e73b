"""The partitioned dossier store: an import rewrites the partitions it touches and recomputes the
figures it can have changed, and gives the same month figures as a full rebuild."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from cchc.delivery import partitions, services
from cchc.delivery.kpi.periods import MEASURES
from cchc.delivery.models import DossierImport, KpiFigure
from cchc.delivery.tests.factories import dossier, write_csv


def _figures() -> list[tuple]:
    """Every month figure as a comparable tuple (sums of floats rounded: their order differs)."""
    rows = KpiFigure.objects.values(
        "level", "unit_code", "unit_id", "field", "period", "period_start", *MEASURES
    )
    return sorted(tuple(round(v, 6) if isinstance(v, float) else v for v in row.values()) for row in rows)


def _first_year() -> list[dict]:
    rows = []
    for month in (1, 2, 3):
        rows += [
            dossier("10930", i, f"2026-{month:02d}-{3 + i % 20:02d} 09:00", done_days=i % 6, due_days=3)
            for i in range(1, 31)
        ]
        rows += [
            dossier("10930-VP", i, f"2026-{month:02d}-{5 + i % 15:02d} 10:00", done_days=None, due_days=4 + i)
            for i in range(1, 6)
        ]
        rows += [
            dossier("10606", i, f"2026-{month:02d}-04 08:00", done_days=2, field="Đất đai")
            for i in range(1, 11)
        ]
        rows += [
            dossier("SGDDT", i, f"2026-{month:02d}-10 08:00", done_days=5, due_days=2) for i in range(1, 8)
        ]
    # The export day: something happened on 28/03.
    rows.append(dossier("10606", 99, "2026-03-25 08:00", done_days=3))
    # Open, due 29/03: not late on the export day 28/03, late once a sync moves it to 30/03.
    rows.append(dossier("10606-VHXH", 1, "2026-03-26 08:00", done_days=None, due_days=3))
    return rows


def _sync() -> list[dict]:
    """A day's sync: a February dossier of 10930 finished late now, new March dossiers of 10930-VP
    (one open, due before the new export day), and a later export day (30/03)."""
    rows = [dossier("10930", 2, "2026-02-05 09:00", done_days=9, due_days=3)]
    rows += [dossier("10930-VP", 40 + i, "2026-03-20 10:00", done_days=None, due_days=2) for i in range(3)]
    rows.append(dossier("SGDDT", 50, "2026-03-27 08:00", done_days=3))
    return rows


def test_an_import_writes_one_file_per_month_and_a_manifest_naming_them(world, tmp_path):
    batch = services.dossiers_import(actor=None, path=write_csv(tmp_path / "a.csv", _first_year()))

    root = services.store.store_dir()
    manifest = partitions.read_manifest(root / batch.snapshot)
    assert batch.snapshot == f"manifest-{batch.pk:06d}.json"
    assert sorted(manifest["partitions"]) == ["2026-01", "2026-02", "2026-03"]
    assert all((root / p["file"]).exists() for p in manifest["partitions"].values())
    assert sum(p["rows"] for p in manifest["partitions"].values()) == batch.total_after == 158
    assert partitions.read_manifest(root / "manifest.json") == manifest


def test_a_sync_rewrites_only_the_months_it_touches(world, tmp_path):
    first = services.dossiers_import(actor=None, path=write_csv(tmp_path / "a.csv", _first_year()))
    root = services.store.store_dir()
    before = partitions.read_manifest(root / first.snapshot)["partitions"]

    second = services.dossiers_import(actor=None, path=write_csv(tmp_path / "b.csv", _sync()))

    after = partitions.read_manifest(root / second.snapshot)["partitions"]
    assert (second.inserted, second.updated, second.unchanged) == (4, 1, 0)
    assert after["2026-01"] == before["2026-01"]  # January untouched: same file
    assert after["2026-02"]["file"] != before["2026-02"]["file"]
    assert after["2026-03"]["rows"] == before["2026-03"]["rows"] + 4
    # The previous state's files are kept one import longer.
    assert all((root / p["file"]).exists() for p in before.values())


def test_an_incremental_import_gives_the_month_figures_of_a_full_rebuild(world, tmp_path, monkeypatch):
    services.dossiers_import(actor=None, path=write_csv(tmp_path / "a.csv", _first_year()))
    full_rebuilds = []
    real = services._recompute
    monkeypatch.setattr(services, "_recompute", lambda *a, **k: full_rebuilds.append(1) or real(*a, **k))

    batch = services.dossiers_import(actor=None, path=write_csv(tmp_path / "b.csv", _sync()))
    incremental = _figures()
    assert full_rebuilds == []  # the sync did take the incremental path
    assert batch.data_until.isoformat() == "2026-03-30"

    call_command("recompute_kpis", "--all")
    assert full_rebuilds == [1]
    assert _figures() == incremental
    # And the sync did change something: 10930 now has a late dossier finished in February.
    february = KpiFigure.objects.get(level="unit", unit_code="10930", field="", period="2026-02")
    assert february.finished_late >= 1
    # And a unit the sync does not name: its open dossier became late when the export day moved.
    # (Reporting periods of Decree 09: "2026-04" runs from 15/03 to 14/04.)
    april = KpiFigure.objects.get(level="unit", unit_code="10606-VHXH", field="", period="2026-04")
    assert april.unfinished_late_at_period_end == 1


def test_a_sync_opening_a_new_month_rebuilds_every_figure(world, tmp_path, monkeypatch):
    services.dossiers_import(actor=None, path=write_csv(tmp_path / "a.csv", _first_year()))
    assert not KpiFigure.objects.filter(period="2026-05").exists()
    full_rebuilds = []
    real = services._recompute
    monkeypatch.setattr(services, "_recompute", lambda *a, **k: full_rebuilds.append(1) or real(*a, **k))

    # Received 20/04: reporting period "2026-05" (15/04–14/05), a period the store had not reached.
    services.dossiers_import(
        actor=None, path=write_csv(tmp_path / "b.csv", [dossier("10606", 1, "2026-04-20 08:00")])
    )
    rebuilt = _figures()
    services.kpi_figures_recompute(actor=None)

    assert full_rebuilds == [1, 1] and _figures() == rebuilt
    # Open dossiers of a unit the sync does not name are carried into the new period.
    assert KpiFigure.objects.filter(level="unit", unit_code="10930-VP", period="2026-05").exists()


def test_a_crash_before_the_manifest_switch_keeps_the_old_state_and_the_next_import_is_right(
    world, tmp_path, monkeypatch
):
    first = services.dossiers_import(actor=None, path=write_csv(tmp_path / "a.csv", _first_year()))
    figures = _figures()
    root = services.store.store_dir()
    old_files = {p["file"] for p in partitions.read_manifest(root / first.snapshot)["partitions"].values()}

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies after writing the partitions

    monkeypatch.setattr(services, "_write_manifest", killed)
    with pytest.raises(KeyboardInterrupt):
        services.dossiers_import(actor=None, path=write_csv(tmp_path / "b.csv", _sync()))
    monkeypatch.undo()

    assert services.current_import() == first and _figures() == figures
    assert all((root / f).exists() for f in old_files)
    assert services.store.data_range(root / first.snapshot, None) == (first.data_from, first.data_until)
    # The killed batch is still "running" (its process is gone): the stale-import check ends it.
    assert DossierImport.objects.latest("pk").status == DossierImport.Status.RUNNING

    again = services.dossiers_import(actor=None, path=write_csv(tmp_path / "b.csv", _sync()))
    assert (again.status, again.inserted, again.updated) == ("succeeded", 4, 1)
    incremental = _figures()
    services.kpi_figures_recompute(actor=None)
    assert _figures() == incremental
    # Files the killed import wrote and no manifest names are gone.
    named = {
        p["file"]
        for name in (first.snapshot, again.snapshot)
        for p in partitions.read_manifest(root / name)["partitions"].values()
    }
    assert {str(p.relative_to(root)) for p in (root / "parts").rglob("*.parquet")} == named


def test_a_store_in_the_single_file_format_is_read_and_split_by_the_next_import(world, tmp_path):
    first = services.dossiers_import(actor=None, path=write_csv(tmp_path / "a.csv", _first_year()))
    root = services.store.store_dir()
    # Make the store look like one written before partitions: one file, named by the batch.
    con = services.store.connect()
    con.execute(
        f"COPY (SELECT * FROM {services.store.source_sql(root / first.snapshot)}) "
        f"TO '{root / 'dossiers-000001.parquet'}' (FORMAT parquet)"
    )
    con.close()
    DossierImport.objects.filter(pk=first.pk).update(snapshot="dossiers-000001.parquet")
    services.kpi_figures_recompute(actor=None)
    assert services.store.data_range(root / "dossiers-000001.parquet", services.store.connect()) == (
        first.data_from,
        first.data_until,
    )

    batch = services.dossiers_import(actor=None, path=write_csv(tmp_path / "b.csv", _sync()))

    assert (batch.status, batch.inserted, batch.updated, batch.total_after) == ("succeeded", 4, 1, 162)
    assert partitions.is_manifest(batch.snapshot)
    split = _figures()
    services.kpi_figures_recompute(actor=None)
    assert _figures() == split
