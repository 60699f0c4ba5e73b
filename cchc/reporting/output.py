"""Reports as official documents (Decree 30/2020): the unit report and the consolidated report.

A submitted or accepted report prints its frozen revision, so the document always says exactly what
was sent; a draft prints the live content, marked "DỰ THẢO"."""

from decimal import Decimal

from django.http import Http404
from django.utils import timezone

from cchc.core.numbers import format_number
from cchc.org.models import Unit
from cchc.plans.models import Area, Task
from cchc.reporting import selectors
from cchc.reporting.documents import ReportDocument, Section, Table, render_docx, render_xlsx
from cchc.reporting.models import PeriodKind, ReportingPeriod, UnitReport

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
STATUS_LABELS = dict(Task.Status.choices)
SIGNER = {
    Unit.Kind.CITY: ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
    Unit.Kind.DEPARTMENT: ("", "GIÁM ĐỐC"),
}


def render(document: ReportDocument, fmt: str) -> bytes:
    if fmt == "docx":
        return render_docx(document)
    if fmt == "xlsx":
        return render_xlsx(document)
    raise Http404("Định dạng không hỗ trợ: chỉ có docx hoặc xlsx.")


def _issuer_lines(unit: Unit) -> tuple[str, str, str]:
    """(cơ quan chủ quản, cơ quan ban hành, ký hiệu)."""
    if unit.kind == Unit.Kind.CITY:
        return "", "ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG", "UBND"
    if unit.kind == Unit.Kind.DEPARTMENT:
        return "UBND THÀNH PHỐ HẢI PHÒNG", unit.name.upper(), (unit.short_name or unit.code).replace(" ", "")
    return "UBND THÀNH PHỐ HẢI PHÒNG", f"ỦY BAN NHÂN DÂN {unit.name.upper()}", "UBND"


def _place(unit: Unit) -> str:
    if unit.kind in (Unit.Kind.COMMUNE, Unit.Kind.WARD, Unit.Kind.SPECIAL_ZONE):
        return (
            unit.name.split(" ", 1)[1] if unit.kind != Unit.Kind.SPECIAL_ZONE else unit.name.split(" ", 2)[2]
        )
    return "Hải Phòng"


def _subject(period: ReportingPeriod) -> str:
    if period.kind == PeriodKind.ADHOC:
        return period.title
    return period.title.replace("Báo cáo cải cách", "Kết quả thực hiện công tác cải cách", 1)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _number(value) -> str:
    if value in (None, ""):
        return ""
    return format_number(Decimal(str(value)), 2, trim=True)


def _body_sections(narrative: dict, tasks: list[dict], targets: list[dict]) -> list[Section]:
    def paragraphs(text: str) -> list[str]:
        return [line.strip() for line in (text or "").splitlines() if line.strip()] or [
            "(Không có nội dung.)"
        ]

    direction = Section(
        "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH", paragraphs(narrative.get("area_0", ""))
    )
    results = Section("II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH")
    for number, (area, label) in enumerate([choice for choice in Area.choices if choice[0]], start=1):
        area_tasks = [t for t in tasks if t["area"] == area]
        done = sum(1 for t in area_tasks if t["status"] in Task.FINISHED)
        summary = (
            f"Thực hiện {len(area_tasks)} nhiệm vụ, đã hoàn thành {done} nhiệm vụ." if area_tasks else ""
        )
        body = [summary] if summary else []
        body += paragraphs(narrative.get(f"area_{area}", ""))
        for target in (t for t in targets if t["area"] == area and t.get("actual") not in (None, "")):
            body.append(
                f"- {target['text']}: đạt {_number(target['actual'])}{'%' if target.get('unit_of_measure') == '%' else ''}"
                f" (chỉ tiêu {target['threshold']})."
            )
        results.subsections.append(Section(f"{number}. {label}", body))
    return [
        direction,
        results,
        Section(
            "III. ĐÁNH GIÁ CHUNG",
            subsections=[
                Section("1. Tồn tại, hạn chế", paragraphs(narrative.get("limitations", ""))),
                Section("2. Nguyên nhân", paragraphs(narrative.get("causes", ""))),
            ],
        ),
        Section("IV. NHIỆM VỤ TRỌNG TÂM KỲ TỚI", paragraphs(narrative.get("next_tasks", ""))),
        Section("V. ĐỀ XUẤT, KIẾN NGHỊ", paragraphs(narrative.get("proposals", ""))),
    ]


def _task_annex(tasks: list[dict], note: str) -> Table:
    rows = []
    for index, (area, label) in enumerate(Area.choices):
        area_tasks = [t for t in tasks if t["area"] == area]
        if not area_tasks:
            continue
        rows.append([ROMAN[index], label.upper(), "", "", "", ""])
        for t in area_tasks:
            number = t["number"] if t["number"] not in ("-", "+") else "–"
            rows.append(
                [
                    number,
                    t["content"],
                    t.get("lead", ""),
                    STATUS_LABELS.get(t["status"], t["status"]),
                    f"{t['progress']}%",
                    t.get("result", ""),
                ]
            )
    return Table(
        columns=["TT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Trạng thái", "Tiến độ", "Kết quả thực hiện"],
        rows=rows,
        widths_cm=[1.2, 9.0, 3.5, 2.8, 1.8, 7.5],
        title="Phụ lục I",
        subtitle="TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH",
        note=note,
    )


def _target_annex(rows: list[list[str]], note: str) -> Table:
    return Table(
        columns=["TT", "Chỉ tiêu", "Chỉ tiêu kế hoạch", "Tử số", "Mẫu số", "Kết quả đạt", "Đánh giá"],
        rows=rows,
        widths_cm=[1.2, 10.0, 3.0, 2.2, 2.2, 2.5, 3.5],
        title="Phụ lục II",
        subtitle="KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CẢI CÁCH HÀNH CHÍNH",
        note=note,
    )


def _met(comparator: str, threshold_label: str, actual, threshold) -> str:
    if actual in (None, "") or threshold is None:
        return ""
    actual, threshold = Decimal(str(actual)), Decimal(str(threshold))
    ok = actual <= threshold if comparator == "lte" else actual >= threshold
    return "Đạt" if ok else "Chưa đạt"


def unit_report_document(report: UnitReport) -> ReportDocument:
    # Drafts and returned reports are being edited: print them live. Otherwise print what was sent.
    being_edited = report.status in (UnitReport.Status.DRAFT, UnitReport.Status.RETURNED)
    revision = None if being_edited else report.revisions.order_by("-number").first()
    content = revision.content if revision else selectors.report_content(report)
    superior, issuer, symbol = _issuer_lines(report.unit)
    note = f"(Kèm theo Báo cáo của {report.unit.name} về {_lower_first(_subject(report.period))})"
    target_rows = []
    thresholds = {v.target_id: v.target for v in report.target_values.select_related("target")}
    for index, t in enumerate(content["targets"], start=1):
        target = thresholds.get(t["target_id"])
        target_rows.append(
            [
                str(index),
                t["text"],
                t["threshold"],
                _number(t.get("numerator")),
                _number(t.get("denominator")),
                _number(t.get("actual")),
                _met(target.comparator, t["threshold"], t.get("actual"), target.threshold) if target else "",
            ]
        )
    authority, title = SIGNER.get(report.unit.kind, ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"))
    submitted = revision.submitted_at if revision else None
    return ReportDocument(
        superior_name=superior,
        issuer_name=issuer,
        issuer_short=symbol,
        number="",
        place=_place(report.unit),
        issued_on=timezone.localdate(submitted) if submitted else timezone.localdate(),
        kind_title="BÁO CÁO",
        subject=_subject(report.period),
        recipients=[f"{report.period.rule_set.issuer.name}"]
        if report.period.rule_set.issuer.kind != "city"
        else ["Sở Nội vụ thành phố Hải Phòng"],
        intro=[
            f"Thực hiện chế độ báo cáo công tác cải cách hành chính, {report.unit.name} báo cáo "
            f"{_lower_first(_subject(report.period))} (số liệu từ ngày {report.period.cutoff_start:%d/%m/%Y} "
            f"đến ngày {report.period.cutoff_end:%d/%m/%Y}) như sau:"
        ],
        sections=_body_sections(content["narrative"], content["tasks"], content["targets"]),
        annexes=[_task_annex(content["tasks"], note), _target_annex(target_rows, note)],
        signer_authority=authority,
        signer_title=title,
        signer_name="",
        distribution=[
            "- Sở Nội vụ;" if report.unit.parent and report.unit.parent.kind == "city" else "- Cấp trên;",
            "- Lãnh đạo đơn vị;",
            "- Lưu: VT.",
        ],
        draft=revision is None,
    )


def consolidated_document(period: ReportingPeriod) -> ReportDocument:
    view = selectors.consolidation(period=period)
    issuer_unit = period.rule_set.issuer
    consolidated = issuer_unit.consolidated_reports.filter(period=period).first()
    narrative = dict(consolidated.narrative) if consolidated else {}
    for key, items in view.narratives.items():
        if not narrative.get(key):
            narrative[key] = "\n".join(f"- {unit.name}: {text}" for unit, text in items)
    counts = view.completeness.counts
    tasks = []
    for area, counts_by_status in view.task_counts.items():
        for status, n in counts_by_status.items():
            if status != "total":
                tasks.extend({"area": area, "status": status} for _ in range(n))
    superior, issuer, symbol = _issuer_lines(issuer_unit)
    note = f"(Kèm theo Báo cáo tổng hợp {_lower_first(_subject(period))})"
    sections = _body_sections(narrative, tasks, [])

    def named(units, limit=10):
        names = ", ".join(u.name for u in units[:limit])
        return names + (
            f" và {len(units) - limit} đơn vị khác (chi tiết tại Phụ lục III)" if len(units) > limit else ""
        )

    sections.insert(
        0,
        Section(
            "TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ",
            [
                f"Tổng số đơn vị phải báo cáo: {counts['expected']}; đã gửi: {counts['submitted']} "
                f"(đúng hạn {counts['on_time']}, trễ hạn {counts['late']}); chưa gửi: {counts['missing'] + counts['pending']}; "
                f"đã tiếp nhận: {counts['accepted']}.",
                *([f"- Đơn vị gửi trễ hạn: {named(view.late_units)}."] if view.late_units else []),
                *([f"- Đơn vị không gửi: {named(view.missing_units)}."] if view.missing_units else []),
            ],
        ),
    )
    status_of_units = Table(
        columns=["TT", "Đơn vị", "Tình trạng", "Gửi lần đầu", "Đúng hạn"],
        rows=[
            [
                str(i),
                row.unit.name,
                row.state_label,
                f"{timezone.localtime(row.report.first_submitted_at):%d/%m/%Y}"
                if row.report and row.report.first_submitted_at
                else "",
                {True: "Đúng hạn", False: f"Trễ {row.days_late} ngày", None: ""}[row.on_time],
            ]
            for i, row in enumerate(view.completeness.rows, start=1)
        ],
        widths_cm=[1.2, 9.0, 6.0, 3.5, 3.5],
        title="Phụ lục III",
        subtitle="TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC ĐƠN VỊ",
        note=note,
    )
    target_rows = []
    for index, aggregate in enumerate(view.targets, start=1):
        met = aggregate.is_met
        counted = aggregate.denominator > 0
        target_rows.append(
            [
                str(index),
                aggregate.target.text,
                aggregate.target.threshold_label,
                _number(aggregate.numerator) if counted else "",
                _number(aggregate.denominator) if counted else "",
                _number(aggregate.rate),
                ("Đạt" if met else "Chưa đạt") if met is not None else "",
            ]
        )
    status_rows = []
    for index, (area, label) in enumerate(Area.choices):
        c = view.task_counts.get(area, {})
        status_rows.append(
            [ROMAN[index], label, str(c.get("total", 0)), *(str(c.get(s, 0)) for s in Task.Status.values)]
        )
    status_table = Table(
        columns=["TT", "Lĩnh vực", "Tổng số", *STATUS_LABELS.values()],
        rows=status_rows,
        widths_cm=[1.2, 8.0, 2.0, 2.6, 2.6, 2.6, 2.8, 2.4],
        title="Phụ lục I",
        subtitle="TÌNH HÌNH THỰC HIỆN NHIỆM VỤ CỦA CÁC ĐƠN VỊ THEO LĨNH VỰC",
        note=note,
    )
    return ReportDocument(
        superior_name=superior,
        issuer_name=issuer,
        issuer_short=symbol,
        number="",
        place=_place(issuer_unit),
        issued_on=timezone.localdate(),
        kind_title="BÁO CÁO",
        subject=_subject(period),
        recipients=["Bộ Nội vụ"] if issuer_unit.kind == "city" else [],
        intro=[
            f"Trên cơ sở báo cáo của {counts['submitted']}/{counts['expected']} đơn vị (số liệu từ ngày "
            f"{period.cutoff_start:%d/%m/%Y} đến ngày {period.cutoff_end:%d/%m/%Y}), "
            f"{issuer_unit.name} tổng hợp {_lower_first(_subject(period))} như sau:"
        ],
        sections=sections,
        annexes=[status_table, _target_annex(target_rows, note), status_of_units],
        signer_authority=SIGNER.get(issuer_unit.kind, ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"))[0],
        signer_title=SIGNER.get(issuer_unit.kind, ("", "CHỦ TỊCH"))[1],
        signer_name="",
        distribution=["- Bộ Nội vụ;" if issuer_unit.kind == "city" else "- Cấp trên;", "- Lưu: VT, NV."],
        draft=not consolidated or consolidated.status != "final",
    )
