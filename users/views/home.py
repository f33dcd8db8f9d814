"""The home page at / (SPEC §2.4): where everyone lands after signing in, staff or not."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"graphiql_enabled": settings.GRAPHIQL_ENABLED})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on their own (GraphiQL's page too): one icon, not a 404 per page."""
    return redirect(static("users/favicon.svg"), permanent=True)
