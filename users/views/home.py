"""The home page at / (SPEC §2.4): where everyone lands after signing in, staff or not."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"graphiql_enabled": settings.GRAPHIQL_ENABLED})
