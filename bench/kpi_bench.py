"""Service-delivery KPIs at scale: the engine against plain pandas and a hand-written DuckDB query.

    python bench/kpi_bench.py --rows 1000000 [--repeat 3] [--keep DIR]

1. generates N synthetic dossiers as CSV (child process: its memory is not the engine's);
2. times the import as the application does it: ``stage_file`` (read, convert, check every rule, write
   canonical Parquet) then ``merge_snapshot(None, staged, ...)`` into the snapshot the engine reads;
   and, for reference, a plain typed CSV → Parquet COPY (no checks) and CSV → a DuckDB table;
3. times the engine (cchc.delivery.kpi.compute_kpis: month periods, every unit × field, units, all
   units, by field, and the unit tree communes/departments → city) over the Parquet file;
4. times a hand-written DuckDB query of the same KPIs (our floor, written directly, not generated);
5. times the plain pandas implementation (bench/kpi_pandas.py, child process, needed columns only);
6. checks that the three agree on every additive measure of every row (level, unit, field, period)
   and on the totals, and prints rows/s and peak memory.

Peak memory is ru_maxrss (resource.getrusage) of the process that ran the import, the engine and the
hand-written query; generation and pandas run in child processes and report their own ru_maxrss.
Times: median of --repeat runs for the engine and the hand-written query, one run for pandas.
The last line reads:
rows=N seconds=S rows_per_s=R peak_mb=M vs_pandas=Xx vs_duckdb_sql=Yx
S = engine time; vs_pandas = pandas time / engine time; vs_duckdb_sql = engine time / hand-written time.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from bench.kpi_pandas import MEASURES  # noqa: E402
from cchc.delivery.kpi import KpiSettings, compute_kpis, default_units, schema  # noqa: E402
from cchc.delivery.kpi.engine import tree_pairs  # noqa: E402
from cchc.delivery.kpi.ingest import merge_snapshot, stage_file  # noqa: E402

# The additive measures (sums) behind every KPI; one list for the engine, the SQL floor and pandas.
COUNTS = tuple(m for m in MEASURES if m not in ("wait_sum", "processing_days_sum"))

# The floor: the same KPIs written by hand for the default settings (calendar months, finished_at
# basis, late rate over to_process, satisfied >= 4, online share among procedures offered online).
RAW_SQL = """
WITH b AS (
    SELECT unit_code, field,
        year(received_at) * 12 + month(received_at) - 1 AS rp,
        CASE WHEN status >= 7 THEN year(finished_at) * 12 + month(finished_at) - 1 END AS cp,
        year(greatest(received_at::DATE, due_at::DATE)) * 12 + month(greatest(received_at::DATE, due_at::DATE)) - 1 AS lp,
        status >= 9 AS done,
        CASE WHEN status >= 9 THEN sign(finished_at::DATE - due_at::DATE) END AS slack,
        channel, online_eligible, fee, paid_online, components_total, components_digitised, wait_minutes,
        result_digitised, rating, apology_letter, finished_at, received_at, status
    FROM {src}
    WHERE received_at IS NOT NULL AND status NOT IN (1, 3)
),
a AS (
    SELECT unit_code, field, rp, cp, lp,
        count(*) AS n,
        count(*) FILTER (WHERE channel = 2 AND online_eligible) AS online_num,
        count(*) FILTER (WHERE online_eligible) AS online_den,
        count(*) FILTER (WHERE fee > 0) AS fee_dossiers,
        count(*) FILTER (WHERE fee > 0 AND paid_online) AS paid_online,
        sum(components_total) AS components_total,
        sum(components_digitised) AS components_digitised,
        count(wait_minutes) AS wait_n,
        sum(wait_minutes) AS wait_sum,
        count(*) FILTER (WHERE done AND slack < 0) AS finished_early,
        count(*) FILTER (WHERE done AND slack = 0) AS finished_on_time,
        count(*) FILTER (WHERE done AND slack > 0) AS finished_late,
        count(*) FILTER (WHERE done AND slack > 0 AND apology_letter) AS apology_finished_late,
        count(*) FILTER (WHERE done AND result_digitised) AS result_digitised,
        count(rating) FILTER (WHERE done) AS rated,
        count(*) FILTER (WHERE done AND rating >= 4) AS satisfied,
        sum(epoch(finished_at) - epoch(received_at)) FILTER (WHERE done) / 86400.0 AS processing_days_sum,
        count(*) FILTER (WHERE status IN (7, 8)) AS withdrawn_stopped,
        count(*) FILTER (WHERE apology_letter) AS apology
    FROM b GROUP BY ALL
),
rf AS (
    SELECT unit_code, field, rp AS p, sum(n)::BIGINT received, sum(online_num)::BIGINT online_num,
        sum(online_den)::BIGINT online_den, sum(fee_dossiers)::BIGINT fee_dossiers, sum(paid_online)::BIGINT paid_online,
        sum(components_total)::BIGINT components_total, sum(components_digitised)::BIGINT components_digitised,
        sum(wait_n)::BIGINT wait_n, sum(wait_sum)::DOUBLE wait_sum
    FROM a GROUP BY ALL
),
cf AS (
    SELECT unit_code, field, cp AS p, sum(finished_early)::BIGINT finished_early,
        sum(finished_on_time)::BIGINT finished_on_time, sum(finished_late)::BIGINT finished_late,
        sum(apology_finished_late)::BIGINT apology_finished_late, sum(result_digitised)::BIGINT result_digitised,
        sum(rated)::BIGINT rated, sum(satisfied)::BIGINT satisfied,
        sum(processing_days_sum)::DOUBLE processing_days_sum, sum(withdrawn_stopped)::BIGINT withdrawn_stopped
    FROM a WHERE cp IS NOT NULL GROUP BY ALL
),
dl AS (
    SELECT unit_code, field, p, sum(dc) dc, sum(dl) dl, sum(da) da FROM (
        SELECT unit_code, field, rp + 1 AS p, n AS dc, 0 AS dl, 0 AS da FROM a WHERE cp IS NULL OR cp > rp
        UNION ALL SELECT unit_code, field, cp + 1, -n, 0, 0 FROM a WHERE cp > rp
        UNION ALL SELECT unit_code, field, lp, 0, n, apology FROM a WHERE cp IS NULL OR cp > lp
        UNION ALL SELECT unit_code, field, cp, 0, -n, -apology FROM a WHERE cp > lp
    ) GROUP BY ALL
),
l0 AS (
    SELECT * FROM (
        SELECT g.unit_code, g.field, g.p,
            coalesce(received, 0) received, coalesce(online_num, 0) online_num, coalesce(online_den, 0) online_den,
            coalesce(fee_dossiers, 0) fee_dossiers, coalesce(paid_online, 0) paid_online,
            coalesce(components_total, 0) components_total, coalesce(components_digitised, 0) components_digitised,
            coalesce(wait_n, 0) wait_n, coalesce(wait_sum, 0) wait_sum,
            coalesce(finished_early, 0) finished_early, coalesce(finished_on_time, 0) finished_on_time,
            coalesce(finished_late, 0) finished_late, coalesce(result_digitised, 0) result_digitised,
            coalesce(rated, 0) rated, coalesce(satisfied, 0) satisfied,
            coalesce(processing_days_sum, 0) processing_days_sum, coalesce(withdrawn_stopped, 0) withdrawn_stopped,
            coalesce(apology_finished_late, 0)
              + sum(coalesce(da, 0)) OVER w AS apology_letters_for_late,
            sum(coalesce(dc, 0)) OVER w AS carried_over,
            sum(coalesce(dl, 0)) OVER w AS unfinished_late_at_period_end
        FROM (SELECT k.unit_code, k.field, r.p FROM (SELECT DISTINCT unit_code, field FROM a) k,
                (SELECT unnest(range(min(rp), max(greatest(rp, coalesce(cp, rp))) + 1)) AS p FROM a) r) g
        LEFT JOIN rf USING (unit_code, field, p)
        LEFT JOIN cf USING (unit_code, field, p)
        LEFT JOIN dl USING (unit_code, field, p)
        WINDOW w AS (PARTITION BY g.unit_code, g.field ORDER BY g.p ROWS UNBOUNDED PRECEDING)
    ) WHERE received + carried_over > 0
),
tree(unit_code, ancestor) AS (VALUES {tree}),
r AS (
    SELECT CASE WHEN grouping(unit_code) = 1 THEN 'all' ELSE 'unit' END AS level, unit_code, field, p,
        {sums}
    FROM l0 GROUP BY GROUPING SETS ((unit_code, field, p), (unit_code, p), (field, p), (p))
    UNION ALL
    SELECT 'subtree', ancestor, field, p, {sums}
    FROM l0 JOIN tree USING (unit_code) GROUP BY GROUPING SETS ((ancestor, field, p), (ancestor, p))
)
SELECT level, unit_code, field, strftime(make_date((p // 12)::INT, (p % 12 + 1)::INT, 1), '%Y-%m') AS period,
    received, carried_over, received + carried_over AS to_process,
    finished_early + finished_on_time + finished_late AS finished, finished_early, finished_on_time, finished_late,
    unfinished_late_at_period_end,
    (finished_late + unfinished_late_at_period_end) / nullif(received + carried_over, 0) AS late_rate,
    withdrawn_stopped, online_num, online_den, online_num / nullif(online_den, 0) AS online_share,
    fee_dossiers, paid_online, paid_online / nullif(fee_dossiers, 0) AS online_payment_share,
    components_total, components_digitised, result_digitised, rated, satisfied, apology_letters_for_late,
    processing_days_sum / nullif(finished_early + finished_on_time + finished_late, 0) AS avg_processing_days,
    wait_n, wait_sum / nullif(wait_n, 0) AS avg_wait_minutes
FROM r
"""
_SUMMED = MEASURES


def raw_sql(src: str, parents: dict[str, str]) -> str:
    tree = ", ".join(f"('{u}', '{a}')" for u, a in tree_pairs(parents))
    sums = ", ".join(
        f"sum({m})::{'DOUBLE' if m in ('wait_sum', 'processing_days_sum') else 'BIGINT'} AS {m}"
        for m in _SUMMED
    )
    return RAW_SQL.format(src=src, tree=tree, sums=sums)


def peak_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def timed(fn, repeat: int):
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def key(row) -> tuple:
    return (row["level"], row["unit_code"], row["field"], row["period"])


def _num(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def compare(name: str, expected: dict, got: dict) -> list[str]:
    problems = []
    if expected.keys() != got.keys():
        missing, extra = expected.keys() - got.keys(), got.keys() - expected.keys()
        problems.append(
            f"{name}: {len(missing)} rows missing, {len(extra)} extra, e.g. {list(missing or extra)[:2]}"
        )
    for k in expected.keys() & got.keys():
        e, g = expected[k], got[k]
        for m in COUNTS:
            if int(e[m]) != int(g[m]):
                problems.append(f"{name}: {k} {m}: engine {e[m]} vs {g[m]}")
        for m in ("avg_processing_days", "avg_wait_minutes"):
            a, b = _num(e[m]), _num(g[m])
            if (a is None) != (b is None) or (
                a is not None and not math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
            ):
                problems.append(f"{name}: {k} {m}: engine {a} vs {b}")
        if len(problems) > 10:
            break
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", help="work in this directory and keep the files")
    args = parser.parse_args()
    n = args.rows
    work = Path(args.keep or tempfile.mkdtemp(prefix="kpi-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    csv_path, parquet_path, db_path = (
        work / "dossiers.csv",
        work / "dossiers.parquet",
        work / "dossiers.duckdb",
    )
    threads = os.cpu_count() or 1
    print(f"rows={n:,} threads={threads} dir={work} duckdb={duckdb.__version__}")
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        # 1. generate CSV (child process)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "cchc.delivery.kpi.generator", str(csv_path), "--rows", str(n),
             "--seed", str(args.seed), "--format", "csv"],
            check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        gen_s = time.perf_counter() - start
        print(
            f"generate CSV   {gen_s:8.2f} s  ({csv_path.stat().st_size / 2**20:,.0f} MiB, "
            f"child peak {peak_mb(resource.RUSAGE_CHILDREN):,.0f} MB)"
        )

        # 2. import: the real path (stage_file + merge_snapshot) into the snapshot the engine reads,
        #    then CSV -> Parquet without checks and CSV -> DuckDB table, for reference
        staged_path = work / "staged.parquet"
        start = time.perf_counter()
        staged = stage_file(csv_path, out_path=staged_path)
        if staged.path is None:
            print("IMPORT ERRORS:", staged.error_count, *[str(e) for e in staged.errors[:5]], sep="\n  ")
            sys.exit(1)
        merged = merge_snapshot(None, staged.path, parquet_path)
        import_s = time.perf_counter() - start
        staged_path.unlink()
        print(
            f"import (stage_file + merge_snapshot) {import_s:8.2f} s  ({n / import_s:,.0f} rows/s; "
            f"stage {staged.seconds:.2f} s, merge {merged.seconds:.2f} s, {merged.inserted:,} inserted, "
            f"{parquet_path.stat().st_size / 2**20:,.0f} MiB)"
        )
        con = duckdb.connect()
        con.execute(f"SET threads = {threads}")
        read_csv = schema.csv_read_sql(str(csv_path))
        reference_path = work / "reference.parquet"
        copy_s, _ = timed(
            lambda: con.execute(
                f"COPY (SELECT * FROM {read_csv}) TO '{reference_path}' (FORMAT parquet)"
            ).fetchall(),
            1,
        )
        reference_path.unlink()
        print(f"reference: CSV->Parquet COPY, no checks {copy_s:8.2f} s  ({n / copy_s:,.0f} rows/s)")
        dbcon = duckdb.connect(str(db_path))
        dbcon.execute(f"SET threads = {threads}")
        table_s, _ = timed(
            lambda: dbcon.execute(f"CREATE OR REPLACE TABLE dossiers AS SELECT * FROM {read_csv}"), 1
        )
        dbcon.close()
        print(f"reference: CSV->DuckDB table {table_s:8.2f} s  ({n / table_s:,.0f} rows/s)")
        problems = schema.validate(f"read_parquet('{parquet_path}')", con)
        print("schema validation:", problems or "ok")

        units = default_units(args.seed)
        parents = {code: "HP" for code, _ in units if code != "HP"}  # communes and departments under the city

        # 3. engine
        settings = KpiSettings(threads=threads)
        engine_s, engine_rows = timed(
            lambda: compute_kpis(str(parquet_path), settings, parents, con=con), args.repeat
        )
        print(
            f"engine         {engine_s:8.3f} s  ({n / engine_s:,.0f} rows/s, {len(engine_rows):,} KPI rows)"
        )

        # 4. hand-written SQL
        sql = raw_sql(f"read_parquet('{parquet_path}')", parents)

        def run_raw():
            cur = con.execute(sql)
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

        raw_s, raw_rows = timed(run_raw, args.repeat)
        print(f"hand-written SQL {raw_s:8.3f} s  ({n / raw_s:,.0f} rows/s)")
        engine_peak = peak_mb()
        con.close()

        # 5. pandas (child process, needed columns only)
        parents_file, pandas_out = work / "parents.json", work / "pandas.pkl"
        parents_file.write_text(json.dumps(parents))
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "kpi_pandas.py"), str(parquet_path), str(pandas_out),
             "--parents", str(parents_file)],
            check=True, env=env, cwd=ROOT,
        )  # fmt: skip
        with open(pandas_out, "rb") as handle:
            pd_run = pickle.load(handle)
        pandas_s = pd_run["total_s"]
        print(
            f"pandas         {pandas_s:8.3f} s  (load {pd_run['load_s']:.2f} s + compute {pd_run['compute_s']:.2f} s, "
            f"{n / pandas_s:,.0f} rows/s, child peak {pd_run['peak_mb']:,.0f} MB)"
        )

        # 6. agreement
        pdf = pd_run["result"]
        pdf = pdf.assign(
            finished=pdf.finished_early + pdf.finished_on_time + pdf.finished_late,
            avg_processing_days=pdf.processing_days_sum
            / (pdf.finished_early + pdf.finished_on_time + pdf.finished_late).where(lambda s: s > 0),
            avg_wait_minutes=pdf.wait_sum / pdf.wait_n.where(lambda s: s > 0),
        )
        pandas_rows = [
            {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
            for r in pdf.to_dict("records")
        ]
        for r in pandas_rows:
            for k in ("unit_code", "field"):
                if r[k] is not None and not isinstance(r[k], str):
                    r[k] = None
        engine_by = {key(r): r for r in engine_rows}
        problems = compare("hand-written SQL", engine_by, {key(r): r for r in raw_rows})
        problems += compare("pandas", engine_by, {key(r): r for r in pandas_rows})
        totals = [r for r in engine_rows if r["level"] == "all" and r["field"] is None]
        tot = {
            m: sum(r[m] for r in totals) for m in ("received", "finished", "finished_late", "carried_over")
        }
        print(f"totals over {len(totals)} periods (engine): {tot}")
        if problems:
            print("DISAGREEMENT:\n  " + "\n  ".join(problems[:20]))
            sys.exit(1)
        print(
            f"agreement: engine = hand-written SQL = pandas on all {len(engine_rows):,} rows × {len(COUNTS)} measures"
        )
        print(
            f"peak memory: {engine_peak:,.0f} MB (ru_maxrss of the import + engine + hand-written SQL process)"
        )
        print(
            f"rows={n} seconds={engine_s:.3f} rows_per_s={n / engine_s:.0f} peak_mb={engine_peak:.0f} "
            f"vs_pandas={pandas_s / engine_s:.1f}x vs_duckdb_sql={engine_s / raw_s:.2f}x"
        )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
