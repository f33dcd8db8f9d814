"""OAuth2 client management at /o/applications/: staff only, secrets generated and shown once (SPEC §2.3)."""

from django import forms
from django.contrib.auth.mixins import UserPassesTestMixin
from django.forms.models import modelform_factory
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from oauth2_provider import views as dot_views
from oauth2_provider.generators import generate_client_secret

from users.grants import registrable_grants
from users.models import Application

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
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grant = self.fields["authorization_grant_type"]
        # Only the grants the server offers (users.grants); implicit, hybrid and device code are not.
        offered = registrable_grants()
        grant.choices = [(value, label) for value, label in grant.choices if value in offered]


ApplicationFormClass = modelform_factory(Application, form=ApplicationForm, fields=EDITABLE_FIELDS)


class StaffOnlyMixin(UserPassesTestMixin):
    """Signed-out people go to the login page; signed-in non-staff get 403 (SPEC §2.3)."""

    def test_func(self) -> bool:
        return self.request.user.is_staff

    def get_queryset(self):
        return Application.objects.order_by("name")


class ApplicationList(StaffOnlyMixin, dot_views.ApplicationList):
    pass


class ApplicationDetail(StaffOnlyMixin, dot_views.ApplicationDetail):
    pass


class ApplicationDelete(StaffOnlyMixin, dot_views.ApplicationDelete):
    pass


class ApplicationUpdate(StaffOnlyMixin, dot_views.ApplicationUpdate):
    def get_form_class(self):
        return ApplicationFormClass


@method_decorator(never_cache, name="dispatch")
class ApplicationRegistration(StaffOnlyMixin, dot_views.ApplicationRegistration):
    """The server generates the secret and shows it once, on the response to the creation."""

    def get_form_class(self):
        return ApplicationFormClass

    def form_valid(self, form):
        secret = generate_client_secret()
        form.instance.user = self.request.user
        form.instance.client_secret = secret
        form.instance.hash_client_secret = True
        application = form.save()
        return render(
            self.request,
            "oauth2_provider/application_created.html",
            {"application": application, "client_secret": secret},
            status=201,
        )
