"""OAuth2 client management at /o/applications/: staff only, secrets generated and shown once (SPEC §2.3)."""

from django.contrib.auth.mixins import UserPassesTestMixin
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from oauth2_provider import views as dot_views
from oauth2_provider.generators import generate_client_secret

from users.activity import activity
from users.forms import ApplicationForm
from users.models import Application
from users.views.trusted_documents import documents_context


class StaffOnlyMixin(UserPassesTestMixin):
    """Signed-out people go to the login page; signed-in non-staff get 403 (SPEC §2.3)."""

    def test_func(self) -> bool:
        return self.request.user.is_staff

    def get_queryset(self):
        return Application.objects.order_by("name")


class ApplicationList(StaffOnlyMixin, dot_views.ApplicationList):
    pass


class ApplicationDetail(StaffOnlyMixin, dot_views.ApplicationDetail):
    def get_context_data(self, **kwargs):
        # Beside what the client may do, what it does (SPEC §7.3): tokens, last use, requests per hour,
        # and its trusted documents (SPEC §8).
        context = super().get_context_data(**kwargs)
        return {**context, "activity": activity(self.object), **documents_context(self.object)}


class ApplicationDelete(StaffOnlyMixin, dot_views.ApplicationDelete):
    pass


class ApplicationUpdate(StaffOnlyMixin, dot_views.ApplicationUpdate):
    def get_form_class(self):
        return ApplicationForm


@method_decorator(never_cache, name="dispatch")
class ApplicationRegistration(StaffOnlyMixin, dot_views.ApplicationRegistration):
    """The server generates the secret and shows it once, on the response to the creation."""

    def get_form_class(self):
        return ApplicationForm

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
