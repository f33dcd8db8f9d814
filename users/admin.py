"""The Django admin: users, and OAuth2 clients with server-made secrets (SPEC §2.3, §7.3).

DOT registers its own ApplicationAdmin for the swapped model. Its form takes the secret as a text
field with a "hash client secret" box, so staff could store (and read back) a plaintext secret of
their choosing, and it offers every grant type and algorithm DOT knows. This one replaces it: the
secret is generated on creation and shown once, always stored hashed, never displayed again; the
grants are the ones the server offers (users/grants.py) and the algorithm follows the scopes.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from oauth2_provider.generators import generate_client_secret

from users.forms import EDITABLE_FIELDS, ApplicationForm
from users.models import Application, User

admin.site.register(User, UserAdmin)


class ApplicationAdmin(admin.ModelAdmin):
    form = ApplicationForm
    # Neither client_secret nor hash_client_secret: nothing to type, untick or read back.
    fields = (
        *EDITABLE_FIELDS,
        "client_id",
        "user",
        "algorithm",
        "registration_source",
        "created",
        "updated",
    )
    # The server makes the client id too; algorithm follows the openid scope (Application.derive_algorithm);
    # registration_source is DOT's security boundary for its DCR and CIMD paths, read-only as in DOT's admin.
    readonly_fields = ("client_id", "algorithm", "registration_source", "created", "updated")
    list_display = ("pk", "name", "client_id", "user", "client_type", "authorization_grant_type", "allowed_scopes")
    list_filter = ("client_type", "authorization_grant_type", "skip_authorization")
    radio_fields = {"client_type": admin.HORIZONTAL, "authorization_grant_type": admin.VERTICAL}
    search_fields = ("name", "client_id")
    raw_id_fields = ("user",)

    def save_model(self, request, obj, form, change):
        if not change:
            request.new_client_secret = obj.client_secret = generate_client_secret()
        obj.hash_client_secret = True  # also heals a legacy row stored unhashed, on its next save
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        # Shown on this one response and nowhere else: not in a message (the cookie storage would
        # carry it back to the browser, signed but readable) and not on the change page.
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{obj} is registered",
            "application": obj,
            "client_secret": request.new_client_secret if obj.client_type == obj.CLIENT_CONFIDENTIAL else None,
        }
        return TemplateResponse(request, "admin/users/application/created.html", context, status=201)


if admin.site.is_registered(Application):  # DOT's admin, imported first (INSTALLED_APPS order)
    admin.site.unregister(Application)
admin.site.register(Application, ApplicationAdmin)
