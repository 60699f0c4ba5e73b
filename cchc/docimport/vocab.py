"""Words and patterns every stage shares: unit names, products, times, task verbs, the areas, Roman numerals."""

from __future__ import annotations

import re

from cchc.docimport.structure.lines import _norm_space

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
