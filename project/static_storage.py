"""Production's static files storage (SPEC §6): WhiteNoise's compressed, content-hashed manifest storage."""

from django.contrib.staticfiles.storage import HashedFilesMixin
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Django's manifest storage rewrites url() in CSS and sourceMappingURL in JS to the hashed names.

    Only the CSS half is kept: the vendored GraphiQL bundle (kept untouched, schema/static/graphiql/vendor/)
    names a source map that is not shipped, and a reference to a missing file fails collectstatic.
    """

    patterns = tuple((glob, rules) for glob, rules in HashedFilesMixin.patterns if glob == "*.css")
