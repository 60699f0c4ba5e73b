from django.core.exceptions import PermissionDenied, ValidationError  # noqa: F401


class ConflictError(Exception):
    """A write based on a stale version: someone else saved first. Nothing was written."""

    def __init__(self, message: str = ""):
        super().__init__(
            message
            or "Nội dung này vừa được người khác cập nhật. Thay đổi của bạn chưa được lưu; "
            "hãy tải lại trang để xem bản mới nhất rồi nhập lại."
        )


def check_version(current: int, expected_version: int, message: str = "") -> None:
    """Refuse a write read at another version. There is no "no version" case: every write states one.

    A missing or non-numeric version is a programming or request error (ValidationError, answered
    400), not a licence to overwrite; pages parse the posted value with ``cchc.core.params.parse_version``.
    """
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        from cchc.core.params import MISSING_VERSION

        raise ValidationError(MISSING_VERSION, code="version")
    if expected_version != current:
        raise ConflictError(message)
