import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
application = get_wsgi_application()
# Everything loaded so far (Django, the schema, its compiled types) lives as long as the process: out of
# the collector's reach, so that a full collection during a request walks only what requests made
# (CPython's gc.freeze; each gunicorn worker imports this module after it forks).
import schema.schema  # noqa: E402,F401  the schema is built at import: load it before freezing

gc.freeze()
