"""The built-in GraphiQL client requires DPoP (SPEC §2.6, §7.1): its page signs every request with a key it
cannot export (schema/static/graphiql/dpop.js)."""

from django.db import migrations


def require(apps, schema_editor):
    apps.get_model("users", "Application").objects.filter(client_id="graphiql").update(require_dpop=True)


def release(apps, schema_editor):
    apps.get_model("users", "Application").objects.filter(client_id="graphiql").update(require_dpop=False)


class Migration(migrations.Migration):
    dependencies = [("users", "0008_dpop")]
    operations = [migrations.RunPython(require, release)]
