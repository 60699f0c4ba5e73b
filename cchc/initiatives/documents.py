"""The recognition decision (Quyết định công nhận sáng kiến) and its list, laid out by the reporting
module's Decree 30 writer: the decision's articles as the body, the list of recognised initiatives
and the proposed certificates of merit as annexes."""

from django.utils import timezone

from cchc.core.numbers import format_number
from cchc.initiatives import selectors
from cchc.initiatives.models import Campaign
from cchc.reporting.documents import ReportDocument, Section, Table, render_docx, render_xlsx

__all__ = ["recognition_decision", "render_docx", "render_xlsx"]


def _authors(initiative) -> str:
    return "; ".join(
        f"{a.full_name} ({format_number(a.contribution, 2, trim=True)}%)" for a in initiative.authors.all()
    )


def recognition_decision(campaign: Campaign) -> ReportDocument:
    ranked = selectors.ranking(campaign)
    top = ranked[: campaign.award_count]
    rows = [
        [
            str(n),
            i.title,
            _authors(i),
            i.unit.name,
            f"{i.field.code}) {i.field.name}",
            format_number(i.verdict.final_score, 2, trim=True),
        ]
        for n, i in enumerate(ranked, start=1)
    ]
    award_rows = [
        [str(n), i.title, i.unit.name, format_number(i.verdict.final_score, 2, trim=True)]
        for n, i in enumerate(top, 1)
    ]
    decided = campaign.decision_date or timezone.localdate()
    issuer = campaign.issuer
    return ReportDocument(
        superior_name="",
        issuer_name=issuer.name.upper(),
        issuer_short="UBND",
        # The writer adds the symbol (QĐ-UBND) itself: keep only the number part of "3456/QĐ-UBND".
        number=(campaign.decision_number or "").split("/")[0],
        place="Hải Phòng",
        issued_on=decided,
        kind_title="QUYẾT ĐỊNH",
        subject=f"Về việc công nhận sáng kiến cải cách hành chính cấp thành phố năm {campaign.year}",
        recipients=[],
        intro=[
            f"CHỦ TỊCH {issuer.name.upper()}",
            "Căn cứ Nghị định số 13/2012/NĐ-CP ngày 02/3/2012 của Chính phủ ban hành Điều lệ Sáng kiến;",
            f"Căn cứ Văn bản số {campaign.number} ngày {campaign.issued_on:%d/%m/%Y} của Ủy ban nhân dân thành phố "
            "về việc nghiên cứu, đề xuất sáng kiến cải cách hành chính có tính đột phá;",
            f"Theo kết quả đánh giá của Hội đồng đánh giá hiệu quả áp dụng và khả năng nhân rộng và đề nghị của "
            f"Giám đốc {campaign.reviewing_unit.name}.",
            "QUYẾT ĐỊNH:",
        ],
        sections=[
            Section(
                heading="",
                paragraphs=[
                    f"Điều 1. Công nhận {len(ranked)} sáng kiến cải cách hành chính cấp thành phố năm "
                    f"{campaign.year} (danh sách tại Phụ lục I kèm theo).",
                    f"Điều 2. Giao {campaign.reviewing_unit.name} chủ trì, phối hợp Sở Nội vụ trình Chủ tịch Ủy ban "
                    f"nhân dân thành phố tặng Bằng khen cho {len(top)} sáng kiến xuất sắc nhất (Phụ lục II); Sở Nội "
                    "vụ đưa kết quả công nhận vào chấm điểm Chỉ số cải cách hành chính hằng năm của các cơ quan, "
                    "đơn vị.",
                    "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban nhân dân thành phố, "
                    "Thủ trưởng các cơ quan, đơn vị có sáng kiến và các tác giả chịu trách nhiệm thi hành Quyết định "
                    "này.",
                ],
            ),
        ],
        annexes=[
            Table(
                columns=["STT", "Tên sáng kiến", "Tác giả (tỷ lệ đóng góp)", "Đơn vị", "Lĩnh vực", "Điểm"],
                rows=rows,
                title="Phụ lục I",
                subtitle=f"DANH SÁCH SÁNG KIẾN CẢI CÁCH HÀNH CHÍNH ĐƯỢC CÔNG NHẬN NĂM {campaign.year}",
                widths_cm=[1.4, 8, 6, 4.5, 4, 1.8],
            ),
            Table(
                columns=["STT", "Tên sáng kiến", "Đơn vị", "Điểm"],
                rows=award_rows,
                title="Phụ lục II",
                subtitle="SÁNG KIẾN ĐỀ NGHỊ TẶNG BẰNG KHEN CỦA CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ",
                note=f"Xếp theo điểm cuối cùng của Hội đồng; {Campaign.TieRule(campaign.tie_rule).label.lower()}.",
                widths_cm=[1.4, 12, 6, 2],
            ),
        ],
        signer_authority="KT. CHỦ TỊCH",
        signer_title=campaign.decision_signer_title or "PHÓ CHỦ TỊCH",
        signer_name=campaign.decision_signer or "",
        distribution=["Như Điều 3;", "Sở Nội vụ;", "Lưu: VT."],
        draft=not campaign.decision_number,
    )
