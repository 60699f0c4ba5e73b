"""National-size simulation: 100 million dossiers over a year for 34 provinces, their KPIs in DuckDB.

    python bench/national_sim.py --rows 100000000 [--dir /tmp/national] [--memory 3GB] [--keep]

1. generates the national tree (``bench/national_tree.py``: 34 provinces, 3,321 communes, 510
   departments) and N dossiers over a year in DuckDB SQL (``range()``, values from ``hash()`` of
   the row number, so the data is the same on every run and on every thread count), written as the
   partitioned dossier store of ``cchc/delivery/partitions.py``: one file per month of receipt
   (``parts/rmonth=YYYY-MM/v000001.parquet``), one COPY per month streaming to disk (nothing is
   held in memory), then the manifest with the per-partition facts the app keeps;
2. in a fresh process (so that its peak memory is its own): every KPI per unit and month, by field
   and not, for units, the subtree of each province and the nation, with the project's engine
   (``compute_kpis`` over the store's manifest, as ``delivery.services._recompute`` does), under
   ``SET memory_limit`` with a temp directory for spilling; then, in the same process and on the
   same files, the same KPIs hand-written (``bench/kpi_bench.py``'s query) and a plain one-scan
   GROUP BY (unit, field, month) — the floor of any KPI query — and checks the engine against the
   hand-written query on every row;
3. in another fresh process: copies one province's dossiers into a store of its own, computes its
   KPIs from that store alone, and checks they equal the province's rows of the national run
   (units, and the province's subtree = the province's "all units").

Peak memory is ru_maxrss of each process; the engine's is read before the other two queries run.
Times: median of ``--repeat`` runs, the three queries taking turns. The last line reads:
rows=N generate_s=G engine_s=S peak_mb=M vs_hand_sql=Xx vs_group_by=Yx engine_cpu_s=C province_equal=True
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from bench.national_tree import TreeUnit, national_tree, parents_of, province_code, subtree  # noqa: E402
from cchc.delivery import partitions  # noqa: E402
from cchc.delivery.kpi import KpiSettings, compute_kpis  # noqa: E402
from cchc.delivery.kpi.engine import SUM_COLUMNS  # noqa: E402
from cchc.delivery.kpi.generator import (  # noqa: E402
    COMMUNE_PROCEDURES,
    DEPARTMENT_PROCEDURES,
    FIELD_LATE_FACTOR,
    MONTH_FACTOR,
)
from cchc.delivery.kpi.periods import MEASURES  # noqa: E402

VERSION = 1  # the store's version number of the generated state (one "import")
FLOAT_MEASURES = {"wait_sum", "processing_days_sum"}
# Compared between runs: every additive measure the app stores, and the sums behind the averages.
COMPARED = tuple(dict.fromkeys((*MEASURES, *SUM_COLUMNS)))


def _q(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def connect(memory: str = "3GB", temp: Path | None = None, threads: int | None = None):
    con = duckdb.connect()
    con.execute(f"SET threads = {int(threads or os.cpu_count() or 1)}")
    con.execute(f"SET memory_limit = {_q(memory)}")
    if temp is not None:
        temp.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = {_q(str(temp))}")
    return con


# 1. Generation -----------------------------------------------------------------------------------

# Procedure pools: 0 = the communes' list, 1.. = one department's list each (dealt round-robin).
_POOLS = [COMMUNE_PROCEDURES, *DEPARTMENT_PROCEDURES.values()]


def _procedures_sql() -> str:
    rows = []
    for pool, procs in enumerate(_POOLS):
        for rank, p in enumerate(procs):
            factor = FIELD_LATE_FACTOR.get(p.field, 1.0)
            rows.append(
                f"({pool}, {rank}, {len(procs)}, {_q(p.code)}, {_q(p.field)}, {p.days}, {p.fee}, "
                f"{'true' if p.per_unit else 'false'}, {'true' if p.online else 'false'}, {_q(p.level)}, "
                f"{p.components}, {factor})"
            )
    return (
        "CREATE OR REPLACE TEMP TABLE procs AS SELECT * FROM (VALUES "
        + ", ".join(rows)
        + ") AS t(pool, r, npool, procedure_code, field, days, fee, per_unit, online, level, components, "
        "field_late)"
    )


def unit_volumes(tree: list[TreeUnit], rows: int, year: int, seed: int = 0) -> list[tuple]:
    """(unit_code, unit index, pool, late factor, has a queue, month, n, first row id) for every
    leaf unit and month: volumes proportional to a lognormal weight per unit (departments heavier)
    and to the month's factor (Tết dip), adding up to exactly ``rows``."""
    rng = random.Random(seed)
    leaves = [u for u in tree if u.kind != "city"]
    weights, extra = [], []
    department = 0
    for i, u in enumerate(leaves):
        if u.kind == "department":
            pool = 1 + department % (len(_POOLS) - 1)
            department += 1
            w = rng.lognormvariate(math.log(3.0), 0.5)
        else:
            pool, w = 0, rng.lognormvariate(0.0, 0.6)
        weights.append(w)
        extra.append((u.code, i, pool, round(rng.lognormvariate(0.0, 0.5), 3), rng.random() < 0.4))
    months = [MONTH_FACTOR.get(m, 1.0) for m in range(1, 13)]
    cells = [(w * f, ui, m) for ui, w in enumerate(weights) for m, f in enumerate(months, start=1)]
    total = sum(c[0] for c in cells)
    counts = [int(c[0] / total * rows) for c in cells]
    for k in range(rows - sum(counts)):  # the remainder, one each, to the largest cells
        counts[k % len(counts)] += 1
    out, first = [], 0
    by_month = sorted(range(len(cells)), key=lambda k: (cells[k][2], cells[k][1]))
    for k in by_month:
        _, ui, m = cells[k]
        out.append((*extra[ui], m, counts[k], first))
        first += counts[k]
    return out


def _units_sql(volumes: list[tuple]) -> str:
    values = ", ".join(
        f"({_q(c)}, {i}, {pool}, {len(_POOLS[pool])}, {late}, {'true' if queue else 'false'}, {m}, {n}, {first})"
        for c, i, pool, late, queue, m, n, first in volumes
    )
    return (
        f"CREATE OR REPLACE TEMP TABLE vol AS SELECT * FROM (VALUES {values}) "
        "AS t(unit_code, uidx, pool, npool, unit_late, queue, month, n, first_id)"
    )


def month_sql(year: int, month: int) -> str:
    """The dossiers received in ``month``, every column of the canonical record (schema.COLUMNS),
    in unit order (as the store writes a partition: a page about one unit reads its row groups).
    Every random draw is ``u(id, k)``: a hash of the row id and a draw number, uniform in [0, 1)."""
    end = f"TIMESTAMP '{year}-12-31 23:59:59'"
    share = 0.6 + 0.25 * (month - 1) / 11  # online share among procedures offered online
    digitised = 0.55 + 0.35 * (month - 1) / 11
    return f"""
    WITH v AS (
        SELECT unit_code, unit_late, queue, pool, first_id + j AS id,
            least(npool - 1, CAST(floor(exp(u(first_id + j, 1) * ln(npool + 1))) AS INTEGER) - 1) AS r
        FROM (SELECT *, unnest(range(n)) AS j FROM vol WHERE month = {month})
    ),
    d AS (
        SELECT v.unit_code, v.unit_late, v.queue, v.id, p.* EXCLUDE (pool, r, npool)
        FROM v JOIN procs AS p USING (pool, r)
    ),
    r AS (
        SELECT *,
            make_date({year}, {month}, 1)::TIMESTAMP
                + to_days(CAST(floor(u(id, 2) * day(last_day(make_date({year}, {month}, 1)))) AS INTEGER))
                + to_minutes(CAST(450 + floor(u(id, 3) * 540) AS INTEGER)) AS received_at,
            CASE WHEN online AND u(id, 4) < {share} THEN 2 WHEN u(id, 4) >= 0.975 THEN 3 ELSE 1 END AS channel,
            u(id, 6) AS o,
            u(id, 7) < 0.05 * unit_late * field_late AS late
        FROM d
    ),
    f AS (
        SELECT *,
            CAST(received_at AS DATE) + CAST(days * 7 // 5 AS INTEGER) AS due_day,
            received_at - to_minutes(CAST(floor(u(id, 5) * CASE channel WHEN 2 THEN 2880 WHEN 3 THEN 4320 ELSE 30 END) AS INTEGER)) AS submitted_at
        FROM r
    ),
    g AS (
        SELECT *,
            CASE
                WHEN o < 0.006 THEN received_at + to_days(1 + CAST(floor(u(id, 8) * (days + 1)) AS INTEGER))
                WHEN o < 0.0075 THEN NULL  -- stuck: pending long past due
                ELSE greatest(received_at + INTERVAL 30 MINUTE,
                    (CASE WHEN late THEN due_day + 1 + CAST(floor(u(id, 8) * 10) AS INTEGER)
                          WHEN u(id, 8) < 0.18 OR due_day = CAST(received_at AS DATE) THEN due_day
                          ELSE CAST(received_at AS DATE) + CAST(floor(u(id, 9) * (due_day - CAST(received_at AS DATE))) AS INTEGER)
                     END)::TIMESTAMP + to_minutes(CAST(480 + floor(u(id, 10) * 540) AS INTEGER)))
            END AS planned
        FROM f
    ),
    s AS (
        SELECT *,
            CASE
                WHEN planned IS NULL OR planned > {end} THEN
                    CASE CAST(floor(u(id, 11) * 10) AS INTEGER) WHEN 0 THEN 2 WHEN 1 THEN 5 WHEN 2 THEN 6 ELSE 4 END
                WHEN o < 0.004 THEN 7
                WHEN o < 0.006 THEN 8
                WHEN planned + to_minutes(CAST(floor(u(id, 12) * 2880) AS INTEGER)) > {end} OR u(id, 12) < 0.05 THEN 9
                ELSE 10
            END AS status,
            CASE WHEN per_unit THEN fee * (1 + CAST(floor(u(id, 13) * 3) AS INTEGER)) ELSE fee END AS fee_vnd
        FROM g
    )
    SELECT
        unit_code || '-' || strftime(submitted_at, '%y%m%d') || '-' || CAST(id AS VARCHAR) AS dossier_code,
        unit_code, procedure_code, field, level, online AS online_eligible,
        CAST(channel AS TINYINT) AS channel,
        submitted_at, received_at,
        due_day::TIMESTAMP + INTERVAL 17 HOUR AS due_at,
        CASE WHEN status >= 7 THEN planned END AS finished_at,
        CASE WHEN status = 10 THEN planned + to_minutes(CAST(floor(u(id, 12) * 2880) AS INTEGER)) END AS returned_at,
        CAST(status AS TINYINT) AS status,
        CAST(fee_vnd AS DECIMAL(15, 0)) AS fee,
        fee_vnd > 0 AND u(id, 14) < CASE channel WHEN 2 THEN 0.8 ELSE 0.2 END AS paid_online,
        CAST(components AS SMALLINT) AS components_total,
        CAST(CASE WHEN channel = 2 THEN components ELSE floor(components * least(1.0, {digitised} + 0.5 * (u(id, 15) - 0.5))) END AS SMALLINT) AS components_digitised,
        status IN (9, 10) AND u(id, 16) < 0.8 AS result_digitised,
        CAST(CASE WHEN status IN (9, 10) AND u(id, 17) < 0.25 THEN
            CASE WHEN late THEN 2 + floor(u(id, 18) * 4) ELSE 4 + floor(u(id, 18) * 2) END END AS TINYINT) AS rating,
        late AND u(id, 19) < 0.6 AS apology_letter,
        CAST(CASE WHEN channel = 1 AND queue THEN round(-ln(1 - u(id, 20)) * 11, 1) END AS DOUBLE) AS wait_minutes,
        late AND u(id, 19) < 0.6 AND u(id, 21) < 0.85 AS due_reset
    FROM s
    """


def generate(
    directory: Path, tree: list[TreeUnit], rows: int, year: int, con, *, seed: int = 0, echo=None
) -> dict[str, Any]:
    """Write the store (one partition per month) and its manifest; returns the manifest."""
    con.execute("CREATE OR REPLACE TEMP MACRO u(id, k) AS CAST(hash(id, k) % 1000000 AS DOUBLE) / 1000000.0")
    con.execute(_procedures_sql())
    con.execute(_units_sql(unit_volumes(tree, rows, year, seed)))
    written: dict[str, Path] = {}
    for month in range(1, 13):
        started = time.perf_counter()
        key = f"{year}-{month:02d}"
        target = directory / "parts" / f"rmonth={key}" / f"v{VERSION:06d}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        con.execute(f"COPY ({month_sql(year, month)}) TO {_q(str(tmp))} (FORMAT parquet)")
        os.replace(tmp, target)
        written[key] = target
        if echo:
            echo(f"  {key}: {time.perf_counter() - started:6.2f} s, {target.stat().st_size / 2**20:,.0f} MiB")
    stats = partitions._stats(con, written)  # the facts an import keeps per partition
    manifest = {
        "format": 1,
        "version": VERSION,
        "partitions": {
            key: {"file": str(path.relative_to(directory)), **stats[key]}
            for key, path in sorted(written.items())
        },
    }
    name = partitions.manifest_name(VERSION)
    partitions.write_manifest(directory, name, manifest)
    partitions.publish_current(directory, name)
    return manifest


def extract(source_dir: Path, target_dir: Path, codes: list[str], con) -> dict[str, Any]:
    """A store holding only the dossiers of ``codes``: what that province's own system exports."""
    manifest = partitions.read_manifest(source_dir / partitions.manifest_name(VERSION))
    listed = ", ".join(_q(c) for c in codes)
    written: dict[str, Path] = {}
    for key, part in manifest["partitions"].items():
        target = target_dir / part["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"COPY (SELECT * FROM read_parquet({_q(str(source_dir / part['file']))}) "
            f"WHERE unit_code IN ({listed})) TO {_q(str(target))} (FORMAT parquet)"
        )
        written[key] = target
    stats = partitions._stats(con, written)
    own = {
        "format": 1,
        "version": VERSION,
        "partitions": {k: {"file": str(p.relative_to(target_dir)), **stats[k]} for k, p in written.items()},
    }
    partitions.write_manifest(target_dir, partitions.manifest_name(VERSION), own)
    return own


# 2. KPIs -----------------------------------------------------------------------------------------


def kpi_settings(directory: Path, threads: int | None = None) -> KpiSettings:
    """The app's settings for an import: month periods, judged on the export day (``as_of``)."""
    manifest = partitions.read_manifest(directory / partitions.manifest_name(VERSION))
    _, last = partitions.data_range(manifest)
    return KpiSettings(granularity="month", as_of=last, threads=threads)


def compute(directory: Path, parents: dict[str, str], con, *, as_of: date | None = None) -> list[dict]:
    """Every KPI row of the store, as the app computes its month figures (``services._recompute``)."""
    manifest = partitions.read_manifest(directory / partitions.manifest_name(VERSION))
    con.execute(
        "CREATE OR REPLACE TEMP VIEW dossier_snapshot AS SELECT * FROM "
        + partitions.relation_sql(directory, manifest)
    )
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    settings = kpi_settings(directory, int(threads))
    if as_of is not None:
        settings = KpiSettings(granularity="month", as_of=as_of, threads=int(threads))
    return compute_kpis("dossier_snapshot", settings, parents, con=con, include_sums=True)


GROUP_BY_SQL = """
SELECT unit_code, field, strftime(received_at, '%Y-%m') AS month,
    count(*) AS received,
    count(*) FILTER (WHERE status IN (9, 10) AND CAST(finished_at AS DATE) > CAST(due_at AS DATE)) AS finished_late,
    count(*) FILTER (WHERE status IN (9, 10) AND CAST(finished_at AS DATE) <= CAST(due_at AS DATE)) AS finished_in_time,
    count(*) FILTER (WHERE channel = 2 AND online_eligible) AS online_num,
    count(*) FILTER (WHERE online_eligible) AS online_den,
    count(*) FILTER (WHERE fee > 0 AND paid_online) AS paid_online,
    sum(components_digitised) AS components_digitised,
    count(rating) AS rated,
    sum(wait_minutes) AS wait_sum
FROM {src}
WHERE received_at IS NOT NULL AND status NOT IN (1, 3)
GROUP BY ALL
"""


def province_rows(rows: list[dict], codes: set[str], province: str) -> dict[tuple, dict]:
    """The national run's rows about one province: its units' own rows and its subtree's rows."""
    out = {}
    for r in rows:
        if (r["level"] == "unit" and r["unit_code"] in codes) or (
            r["level"] == "subtree" and r["unit_code"] == province
        ):
            out[(r["level"], r["unit_code"], r["field"], r["period"])] = r
    return out


def alone_rows(rows: list[dict], province: str) -> dict[tuple, dict]:
    """The same rows from the province computed alone: its "all units" is its subtree."""
    out = {}
    for r in rows:
        if r["level"] == "unit":
            out[("unit", r["unit_code"], r["field"], r["period"])] = r
        elif r["level"] == "all":
            out[("subtree", province, r["field"], r["period"])] = r
    return out


def differences(expected: dict[tuple, dict], got: dict[tuple, dict], limit: int = 10) -> list[str]:
    problems = []
    if expected.keys() != got.keys():
        missing, extra = expected.keys() - got.keys(), got.keys() - expected.keys()
        problems.append(
            f"{len(missing)} rows missing, {len(extra)} extra, e.g. {sorted(missing or extra, key=str)[:2]}"
        )
    for k in sorted(expected.keys() & got.keys(), key=str):
        for m in COMPARED:
            a, b = expected[k][m] or 0, got[k][m] or 0
            same = math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6) if m in FLOAT_MEASURES else a == b
            if not same:
                problems.append(f"{k} {m}: {a} vs {b}")
        if len(problems) >= limit:
            break
    return problems


def cpu_seconds() -> float:
    """CPU time of this process (every DuckDB thread), user + system: what a query costs whatever
    else the machine runs; on T free cores its wall time cannot be below cpu / T."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# Phases run as child processes ---------------------------------------------------------------------


def _tree(args) -> list[TreeUnit]:
    return national_tree(args.provinces, args.communes, args.departments)


def phase_generate(args) -> dict:
    store = Path(args.dir) / "store"
    shutil.rmtree(store, ignore_errors=True)
    con = connect(args.memory, Path(args.dir) / "tmp", args.threads)
    started = time.perf_counter()
    manifest = generate(store, _tree(args), args.rows, args.year, con, echo=lambda s: print(s, flush=True))
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in (store / "parts").rglob("*.parquet"))
    return {
        "seconds": seconds,
        "rows": sum(int(p["rows"]) for p in manifest["partitions"].values()),
        "bytes": size,
        "peak_mb": peak_mb(),
    }


def phase_kpis(args) -> dict:
    from bench.kpi_bench import compare, key, raw_sql

    store = Path(args.dir) / "store"
    tree = _tree(args)
    parents = parents_of(tree)
    con = connect(args.memory, Path(args.dir) / "tmp", args.threads)
    src = "dossier_snapshot"
    hand_sql = raw_sql(src, parents)
    times: dict[str, list[float]] = {"engine": [], "hand": [], "group": []}
    cpu: dict[str, list[float]] = {"engine": [], "hand": [], "group": []}

    def timed(name, fn):
        started, used = time.perf_counter(), cpu_seconds()
        result = fn()
        times[name].append(time.perf_counter() - started)
        cpu[name].append(cpu_seconds() - used)
        return result

    def run_hand():
        cur = con.execute(hand_sql)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    for run in range(args.repeat):  # the three in turn, so that a busy moment hits all of them
        rows = timed("engine", lambda: compute(store, parents, con))
        if run == 0:  # the engine's own peak: nothing else has run in this process yet
            engine_peak = peak_mb()
        hand = timed("hand", run_hand)
        grouped = timed("group", lambda: con.execute(GROUP_BY_SQL.format(src=src)).fetchall())
    engine_s, hand_s, group_s = (statistics.median(times[k]) for k in ("engine", "hand", "group"))
    province = province_code(args.province)
    codes = {u.code for u in subtree(tree, province)}
    with open(Path(args.dir) / "national-province.pkl", "wb") as handle:
        pickle.dump(province_rows(rows, codes, province), handle)
    problems = compare("hand-written SQL", {key(r): r for r in rows}, {key(r): r for r in hand})
    return {
        "engine_s": engine_s,
        "engine_peak_mb": engine_peak,
        "kpi_rows": len(rows),
        "hand_s": hand_s,
        "group_s": group_s,
        "group_rows": len(grouped),
        "peak_mb": peak_mb(),
        "samples": times,
        "cpu": {name: statistics.median(v) for name, v in cpu.items()},
        "problems": problems[:10],
        "received": sum(r["received"] for r in rows if r["level"] == "all" and r["field"] is None),
    }


def phase_province(args) -> dict:
    store = Path(args.dir) / "store"
    tree = _tree(args)
    province = province_code(args.province)
    units = subtree(tree, province)
    own = {u.code: u.parent for u in units if u.parent and u.code != province}
    target = Path(args.dir) / f"province-{province}"
    shutil.rmtree(target, ignore_errors=True)
    con = connect(args.memory, Path(args.dir) / "tmp", args.threads)
    started = time.perf_counter()
    manifest = extract(store, target, [u.code for u in units], con)
    extract_s = time.perf_counter() - started
    # Judged on the nation's export day: the province's own export is taken the same day.
    as_of = kpi_settings(store).as_of
    started = time.perf_counter()
    rows = compute(target, own, con, as_of=as_of)
    alone_s = time.perf_counter() - started
    with open(Path(args.dir) / "national-province.pkl", "rb") as handle:
        national = pickle.load(handle)
    problems = differences(national, alone_rows(rows, province))
    return {
        "province": province,
        "units": len(units),
        "rows": sum(int(p["rows"]) for p in manifest["partitions"].values()),
        "extract_s": extract_s,
        "alone_s": alone_s,
        "compared": len(national),
        "problems": problems,
        "peak_mb": peak_mb(),
    }


PHASES = {"generate": phase_generate, "kpis": phase_kpis, "province": phase_province}


def _child(phase: str, args) -> dict:
    out = Path(args.dir) / f"{phase}.json"
    argv = [sys.executable, __file__, "--phase", phase, "--dir", args.dir, "--rows", str(args.rows)]
    argv += ["--memory", args.memory, "--year", str(args.year), "--province", str(args.province)]
    argv += ["--provinces", str(args.provinces), "--communes", str(args.communes)]
    argv += ["--departments", str(args.departments), "--repeat", str(args.repeat)]
    if args.threads:
        argv += ["--threads", str(args.threads)]
    subprocess.run(argv, check=True, cwd=ROOT)
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--dir", default="/tmp/national")
    parser.add_argument("--memory", default="3GB")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--province", type=int, default=5, help="index of the province checked alone")
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--communes", type=int, default=3321)
    parser.add_argument("--departments", type=int, default=510)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each KPI query (median)")
    parser.add_argument("--phase", choices=sorted(PHASES))
    parser.add_argument("--skip-generate", action="store_true", help="reuse the store in --dir")
    parser.add_argument("--keep", action="store_true", help="keep the generated store")
    args = parser.parse_args()
    if args.phase:
        result = PHASES[args.phase](args)
        (Path(args.dir) / f"{args.phase}.json").write_text(json.dumps(result, default=str))
        return
    Path(args.dir).mkdir(parents=True, exist_ok=True)
    tree = _tree(args)
    print(
        f"national tree: {len(tree):,} units ({args.provinces} provinces, {args.communes} communes, "
        f"{args.departments} departments); {args.rows:,} dossiers in {args.year}; "
        f"memory_limit {args.memory}, threads {args.threads or os.cpu_count()}"
    )
    try:
        if args.skip_generate:  # the figures of the run that generated the store
            gen = json.loads((Path(args.dir) / "generate.json").read_text())
        else:
            gen = _child("generate", args)
        print(
            f"generate       {gen['seconds']:8.1f} s  ({gen['rows'] / gen['seconds']:,.0f} rows/s, "
            f"{gen['bytes'] / 2**30:,.2f} GiB of Parquet, 12 partitions, peak {gen['peak_mb']:,.0f} MB)"
        )
        k = _child("kpis", args)
        n = gen["rows"]
        print(
            f"engine         {k['engine_s']:8.2f} s  ({n / k['engine_s']:,.0f} rows/s, {k['kpi_rows']:,} KPI rows, "
            f"peak {k['engine_peak_mb']:,.0f} MB)"
        )
        print(
            "runs (s): "
            + "; ".join(f"{name} " + ", ".join(f"{x:.2f}" for x in v) for name, v in k["samples"].items())
        )
        print(
            "CPU seconds (median): "
            + ", ".join(f"{name} {v:.1f}" for name, v in k["cpu"].items())
            + f"; load average {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)"
        )
        print(
            f"hand-written KPI SQL {k['hand_s']:8.2f} s  (×{k['engine_s'] / k['hand_s']:.2f} engine / hand)"
        )
        print(
            f"one-scan GROUP BY unit, field, month {k['group_s']:8.2f} s  ({k['group_rows']:,} groups, "
            f"×{k['engine_s'] / k['group_s']:.2f} engine / GROUP BY)"
        )
        print(
            f"received (all units, all months): {k['received']:,}; peak of the KPI process {k['peak_mb']:,.0f} MB"
        )
        print("engine = hand-written SQL:", "yes, every row" if not k["problems"] else k["problems"])
        p = _child("province", args)
        print(
            f"province {p['province']} alone: {p['units']} units, {p['rows']:,} dossiers, extracted in "
            f"{p['extract_s']:.1f} s, KPIs in {p['alone_s']:.2f} s; {p['compared']:,} rows compared: "
            + ("equal" if not p["problems"] else f"DIFFERENT {p['problems']}")
        )
        print(
            f"rows={n} generate_s={gen['seconds']:.1f} engine_s={k['engine_s']:.2f} "
            f"peak_mb={k['engine_peak_mb']:.0f} vs_hand_sql={k['engine_s'] / k['hand_s']:.2f}x "
            f"vs_group_by={k['engine_s'] / k['group_s']:.2f}x engine_cpu_s={k['cpu']['engine']:.1f} "
            f"province_equal={not p['problems']}"
        )
        if k["problems"] or p["problems"]:
            sys.exit(1)
    finally:
        if not args.keep:
            shutil.rmtree(args.dir, ignore_errors=True)


if __name__ == "__main__":
    main()
