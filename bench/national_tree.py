"""The national unit tree the benchmarks share: 34 provinces, 3,321 communes, ~500 departments.

Pure Python (no Django), so that the Django benchmarks (``bench/dashboard_bench.py`` builds it as
``Unit`` rows) and the DuckDB-only simulation (``bench/national_sim.py`` generates dossiers for
it) name the same units the same way: ``VN`` the root, ``T00``… the provinces, ``X00000``… the
communes and ``S0000``… the departments, dealt round-robin to the provinces.
"""

from __future__ import annotations

from dataclasses import dataclass

ROOT_CODE = "VN"


@dataclass(frozen=True)
class TreeUnit:
    code: str
    name: str
    kind: str  # "city" (province and the root), "commune", "department"
    parent: str | None
    block: str = ""


def national_tree(provinces: int = 34, communes: int = 3321, departments: int = 510) -> list[TreeUnit]:
    """Root first, then the provinces, then the communes and departments (parents before children)."""
    units = [TreeUnit(ROOT_CODE, "Cả nước (mô phỏng)", "city", None)]
    units += [TreeUnit(province_code(p), f"Tỉnh {p:02d}", "city", ROOT_CODE) for p in range(provinces)]
    units += [
        TreeUnit(f"X{i:05d}", f"Xã {i:05d}", "commune", province_code(i % provinces), "commune")
        for i in range(communes)
    ]
    units += [
        TreeUnit(f"S{i:04d}", f"Sở {i:04d}", "department", province_code(i % provinces), "department")
        for i in range(departments)
    ]
    return units


def province_code(index: int) -> str:
    return f"T{index:02d}"


def parents_of(units: list[TreeUnit]) -> dict[str, str]:
    """unit code → parent code, the shape the KPI engine's roll-up takes."""
    return {u.code: u.parent for u in units if u.parent}


def subtree(units: list[TreeUnit], top: str) -> list[TreeUnit]:
    """``top`` and every unit below it (any depth), in the order of ``units``."""
    inside = {top}
    for u in units:  # parents come before children
        if u.parent in inside:
            inside.add(u.code)
    return [u for u in units if u.code in inside]
