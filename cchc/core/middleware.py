"""Middleware of our own: the language of every page, the Content-Security-Policy, and two answers
given centrally instead of a 500.

Language: Vietnamese, whatever the browser asks for. Django's LocaleMiddleware follows the browser's
Accept-Language, so an officer whose Windows or Chrome is set to English got "This field is required."
and an English admin. cchc is a Vietnamese public service: pages are Vietnamese unless the person has
explicitly chosen another offered language (Django's language cookie, set by
``django.views.i18n.set_language``).

Content-Security-Policy on every answer (Django 5.2 has none built in). Pages run only scripts served
from our own static files: no inline <script>, no on*="" handlers, no eval (htmx runs with allowEval
off), and no style="" attributes. The admin gets the same policy: Django 5.2's admin templates load all
their scripts from static files.

Instead of a 500, for every page:
- a NUL byte in a query or form parameter is refused with 400 (PostgreSQL cannot store or compare text
  holding NUL, and no field of the app has a use for it);
- a "database is locked" that still escapes SQLite's busy timeout is answered 503 with a Vietnamese page
  asking to try again: nothing was written, since the transaction was rolled back.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


class VietnameseLocaleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.offered = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.offered else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


def policy_header(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.header = (
            "Content-Security-Policy-Report-Only" if settings.CSP_REPORT_ONLY else "Content-Security-Policy"
        )
        self.policy = policy_header(settings.CSP_DIRECTIVES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # A view that needs a different policy sets its own header; every other answer gets ours.
        # Django's technical 404/500 pages (DEBUG on only) are built of inline styles and scripts.
        debug_page = settings.DEBUG and response.status_code in {404, 500}
        if self.header not in response and not debug_page:
            response[self.header] = self.policy
        return response


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
