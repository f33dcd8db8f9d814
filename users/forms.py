"""The client form staff fill in, at /o/applications/ and in the admin alike (SPEC §2.3, §7.3).

Every option says what it does, in the words of the pages (no field names): the same label on the form, the
detail page and the admin. RP-initiated logout is off (project/urls.py), so its redirect URIs are not offered.
"""

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
    "allowed_origins",
    "skip_authorization",
    "require_dpop",
)

LABELS = {
    "name": "Name",
    "client_type": "Client type",
    "authorization_grant_type": "Authorization grant type",
    "allowed_scopes": "Allowed scopes",
    "redirect_uris": "Redirect URIs",
    "allowed_origins": "Allowed origins",
    "skip_authorization": "Skip the consent page",
    "require_dpop": "Require DPoP (tokens bound to a key)",
}

LOOPBACK_RULE = "https, or http only on 127.0.0.1, localhost or [::1]"

HELP = {
    "name": "Shown to people on the consent page and in their list of authorized apps.",
    "client_type": (
        "Confidential: a server that can keep a secret; it gets one, shown once. "
        "Public: a browser, mobile or command-line app, which cannot keep one; it signs in with PKCE alone."
    ),
    "authorization_grant_type": (
        "Authorization code: people sign in here and approve the app (web, browser and mobile apps; PKCE required). "
        "Password: a first-party app sends a person's username and password. "
        "Client credentials: the app acts as itself, with no person (server to server). "
        "Device code: a command-line tool or a device without a browser shows a code that a person types at "
        "/o/device/ to approve it (public or confidential; no redirect URI)."
    ),
    "allowed_scopes": (
        "What this client may ask for, separated by spaces: read (user details), write (changes), groups "
        "(groups and memberships), introspection (check other tokens), openid, profile, email (sign people in)."
    ),
    "redirect_uris": (
        "Where people are sent back after approving, exactly as the app sends it, port included; several "
        f"separated by spaces; {LOOPBACK_RULE}. Needed for the authorization code grant."
    ),
    "allowed_origins": (
        "Origins of the web pages that may call the token endpoint and /graphql from a browser, like "
        f"https://app.example.com (scheme, host and port; no path); several separated by spaces; {LOOPBACK_RULE}."
    ),
    "skip_authorization": (
        "People who sign in are not asked to approve the scopes: only for your organisation's own apps."
    ),
    "require_dpop": (
        "The app must sign each token request with a key it holds (DPoP, RFC 9449); its tokens then work only "
        "with requests signed by that key, so a token copied out of the app (a log, a browser extension) is useless. "
        "Turn on for apps whose OAuth library supports DPoP; any client may use DPoP without it."
    ),
}


class ApplicationForm(forms.ModelForm):
    """Offers only the grants the server accepts (users.grants): not implicit or hybrid."""

    class Meta:
        model = Application
        fields = EDITABLE_FIELDS
        labels = LABELS
        help_texts = HELP
        # One-line values (space-separated lists), not three tall textareas.
        widgets = {
            "redirect_uris": forms.TextInput(attrs={"placeholder": "https://app.example.com/callback"}),
            "allowed_origins": forms.TextInput(attrs={"placeholder": "https://app.example.com"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grant = self.fields["authorization_grant_type"]
        offered = registrable_grants()
        grant.choices = [(value, label) for value, label in grant.choices if value in offered]
