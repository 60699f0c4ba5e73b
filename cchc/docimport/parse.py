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

This module only runs the pipeline; each stage lives in its own module and is testable alone:

1. ``structure.lines`` — text → clean lines with folded keys (diacritics restored for OCR text);
2. ``structure.sections`` / ``structure.outline`` — Roman sections of a period plan, and the general
   structure model (numbered headings at their levels, nested sections classified by their words);
3. ``extractors.header`` — the header block;
4. ``extractors.targets`` — targets in any section about targets, on the structure model (the main
   path); ``extractors.target_rules`` — the older rules, targets in the areas' "a) Mục tiêu" parts and
   "Mục đích" rankings, taken only where they read more;
5. ``structure.tables`` — task tables as ``Table`` nodes (real rows, flattened, interleaved OCR; one
   node over the pages of a split table), cell readers in ``extractors.tables``;
   ``extractors.table_tasks`` — tasks from a node; ``extractors.tasks`` — tasks written as labelled
   numbered paragraphs;
6. here: the order they run in, the fallbacks, and the parts not read (``DraftPlan.unread``, rows
   skipped inside a read table included).

The stages' names stay importable from here (``parse.area_of``, ``parse.DraftPlan`` …).
"""

from __future__ import annotations

import re

from cchc.core.text import fold
from cchc.docimport.extractors.header import (  # noqa: F401  (re-exported: the stages' names)
    _ATTACHED_RE,
    _DATE_SLASH,
    _DATE_WORDS,
    _NUMBER_RE,
    _REF_RE,
    _SYMBOL_FIX,
    _find_unit,
    _fix_symbol,
    _iso,
    _known_units,
    _parse_header,
)
from cchc.docimport.extractors.table_tasks import tasks_from_table
from cchc.docimport.extractors.tables import (  # noqa: F401  (re-exported: the stages' names)
    _CONT_FRAG,
    _HEADER_KEYS,
    _HEADER_WORDS,
    _KNOWN_UNITS,
    _LEAD_LINK,
    _PRODUCT_IN_LINE,
    _TAIL_TIME,
    _UNIT_AFTER_BAR,
    _UNIT_IN_LINE,
    _UNIT_SUFFIXES,
    _assign_units,
    _clean_content,
    _clean_frag,
    _column_order,
    _emission,
    _group_heading,
    _is_junk,
    _known_word,
    _lead_and_partners,
    _line_features,
    _merge_products,
    _renumber,
    _Row,
    _rows_interleaved,
    _rows_to_tasks,
    _rows_vertical,
    _snap_unit,
    _split_interleaved,
    _split_units,
    _splits_here,
    _table_header_end,
    _tidy_unit,
    _token_close,
)
from cchc.docimport.extractors.target_rules import (  # noqa: F401  (re-exported: the stages' names)
    _AREA_HEAD,
    _INDEPENDENT,
    _SUB_RE,
    _TEXT_TARGET,
    _area_blocks,
    _clauses,
    _deadline,
    _has_quantity,
    _items,
    _measure,
    _metric,
    _ranking_targets,
    _split_quantities,
    _split_sentences,
    _targets_from_items,
)
from cchc.docimport.extractors.targets import targets_in_sections, targets_in_tables
from cchc.docimport.extractors.tasks import inline_tasks
from cchc.docimport.model import (  # noqa: F401  (re-exported: the stages' names)
    AREA_NAMES,
    DraftItem,
    DraftPlan,
    DraftTarget,
    DraftTask,
)
from cchc.docimport.structure import outline
from cchc.docimport.structure.lines import (  # noqa: F401  (re-exported: the stages' names)
    _OCR_GLUE,
    _Line,
    _norm_space,
    _prepare,
    has_diacritics,
)
from cchc.docimport.structure.sections import (  # noqa: F401  (re-exported: the stages' names)
    _ROMAN_HEAD,
    _find_appendix,
    _find_sections,
    _Section,
    _section_kind,
)
from cchc.docimport.structure.tables import task_tables
from cchc.docimport.vocab import (  # noqa: F401  (re-exported: the stages' names)
    _COLLECTIVE,
    _PRODUCT_START,
    _ROMAN_VALUES,
    _TASK_VERBS,
    _TIME_RE,
    _UNIT_START,
    _UNIT_WORDS,
    _cap,
    _is_upperish,
    _join,
    _strip_item,
    area_of,
    roman_value,
)

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
    """Parse a plan document's text into a draft plan (see the module docstring).

    The structure model is the main path: targets from the sections about targets and from target
    tables, tasks from the task table's node, else from numbered paragraphs. The older rules (targets
    in the areas' "a) Mục tiêu", task bullets of section II) are the fallback, taken only where they
    find more than the structure model on the document."""
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
    model = outline(lines)
    kinds = set().union(*(s.kinds for s in model)) if model else set()
    plan.looks_like_plan = len(
        kinds & {"purpose", "targets", "tasks", "solutions", "implementation"}
    ) >= 2 or (bool(kinds) and re.match(r"^(ke hoach|chuong trinh)\b", fold(plan.title)) is not None)

    # targets: the structure model, else the area rules where they read more
    targets, empty_target_sections = targets_in_sections(lines, model, restored)
    targets += targets_in_tables(lines, restored)
    rule_targets, fallback_blocks = _rule_targets(lines, sections, restored)
    if len(rule_targets) > len(targets):
        targets, plan.target_source = rule_targets, "rules"
    elif targets:
        plan.target_source = "structure"
    plan.targets = targets

    # tasks: the task table's node, else numbered paragraphs, else (where they read more) the
    # "b) Nhiệm vụ" bullets of section II
    tasks, plan.task_source, skipped = _parse_task_table(lines, appendix_at, restored, plan.warnings)
    if not tasks:
        tasks = inline_tasks(lines, model, restored)
        plan.task_source = "inline" if tasks else ""
    implementation = next((s for s in sections if s.kind == "implementation"), None)
    duties = _responsibilities(lines, implementation)
    bullets = _tasks_from_bullets(lines, fallback_blocks, restored, duties) if fallback_blocks else []
    if len(bullets) > len(tasks):
        tasks, plan.task_source = bullets, "bullets"
        plan.warnings.append(
            "Không thấy bảng “Danh mục nhiệm vụ cụ thể”: nhiệm vụ lấy từ các mục “Nhiệm vụ” của phần II; "
            "đơn vị chủ trì lấy từ phần “Tổ chức thực hiện” (nếu có)."
        )
    elif plan.task_source == "inline":
        plan.warnings.append(
            "Không thấy bảng nhiệm vụ: nhiệm vụ lấy từ các đoạn đánh số của phần “Nhiệm vụ” "
            "(cơ quan chủ trì, thời gian theo chữ “Chủ trì:”, “Thời gian:”)."
        )
    elif tasks and duties and plan.task_source != "inline":
        for task in tasks:
            if not task.lead and not task.children and task.area in duties:
                task.lead = [duties[task.area][0]]
                task.confidence = round(max(0.1, task.confidence - 0.1), 2)
    plan.tasks = tasks
    _record_unread(model, plan, empty_target_sections)
    if plan.task_source in ("table", "vertical", "interleaved"):
        plan.unread.extend(skipped)  # rows inside the read table that are neither a task nor an area
    if not plan.tasks:
        plan.warnings.append("Không tìm thấy nhiệm vụ nào trong văn bản.")
    if not plan.targets:
        plan.warnings.append("Không tìm thấy chỉ tiêu nào trong các mục “Mục tiêu”.")
    if not plan.number:
        plan.warnings.append("Không xác định được số, ký hiệu văn bản.")
    if not plan.date:
        plan.warnings.append("Không xác định được ngày ban hành.")
    return plan


def _rule_targets(
    lines: list[_Line], sections: list[_Section], restored: bool
) -> tuple[list[DraftTarget], list[tuple[int, int, int]]]:
    """The older rules: ranking goals in "Mục đích", targets in each area's "a) Mục tiêu" of the
    period plans' section II; and the areas' task blocks, for the bullet fallback."""
    targets: list[DraftTarget] = []
    blocks: list[tuple[int, int, int]] = []
    for section in [s for s in sections if s.kind == "purpose"][:1]:
        items = [(t, a, b) for t, a, b, _m in _items(lines, section.start + 1, section.end)]
        targets.extend(_ranking_targets(items, restored))
    for section in (s for s in sections if s.kind == "goals"):
        for area, what, start, end in _area_blocks(lines, section):
            if what == "targets":
                items = [(t, a, b) for t, a, b, _m in _items(lines, start, end)]
                targets.extend(_targets_from_items(items, area, restored))
            else:
                blocks.append((area, start, end))
    return targets, blocks


def _record_unread(model, plan: DraftPlan, empty_target_sections) -> None:
    """The parts that look like a plan's but gave nothing ("phần không đọc được"), with their lines."""

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
        for section in model:
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


def _parse_task_table(
    lines: list[_Line], appendix_at: int, restored: bool, warnings: list[str]
) -> tuple[list[DraftTask], str, list[dict]]:
    """Tasks of the document's task table (a table node of the structure model), where the table came
    from (table | vertical | interleaved), and the table rows skipped."""
    for table in task_tables(lines, appendix_at):
        tasks, skipped = tasks_from_table(table, restored, warnings)
        if table.source == "interleaved":
            warnings.append(
                "Bảng nhiệm vụ được nhận dạng từ văn bản OCR (các ô của một dòng bị trộn): cần soát lại."
            )
        return tasks, ("table" if table.source == "pipes" else table.source), skipped
    return [], "", []


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
