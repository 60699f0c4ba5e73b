"""Build the two binary held-out documents next to this file (run once; the outputs are committed).

    python cchc/docimport/tests/documents/make_binary_documents.py

- ``kh-cchc-2027-phuong-le-chan-o-gop.docx``: a Word plan whose task table merges cells — the area
  rows span all columns, and one lead unit cell is merged down over three rows.
- ``kh-cchc-2027-xa-vinh-bao-ban-quet.pdf``: a scanned plan. The text is drawn on A4 pages with PIL
  (no text layer at all), so extract_text must OCR it with tesseract.
"""

from __future__ import annotations

import io
from pathlib import Path

HERE = Path(__file__).resolve().parent


def build_docx() -> bytes:
    import docx

    document = docx.Document()
    for line in (
        "ỦY BAN NHÂN DÂN PHƯỜNG LÊ CHÂN",
        "Số: 33/KH-UBND",
        "Lê Chân, ngày 05 tháng 01 năm 2027",
        "KẾ HOẠCH",
        "Cải cách hành chính năm 2027 của phường Lê Chân",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "- Thực hiện nghiêm túc các nhiệm vụ cải cách hành chính thành phố giao.",
        "II. MỤC TIÊU, CHỈ TIÊU",
        "- 100% thủ tục hành chính thuộc thẩm quyền của phường được cung cấp dịch vụ công trực tuyến.",
        "- Tỷ lệ hồ sơ giải quyết đúng hạn đạt từ 99% trở lên.",
        "- Mức độ hài lòng của người dân đạt tối thiểu 92%.",
        "III. NHIỆM VỤ CỤ THỂ",
    ):
        document.add_paragraph(line)
    header = [
        "TT",
        "Nội dung công việc",
        "Cơ quan chủ trì",
        "Cơ quan phối hợp",
        "Thời gian thực hiện",
        "Sản phẩm",
    ]
    rows = [
        ("I", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH"),
        (
            "1",
            "Công khai thủ tục hành chính tại Bộ phận Một cửa phường",
            "Văn phòng HĐND và UBND phường",
            "Bộ phận Một cửa",
            "Quý I/2027",
            "Thủ tục được công khai",
        ),
        (
            "2",
            "Tiếp nhận hồ sơ trực tuyến toàn trình",
            None,
            "Bộ phận Một cửa",
            "Cả năm 2027",
            "Hồ sơ trực tuyến",
        ),
        (
            "3",
            "Đo lường sự hài lòng của người dân",
            None,
            "Phòng Văn hóa - Xã hội phường",
            "Tháng 11/2027",
            "Báo cáo kết quả đo lường",
        ),
        ("II", "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ"),
        (
            "4",
            "Bồi dưỡng kỹ năng giao tiếp cho công chức Bộ phận Một cửa",
            "Phòng Nội vụ phường",
            "Trung tâm Phục vụ hành chính công thành phố",
            "Quý II/2027",
            "Lớp bồi dưỡng",
        ),
        (
            "5",
            "Báo cáo kết quả cải cách hành chính năm 2027",
            "Phòng Nội vụ phường",
            "Các bộ phận chuyên môn",
            "10/12/2027",
            "Báo cáo",
        ),
    ]
    table = document.add_table(rows=1 + len(rows), cols=6)
    table.style = "Table Grid"
    for j, text in enumerate(header):
        table.cell(0, j).text = text
    merge_from = None
    for i, row in enumerate(rows, start=1):
        if len(row) == 2:
            table.cell(i, 0).text = row[0]
            merged = table.cell(i, 1).merge(table.cell(i, 5))
            merged.text = row[1]
            continue
        for j, text in enumerate(row):
            if text is not None:
                table.cell(i, j).text = text
        if row[2] is not None:
            merge_from = i
        elif merge_from is not None:
            top = table.cell(merge_from, 2)
            text = top.text
            top.merge(table.cell(i, 2))
            # merge() joins the paragraphs; keep the one name once
            for paragraph in table.cell(merge_from, 2).paragraphs[1:]:
                paragraph._element.getparent().remove(paragraph._element)
            table.cell(merge_from, 2).paragraphs[0].text = text
    document.add_paragraph("IV. TỔ CHỨC THỰC HIỆN")
    document.add_paragraph("Phòng Nội vụ phường theo dõi, tổng hợp, báo cáo Chủ tịch Ủy ban nhân dân phường.")
    document.add_paragraph("CHỦ TỊCH")
    document.add_paragraph("Đỗ Minh Tuấn")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


SCAN_TEXT = """ỦY BAN NHÂN DÂN            CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
XÃ VĨNH BẢO                      Độc lập - Tự do - Hạnh phúc
Số: 21/KH-UBND             Vĩnh Bảo, ngày 12 tháng 01 năm 2027

KẾ HOẠCH
Cải cách hành chính năm 2027 của xã Vĩnh Bảo

I. MỤC ĐÍCH, YÊU CẦU
- Nâng cao chất lượng phục vụ người dân và doanh nghiệp.
II. CHỈ TIÊU
1. 100% thủ tục hành chính được giải quyết qua Bộ phận Một cửa.
2. Tỷ lệ hồ sơ giải quyết đúng hạn đạt từ 97% trở lên.
3. Tỷ lệ hồ sơ trực tuyến đạt tối thiểu 65%.
III. NHIỆM VỤ
1. Công khai thủ tục hành chính trên Cổng thông tin điện tử xã.
Chủ trì: Văn phòng HĐND và UBND xã. Thời gian: Quý I/2027.
2. Số hóa hồ sơ hộ tịch lưu trữ.
Chủ trì: Phòng Văn hóa - Xã hội xã. Thời gian: Cả năm 2027.
3. Bồi dưỡng nghiệp vụ cho công chức Bộ phận Một cửa.
Chủ trì: Phòng Nội vụ xã. Thời gian: Quý II/2027.
4. Kiểm tra công vụ tại các bộ phận chuyên môn.
Chủ trì: Văn phòng HĐND và UBND xã. Thời gian: Tháng 10/2027.
IV. TỔ CHỨC THỰC HIỆN
Văn phòng HĐND và UBND xã theo dõi, tổng hợp, báo cáo.
CHỦ TỊCH
Hoàng Văn Sơn
"""


def build_scan() -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 34)
    pages, lines = [], SCAN_TEXT.splitlines()
    per_page = 32
    for start in range(0, len(lines), per_page):
        image = Image.new("L", (2480, 3508), 255)  # A4 at 300 dpi
        draw = ImageDraw.Draw(image)
        for k, line in enumerate(lines[start : start + per_page]):
            draw.text((200, 220 + k * 72), line, font=font, fill=0)
        pages.append(image.convert("RGB"))
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", resolution=300, save_all=True, append_images=pages[1:])
    return buffer.getvalue()


if __name__ == "__main__":
    (HERE / "kh-cchc-2027-phuong-le-chan-o-gop.docx").write_bytes(build_docx())
    (HERE / "kh-cchc-2027-xa-vinh-bao-ban-quet.pdf").write_bytes(build_scan())
    print("written")
