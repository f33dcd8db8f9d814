"""/o/authorized_tokens/: a signed-in person's grants (DOT's list) and the clients they chose to remember on
the consent page, each of which they can forget here (SPEC §2.3, §2.4; users/consents.py)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST
from oauth2_provider import views as dot_views

from users import consents


class AuthorizedTokensList(dot_views.AuthorizedTokensListView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["remembered_consents"] = consents.remembered_by(self.request.user)
        return context


@require_POST
@login_required
def forget_remembered_consent(request, pk: int):
    if not consents.forget(request.user, pk):
        raise Http404("No such remembered app.")
    return redirect("oauth2_provider:authorized-token-list")
