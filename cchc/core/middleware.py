"""The language of every page: Vietnamese, whatever the browser asks for.

Django's LocaleMiddleware follows the browser's Accept-Language, so an officer whose Windows or
Chrome is set to English got "This field is required." and an English admin. cchc is a Vietnamese
public service: pages are Vietnamese unless the person has explicitly chosen another offered
language (Django's language cookie, set by ``django.views.i18n.set_language``).
"""

from django.conf import settings
from django.utils import translation


class VietnameseLocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.offered = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.offered else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
