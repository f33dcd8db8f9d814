"""SPEC §2: a NUL character in any parameter of any endpoint or page is a 400, before any view sees it.

PostgreSQL refuses NULs in text (a DataError, a 500: ``client_id`` at /o/authorize/ was one), SQLite
stores them, and no one means them; ``state``, ``nonce`` and ``resource`` carried them to the consent
page (issue 16, item 2). Rather than each view remembering, this middleware looks at the raw query
string and form body, escaped (``%00``) or not, names included, without parsing them (so a body Django
cannot parse still reaches the view that answers it). /graphql is left to its own rules (it answers in
GraphQL's error shape, and its JSON bodies are read there).

OAuth2's machine endpoints answer RFC 6749 §5.2 JSON; pages answer the product's 400 page.
"""

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render

from users.text import NUL_MESSAGE

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
JSON_PATHS = ("/o/token/", "/o/revoke_token/", "/o/introspect/", "/o/userinfo/")
OWN_RULES = ("/graphql",)


def holds_nul(raw: bytes) -> bool:
    return b"\x00" in raw or b"%00" in raw


def request_holds_nul(request) -> bool:
    if holds_nul(request.META.get("QUERY_STRING", "").encode("latin-1", "replace")):
        return True
    if request.content_type not in FORMS:
        return False
    try:
        body = request.body  # multipart text fields are raw bytes; the product accepts no file uploads
    except RequestDataTooBig:
        return False  # the view answers that
    if request.content_type == "multipart/form-data":
        return b"\x00" in body  # "%00" there is text, not an escape
    return holds_nul(body)


class NulParameterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(OWN_RULES) and request_holds_nul(request):
            if request.path_info in JSON_PATHS:
                response = JsonResponse({"error": "invalid_request", "error_description": NUL_MESSAGE}, status=400)
                response["Cache-Control"] = "no-store"
                return response
            return render(request, "400.html", {"reason": NUL_MESSAGE}, status=400)
        return self.get_response(request)
