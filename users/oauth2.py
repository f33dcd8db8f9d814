"""Our OAuth2 request validator: DOT's, refusing empty scope sets and narrowing refreshes to the client."""

from django.utils import timezone
from oauth2_provider.models import get_grant_model, get_refresh_token_model, refresh_token_expire_timedelta
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors

from users import client_auth
from users.builtin_clients import GRAPHIQL_CLIENT_ID, graphiql_redirect_allowed, graphiql_redirect_uri
from users.code_grant import CodeGrantRules
from users.device_flow import DeviceCodeRules
from users.issuer import issuer_url
from users.models import is_strong_client_secret
from users.scopes import allowed_scopes_of
from users.scopes import effective as effective_scopes
from users.scopes import unique as unique_scopes
from users.token_binding import TokenBindingRules

RefreshToken = get_refresh_token_model()


class Validator(TokenBindingRules, CodeGrantRules, DeviceCodeRules, OAuth2Validator):
    def client_authentication_required(self, request, *args, **kwargs):
        # SPEC §2: the password grant is the tutorial's first-party flow with HTTP Basic client
        # credentials. DOT lets a public client use it with a bare client_id.
        # And whoever sends credentials (any spelling of HTTP Basic, or a secret) is authenticated with them.
        if request.grant_type == "password" or client_auth.of_oauthlib_request(request).presented:
            return True
        return super().client_authentication_required(request, *args, **kwargs)

    # --- Client and user authentication at the token, revocation and introspection endpoints -----------

    def authenticate_client(self, request, *args, **kwargs):
        # With the credentials our endpoint read (users.client_auth), not DOT's second reading of the
        # header, so the client the failed-login limit counts is the one that tried; a failure is marked
        # for the endpoint to count (DOT's answer alone does not say whether a login failed).
        credentials = client_auth.of_oauthlib_request(request)
        authenticated = (
            credentials.client_id is not None
            and credentials.secret is not None
            and self._load_application(credentials.client_id, request) is not None
            and self._check_secret(credentials.secret, request.client.client_secret)
        )
        credentials.failed = credentials.failed or not authenticated
        return authenticated

    def validate_user(self, username, password, client, request, *args, **kwargs):
        if super().validate_user(username, password, client, request, *args, **kwargs):
            return True
        client_auth.of_oauthlib_request(request).failed = True  # a wrong password counts as a failed login
        return False

    def validate_bearer_token(self, token, scopes, request):
        # SPEC §2: a deactivated user's tokens are refused by every bearer-protected view of DOT's
        # (introspection's bearer path, userinfo); DOT checks only the token. It loaded the user already.
        if not super().validate_bearer_token(token, scopes, request):
            return False
        if request.user is not None and not request.user.is_active:
            request.oauth2_error = {"error": "invalid_token", "error_description": "The access token is invalid."}
            return False
        # SPEC §2: a token holds at most what its client is allowed now (as on /graphql). DOT checked the
        # required scopes against the token's own; each view checks these (userinfo: openid, a 403).
        request.scopes = effective_scopes(request.scopes, allowed_scopes_of(request.client))
        return True

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        # SPEC §2: a deactivated user's refresh tokens get invalid_grant (DOT checks only the token).
        # DOT has already loaded the user (request.user = rt.user): no query of our own.
        valid = super().validate_refresh_token(refresh_token, client, request, *args, **kwargs)
        return valid and (request.user is None or request.user.is_active) and not self._refresh_token_aged(request)

    @staticmethod
    def _refresh_token_aged(request) -> bool:
        # SPEC §2: a refresh token lives REFRESH_TOKEN_EXPIRE_SECONDS from its own issue. DOT counts them
        # from its access token's expiry (access lifetime + 3600 s in all, sliding with the access token).
        lifetime = refresh_token_expire_timedelta()
        return lifetime is not None and request.refresh_token_instance.created + lifetime <= timezone.now()

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        # The built-in GraphiQL client redirects to this server's own origin + /graphql/callback on any
        # host the server answers to (SPEC §2.3, §7.1); every other client: DOT's exact match.
        if client_id == GRAPHIQL_CLIENT_ID:
            return graphiql_redirect_allowed(redirect_uri, request)
        return super().validate_redirect_uri(client_id, redirect_uri, request, *args, **kwargs)

    def get_default_redirect_uri(self, client_id, request, *args, **kwargs):
        # An authorization request without redirect_uri gets the client's one registered URI; for GraphiQL
        # that is this origin's callback, not the development URI its row holds (which would fail after consent).
        if client_id == GRAPHIQL_CLIENT_ID:
            return graphiql_redirect_uri(request)
        return super().get_default_redirect_uri(client_id, request, *args, **kwargs)

    def _save_bearer_token(self, token, request, *args, **kwargs):
        # Concurrent refreshes with one refresh token (upstream issues 722, 960): all pass
        # validate_refresh_token before the first commits. DOT then hands the losers the winner's
        # stored pair, which with checksum-only storage is empty, and its view answers 500. Lock
        # the refresh token (this runs inside save_bearer_token's transaction): whoever finds it
        # already rotated lost the race and gets invalid_grant. (A request arriving after the winner
        # committed fails earlier, in validate_refresh_token, as a replay that revokes the family.)
        previous = getattr(request, "refresh_token_instance", None)
        if request.grant_type == "refresh_token" and isinstance(previous, RefreshToken):
            if not RefreshToken.objects.select_for_update().filter(pk=previous.pk, revoked__isnull=True).exists():
                raise errors.InvalidGrantError(description="The refresh token was just used.", request=request)
        # Every issued token passes here; the refresh grant's narrowing (scope=...) never reaches validate_scopes.
        if "scope" in token:
            token["scope"] = " ".join(unique_scopes(token["scope"].split()))
        return super()._save_bearer_token(token, request, *args, **kwargs)

    def _check_secret(self, provided_secret, stored_secret):
        # Refuse what the server cannot have generated before spending any hashing on it.
        if not is_strong_client_secret(provided_secret or ""):
            return False
        return super()._check_secret(provided_secret, stored_secret)

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        # RFC 6749 §3.3: a request without scope gets the defaults or fails with invalid_scope. A client
        # allowed none of the default scopes has nothing to default to; without this, the password and
        # client-credentials grants issued a token with no scope and the consent page could not be approved.
        if not scopes:
            return False
        request.scopes = scopes = unique_scopes(scopes)  # what the consent page shows and the code holds
        return super().validate_scopes(client_id, scopes, client, request, *args, **kwargs)

    def get_original_scopes(self, refresh_token, request, *args, **kwargs):
        # oauthlib's refresh grant checks scopes only against the original grant; an admin may
        # have narrowed the client since, so a refreshed token gets the intersection.
        original = super().get_original_scopes(refresh_token, request, *args, **kwargs)
        if isinstance(original, str):
            original = original.split()
        remaining = effective_scopes(original, allowed_scopes_of(request.client))
        if not remaining:  # a token with no scope can do nothing; say so rather than issue it
            raise errors.InvalidScopeError(
                description="The client may no longer have any of this grant's scopes.", request=request
            )
        return remaining

    # --- OpenID Connect claims (SPEC §2.5): the one place that says what a signed-in user discloses ---

    def get_additional_claims(self):
        # Request-agnostic (no request argument): DOT then lists these names as discovery's claims_supported.
        # DOT's oidc_claim_scope releases each only with its scope (profile, email); sub always.
        return {
            "preferred_username": lambda request: request.user.get_username(),
            "name": lambda request: request.user.get_full_name(),
            "given_name": lambda request: request.user.first_name,
            "family_name": lambda request: request.user.last_name,
            "email": lambda request: request.user.email,
            # The product sends no mail (SPEC §2.4), so it has never verified an address.
            "email_verified": lambda request: False if request.user.email else None,
        }

    def get_oidc_claims(self, token, token_handler, request):
        # OIDC Core §5.3.2: a claim without a value is omitted, not sent empty.
        claims = super().get_oidc_claims(token, token_handler, request)
        return {name: value for name, value in claims.items() if value not in ("", None)}

    def get_userinfo_claims(self, request):
        # DOT checks only the token's own scopes. As on /graphql (SPEC §2), a token holds at most what its
        # client is allowed now, and a deactivated user's tokens are refused; a token without a user
        # (client credentials) has nobody to describe (DOT would answer 500).
        user = request.user
        if user is None or not user.is_active:
            raise errors.InvalidTokenError(request=request)
        request.scopes = effective_scopes(request.scopes, allowed_scopes_of(request.client))
        if "openid" not in request.scopes:
            raise errors.InsufficientScopeError(request=request)
        return super().get_userinfo_claims(request)

    def get_oidc_issuer_endpoint(self, request):
        # The id token's iss: the one issuer, not DOT's origin + "/o".
        return issuer_url(request)

    # --- OpenID Connect authorization requests -------------------------------------------------------

    def validate_silent_login(self, request):
        # prompt=none (OIDC Core §3.1.2.1). oauthlib asks DOT, which has no answer (a 500). A signed-out
        # person never gets this far: the view sends them to sign in first.
        return True

    def validate_silent_authorization(self, request):
        # prompt=none. A person is asked every time unless they chose to remember the client (SPEC §2.4,
        # users/consents.py); oauthlib's request here carries no user to look that up, so the answer is
        # consent_required, and a remembered client is let through by a normal request instead.
        return False

    def validate_user_match(self, id_token_hint, scopes, claims, request):
        # Called for every openid authorization request, before the consent page: the place to refuse a
        # nonce the code could not store. DOT ignores id_token_hint, as do we.
        check_nonce(request)
        return super().validate_user_match(id_token_hint, scopes, claims, request)

    def get_authorization_code_scopes(self, client_id, code, redirect_uri, request):
        # oauthlib picks the handler of a code exchange by these scopes: with openid, the one that adds an
        # id token. A client no longer allowed openid has no signing algorithm, and DOT answered 500.
        # (DOT's version; the client is the code's, as client_id is absent with HTTP Basic.)
        row = get_grant_model().objects.filter(code=code).values_list("scope", "application__allowed_scopes").first()
        if row is None:
            return []
        scope, allowed = row
        return [s for s in scope.split() if s != "openid" or "openid" in allowed.split()]

    def _create_authorization_code(self, request, code, expires=None):
        # DOT stores any request's nonce, openid or not; a longer one than its column was a 500 on PostgreSQL.
        check_nonce(request)
        return super()._create_authorization_code(request, code, expires)


NONCE_MAX_LENGTH = get_grant_model()._meta.get_field("nonce").max_length


def check_nonce(request) -> None:
    nonce = request.nonce or ""
    if len(nonce) > NONCE_MAX_LENGTH:  # (a NUL never gets here: project/nul_parameters.py)
        raise errors.InvalidRequestError(
            description=f"nonce must be at most {NONCE_MAX_LENGTH} characters.", request=request
        )
