"""The partitioned dossier store: one Parquet file per month of receipt, named by a manifest.

Layout under ``DOSSIER_STORE_DIR`` (hive-style, so DuckDB reads it natively)::

    parts/rmonth=2026-01/v000012.parquet     one file per partition and version
    parts/rmonth=none/v000003.parquet        dossiers without a reception date
    manifest-000012.json                     {"partitions": {"2026-01": {"file": ..., "delta": ..., "rows": ...}}}
    manifest.json                            copy of the current manifest, for tools outside the app

Each partition in the manifest also carries a digest of its rows (``digest``, see ``DIGEST_SQL``):
a file whose rows of a month have the digest of that month in the store holds exactly the store's
rows of that month, so the import skips comparing them row by row.

A large partition takes an import's changes as a delta file beside its base, merge-on-read::

    parts/rmonth=2026-12/v000012.parquet         the base, as the last whole write left it
    parts/rmonth=2026-12/v000015-delta.parquet   every change since: rows, and tombstones
                                                 (``__gone``) for codes that left the month

Readers (``relation_sql``) take the base rows whose code the delta does not name, then the delta's
rows. The next import of the month writes a new delta (this import's entries, then the old delta's
entries of other codes); once the delta passes a quarter of the base (``DELTA_MAX_SHARE``), or for a
small base, the month is written whole again. A day's sync into a month of millions of rows thus
writes thousands of rows, not millions. The manifest entry keeps the facts of the rows as read; the
digest of a month with a delta is carried from the old one (count and sum add up, XOR undoes itself).

An import writes new files only for the partitions it touches (the partition's current rows whose
code is not re-imported + the new and changed rows, or a delta), then the manifest of the new state, written to
a temporary name and moved into place with ``os.replace``. The database row of the import names that
manifest and is committed with the recomputed figures: readers follow the database, so they see the
previous state or the new one, never half. A crash before the commit leaves only unreferenced files,
deleted by the next import. Files of the previous manifest are kept one import longer.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cchc.delivery.kpi.schema import COLUMN_NAMES, COLUMNS

NONE_KEY = "none"


def key_of(received_at: str) -> str:
    """SQL of the partition key of a row from the SQL of its reception time."""
    return f"coalesce(strftime({received_at}, '%Y-%m'), '{NONE_KEY}')"


# The month of receipt, "YYYY-MM", or "none": the partition key of a row.
KEY_SQL = key_of("received_at")
# A digest of a set of canonical rows: how many, and the XOR and the sum of a 64-bit hash of each
# row. Order-free (rows are compared as a set: a file sorted differently has the same digest) and
# computed in one vectorised pass. Equal digests are taken as equal rows; a digest that differs only
# costs the row-by-row comparison. DuckDB's hash may change between versions, so a manifest records
# which one made its digests (``digest_kind``) and digests of another kind are recomputed.
ROW_HASH_SQL = "hash(" + ", ".join(f'CAST("{c.name}" AS {c.sql_type})' for c in COLUMNS) + ")"
# An aggregate over rows with a ``__row_hash`` column (``ROW_HASH_SQL``).
DIGEST_SQL = (
    "CAST(count(*) AS VARCHAR) || ':' || CAST(bit_xor(__row_hash) AS VARCHAR) || ':' || "
    "CAST(sum(__row_hash) AS VARCHAR)"
)


def digests_sql(relation: str) -> str:
    """(partition key, digest) of every partition the rows of ``relation`` fall in."""
    return (
        f"SELECT rmonth, {DIGEST_SQL} FROM (SELECT {KEY_SQL} AS rmonth, {ROW_HASH_SQL} AS __row_hash "
        f"FROM {relation}) GROUP BY rmonth"
    )


def digest_kind() -> str:
    import duckdb

    return f"duckdb-{duckdb.__version__}-hash-xor-sum-1"


# The day by which every counted dossier of a partition is closed (done on the basis, or withdrawn
# or stopped), 9999-12-31 while one is open: a partition received and closed before the first
# period a sync recomputes adds nothing to it (see ``settled_files``).
OPEN_DAY = "9999-12-31"


def _closed_by(done: str, done_col: str) -> str:
    return (
        f"max(CASE WHEN {done} THEN CAST({done_col} AS DATE) "
        "WHEN status IN (7, 8) AND finished_at IS NOT NULL THEN CAST(finished_at AS DATE) "
        f"ELSE DATE '{OPEN_DAY}' END) FILTER (WHERE received_at IS NOT NULL AND status NOT IN (1, 3))"
    )


# Per-partition facts kept in the manifest so that an import need not scan untouched partitions:
# the data range, the last day each completion basis books something (the engine's last period)
# and the digest of its rows.
STATS_SQL = f"""
    count(*) AS rows,
    min(CAST(received_at AS DATE)) AS first_received,
    max(CAST(greatest(submitted_at, received_at, finished_at, returned_at) AS DATE)) AS last_day,
    max(CAST(received_at AS DATE)) FILTER (WHERE status NOT IN (1, 3)) AS last_received,
    max(CAST(finished_at AS DATE)) FILTER (WHERE status IN (9, 10) AND received_at IS NOT NULL) AS last_finished,
    max(CAST(returned_at AS DATE)) FILTER (WHERE status = 10 AND received_at IS NOT NULL) AS last_returned,
    max(CAST(finished_at AS DATE)) FILTER (WHERE status IN (7, 8) AND received_at IS NOT NULL) AS last_stopped,
    {_closed_by("status IN (9, 10) AND finished_at IS NOT NULL", "finished_at")} AS closed_by_finished,
    {_closed_by("status = 10 AND returned_at IS NOT NULL", "returned_at")} AS closed_by_returned
"""
STAT_NAMES = (
    "rows",
    "first_received",
    "last_day",
    "last_received",
    "last_finished",
    "last_returned",
    "last_stopped",
    "closed_by_finished",
    "closed_by_returned",
    "digest",
)


def _q(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def is_manifest(name: str) -> bool:
    return name.endswith(".json")


def manifest_name(batch_pk: int) -> str:
    return f"manifest-{batch_pk:06d}.json"


def read_manifest(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def manifest_files(directory: Path, manifest: dict[str, Any]) -> list[Path]:
    """Every file the manifest's partitions read: bases and deltas."""
    return [
        directory / name
        for _, p in sorted(manifest["partitions"].items())
        for name in (p["file"], p.get("delta"))
        if name
    ]


def relation_sql(directory: Path, manifest: dict[str, Any], *, hive: bool = False) -> str:
    """FROM-clause text reading every current partition (the canonical columns; ``hive``: and the
    partition key as ``rmonth``). A partition with a delta reads its base without the codes the
    delta names, and the delta's rows that are not tombstones."""
    chosen = sorted(manifest["partitions"].items())
    if not chosen:
        cols = ", ".join(f"CAST(NULL AS {c.sql_type}) AS {_ident(c.name)}" for c in COLUMNS)
        return f"(SELECT {cols}{', NULL::VARCHAR AS rmonth' if hive else ''} WHERE false)"
    cols = ", ".join(_ident(n) for n in COLUMN_NAMES) + (f", {KEY_SQL} AS rmonth" if hive else "")
    plain = [_q(str(directory / p["file"])) for _, p in chosen if not p.get("delta")]
    based = [_q(str(directory / p["file"])) for _, p in chosen if p.get("delta")]
    deltas = [_q(str(directory / p["delta"])) for _, p in chosen if p.get("delta")]
    if not deltas:
        if not hive:
            return f"read_parquet([{', '.join(plain)}])"
        return f"(SELECT {cols} FROM read_parquet([{', '.join(plain)}]))"
    delta = f"read_parquet([{', '.join(deltas)}])"
    parts = [] if not plain else [f"SELECT {cols} FROM read_parquet([{', '.join(plain)}])"]
    parts.append(
        f"SELECT {cols} FROM read_parquet([{', '.join(based)}]) AS b "
        f"WHERE NOT EXISTS (SELECT 1 FROM {delta} AS d WHERE d.dossier_code = b.dossier_code)"
    )
    parts.append(f"SELECT {cols} FROM {delta} WHERE NOT __gone")
    return "(" + " UNION ALL ".join(parts) + ")"


def _canonical(source: str) -> str:
    cols = ", ".join(f"CAST({_ident(c.name)} AS {c.sql_type}) AS {_ident(c.name)}" for c in COLUMNS)
    return f"(SELECT {cols} FROM {source})"


def write_manifest(directory: Path, name: str, manifest: dict[str, Any]) -> Path:
    """Write ``name`` whole or not at all (temporary file, fsync, ``os.replace``)."""
    path = directory / name
    tmp = directory / f".{name}.{uuid.uuid4().hex[:12]}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=1, sort_keys=True, default=str)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return path


def publish_current(directory: Path, name: str) -> None:
    """Point ``manifest.json`` (for DuckDB users outside the app) at the committed manifest."""
    write_manifest(directory, "manifest.json", read_manifest(directory / name))


@dataclass
class PartitionedMerge:
    inserted: int
    updated: int
    unchanged: int
    total: int
    manifest: dict[str, Any] | None  # None: nothing changed, nothing written
    touched: list[str] = field(default_factory=list)  # partition keys rewritten
    units: set[str] = field(default_factory=set)  # unit codes of every changed row, old and new
    first_day: date | None = None  # the earliest reception day of a changed row, old or new
    written: list[Path] = field(default_factory=list)
    same_by_digest: list[str] = field(default_factory=list)  # partition keys not compared row by row
    seconds: float = 0.0
    staged_digests: dict[str, str] = field(default_factory=dict)  # partition key -> digest of staged rows


def _with_known_digests(manifest: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The manifest's partitions, without digests made by another hash than this DuckDB's."""
    partitions = {k: dict(p) for k, p in (manifest or {}).get("partitions", {}).items()}
    if (manifest or {}).get("digest_kind") != digest_kind():
        for p in partitions.values():
            p.pop("digest", None)
    return partitions


def fill_digests(con, directory: Path, partitions: dict[str, dict[str, Any]], keys) -> None:
    """Compute, in place, the missing digests of the partitions ``keys`` (a store written before
    digests, or by another DuckDB): one scan of those partitions."""
    missing = [k for k in keys if k in partitions and not partitions[k].get("digest")]
    if not missing:
        return
    chosen = {"partitions": {k: partitions[k] for k in missing}}
    for key, digest in con.execute(digests_sql(relation_sql(directory, chosen))).fetchall():
        if key in missing:
            partitions[key]["digest"] = digest


def current_digests(con, directory: Path, manifest: dict[str, Any] | None, keys) -> dict[str, str]:
    """The digests of the store's partitions ``keys`` (those it has), recomputed where the manifest
    has none of this DuckDB's hash."""
    partitions = _with_known_digests(manifest)
    wanted = [k for k in keys if k in partitions]
    fill_digests(con, directory, partitions, wanted)
    return {k: partitions[k]["digest"] for k in wanted if partitions[k].get("digest")}


def shares_codes(con, directory: Path, manifest: dict[str, Any], staged: Path, keys: Collection[str]) -> bool:
    """Whether a code of the staged file is also in one of the store's partitions ``keys``."""
    chosen = {k: p for k, p in manifest["partitions"].items() if k in keys}
    if not chosen:
        return False
    others = relation_sql(directory, {"partitions": chosen})
    return bool(
        con.execute(
            f"SELECT count(*) FROM read_parquet({_q(str(staged))}) WHERE dossier_code IN "
            f"(SELECT dossier_code FROM {others})"
        ).fetchone()[0]
    )


def _date(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _stats(con, relations: dict[str, str | Path], *, digests: bool = True) -> dict[str, dict[str, Any]]:
    """The manifest facts (``STAT_NAMES``) of each partition key's rows, in one query: a FROM-clause
    text, or a Parquet file. ``digests=False``: all but the digest (no row hashed)."""
    if not relations:
        return {}
    hashed = f", {ROW_HASH_SQL} AS __row_hash" if digests else ""
    union = " UNION ALL ".join(
        f"SELECT *, {_q(key)} AS __key{hashed} FROM "
        + (f"read_parquet({_q(str(relation))})" if isinstance(relation, Path) else relation)
        for key, relation in relations.items()
    )
    names = STAT_NAMES if digests else STAT_NAMES[:-1]
    digest = f", {DIGEST_SQL} AS digest" if digests else ""
    rows = con.execute(f"SELECT __key, {STATS_SQL}{digest} FROM ({union}) GROUP BY __key").fetchall()
    return {r[0]: {n: _date(v) for n, v in zip(names, r[1:], strict=True)} for r in rows}


def _digest_after(con, digest: str, added: str, removed: str) -> str:
    """The digest of a partition with digest ``digest`` once the rows of ``removed`` left it and
    those of ``added`` came in: count and sum add up, XOR undoes itself (no other row read)."""
    count, xor, total = (int(x) for x in digest.split(":"))
    for sql, sign in ((added, 1), (removed, -1)):
        n, x, t = con.execute(
            f"SELECT count(*), coalesce(bit_xor(h), 0), coalesce(sum(h), 0) FROM (SELECT {ROW_HASH_SQL} AS h FROM ({sql}))"
        ).fetchone()
        count, xor, total = count + sign * int(n), xor ^ int(x), total + sign * int(t)
    return f"{count}:{xor}:{total}"


def settled_files(manifest: dict[str, Any], since: date, timeliness_basis: str) -> set[str]:
    """Keys of the partitions whose counted dossiers were all received and closed before ``since``:
    they change no figure of a period from ``since`` on (a manifest without the facts: none)."""
    closed = "closed_by_finished" if timeliness_basis == "finished_at" else "closed_by_returned"
    day = since.isoformat()
    return {
        key
        for key, p in manifest["partitions"].items()
        if key != NONE_KEY
        and closed in p
        and (p.get("last_received") is None or p["last_received"] < day)
        and (p.get(closed) is None or p[closed] < day)
    }


# A partition takes its changes as a delta file (merge-on-read) while the delta stays small beside
# the base; past that, or for a small base, the partition is written whole again (compaction).
DELTA_MIN_BASE_ROWS = 100_000
DELTA_MAX_SHARE = 0.25


def _write_sorted(con, query: str, target: Path) -> tuple[Path, int]:
    """Write ``query``'s rows to a temporary file beside ``target``; (that file, rows written).
    Sorted by unit: a page about one unit reads only its row groups (min/max statistics)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    count = con.execute(
        f"COPY (SELECT * FROM ({query}) ORDER BY unit_code, submitted_at) TO {_q(str(tmp))} (FORMAT parquet)"
    ).fetchone()[0]
    return tmp, int(count)


def _base_rows(entry: dict[str, Any]) -> int:
    """Rows of the partition's base file (a partition without a delta: all its rows)."""
    return int(entry.get("base_rows", entry.get("rows", 0)))


def _takes_delta(current: dict[str, Any], new_entries: int) -> bool:
    base_rows = _base_rows(current)
    delta_rows = int(current.get("delta_rows", 0)) + new_entries
    return base_rows >= DELTA_MIN_BASE_ROWS and delta_rows <= DELTA_MAX_SHARE * base_rows


def _write_delta(
    con, directory: Path, parts: Path, key: str, current: dict[str, Any], version: int
) -> dict[str, Any]:
    """The partition's new delta: this import's rows of the month and tombstones for the codes that
    left it, then the old delta's entries of other codes. Returns the manifest entry (no stats)."""
    cols = ", ".join(_ident(n) for n in COLUMN_NAMES)
    gone = ", ".join(
        "dossier_code" if n == "dossier_code" else f"CAST(NULL AS {c.sql_type}) AS {_ident(n)}"
        for n, c in zip(COLUMN_NAMES, COLUMNS, strict=True)
    )
    k = _q(key)
    entries = (
        f"SELECT {cols}, false AS __gone FROM changed WHERE rmonth = {k} "
        f"UNION ALL SELECT {gone}, true AS __gone FROM changed WHERE old_rmonth = {k} AND rmonth <> {k}"
    )
    if current.get("delta"):
        old_delta = f"read_parquet({_q(str(directory / current['delta']))})"
        entries += (
            f" UNION ALL SELECT {cols}, __gone FROM {old_delta} AS d WHERE NOT EXISTS (SELECT 1 FROM changed x "
            f"WHERE x.dossier_code = d.dossier_code AND (x.rmonth = {k} OR x.old_rmonth = {k}))"
        )
    target = parts / f"rmonth={key}" / f"v{version:06d}-delta.parquet"
    tmp, delta_rows = _write_sorted(con, entries, target)
    os.replace(tmp, target)
    return {
        "file": current["file"],
        "delta": str(target.relative_to(directory)),
        "base_rows": _base_rows(current),
        "delta_rows": int(delta_rows),
    }


def merge(
    directory: Path,
    current: dict[str, Any] | None,
    staged: Path,
    version: int,
    con,
    *,
    legacy: Path | None = None,
    by_digest: bool = True,
    same_months: Collection[str] = (),
) -> PartitionedMerge:
    """Upsert the staged rows (canonical Parquet) into the partitioned store by ``dossier_code``,
    writing new files for the touched partitions only. ``legacy``: a single-file snapshot of the
    previous store format, split into partitions once (every partition is then touched).
    ``by_digest``: months of the staged file with the digest of the store's month are taken as
    unchanged without comparing their rows (False: every row is compared). ``same_months``:
    partitions the caller knows to hold the import file's rows already (not staged: the file's rows
    of those months have the partition's digest), left out of the search for old versions."""
    started = time.perf_counter()
    parts = directory / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    partitions = _with_known_digests(current)
    staged_rel = _canonical(f"read_parquet({_q(str(staged))})")
    # Months of the file whose rows have the digest of the store's month are the store's rows:
    # nothing to compare there, and no old version of another month's code can live there.
    same: list[str] = []
    staged_digests: dict[str, str] = {}
    if by_digest and legacy is None and partitions:
        staged_digests = dict(con.execute(digests_sql(staged_rel)).fetchall())
        fill_digests(con, directory, partitions, staged_digests)
        same = sorted(
            k for k, d in staged_digests.items() if k in partitions and partitions[k].get("digest") == d
        )
    skipped = sorted(set(same) | {k for k in same_months if k in partitions})
    skip = f" WHERE {KEY_SQL} NOT IN ({', '.join(_q(k) for k in same)})" if same else ""
    con.execute(f"CREATE OR REPLACE TEMP TABLE s AS SELECT *, {KEY_SQL} AS rmonth FROM {staged_rel}{skip}")
    if legacy is not None:
        raw = f"read_parquet({_q(str(legacy))})"
        partitions = {}
    else:
        others = {k: p for k, p in partitions.items() if k not in skipped}
        raw = relation_sql(directory, {"partitions": others})
    source = _canonical(raw)
    # Old versions of the staged codes, wherever they live (a changed reception date moves a row):
    # first the months that hold one (two columns read), then their whole rows from those months.
    held = raw
    if legacy is None and others:
        keys = con.execute(
            f"SELECT DISTINCT {KEY_SQL} FROM {raw} WHERE dossier_code IN (SELECT dossier_code FROM s)"
        ).fetchall()
        held = relation_sql(directory, {"partitions": {k: others[k] for (k,) in keys if k in others}})
    found = _canonical(f"(SELECT * FROM {held} WHERE dossier_code IN (SELECT dossier_code FROM s))")
    con.execute(f"CREATE OR REPLACE TEMP TABLE o AS SELECT *, {KEY_SQL} AS rmonth FROM {found}")
    differs = " OR ".join(f"s.{_ident(n)} IS DISTINCT FROM o.{_ident(n)}" for n in COLUMN_NAMES)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE changed AS SELECT s.*, o.rmonth AS old_rmonth, o.unit_code AS old_unit, "
        "o.dossier_code IS NULL AS is_new "
        f"FROM s LEFT JOIN o ON s.dossier_code = o.dossier_code WHERE o.dossier_code IS NULL OR ({differs})"
    )
    inserted, updated = con.execute(
        "SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE NOT is_new) FROM changed"
    ).fetchone()
    staged_rows = con.execute(f"SELECT count(*) FROM read_parquet({_q(str(staged))})").fetchone()[0]
    if legacy is not None:
        before = con.execute(f"SELECT count(*) FROM read_parquet({_q(str(legacy))})").fetchone()[0]
    else:
        before = sum(int(p["rows"]) for p in partitions.values())
    unchanged = int(staged_rows) - int(inserted) - int(updated)
    total = int(before) + int(inserted)
    if inserted + updated == 0 and legacy is None:
        return PartitionedMerge(
            0,
            0,
            unchanged,
            total,
            None,
            same_by_digest=skipped,
            seconds=time.perf_counter() - started,
            staged_digests=staged_digests,
        )
    touched = {
        r[0]
        for r in con.execute(
            "SELECT rmonth FROM changed UNION SELECT old_rmonth FROM changed WHERE old_rmonth IS NOT NULL"
        ).fetchall()
    }
    units = {
        r[0] or ""
        for r in con.execute(
            "SELECT unit_code FROM changed UNION SELECT old_unit FROM changed WHERE NOT is_new"
        ).fetchall()
    }
    first_day = con.execute(
        "SELECT min(d) FROM (SELECT CAST(received_at AS DATE) AS d FROM changed UNION ALL "
        "SELECT CAST(received_at AS DATE) FROM o WHERE dossier_code IN (SELECT dossier_code FROM changed))"
    ).fetchone()[0]
    if legacy is not None:
        touched |= {r[0] for r in con.execute(f"SELECT DISTINCT {KEY_SQL} FROM {source}").fetchall()}
    cols = ", ".join(_ident(n) for n in COLUMN_NAMES)
    written: dict[str, Path] = {}
    deltas: dict[str, dict[str, Any]] = {}  # partition key -> its manifest entry (base + new delta)
    tmp_dir = directory / f".build-{version:06d}-{uuid.uuid4().hex[:8]}"
    try:
        if legacy is not None or not partitions:  # a first load: one pass, DuckDB splits by month
            con.execute(
                f"COPY (SELECT {cols}, {KEY_SQL} AS rmonth FROM {source} c "
                "WHERE NOT EXISTS (SELECT 1 FROM changed x WHERE x.dossier_code = c.dossier_code) "
                f"UNION ALL SELECT {cols}, rmonth FROM changed ORDER BY rmonth, unit_code, submitted_at) "
                f"TO {_q(str(tmp_dir))} (FORMAT parquet, PARTITION_BY (rmonth))"
            )
            for key_dir in sorted(tmp_dir.iterdir()):
                key = key_dir.name.split("=", 1)[1]
                files = sorted(key_dir.glob("*.parquet"))
                target = parts / f"rmonth={key}" / f"v{version:06d}.parquet"
                target.parent.mkdir(parents=True, exist_ok=True)
                if len(files) == 1:
                    os.replace(files[0], target)
                else:
                    listed = ", ".join(_q(str(f)) for f in files)
                    con.execute(
                        f"COPY (SELECT * FROM read_parquet([{listed}])) TO {_q(str(target))} (FORMAT parquet)"
                    )
                written[key] = target
        else:
            for key in sorted(touched):
                current = partitions.get(key)
                # This import's entries of the month: its rows there, tombstones for codes that left.
                (entries,) = con.execute(
                    "SELECT count(*) FILTER (WHERE rmonth = ? OR old_rmonth = ?) FROM changed", [key, key]
                ).fetchone()
                if current is not None and _takes_delta(current, entries):
                    deltas[key] = _write_delta(con, directory, parts, key, current, version)
                    written[key] = directory / deltas[key]["delta"]
                    continue
                rows_now = ""
                if current is not None:
                    live = _canonical(relation_sql(directory, {"partitions": {key: current}}))
                    rows_now = (
                        f"SELECT {cols} FROM {live} c "
                        "WHERE NOT EXISTS (SELECT 1 FROM changed x WHERE x.dossier_code = c.dossier_code) UNION ALL "
                    )
                query = f"{rows_now}SELECT {cols} FROM changed WHERE rmonth = {_q(key)}"
                target = parts / f"rmonth={key}" / f"v{version:06d}.parquet"
                tmp, count = _write_sorted(con, query, target)
                if count == 0:  # every row moved out: the partition goes
                    tmp.unlink(missing_ok=True)
                    continue
                os.replace(tmp, target)
                written[key] = target
    except BaseException:
        for path in written.values():
            path.unlink(missing_ok=True)
        raise
    finally:
        if tmp_dir.exists():
            for path in sorted(tmp_dir.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
            tmp_dir.rmdir()
    # The facts of a month with a delta come from its rows as read (base and delta, no row hashed);
    # its digest from the old one, this import's rows of the month and the old versions they replace.
    carried = {key for key in deltas if partitions[key].get("digest")}

    def rows_of(key: str) -> str | Path:
        return relation_sql(directory, {"partitions": {key: deltas[key]}}) if key in deltas else written[key]

    stats = _stats(con, {key: rows_of(key) for key in written if key not in carried})
    stats.update(_stats(con, {key: rows_of(key) for key in carried}, digests=False))
    for key in carried & stats.keys():
        k = _q(key)
        stats[key]["digest"] = _digest_after(
            con,
            partitions[key]["digest"],
            f"SELECT {cols} FROM changed WHERE rmonth = {k}",
            f"SELECT {cols} FROM o WHERE rmonth = {k} AND dossier_code IN (SELECT dossier_code FROM changed)",
        )
    for key in touched:
        partitions.pop(key, None)
    for key, path in written.items():
        if key not in stats:  # a delta that leaves no row: the partition goes
            continue
        entry = deltas[key] if key in deltas else {"file": str(path.relative_to(directory))}
        partitions[key] = {**entry, **stats[key]}
    manifest = {
        "format": 2,
        "version": version,
        "digest_kind": digest_kind(),
        "partitions": dict(sorted(partitions.items())),
    }
    return PartitionedMerge(
        int(inserted),
        int(updated),
        unchanged,
        sum(int(p["rows"]) for p in partitions.values()),
        manifest,
        sorted(touched),
        units,
        first_day,
        list(written.values()),
        skipped,
        time.perf_counter() - started,
        staged_digests,
    )


def data_range(manifest: dict[str, Any]) -> tuple[date | None, date | None]:
    firsts = [p["first_received"] for p in manifest["partitions"].values() if p.get("first_received")]
    lasts = [p["last_day"] for p in manifest["partitions"].values() if p.get("last_day")]
    return (
        date.fromisoformat(min(firsts)) if firsts else None,
        date.fromisoformat(max(lasts)) if lasts else None,
    )


def last_booked_day(manifest: dict[str, Any], timeliness_basis: str) -> date | None:
    """The last day the engine books anything on (reception or completion): its last period."""
    done = "last_finished" if timeliness_basis == "finished_at" else "last_returned"
    days = [
        p[name]
        for p in manifest["partitions"].values()
        for name in ("last_received", done, "last_stopped")
        if p.get(name)
    ]
    return date.fromisoformat(max(days)) if days else None


def prune(directory: Path, keep: list[dict[str, Any]], keep_names: set[str]) -> None:
    """Delete partition files and manifests no referenced manifest names."""
    wanted = {path for m in keep for path in manifest_files(directory, m)}
    for path in (directory / "parts").glob("rmonth=*/*.parquet"):
        if path not in wanted:
            path.unlink(missing_ok=True)
    for path in (directory / "parts").glob("rmonth=*"):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    for path in directory.glob("manifest-*.json"):
        if path.name not in keep_names:
            path.unlink(missing_ok=True)
