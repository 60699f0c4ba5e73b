"""The dossier store: Parquet in ``DOSSIER_STORE_DIR``, read and written by DuckDB.

The store is partitioned by month of receipt (``cchc.delivery.partitions``): each successful import
that changes something rewrites only the partitions it touches and writes a manifest naming the
current file of every partition; the database points to that manifest (``DossierImport.snapshot``)
in the same transaction as the recomputed figures, so readers always see one consistent state, never
a half-written one, and never wait on a lock. The previous manifest and its files are kept one
import longer for readers still on them. A snapshot named ``dossiers-*.parquet`` is the older
single-file format, still read, and split into partitions by the next import.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from cchc.delivery import partitions
from cchc.delivery.kpi.engine import KpiSettings


def store_dir() -> Path:
    path = Path(settings.DOSSIER_STORE_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def snapshot_path(name: str) -> Path:
    return store_dir() / name


def connect():
    """A DuckDB connection for one job: all cores, bounded memory, spilling beside the store."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {int(os.cpu_count() or 1)}")
    con.execute(f"SET memory_limit = '{os.environ.get('CCHC_DUCKDB_MEMORY', '1GB')}'")
    con.execute(f"SET temp_directory = '{store_dir() / 'tmp'}'")
    return con


@contextmanager
def import_lock() -> Iterator[None]:
    """One import at a time per store (the merge reads the current snapshot to write the next)."""
    with open(store_dir() / ".import.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ValidationError("Đang có một lần nhập hồ sơ khác chạy; vui lòng thử lại sau.") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def prune(keep: set[str]) -> None:
    """Delete snapshots no longer referenced (all but ``keep``): single-file snapshots, manifests
    and the partition files no kept manifest names."""
    for path in store_dir().glob("dossiers-*.parquet"):
        if path.name not in keep:
            path.unlink(missing_ok=True)
    manifests = [
        partitions.read_manifest(store_dir() / name)
        for name in keep
        if name and partitions.is_manifest(name) and (store_dir() / name).exists()
    ]
    partitions.prune(store_dir(), manifests, keep)


def _q(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def source_sql(snapshot: Path) -> str:
    """FROM-clause text for a snapshot: a manifest of partitions (``partitions``) or, from before
    the store was partitioned, one Parquet file."""
    if partitions.is_manifest(snapshot.name):
        return partitions.relation_sql(snapshot.parent, partitions.read_manifest(snapshot))
    return f"read_parquet({_q(str(snapshot))})"


def data_range(snapshot: Path, con) -> tuple[date | None, date | None]:
    """(first reception day, last day anything happened): the second is the export day, the day
    from which open dossiers are judged (``KpiSettings.as_of``)."""
    if partitions.is_manifest(snapshot.name):
        return partitions.data_range(partitions.read_manifest(snapshot))
    return con.execute(
        "SELECT min(CAST(received_at AS DATE)), max(CAST(greatest(submitted_at, received_at, finished_at, "
        f"returned_at) AS DATE)) FROM {source_sql(snapshot)}"
    ).fetchone()


def late_dossiers(
    snapshot: Path,
    unit_codes: list[str] | None,
    start: date,
    end: date,
    kpi_settings: KpiSettings,
    *,
    field: str = "",
    limit: int | None = 50,
    offset: int = 0,
    count: bool = True,
) -> tuple[list[dict[str, Any]], int | None]:
    """Dossiers counted late in [start, end] (``late_total`` of the engine): finished late within
    the period, or still open at its end (or on the export day, ``as_of``, if earlier) with the due
    date passed. Most late first; ``unit_codes`` None = every unit. Returns (page, total); with
    ``count=False`` the total is None (pages take it from the month figures, which agree: tested)."""
    done_col = kpi_settings.timeliness_basis
    done = f"(status IN (9, 10) AND {done_col} IS NOT NULL)" if done_col == "finished_at" else "(status = 10)"
    closed = f"CASE WHEN {done} THEN CAST({done_col} AS DATE) WHEN status IN (7, 8) THEN CAST(finished_at AS DATE) END"
    s, e = _q(start.isoformat()), _q(end.isoformat())
    # Days late of an open dossier count to the period's end, or to the export day when earlier.
    seen = _q((min(end, kpi_settings.as_of) if kpi_settings.as_of else end).isoformat())
    where = ["received_at IS NOT NULL AND status NOT IN (1, 3)"]
    if unit_codes is not None:
        where.append(f"unit_code IN ({', '.join(_q(c) for c in unit_codes) or 'NULL'})")
    if field:
        where.append(f"field = {_q(field)}")
    finished_late = (
        f"{done} AND CAST({done_col} AS DATE) BETWEEN DATE {s} AND DATE {e} "
        f"AND CAST({done_col} AS DATE) > CAST(due_at AS DATE)"
    )
    open_late = (
        f"greatest(CAST(received_at AS DATE), CAST(due_at AS DATE)) <= DATE {e} "
        f"AND coalesce({closed} > DATE {e}, true)"
    )
    if kpi_settings.as_of is not None:  # not late yet on the export day (see KpiSettings.as_of)
        open_late += f" AND CAST(due_at AS DATE) <= DATE {_q(kpi_settings.as_of.isoformat())}"
    source = (
        f"FROM {source_sql(snapshot)} "
        f"WHERE {' AND '.join(where)} AND (coalesce({finished_late}, false) OR ({open_late}))"
    )
    # A top-N page: DuckDB keeps a heap of N rows instead of sorting every late dossier.
    page = f"""
        SELECT dossier_code, unit_code, procedure_code, field, channel, received_at, due_at,
               CASE WHEN {done} THEN {done_col} END AS done_at, status,
               CASE WHEN {finished_late} THEN CAST({done_col} AS DATE) - CAST(due_at AS DATE)
                    ELSE DATE {seen} - CAST(due_at AS DATE) END AS days_late,
               coalesce({finished_late}, false) AS finished_in_period, apology_letter
        {source}
        ORDER BY days_late DESC, dossier_code
        {f"LIMIT {int(limit)} OFFSET {int(offset)}" if limit else ""}
    """
    con = connect()
    try:
        total = con.execute(f"SELECT count(*) {source}").fetchone()[0] if count else None
        cursor = con.execute(page)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    finally:
        con.close()
    return rows, total
