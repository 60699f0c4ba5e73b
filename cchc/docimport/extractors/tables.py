"""Task tables: real rows (" | " lines from Word or PDF), tables flattened one cell per line, OCR lines whose cells interleave; rows → tasks."""

from __future__ import annotations

import re

from cchc.core.text import fold
from cchc.docimport.extract import PARA_SEP
from cchc.docimport.model import DraftTask
from cchc.docimport.structure.lines import _Line, _norm_space
from cchc.docimport.structure.table_model import HEADER_KEYS, TableRow, column_order
from cchc.docimport.vocab import (
    _COLLECTIVE,
    _PRODUCT_START,
    _TASK_VERBS,
    _TIME_RE,
    _UNIT_START,
    _UNIT_WORDS,
    _is_upperish,
    _join,
    _strip_item,
    area_of,
    roman_value,
)

# ----------------------------------------------------------------------------------- task tables


# the row of a table node (structure.table_model); kept under its old name for the readers below
_Row = TableRow
_HEADER_KEYS = HEADER_KEYS
_column_order = column_order


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
    # the paragraphs of one cell are one content (the ¶ of extract_text marks them)
    text = _norm_space(text.replace(PARA_SEP.strip(), " "))
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
