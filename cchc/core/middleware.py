"""Two answers given centrally, for every page, instead of a 500:

- a NUL byte in a query or form parameter is refused with 400 (PostgreSQL cannot store or compare text
  holding NUL, and no field of the app has a use for it);
- a "database is locked" that still escapes SQLite's busy timeout is answered 503 with a Vietnamese page
  asking to try again: nothing was written, since the transaction was rolled back.
"""

from __future__ import annotations

import logging

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

BAD_INPUT = (
    "Dữ liệu gửi lên có ký tự không hợp lệ (ký tự NUL), nên yêu cầu không được xử lý. "
    "Hãy kiểm tra lại nội dung đã nhập hoặc đường dẫn rồi thử lại."
)
BUSY = (
    "Hệ thống đang bận ghi dữ liệu của người khác nên chưa lưu được yêu cầu của bạn. "
    "Chưa có gì bị thay đổi; vui lòng thử lại sau ít giây."
)
FORM_TYPES = ("application/x-www-form-urlencoded",)


def _has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in query.lists())


def error_page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    # A page of its own, without the menu: it must render when the database cannot be read.
    body = render_to_string("core/request_error.html", {"title": title, "message": message, "back": "/"})
    return HttpResponse(body, status=status)


def is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, OperationalError) and ("database is locked" in text or "database is busy" in text)


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        form_body = request.method == "POST" and request.content_type in FORM_TYPES
        if "\x00" in request.path or _has_nul(request.GET) or (form_body and _has_nul(request.POST)):
            return error_page(request, 400, "Yêu cầu không hợp lệ", BAD_INPUT)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        # Multipart bodies are read here, after CsrfViewMiddleware has read them anyway; a view exempt
        # from CSRF may set its own upload handlers first, so it is left to check its fields itself.
        multipart = request.method == "POST" and request.content_type == "multipart/form-data"
        if multipart and not getattr(view_func, "csrf_exempt", False) and _has_nul(request.POST):
            return error_page(request, 400, "Yêu cầu không hợp lệ", BAD_INPUT)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_locked(exception):
            logger.warning("database is locked: %s %s", request.method, request.path)
            response = error_page(request, 503, "Hệ thống đang bận", BUSY)
            response["Retry-After"] = "5"
            return response
        return None
