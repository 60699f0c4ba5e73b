"""Service-delivery KPI engine (pure Python + DuckDB; no Django, no pandas at run time).

Public API:

- ``compute_kpis(source, settings=None, parents=None, *, con=None) -> list[dict]``
- ``build_sql(source_sql, settings=None, parents=None) -> str`` (the single generated query)
- ``KpiSettings`` (timeliness basis, late-rate denominator, satisfied rating, online-share
  denominator, granularity, cut-off day, date range)
- ``score_766(kpis_row, *, extra=None) -> Score766``, ``band_766(score)``
- ``schema``: ``COLUMNS``, ``Status``, ``Channel``, ``validate(source, con)``
- ``generate(rows, year, units, seed)`` / ``write_file(path, rows, year, fmt)`` (synthetic data;
  imported lazily: they need numpy, and ``generate`` also pandas)
"""

from .engine import OUTPUT_COLUMNS, KpiSettings, build_sql, compute_kpis, tree_pairs
from .schema import COLUMN_NAMES, COLUMNS, Channel, Status, validate
from .scoring766 import GROUPS_766, INDICATORS_766, Score766, band_766, score_766

__all__ = [
    "COLUMNS",
    "COLUMN_NAMES",
    "GROUPS_766",
    "INDICATORS_766",
    "OUTPUT_COLUMNS",
    "Channel",
    "KpiSettings",
    "Score766",
    "Status",
    "band_766",
    "build_sql",
    "compute_kpis",
    "default_units",
    "generate",
    "score_766",
    "tree_pairs",
    "validate",
    "write_file",
]


def __getattr__(name: str):
    if name in ("generate", "write_file", "default_units"):
        from . import generator

        return getattr(generator, name)
    raise AttributeError(name)
