"""Which browser origins may call the API (SPEC §7.2), decided per request for django-cors-headers.

Origins come from the clients' ``allowed_origins`` (DOT's field). /o/token/ and /o/revoke_token/ answer
only the calling client's own origins; /graphql and /o/userinfo/ any client's, since a bearer token, not
the origin, is the authority there. The origins are cached under their generation (users/cache_generations.py:
one primary-key query and one cache read per cross-origin request), which every save or delete of a client
increments, so a change applies on the next request in every process, even if the cache was unreachable
when it was made (SPEC §6). (A queryset ``.update()`` sends no signal: the timeout is the backstop.)
"""

from urllib.parse import urlsplit

from corsheaders.signals import check_request_enabled
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from users import cache_generations, client_auth
from users.models import Application

CACHE_NAME = "cors-origins-by-client"
CACHE_SECONDS = 300
ANY_CLIENT_PATHS = frozenset({"/graphql", "/o/userinfo/"})
CLIENT_PATHS = frozenset({"/o/token/", "/o/revoke_token/"})


def normalise(origin: str) -> str:
    parts = urlsplit(origin.strip())
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"


def origins_by_client() -> dict[str, frozenset[str]]:
    return cache_generations.cached(CACHE_NAME, _origins_from_database, CACHE_SECONDS)


def _origins_from_database() -> dict[str, frozenset[str]]:
    rows = Application.objects.exclude(allowed_origins="").values_list("client_id", "allowed_origins")
    return {client_id: frozenset(map(normalise, value.split())) for client_id, value in rows}


def calling_client_id(request: HttpRequest) -> str | None:
    """The client the request named, read as the endpoint itself read it (users.client_auth), so an
    origin is allowed for exactly the client the endpoint answered, however its credentials were spelled."""
    reading = request.META.get(client_auth.ENVIRON_KEY)
    return reading.client_id if reading is not None else None


def origin_allowed(request: HttpRequest, origin: str) -> bool:
    path = request.path_info
    origin = normalise(origin)
    if path in ANY_CLIENT_PATHS:
        return any(origin in allowed for allowed in origins_by_client().values())
    if path in CLIENT_PATHS:
        if request.method == "OPTIONS":
            # A preflight carries no credentials: let any client's origin send; whether the browser may
            # read the answer is decided on the real request, against the calling client.
            return any(origin in allowed for allowed in origins_by_client().values())
        return origin in origins_by_client().get(calling_client_id(request) or "", frozenset())
    return False


@receiver(check_request_enabled)
def cors_allow_client_origins(sender, request: HttpRequest, **kwargs) -> bool:
    origin = request.headers.get("Origin")
    return bool(origin) and origin_allowed(request, origin)


@receiver(post_save, sender=Application)
@receiver(post_delete, sender=Application)
def forget_origins(sender, **kwargs) -> None:
    cache_generations.bump(CACHE_NAME)
