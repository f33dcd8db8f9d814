from django.contrib import admin
from django.urls import include, path
from oauth2_provider import urls as dot_urls
from oauth2_provider import views as dot_views

from schema import graphiql
from schema.view import GraphQLView
from users.views import application, home, introspect, token

# Our replacements come first so they win over DOT's views of the same names and paths.
oauth2_patterns = [
    path("applications/", application.ApplicationList.as_view(), name="list"),
    path("applications/register/", application.ApplicationRegistration.as_view(), name="register"),
    path("applications/<slug:pk>/", application.ApplicationDetail.as_view(), name="detail"),
    path("applications/<slug:pk>/delete/", application.ApplicationDelete.as_view(), name="delete"),
    path("applications/<slug:pk>/update/", application.ApplicationUpdate.as_view(), name="update"),
    path("introspect/", introspect.IntrospectTokenView.as_view(), name="introspect"),
    path("token/", token.TokenView.as_view(), name="token"),
    path("authorize/", dot_views.AuthorizationView.as_view(), name="authorize"),
    path("revoke_token/", dot_views.RevokeTokenView.as_view(), name="revoke-token"),
    # DOT's device-flow routes are left out: no client may use that grant (and one answered 500).
    *[route for route in dot_urls.management_urlpatterns if route.name.startswith("authorized-token")],
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("o/", include((oauth2_patterns, "oauth2_provider"))),
    # RFC 8414 wants the metadata at the origin's root.
    path("", include((dot_urls.metadata_urlpatterns, "oauth2_metadata"))),
    path("graphql", GraphQLView.as_view(), name="graphql"),
    path("graphql/callback", graphiql.graphiql_callback, name="graphiql-callback"),
    path("", home.home, name="home"),
]
