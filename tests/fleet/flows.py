"""Every OAuth2 flow of SPEC §2 as a client runs it over real HTTP, recording each secret it used or got."""

import base64
from html.parser import HTMLParser
from urllib.parse import quote, urlencode

import requests

from tests.conftest import RECOMMENDED_ACCEPT
from tests.users.client_side import pkce_pair, query_of

REDIRECT_URI = "https://app.example.com/callback"
ME = "{ me { username } }"


class FormFields(HTMLParser):
    """The fields a browser would submit from the page's forms (hidden, text, checked boxes)."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag != "input" or not attrs.get("name"):
            return
        kind = (attrs.get("type") or "text").lower()
        if kind in {"submit", "button"} or (kind in {"checkbox", "radio"} and "checked" not in attrs):
            return
        self.fields.append((attrs["name"], attrs.get("value") or ""))


def form_fields(html: str) -> list[tuple[str, str]]:
    parser = FormFields()
    parser.feed(html)
    return parser.fields


def basic_forms(client_id: str, secret: str) -> list[str]:
    """HTTP Basic as requests spells it and as RFC 6749 §2.3.1 does (form-encoded first)."""
    plain = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    encoded = base64.b64encode(f"{quote(client_id, safe='')}:{quote(secret, safe='')}".encode()).decode()
    return [plain, encoded]


class Flows:
    def __init__(self, base_url: str, seeded: dict):
        self.url, self.seeded = base_url, seeded
        self.secrets: set[str] = {seeded["user_password"]}
        for grant in ("password", "client-credentials", "authorization-code"):
            client = seeded[grant]
            self.secrets.add(client["client_secret"])
            self.secrets.update(basic_forms(client["client_id"], client["client_secret"]))

    def auth(self, grant: str) -> tuple[str, str]:
        return self.seeded[grant]["client_id"], self.seeded[grant]["client_secret"]

    def token(self, grant: str, data: dict, expect: int = 200) -> dict:
        response = requests.post(f"{self.url}/o/token/", data=data, auth=self.auth(grant), timeout=30)
        assert response.status_code == expect, response.text
        body = response.json()
        self.secrets.update(body[name] for name in ("access_token", "refresh_token", "id_token") if name in body)
        return body

    def password(self, username: str = "alice", scope: str = "read write groups") -> dict:
        data = {
            "grant_type": "password",
            "username": username,
            "password": self.seeded["user_password"],
            "scope": scope,
        }
        return self.token("password", data)

    def client_credentials(self) -> dict:
        return self.token("client-credentials", {"grant_type": "client_credentials", "scope": "read"})

    def refresh(self, grant: str, refresh_token: str, expect: int = 200) -> dict:
        return self.token(grant, {"grant_type": "refresh_token", "refresh_token": refresh_token}, expect)

    def authorization_code(self, username: str = "alice") -> dict:
        """Sign in, consent, exchange the code with its PKCE verifier (RFC 7636)."""
        session = requests.Session()
        login = session.get(f"{self.url}/accounts/login/", timeout=30)
        fields = dict(form_fields(login.text))
        fields.update(username=username, password=self.seeded["user_password"])
        signed_in = session.post(f"{self.url}/accounts/login/", data=fields, timeout=30, allow_redirects=False)
        assert signed_in.status_code == 302, signed_in.text[:500]
        verifier, challenge = pkce_pair()
        self.secrets.add(verifier)
        client_id = self.seeded["authorization-code"]["client_id"]
        query = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": "read",
            "state": "fleet-state",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        page = session.get(f"{self.url}/o/authorize/?{urlencode(query)}", timeout=30)
        assert page.status_code == 200, page.text[:500]
        consent = [*form_fields(page.text), ("allow", "Authorize")]
        answered = session.post(f"{self.url}/o/authorize/?{urlencode(query)}", data=consent, allow_redirects=False)
        assert answered.status_code == 302, answered.text[:500]
        code = query_of(answered.headers["Location"])["code"]
        self.secrets.add(code)
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
        return self.token("authorization-code", {**data, "code_verifier": verifier})

    def revoke(self, grant: str, token: str) -> None:
        response = requests.post(f"{self.url}/o/revoke_token/", data={"token": token}, auth=self.auth(grant))
        assert response.status_code == 200, response.text

    def introspect(self, token: str) -> dict:
        # The client-credentials client may introspect (allowed_scopes holds "introspection").
        response = requests.post(
            f"{self.url}/o/introspect/", data={"token": token}, auth=self.auth("client-credentials")
        )
        assert response.status_code == 200, response.text
        return response.json()

    def graphql(self, token: str, query: str = ME, variables: dict | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}", "Accept": RECOMMENDED_ACCEPT}  # SPEC §5's status codes
        return requests.post(f"{self.url}/graphql", json={"query": query, "variables": variables}, headers=headers)
