"""Service-delivery KPIs over dossiers, in one DuckDB query generated from the settings.

    from cchc.delivery.kpi import KpiSettings, compute_kpis
    rows = compute_kpis("dossiers.parquet", KpiSettings(granularity="quarter"), parents={"10507": "HP"})

Returns a list of dicts (plain Python values: str, int, float, ``datetime.date``, None), one per
(level, unit_code, field, period), so the core needs neither pandas nor numpy. Definitions:
``docs/kpi-definitions.md``.

How one pass works. Every received dossier is reduced to a few period indexes: ``rp`` (period it was
received in), ``cp`` (period it was closed in: finished, or withdrawn/stopped; NULL while open) and
``lp`` (period of max(reception date, due date): from the end of that period on it is late if still
open). The source is scanned once and aggregated by (unit, field, rp, cp, lp, outcome), a few hundred
thousand groups at most. From that small table:

- flows are booked to their period: received and reception-time measures to ``rp``, finished
  early / on time / late and completion-time measures to ``cp``;
- stocks are running sums of deltas over the periods: carried over into P = #{rp < P <= cp}
  (+1 at rp+1, −1 at cp+1); unfinished and late at the end of P = #{lp <= P < cp} (+1 at lp, −1 at cp);
- everything is summed on a dense (unit, field) × period grid, rolled up with GROUPING SETS (unit,
  all units, by field) and, for the unit tree, through an ancestor table; rates are computed last,
  from the rolled-up sums (never as averages of rates).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

GRANULARITY_MONTHS = {"month": 1, "quarter": 3, "year": 12}

# Additive measures carried through the roll-ups: flows booked to the period of reception or of
# completion, and stocks (running sums).
RECEIPT_MEASURES = (
    "online_num",
    "online_den",
    "fee_dossiers",
    "paid_online",
    "components_total",
    "components_digitised",
    "wait_n",
    "wait_sum",
)
COMPLETION_MEASURES = (
    "finished_early",
    "finished_on_time",
    "finished_late",
    "result_digitised",
    "rated",
    "satisfied",
    "apology_finished_late",
    "processing_days_sum",
    "withdrawn_stopped",
)
FLOW_MEASURES = ("received", *RECEIPT_MEASURES, *COMPLETION_MEASURES)
STOCK_MEASURES = ("carried_over", "unfinished_late_at_period_end", "apology_unfinished_late")
_FLOAT_MEASURES = {"wait_sum", "processing_days_sum"}

OUTPUT_COLUMNS = (
    "level",
    "unit_code",
    "field",
    "period",
    "period_start",
    "period_end",
    "received",
    "carried_over",
    "to_process",
    "finished",
    "finished_early",
    "finished_on_time",
    "finished_late",
    "unfinished_late_at_period_end",
    "late_total",
    "late_rate",
    "on_time_rate",
    "withdrawn_stopped",
    "online_num",
    "online_den",
    "online_share",
    "fee_dossiers",
    "paid_online",
    "online_payment_share",
    "components_total",
    "components_digitised",
    "components_digitised_rate",
    "result_digitised",
    "result_digitised_rate",
    "rated",
    "satisfied",
    "satisfaction_share",
    "apology_letters_for_late",
    "apology_share",
    "avg_processing_days",
    "wait_n",
    "avg_wait_minutes",
)


@dataclass(frozen=True)
class KpiSettings:
    """Choices where one-stop systems differ (domain guide §6). Defaults follow the portal definition."""

    granularity: Literal["month", "quarter", "year"] = "month"
    # When is a dossier "finished": ngày kết thúc xử lý (finished_at, statuses 9–10) or ngày trả
    # kết quả (returned_at, status 10; a status-9 dossier is then still pending).
    timeliness_basis: Literal["finished_at", "returned_at"] = "finished_at"
    # late_rate = (finished late + unfinished late at period end) / to_process, or finished late / finished.
    late_rate_denominator: Literal["to_process", "finished"] = "to_process"
    satisfied_min_rating: int = 4
    # online_share = online / received among procedures offered online, or online / all received.
    online_share_denominator: Literal["online_eligible", "all"] = "online_eligible"
    # None: calendar periods. 15: reporting periods of Decree 09/2019 (15th of the month before → 14th).
    cutoff_day: int | None = None
    # Output only periods overlapping [date_from, date_to]; stocks still count all earlier data.
    date_from: date | None = None
    date_to: date | None = None
    by_field: bool = True  # also rows per field (lĩnh vực); False: only all fields
    # The day the data was exported. An open dossier due after it is not late yet, even in a period
    # that ends later (the current month, the year to date). None: judge at each period's end.
    as_of: date | None = None
    threads: int | None = None  # DuckDB threads; None = all cores

    def __post_init__(self) -> None:
        if self.granularity not in GRANULARITY_MONTHS:
            raise ValueError(f"granularity must be one of {sorted(GRANULARITY_MONTHS)}")
        if self.timeliness_basis not in ("finished_at", "returned_at"):
            raise ValueError("timeliness_basis must be 'finished_at' or 'returned_at'")
        if self.late_rate_denominator not in ("to_process", "finished"):
            raise ValueError("late_rate_denominator must be 'to_process' or 'finished'")
        if self.online_share_denominator not in ("online_eligible", "all"):
            raise ValueError("online_share_denominator must be 'online_eligible' or 'all'")
        if not 1 <= int(self.satisfied_min_rating) <= 5:
            raise ValueError("satisfied_min_rating must be 1–5")
        if self.cutoff_day is not None and not 2 <= int(self.cutoff_day) <= 28:
            raise ValueError("cutoff_day must be None or 2–28")


def _q(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _period_index(expr: str, s: KpiSettings) -> str:
    """Period index (months since year 0 // months per period) of a DATE/TIMESTAMP expression."""
    k = GRANULARITY_MONTHS[s.granularity]
    month = f"(year({expr}) * 12 + month({expr}) - 1)"
    if s.cutoff_day:
        month = f"({month} + CASE WHEN day({expr}) >= {int(s.cutoff_day)} THEN 1 ELSE 0 END)"
    return f"({month} // {k})" if k > 1 else month


def _date_index(d: date, s: KpiSettings) -> int:
    k = GRANULARITY_MONTHS[s.granularity]
    month = d.year * 12 + d.month - 1
    if s.cutoff_day and d.day >= s.cutoff_day:
        month += 1
    return month // k


def _period_start(index: int, s: KpiSettings) -> date:
    """The first day of period ``index`` (the inverse of ``_date_index`` at a period's start)."""
    m = index * GRANULARITY_MONTHS[s.granularity]
    start = date(m // 12, m % 12 + 1, 1)
    if s.cutoff_day:  # the period of month M runs from the cutoff day of M - 1
        before = date(start.year - (start.month == 1), (start.month - 2) % 12 + 1, 1)
        start = before.replace(day=int(s.cutoff_day))
    return start


def tree_pairs(parents: dict[str, str]) -> list[tuple[str, str]]:
    """(unit, ancestor) pairs for the subtree roll-up: every node with children is an ancestor of
    itself and of all its descendants. Raises ValueError on a cycle."""
    with_children = set(parents.values())
    pairs: list[tuple[str, str]] = []
    for node in sorted(set(parents) | with_children):
        chain, seen, x = [node], {node}, node
        while x in parents:
            x = parents[x]
            if x in seen:
                raise ValueError(f"cycle in the unit tree at {x!r}")
            seen.add(x)
            chain.append(x)
        pairs += [(node, a) for a in chain if a in with_children]
    return pairs


SUM_COLUMNS = ("apology_finished_late", "apology_unfinished_late", "processing_days_sum", "wait_sum")


def build_sql(
    source_sql: str,
    settings: KpiSettings | None = None,
    parents: dict[str, str] | None = None,
    *,
    include_sums: bool = False,
) -> str:
    """The single KPI query. ``source_sql`` is anything FROM accepts (a table name,
    ``read_parquet('x')``...). ``include_sums`` adds ``SUM_COLUMNS``, the sums behind the averages
    and the apology count, so that callers can store additive measures only and combine periods
    (``periods.combine``)."""
    s = settings or KpiSettings()
    k = GRANULARITY_MONTHS[s.granularity]
    done_col = s.timeliness_basis
    done_status = "status IN (9, 10)" if done_col == "finished_at" else "status = 10"
    elig = "online_eligible" if s.online_share_denominator == "online_eligible" else "true"
    pidx = lambda e: _period_index(e, s)  # noqa: E731
    lp = pidx("greatest(CAST(received_at AS DATE), CAST(due_at AS DATE))")
    if s.as_of is not None:
        lp = f"CASE WHEN CAST(due_at AS DATE) > DATE '{s.as_of.isoformat()}' THEN NULL ELSE {lp} END"

    # A dossier received and closed before the first period asked for adds +n and -n to every stock
    # before it and nothing from it on: leaving it out changes no output row, and a day's sync that
    # recomputes from its first changed period then aggregates the open and recent dossiers only.
    done = f"({done_status} AND {done_col} IS NOT NULL)"
    stopped = "(status IN (7, 8) AND finished_at IS NOT NULL)"
    settled = ""
    if s.date_from is not None:
        since = f"TIMESTAMP '{_period_start(_date_index(s.date_from, s), s).isoformat()}'"
        closed_at = f"CASE WHEN {done} THEN {done_col} WHEN {stopped} THEN finished_at END"
        settled = f"\n          AND NOT (received_at < {since} AND coalesce({closed_at} < {since}, false))"

    # 1. One scan: reduce each received dossier to period indexes, aggregate to a small table keyed by
    #    (unit, field, rp, cp, lp); outcomes are FILTERed counts, not keys (fewer groups, faster).
    base = f"""
    base AS (
        SELECT
            coalesce(unit_code, '') AS unit_code,
            coalesce(field, '(không rõ)') AS field,
            {pidx("received_at")} AS rp,
            CASE WHEN {done} THEN {pidx(done_col)} WHEN {stopped} THEN {pidx("finished_at")} END AS cp,
            {lp} AS lp,
            CASE WHEN {done} THEN 1 WHEN {stopped} THEN 2 ELSE 0 END AS kind,
            CASE WHEN {done} THEN
                CASE WHEN CAST({done_col} AS DATE) < CAST(due_at AS DATE) THEN 0
                     WHEN CAST({done_col} AS DATE) > CAST(due_at AS DATE) THEN 2 ELSE 1 END
            END AS cls,
            channel, online_eligible, fee, paid_online, components_total, components_digitised,
            wait_minutes, result_digitised, rating, apology_letter,
            CASE WHEN {done} THEN (epoch({done_col}) - epoch(received_at)) / 86400.0 END AS processing_days
        FROM {source_sql}
        WHERE received_at IS NOT NULL AND status NOT IN (1, 3){settled}
    ),
    agg AS (
        SELECT unit_code, field, rp, cp, lp,
            count(*) AS n,
            count(*) FILTER (WHERE channel = 2 AND {elig}) AS online_num,
            count(*) FILTER (WHERE {elig}) AS online_den,
            count(*) FILTER (WHERE fee > 0) AS fee_dossiers,
            count(*) FILTER (WHERE fee > 0 AND paid_online) AS paid_online,
            sum(components_total) AS components_total,
            sum(components_digitised) AS components_digitised,
            count(wait_minutes) AS wait_n,
            sum(wait_minutes) AS wait_sum,
            count(*) FILTER (WHERE cls = 0) AS finished_early,
            count(*) FILTER (WHERE cls = 1) AS finished_on_time,
            count(*) FILTER (WHERE cls = 2) AS finished_late,
            count(*) FILTER (WHERE cls = 2 AND apology_letter) AS apology_finished_late,
            count(*) FILTER (WHERE kind = 1 AND result_digitised) AS result_digitised,
            count(rating) FILTER (WHERE kind = 1) AS rated,
            count(*) FILTER (WHERE kind = 1 AND rating >= {int(s.satisfied_min_rating)}) AS satisfied,
            sum(processing_days) AS processing_days_sum,
            count(*) FILTER (WHERE kind = 2) AS withdrawn_stopped,
            count(*) FILTER (WHERE apology_letter) AS apology
        FROM base
        GROUP BY unit_code, field, rp, cp, lp
    )"""

    # 2. Flows booked to their period (reception: rp; completion: cp), deltas of the stocks, a dense
    #    (unit, field) x period grid, running sums for the stocks.
    def total(m: str) -> str:
        return f"CAST(sum({m}) AS {'DOUBLE' if m in _FLOAT_MEASURES else 'BIGINT'}) AS {m}"

    deltas = " UNION ALL ".join(
        f"SELECT unit_code, field, {p} AS p, {c} AS dc, {lt} AS dl, {ap} AS da FROM agg WHERE {w}"
        for p, w, c, lt, ap in (
            ("rp + 1", "cp IS NULL OR cp > rp", "n", "0", "0"),
            ("cp + 1", "cp > rp", "-n", "0", "0"),
            ("lp", "lp IS NOT NULL AND (cp IS NULL OR cp > lp)", "0", "n", "apology"),
            ("cp", "cp > lp", "0", "-n", "-apology"),
        )
    )
    first = f"{_date_index(s.date_from, s)}" if s.date_from else "(SELECT lo FROM bounds)"
    last = f"{_date_index(s.date_to, s)}" if s.date_to else "(SELECT hi FROM bounds)"
    stocks = ",\n                ".join(
        f"CAST(sum(coalesce(d.{d}, 0)) OVER (PARTITION BY g.unit_code, g.field ORDER BY g.p "
        f"ROWS UNBOUNDED PRECEDING) AS BIGINT) AS {m}"
        for d, m in zip(("dc", "dl", "da"), STOCK_MEASURES, strict=True)
    )
    flows = ", ".join(f"coalesce({m}, 0) AS {m}" for m in FLOW_MEASURES)
    grid = f"""
    rflows AS (
        SELECT unit_code, field, rp AS p, CAST(sum(n) AS BIGINT) AS received, {", ".join(total(m) for m in RECEIPT_MEASURES)}
        FROM agg GROUP BY unit_code, field, rp
    ),
    cflows AS (
        SELECT unit_code, field, cp AS p, {", ".join(total(m) for m in COMPLETION_MEASURES)}
        FROM agg WHERE cp IS NOT NULL GROUP BY unit_code, field, cp
    ),
    deltas AS (
        SELECT unit_code, field, p, sum(dc) AS dc, sum(dl) AS dl, sum(da) AS da
        FROM ({deltas}) GROUP BY unit_code, field, p
    ),
    bounds AS (SELECT min(rp) AS lo, max(greatest(rp, coalesce(cp, rp))) AS hi FROM agg),
    grid AS (
        SELECT k.unit_code, k.field, r.p
        FROM (SELECT DISTINCT unit_code, field FROM agg) AS k,
             (SELECT unnest(range((SELECT lo FROM bounds), greatest({last}, (SELECT lo FROM bounds)) + 1)) AS p) AS r
    ),
    level0 AS (
        SELECT * FROM (
            SELECT g.unit_code, g.field, g.p, {flows},
                {stocks}
            FROM grid AS g
            LEFT JOIN rflows USING (unit_code, field, p)
            LEFT JOIN cflows USING (unit_code, field, p)
            LEFT JOIN deltas AS d USING (unit_code, field, p)
        )
        WHERE p BETWEEN {first} AND {last} AND (received + carried_over) > 0
    )"""

    # 3. Roll-ups.
    measures = FLOW_MEASURES + STOCK_MEASURES

    def rsum(m: str, prefix: str = "") -> str:
        return f"CAST(sum({prefix}{m}) AS {'DOUBLE' if m in _FLOAT_MEASURES else 'BIGINT'}) AS {m}"

    msum = ", ".join(rsum(m) for m in measures)
    field_sets = "(unit_code, field, p), " if s.by_field else ""
    field_col = "field" if s.by_field else "CAST(NULL AS VARCHAR) AS field"
    all_field_sets = ", (field, p)" if s.by_field else ""
    rollups = f"""
    rolled AS (
        SELECT CASE WHEN grouping(unit_code) = 1 THEN 'all' ELSE 'unit' END AS level,
               unit_code, {field_col}, p, {msum}
        FROM level0
        GROUP BY GROUPING SETS ({field_sets}(unit_code, p){all_field_sets}, (p))"""
    tree = ""
    if parents:
        pairs = tree_pairs(parents)
        if pairs:
            values = ", ".join(f"({_q(u)}, {_q(a)})" for u, a in pairs)
            tree = f",\n    tree(unit_code, ancestor) AS (VALUES {values})"
            sub_sets = "(t.ancestor, l.field, l.p), " if s.by_field else ""
            msum_l = ", ".join(rsum(m, "l.") for m in measures)
            rollups += f"""
        UNION ALL
        SELECT 'subtree' AS level, t.ancestor AS unit_code, {"l." if s.by_field else ""}{field_col}, l.p, {msum_l}
        FROM level0 AS l JOIN tree AS t USING (unit_code)
        GROUP BY GROUPING SETS ({sub_sets}(t.ancestor, l.p))"""
    rollups += "\n    )"

    # 4. Rates from the rolled-up sums, period labels and bounds.
    cut = int(s.cutoff_day or 1)
    first_month = f"make_date(CAST((p * {k}) // 12 AS INTEGER), CAST((p * {k}) % 12 + 1 AS INTEGER), 1)"
    last_month = f"make_date(CAST((p * {k} + {k - 1}) // 12 AS INTEGER), CAST((p * {k} + {k - 1}) % 12 + 1 AS INTEGER), 1)"
    if s.cutoff_day:
        start = f"CAST({first_month} - INTERVAL 1 MONTH + INTERVAL {cut - 1} DAY AS DATE)"
        end = f"CAST({last_month} + INTERVAL {cut - 2} DAY AS DATE)"
    else:
        start = f"CAST({first_month} AS DATE)"
        end = f"CAST({last_month} + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE)"
    if s.granularity == "month":
        label = f"strftime({first_month}, '%Y-%m')"
    elif s.granularity == "quarter":
        label = "printf('%d-Q%d', CAST((p * 3) // 12 AS INTEGER), CAST(((p * 3) % 12) // 3 + 1 AS INTEGER))"
    else:
        label = "CAST(p AS VARCHAR)"
    late_total = "(finished_late + unfinished_late_at_period_end)"
    finished_n = "(finished_early + finished_on_time + finished_late)"
    if s.late_rate_denominator == "to_process":
        late_rate = f"{late_total} / nullif(received + carried_over, 0)"
    else:
        late_rate = f"finished_late / nullif({finished_n}, 0)"
    sums = "".join(f", {m}" for m in SUM_COLUMNS) if include_sums else ""
    final = f"""
SELECT
    level, unit_code, field,
    {label} AS period, {start} AS period_start, {end} AS period_end,
    received, carried_over, received + carried_over AS to_process,
    {finished_n} AS finished, finished_early, finished_on_time, finished_late,
    unfinished_late_at_period_end, {late_total} AS late_total,
    CAST({late_rate} AS DOUBLE) AS late_rate,
    CAST(1 - {late_rate} AS DOUBLE) AS on_time_rate,
    withdrawn_stopped,
    online_num, online_den, CAST(online_num / nullif(online_den, 0) AS DOUBLE) AS online_share,
    fee_dossiers, paid_online, CAST(paid_online / nullif(fee_dossiers, 0) AS DOUBLE) AS online_payment_share,
    components_total, components_digitised,
    CAST(components_digitised / nullif(components_total, 0) AS DOUBLE) AS components_digitised_rate,
    result_digitised, CAST(result_digitised / nullif({finished_n}, 0) AS DOUBLE) AS result_digitised_rate,
    rated, satisfied, CAST(satisfied / nullif(rated, 0) AS DOUBLE) AS satisfaction_share,
    apology_finished_late + apology_unfinished_late AS apology_letters_for_late,
    CAST((apology_finished_late + apology_unfinished_late) / nullif({late_total}, 0) AS DOUBLE) AS apology_share,
    CAST(processing_days_sum / nullif({finished_n}, 0) AS DOUBLE) AS avg_processing_days,
    wait_n, CAST(wait_sum / nullif(wait_n, 0) AS DOUBLE) AS avg_wait_minutes{sums}
FROM rolled
ORDER BY CASE level WHEN 'unit' THEN 0 WHEN 'subtree' THEN 1 ELSE 2 END,
         unit_code NULLS FIRST, p, field NULLS FIRST"""
    return f"WITH{base},{grid}{tree},{rollups}{final}"


def source_sql(source: Any) -> str:
    """FROM-clause text for a Parquet/CSV path (str or PathLike) or a table / view name."""
    text = os.fspath(source) if isinstance(source, os.PathLike) else str(source)
    lower = text.lower()
    is_file = isinstance(source, os.PathLike) or "/" in text or "*" in text or os.path.exists(text)
    if lower.endswith(".parquet") or (is_file and not lower.endswith((".csv", ".csv.gz", ".tsv"))):
        return f"read_parquet({_q(text)})"
    if lower.endswith((".csv", ".csv.gz", ".tsv")):
        from .schema import csv_read_sql

        return csv_read_sql(text)
    return ".".join('"' + part.replace('"', '""') + '"' for part in text.split("."))


def compute_kpis(
    source: Any,
    settings: KpiSettings | None = None,
    parents: dict[str, str] | None = None,
    *,
    con: Any = None,
    include_sums: bool = False,
) -> list[dict[str, Any]]:
    """Compute every KPI for every (level, unit, field, period). Returns a list of dicts with keys
    ``OUTPUT_COLUMNS``:

    - ``level``: "unit" (a unit's own dossiers), "subtree" (a node of ``parents`` with all its
      descendants and itself) or "all" (all units; ``unit_code`` None);
    - ``field``: the lĩnh vực, or None for all fields;
    - ``period`` ("2026-03", "2026-Q1", "2026"), ``period_start`` / ``period_end`` (inclusive dates);
    - counts (int), rates (float in 0..1 or None when the denominator is 0), averages (float or None).

    ``source``: a Parquet or CSV path, a table / view name on ``con``, a ``duckdb`` relation, or a
    pandas DataFrame (registered on ``con``). ``parents``: unit code → parent code, any depth.
    """
    import duckdb

    s = settings or KpiSettings()
    if isinstance(source, duckdb.DuckDBPyRelation):
        sql = build_sql("kpi_source", s, parents, include_sums=include_sums)
        rel = source.query("kpi_source", sql)
        return [dict(zip(rel.columns, row, strict=True)) for row in rel.fetchall()]
    own = con is None
    con = con or duckdb.connect()
    try:
        con.execute(f"SET threads = {int(s.threads or os.cpu_count() or 1)}")
        if isinstance(source, (str, os.PathLike)):
            from_sql = source_sql(source)
        else:  # a DataFrame or anything DuckDB can register
            con.register("kpi_source_df", source)
            from_sql = "kpi_source_df"
        cursor = con.execute(build_sql(from_sql, s, parents, include_sums=include_sums))
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    finally:
        if own:
            con.close()
