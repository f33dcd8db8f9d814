"""The client form staff fill in, at /o/applications/ and in the admin alike (SPEC §2.3, §7.3)."""

from django import forms

from users.grants import registrable_grants
from users.models import Application

# What staff choose about a client; the server makes the id and the secret, and derives the algorithm.
EDITABLE_FIELDS = (
    "name",
    "client_type",
    "authorization_grant_type",
    "allowed_scopes",
    "redirect_uris",
    "post_logout_redirect_uris",
    "allowed_origins",
    "skip_authorization",
)


class ApplicationForm(forms.ModelForm):
    """Offers only the grants the server accepts (users.grants): not implicit, hybrid or device code."""

    class Meta:
        model = Application
        fields = EDITABLE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grant = self.fields["authorization_grant_type"]
        offered = registrable_grants()
        grant.choices = [(value, label) for value, label in grant.choices if value in offered]
