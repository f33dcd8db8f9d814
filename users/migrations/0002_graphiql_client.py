"""The built-in public client GraphiQL signs in with (SPEC §7.1).

Its real redirect URI is this server's origin + /graphql/callback on any host (checked by
users.oauth2.Validator.validate_redirect_uri); the stored one is the development URI, because DOT
requires one for the authorization-code grant and it tells a reader what to expect.
"""

from django.db import migrations

GRAPHIQL = {
    "client_id": "graphiql",
    "name": "GraphiQL",
    "client_type": "public",
    "authorization_grant_type": "authorization-code",
    "allowed_scopes": "read write groups",
    "redirect_uris": "http://127.0.0.1:8000/graphql/callback",
    "skip_authorization": False,  # the developer sees and may narrow what GraphiQL gets
    "client_secret": "",
    "hash_client_secret": False,  # a public client has no secret to hash
}


def create(apps, schema_editor):
    Application = apps.get_model("users", "Application")
    Application.objects.get_or_create(client_id=GRAPHIQL["client_id"], defaults=GRAPHIQL)


def delete(apps, schema_editor):
    apps.get_model("users", "Application").objects.filter(client_id=GRAPHIQL["client_id"]).delete()


class Migration(migrations.Migration):
    dependencies = [("users", "0001_initial")]
    operations = [migrations.RunPython(create, delete)]
