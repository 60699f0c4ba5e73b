"""Hải Phòng's unit tree: the city, its 14 departments, its 114 communes, wards and special zones
(official GSO codes, from the lists in data/), and the standard internal sub-units of each."""

import csv
from pathlib import Path

from cchc.core.text import fold
from cchc.org import services as org_services
from cchc.org.models import Unit
from cchc.org.naming import name_key

DATA = Path(__file__).parent / "data"
CITY_CODE = "HP"

COMMUNE_KIND = {"phuong": Unit.Kind.WARD, "xa": Unit.Kind.COMMUNE, "dac_khu": Unit.Kind.SPECIAL_ZONE}
COMMUNE_BLOCK = {"phuong": Unit.Block.WARD, "xa": Unit.Block.COMMUNE, "dac_khu": Unit.Block.COMMUNE}


def department_code(short_name: str) -> str:
    return fold(short_name).replace(" ", "").upper()


def commune_sub_units(kind: str) -> list[tuple[str, str, str, list[str]]]:
    """(code suffix, name, kind, aliases) of the sub-units every commune-level unit has since 7/2025."""
    economy = "Phòng Kinh tế, Hạ tầng và Đô thị" if kind == "phuong" else "Phòng Kinh tế"
    return [
        ("VP", "Văn phòng HĐND và UBND", Unit.Kind.OFFICE, ["Văn phòng HĐND&UBND", "Văn phòng UBND"]),
        ("KT", economy, Unit.Kind.DIVISION, ["Phòng Kinh tế"] if kind == "phuong" else []),
        ("VHXH", "Phòng Văn hóa - Xã hội", Unit.Kind.DIVISION, ["Phòng VHXH", "Phòng VH-XH"]),
        ("TTPVHCC", "Trung tâm Phục vụ hành chính công", Unit.Kind.CENTER, ["Trung tâm PVHCC"]),
    ]


def load_units(*, extra_sub_units: dict[str, list[dict]] | None = None) -> dict[str, Unit]:
    """Create the tree; `extra_sub_units` adds the sub-units a seed plan names, by issuer code."""
    extra_sub_units = extra_sub_units or {}
    units: dict[str, Unit] = {}
    city = org_services.unit_create(
        actor=None,
        code=CITY_CODE,
        name="Ủy ban nhân dân thành phố Hải Phòng",
        short_name="UBND thành phố",
        kind=Unit.Kind.CITY,
        aliases=["UBND thành phố Hải Phòng", "UBND thành phố", "Thành phố Hải Phòng"],
    )
    units[CITY_CODE] = city
    with open(DATA / "haiphong_departments.csv", encoding="utf-8") as handle:
        for position, row in enumerate(csv.DictReader(handle), start=1):
            code = department_code(row["short_name"])
            department = org_services.unit_create(
                actor=None,
                code=code,
                name=row["name"],
                short_name=row["short_name"],
                kind=Unit.Kind.DEPARTMENT,
                block=Unit.Block.DEPARTMENT,
                parent=city,
                sort_order=position,
                aliases=[f"{row['name']} thành phố Hải Phòng", f"{row['name']} thành phố"],
            )
            units[code] = department
            office_name = "Văn phòng Sở" if row["name"].startswith("Sở") else "Văn phòng"
            office = org_services.unit_create(
                actor=None,
                code=f"{code}-VP",
                name=office_name,
                kind=Unit.Kind.OFFICE,
                parent=department,
                standing_agency_for=department,
                aliases=[f"Văn phòng {row['name']}"],
            )
            units[office.code] = office
            _extra(units, department, extra_sub_units.get(code, []), skip={name_key(office_name)})
    # Sở Nội vụ is the city's standing agency for PAR.
    home_affairs = units["SNV"]
    org_services.unit_update(actor=None, unit=home_affairs, standing_agency_for=city)
    with open(DATA / "haiphong_communes.csv", encoding="utf-8") as handle:
        rows = sorted(
            csv.DictReader(handle), key=lambda r: (["phuong", "xa", "dac_khu"].index(r["kind"]), r["name"])
        )
    for position, row in enumerate(rows, start=1):
        commune = org_services.unit_create(
            actor=None,
            code=row["gso_code"],
            name=row["name"],
            kind=COMMUNE_KIND[row["kind"]],
            block=COMMUNE_BLOCK[row["kind"]],
            parent=city,
            sort_order=100 + position,
            aliases=[f"UBND {row['name'].lower()}", f"Ủy ban nhân dân {row['name'].lower()}"],
        )
        units[commune.code] = commune
        extras = extra_sub_units.get(commune.code, [])
        office = next((e for e in extras if e.get("kind") == "office"), None)
        skip = set()
        for suffix, name, kind, aliases in commune_sub_units(row["kind"]):
            if kind == Unit.Kind.OFFICE and office:
                # The plan names its own office (Bạch Long Vĩ has no People's Council): use its name.
                name, aliases = (
                    office["name"],
                    sorted({*office.get("aliases", []), *aliases} - {office["name"]}),
                )
            sub = org_services.unit_create(
                actor=None,
                code=f"{commune.code}-{suffix}",
                name=name,
                kind=kind,
                parent=commune,
                aliases=aliases,
                standing_agency_for=commune if suffix == "VHXH" else None,
            )
            units[sub.code] = sub
            skip.update({name_key(name), *(name_key(a) for a in aliases)})
        _extra(units, commune, extras, skip=skip)
    return units


def _extra(units: dict[str, Unit], organisation: Unit, extras: list[dict], *, skip: set[str]) -> None:
    existing = {u.name_key: u for u in units.values() if u.parent_id == organisation.pk}
    for position, extra in enumerate(extras, start=1):
        names = [extra["name"], *extra.get("aliases", [])]
        if any(name_key(n) in skip for n in names):
            match = next((existing[name_key(n)] for n in names if name_key(n) in existing), None)
            if match:
                new_aliases = sorted({*match.aliases, *names} - {match.name})
                if new_aliases != sorted(match.aliases):
                    org_services.unit_update(actor=None, unit=match, aliases=new_aliases)
            continue
        kind = extra.get("kind") or "other"
        kind = kind if kind in Unit.Kind.values else Unit.Kind.OTHER
        code = f"{organisation.code}-X{position}"
        sub = org_services.unit_create(
            actor=None,
            code=code,
            name=extra["name"],
            kind=kind,
            parent=organisation,
            aliases=[a for a in extra.get("aliases", []) if a != extra["name"]],
        )
        units[code] = sub
