from django.core.exceptions import PermissionDenied, ValidationError  # noqa: F401


class ConflictError(Exception):
    """A write based on a stale version: someone else saved first. Nothing was written."""

    def __init__(self, message: str = ""):
        super().__init__(
            message
            or "Nội dung này vừa được người khác cập nhật. Thay đổi của bạn chưa được lưu; "
            "hãy tải lại trang để xem bản mới nhất rồi nhập lại."
        )
