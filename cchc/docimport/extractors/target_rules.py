"""Target rules of the period plans: one target per quantity in the "a) Mục tiêu" parts of each area, ranking goals in "Mục đích", bullets of a block."""

from __future__ import annotations

import re

from cchc.core.text import fold
from cchc.docimport.model import DraftTarget
from cchc.docimport.structure.lines import _Line
from cchc.docimport.structure.sections import _Section
from cchc.docimport.vocab import _cap, _join, _strip_item, area_of

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
