"""Middleware of our own: the language of every page, and the Content-Security-Policy.

Language: Vietnamese, whatever the browser asks for. Django's LocaleMiddleware follows the browser's
Accept-Language, so an officer whose Windows or Chrome is set to English got "This field is required."
and an English admin. cchc is a Vietnamese public service: pages are Vietnamese unless the person has
explicitly chosen another offered language (Django's language cookie, set by
``django.views.i18n.set_language``).

Content-Security-Policy on every answer (Django 5.2 has none built in). Pages run only scripts served
from our own static files: no inline <script>, no on*="" handlers, no eval (htmx runs with allowEval
off), and no style="" attributes. The admin gets the same policy: Django 5.2's admin templates load all
their scripts from static files.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


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
