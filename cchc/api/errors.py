"""Errors as application/problem+json (RFC 9457): a stable machine code, a Vietnamese title."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from cchc.core.exceptions import ConflictError

PROBLEMS = {
    "unauthenticated": (401, "Chưa xác thực hoặc khóa API không hợp lệ"),
    "forbidden": (403, "Không có quyền thực hiện thao tác này"),
    "not_found": (404, "Không tìm thấy"),
    "conflict": (409, "Dữ liệu đã được người khác cập nhật"),
    "invalid": (422, "Dữ liệu gửi lên không hợp lệ"),
    "bad_request": (400, "Yêu cầu không hợp lệ"),
    # The public survey form's own refusals, in the words the form page uses.
    "token_refused": (400, "Mã phiếu không hợp lệ"),
    "token_spent": (409, "Mã phiếu đã được sử dụng"),
    "quota_full": (409, "Đã đủ số phiếu"),
    "rate_limited": (429, "Quá nhiều lượt gửi"),
}


def problem(code: str, detail="", *, errors=None, status: int | None = None) -> JsonResponse:
    default_status, title = PROBLEMS[code]
    body = {
        "type": f"/api/v1/docs#problem-{code}",
        "title": title,
        "status": status or default_status,
        "code": code,
        "detail": str(detail or ""),
    }
    if errors is not None:
        body["errors"] = errors
    return JsonResponse(
        body,
        status=body["status"],
        content_type="application/problem+json",
        json_dumps_params={"ensure_ascii": False},
    )


def _messages(exc: ValidationError):
    if hasattr(exc, "error_dict"):
        return {key: [str(m) for m in value] for key, value in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def install(api) -> None:
    @api.exception_handler(Http404)
    def _404(request, exc):
        return problem("not_found", exc)

    @api.exception_handler(PermissionDenied)
    def _403(request, exc):
        return problem("forbidden", exc)

    @api.exception_handler(ConflictError)
    def _409(request, exc):
        return problem("conflict", exc)

    @api.exception_handler(ValidationError)
    def _422(request, exc):
        return problem("invalid", " ".join(exc.messages), errors=_messages(exc))

    @api.exception_handler(NinjaValidationError)
    def _422_schema(request, exc):
        errors = [
            {"loc": [str(p) for p in e.get("loc", [])], "msg": str(e.get("msg", ""))} for e in exc.errors
        ]
        return problem("invalid", "Dữ liệu không đúng lược đồ.", errors=errors)

    @api.exception_handler(AuthenticationError)
    def _401(request, exc):
        return problem("unauthenticated")

    @api.exception_handler(HttpError)
    def _http(request, exc):
        code = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "conflict"}.get(
            exc.status_code, "bad_request"
        )
        return problem(code, exc.message, status=exc.status_code)
