from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Vietnamese unless the user picked another language at the foot of a page.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an office PC
    set up in English would show the app in English; the federation's default is Vietnamese.
    The JSON API alone follows Accept-Language: a program asks for its language on purpose.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES) and request.path.startswith("/api/"):
            # A program calling the API says which language it wants (Accept-Language).
            language = translation.get_language_from_request(request)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class NoStoreDownloadsMiddleware:
    """No copy of an export or a print view is kept by the browser or a proxy.

    Exports and print views hold officers' names and phone numbers; on a shared office PC a
    cached copy would outlive the session. A response is a download when it carries
    Content-Disposition (every export and the Excel template); a print view is one whose URL
    name ends with "print". Done here once rather than in each view, so a new export is
    covered without anyone remembering.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        is_print = bool(match and match.url_name and match.url_name.endswith("print"))
        if response.has_header("Content-Disposition") or is_print:
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"  # for HTTP/1.0 proxies
        return response
