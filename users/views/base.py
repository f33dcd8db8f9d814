"""What /o/token/, /o/revoke_token/ and /o/introspect/ share: POST with a UTF-8 form body, each parameter once,
the client's credentials read once, and every answer RFC 6749 §5.2 JSON, an unexpected error included."""

import logging
from urllib.parse import parse_qsl

from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import View

from users import client_auth, throttle
from users.request_ids import request_id_of
from users.text import NUL_MESSAGE, fields_with_nul

log = logging.getLogger("users.oauth2")
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"  # read by Django's parser when well-formed (the test client sends it)
# RFC 6749 §5.2 (and RFC 7617): a 401 invalid_client names the scheme clients authenticate with.
BASIC_CHALLENGE = 'Basic realm="oauth2"'
# RFC 8707 §2.1 lets a client name several resources; DOT's backend keeps them all. Nothing else repeats.
REPEATABLE = {"resource"}


def oauth_error(error: str, description: str, status: int, **extra: str) -> JsonResponse:
    """RFC 6749 §5.2's error body."""
    response = JsonResponse({"error": error, "error_description": description, **extra}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def invalid_request(description: str) -> JsonResponse:
    return oauth_error("invalid_request", description, 400)


def server_error(request) -> JsonResponse:
    """An unexpected error: logged with its traceback and a request id; the client gets only the id."""
    request_id = request_id_of(request)
    log.exception("Unexpected error at %s [request %s]", request.path, request_id)
    description = "An unexpected error occurred; quote the request id to report it."
    return oauth_error("server_error", description, 500, request_id=request_id)


def oauthlib_response(headers: dict, body: str, status: int) -> HttpResponse:
    """oauthlib's answer as a response; its 401s challenge with Bearer (RFC 6750), not the scheme clients use."""
    response = HttpResponse(body or "", status=status, content_type="application/json")
    for name, value in headers.items():
        response[name] = value
    if status == 401:
        response["WWW-Authenticate"] = BASIC_CHALLENGE
    return response


def body_refusal(request) -> str | None:
    """Why the body cannot be read as the form RFC 6749 §3.2 requires (UTF-8, Appendix B); None if it can."""
    charset = request.content_params.get("charset")
    if charset is not None and charset.lower() != "utf-8":  # Django's own test for forms (a BadRequest)
        return "Send the form in UTF-8 (RFC 6749 Appendix B)."
    if request.content_type not in (FORM, MULTIPART, ""):
        return f"Send the parameters as {FORM} (RFC 6749 §3.2)."
    try:
        request.POST  # noqa: B018 - parse now (Django's size limits first), where errors become invalid_request
        if request.content_type == FORM:
            # Django replaces bytes that are not UTF-8 (raw or %-escaped); a wrong byte is a wrong encoding.
            parse_qsl(request.body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
        return "The request is too large."
    except (BadRequest, UnicodeDecodeError, MultiPartParserError, UnreadablePostError):
        return f"The body could not be read as a UTF-8 {FORM} form."
    return None


TOKEN_IN_HEADER_ONLY = "Send the access token in the Authorization header only (RFC 6750 §2.1, RFC 9700 §4.3.2)."


def token_outside_header(request) -> bool:
    """An access token in the query string or the form body (RFC 6750 §2.2-2.3), which SPEC §2 refuses
    everywhere: proxies log query strings. oauthlib reads ``access_token`` from either when there is no
    Authorization header (DOT's RFC 9700 switch covers the query string of verify_request only, not
    userinfo, and never the body). Call it once the body was read (``body_refusal``)."""
    return "access_token" in request.GET or "access_token" in request.POST


def parameter_refusal(request) -> str | None:
    """Parameters in the URL or repeated ones, or an access token; None if there are none."""
    if token_outside_header(request):  # introspection's bearer path would authenticate with it
        return TOKEN_IN_HEADER_ONLY
    if request.META.get("QUERY_STRING"):  # oauthlib refuses them at two endpoints; DOT's introspection read them
        return "Send the parameters in the body, not in the URL (RFC 6749 §3.2)."
    repeated = sorted(name for name, values in request.POST.lists() if len(values) > 1 and name not in REPEATABLE)
    if repeated:  # RFC 6749 §3.1; DOT would silently keep the last value
        return f"Each parameter may appear once; repeated: {', '.join(repeated)} (RFC 6749 §3.1)."
    return None  # NULs in parameters: project/nul_parameters.py, before any view


@method_decorator(csrf_exempt, name="dispatch")  # machine endpoints: client credentials, no cookies
class OAuth2Endpoint(View):
    """The checks before DOT's view runs, and JSON for whatever goes wrong inside it.

    Subclasses put this first in their bases; their post() finds the credentials with ``credentials()``.
    """

    http_method_names = ["post", "options"]  # RFC 7662 §2.1 too: introspection is POST only (DOT has get())

    def dispatch(self, request, *args, **kwargs):
        try:
            if request.method != "POST":
                return View.dispatch(self, request, *args, **kwargs)
            refusal = body_refusal(request) or parameter_refusal(request) or self.read_credentials(request)
            if refusal is not None:
                return invalid_request(refusal)
            # SPEC §2: failed logins are limited wherever a client secret (or a user's password) is
            # checked, so revocation and introspection cannot serve to guess what /o/token/ refuses.
            # The attempt counts before anything is checked, so parallel attempts cannot pass the limit.
            credentials = self.credentials(request)
            try:
                place = throttle.take_token_endpoint_place(credentials.client_id, throttle.client_address(request))
            except throttle.TooManyAttempts as refused:
                response = oauth_error("too_many_requests", str(refused), 429)
                response["Retry-After"] = str(refused.retry_after)
                return response
            # View.dispatch, not DOT's: its protected-resource dispatch (introspection) authenticates
            # before looking at the method. Ours checks the method first; post() authenticates.
            response = View.dispatch(self, request, *args, **kwargs)
            if not credentials.failed:  # marked by users.oauth2.Validator: a wrong client secret or user password
                place.give_back()
            return response
        except Exception:
            return server_error(request)

    @staticmethod
    def read_credentials(request) -> str | None:
        try:
            reading = client_auth.read(
                request.META.get("HTTP_AUTHORIZATION", ""),
                request.POST.get("client_id"),
                request.POST.get("client_secret"),
            )
        except client_auth.TwoClients as refusal:
            return str(refusal)
        if fields_with_nul(reading.values()):
            return NUL_MESSAGE
        request.META[client_auth.ENVIRON_KEY] = reading
        return None

    @staticmethod
    def credentials(request) -> client_auth.ClientAuthentication:
        return request.META[client_auth.ENVIRON_KEY]

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = oauth_error("invalid_request", "Use POST.", 405)
        response["Allow"] = "POST"
        return response
