"""The forms of a client's trusted documents on its page (SPEC §8, §7.3)."""

from django import forms

from users.models import DOCUMENT_POLICIES

MAX_UPLOAD_FILES = 50


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Django's documented way to take several files in one field: each is cleaned as one."""

    def clean(self, data, initial=None) -> list:
        files = [file for file in (data if isinstance(data, (list, tuple)) else [data]) if file]
        if not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_UPLOAD_FILES:
            raise forms.ValidationError(f"Upload at most {MAX_UPLOAD_FILES} files at a time.")
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


class DocumentUploadForm(forms.Form):
    files = MultipleFileField(
        label="Documents to trust",
        widget=MultipleFileInput(attrs={"accept": ".json,.graphql,.gql"}),
        help_text=(
            "An Apollo persisted query manifest, a GraphQL Code Generator persisted-documents.json, or .graphql"
            " files (one operation each). Nothing is imported unless every document can be."
        ),
    )


class DocumentPolicyForm(forms.Form):
    trusted_documents = forms.ChoiceField(
        label="Document policy",
        choices=DOCUMENT_POLICIES,
        widget=forms.RadioSelect,
        help_text="Takes effect on the client's next request, in every server process.",
    )
