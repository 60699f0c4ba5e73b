"""The header block: issuer, number and symbol, date, title, kind and years, parent plan, signer."""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from cchc.core.text import fold
from cchc.docimport.model import DraftPlan
from cchc.docimport.structure.lines import _Line
from cchc.docimport.vocab import _cap, _is_upperish, _join

# ------------------------------------------------------------------------------------------ header

_SYMBOL_FIX = {
    "QP": "QĐ",
    "Q0P": "QĐ",
    "QDB": "QĐ",
    "QD": "QĐ",
    "0D": "QĐ",
    "OD": "QĐ",
    "Q0": "QĐ",
    "QÐ": "QĐ",
    "QĐ": "QĐ",
    "ND": "NĐ",
    "HDND": "HĐND",
    "SGDDT": "SGDĐT",
    "SGD&DT": "SGD&ĐT",
    "BCD": "BCĐ",
    "DU": "ĐU",
    "TTDT": "TTĐT",
}


def _fix_symbol(symbol: str) -> str:
    parts = [p for p in re.split(r"\s*-\s*", symbol.upper().replace("Ð", "Đ")) if p]
    return "-".join(_SYMBOL_FIX.get(p, p) for p in parts)


_NUMBER_RE = re.compile(
    r"(?i)(?:^|\s)(?:số|sở|so|sô|sé6|s6|sé|\$6|\$ố|\$)\s*[:.;]?\s*(\d{1,5})\s*[/|Il]?\s*"
    r"([A-Za-zĐđÐ0-9&]{1,8}(?:\s*-\s*[A-Za-zĐđÐ0-9&]{1,10})+)"
)
_ATTACHED_RE = re.compile(
    r"(?i)k[èeé]m theo (?:kế hoạch|quyết định|ke hoach|quyet dinh)\s+(?:số|so|sé6|s6)\s*(\d{1,5})\s*/\s*"
    r"([A-Za-zĐđÐ0-9&]{1,8}(?:\s*-\s*[A-Za-zĐđÐ0-9&]{1,10})+)"
)
_REF_RE = re.compile(
    r"(?i)(?:kế hoạch|quyết định)\s+(?:số|so)\s*(\d{1,5})\s*/\s*([A-Za-zĐđÐ0-9&]{1,8}(?:\s*-\s*[A-Za-zĐđÐ0-9&]{1,10})+)"
)
_DATE_WORDS = re.compile(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*n\w{0,2}m\s*(\d{4})")
_DATE_SLASH = re.compile(r"ngay\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})")


def _iso(day: str, month: str, year: str) -> str | None:
    try:
        d, m, y = int(day), int(month), int(year)
    except ValueError:
        return None
    if 1 <= d <= 31 and 1 <= m <= 12 and 1990 <= y <= 2100:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return None


@lru_cache(maxsize=1)
def _known_units() -> list[tuple[str, str]]:
    """(folded name, name) of Hải Phòng's communes and departments, longest first."""
    base = Path(__file__).resolve().parents[2] / "demo" / "data"
    names: list[str] = []
    for csv_name in ("haiphong_communes.csv", "haiphong_departments.csv"):
        path = base / csv_name
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                names += [row["name"] for row in csv.DictReader(fh)]
    out = [(fold(name), name) for name in names]
    out.sort(key=lambda item: -len(item[0]))
    return out


def _find_unit(key: str) -> str | None:
    for folded, name in _known_units():
        if re.search(r"(?<![a-z])" + re.escape(folded) + r"(?![a-z])", key):
            return name
    return None


_PLACE_KINDS = ("thành phố", "đặc khu", "phường", "huyện", "quận", "tỉnh", "thị xã", "xã")


def _place_name(text: str) -> str:
    """ "THÀNH PHỐ HẢI PHÒNG" → "thành phố Hải Phòng": the kind in lower case, the name capitalised."""
    low = " ".join(text.lower().split())
    for kind in _PLACE_KINDS:
        if low.startswith(kind + " "):
            return kind + " " + " ".join(w[:1].upper() + w[1:] for w in low[len(kind) + 1 :].split())
    return low


def _parse_header(lines: list[_Line], body_start: int, plan: DraftPlan) -> None:
    head = lines[: max(body_start, 1)]
    # number and symbol
    for line in head[:40]:
        m = _NUMBER_RE.search(line.text)
        if m and not line.key.startswith(("can cu", "thuc hien", "theo")):
            plan.number = f"{m.group(1)}/{_fix_symbol(m.group(2))}"
            break
    attached = None
    for line in lines:
        m = _ATTACHED_RE.search(line.text)
        if m:
            attached = (f"{m.group(1)}/{_fix_symbol(m.group(2))}", line)
            break
    if not plan.number and attached:
        plan.number = attached[0]
    # date: the place-and-date line of the header, else the caption of the attached plan
    for line in head[:40]:
        if line.key.startswith(("can cu", "thuc hien", "theo ", "xet ")):
            continue
        m = _DATE_WORDS.search(line.key) or _DATE_SLASH.search(line.key)
        if m:
            plan.date = _iso(*m.groups())
            if plan.date:
                break
    if not plan.date and attached:
        m = re.search(
            r"ngay\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})", attached[1].key
        ) or _DATE_WORDS.search(attached[1].key)
        if m:
            plan.date = _iso(*m.groups())
    # title: the lines under the "KẾ HOẠCH" heading
    title_lines: list[str] = []
    for index, line in enumerate(lines[: body_start + 5]):
        if re.fullmatch(r"ke hoach[ :.]*", line.key) and _is_upperish(line.text):
            for nxt in lines[index + 1 : index + 9]:
                if not nxt.text:
                    continue
                if re.match(
                    r"(can cu|thuc hien (quyet dinh|nghi quyet|ke hoach|cong van|chi thi|van ban)|theo |xet |"
                    r"\(?kem theo|i\s*[.)]|[ivx]+\.|chu tich|giam doc|uy ban|ubnd|so [a-z]+ [a-z]+ xay dung)",
                    nxt.key,
                ) or nxt.text.startswith("("):
                    break
                title_lines.append(nxt.text)
                if len(title_lines) >= 4:
                    break
            break
    if title_lines:
        body = _join(title_lines)
        plan.title = "Kế hoạch " + body[:1].lower() + body[1:]
    else:
        for line in lines[:body_start]:
            m = re.match(r"(?i)ban hành\s+(kế hoạch .+)", line.text)
            if m:
                plan.title = _cap(m.group(1))
                break
    plan.title = plan.title.rstrip(" .;:")
    tkey = fold(plan.title)
    m = re.search(r"giai doan\s*((?:19|20)\d{2})\s*[-–—]\s*((?:19|20)\d{2})", tkey)
    if m:
        plan.kind, plan.year_start, plan.year_end = "period", int(m.group(1)), int(m.group(2))
    else:
        m = re.search(r"\bnam\s*((?:19|20)\d{2})\b", tkey)
        if m:
            plan.kind, plan.year_start, plan.year_end = "yearly", int(m.group(1)), int(m.group(1))
        elif tkey.startswith("chuong trinh") or "chuong trinh hanh dong" in tkey:
            plan.kind = "program"
    # issuer: a known unit in the header, else in the title or the appendix caption
    issuer = None
    for line in head[:12]:
        issuer = _find_unit(line.key)
        if issuer:
            break
    if not issuer:
        issuer = _find_unit(tkey)
    if not issuer and attached:
        issuer = _find_unit(attached[1].key)
    if not issuer:
        for index, line in enumerate(head[:8]):
            if re.match(r"(uy ban nhan dan|ubnd)\b", line.key):
                cut = re.split(r"\s+(?:cong hoa|cộng hòa|doc lap)", line.key)[0]
                rest = cut[len(re.match(r"(uy ban nhan dan|ubnd)", cut).group(0)) :].strip()
                if rest:
                    issuer = "Ủy ban nhân dân " + rest
                elif index + 1 < len(head):
                    nxt = re.split(r"(?i)\s+(?:độc lập|doc lap|đ[ộo]c l[ậa]p)", head[index + 1].text)[0]
                    place = _place_name(nxt)
                    # a commune-level unit is named by its place, like the known ones ("Phường Lê Chân")
                    if place.startswith(("xã ", "phường ", "đặc khu ")):
                        issuer = place[:1].upper() + place[1:]
                    else:
                        issuer = "Ủy ban nhân dân " + place
                break
    if issuer:
        extended = re.search(re.escape(fold(issuer)) + r" (thanh pho [a-z ]+?)$", tkey)
        if extended and fold(issuer).startswith("so "):
            issuer = issuer + " " + plan.title[len(plan.title) - len(extended.group(1)) :]
        plan.issuer = issuer
    # parent plan: the first "Kế hoạch/Quyết định số …" the plan is based on
    own = fold(plan.number)
    for line in lines[:body_start]:
        if line.key.startswith(("can cu", "thuc hien")) or "ke hoach so" in line.key:
            for m in _REF_RE.finditer(line.text):
                number = f"{m.group(1)}/{_fix_symbol(m.group(2))}"
                if fold(number) != own and not re.search(r"nq|nđ|nd-cp|tt", fold(number)):
                    plan.parent_number = number
                    break
        if plan.parent_number:
            break
    # signer: the name under "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" (or "GIÁM ĐỐC")
    for index, line in enumerate(lines):
        if re.fullmatch(r"(kt\.?\s*)?(chu tich|pho chu tich|giam doc|pho giam doc)", line.key):
            for nxt in lines[index + 1 : index + 12]:
                if re.fullmatch(
                    r"[A-ZĐÂĂÊÔƠƯ][^\W\d_]+(?: [A-ZĐÂĂÊÔƠƯ][^\W\d_]+){1,4}", nxt.text
                ) and not _is_upperish(nxt.text):
                    plan.signer = nxt.text
                    break
            if plan.signer:
                break
