"""Sample criteria sets, one per block, built from the structure in the domain guide (Hà Nội's eight
contents plus bonus and penalty points; 60 appraised + 40 survey points as in Hải Phòng's commune
set of 2021; rules worded as in Cà Mau's QĐ 1880/QĐ-UBND). They are SAMPLES, titled as such: the
city loads its official decision's annex with `scoring_import_set`."""

from decimal import Decimal

from cchc.org.models import Unit
from cchc.scoring.models import Method
from cchc.scoring.services import CriterionRow

D = Decimal


def _b(*pairs):
    return [
        {"label": label, "points": str(points), "min": None if low is None else str(low)}
        for label, points, low in pairs
    ]


def _row(code, content, max_points, method=Method.TOTAL, **extra) -> CriterionRow:
    return CriterionRow(code=code, content=content, max_points=D(str(max_points)), method=method, **extra)


def sample_rows(block: str) -> list[CriterionRow]:
    dept = block == Unit.Block.DEPARTMENT
    rows = [
        _row("1", "Công tác chỉ đạo, điều hành cải cách hành chính", 12),
        _row("1.1", "Kế hoạch CCHC năm", 5),
        _row(
            "1.1.1",
            "Ban hành kế hoạch CCHC năm",
            1,
            Method.BANDS,
            bands=_b(
                ("Ban hành kịp thời", 1, None),
                ("Ban hành không kịp thời", "0.5", None),
                ("Không ban hành", 0, None),
            ),
            rule_text="Ban hành kịp thời: 1; Ban hành không kịp thời: 0,5; Không ban hành: 0",
            evidence_asked="Kế hoạch CCHC năm của đơn vị",
            source="plan_issued:31/01",
        ),
        _row(
            "1.1.2",
            "Mức độ thực hiện kế hoạch CCHC",
            4,
            Method.RATE_BANDS,
            bands=_b(
                ("Thực hiện từ 90% kế hoạch", 4, 90),
                ("Thực hiện từ 70% đến dưới 90%", 2, 70),
                ("Dưới 70% kế hoạch", 0, 0),
            ),
            rule_text="Thực hiện từ 90% kế hoạch: 4; Thực hiện từ 70% đến dưới 90%: 2; Dưới 70% kế hoạch: 0",
            evidence_asked="Báo cáo kết quả thực hiện kế hoạch",
            source="plan_tasks_done",
        ),
        _row("1.2", "Báo cáo CCHC", 3),
        _row(
            "1.2.1",
            "Báo cáo quý I, 6 tháng, quý III, năm gửi đủ và đúng thời gian quy định",
            2,
            Method.BANDS,
            bands=_b(
                ("Đủ số lượng và đúng thời gian quy định", 2, None),
                ("Không đủ hoặc không đúng thời gian", 0, None),
            ),
            rule_text="Đủ số lượng và đúng thời gian quy định: 2; Không đủ hoặc không đúng thời gian: 0",
            evidence_asked="Các báo cáo CCHC trong năm",
            source="reports_on_time",
        ),
        _row(
            "1.2.2",
            "Báo cáo có đầy đủ nội dung theo hướng dẫn",
            1,
            Method.YES_NO,
            evidence_asked="Các báo cáo CCHC",
        ),
        _row("1.3", "Kiểm tra công tác CCHC", 4),
        _row(
            "1.3.1",
            "Tỷ lệ đơn vị trực thuộc được kiểm tra trong năm (đạt tối đa từ 30%)",
            2,
            Method.PROPORTIONAL,
            threshold=D(30),
            rule_text="Tỷ lệ × 2 / 30%, tối đa 2 điểm",
            evidence_asked="Kế hoạch, biên bản kiểm tra",
        ),
        _row(
            "1.3.2",
            "Xử lý các tồn tại phát hiện qua kiểm tra",
            2,
            Method.FREE,
            evidence_asked="Văn bản chỉ đạo khắc phục",
        ),
        _row("2", "Xây dựng và tổ chức thực hiện thể chế", 6),
        _row(
            "2.1",
            "Rà soát văn bản quy phạm pháp luật theo kế hoạch",
            3,
            Method.YES_NO,
            evidence_asked="Báo cáo rà soát",
        ),
        _row(
            "2.2",
            "Kiểm tra, theo dõi thi hành pháp luật",
            3,
            Method.FREE,
            evidence_asked="Báo cáo theo dõi thi hành",
        ),
        _row("3", "Cải cách thủ tục hành chính, một cửa, một cửa liên thông", 16),
        _row(
            "3.1",
            "Tỷ lệ hồ sơ giải quyết đúng hạn",
            6,
            Method.PROPORTIONAL,
            threshold=D(100),
            rule_text="Tỷ lệ × 6 / 100%",
            evidence_asked="Số liệu Hệ thống thông tin giải quyết TTHC",
            source="dossier:on_time_rate",
        ),
        _row(
            "3.2",
            "Tỷ lệ hồ sơ nộp trực tuyến (đạt tối đa từ 50%)",
            4,
            Method.PROPORTIONAL,
            threshold=D(50),
            rule_text="Tỷ lệ × 4 / 50%, tối đa 4 điểm",
            source="dossier:online_share",
        ),
        _row(
            "3.3",
            "Tỷ lệ thanh toán trực tuyến (đạt tối đa từ 80%)",
            3,
            Method.PROPORTIONAL,
            threshold=D(80),
            rule_text="Tỷ lệ × 3 / 80%, tối đa 3 điểm",
            source="dossier:online_payment_share",
        ),
        _row(
            "3.4",
            "Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC (đạt tối đa từ 80%)",
            3,
            Method.PROPORTIONAL,
            threshold=D(80),
            rule_text="Tỷ lệ × 3 / 80%, tối đa 3 điểm",
            source="dossier:components_digitised_rate",
        ),
        _row("4", "Cải cách tổ chức bộ máy", 6),
        _row(
            "4.1",
            "Thực hiện quy định về cơ cấu, vị trí việc làm",
            3,
            Method.FREE,
            evidence_asked="Đề án vị trí việc làm",
        ),
        _row(
            "4.2",
            "Sắp xếp đơn vị sự nghiệp công lập trực thuộc" if dept else "Sắp xếp tổ chức thôn, tổ dân phố",
            3,
            Method.YES_NO,
            evidence_asked="Quyết định sắp xếp",
        ),
        _row("5", "Xây dựng, nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức", 6),
        _row("5.1", "Đánh giá, xếp loại cán bộ, công chức đúng quy định", 3, Method.FREE),
        _row(
            "5.2",
            "Chấp hành kỷ luật, kỷ cương hành chính",
            3,
            Method.BANDS,
            bands=_b(
                ("Không có vi phạm", 3, None),
                ("Có vi phạm bị nhắc nhở", "1.5", None),
                ("Có vi phạm bị kỷ luật", 0, None),
            ),
            rule_text="Không có vi phạm: 3; Có vi phạm bị nhắc nhở: 1,5; Có vi phạm bị kỷ luật: 0",
        ),
        _row("6", "Cải cách tài chính công", 4),
        _row("6.1", "Thực hiện công khai ngân sách đúng quy định", 2, Method.YES_NO),
        _row(
            "6.2",
            "Thực hiện cơ chế tự chủ tài chính",
            2,
            Method.FREE,
            applies_to=[Unit.Kind.DEPARTMENT] if dept else [],
        ),
        _row("7", "Xây dựng, phát triển chính quyền điện tử, chính quyền số", 10),
        _row(
            "7.1",
            "Tỷ lệ văn bản điện tử có ký số",
            4,
            Method.PROPORTIONAL,
            threshold=D(100),
            rule_text="Tỷ lệ × 4 / 100%",
        ),
        _row("7.2", "Vận hành cổng/trang thông tin điện tử", 3, Method.FREE),
        _row("7.3", "Kết nối, chia sẻ dữ liệu với hệ thống của thành phố", 3, Method.YES_NO),
        _row("8", "Điểm thưởng, điểm trừ", 2),
        _row(
            "8.1",
            "Sáng kiến CCHC được công nhận (cộng tối đa 2 điểm)",
            2,
            Method.BONUS,
            source="initiatives",
            evidence_asked="Quyết định công nhận sáng kiến",
        ),
        CriterionRow(
            code="8.2",
            content="Bị phê bình vì chậm, sai trong công tác CCHC (trừ tối đa 2 điểm)",
            max_points=D(0),
            min_points=D(-2),
            method=Method.BONUS,
        ),
    ]
    return rows


BLOCK_TITLES = {
    Unit.Block.DEPARTMENT: "các sở, ban, ngành",
    Unit.Block.WARD: "các phường",
    Unit.Block.COMMUNE: "các xã, đặc khu",
}


def sample_title(block: str, year: int) -> str:
    return f"BỘ MẪU (không phải quyết định chính thức) — Chỉ số CCHC năm {year} của {BLOCK_TITLES[block]}"
