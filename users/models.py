from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from oauth2_provider.models import AbstractApplication
from oauth2_provider.settings import oauth2_settings

from users.client_uris import origin_errors, redirect_uri_errors

# DOT generates 128 characters; the demo and tests use token_urlsafe(48), 64 characters. Anything
# shorter was not made by the server, and a fast hash is safe only for high-entropy secrets.
MIN_CLIENT_SECRET_LENGTH = 40


# Grants where the client proves itself with its secret (SPEC §2: HTTP Basic client credentials).
SECRET_GRANTS = (AbstractApplication.GRANT_PASSWORD, AbstractApplication.GRANT_CLIENT_CREDENTIALS)


def is_strong_client_secret(secret: str) -> bool:
    return len(secret) >= MIN_CLIENT_SECRET_LENGTH


class User(AbstractUser):
    """The product's user; a custom model from the first migration so it can grow later."""

    class Meta(AbstractUser.Meta):
        # `users(orderBy: "dateJoined")` seeks to its cursor in this index (SPEC §5: pages stop at the page).
        indexes = [models.Index(fields=["date_joined", "id"], name="users_user_joined_idx")]


def validate_scope_string(value: str) -> None:
    unknown = sorted(set(value.split()) - set(oauth2_settings.SCOPES))
    if unknown:
        raise ValidationError(f"Unknown scopes: {', '.join(unknown)}.", code="invalid_scope")


DOCUMENT_POLICY_ANY, DOCUMENT_POLICY_AUDIT, DOCUMENT_POLICY_ONLY = "any", "audit", "only"
DOCUMENT_POLICIES = [
    (DOCUMENT_POLICY_ANY, "any: documents sent as text or by id"),
    (DOCUMENT_POLICY_AUDIT, "audit: any, and documents that are not trusted are listed here"),
    (DOCUMENT_POLICY_ONLY, "only: its trusted documents, anything else is refused"),
]


class Application(AbstractApplication):
    """An OAuth2 client, with the scopes the admin allows it to ask for (SPEC §2.3)."""

    allowed_scopes = models.CharField(
        max_length=255,
        default="read",
        blank=True,
        validators=[validate_scope_string],
        help_text=(
            "Scopes this client may ask for, space-separated (read write groups introspection openid profile email)."
        ),
    )
    # SPEC §8: which documents its tokens may run. Both columns are read by the one token lookup of
    # /graphql (schema.authentication), so a change applies on the next request in every process.
    trusted_documents = models.CharField(
        max_length=8,
        choices=DOCUMENT_POLICIES,
        default=DOCUMENT_POLICY_ANY,
        help_text="Which GraphQL documents this client's tokens may run.",
    )
    # Changed in the transaction of every change to its trusted documents: the key of each process's
    # compiled copy (schema.trusted_documents), so nothing needs invalidating in a shared cache. A new
    # random number, not a counter: a rolled-back change never leaves a number to be reused for other
    # documents. 0: never had any.
    documents_version = models.PositiveBigIntegerField(default=0, editable=False)

    require_dpop = models.BooleanField(
        "Require DPoP",
        default=False,
        help_text=(
            "Tokens are issued only to requests signed with a key the client holds (DPoP, RFC 9449) and are"
            " bound to it: a stolen token is useless without the key. Turn on for browser apps that support it."
        ),
    )

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"

    @property
    def allowed_scope_set(self) -> frozenset[str]:
        return frozenset(self.allowed_scopes.split())

    def redirect_uri_allowed(self, uri: str) -> bool:
        # SPEC §2.3: exact match, port included (RFC 9700 §2.1: simple string comparison). DOT's
        # check_redirect_to_uri_allowed lets any port through for http loopback URIs (RFC 8252 §7.3) and
        # compares parsed parts, so "HTTP://" or ":05173" matched too. DOT's check still runs for its log.
        return uri in self.redirect_uris.split() and super().redirect_uri_allowed(uri)

    def derive_algorithm(self) -> None:
        # SPEC §2.5: allowing openid is all an admin does; DOT signs id tokens with the client's
        # `algorithm`, so it follows the scopes (RS256 with the server's key, HS256 never).
        self.algorithm = self.RS256_ALGORITHM if "openid" in self.allowed_scope_set else self.NO_ALGORITHM

    def save(self, *args, **kwargs):
        self.derive_algorithm()
        if "allowed_scopes" in (kwargs.get("update_fields") or ()):
            kwargs["update_fields"] = {*kwargs["update_fields"], "algorithm"}
        return super().save(*args, **kwargs)

    def clean(self) -> None:
        self.derive_algorithm()
        errors = {}
        if "openid" in self.allowed_scope_set and self.authorization_grant_type == self.GRANT_CLIENT_CREDENTIALS:
            errors["allowed_scopes"] = [ValidationError("openid signs a person in; client credentials have none.")]
        # Redirect URIs and origins in plain words (users/client_uris.py), http only for loopback hosts
        # (SPEC §2.3, RFC 8252 §7.3); DOT's clean, which says the same in its internals, runs only when they pass.
        for field, problems in (
            ("redirect_uris", redirect_uri_errors(self.redirect_uris, self.authorization_grant_type)),
            ("allowed_origins", origin_errors(self.allowed_origins)),
        ):
            if problems:
                errors.setdefault(field, []).extend(problems)
        if not errors.keys() & {"redirect_uris", "allowed_origins"}:
            try:
                super().clean()
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if not self._client_secret_is_hashed(self.client_secret) and not is_strong_client_secret(self.client_secret):
            errors.setdefault("client_secret", []).append(
                ValidationError(
                    f"Client secrets are generated by the server; one of at least {MIN_CLIENT_SECRET_LENGTH}"
                    " random characters is required."
                )
            )
        if self.client_type == self.CLIENT_PUBLIC and self.authorization_grant_type in SECRET_GRANTS:
            errors.setdefault("client_type", []).append(
                ValidationError("The password and client-credentials grants need a confidential client.")
            )
        if errors:
            raise ValidationError(errors)


class CacheGeneration(models.Model):
    """How many times something cached has changed (users/cache_generations.py): kept in the database,
    so an invalidation cannot be lost while the cache is unreachable (SPEC §6)."""

    name = models.CharField(max_length=64, primary_key=True)
    value = models.BigIntegerField(default=0)


class RememberedConsent(models.Model):
    """A person's choice, on the consent page, not to be asked again when this client asks for these scopes
    or fewer (SPEC §2.4; users/consents.py). Forgotten from the authorized-apps page."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="remembered_consents")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="remembered_consents")
    scope = models.TextField()  # space-separated, like a token's
    created = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "application"], name="one_remembered_consent")]


class TrustedDocument(models.Model):
    """A GraphQL document registered for a client, known by the SHA-256 of its exact text (SPEC §8)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    sha256 = models.CharField(max_length=64)  # lower-case hex of the UTF-8 text
    text = models.TextField()
    operation_name = models.CharField(max_length=255, blank=True)
    operation_type = models.CharField(max_length=12)  # query or mutation
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "sha256"], name="users_trusted_document_once")]
        ordering = ["operation_name", "sha256"]

    @property
    def document_id(self) -> str:
        return f"sha256:{self.sha256}"


class DocumentSighting(models.Model):
    """A document a client in ``audit`` sent as text that is not one of its trusted documents: one row per
    client, hash and day, so the count over the last 7 days is a sum of at most 7 rows per hash."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="document_sightings")
    sha256 = models.CharField(max_length=64)
    day = models.DateField()
    operation_name = models.CharField(max_length=255, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    count = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "sha256", "day"], name="users_document_sighting_day")
        ]


class DPoPBinding(models.Model):
    """The key a token or code is bound to (SPEC §2.6, RFC 9449): its RFC 7638 thumbprint. One row per bound
    access token, public client's refresh token, or code requested with ``dpop_jkt`` (users/token_binding.py).
    DOT's token models are not ours to extend; /graphql reads the binding in its one token query."""

    jkt = models.CharField(max_length=43)  # base64url of a SHA-256
    access_token = models.OneToOneField(
        oauth2_settings.ACCESS_TOKEN_MODEL, null=True, on_delete=models.CASCADE, related_name="dpop_binding"
    )
    refresh_token = models.OneToOneField(
        oauth2_settings.REFRESH_TOKEN_MODEL, null=True, on_delete=models.CASCADE, related_name="dpop_binding"
    )
    grant = models.OneToOneField(
        oauth2_settings.GRANT_MODEL, null=True, on_delete=models.CASCADE, related_name="dpop_binding"
    )
