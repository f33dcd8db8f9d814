"""What every page's navigation needs to know (users/templates/oauth2_provider/base.html)."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    # SPEC §7.3: links go only where something is served; GraphiQL is off in production by default.
    return {"graphiql_enabled": settings.GRAPHIQL_ENABLED}
