"""A client's trusted documents on its page at /o/applications/<pk>/ (SPEC §8, §7.3): staff import,
remove and choose the policy; the audit lists what the client sent that it does not trust."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from schema.trusted_documents import vet
from users.models import Application
from users.trusted_document_forms import DocumentPolicyForm, DocumentUploadForm
from users.trusted_documents import (
    FormatError,
    add_documents,
    read_documents,
    remove_documents,
    set_policy,
    sightings_of,
)


def staff_only(view):
    """Signed-out people go to the login page, signed-in non-staff get 403 (as the registry's pages)."""

    def check(request, pk):
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, pk)

    return login_required(check)


def documents_context(application: Application, upload_form=None, import_errors=()) -> dict:
    """What the client's page shows of its trusted documents."""
    return {
        "trusted_documents": application.documents.only("sha256", "operation_name", "operation_type", "created"),
        "sightings": sightings_of(application, timezone.now()),
        "upload_form": upload_form or DocumentUploadForm(),
        "policy_form": DocumentPolicyForm(initial={"trusted_documents": application.trusted_documents}),
        "import_errors": import_errors,
    }


def client_page(request, application, status: int, **context):
    context = {"application": application, **documents_context(application, **context)}
    return render(request, "oauth2_provider/application_detail.html", context, status=status)


@require_POST
@staff_only
def import_documents(request, pk):
    application = get_object_or_404(Application, pk=pk)
    form = DocumentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return client_page(request, application, 400, upload_form=form)
    try:
        candidates = read_documents([(f.name, f.read()) for f in form.cleaned_data["files"]])
    except FormatError as unreadable:
        return client_page(request, application, 400, upload_form=form, import_errors=[str(unreadable)])
    vetted, problems = vet(candidates, application.allowed_scope_set)
    if problems or not vetted:
        problems = problems or ["The files hold no documents."]
        return client_page(request, application, 400, upload_form=form, import_errors=problems)
    added = add_documents(application, vetted)
    messages.success(request, f"Imported {added} new document{'s' if added != 1 else ''} of {len(vetted)}.")
    return redirect("oauth2_provider:detail", pk=application.pk)


@require_POST
@staff_only
def remove(request, pk):
    application = get_object_or_404(Application, pk=pk)
    digests = None if request.POST.get("all") else [d.removeprefix("sha256:") for d in request.POST.getlist("document")]
    removed = remove_documents(application, digests)
    messages.success(request, f"Removed {removed} document{'s' if removed != 1 else ''}.")
    return redirect("oauth2_provider:detail", pk=application.pk)


@require_POST
@staff_only
def policy(request, pk):
    application = get_object_or_404(Application, pk=pk)
    form = DocumentPolicyForm(request.POST)
    if not form.is_valid():
        return client_page(request, application, 400)
    set_policy(application, form.cleaned_data["trusted_documents"])
    messages.success(request, f"Document policy: {application.trusted_documents}.")
    return redirect("oauth2_provider:detail", pk=application.pk)
