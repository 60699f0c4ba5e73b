"""A plan document's text → a draft plan: header, targets per area, the task table.

``parse_plan_text(text)`` reads what ``extract_text`` returns (Word, PDF, OCR or pasted text, with or
without diacritics) and returns a ``DraftPlan`` for a person to check before anything is saved:

- the header: issuer, number and symbol ("84/KH-UBND", OCR "S6: 95/QP-UBND" → "95/QĐ-UBND"), date,
  title, kind and years;
- the targets in the "Mục tiêu" parts of each area (and ranking goals in "Mục đích"): one target per
  quantity ("100% …", "tối thiểu 85%", "từ 50% trở lên", "giảm bình quân 10%", "25% - 35%"), with
  comparator, threshold and unit, plus checkable goals without a number (comparator "text");
- the tasks of the appendix table "Danh mục nhiệm vụ cụ thể" whether it arrives as real table rows
  (" | " lines from Word or PDF), as a table flattened into one cell per line, or as OCR lines that
  interleave the cells of a row; without an appendix, the "b) Nhiệm vụ" bullets of section II with the
  units named in "Tổ chức thực hiện".

Every item records the source lines it came from, a confidence, and whether its text had diacritics
restored. Text that lost its diacritics (OCR) is restored first (``restore.restore_diacritics``).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from cchc.core.text import fold
from cchc.docimport.extract import CELL_SEP, DITTO, PARA_SEP
from cchc.docimport.restore import _RICH, WORD_RE, restore_diacritics

AREA_NAMES = {
    0: "Công tác chỉ đạo, điều hành",
    1: "Cải cách thể chế",
    2: "Cải cách thủ tục hành chính",
    3: "Cải cách tổ chức bộ máy hành chính nhà nước",
    4: "Cải cách chế độ công vụ",
    5: "Cải cách tài chính công",
    6: "Xây dựng và phát triển Chính phủ điện tử, Chính phủ số",
}


# ----------------------------------------------------------------------------------------- results


@dataclass(kw_only=True)
class DraftItem:
    lines: tuple[int, int] = (0, 0)  # 1-based first and last source line
    confidence: float = 1.0
    restored: bool = False


@dataclass(kw_only=True)
class DraftTarget(DraftItem):
    area: int
    text: str
    metric: str = ""
    comparator: str = "text"  # gte | lte | eq | reduce_by | increase_by | text
    threshold: float | None = None
    unit: str = ""
    deadline_year: int | None = None


@dataclass(kw_only=True)
class DraftTask(DraftItem):
    area: int
    number: str
    content: str
    lead: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    product: str = ""
    time_text: str = ""
    children: list[DraftTask] = field(default_factory=list)


@dataclass(kw_only=True)
class DraftPlan:
    number: str = ""
    issuer: str = ""
    date: str | None = None  # ISO
    title: str = ""
    kind: str = "period"  # program | period | yearly
    year_start: int | None = None
    year_end: int | None = None
    lines: list[str] = field(default_factory=list)
    targets: list[DraftTarget] = field(default_factory=list)
    tasks: list[DraftTask] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    parent_number: str = ""
    signer: str = ""
    restored: bool = False  # the document had lost its diacritics; they were restored
    task_source: str = ""  # table | vertical | interleaved | bullets | inline: where the tasks came from
    # parts of the document that look like a plan's but gave nothing: {"part", "lines": [a, b], "reason"}
    unread: list[dict] = field(default_factory=list)
    looks_like_plan: bool = False  # headings of a plan (mục tiêu, nhiệm vụ, tổ chức thực hiện…) found

    def to_json(self) -> dict:
        data = asdict(self)
        for target in data["targets"]:
            target["lines"] = list(target["lines"])

        def fix(tasks):
            for task in tasks:
                task["lines"] = list(task["lines"])
                fix(task["children"])

        fix(data["tasks"])
        return data

    def all_tasks(self) -> list[DraftTask]:
        out = []
        for task in self.tasks:
            out.append(task)
            out.extend(task.children)
        return out


# ------------------------------------------------------------------------------------------- lines


@dataclass
class _Line:
    no: int  # 1-based
    text: str  # NFC (restored when the document had lost its diacritics), single spaces, stripped
    key: str  # folded: lower case, no marks, đ → d


def _norm_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def has_diacritics(text: str) -> bool:
    """Whether text was typed with Vietnamese diacritics (OCR text keeps only stray Latin-1 marks)."""
    words = WORD_RE.findall(text)
    letters = [w for w in words if any(ch.isalpha() for ch in w)]
    if not letters:
        return True
    rich = sum(1 for w in letters if any(ch in _RICH for ch in w.lower()))
    return rich / len(letters) >= 0.12


_OCR_GLUE = re.compile(r"(?<=[^\W\d_])[&$](?=[\s,.;:)]|$)")


def _prepare(text: str) -> tuple[list[str], list[_Line], bool]:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    raw = text.split("\n")
    restored = False
    work = raw
    if not has_diacritics(text):
        fixed, restored = restore_diacritics(text)
        work = fixed.split("\n")
        if len(work) != len(raw):  # restoration keeps line breaks; guard anyway
            work, restored = raw, False
    lines = []
    for index, line in enumerate(work):
        clean = _norm_space(line.replace("\u00a0", " "))
        if restored:
            clean = _OCR_GLUE.sub("", clean)
        lines.append(_Line(index + 1, clean, fold(clean)))
    return raw, lines, restored


# ------------------------------------------------------------------------------------- vocabulary

_UNIT_START = re.compile(
    r"^(?:van phong|phong |trung tam|cac co quan|cac phong|cac don vi|cac ban|cac so|cac nganh|"
    r"cac to chuc|cac doan|cac xa|cac thon|co quan |don vi |so [a-z]|cong an|ubnd|uy ban|hdnd|"
    r"ban (?:quan ly|chi dao|chi huy|tuyen giao|to chuc|dan van)|cong thong tin|mat tran|chi cuc|"
    r"thanh tra|bo phan|doan thanh nien|hoi (?:nong dan|lien hiep|cuu chien binh)|truong |"
    r"thuong truc|lanh dao|chu tich|pho chu tich|giam doc|to cong tac|hoi dong|bo |tham muu)"
)
_UNIT_WORDS = frozenset(
    re.findall(
        r"\S+",
        "van phong hdnd ubnd va xa hoi trung tam phuc vu hanh chinh cong cac co quan don vi lien ban nganh "
        "so kinh te hoa dac khu phuong thanh pho tai ke hoach to chuc can bo noi tu phap giao duc dao tao "
        "y nong nghiep moi truong an xay dung thong tin dien tu su nghiep truc thuoc chuyen mon chu tri "
        "phoi hop voi lanh dao uy nhan dan tong hop thuong tp thon khu quan su chi huy "
        "ha tang do thi the thao truyen du lich mat tran quoc viet nam doan the bo phan mot cua tiep nhan "
        "tra ket qua ly dong nguoi dung dau",
    )
)
_COLLECTIVE = re.compile(r"^cac |lien quan|^co quan, don vi$")
_PRODUCT_START = re.compile(
    r"^(?:bao cao|ke hoach|quyet dinh|danh muc|van ban|cac van ban|tin,? bai|tin bai|thong bao|"
    r"cong van|to trinh|de an|chuong trinh|huong dan|bien ban|so lieu|phan mem|he thong|chuyen trang|"
    r"chuyen muc|ket qua|cac quy dinh|quy dinh|quy che|thu tuc|tai lieu|ho so|bo chi so|chi thi|"
    r"nghi quyet|co so du lieu|trang thong tin|cac tin|hoi nghi|lop|phieu|bang|mo hinh|tham luan)"
)
_TIME_RE = re.compile(
    r"^(?:(?:tu |truoc |den |trong |sau )?(?:nam |thang |quy |ngay )?\d{1,2}/(?:\d{1,2}/)?(?:19|20)\d{2}|"
    r"(?:tu |truoc |trong |ca |den )?(?:nam |giai doan )?(?:19|20)\d{2}(?:\s*[-–—]\s*(?:\d{1,2}/)?(?:19|20)?\d{0,4})?|"
    r"hang nam|hang quy|hang thang|hang tuan|thuong xuyen|dinh ky|dot xuat|ca nam|"
    r"quy [ivx1-4]+|thang \d|theo |truoc ngay|trong (?:thang|quy|nam)|khi co|sau khi|"
    r"nam \d{4}|6 thang|sau thang|chin thang|9 thang)"
)
_TASK_VERBS = re.compile(
    r"^(?:ra soat|tham muu|tiep nhan|niem yet|thuc hien|day manh|tang cuong|to chuc|kiem tra|trien khai|"
    r"ung dung|ap dung|tu danh gia|ket hop|thong tin|cung cap|phat trien|xay dung|ban hanh|tiep tuc|"
    r"tham gia|thuong xuyen|doi moi|nghien cuu|cu |co cau|duy tri|hoan thien|nang cao|chu dong|"
    r"kiem soat|cat giam|danh gia|cap nhat|tuyen truyen|sap xep|tinh gian|quan ly|bo tri|dao tao|"
    r"boi duong|so hoa|van hanh|khai thac|dinh ky|theo doi|tong hop|de xuat|phoi hop|huong dan|"
    r"chi dao|don doc|cong khai|giai quyet|lay y kien|do luong|khao sat|phan cap|uy quyen|tai cau truc|"
    r"hien dai hoa|dam bao|bao dam|ket noi|chuyen doi|thi diem|dam bao|phe duyet|quan triet|pho bien)"
)


def area_of(key: str) -> int | None:
    """Area 0–6 named by a heading, in any accent state ("Cai cach the che" → 1)."""
    k = re.sub(r"[^a-z0-9 ]", " ", key)
    k = re.sub(r"\s+", " ", k)
    if re.search(r"\bthe che\b", k):
        return 1
    if re.search(r"\bthu tuc(?: hanh chinh| h\w{0,3} ?\w{0,3} chinh)?\b|\btthc\b", k):
        return 2
    if re.search(r"\bbo may\b", k):
        return 3
    if re.search(r"\bcong vu\b", k):
        return 4
    if re.search(r"\btai chinh cong\b", k):
        return 5
    if re.search(r"\bchinh (?:phu|quyen) (?:dien tu|so)\b|\bchuyen doi so\b|\bchinh phu so\b", k):
        return 6
    if re.search(r"\bchi dao\b|\bdieu hanh\b", k):
        return 0
    return None


_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}


def roman_value(token: str) -> int | None:
    """ "III" → 3; OCR forms too: "Il" → 2, "111" → 3, "|" → 1, "VIl" → 7."""
    t = token.strip().lower().replace("|", "i").replace("l", "i").replace("1", "i")
    if not t or not re.fullmatch(r"[ivx]{1,5}", t):
        return None
    total = 0
    for i, ch in enumerate(t):
        value = _ROMAN_VALUES[ch]
        if i + 1 < len(t) and _ROMAN_VALUES[t[i + 1]] > value:
            total -= value
        else:
            total += value
    return total if 0 < total < 20 else None


def _is_upperish(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ch.isupper() for ch in letters) >= 0.75 * len(letters)


def _cap(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


def _strip_item(text: str) -> str:
    text = re.sub(r"^\s*(?:[-+•–*]|[a-zđ]\)|\d{1,2}[.)])\s*", "", text.strip())
    return text.strip()


def _join(parts: list[str]) -> str:
    """Join wrapped lines: "kỳ 2024-" + "2028" → "kỳ 2024-2028"; otherwise one space."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if not out:
            out = part
        elif re.search(r"\d\s*[-–/]$", out[-4:]) and re.match(r"\d", part):
            out += part
        else:
            out += " " + part
    out = re.sub(r"\s+([,.;:])", r"\1", out)
    out = re.sub(r"(\d{4})\s*[-–]\s+(\d)", r"\1-\2", out)
    return _norm_space(out)


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
    base = Path(__file__).resolve().parent.parent / "demo" / "data"
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
                    issuer = "Ủy ban nhân dân " + nxt.lower()
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


# -------------------------------------------------------------------------------------- sections


@dataclass
class _Section:
    kind: str  # purpose | goals | solutions | budget | implementation | appendix | other
    start: int  # index into lines (heading line)
    end: int = 0


_ROMAN_HEAD = re.compile(r"^([ivxl1|]{1,4})(?:\s*[.):|]\s*|\s+)(.+)$")


def _section_kind(rest: str) -> str:
    if "muc dich" in rest:
        return "purpose"
    if "to chuc thuc hien" in rest:
        return "implementation"
    if re.search(r"muc tieu|chi tieu|nhiem vu", rest):
        return "goals"
    if "giai phap" in rest:
        return "solutions"
    if "kinh phi" in rest:
        return "budget"
    return "other"


def _find_sections(lines: list[_Line], appendix_at: int) -> list[_Section]:
    sections: list[_Section] = []
    limit = appendix_at if appendix_at >= 0 else len(lines)
    for index, line in enumerate(lines[:limit]):
        m = _ROMAN_HEAD.match(line.key)
        if not m or roman_value(m.group(1)) is None:
            continue
        rest = m.group(2)
        if len(rest.split()) > 14:
            continue
        original_rest = (
            line.text[len(line.text) - len(m.group(2)) :] if len(line.text) >= len(m.group(2)) else ""
        )
        if re.fullmatch(r"[1l|]+", m.group(1)) and not _is_upperish(original_rest):
            continue  # "1. Mục đích" is not "I. MỤC ĐÍCH"
        if not re.match(r"^\S+\s*[.):|]", line.key) and not _is_upperish(original_rest):
            continue  # without "." only a heading in capitals ("II MỤC TIÊU …" from OCR)
        kind = _section_kind(rest)
        if kind == "other" and not _is_upperish(original_rest):
            continue
        sections.append(_Section(kind, index))
    for i, section in enumerate(sections):
        section.end = sections[i + 1].start if i + 1 < len(sections) else limit
    return sections


def _find_appendix(lines: list[_Line]) -> int:
    """Index of the appendix heading ("DANH MỤC NHIỆM VỤ …", "Phụ lục"), -1 if there is none."""
    for index, line in enumerate(lines):
        key = line.key
        if not re.match(r"^(phu luc|danh muc)\b", key):
            continue
        header = _table_header_end(lines, index) is not None
        if header or (
            _is_upperish(line.text) and "nhiem vu" in " ".join(ln.key for ln in lines[index : index + 3])
        ):
            return index
    return -1


# --------------------------------------------------------------------------------------- targets

_INDEPENDENT = re.compile(
    r"^(?:thuc hien|trien khai|cong khai|bao dam|dam bao|so hoa|ung dung|cat giam|giam |tang |nang cao|"
    r"duy tri|xay dung|hoan thanh|tiep tuc|phan dau|ap dung|doi moi|thuc day|bo tri|kiem soat|tao lap|"
    r"tao |dinh ky|thuong xuyen|nghien cuu|uu tien|tu |trong (?:so )?do|100|\d)"
)
_TEXT_TARGET = re.compile(
    r"cat giam thoi gian|\bm[a-z] hinh\s*[\"“”'‘]|luong xanh|cong khai muc do hai long|"
    r"theo chi dao(?:, huong dan)? cua (?:trung uong|thanh pho|cap tren|tinh|ubnd)"
)


def _split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[-–]?\s*[A-ZĐÀ-Ỹ0-9“\"])|(?<=[.;:])\s+[-–]\s+(?=[A-ZĐÀ-Ỹ0-9])", text)
    return [p.strip() for p in parts if p and p.strip()]


def _has_quantity(key: str) -> bool:
    return bool(
        re.search(r"\d{1,3}(?:[.,]\d+)?\s*%|mot trong \d+ (?:dia phuong|tinh)|\btoan bo\b", key)
        and not re.search(r"^(ra soat|tien hanh) toan bo", key)
    )


def _clauses(item: str) -> list[str]:
    """Split one goal bullet into clauses that can each be a target."""
    out: list[str] = []
    for sentence in _split_sentences(item):
        pieces = re.split(r";\s+", sentence)
        merged: list[str] = []
        for piece in pieces:
            key = fold(piece)
            if (
                merged
                and not _has_quantity(key)
                and not _INDEPENDENT.match(key)
                and not _has_quantity(fold(merged[-1]))
            ):
                merged[-1] = merged[-1] + "; " + piece
            else:
                merged.append(piece)
        for piece in merged:
            # ", trong (số) đó, …" starts its own target
            for sub in re.split(r",\s+(?=trong (?:số )?đó,)|\.\s+(?=Trong (?:số )?đó,)", piece):
                out.append(sub.strip())
    return [c.strip(" .;") for c in out if c.strip(" .;")]


def _split_quantities(clause: str) -> list[str]:
    """ "25% - 35% số lãnh đạo …, trên 30% số …, 80% số … có đủ khả năng …" → three targets that share
    the final predicate."""
    key = fold(clause)
    starts = [
        m.start()
        for m in re.finditer(r"(?:(?<=, )|(?<=: )|^)(?:tren |tu |toi thieu |it nhat )?\d{1,3}\s*%", key)
    ]
    if len(starts) < 2:
        return [clause]
    pieces = [clause[s:e].strip(" ,;") for s, e in zip(starts, starts[1:] + [len(clause)], strict=True)]
    last = pieces[-1]
    m = re.search(r"\s(có đủ|có|được|đạt|làm chủ|tham gia)\s", last)
    if m:
        tail = last[m.start() :].strip()
        pieces = [p + " (…) " + tail if i < len(pieces) - 1 else p for i, p in enumerate(pieces)]
    return pieces


def _measure(clause: str) -> tuple[str, float | None, str]:
    """(comparator, threshold, unit) of one clause."""
    key = fold(clause)
    m = re.search(r"mot trong\s*(\d{1,2})\s*(?:dia phuong|tinh)", key)
    if m:
        return "lte", float(m.group(1)), "hạng"
    m = re.search(r"(\d{1,3}(?:[.,]\d+)?)\s*%?\s*[-–—]\s*(\d{1,3}(?:[.,]\d+)?)\s*%", key)
    if m:
        return "gte", float(m.group(1).replace(",", ".")), "%"
    m = re.search(r"(\d{1,3}(?:[.,]\d+)?)\s*%", key)
    if m:
        value = float(m.group(1).replace(",", "."))
        before = key[max(0, m.start() - 30) : m.start()]
        after = key[m.end() : m.end() + 15]
        if re.search(r"\bgiam\b[^%]*$", before):
            return "reduce_by", value, "%"
        if re.search(r"\btang\b[^%]*$", before) and "tang cuong" not in before:
            return "increase_by", value, "%"
        if (
            re.search(r"(toi thieu|it nhat|khong duoi|khong thap hon|tren|tu)\s*$", before)
            or "tro len" in after
        ):
            return "gte", value, "%"
        if re.search(r"(toi da|khong qua|duoi|khong vuot qua)\s*$", before):
            return "lte", value, "%"
        if value >= 100:
            return "eq", value, "%"
        return "gte", value, "%"
    m = re.search(r"(\d{1,4})\s*(phut|ngay lam viec|ngay|gio)\b", key)
    if m:
        unit = {"phut": "phút", "ngay lam viec": "ngày làm việc", "ngay": "ngày", "gio": "giờ"}[m.group(2)]
        before = key[max(0, m.start() - 25) : m.start()]
        comparator = "lte" if re.search(r"(toi da|khong qua|duoi)\s*$", before) else "lte"
        return comparator, float(m.group(1)), unit
    if re.search(r"\btoan bo\b", key):
        return "eq", 100.0, "%"
    return "text", None, ""


def _metric(text: str, comparator: str) -> str:
    t = re.sub(r"^(?:trong (?:số )?đó,?\s*)", "", text.strip(), flags=re.I)
    t = re.sub(
        r"\s*(?:đạt\s*)?(?:tối thiểu|ít nhất|từ|trên|tối đa)?\s*\d{1,3}(?:[.,]\d+)?\s*%(?:\s*trở lên)?\s*$",
        "",
        t,
    )
    t = re.sub(
        r"^(?:tối thiểu|ít nhất|trên|từ)?\s*\d{1,3}(?:[.,]\d+)?\s*%\s*(?:[-–]\s*\d{1,3}\s*%\s*)?", "", t
    )
    if comparator in ("reduce_by", "increase_by"):
        t = re.sub(r"(?i)^.*?(?:giảm|tăng)\s*(?:bình quân|thêm|tối thiểu|ít nhất)?\s*", "", t)
        t = re.sub(r"^\d{1,3}(?:[.,]\d+)?\s*%\s*", "", t)
    t = t.strip(" ,.;")
    if comparator in ("eq", "gte", "lte") and text.strip()[:1].isdigit():
        t = "Tỷ lệ " + t
    return _cap(t)[:200]


def _deadline(key: str) -> int | None:
    m = re.search(r"(?:den|truoc|trong) nam\s*((?:20)\d{2})", key)
    return int(m.group(1)) if m else None


def _targets_from_items(items: list[tuple[str, int, int]], area: int, restored: bool) -> list[DraftTarget]:
    out: list[DraftTarget] = []
    for text, first, last in items:
        for clause in _clauses(text):
            for piece in _split_quantities(clause):
                piece = _strip_item(piece).strip(" ;,.")
                key = fold(piece)
                if len(key) < 8:
                    continue
                comparator, threshold, unit = _measure(piece)
                if comparator == "text":
                    if not _TEXT_TARGET.search(key):
                        continue
                    confidence = 0.6
                else:
                    confidence = 0.9
                if restored:
                    confidence *= 0.9
                out.append(
                    DraftTarget(
                        area=area,
                        text=piece,
                        metric=_metric(piece, comparator),
                        comparator=comparator,
                        threshold=threshold,
                        unit=unit,
                        deadline_year=_deadline(key),
                        lines=(first, last),
                        confidence=round(confidence, 2),
                        restored=restored,
                    )
                )
    return out


def _ranking_targets(items: list[tuple[str, int, int]], restored: bool) -> list[DraftTarget]:
    """ "… tiếp tục là một trong 5 địa phương đạt thứ hạng cao nhất về Chỉ số A; Chỉ số B; từng bước cải
    thiện Chỉ số C, Chỉ số D" → one ranking target per index (lte 5 hạng), text targets for the rest."""
    out: list[DraftTarget] = []
    for text, first, last in items:
        key = fold(text)
        m = re.search(r"mot trong\s*(\d{1,2})\s*(?:dia phuong|tinh)[^.]*?\bve\s+", key)
        if not m:
            continue
        n = float(m.group(1))
        subject_start = key.rfind(" de ", 0, m.start())
        subject_start = subject_start + 4 if subject_start >= 0 else max(0, key.rfind(",", 0, m.start()) + 1)
        prefix = _cap(text[subject_start : m.end()].strip()) + " "
        rest = text[m.end() :]
        rest = re.split(r"\.\s", rest)[0]
        improve = re.split(r"(?i);?\s*từng bước cải thiện\s+", rest, maxsplit=1)
        ranked = [p.strip(" ;,.") for p in re.split(r";\s*", improve[0]) if p.strip(" ;,.")]
        for index in ranked:
            out.append(
                DraftTarget(
                    area=0,
                    text=f"{prefix}{index}",
                    metric=_cap(index)[:200],
                    comparator="lte",
                    threshold=n,
                    unit="hạng",
                    lines=(first, last),
                    confidence=0.75 * (0.9 if restored else 1),
                    restored=restored,
                )
            )
        if len(improve) > 1:
            for index in re.split(r"[;,]\s*(?=chỉ số|Chỉ số|CHỈ SỐ)", improve[1]):
                index = index.strip(" ;,.")
                if index:
                    out.append(
                        DraftTarget(
                            area=0,
                            text="Từng bước cải thiện " + index,
                            metric=_cap(index)[:200],
                            comparator="text",
                            lines=(first, last),
                            confidence=0.6 * (0.9 if restored else 1),
                            restored=restored,
                        )
                    )
    return out


def _items(lines: list[_Line], start: int, end: int, markers: str = "-+•") -> list[tuple[str, int, int, str]]:
    """Bullet items of a block: (text, first line no, last line no, marker)."""
    items: list[list] = []
    for line in lines[start:end]:
        text = line.text
        if not text or re.fullmatch(r"\d{1,3}", text):
            continue
        text = re.sub(r"^\d{1,3}\s+(?=[-+]\s)", "", text)  # a page number glued to a bullet
        m = re.match(r"^([-+•–*])\s*(?=\S)", text)
        letter = re.match(r"^([a-dđe¢]\))\s+", text)
        if m and m.group(1) in markers + "–*":
            marker = "+" if m.group(1) == "+" else "-"
            items.append([text[m.end() :], line.no, line.no, marker])
        elif letter:
            items.append([text[letter.end() :], line.no, line.no, "-"])
        elif items:
            items[-1][0] = _join([items[-1][0], text])
            items[-1][2] = line.no
        else:
            items.append([text, line.no, line.no, ""])
    # bullets glued into one line by OCR: "… nhà nước. - Thực hiện Nghị định …"
    out: list[tuple[str, int, int, str]] = []
    for text, first, last, marker in items:
        pieces = re.split(r"(?<=[.;:])\s+[-–]\s+(?=[A-ZĐÀ-Ỹ0-9])", text)
        out.append((pieces[0], first, last, marker))
        for piece in pieces[1:]:
            out.append((piece, last, last, "-"))
    return out


_SUB_RE = re.compile(r"^([a-dđ¢c])\s*[).]\s*(muc tieu|chi tieu|nhiem vu|nhiem vu cu the|giai phap)\s*:?$")
_AREA_HEAD = re.compile(r"^(\d{1,2})\s*[.)]\s*(.+)$")


def _area_blocks(lines: list[_Line], section: _Section) -> list[tuple[int, str, int, int]]:
    """(area, "targets" | "tasks", start, end) blocks of section II."""
    heads: list[tuple[int, int]] = []
    for index in range(section.start + 1, section.end):
        line = lines[index]
        m = _AREA_HEAD.match(line.key)
        if m and len(m.group(2).split()) <= 16:
            area = area_of(m.group(2))
            if area is not None and re.match(
                r"(cai cach|xay dung|cong tac|day manh|hien dai|doi moi|tang cuong|chinh phu|chinh quyen)",
                m.group(2),
            ):
                heads.append((index, area))
    blocks: list[tuple[int, str, int, int]] = []
    for i, (index, area) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else section.end
        subs = []
        for j in range(index + 1, end):
            m = _SUB_RE.match(lines[j].key)
            if m:
                subs.append((j, "tasks" if "nhiem vu" in m.group(2) else "targets"))
        if not subs:
            blocks.append((area, "targets", index + 1, end))
            continue
        for k, (j, what) in enumerate(subs):
            sub_end = subs[k + 1][0] if k + 1 < len(subs) else end
            blocks.append((area, what, j + 1, sub_end))
    return blocks


# ----------------------------------------------------------------------------------- task tables


@dataclass
class _Row:
    number: str = ""
    marker: str = ""  # "-" / "+" for sub-items
    content: list[str] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)
    partner: list[str] = field(default_factory=list)
    product: list[str] = field(default_factory=list)
    time: list[str] = field(default_factory=list)
    first: int = 0
    last: int = 0
    area: int | None = None
    confidence: float = 0.9
    notes: list[str] = field(default_factory=list)


_HEADER_KEYS = {
    "content": r"noi dung|ten nhiem vu|nhiem vu",
    "lead": r"chu tri|^(?:don vi|co quan|bo phan)? ?thuc hien$",
    "partner": r"phoi hop",
    "product": r"san pham|ket qua",
    "time": r"thoi gian|thoi han|tien do",
    "number": r"^(stt|tt|so tt)$",
}


def _column_order(header_key: str) -> list[str]:
    """Order of the lead/partner/product/time columns, from the header text."""
    order = ["content", "lead", "partner"]
    product = re.search(_HEADER_KEYS["product"], header_key)
    time = re.search(_HEADER_KEYS["time"], header_key)
    if product and time and time.start() < product.start():
        order += ["time", "product"]
    else:
        order += ["product", "time"]
    return order


def _split_units(text: str) -> list[str]:
    """ "Trung tâm Phục vụ hành chính công, Văn phòng HĐND&UBND" → two units; "Các cơ quan, đơn vị"
    stays one."""
    text = _norm_space(text.replace(PARA_SEP.strip(), ";"))
    if not text:
        return []
    parts = re.split(r"\s*;\s*|\s*\n\s*", text)
    out: list[str] = []
    for part in parts:
        pieces = re.split(r",\s*(?=[A-ZĐÀ-Ỹ])", part)
        current = ""
        for piece in pieces:
            if (
                current
                and _UNIT_START.match(fold(piece))
                and not _UNIT_START.match(fold(piece)).group(0).startswith(("co quan", "don vi"))
            ):
                out.append(current)
                current = piece
            else:
                current = f"{current}, {piece}" if current else piece
        if current:
            out.append(current)
    return [_tidy_unit(u) for u in out if _tidy_unit(u)]


def _tidy_unit(unit: str) -> str:
    unit = _norm_space(unit).strip(" ,.;:'‘’`\"“”")
    unit = re.sub(r"\s*(?:chủ trì|chu tri)\s*$", "", unit, flags=re.I)
    return unit


def _lead_and_partners(lead_text: str, partner_text: str) -> tuple[list[str], list[str]]:
    """Units of the two cells; "X chủ trì phối hợp với Y" in the lead cell moves Y to the partners."""
    extra: list[str] = []
    m = re.search(r"(?i)\s*(?:chủ trì,?\s*)?phối hợp với\s+", lead_text)
    if m:
        extra = _split_units(lead_text[m.end() :])
        lead_text = lead_text[: m.start()]
    lead = _split_units(lead_text)
    partners = extra + _split_units(partner_text)
    return lead, partners


def _table_rows_from_pipes(lines: list[_Line], start: int) -> tuple[list[_Row], list[str]] | None:
    """Rows of " | " lines (Word tables, PDF tables): the header row names the columns."""
    header_index = -1
    columns: dict[int, str] = {}
    for index in range(start, len(lines)):
        line = lines[index]
        if CELL_SEP.strip() not in line.text:
            continue
        cells = [fold(c) for c in line.text.split("|")]
        found = {}
        for i, cell in enumerate(cells):
            for name, pattern in _HEADER_KEYS.items():
                if name not in found.values() and re.search(pattern, cell.strip()):
                    found[i] = name
                    break
        if "content" in found.values() and ("lead" in found.values() or "partner" in found.values()):
            header_index, columns = index, found
            break
    if header_index < 0:
        return None
    if 0 not in columns:
        columns[0] = "number"
    rows: list[_Row] = []
    warnings: list[str] = []
    area: int | None = None
    header_cells = len(lines[header_index].text.split("|"))
    previous: list[str] = []
    for line in lines[header_index + 1 :]:
        if "|" not in line.text:
            continue
        cells = [c.strip() for c in line.text.split("|")]
        keys = [fold(c) for c in cells]
        joined = " ".join(keys)
        if sum(1 for pattern in _HEADER_KEYS.values() if re.search(pattern, joined)) >= 3:
            continue  # header repeated on a new page
        if all(re.fullmatch(r"\(?\d{1,2}\)?", k) or not k for k in keys):
            continue  # (1) (2) (3) column numbering
        non_empty = [c for c in cells if c and c != DITTO]
        # group row: "I | CẢI CÁCH THỂ CHẾ" (merged across the table)
        if (
            len(non_empty) <= 2
            and len(cells) < header_cells
            or (len(non_empty) <= 2 and non_empty and roman_value(cells[0]) is not None)
        ):
            text = " ".join(non_empty)
            found_area = area_of(fold(text))
            if found_area is not None and (roman_value(cells[0]) is not None or _is_upperish(text)):
                area = found_area
                continue
        if (
            len(non_empty) <= 2
            and non_empty
            and not any(cells[2:])
            and (
                re.fullmatch(r"[A-HĐ]\.?", cells[0])
                or re.match(r"^\d{1,2}\s*[.)]\s*\S", cells[0])
                or (re.fullmatch(r"\d{1,2}\.?", cells[0]) and _is_upperish(" ".join(non_empty[1:])))
            )
        ):
            # an area row lettered "A | CẢI CÁCH THỂ CHẾ", numbered "2 | CẢI CÁCH TỔ CHỨC BỘ MÁY" in
            # capitals, or titled "1. Cải cách thủ tục hành chính"
            text = re.sub(r"^\d{1,2}\s*[.)]\s*", "", " ".join(non_empty))
            found_area = area_of(fold(text))
            if found_area is not None:
                area = found_area
                continue
        if len(cells) < header_cells:
            cells += [""] * (header_cells - len(cells))
        values: dict[str, str] = {}
        for i, cell in enumerate(cells):
            name = columns.get(i)
            if not name:
                continue
            if cell == DITTO:
                cell = "" if name in ("number", "content") else (previous[i] if i < len(previous) else "")
            values[name] = cell
        previous = [values.get(columns.get(i, ""), c) for i, c in enumerate(cells)]
        number = values.get("number", "").strip().rstrip(".")
        content = values.get("content", "")
        if not content.strip() and not number:
            continue
        row = _Row(number=number, first=line.no, last=line.no, area=area, confidence=0.95)
        if number in ("-", "+", "•"):
            row.marker, row.number = number, ""
        row.content = [content]
        row.lead = [values.get("lead", "")]
        row.partner = [values.get("partner", "")]
        row.product = [values.get("product", "")]
        row.time = [values.get("time", "")]
        # a row continued from the previous page: no number, content starts in lower case
        if (
            rows
            and not number
            and not re.match(r"^\s*[-+•]", content)
            and content[:1].islower()
            and not any(values.get(k) for k in ("lead", "partner", "product", "time"))
        ):
            rows[-1].content.append(content)
            rows[-1].last = line.no
            continue
        rows.append(row)
    return rows, warnings


_HEADER_WORDS = (
    r"noi dung",
    r"chu tri",
    r"phoi hop",
    r"thoi gian|thoi han|tien do|hoan thanh",
    r"san pham|ket qua",
)


def _table_header_end(lines: list[_Line], start: int) -> tuple[int, str] | None:
    """Index of the first body line after a flattened table header found at/after start, and the
    header's folded text."""
    filled = [i for i in range(start, min(len(lines), start + 200)) if lines[i].text]
    for pos, index in enumerate(filled[:60]):
        key = lines[index].key
        if not ("noi dung" in key or re.match(r"s?tt\b", key)):
            continue

        def header_like(i: int) -> bool:
            own = sum(1 for p in _HEADER_WORDS if re.search(p, lines[i].key))
            return len(lines[i].text) <= 40 or (own >= 3 and len(lines[i].text) <= 100)

        if not header_like(index):
            continue
        window = [i for i in filled[max(0, pos - 2) : pos + 14] if header_like(i)]
        joined = " ".join(lines[i].key for i in window[:12])
        keys = sum(1 for pattern in _HEADER_WORDS if re.search(pattern, joined))
        if keys < 4:
            continue
        last = index
        for i in window:
            ln = lines[i]
            if i > index and (_group_heading(ln) is not None or re.fullmatch(r"\d{1,2}[.)]?", ln.text)):
                break
            if i > index and len(ln.text) > 45:
                break
            last = i
        header_key = " ".join(lines[i].key for i in filled[max(0, pos - 2) : pos]) + " "
        header_key += " ".join(lines[i].key for i in filled[pos:] if i <= last)
        return last + 1, header_key
    return None


def _group_heading(line: _Line) -> int | None:
    """Area of an appendix group row ("II CẢI CÁCH THỦ TỤC HÀNH CHÍNH", OCR "Il | CAI CACH …")."""
    text = line.text
    m = re.match(r"^([IVXLl1|]{1,4})\s*[.|:)]?\s*[|]?\s*(.+)$", text)
    body = m.group(2) if m and roman_value(m.group(1)) is not None else text
    if not _is_upperish(body) or len(body.split()) > 14:
        return None
    return area_of(fold(body))


# --- flattened table, one cell fragment per line (Word → text, PDF text of a simple table)


def _line_features(text: str, key: str, width: float, previous: str) -> dict:
    words = key.split()
    tokens = re.findall(r"[a-z]+", key)
    unit_words = sum(1 for w in tokens if w in _UNIT_WORDS)
    return {
        "len": len(text),
        "width": width,
        "glued": previous.rstrip().endswith(("-", "–", ",", "/")) and not re.match(r"^[-+•]", text),
        "bullet": bool(re.match(r"^[-+•]\s*\S", text)),
        "upper": text[:1].isupper(),
        "unit_start": bool(_UNIT_START.match(key)),
        "unit_cont": bool(words) and unit_words >= len(tokens) and len(text) <= 28,
        "time": bool(_TIME_RE.match(key)) and len(text) <= 30,
        "time_cont": bool(
            re.fullmatch(
                r"[\d/\- –.]+|(?:ban chi|dao cua|cua|nam|thang|quy|hien|thuc hien|hoan thanh)(?: \S+){0,2}",
                key,
            )
        )
        and not _UNIT_START.match(key)
        and len(text) <= 16,
        "product": bool(_PRODUCT_START.match(key)),
        "verb": bool(_TASK_VERBS.match(_strip_item(key))),
    }


def _emission(f: dict, col: str, start: bool) -> float:
    n = f["len"]
    width = f["width"]
    if start and f["glued"]:
        return -3.0 + _emission({**f, "glued": False}, col, start)
    if col == "content":
        score = 0.5
        if n >= 40 or n >= 0.8 * width:
            score += 2.5
        elif n >= 0.6 * width:
            score += 0.3
        elif n <= 10:
            score -= 0.5
        else:
            score -= 0.3
        if start:
            score += (
                2.5 if f["bullet"] else (1.0 if f["verb"] and f["upper"] else -2.5 if not f["upper"] else 0.0)
            )
        else:
            score += 0.3 if not f["upper"] else 0.0
            if f["bullet"]:
                score -= 2.5
        if f["unit_start"] and n < 40:
            score -= 1.5
        if f["time"] and n < 20:
            score -= 1.0
        return score
    if n >= 40:
        return -5.0
    score = 0.0
    if n >= 30 and col != "product":
        score -= 2.0
    if f["bullet"]:
        score -= 3.0
    if col in ("lead", "partner"):
        if start:
            score += 3.0 if f["unit_start"] else -2.5
        else:
            score += 1.5 if f["unit_cont"] else (-0.5 if n <= 14 else -2.0)
            if f["unit_start"]:
                score -= 0.5
        if f["time"] or f["product"]:
            score -= 1.5
    elif col == "time":
        if start:
            score += 3.0 if f["time"] else -3.0
        else:
            score += 1.5 if (f["time_cont"] or f["time"]) else -1.5
    elif col == "product":
        if start:
            score += 2.5 if f["product"] else -1.0
        else:
            score += 1.0 if n <= 0.72 * width else -1.5
            if f["unit_start"] or f["time"]:
                score -= 1.0
    return score


def _rows_vertical(body: list[_Line], order: list[str]) -> list[_Row]:
    """Rows of a table flattened to one cell fragment per line (columns in ``order``)."""
    cols = order
    states = [(c, s) for c in cols for s in (True, False)]
    items: list[tuple[_Line, str, dict]] = []  # (line, tt-number, features)
    pending_tt = ""
    long_lines = sorted(len(line.text) for line in body if len(line.text) >= 36)
    width = float(long_lines[len(long_lines) // 2]) if long_lines else 50.0
    previous = ""
    for line in body:
        text = line.text
        if not text:
            continue
        m = re.fullmatch(r"(\d{1,2})\s*[.)]?", text)
        if m:
            pending_tt = m.group(1)
            continue
        m = re.match(r"^(\d{1,2})\s*[.)]?\s+(?=[A-ZĐÀ-Ỹ])", text)
        tt = pending_tt
        if m and not tt:
            tt, text = m.group(1), text[m.end() :]
        pending_tt = ""
        items.append(
            (_Line(line.no, text, fold(text)), tt, _line_features(text, fold(text), width, previous))
        )
        previous = text
    if not items:
        return []
    neg = -1e9
    score = {st: neg for st in states}
    back: list[dict] = []
    for i, (_line, tt, feats) in enumerate(items):
        new = {}
        ptr = {}
        for col, start in states:
            emit = _emission(feats, col, start)
            if tt:
                emit += 6.0 if (col == "content" and start) else -20.0
            best, arg = neg, None
            if i == 0:
                best = 0.0 if (col == "content" and start) else neg
            else:
                for (pcol, pstart), pscore in score.items():
                    if pscore <= neg / 2:
                        continue
                    pi, ci = cols.index(pcol), cols.index(col)
                    if not start:
                        if pcol != col:
                            continue
                        trans = 0.0
                    elif col == "content":
                        trans = 0.0 if pcol != "content" else -1.5
                    else:
                        if ci <= pi:
                            continue
                        trans = -0.6 * (ci - pi - 1)
                    if pscore + trans > best:
                        best, arg = pscore + trans, (pcol, pstart)
            new[(col, start)] = best + emit
            ptr[(col, start)] = arg
        score = new
        back.append(ptr)
    state = max(score, key=score.get)
    path = [state]
    for i in range(len(items) - 1, 0, -1):
        state = back[i][state]
        path.append(state)
    path.reverse()
    rows: list[_Row] = []
    for (line, tt, _f), (col, start) in zip(items, path, strict=True):
        if col == "content" and start:
            row = _Row(number=tt, first=line.no, last=line.no, confidence=0.85)
            m = re.match(r"^([-+•])\s*", line.text)
            text = line.text
            if m and not tt:
                row.marker = "+" if m.group(1) == "+" else "-"
                text = text[m.end() :]
            row.content.append(text)
            rows.append(row)
            continue
        if not rows:
            rows.append(_Row(first=line.no, confidence=0.6))
        row = rows[-1]
        row.last = line.no
        getattr(row, col).append(line.text) if col != "content" else row.content.append(line.text)
    return rows


# --- OCR lines that interleave the cells of a row (content | lead | partner | product | time)

_TAIL_TIME = re.compile(
    r"(?:\|\s*)?((?:(?:19|20)\d{2}\s*[-–]\s*(?:\d{1,2}/)?(?:19|20)\d{2})|(?:[Hh]àng|[Hh]ằng) năm|"
    r"(?:19|20)\d{2}|[Tt]hường xuyên)\s*$",
)
_UNIT_IN_LINE = re.compile(
    r"(?<![^\W\d_])(?:Văn phòng|VĂN PHÒNG|Phòng [A-ZĐÀ-Ỹ]|PHÒNG [A-ZĐ]|Trung tâm|Các phòng|CÁC PHÒNG|Các cơ quan|"
    r"Các đơn vị|Các ban|Công an|Ban Chỉ|Mặt trận|Sở [A-ZĐÀ-Ỹ]|"
    r"C\S{0,3}\s*(?:\S{1,8}\s+)?\S{0,8}[,.:]\s*ban[,.]?\s*đơn)"
)
_UNIT_AFTER_BAR = re.compile(
    r"\|\s*(?:văn phòng|phòng|trung tâm|các phòng|các cơ quan|các đơn vị|công an|chủ trì|phối hợp)", re.I
)
_LEAD_LINK = re.compile(
    r"(?<![^\W\d_])(?:chủ trì,? phối hợp với|chủ trì|phối hợp với)(?=\s+(?:Văn|Phòng|Trung|Các|UBND))"
)
_PRODUCT_IN_LINE = re.compile(
    r"(?<![^\W\d_])(?:Báo cáo|BÁO CÁO|Báo Cáo|BÁO Cáo|BÁO cáo|Bộ cáo|Báo 40|Bộ 40|Kế hoạch, báo cáo|Kế hoạch|"
    r"Quyết đ\S*|Danh mục|Các văn bản|CÁC văn bản|Văn bản|Các quy định|Tin, bài|Thủ tục hành)"
)
_CONT_FRAG = re.compile(
    r"(?<![^\W\d_])(?:vị,? có liên quan|có liên quan|chính công|UBND đặc khu|đặc khu|Xã hội|hội, Văn phòng)"
)


def _clean_frag(text: str) -> str:
    """Drop OCR residue from a cell fragment: "Phòng Văn hóa - Xã hội Là : <" → "Phòng Văn hóa - Xã hội"."""
    out = []
    for token in text.split():
        core = token.strip(",.;:")
        letters = sum(ch.isalpha() for ch in core)
        others = sum(not ch.isalnum() and ch not in "-–&/" for ch in core)
        if core in ("-", "–", "&") or (letters >= 2 and others == 0):
            out.append(token)
        elif letters >= 2 and others:
            head = re.match(r"[^\W\d_]{2,}", core)
            if head:
                out.append(head.group(0))
        elif core.isdigit() and len(core) == 4:
            out.append(token)
    while out and not _known_word(out[-1]):
        out.pop()  # OCR residue after the unit name ("Vipcé hgé")
    out = [token for token in out if _known_word(token) or token[:1].isupper()]
    return " ".join(out).strip(" ,;:").lstrip("-– ")


def _splits_here(before: str, frag: str) -> bool:
    """Whether a continuation fragment starts a new cell here or goes on the unit before it."""
    before = before.rstrip()
    key = fold(frag)
    last = fold(before.split()[-1]) if before.split() else ""
    if before.endswith(("|", "-", "–", "&")):
        return False
    if key.startswith("vi") and last == "don":
        return False
    if key.startswith("co lien quan") and last in ("vi", "don"):
        return False
    if key.startswith(("ubnd dac khu", "dac khu")) and last in ("phong", "ubnd", "an", "van"):
        return False
    if key.startswith("chinh cong") and last == "hanh":
        return False
    return not (key.startswith("xa hoi") and last in ("-", "–", "hoa"))


def _known_word(token: str) -> bool:
    from cchc.docimport.restore import fold_word, load_model

    core = token.strip(",.;:()")
    if not core or core in ("-", "–", "&") or core.isdigit():
        return True
    if core.isupper() and len(core) <= 6:
        return True  # UBND, HĐND
    return fold_word(core) in load_model().forms


def _split_interleaved(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Content part of an OCR table line and the cell fragments after it, in order:
    [("unit" | "cont" | "product" | "time", text)]."""
    frags_end: list[tuple[str, str]] = []
    m = _TAIL_TIME.search(text)
    if m and (m.start() > 0 or len(text) < 20):
        frags_end.append(("time", m.group(1)))
        text = text[: m.start()].rstrip(" |")
    units = [mm.start() for mm in _UNIT_IN_LINE.finditer(text)] + [
        mm.start() for mm in _UNIT_AFTER_BAR.finditer(text)
    ]
    candidates: list[int] = []
    for pos in units:
        candidates.append(pos)
    for mm in _LEAD_LINK.finditer(text):
        candidates.append(mm.start())
    for mm in _PRODUCT_IN_LINE.finditer(text):
        after = text[mm.end() :]
        if any(u > mm.start() for u in units):
            continue  # units never come after the product column
        if len(re.findall(r"[^\W\d_]{2,}", after)) > 6:
            continue
        candidates.append(mm.start())
    for mm in _CONT_FRAG.finditer(text):
        rest = text[mm.end() :].strip(" |.,;:")
        if (
            not rest
            or _UNIT_IN_LINE.match(rest)
            or _PRODUCT_IN_LINE.match(rest)
            or _CONT_FRAG.match(rest)
            or _is_junk(rest)
        ):
            candidates.append(mm.start())
    cut = None
    for pos in sorted(set(candidates)):
        before = text[:pos]
        words_before = len(re.findall(r"[^\W\d_]{2,}", before))
        if pos == 0 or words_before >= 2 or before.rstrip().endswith("|") or _is_junk(before):
            cut = pos
            break
    if cut is None:
        return text, list(reversed(frags_end))
    content, tail = text[:cut], text[cut:]
    points = sorted(
        {0}
        | {mm.start() for mm in _UNIT_IN_LINE.finditer(tail)}
        | {mm.start() for mm in _PRODUCT_IN_LINE.finditer(tail)}
        | {mm.start() for mm in re.finditer(r"\|", tail)}
        | {
            mm.start()
            for mm in _CONT_FRAG.finditer(tail)
            if mm.start() > 0 and _splits_here(tail[: mm.start()], mm.group(0))
        }
    )
    fragments: list[tuple[str, str]] = []
    for a, b in zip(points, points[1:] + [len(tail)], strict=True):
        piece = tail[a:b].strip(" |")
        if not piece:
            continue
        if _PRODUCT_IN_LINE.match(piece):
            kind = "product"
        elif _UNIT_IN_LINE.match(piece) or re.match(
            r"(?i)(?:văn phòng|phòng|trung tâm|các phòng|các cơ quan|công an)\b", piece
        ):
            kind = "unit"
        else:
            kind = "cont"
        cleaned = _clean_frag(piece)
        if cleaned:
            fragments.append((kind, cleaned))
    return content.rstrip(" |"), fragments + list(reversed(frags_end))


def _is_junk(text: str) -> bool:
    """OCR residue of a table (accent marks read as letters): "A A s e", ". A L A"."""
    words = re.findall(r"[^\W\d_]+", text)
    if not words:
        return True
    return sum(len(w) for w in words) <= 2 * len(words) and len(words) >= 2


def _rows_interleaved(body: list[_Line], known: list[str] | None = None) -> tuple[list[_Row], list[str]]:
    warnings: list[str] = []
    known = known or _KNOWN_UNITS
    # anchors: lines that start with the row number
    anchors: list[int] = []
    expected = 1
    for index, line in enumerate(body):
        m = re.match(r"^(\d{1,2}|[gqoO]\d?|\d[oO]|[oO]\d)\s*[|.]?\s+(?=\S)", line.text)
        if not m:
            continue
        token = m.group(1)
        digits = token.translate(str.maketrans({"g": "8", "q": "9", "o": "0", "O": "0"}))
        has_tail = bool(_TAIL_TIME.search(line.text))
        if digits.isdigit() and int(digits) == expected or has_tail:
            anchors.append(index)
            expected = (int(digits) if digits.isdigit() and int(digits) == expected else expected) + 1
    if not anchors:
        return [], warnings
    group_at = {i for i, line in enumerate(body) if _group_heading(line) is not None}

    def boundary_score(i: int) -> float:
        line = body[i].text
        prev = body[i - 1].text if i > 0 else ""
        if not line[:1].isupper():
            return 0.0
        score = 1.0
        score += 1.0 if _TASK_VERBS.match(fold(line)) else -0.8
        if len(line) >= 30:
            score += 0.5
        if prev.rstrip().endswith((".", ";")) or len(prev) < 25:
            score += 0.5
        if prev.rstrip().endswith(("-", ",")):
            score -= 1.5
        return score

    starts: list[int] = []
    for k, anchor in enumerate(anchors):
        low = anchors[k - 1] + 1 if k else 0
        for g in group_at:
            if low <= g < anchor:
                low = max(low, g + 1)
        best, best_score = anchor, 1.2
        for i in range(max(low, anchor - 5), anchor):
            text = body[i].text
            if not text or _is_junk(text) or i in group_at:
                continue
            s = boundary_score(i)
            if s > best_score:
                best, best_score = i, s
        starts.append(best)
    rows: list[_Row] = []
    area = None
    area_at = {}
    for i, line in enumerate(body):
        if i in group_at:
            area = _group_heading(line)
        area_at[i] = area
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(body)
        for g in sorted(group_at):
            if start < g < end:
                end = g
                break
        anchor = anchors[k]
        m = re.match(r"^(\d{1,2}|[gqoO]\d?|\d[oO]|[oO]\d)\s*[|.]?\s+", body[anchor].text)
        row = _Row(first=body[start].no, last=body[end - 1].no, area=area_at[anchor], confidence=0.7)
        number = m.group(1) if m else ""
        row.number = number
        cells: dict[str, list[str]] = {"unit": [], "product": [], "time": [], "cont": []}
        unit_chunks: list[list[str]] = []
        for i in range(start, end):
            text = body[i].text
            if not text or i in group_at:
                continue
            if i == anchor and m:
                text = text[m.end() :]
            content, frags = _split_interleaved(text)
            if _is_junk(content):
                content = ""
            if content:
                row.content.append(content.strip(" |"))
            for kind, frag in frags:
                cells.setdefault(kind, []).append(frag)
            unit_chunks.append([(kind, f) for kind, f in frags if kind in ("unit", "cont")])
        _assign_units(row, unit_chunks)
        row.lead = [_snap_unit(u, known) for u in row.lead]
        row.partner = [_snap_unit(u, known) for u in row.partner]
        row.product = _merge_products(cells.get("product", []))
        row.time = cells.get("time", [])[:1]
        rows.append(row)
    return rows, warnings


def _merge_products(parts: list[str]) -> list[str]:
    if not parts:
        return []
    seen = []
    for part in parts:
        if fold(part) not in [fold(s) for s in seen]:
            seen.append(part)
    return [" ".join(seen)]


_KNOWN_UNITS = [
    "Văn phòng HĐND và UBND",
    "Văn phòng HĐND&UBND",
    "Văn phòng UBND",
    "Văn phòng Ủy ban nhân dân",
    "Văn phòng Sở",
    "Phòng Văn hóa - Xã hội",
    "Phòng Kinh tế",
    "Phòng Kinh tế, Hạ tầng và Đô thị",
    "Phòng Kế hoạch - Tài chính",
    "Phòng Tổ chức cán bộ",
    "Trung tâm Phục vụ hành chính công",
    "Trung tâm sự nghiệp công",
    "Trung tâm Văn hóa, Thể thao và Truyền thông",
    "Công an xã",
    "Công an phường",
    "Công an đặc khu",
    "Cổng thông tin điện tử",
    "Các phòng, ban, đơn vị có liên quan",
    "Các cơ quan, đơn vị có liên quan",
    "Các cơ quan, đơn vị",
    "Các phòng chuyên môn",
    "Các phòng chức năng có liên quan",
    "Các đơn vị trực thuộc UBND",
]
_UNIT_SUFFIXES = ("dac khu", "xa", "phuong", "thanh pho", "huyen", "so")


def _token_close(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) < 3 or len(b) < 3:
        return False
    from cchc.docimport.restore import weighted_distance

    return weighted_distance(a, b, 1.0) <= 1.0


def _snap_unit(text: str, known: list[str]) -> str:
    """An OCR'd unit name put right by the closest known name it starts with: "Trung tâm Phí vụ hành
    chính công" → "Trung tâm Phục vụ hành chính công"; "Phòng Văn hóa - Xã hội Là" → "Phòng Văn hóa - Xã
    hội"; a place suffix ("đặc khu", "xã") is kept, "Văn phòng UBND đặc" completed to "… đặc khu"."""
    words = text.split()
    keys = [re.sub(r"[^a-z0-9&]", "", fold(w)) for w in words]
    pairs = [(w, k) for w, k in zip(words, keys, strict=True) if k]
    best: tuple[float, int, str] | None = None
    for name in known:
        name_keys = [re.sub(r"[^a-z0-9&]", "", fold(w)) for w in name.split()]
        name_keys = [k for k in name_keys if k]
        if len(pairs) < len(name_keys):
            continue
        misses = sum(1 for (w, k), nk in zip(pairs, name_keys, strict=False) if not _token_close(k, nk))
        exact = sum(1 for (w, k), nk in zip(pairs, name_keys, strict=False) if k == nk)
        if misses <= (1 if len(name_keys) >= 3 else 0) and exact >= 2:
            score = exact - 2.5 * misses
            if best is None or (score, len(name_keys)) > (best[0], best[1]):
                best = (score, len(name_keys), name)
    if best is None:
        return text
    _score, used, name = best
    rest = [k for _w, k in pairs[used:]]
    rest_key = " ".join(rest)
    if rest_key.startswith("dac") and not rest_key.startswith("dac khu"):
        return f"{name} đặc khu"
    for suffix in _UNIT_SUFFIXES:
        if rest_key == suffix or rest_key.startswith(suffix + " "):
            tail = " ".join(w for w, _k in pairs[used : used + len(suffix.split())])
            if rest_key.startswith("dac khu dac khu"):
                return f"{name} {tail}"
            return f"{name} {tail}"
    return name


def _assign_units(row: _Row, chunks: list[list[tuple[str, str]]]) -> None:
    """Put the unit fragments of an interleaved row into the lead and partner cells.

    Per line the lead fragment comes before the partner fragment; a collective unit ("Các phòng, ban,
    đơn vị …") is a partner; a continuation ("chính công", "vị có liên quan", "khu") extends the cell
    whose text it completes."""
    lead: list[str] = []
    partner: list[str] = []
    for frags in chunks:
        for index, (kind, frag) in enumerate(frags):
            key = fold(frag)
            is_start = kind == "unit"
            collective = (
                (key.startswith("cac ") and not key.startswith(("cac don vi truc", "cac phong chuyen")))
                or key.startswith(("co lien quan", "vi co lien quan"))
                or bool(re.search(r"ban[,.]?\s*don", key))
            )
            if is_start:
                if collective:
                    partner.append(frag)
                elif not lead:
                    lead.append(frag)
                elif partner and index > 0 and not _COLLECTIVE.search(fold(partner[-1])):
                    partner.append(frag)
                else:
                    lead.append(frag)
            elif re.match(r"vi,? co lien quan|co lien quan|lien quan|vi co", key) and partner:
                partner.append(frag)
            elif re.match(r"chu tri|phoi hop", key) and lead:
                lead.append(frag)
            elif lead and not re.search(r"(?:quan|hoi|khu|cong|te|so|xa)$", fold(lead[-1])):
                lead.append(
                    frag
                )  # the lead cell is not complete yet ("Trung tâm Phục vụ hành" + "chính công")
            elif partner and not re.search(r"lien quan$", fold(partner[-1])):
                partner.append(frag)
            elif lead:
                lead.append(frag)
    row.lead = [" ".join(lead)] if lead else []
    row.partner = [" ".join(partner)] if partner else []


# --------------------------------------------------------------------------------- rows → tasks


def _rows_to_tasks(
    rows: list[_Row], restored: bool, default_area: int | None, warnings: list[str]
) -> list[DraftTask]:
    tasks: list[DraftTask] = []
    parent: DraftTask | None = None
    pending_children: list[DraftTask] = []

    def make(row: _Row, content: str, number: str) -> DraftTask:
        lead, partners = _lead_and_partners(_join(row.lead), _join(row.partner))
        product = _join(row.product)
        time_text = _join(row.time)
        time_text = re.sub(r"\s*([-–])\s*", r"\1", time_text) if re.match(r"^\d", time_text) else time_text
        confidence = row.confidence
        if not lead:
            confidence -= 0.15
        if not time_text:
            confidence -= 0.05
        if restored:
            confidence -= 0.05
        return DraftTask(
            area=row.area if row.area is not None else (default_area if default_area is not None else 0),
            number=number,
            content=_clean_content(content),
            lead=lead,
            partners=partners,
            product=product.strip(" ,;"),
            time_text=time_text.strip(" ,;"),
            lines=(row.first, row.last),
            confidence=round(max(0.1, min(1.0, confidence)), 2),
            restored=restored,
        )

    for row in rows:
        content = _join(row.content)
        if not content:
            continue
        # several "-" items in one content cell: each is a sub-item sharing the row's other cells
        bullets = [b for b in re.split(r"\s*¶\s*|(?<=[.;:])\s+(?=[-+•]\s+[A-ZĐÀ-Ỹ])", content) if b.strip()]
        if len(bullets) > 1 and all(re.match(r"^[-+•]", b) for b in bullets[1:]):
            head = bullets[0]
            subs = bullets[1:]
            if re.match(r"^[-+•]", head):
                subs, head = [head, *subs], ""
        else:
            head, subs = content, []
        is_child = not row.number or row.marker or re.match(r"^[-+•]", head or "-")
        if head and not is_child:
            task = make(row, head, row.number)
            tasks.append(task)
            parent = task
            pending_children = []
            for sub in subs:
                child = make(row, re.sub(r"^[-+•]\s*", "", sub), "-")
                task.children.append(child)
            if subs:
                task.lead, task.partners, task.product, task.time_text = [], [], "", ""
            continue
        items = ([head] if head else []) + subs
        for item in items:
            marker = (re.match(r"^([-+•])", item) or re.match(r"^", "")).group(0) or row.marker
            child = make(row, re.sub(r"^[-+•]\s*", "", item), marker if marker in ("-", "+") else "")
            if parent is None:
                child.number = row.number or str(len(tasks) + 1)
                tasks.append(child)
                continue
            parent.children.append(child)
            if not (child.lead or child.partners or child.time_text or child.product):
                pending_children.append(child)
            elif pending_children:
                for earlier in pending_children:
                    if earlier.area == child.area:
                        earlier.lead, earlier.partners = list(child.lead), list(child.partners)
                        earlier.time_text, earlier.product = child.time_text, child.product
                pending_children = []
    return tasks


def _clean_content(text: str) -> str:
    text = re.sub(r"\s*\(?\s*Danh mục nhiệm vụ cụ thể kèm theo\s*\)?\.?\s*$", "", text, flags=re.I)
    text = re.sub(r"^[-+•]\s*", "", text.strip())
    text = _norm_space(text)
    return text.rstrip(" ,;")


def _renumber(tasks: list[DraftTask], warnings: list[str]) -> None:
    """Repair OCR-misread row numbers of a continuously numbered table (1, 2, … n)."""
    numbers = [t.number for t in tasks]
    digits = [int(n) if n.isdigit() else None for n in numbers]
    valid = [d for d in digits if d is not None]
    if len(valid) < 5:
        return
    continuous = sum(1 for i, d in enumerate(digits) if d == i + 1) >= 0.6 * len(tasks)
    if not continuous:
        return
    for i, task in enumerate(tasks):
        if digits[i] != i + 1:
            warnings.append(f"Nhiệm vụ dòng {task.lines[0]}: số thứ tự “{task.number}” đọc thành {i + 1}.")
            task.number = str(i + 1)
            task.confidence = round(max(0.1, task.confidence - 0.1), 2)


# ------------------------------------------------------------------------- responsibilities (V.2)


def _responsibilities(lines: list[_Line], section: _Section | None) -> dict[int, tuple[str, list[str]]]:
    """area → (lead unit, partners) from "Tổ chức thực hiện": "2.1. Văn phòng Sở … Chủ trì, phối hợp
    với các phòng chức năng có liên quan … về cải cách thể chế"."""
    if section is None:
        return {}
    heads: list[tuple[int, str]] = []
    for index in range(section.start + 1, section.end):
        text = lines[index].text
        m = re.match(r"^(?:\d+\.\d+\.?|[a-gđ¢]\))\s*(.+?)\s*:?$", text)
        if m and len(m.group(1).split()) <= 12 and _UNIT_START.match(fold(m.group(1))):
            heads.append((index, _tidy_unit(re.sub(r"\s*[-–]\s*", " - ", m.group(1)))))
        elif re.match(r"^(\d+\.|[IVX]+\.)\s", text):
            heads.append((index, ""))
    out: dict[int, tuple[str, list[str]]] = {}
    for k, (index, unit) in enumerate(heads):
        if not unit:
            continue
        end = heads[k + 1][0] if k + 1 < len(heads) else section.end
        for text, _first, _last, _marker in _items(lines, index + 1, end):
            for clause in re.split(r"(?<=[.;])\s+(?=[A-ZĐ])", text):
                key = fold(clause)
                if not key.startswith("chu tri"):
                    continue
                pm = re.search(
                    r"(?i)phối hợp\s*(?:với\s+)?(.+?)\s+(?:tham mưu|giúp|để|trong việc|triển khai|thực hiện|xây dựng)\b",
                    clause,
                )
                partners = [_cap(pm.group(1).strip(" ,"))] if pm else []
                scope = key[key.find(" ve ") :] if " ve " in key else key
                for piece in re.split(r";|, ", scope):
                    area = area_of(piece)
                    if area in (1, 2, 3, 4, 5, 6) and area not in out:
                        out[area] = (unit, partners)
    return out


# ------------------------------------------------------------------------------------------- main


def parse_plan_text(text: str) -> DraftPlan:
    """Parse a plan document's text into a draft plan (see the module docstring)."""
    raw, lines, restored = _prepare(text or "")
    plan = DraftPlan(lines=raw, restored=restored)
    if restored:
        plan.warnings.append(
            "Văn bản bị mất dấu tiếng Việt (bản OCR): đã khôi phục dấu tự động, cần soát lại."
        )
    if not any(line.text for line in lines):
        plan.warnings.append("Văn bản không có nội dung.")
        return plan
    appendix_at = _find_appendix(lines)
    sections = _find_sections(lines, appendix_at)
    body_start = sections[0].start if sections else min(len(lines), 40)
    _parse_header(lines, body_start, plan)

    # targets
    goals = [s for s in sections if s.kind == "goals"]
    purpose = [s for s in sections if s.kind == "purpose"]
    fallback_blocks: list[tuple[int, int, int]] = []
    for section in purpose[:1]:
        items = [(t, a, b) for t, a, b, _m in _items(lines, section.start + 1, section.end)]
        plan.targets.extend(_ranking_targets(items, restored))
    for section in goals:
        for area, what, start, end in _area_blocks(lines, section):
            if what == "targets":
                items = [(t, a, b) for t, a, b, _m in _items(lines, start, end)]
                plan.targets.extend(_targets_from_items(items, area, restored))
            else:
                fallback_blocks.append((area, start, end))

    # tasks: the appendix table, else the task bullets of section II
    tasks, plan.task_source = _parse_task_table(lines, appendix_at, restored, plan.warnings)
    implementation = next((s for s in sections if s.kind == "implementation"), None)
    duties = _responsibilities(lines, implementation)
    if not tasks and fallback_blocks:
        plan.task_source = "bullets"
        tasks = _tasks_from_bullets(lines, fallback_blocks, restored, duties)
        plan.warnings.append(
            "Không thấy bảng “Danh mục nhiệm vụ cụ thể”: nhiệm vụ lấy từ các mục “Nhiệm vụ” của phần II; "
            "đơn vị chủ trì lấy từ phần “Tổ chức thực hiện” (nếu có)."
        )
    elif tasks and duties:
        for task in tasks:
            if not task.lead and not task.children and task.area in duties:
                task.lead = [duties[task.area][0]]
                task.confidence = round(max(0.1, task.confidence - 0.1), 2)
    plan.tasks = tasks
    _structure_pass(lines, plan, restored)
    if not plan.tasks:
        plan.warnings.append("Không tìm thấy nhiệm vụ nào trong văn bản.")
    if not plan.targets:
        plan.warnings.append("Không tìm thấy chỉ tiêu nào trong các mục “Mục tiêu”.")
    if not plan.number:
        plan.warnings.append("Không xác định được số, ký hiệu văn bản.")
    if not plan.date:
        plan.warnings.append("Không xác định được ngày ban hành.")
    return plan


def _structure_pass(lines: list[_Line], plan: DraftPlan, restored: bool) -> None:
    """Read what the rules above left out, through the document structure model: targets in any
    section about targets, tasks written as numbered paragraphs; then record the parts that look like
    a plan's but gave nothing ("phần không đọc được"), with their source lines."""
    from cchc.docimport.extractors.targets import targets_in_sections
    from cchc.docimport.extractors.tasks import inline_tasks
    from cchc.docimport.structure import outline

    sections = outline(lines)
    kinds = set().union(*(s.kinds for s in sections)) if sections else set()
    title_key = fold(plan.title)
    plan.looks_like_plan = len(
        kinds & {"purpose", "targets", "tasks", "solutions", "implementation"}
    ) >= 2 or (bool(kinds) and re.match(r"^(ke hoach|chuong trinh)\b", title_key) is not None)
    empty_target_sections = []
    if not plan.targets:
        plan.targets, empty_target_sections = targets_in_sections(lines, sections, restored)
    if not plan.tasks:
        plan.tasks = inline_tasks(lines, sections, restored)
        if plan.tasks:
            plan.task_source = "inline"
            plan.warnings.append(
                "Không thấy bảng nhiệm vụ: nhiệm vụ lấy từ các đoạn đánh số của phần “Nhiệm vụ” "
                "(cơ quan chủ trì, thời gian theo chữ “Chủ trì:”, “Thời gian:”)."
            )

    def unread(section, part: str, reason: str) -> None:
        plan.unread.append(
            {"part": part, "title": section.title, "lines": [section.line_no, section.end], "reason": reason}
        )

    if not plan.targets:
        for section in empty_target_sections:
            unread(
                section,
                "chỉ tiêu",
                "Phần này nói về mục tiêu, chỉ tiêu nhưng không có câu nào mang con số (tỷ lệ %, thứ hạng) "
                "hoặc mục tiêu kiểm đếm được: cần nhập chỉ tiêu bằng tay nếu có.",
            )
    if not plan.tasks:
        for section in sections:
            if "appendix" in section.kinds:
                unread(
                    section,
                    "phụ lục nhiệm vụ",
                    "Có phụ lục nhưng không nhận ra bảng nhiệm vụ (không thấy dòng tiêu đề cột “Nội dung”, "
                    "“Chủ trì”, “Thời gian”…): cần nhập nhiệm vụ bằng tay.",
                )
            elif "tasks" in section.kinds and section.end - section.index > 2:
                unread(
                    section,
                    "nhiệm vụ",
                    "Phần nhiệm vụ không có bảng, cũng không có mục đánh số kèm đơn vị chủ trì: "
                    "cần nhập nhiệm vụ bằng tay.",
                )


def _table_body(lines: list[_Line], body_start: int) -> list[_Line]:
    """Non-empty lines of a flattened table, without the header repeated on each page."""
    body: list[_Line] = []
    for line in lines[body_start:]:
        if not line.text:
            continue
        words = sum(
            1
            for p in ("noi dung", "chu tri", "phoi hop", "thoi gian", "ket qua", "san pham")
            if p in line.key
        )
        if words >= 3 or (words >= 2 and len(line.text) < 45):
            continue  # header repeated on a new page
        body.append(line)
    return body


def _parse_task_table(
    lines: list[_Line], appendix_at: int, restored: bool, warnings: list[str]
) -> tuple[list[DraftTask], str]:
    search_from = appendix_at if appendix_at >= 0 else 0
    piped = _table_rows_from_pipes(lines, search_from)
    if piped and piped[0]:
        rows, notes = piped
        warnings.extend(notes)
        tasks = _rows_to_tasks(rows, restored, None, warnings)
        _renumber(tasks, warnings)
        return tasks, "table"
    if appendix_at < 0:
        return [], ""
    header = _table_header_end(lines, appendix_at)
    if header is None:
        return [], ""
    body_start, header_key = header
    order = _column_order(header_key)
    body = _table_body(lines, body_start)
    interleaved = sum(
        1
        for line in body
        if len(line.text) >= 45 and _TAIL_TIME.search(line.text) and not line.text.startswith("-")
    )
    if interleaved >= 3:
        rows, notes = _rows_interleaved(body)
        warnings.extend(notes)
        warnings.append(
            "Bảng nhiệm vụ được nhận dạng từ văn bản OCR (các ô của một dòng bị trộn): cần soát lại."
        )
        tasks = _rows_to_tasks(rows, restored, None, warnings)
        _renumber(tasks, warnings)
        return tasks, "interleaved"
    # vertical: group headings split the body
    rows: list[_Row] = []
    chunk: list[_Line] = []
    area = None

    def flush():
        for row in _rows_vertical(chunk, order):
            row.area = area
            rows.append(row)

    i = 0
    while i < len(body):
        line = body[i]
        group = _group_heading(line)
        heading_lines = 1
        if group is None and roman_value(line.text) is not None and len(line.text) <= 4:
            # "VI" on its own line, the heading in capitals on the next one or two
            caps = [ln for ln in body[i + 1 : i + 3] if _is_upperish(ln.text)]
            for n in (1, 2):
                joined = " ".join(ln.key for ln in caps[:n])
                if len(caps) >= n and area_of(joined) is not None:
                    group, heading_lines = area_of(joined), 1 + n
        if group is None and _is_upperish(line.text) and len(line.text) > 8:
            nxt = body[i + 1] if i + 1 < len(body) else None
            both = line.key + " " + (nxt.key if nxt is not None else "")
            if (
                nxt is not None
                and _is_upperish(nxt.text)
                and area_of(both) is not None
                and (area_of(line.key) is None and "cai cach" in both or "chinh phu" in line.key)
            ):
                group, heading_lines = area_of(both), 2
        if group is not None:
            flush()
            chunk = []
            area = group
            i += heading_lines
            # a wrapped heading: its next line in capitals too ("ĐIỆN TỬ, CHÍNH PHỦ SỐ")
            while (
                i < len(body)
                and _is_upperish(body[i].text)
                and len(body[i].text) < 40
                and not re.match(r"^\d", body[i].text)
            ):
                if _UNIT_START.match(body[i].key) or _PRODUCT_START.match(body[i].key):
                    break
                i += 1
            continue
        chunk.append(line)
        i += 1
    flush()
    tasks = _rows_to_tasks(rows, restored, None, warnings)
    return tasks, "vertical"


def _tasks_from_bullets(
    lines: list[_Line],
    blocks: list[tuple[int, int, int]],
    restored: bool,
    duties: dict[int, tuple[str, list[str]]],
) -> list[DraftTask]:
    tasks: list[DraftTask] = []
    for area, start, end in blocks:
        count = 0
        parent: DraftTask | None = None
        for text, first, last, marker in _items(lines, start, end):
            content = _clean_content(text)
            if len(fold(content)) < 8:
                continue
            lead, partners = ([duties[area][0]], list(duties[area][1])) if area in duties else ([], [])
            confidence = 0.7 if area in duties else 0.55
            if restored:
                confidence -= 0.05
            if marker == "+" and parent is not None:
                parent.children.append(
                    DraftTask(
                        area=area,
                        number="+",
                        content=content,
                        lines=(first, last),
                        confidence=round(confidence - 0.05, 2),
                        restored=restored,
                    )
                )
                parent.lines = (parent.lines[0], last)
                continue
            count += 1
            parent = DraftTask(
                area=area,
                number=f"{area}.{count}",
                content=content,
                lead=lead,
                partners=partners,
                lines=(first, last),
                confidence=round(confidence, 2),
                restored=restored,
            )
            tasks.append(parent)
    return tasks
