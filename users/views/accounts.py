"""Sign-in at /accounts/login/ and /admin/login/, with failed sign-ins limited (SPEC §2.4).

Both pages count into the same cache counters (users/throttle.py, the token endpoint's too, Redis
in production): per (username, address) and per address, in fixed windows of
``LOGIN_FAILURE_WINDOW_SECONDS``. Each sign-in takes its place in the counts before its password is
checked, and gives it back when it succeeds; over either limit it is refused with 429 unchecked, so
the right password does not help, parallel attempts included, and the hashing costs nothing.

Hand-written rather than django-axes: axes has one failure limit for all its lockout parameter
combinations (the SPEC wants 20 per pair and 50 per address), counts through its own handlers
(database or its own cache keys) with a cool-off since the last failure instead of the token
endpoint's windows, and would not share users/counters.py's fail-open behaviour when Redis is down.
Django's ``user_login_failed`` signal is not used either: the password grant at /o/token/
authenticates through the same backend and has limits of its own.
"""

import hashlib
import unicodedata
from datetime import UTC, datetime, timedelta
from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from users import throttle


def username_key(username: str) -> str:
    """One key for every spelling the backend would take as this username.

    Django's login form strips the value and applies NFKC (``UsernameField``); the database may
    compare case-insensitively (MySQL collations, a custom backend). Case-folding on top can only
    merge names that the backend keeps apart, which counts more strictly, never less.
    """
    normalised = unicodedata.normalize("NFKC", username.strip()).casefold()
    return hashlib.sha256(normalised.encode()).hexdigest()  # bounded, and no raw input in cache keys


def _limits(request, username: str) -> throttle.Limits:
    address = throttle.client_address(request)
    return [
        (("address", address), settings.LOGIN_FAILURES_PER_ADDRESS),
        (("user", username_key(username), address), settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS),
    ]


def take_place(request) -> throttle.Place:
    """This sign-in's place in the failure counts (throttle.TooManyAttempts over the limits)."""
    limits = _limits(request, request.POST.get("username", ""))
    return throttle.take_place("login-failures", settings.LOGIN_FAILURE_WINDOW_SECONDS, limits)


def take_device_code_place(request) -> throttle.Place:
    """A code typed at /o/device/ (SPEC §2.7): a wrong one is a failed sign-in of the signed-in person,
    in the same counters as a wrong password."""
    limits = _limits(request, request.user.get_username())
    return throttle.take_place("login-failures", settings.LOGIN_FAILURE_WINDOW_SECONDS, limits)


def too_many_attempts(request, wait: int):
    retry_at = datetime.now(UTC) + timedelta(seconds=wait)
    response = render(request, "429.html", {"retry_after": wait, "retry_at": retry_at}, status=429)
    response["Retry-After"] = str(wait)
    return response


def limit_failed_logins(view):
    """Wrap a Django login view: refuse over the limits, count the sign-ins it turns down."""

    @wraps(view)
    def limited(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        try:
            place = take_place(request)
        except throttle.TooManyAttempts as refused:
            return too_many_attempts(request, refused.retry_after)
        response = view(request, *args, **kwargs)
        # LoginView redirects on success and shows the form again (200) when authentication fails;
        # a refused CSRF token (403) checked no password: neither counts.
        if response.status_code != 200:
            place.give_back()
        return response

    return limited


login = limit_failed_logins(auth_views.LoginView.as_view())
# AdminSite.login builds the admin's own context and template around LoginView; wrapping it keeps that.
admin_login = limit_failed_logins(admin.site.login)
# Django 5 serves LogoutView for POST only (http_method_names): a GET cannot sign anyone out.
logout = auth_views.LogoutView.as_view()
