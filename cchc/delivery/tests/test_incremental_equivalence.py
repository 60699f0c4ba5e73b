"""Runs of day-to-day syncs of every kind, each compared with a full rebuild of the same store.

The hand-written cases in test_partitions.py show each path once; here a seeded generator mixes
what a one-stop system's exports really do from one day to the next: dossiers finished (on time or
late), dossiers whose receipt date was corrected into another month (the code, built from the unit
and the day of submission, stays), new dossiers in old months, full exports in another row order, a day that changes nothing.
After every sync the month figures must equal those of ``recompute_kpis --all`` over the same
store, and the store must hold every dossier once, with its latest state."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from cchc.delivery import partitions, services
from cchc.delivery.models import KpiFigure
from cchc.delivery.tests.factories import dossier, write_csv
from cchc.delivery.tests.test_partitions import _figures

UNITS = ("10930", "10930-VP", "10930-VHXH", "10606", "10606-VHXH", "SGDDT", "SGDDT-VP")
FIELDS = ("Hộ tịch", "Đất đai", "Giáo dục")
EXPORT_DAY = datetime(2026, 3, 28, 17, 0)


def _row(rng: random.Random, code: str, unit: str, submitted: datetime, received: datetime) -> dict:
    """The source system's current state of dossier ``code``, submitted to ``unit`` at ``submitted``."""
    open_ = rng.random() < 0.2
    row = dossier(
        unit,
        0,
        received.isoformat(sep=" ", timespec="minutes"),
        online=rng.random() < 0.7,
        due_days=rng.randint(1, 6),
        done_days=None if open_ else rng.randint(0, 8),
        field=rng.choice(FIELDS),
        rating=rng.choice((None, 3, 4, 5)),
    )
    row.update(dossier_code=code, submitted_at=submitted)
    if row["finished_at"] and row["finished_at"] > EXPORT_DAY:
        row.update(finished_at=None, returned_at=None, status=4, result_digitised=False)
    return row


def _submitted(rng: random.Random) -> datetime:
    month = rng.choice((1, 2, 3))
    return datetime(2026, month, rng.randint(1, 20 if month == 3 else 28), rng.randint(7, 16), 0)


def _received(rng: random.Random, submitted: datetime) -> datetime:
    """The same day or up to three weeks after submission: often in a later period or month."""
    return min(submitted + timedelta(days=rng.choice((0, 0, 1, 3, 9, 21))), EXPORT_DAY - timedelta(days=1))


def _new(rng: random.Random, seq: str) -> dict:
    submitted = _submitted(rng)
    unit = rng.choice(UNITS)
    return _row(rng, f"{unit}-{submitted:%y%m%d}-{seq}", unit, submitted, _received(rng, submitted))


def _day(rng: random.Random, store: dict[str, dict], day: int, kind: str) -> list[dict]:
    """One day's export of ``kind``; ``store`` becomes the source system's state after it."""
    changed: dict[str, dict] = {}
    if kind == "nothing":
        return list(store.values()) if rng.random() < 0.5 else []
    if kind == "correction":
        # One receipt date entered too early, put right: the dossier leaves its old period, which
        # nothing else in the export touches (the case that needs the old version's date).
        code = rng.choice(sorted(store))
        old = store[code]
        received = min(
            old["received_at"] + timedelta(days=rng.randint(5, 25)), EXPORT_DAY - timedelta(days=1)
        )
        store[code] = _row(rng, code, old["unit_code"], old["submitted_at"], received)
        return [store[code]]
    for code in rng.sample(sorted(store), k=rng.randint(1, 3)):
        old = store[code]
        received = old["received_at"]
        if rng.random() < 0.3:
            received = _received(rng, old["submitted_at"])  # earlier or later, often another period
        changed[code] = _row(rng, code, old["unit_code"], old["submitted_at"], received)
    for n in range(rng.randint(0, 3)):  # new dossiers, in old months too (late entries)
        row = _new(rng, f"9{day:02d}{n:03d}")
        changed[row["dossier_code"]] = row
    store.update(changed)
    if kind == "full":
        rows = list(store.values())
        rng.shuffle(rows)
        return rows
    return list(changed.values())


@pytest.fixture(autouse=True, params=["whole", "deltas", "deltas-compacted"])
def layout(request, monkeypatch):
    """How a sync writes a touched month: the whole month again (a small store), a delta file beside
    it (a large one), or deltas until they grow past a share of the month, then the whole month."""
    if request.param != "whole":
        monkeypatch.setattr(partitions, "DELTA_MIN_BASE_ROWS", 0)
        monkeypatch.setattr(partitions, "DELTA_MAX_SHARE", 100.0 if request.param == "deltas" else 0.3)
    return request.param


def _stored() -> dict[str, tuple]:
    con = services.store.connect()
    try:
        snapshot = services.store.snapshot_path(services.current_import().snapshot)
        source = services.store.source_sql(snapshot)
        rows = con.execute(
            f"SELECT dossier_code, unit_code, received_at, finished_at FROM {source}"
        ).fetchall()
        # The manifest's facts of every month are those of its rows (deltas read through).
        manifest = partitions.read_manifest(snapshot)
        for key, entry in manifest["partitions"].items():
            live = partitions.relation_sql(snapshot.parent, {"partitions": {key: entry}})
            (facts,) = partitions._stats(con, {key: live}).values()
            assert facts == {n: entry[n] for n in partitions.STAT_NAMES}, key
    finally:
        con.close()
    codes = [r[0] for r in rows]
    assert len(codes) == len(set(codes)), "a dossier is held twice"
    return {r[0]: r[1:] for r in rows}


@pytest.mark.parametrize("seed", [7, 2026])
def test_every_kind_of_sync_gives_the_month_figures_of_a_full_rebuild(world, tmp_path, seed, layout):
    rng = random.Random(seed)
    deltas_seen: set[str] = set()
    source: dict[str, dict] = {}
    for n in range(120):
        row = _new(rng, f"{n:04d}")
        source[row["dossier_code"]] = row
    first = services.dossiers_import(actor=None, path=write_csv(tmp_path / "day0.csv", list(source.values())))
    assert first.status == "succeeded", first.message

    kinds = ["delta", "delta", "full", "correction", "nothing", "full", "correction", "correction"]
    rng.shuffle(kinds)
    for day, kind in enumerate(kinds, start=1):
        rows = _day(rng, source, day, kind)
        if not rows:
            continue
        batch = services.dossiers_import(actor=None, path=write_csv(tmp_path / f"day{day}.csv", rows))
        assert batch.status == "succeeded", (day, kind, batch.message)
        incremental = _figures()

        services.kpi_figures_recompute(actor=None)

        assert _figures() == incremental, f"day {day} ({kind}, seed {seed}) differs from a full rebuild"
        stored = _stored()
        assert set(stored) == set(source)
        for code, row in source.items():
            unit, received, finished = stored[code]
            assert (unit, received.replace(tzinfo=None) if received else None) == (
                row["unit_code"],
                row["received_at"],
            ), code
            assert (finished is None) == (row["finished_at"] is None), code
        snapshot = services.store.snapshot_path(services.current_import().snapshot)
        manifest = partitions.read_manifest(snapshot)
        deltas_seen |= {p["delta"] for p in manifest["partitions"].values() if p.get("delta")}
    # The layout was the one asked for: deltas, a delta grown over (a delta of a delta), or none.
    assert bool(deltas_seen) == (layout != "whole")


def test_a_receipt_date_corrected_into_the_next_period_moves_the_dossier_there(world, tmp_path):
    rows = [dossier("10930", i, "2026-02-10 09:00") for i in range(1, 4)]
    later = dossier("10606", 1, "2026-03-20 09:00")  # the store already reaches a later period
    services.dossiers_import(actor=None, path=write_csv(tmp_path / "a.csv", [*rows, later]))
    corrected = dossier("10930", 1, "2026-02-16 09:00")  # the world reports 15th → 14th
    corrected.update(dossier_code=rows[0]["dossier_code"], submitted_at=rows[0]["submitted_at"])

    batch = services.dossiers_import(actor=None, path=write_csv(tmp_path / "b.csv", [corrected]))

    assert (batch.inserted, batch.updated, batch.total_after) == (0, 1, 4)
    assert _stored()[corrected["dossier_code"]][1].replace(tzinfo=None) == corrected["received_at"]
    assert (_received_in("10930", "2026-02"), _received_in("10930", "2026-03")) == (2, 1)


def _received_in(unit_code: str, period: str) -> int:
    figure = KpiFigure.objects.filter(level="unit", unit_code=unit_code, field="", period=period).first()
    return figure.received if figure else 0


def test_a_sync_touching_most_units_recomputes_them_and_leaves_the_others_as_they_were(world, tmp_path):
    """Past half the units, the sync reads every unit's dossiers (cheaper than testing each row's
    unit against a long list) and must still store figures for the touched ones only."""
    rng = random.Random(5)
    rows = [_new(rng, f"{n:04d}") for n in range(60)]
    for n, unit in enumerate(UNITS):  # every unit has dossiers in the store
        rows.append(dossier(unit, 500 + n, "2026-02-10 09:00"))
    services.dossiers_import(actor=None, path=write_csv(tmp_path / "a.csv", rows))
    touched = UNITS[:5]  # 5 of the world's 9 units: past half
    day = [dossier(unit, 700 + n, "2026-03-20 09:00") for n, unit in enumerate(touched)]

    batch = services.dossiers_import(actor=None, path=write_csv(tmp_path / "b.csv", day))

    assert (batch.status, batch.inserted) == ("succeeded", 5)
    incremental = _figures()
    services.kpi_figures_recompute(actor=None)
    assert _figures() == incremental
