"""SPEC §8: importing a client's trusted documents (three formats, all or nothing, each refusal named),
exporting them as an Apollo manifest, removing them, and the policy, with `manage.py trusted_documents`."""

import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command

from users.models import TrustedDocument

ME = "query Me { me { username } }"
GROUPS = "query Groups { groups(first: 5) { edges { node { name } } } }"
USERS_IN_GROUP = 'query InGroup { users(group: "editors", first: 5) { edges { node { username } } } }'
RENAME = 'mutation Rename { updateMe(input: {firstName: "Al"}) { user { firstName } } }'


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apollo(*texts: str, ids=None) -> str:
    operations = [
        {"id": (ids or {}).get(t, digest(t)), "name": t.split()[1], "type": t.split()[0], "body": t} for t in texts
    ]
    return json.dumps({"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations})


def codegen(*texts: str) -> str:
    return json.dumps({digest(t): t for t in texts})


@pytest.fixture
def client_app(make_application):
    return make_application(name="mobile", allowed_scopes="read write")


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("trusted_documents", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def import_files(app, tmp_path, **files: str) -> tuple[str, str]:
    paths = []
    for name, content in files.items():
        path = tmp_path / name.replace("__", ".")
        path.write_text(content)
        paths.append(str(path))
    return run("import", app.client_id, *paths)


def stored(app) -> set[str]:
    return set(TrustedDocument.objects.filter(application=app).values_list("sha256", flat=True))


def test_import_an_apollo_persisted_query_manifest(client_app, tmp_path):
    out, _ = import_files(client_app, tmp_path, manifest__json=apollo(ME, RENAME))
    assert stored(client_app) == {digest(ME), digest(RENAME)}
    assert "Imported 2 new documents" in out
    rename = TrustedDocument.objects.get(sha256=digest(RENAME))
    assert (rename.operation_name, rename.operation_type, rename.text) == ("Rename", "mutation", RENAME)


def test_import_a_codegen_persisted_documents_json(client_app, tmp_path):
    import_files(client_app, tmp_path, **{"persisted-documents__json": codegen(ME, RENAME)})
    assert stored(client_app) == {digest(ME), digest(RENAME)}


def test_import_graphql_files_whose_exact_bytes_are_the_document(client_app, tmp_path):
    text = "# the profile screen\nquery Me {\n  me { username }\n}\n"
    import_files(client_app, tmp_path, me__graphql=text, rename__graphql=RENAME)
    assert stored(client_app) == {digest(text), digest(RENAME)}


def test_import_bumps_the_documents_version_and_is_idempotent(client_app, tmp_path):
    import_files(client_app, tmp_path, manifest__json=apollo(ME))
    client_app.refresh_from_db()
    version = client_app.documents_version
    assert version != 0
    out, _ = import_files(client_app, tmp_path, manifest__json=apollo(ME))
    client_app.refresh_from_db()
    assert "Imported 0 new documents of 1" in out
    assert client_app.documents_version == version


ALIASES = "query Many { " + " ".join(f"a{i}: me {{ id }}" for i in range(16)) + " }"
COSTLY = (
    "query Costly { users(first: 100) { edges { node { groups(first: 100) { edges { node {"
    " members(first: 100) { edges { node { username } } } } } } } } } }"
)


def refusals(app, tmp_path, **files) -> str:
    err = io.StringIO()
    paths = []
    for name, content in files.items():
        path = tmp_path / name.replace("__", ".")
        path.write_text(content)
        paths.append(str(path))
    with pytest.raises(CommandError) as refused:
        call_command("trusted_documents", "import", app.client_id, *paths, stdout=io.StringIO(), stderr=err)
    return err.getvalue() + str(refused.value)


@pytest.mark.parametrize(
    ("label", "text", "scopes", "reason"),
    [
        ("does not parse", "query Broken {", "read", "Broken (sha256:"),
        ("does not validate", "query Nope { nope }", "read", "does not validate against the schema: Cannot query"),
        ("too many aliases", ALIASES, "read", "exceeds a limit: "),
        ("static cost", COSTLY, "read groups", "could return 1010100 nodes; the limit is 10000"),
        ("field scope", GROUPS, "read write", "needs the 'groups' scope, which this client may not have (allowed:"),
        ("argument scope", USERS_IN_GROUP, "read", "needs the 'groups' scope"),
        ("mutation scope", RENAME, "read", "needs the 'write' scope"),
        ("two operations", "query A { me { id } } query B { me { id } }", "read", "holds 2 operations"),
    ],
)
def test_refusal_messages_name_the_document_and_the_reason(make_application, tmp_path, label, text, scopes, reason):
    app = make_application(name="mobile", allowed_scopes=scopes)
    message = refusals(app, tmp_path, manifest__json=apollo(text))
    assert reason in message
    assert f"sha256:{digest(text)[:12]}" in message
    assert "Nothing imported: 1 of 1 documents refused" in message
    assert stored(app) == set()


def test_import_refuses_a_document_that_does_not_hash_to_its_id(client_app, tmp_path):
    wrong = digest("something else")
    message = refusals(client_app, tmp_path, manifest__json=apollo(ME, ids={ME: wrong}))
    assert f"Me (sha256:{wrong[:12]}…): does not hash to its id: its text hashes to sha256:{digest(ME)}" in message
    assert stored(client_app) == set()


def test_import_is_all_or_nothing(client_app, tmp_path):
    message = refusals(client_app, tmp_path, manifest__json=apollo(ME, GROUPS, RENAME))
    assert "Groups (sha256:" in message and "1 of 3 documents refused" in message
    assert stored(client_app) == set()


@pytest.mark.parametrize(
    ("label", "content", "reason"),
    [
        ("not json", "{nope", "not JSON in UTF-8, nor a .graphql file"),
        ("another json", '{"operations": 3}', "neither an Apollo persisted query manifest nor"),
        ("apollo without operations", '{"format": "apollo-persisted-query-manifest", "version": 1}', "version 1"),
        ("codegen with a bad key", '{"abc": "query { me { id } }"}', "is not a SHA-256 digest"),
    ],
)
def test_import_refuses_files_in_no_known_format(client_app, tmp_path, label, content, reason):
    assert reason in refusals(client_app, tmp_path, documents__json=content)


def test_export_prints_an_apollo_manifest_that_imports_back(client_app, make_application, tmp_path):
    import_files(client_app, tmp_path, manifest__json=apollo(ME, RENAME))
    out, _ = run("export", client_app.client_id)
    manifest = json.loads(out)
    assert manifest["format"] == "apollo-persisted-query-manifest" and manifest["version"] == 1
    assert [(o["id"], o["name"], o["type"], o["body"]) for o in manifest["operations"]] == [
        (digest(ME), "Me", "query", ME),
        (digest(RENAME), "Rename", "mutation", RENAME),
    ]
    other = make_application(name="web", allowed_scopes="read write")
    import_files(other, tmp_path, exported__json=out)
    assert stored(other) == stored(client_app)


def test_remove_one_by_id_and_all(client_app, tmp_path):
    import_files(client_app, tmp_path, manifest__json=apollo(ME, RENAME, "query Name { me { firstName } }"))
    run("remove", client_app.client_id, f"sha256:{digest(ME)}")
    assert digest(ME) not in stored(client_app) and len(stored(client_app)) == 2
    run("remove", client_app.client_id, "--all")
    assert stored(client_app) == set()


def test_remove_needs_ids_or_all(client_app):
    with pytest.raises(CommandError, match="or --all"):
        run("remove", client_app.client_id)


def test_policy_command_sets_the_policy(client_app):
    run("policy", client_app.client_id, "only")
    client_app.refresh_from_db()
    assert client_app.trusted_documents == "only"


def test_unknown_client_is_named(db):
    with pytest.raises(CommandError, match="No client with the client id 'nope'"):
        run("export", "nope")
