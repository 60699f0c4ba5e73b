"""The KPI baseline in plain pandas: the definitions of docs/kpi-definitions.md applied period by
period with boolean masks and groupby, for the default settings (month, finished_at basis, late rate
over to_process, satisfied ≥ 4, online share among procedures offered online).

    python bench/kpi_pandas.py dossiers.parquet out.pkl [--parents parents.json]

Reads only the columns it needs. pandas cannot read Parquet without pyarrow or fastparquet (neither is a
project dependency), so DuckDB decodes the Parquet file into numpy-backed columns; that load is part of
the pandas time. Run as a child process by bench/kpi_bench.py so its memory is measured on its own.
"""

from __future__ import annotations

import json
import pickle
import resource
import sys
import time

import numpy as np
import pandas as pd

COLUMNS = (
    "unit_code",
    "field",
    "channel",
    "online_eligible",
    "received_at",
    "due_at",
    "finished_at",
    "status",
    "fee",
    "paid_online",
    "components_total",
    "components_digitised",
    "result_digitised",
    "rating",
    "apology_letter",
    "wait_minutes",
)
MEASURES = (
    "received",
    "carried_over",
    "finished_early",
    "finished_on_time",
    "finished_late",
    "unfinished_late_at_period_end",
    "withdrawn_stopped",
    "online_num",
    "online_den",
    "fee_dossiers",
    "paid_online",
    "components_total",
    "components_digitised",
    "result_digitised",
    "rated",
    "satisfied",
    "apology_letters_for_late",
    "wait_n",
    "wait_sum",
    "processing_days_sum",
)


def load(path: str) -> pd.DataFrame:
    import duckdb

    con = duckdb.connect()
    cols = ", ".join(COLUMNS)
    df = con.execute(f"SELECT {cols} FROM read_parquet('{path}')").df()
    con.close()
    df["unit_code"] = df["unit_code"].astype("category")
    df["field"] = df["field"].astype("category")
    return df


def month_index(ts: pd.Series) -> pd.Series:
    return ts.dt.year * 12 + ts.dt.month - 1


def kpis(df: pd.DataFrame, parents: dict[str, str] | None = None) -> pd.DataFrame:
    df = df[df["received_at"].notna() & ~df["status"].isin([1, 3])]
    # group on integer codes (a categorical MultiIndex trips pd.concat in pandas 3.1)
    keys = ["u", "f"]
    unit_names = np.asarray(df["unit_code"].cat.categories, dtype=object)
    field_names = np.asarray(df["field"].cat.categories, dtype=object)
    status = df["status"]
    done = status.isin([9, 10]) & df["finished_at"].notna()
    stopped = status.isin([7, 8]) & df["finished_at"].notna()
    rp = month_index(df["received_at"])
    cp = month_index(df["finished_at"]).where(done | stopped)
    due_date = df["due_at"].dt.normalize()
    lp = month_index(np.maximum(df["received_at"].dt.normalize(), due_date))
    fin_date = df["finished_at"].dt.normalize()
    early = done & (fin_date < due_date)
    on_time = done & (fin_date == due_date)
    late = done & (fin_date > due_date)
    work = pd.DataFrame(
        {
            "u": df["unit_code"].cat.codes.astype("int32"),
            "f": df["field"].cat.codes.astype("int32"),
            "one": 1,
            "online_num": (df["channel"] == 2) & df["online_eligible"],
            "online_den": df["online_eligible"].astype(bool),
            "fee_dossiers": df["fee"] > 0,
            "paid_online": (df["fee"] > 0) & df["paid_online"],
            "components_total": df["components_total"].astype("int64"),
            "components_digitised": df["components_digitised"].astype("int64"),
            "wait_n": df["wait_minutes"].notna(),
            "wait_sum": df["wait_minutes"].fillna(0.0),
            "finished_early": early,
            "finished_on_time": on_time,
            "finished_late": late,
            "result_digitised": done & df["result_digitised"],
            "rated": done & df["rating"].notna(),
            "satisfied": done & (df["rating"].fillna(0) >= 4),
            "processing_days": (df["finished_at"] - df["received_at"]).dt.total_seconds().where(done, 0.0)
            / 86400,
            "apology": df["apology_letter"].astype(bool),
            "stopped": stopped,
        }
    )
    periods = range(int(rp.min()), int(max(rp.max(), cp.max())) + 1)
    frames = []
    for p in periods:
        recv = (
            work[rp == p]
            .groupby(keys)
            .agg(
                received=("one", "sum"),
                online_num=("online_num", "sum"),
                online_den=("online_den", "sum"),
                fee_dossiers=("fee_dossiers", "sum"),
                paid_online=("paid_online", "sum"),
                components_total=("components_total", "sum"),
                components_digitised=("components_digitised", "sum"),
                wait_n=("wait_n", "sum"),
                wait_sum=("wait_sum", "sum"),
            )
        )
        fin = (
            work[done & (cp == p)]
            .assign(apology_late=lambda w: w["apology"] & w["finished_late"])
            .groupby(keys)
            .agg(
                finished_early=("finished_early", "sum"),
                finished_on_time=("finished_on_time", "sum"),
                finished_late=("finished_late", "sum"),
                result_digitised=("result_digitised", "sum"),
                rated=("rated", "sum"),
                satisfied=("satisfied", "sum"),
                processing_days_sum=("processing_days", "sum"),
                apology_finished_late=("apology_late", "sum"),
            )
        )
        wd = work[stopped & (cp == p)].groupby(keys).agg(withdrawn_stopped=("one", "sum"))
        open_after_start = cp.isna() | (cp >= p)
        carried = work[(rp < p) & open_after_start].groupby(keys).agg(carried_over=("one", "sum"))
        late_open = (lp <= p) & (cp.isna() | (cp > p))
        ul = (
            work[late_open]
            .groupby(keys)
            .agg(unfinished_late_at_period_end=("one", "sum"), apology_unfinished_late=("apology", "sum"))
        )
        frame = pd.concat([recv, fin, wd, carried, ul], axis=1).fillna(0)
        frame["p"] = p
        frames.append(frame.reset_index())
    level0 = pd.concat(frames, ignore_index=True)
    for col in MEASURES:
        if col not in level0 and col != "apology_letters_for_late":
            level0[col] = 0
    level0["apology_letters_for_late"] = level0["apology_finished_late"] + level0["apology_unfinished_late"]
    level0 = level0[(level0["received"] + level0["carried_over"]) > 0]
    level0["unit_code"] = unit_names[level0["u"].to_numpy()]
    level0["field"] = field_names[level0["f"].to_numpy()]
    measures = list(MEASURES)

    out = []
    out.append(level0.assign(level="unit")[["level", "unit_code", "field", "p", *measures]])
    out.append(
        level0.groupby(["unit_code", "p"], as_index=False)[measures].sum().assign(level="unit", field=None)
    )
    out.append(
        level0.groupby(["field", "p"], as_index=False)[measures].sum().assign(level="all", unit_code=None)
    )
    out.append(
        level0.groupby(["p"], as_index=False)[measures].sum().assign(level="all", unit_code=None, field=None)
    )
    if parents:
        from cchc.delivery.kpi.engine import tree_pairs

        tree = pd.DataFrame(tree_pairs(parents), columns=["unit_code", "ancestor"])
        sub = level0.merge(tree, on="unit_code")
        by_field = sub.groupby(["ancestor", "field", "p"], as_index=False)[measures].sum()
        out.append(by_field.rename(columns={"ancestor": "unit_code"}).assign(level="subtree"))
        all_fields = sub.groupby(["ancestor", "p"], as_index=False)[measures].sum()
        out.append(all_fields.rename(columns={"ancestor": "unit_code"}).assign(level="subtree", field=None))
    result = pd.concat(out, ignore_index=True)
    result["period"] = [f"{p // 12:04d}-{p % 12 + 1:02d}" for p in result["p"]]
    for col in measures:
        if col not in ("wait_sum", "processing_days_sum"):
            result[col] = result[col].astype("int64")
    return result.drop(columns=["p"])


def own_peak_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: after fork + exec Linux's ru_maxrss starts from the
    parent's peak, so it would report the benchmark process's memory instead of pandas'."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    path, out = sys.argv[1], sys.argv[2]
    parents = None
    if len(sys.argv) > 4 and sys.argv[3] == "--parents":
        with open(sys.argv[4]) as handle:
            parents = json.load(handle)
    start = time.perf_counter()
    df = load(path)
    loaded = time.perf_counter()
    result = kpis(df, parents)
    done = time.perf_counter()
    with open(out, "wb") as handle:
        pickle.dump(
            {
                "result": result,
                "load_s": loaded - start,
                "compute_s": done - loaded,
                "total_s": done - start,
                "peak_mb": own_peak_mb(),
            },
            handle,
        )


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    main()
