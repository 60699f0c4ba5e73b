"""Rankings and a unit's self-assessment as Decree-30 documents (.docx, .xlsx), through the writer
in cchc.reporting.documents."""

from django.utils import timezone

from cchc.reporting.documents import ReportDocument, Section, Table, render_docx, render_xlsx
from cchc.scoring.methods import fmt
from cchc.scoring.selectors import Ranking, assessment_tree, flatten


def ranking_table(ranking: Ranking, rows: list[dict] | None = None) -> Table:
    """One block's results; `rows` are a release's frozen rows when printing a publication."""
    season = ranking.season
    areas = ranking.areas
    rows = rows if rows is not None else [r.as_json() for r in ranking.rows]
    columns = [
        "Xếp hạng",
        "Đơn vị",
        *[f"LV {a.code}" for a in areas],
        "Điểm thẩm định",
        "Điểm điều tra XHH",
        "Chỉ số",
        "Xếp loại",
        "So với năm trước",
    ]
    body = []
    for row in rows:
        rank = str(row["rank"]) if row["rank"] else "Không xếp hạng"
        body.append(
            [
                rank,
                row["name"]
                + (f" ({row['excluded_reason']})" if row["excluded"] and row["excluded_reason"] else ""),
                *[row["areas"].get(a.code, "") for a in areas],
                row["appraised"],
                row["survey"],
                row["index"],
                row["band"],
                row["change"],
            ]
        )
    return Table(
        columns=columns,
        rows=body,
        title=f"KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {season.year} — {season.get_block_display().upper()}",
        subtitle=f"Thang điểm {fmt(season.criteria_set.total_points)}: thẩm định {fmt(season.criteria_set.appraised_points)}, điều tra xã hội học {fmt(season.criteria_set.survey_points)}",
        note="Các lĩnh vực (LV) theo bộ tiêu chí: " + "; ".join(f"{a.code}. {a.content}" for a in areas),
    )


def ranking_document(year: int, tables: list[Table]) -> ReportDocument:
    return ReportDocument(
        superior_name="ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG",
        issuer_name="SỞ NỘI VỤ",
        issuer_short="SNV",
        number="",
        place="Hải Phòng",
        issued_on=timezone.localdate(),
        kind_title="BÁO CÁO",
        subject=f"Kết quả xác định Chỉ số cải cách hành chính năm {year} của các cơ quan, đơn vị",
        recipients=["Ủy ban nhân dân thành phố"],
        intro=[
            f"Sở Nội vụ báo cáo kết quả thẩm định và xếp hạng Chỉ số cải cách hành chính năm {year} "
            "theo từng khối (chi tiết tại các phụ lục kèm theo)."
        ],
        sections=[],
        annexes=tables,
        signer_authority="KT. GIÁM ĐỐC",
        signer_title="PHÓ GIÁM ĐỐC",
        signer_name="",
        distribution=["Như trên;", "Lưu: VT, CCHC."],
    )


def render(document: ReportDocument, fmt_name: str) -> bytes:
    return render_docx(document) if fmt_name == "docx" else render_xlsx(document)


def self_assessment_document(assessment) -> ReportDocument:
    """The unit's self-assessment report with its score table as the annex."""
    nodes = flatten(assessment_tree(assessment))
    rows = []
    for node in nodes:
        item = node.item
        if item is None:
            rows.append(
                [
                    node.criterion.code,
                    node.criterion.content,
                    fmt(node.criterion.max_points),
                    fmt(node.self_total),
                    "",
                    "",
                ]
            )
        else:
            evidence = "; ".join(e.label for e in item.evidence.all())
            rows.append(
                [
                    node.criterion.code,
                    node.criterion.content,
                    fmt(node.criterion.max_points),
                    fmt(item.self_points) if item.applicable else "Không áp dụng",
                    evidence,
                    item.explanation,
                ]
            )
    unit = assessment.unit
    season = assessment.season
    return ReportDocument(
        superior_name="ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG"
        if unit.kind == "department"
        else unit.name.upper(),
        issuer_name=unit.name.upper(),
        issuer_short="",
        number="",
        place="Hải Phòng",
        issued_on=timezone.localdate(assessment.submitted_at)
        if assessment.submitted_at
        else timezone.localdate(),
        kind_title="BÁO CÁO",
        subject=f"Kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm {season.year}",
        recipients=["Sở Nội vụ thành phố Hải Phòng"],
        intro=[f"{unit.name} báo cáo kết quả tự đánh giá, chấm điểm Chỉ số CCHC năm {season.year} như sau:"],
        sections=[
            Section(
                "Kết quả tự chấm",
                [
                    f"Tổng điểm tự chấm: {fmt(sum((n.self_total for n in nodes if n.level == 0), 0))} / {fmt(season.criteria_set.appraised_points)} điểm thẩm định."
                ],
            )
        ],
        annexes=[
            Table(
                columns=[
                    "Mã",
                    "Nội dung",
                    "Điểm tối đa",
                    "Điểm tự chấm",
                    "Tài liệu kiểm chứng",
                    "Giải thích",
                ],
                rows=rows,
                title="BẢNG ĐIỂM TỰ ĐÁNH GIÁ",
            )
        ],
        signer_authority="",
        signer_title="THỦ TRƯỞNG ĐƠN VỊ",
        signer_name="",
        distribution=["Như trên;", "Lưu: VT."],
        draft=assessment.status != "submitted",
    )
