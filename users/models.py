from urllib.parse import urlsplit

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from oauth2_provider.models import AbstractApplication
from oauth2_provider.settings import oauth2_settings

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class User(AbstractUser):
    """The product's user; a custom model from the first migration so it can grow later."""


def validate_scope_string(value: str) -> None:
    unknown = sorted(set(value.split()) - set(oauth2_settings.SCOPES))
    if unknown:
        raise ValidationError(f"Unknown scopes: {', '.join(unknown)}.", code="invalid_scope")


class Application(AbstractApplication):
    """An OAuth2 client, with the scopes the admin allows it to ask for (SPEC §2.3)."""

    allowed_scopes = models.CharField(
        max_length=255,
        default="read",
        blank=True,
        validators=[validate_scope_string],
        help_text="Scopes this client may ask for, space-separated (read write groups introspection).",
    )

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"

    @property
    def allowed_scope_set(self) -> frozenset[str]:
        return frozenset(self.allowed_scopes.split())

    def clean(self) -> None:
        errors = {}
        try:
            super().clean()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        # http only for loopback hosts (SPEC §2.3, RFC 8252 §7.3); DOT allows any http host.
        for uri in self.redirect_uris.split():
            parts = urlsplit(uri)
            if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
                errors.setdefault("redirect_uris", []).append(
                    ValidationError(f"{uri}: http is allowed only for loopback hosts; use https.")
                )
        if errors:
            raise ValidationError(errors)
