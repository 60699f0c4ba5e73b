"""Matching unit names as plans and spreadsheets write them to units in the tree.

Names arrive as "Văn phòng HĐND và UBND xã", "Van phong HDND va UBND", "Phòng VHXH",
"Ủy ban nhân dân các xã, phường": the key folds accents and case, expands nothing but
contracts the common long forms to their abbreviations, so both spellings meet.
"""

import re

from cchc.core.text import fold_key

_PHRASES = [
    (r"\buy ban nhan dan\b", "ubnd"),
    (r"\bhoi dong nhan dan\b", "hdnd"),
    (r"\bthanh pho\b", "tp"),
    (r"\bvan hoa xa hoi\b", "vhxh"),
    (r"\bvan hoa va xa hoi\b", "vhxh"),
    (r"\btrung tam phuc vu hanh chinh cong\b", "ttpvhcc"),
    (r"\btt phuc vu hanh chinh cong\b", "ttpvhcc"),
    (r"\bthu tuc hanh chinh\b", "tthc"),
    (r"\bgiao duc va dao tao\b", "gddt"),
    (r"\bkhoa hoc va cong nghe\b", "khcn"),
    (r"\bvan hoa the thao va du lich\b", "vhttdl"),
    (r"\bnong nghiep va moi truong\b", "nnmt"),
    (r"\bban quan ly\b", "bql"),
    (r"\bkhu kinh te\b", "kkt"),
    (r"\bva\b", " "),
]
_COMPILED = [(re.compile(p), r) for p, r in _PHRASES]
_TRAILING_KIND = re.compile(r"\s+(xa|phuong|dac khu|so|tp|thanh pho)$")

# Texts that name a group, not a unit: kept as written, never matched.
GROUP_MARKERS = (
    "cac co quan",
    "cac don vi",
    "cac phong",
    "cac so",
    "cac xa",
    "cac to chuc",
    "co quan lien quan",
    "don vi lien quan",
    "co lien quan",
)


def name_key(name: str) -> str:
    key = fold_key(name)
    for pattern, replacement in _COMPILED:
        key = pattern.sub(replacement, key)
    return re.sub(r"\s+", " ", key).strip()


def candidate_keys(name: str, organisation_names: list[str] = ()) -> list[str]:
    """The keys to try for a written name, most specific first."""
    key = name_key(name)
    keys = [key]
    for org in organisation_names:
        org_key = name_key(org)
        if org_key and key.endswith(" " + org_key):
            keys.append(key[: -len(org_key) - 1].strip())
    stripped = _TRAILING_KIND.sub("", keys[-1])
    if stripped != keys[-1]:
        keys.append(stripped)
    return [k for k in dict.fromkeys(keys) if k]


def is_group_text(name: str) -> bool:
    key = fold_key(name)
    return any(key.startswith(marker) or f" {marker}" in key for marker in GROUP_MARKERS)
