"""Consent (SPEC §2.4): a person is asked every time a client asks for access, unless they chose, on the
consent page, to remember that client; then a request for the scopes they allowed it, or fewer, gets its
code without the page, until they forget the client on the authorized-apps page.

DOT's own shortcut, ``approval_prompt=auto`` (approve silently whenever a live token covers the scopes),
is not offered: holding a token is not a choice to be asked no more (users/views/authorization.py).
"""

from collections.abc import Iterable

from users.models import Application, RememberedConsent, User


def remember(user: User, application: Application, scopes: Iterable[str]) -> None:
    RememberedConsent.objects.update_or_create(
        user=user, application=application, defaults={"scope": " ".join(sorted(set(scopes)))}
    )


def remembered_covers(user: User, application: Application, scopes: Iterable[str]) -> bool:
    """Whether ``user`` chose not to be asked again when ``application`` asks for these ``scopes``."""
    if not user.is_authenticated:
        return False
    remembered = RememberedConsent.objects.filter(user=user, application=application).values_list("scope", flat=True)
    return any(set(scopes) <= set(scope.split()) for scope in remembered)


def remembered_by(user: User):
    return RememberedConsent.objects.filter(user=user).select_related("application").order_by("application__name")


def forget(user: User, pk: int) -> bool:
    """Forget one of ``user``'s own remembered clients; False if there was none by that id."""
    deleted, _ = RememberedConsent.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)
