"""The SIPAS template: the five service factors of the domain guide, each on the 5-level scale.

It is a starting point the city adjusts (marked `is_template`): wording, extra questions and which
levels count as satisfied are the survey's data, not code."""

SCALE = [
    [5, "Rất hài lòng"],
    [4, "Hài lòng"],
    [3, "Bình thường"],
    [2, "Không hài lòng"],
    [1, "Rất không hài lòng"],
]

SIPAS_SECTIONS = [
    {
        "code": "tiep-can",
        "title": "Tiếp cận dịch vụ",
        "is_aspect": True,
        "questions": [
            ("tc1", "Nơi ngồi chờ, trang thiết bị phục vụ tại Bộ phận Một cửa", "scale", True),
            (
                "tc2",
                "Việc tìm hiểu thông tin về thủ tục (niêm yết, cổng dịch vụ công, tổng đài)",
                "scale",
                True,
            ),
        ],
    },
    {
        "code": "thu-tuc",
        "title": "Thủ tục hành chính",
        "is_aspect": True,
        "questions": [
            ("tt1", "Thành phần hồ sơ và mức phí, lệ phí đúng quy định đã công khai", "scale", True),
            ("tt2", "Thời hạn giải quyết đúng quy định", "scale", True),
        ],
    },
    {
        "code": "cong-chuc",
        "title": "Công chức trực tiếp giải quyết",
        "is_aspect": True,
        "questions": [
            ("cc1", "Thái độ và sự hướng dẫn của công chức", "scale", True),
            (
                "cc2",
                "Công chức không gây phiền hà, sách nhiễu, không đòi thêm tiền ngoài quy định",
                "scale",
                True,
            ),
        ],
    },
    {
        "code": "ket-qua",
        "title": "Kết quả giải quyết",
        "is_aspect": True,
        "questions": [
            ("kq1", "Kết quả đúng quy định, thông tin chính xác", "scale", True),
            ("kq2", "Nhận kết quả đúng hẹn", "scale", True),
        ],
    },
    {
        "code": "gop-y",
        "title": "Tiếp nhận và xử lý góp ý, phản ánh, kiến nghị",
        "is_aspect": True,
        "questions": [
            ("gy0", "Ông/Bà có góp ý, phản ánh, kiến nghị với cơ quan không?", "single", True),
            ("gy1", "Việc tiếp nhận và trả lời góp ý, phản ánh, kiến nghị", "scale", False),
        ],
    },
    {
        "code": "thong-tin",
        "title": "Thông tin chung và đề xuất",
        "is_aspect": False,
        "questions": [
            ("kenh", "Ông/Bà nộp hồ sơ qua hình thức nào?", "single", False),
            ("nhu-cau", "Ông/Bà mong muốn cơ quan cải thiện điều gì? (có thể chọn nhiều)", "multiple", False),
            ("so-lan", "Số lần Ông/Bà phải đi lại để hoàn thành hồ sơ", "number", False),
            ("de-xuat", "Ý kiến khác (không bắt buộc)", "long_text", False),
        ],
    },
]

CHOICES = {
    "gy0": [["co", "Có"], ["khong", "Không"]],
    "kenh": [
        ["truc-tiep", "Trực tiếp tại Bộ phận Một cửa"],
        ["truc-tuyen", "Trực tuyến"],
        ["buu-chinh", "Qua bưu chính"],
    ],
    "nhu-cau": [
        ["rut-gon", "Rút gọn thủ tục, giấy tờ"],
        ["truc-tuyen", "Mở rộng dịch vụ công trực tuyến"],
        ["huong-dan", "Hướng dẫn rõ ràng hơn"],
        ["thoi-gian", "Rút ngắn thời gian giải quyết"],
    ],
}

SHOW_IF = {"gy1": ("gy0", ["co"])}
