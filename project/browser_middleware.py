"""Django's session, session-authentication and messages middleware, on every path but /graphql.

/graphql authenticates by bearer token only and reads no session, no cookie user and no message (SPEC §3;
``schema.authentication`` sets ``request.user`` from the token). Django's middleware still made every API
request build a session store, a lazy user and two message storages: about 45 µs of a 410 µs `me` request
in the WSGI handler (issue 21). These subclasses pass /graphql straight through, and on every other path
do what Django's do. CSRF stays on every path: the GraphiQL page at GET /graphql hands out its token.
"""

from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions

from schema.authentication import GRAPHQL_PATHS


class NotOnTheAPI:
    def __call__(self, request):
        if request.path_info in GRAPHQL_PATHS:
            return self.get_response(request)
        return super().__call__(request)


class SessionMiddleware(NotOnTheAPI, sessions.SessionMiddleware):
    pass


class AuthenticationMiddleware(NotOnTheAPI, auth.AuthenticationMiddleware):
    pass


class MessageMiddleware(NotOnTheAPI, messages.MessageMiddleware):
    pass
