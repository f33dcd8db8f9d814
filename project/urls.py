from django.contrib import admin
from django.urls import include, path
from oauth2_provider import views as dot_views

from project import health
from schema import graphiql
from schema.view import GraphQLView
from users.issuer import PROTECTED_RESOURCE_METADATA_PATH
from users.views import (
    accounts,
    application,
    authorization,
    authorized_apps,
    device,
    home,
    introspect,
    metadata,
    revocation,
    token,
    trusted_documents,
    userinfo,
)

# Our replacements come first so they win over DOT's views of the same names and paths.
oauth2_patterns = [
    path("applications/", application.ApplicationList.as_view(), name="list"),
    path("applications/register/", application.ApplicationRegistration.as_view(), name="register"),
    # Ids in URLs are <int:...> (SPEC §2): DOT's <slug:pk> let "abc" reach a lookup on an integer column, a 500.
    path("applications/<int:pk>/", application.ApplicationDetail.as_view(), name="detail"),
    path("applications/<int:pk>/delete/", application.ApplicationDelete.as_view(), name="delete"),
    path("applications/<int:pk>/update/", application.ApplicationUpdate.as_view(), name="update"),
    path("applications/<int:pk>/documents/", trusted_documents.import_documents, name="trusted-documents-import"),
    path("applications/<int:pk>/documents/remove/", trusted_documents.remove, name="trusted-documents-remove"),
    path("applications/<int:pk>/documents/policy/", trusted_documents.policy, name="trusted-documents-policy"),
    path("introspect/", introspect.IntrospectTokenView.as_view(), name="introspect"),
    path("token/", token.TokenView.as_view(), name="token"),
    path("authorize/", authorization.AuthorizationView.as_view(), name="authorize"),
    path("revoke_token/", revocation.RevokeTokenView.as_view(), name="revoke-token"),
    # The device flow (SPEC §2.7): ours, not DOT's (users/views/device.py says why).
    path("device-authorization/", device.DeviceAuthorizationView.as_view(), name="device-authorization"),
    path("device/", device.verify, name="device"),
    path("authorized_tokens/", authorized_apps.AuthorizedTokensList.as_view(), name="authorized-token-list"),
    path(
        "authorized_tokens/remembered/<int:pk>/forget/",
        authorized_apps.forget_remembered_consent,
        name="remembered-consent-forget",
    ),
    path(
        "authorized_tokens/<int:pk>/delete/",
        dot_views.AuthorizedTokenDeleteView.as_view(),
        name="authorized-token-delete",
    ),
    # OpenID Connect (SPEC §2.5): DOT's discovery path serves the one issuer's document (DOT's own names
    # origin + "/o" as the issuer); RP-initiated logout is off and unmounted.
    path(".well-known/openid-configuration", metadata.discovery, name="oidc-connect-discovery-info"),
    path(".well-known/jwks.json", dot_views.JwksInfoView.as_view(), name="jwks-info"),
    path("userinfo/", userinfo.UserInfoView.as_view(), name="user-info"),
]

urlpatterns = [
    # The API first: Django tries the patterns in order on every request, and almost every request is this one.
    path("graphql", GraphQLView.as_view(), name="graphql"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Sign-in limits (SPEC §2.4): the admin's login page is wrapped too, ahead of admin.site.urls.
    path("admin/login/", accounts.admin_login),
    path("admin/", admin.site.urls),
    # Only sign-in and sign-out: django.contrib.auth.urls would mount password reset by e-mail, a way to
    # take over an account for anyone who can change its address (issue 7, item 3).
    path("accounts/login/", accounts.login, name="login"),
    path("accounts/logout/", accounts.logout, name="logout"),
    path("o/", include((oauth2_patterns, "oauth2_provider"))),
    # At the origin's root, each at one exact path (SPEC §2.5): DOT's metadata routes also answered any
    # suffix (/.well-known/oauth-authorization-server/evil-tenant named the issuer .../evil-tenant) and
    # its RFC 9728 route described the origin instead of /graphql.
    path(".well-known/oauth-authorization-server", metadata.discovery, name="oauth-server-metadata"),
    path(".well-known/openid-configuration", metadata.discovery, name="openid-configuration"),
    path(PROTECTED_RESOURCE_METADATA_PATH[1:], metadata.protected_resource, name="oauth-resource-metadata"),
    path("graphql/callback", graphiql.graphiql_callback, name="graphiql-callback"),
    path("favicon.ico", home.favicon),
    path("", home.home, name="home"),
]
