"""A day's dossier sync into a large partitioned store, against the same sync into an empty store.

    nice -n 10 python bench/dossier_sync_bench.py [--store-rows 3000000] [--sync-rows 20000]
        [--data-file ho-so.csv] [--repeat 3] [--skip-forced] [--days 3]

Uses DATABASE_URL if set (PostgreSQL), else a throw-away SQLite file; the stores go to a temporary
directory. Builds Hải Phòng's units, generates ``--store-rows`` dossiers of one year (CSV, the one format an import takes with .xlsx) and
imports them (the initial load, one full rebuild), then builds a sync file from the store's last
month: a quarter of its rows are open dossiers now finished, the rest new dossiers. Times, end to
end through ``dossiers_import`` (read and check, merge, manifest, month figures committed):
  - the whole store file again, the same bytes (recognised by SHA-256: nothing read), ``--repeat``
    times, min / median / max;
  - the same dossiers in another file (columns in another order, rows in another order: a re-export),
    ``--repeat`` times (read once, every month equal to the store's by digest: nothing written);
  - the whole store file again with ``force`` (every row read, staged and compared: the baseline the
    two above are measured against, and what every unchanged re-import cost before);
  - the sync into the large store (incremental: touched partitions, units and months only);
  - the same sync file again (nothing changes, nothing written);
  - the next day's full export: the whole year with a second day's changes in its last month (the
    months whose content an earlier import had are taken as they are, only the last is converted),
    against converting and checking the whole file once (what it cost before);
  - ``--days`` more daily syncs into the same last month (its delta file grows; past a quarter of
    the month's rows the month is written whole again);
  - the same sync into an empty store, ``--repeat`` times (the baseline: ratio = median of the
    syncs into the large store / median of these).
"""

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.django_env import setup_django  # noqa: E402

setup_django()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from cchc.delivery import partitions, services, store  # noqa: E402
from cchc.delivery.kpi.generator import write_file  # noqa: E402
from cchc.delivery.kpi.schema import COLUMN_NAMES  # noqa: E402
from cchc.delivery.models import DossierImport, KpiFigure  # noqa: E402
from cchc.demo.units import load_units  # noqa: E402
from cchc.org.models import Unit  # noqa: E402


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    return result, seconds


def cpu_seconds() -> float:
    """User + system time of this process, every DuckDB thread included: on a machine shared with
    other work the wall time says how busy it was, this says what the import itself costs."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def spread(seconds: list[float]) -> str:
    return f"{min(seconds):6.2f} / {statistics.median(seconds):6.2f} / {max(seconds):6.2f} s"


def build_reexport(source: Path, out: Path) -> None:
    """The same dossiers as another export would write them: other column order, other row order."""
    con = store.connect()
    try:
        con.execute("SET preserve_insertion_order = false")
        cols = ", ".join(reversed(COLUMN_NAMES))
        con.execute(
            f"COPY (SELECT {cols} FROM read_csv('{source}', all_varchar = true, header = true)) "
            f"TO '{out}' (FORMAT csv, HEADER)"
        )
    finally:
        con.close()


def build_sync(snapshot: Path, out: Path, rows: int, code_base: int = 900000) -> tuple[int, int]:
    """``rows`` dossiers from the store's last month: open ones finished on the export day (updates)
    and copies with new codes from ``code_base`` on (inserts). Returns (updates, inserts)."""
    con = store.connect()
    try:
        source = store.source_sql(snapshot)
        last_month, as_of = con.execute(
            f"SELECT max(strftime(received_at, '%Y-%m')), max(CAST(greatest(submitted_at, received_at, "
            f"finished_at, returned_at) AS DATE)) FROM {source}"
        ).fetchone()
        updates = rows // 4
        cols = ", ".join(COLUMN_NAMES)
        finished = f"greatest(received_at + INTERVAL 1 HOUR, least(CAST(DATE '{as_of.isoformat()}' AS TIMESTAMP), due_at))"
        changed = {
            "status": "10",
            "finished_at": finished,
            "returned_at": finished,
            "result_digitised": "true",
        }
        upd_cols = ", ".join(f"{changed.get(c, c)} AS {c}" for c in COLUMN_NAMES)
        new_code = (
            "unit_code || '-' || strftime(submitted_at, '%y%m%d') || '-' || "
            f"CAST({code_base} + row_number() OVER (ORDER BY dossier_code) AS VARCHAR)"
        )
        ins_cols = ", ".join(
            new_code + " AS dossier_code" if c == "dossier_code" else c for c in COLUMN_NAMES
        )
        con.execute(
            f"""COPY (
                (SELECT {upd_cols} FROM {source}
                 WHERE strftime(received_at, '%Y-%m') = '{last_month}' AND status IN (2, 4, 5, 6)
                 ORDER BY dossier_code LIMIT {updates})
                UNION ALL
                (SELECT {ins_cols} FROM (SELECT {cols} FROM {source}
                 WHERE strftime(received_at, '%Y-%m') = '{last_month}' ORDER BY dossier_code
                 LIMIT {rows - updates}))
            ) TO '{out}' (FORMAT csv, HEADER)"""
        )
        got = con.execute(f"SELECT count(*) FROM read_csv('{out}')").fetchone()[0]
    finally:
        con.close()
    return updates, got - updates


def build_full_export(files: list[Path], out: Path) -> None:
    """The full export of the day after: the store file with each sync's rows in place of the rows
    of the same codes (a later file wins), cells as the files hold them, rows in another order."""
    con = store.connect()
    try:
        con.execute("SET preserve_insertion_order = false")
        cols = ", ".join(COLUMN_NAMES)
        union = " UNION ALL ".join(
            f"SELECT {cols}, {i} AS __src FROM read_csv('{f}', all_varchar = true, header = true)"
            for i, f in enumerate(files)
        )
        con.execute(
            f"COPY (SELECT {cols} FROM ({union}) QUALIFY row_number() OVER "
            f"(PARTITION BY dossier_code ORDER BY __src DESC) = 1) TO '{out}' (FORMAT csv, HEADER)"
        )
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store-rows", type=int, default=3_000_000)
    parser.add_argument("--sync-rows", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true", help="cProfile of the sync into the large store")
    parser.add_argument("--data-file", type=Path, help="the store file to reuse (generated there if missing)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each unchanged re-import")
    parser.add_argument("--skip-forced", action="store_true", help="skip the forced full re-import")
    parser.add_argument("--days", type=int, default=3, help="daily syncs after the full export")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sync-bench-"))
    settings.DOSSIER_STORE_DIR = work / "store"
    setup_test_environment()
    warnings.filterwarnings("ignore", message="No directory at")
    call_command("migrate", verbosity=0)
    if not Unit.objects.exists():
        load_units()
    KpiFigure.objects.all().delete()  # a database kept from an earlier run: start from an empty store
    DossierImport.objects.all().delete()
    print(
        f"store rows={args.store_rows:,} sync rows={args.sync_rows:,} db={connection.vendor} units={Unit.objects.count()}"
    )

    big = args.data_file or work / "ho-so.csv"
    if big.exists():
        print(f"store file reused             ({big.stat().st_size / 2**20:,.0f} MiB, {big})")
    else:
        _, seconds = timed("generate", lambda: write_file(big, args.store_rows, 2026, "csv"))
        print(f"generate store file   {seconds:7.2f} s  ({big.stat().st_size / 2**20:,.0f} MiB)")

    first, seconds = timed("load", lambda: services.dossiers_import(actor=None, path=big))
    assert first.status == "succeeded", first.errors[:3]
    manifest = partitions.read_manifest(store.snapshot_path(first.snapshot))
    print(
        f"initial load          {seconds:7.2f} s  ({first.inserted:,} dossiers, {len(manifest['partitions'])} "
        f"partitions, {KpiFigure.objects.count():,} month figures)"
    )

    same_file, cpu = [], cpu_seconds()
    for _ in range(args.repeat):
        whole, seconds = timed("same file", lambda: services.dossiers_import(actor=None, path=big))
        assert whole.same_as_id == first.pk and whole.unchanged == first.inserted, whole.message
        same_file.append(seconds)
    print(
        f"re-import, same file        {spread(same_file)}  (x{args.repeat}, cpu "
        f"{(cpu_seconds() - cpu) / args.repeat:.2f} s each; unchanged {whole.unchanged:,}, "
        "recognised by SHA-256, nothing read)"
    )
    other = work / "xuat-lai.csv"
    _, seconds = timed("re-export", lambda: build_reexport(big, other))
    print(f"write the re-export   {seconds:7.2f} s  (same dossiers, other column and row order)")
    other_file, cpu = [], cpu_seconds()
    for _ in range(args.repeat):
        again, seconds = timed("other file", lambda: services.dossiers_import(actor=None, path=other))
        assert again.same_as_id is None and (again.inserted, again.updated) == (0, 0), again.message
        assert again.snapshot == "" and again.unchanged == first.inserted
        other_file.append(seconds)
        again.delete()  # else the next run would know these very bytes by their SHA-256
    print(
        f"re-import, other file       {spread(other_file)}  (x{args.repeat}, cpu "
        f"{(cpu_seconds() - cpu) / args.repeat:.2f} s each; unchanged {again.unchanged:,}, "
        "every month equal by digest, nothing written)"
    )
    if not args.skip_forced:
        cpu = cpu_seconds()
        forced, seconds = timed("forced", lambda: services.dossiers_import(actor=None, path=big, force=True))
        assert (forced.inserted, forced.updated, forced.snapshot) == (0, 0, "")
        print(
            f"re-import, forced     {seconds:7.2f} s  (cpu {cpu_seconds() - cpu:.2f} s; baseline: every row "
            f"staged and compared; unchanged {forced.unchanged:,})"
        )
        print(
            f"ratio same file / forced {statistics.median(same_file) / seconds:7.3f} x, "
            f"other file / forced {statistics.median(other_file) / seconds:7.3f} x"
        )
    other.unlink(missing_ok=True)
    sync = work / "dong-bo.csv"
    updates, inserts = build_sync(store.snapshot_path(first.snapshot), sync, args.sync_rows)

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    batch, sync_large = timed("sync", lambda: services.dossiers_import(actor=None, path=sync))
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    assert batch.status == "succeeded", batch.errors[:3]
    print(
        f"sync into large store {sync_large:7.2f} s  (inserted {batch.inserted:,}, updated {batch.updated:,}; "
        f"partitions written {', '.join(_touched(first, batch))} of {len(manifest['partitions'])})"
    )
    again, seconds = timed("sync again", lambda: services.dossiers_import(actor=None, path=sync))
    assert (again.inserted, again.updated) == (0, 0)
    print(
        f"same sync again       {seconds:7.2f} s  (unchanged {again.unchanged:,}, same bytes: nothing read)"
    )

    # The day after, as a full export: the whole year again with a second day's changes in its last
    # month. Only that month is converted; the baseline is converting the whole file once.
    sync2 = work / "dong-bo-2.csv"
    updates2, inserts2 = build_sync(store.snapshot_path(batch.snapshot), sync2, args.sync_rows, 800000)
    full = work / "ngay-sau.csv"
    _, seconds = timed("full export", lambda: build_full_export([big, sync, sync2], full))
    print(
        f"write the full export {seconds:7.2f} s  (the store file with both syncs' rows, rows in another order)"
    )
    converted = []
    real_stage = services.stage_file

    def counting_stage(*a, **k):
        converted.append(sorted(k.get("months") or ["all"]))
        return real_stage(*a, **k)

    services.stage_file = counting_stage
    cpu = cpu_seconds()
    day, full_seconds = timed("full export import", lambda: services.dossiers_import(actor=None, path=full))
    cpu = cpu_seconds() - cpu
    services.stage_file = real_stage
    assert day.status == "succeeded", day.errors[:3]
    assert (day.inserted, day.updated) == (inserts2, updates2), day.message
    print(
        f"full export next day  {full_seconds:7.2f} s  (cpu {cpu:.2f} s; inserted {day.inserted:,}, updated "
        f"{day.updated:,}, unchanged {day.unchanged:,}; months converted {converted})"
    )
    con = store.connect()
    try:
        _, whole = timed(
            "stage whole",
            lambda: real_stage(
                full,
                None,
                work / "ca-tep.parquet",
                known_units=set(Unit.objects.values_list("code", flat=True)),
                con=con,
            ),
        )
    finally:
        con.close()
    print(f"baseline: convert and check the whole file once {whole:7.2f} s")
    print(f"ratio full export import / converting it whole {full_seconds / whole:7.3f} x")
    print(f"ratio full export import / the sync of its changes {full_seconds / sync_large:7.3f} x")
    full.unlink(missing_ok=True)

    # The days after: one sync a day into the same month, its delta growing (merge-on-read) until
    # the month is written whole again.
    syncs = [sync_large]
    previous = day
    for n in range(args.days):
        daily = work / f"dong-bo-{n + 3}.csv"
        build_sync(store.snapshot_path(previous.snapshot), daily, args.sync_rows, 700000 - 100000 * n)
        previous, seconds = timed("sync", lambda path=daily: services.dossiers_import(actor=None, path=path))
        assert previous.status == "succeeded", previous.errors[:3]
        syncs.append(seconds)
        entry = partitions.read_manifest(store.snapshot_path(previous.snapshot))["partitions"]
        last = max(k for k in entry if k != partitions.NONE_KEY)
        print(
            f"sync, day {n + 3}           {seconds:7.2f} s  (inserted {previous.inserted:,}, updated "
            f"{previous.updated:,}; {last}: {entry[last].get('delta_rows', 0):,} rows in its delta)"
        )
        daily.unlink(missing_ok=True)
    print(f"syncs into large store {spread(syncs)}  (x{len(syncs)}, min / median / max)")

    # Baseline: the same sync into an empty store.
    empties = []
    for n in range(args.repeat):
        settings.DOSSIER_STORE_DIR = work / f"empty-store-{n}"
        KpiFigure.objects.all().delete()
        DossierImport.objects.all().delete()
        empty, seconds = timed("sync empty", lambda: services.dossiers_import(actor=None, path=sync))
        assert empty.status == "succeeded" and empty.inserted == updates + inserts
        empties.append(seconds)
    print(f"sync into empty store {spread(empties)}  (x{args.repeat}; inserted {empty.inserted:,})")
    large, small = statistics.median(syncs), statistics.median(empties)
    print(
        f"ratio large / empty   {large / small:7.2f} x  (medians; first sync alone {sync_large / small:.2f} x)"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MB")
    shutil.rmtree(work, ignore_errors=True)


def _touched(before, after) -> list[str]:
    old = partitions.read_manifest(store.snapshot_path(before.snapshot))["partitions"]
    new = partitions.read_manifest(store.snapshot_path(after.snapshot))["partitions"]

    def files(entry: dict) -> tuple:
        return entry.get("file"), entry.get("delta")

    return [
        k + (" (delta)" if new[k].get("delta") and old.get(k, {}).get("file") == new[k]["file"] else "")
        for k in new
        if files(old.get(k, {})) != files(new[k])
    ]


if __name__ == "__main__":
    main()
