// A single-page app on its own origin: authorization code + PKCE with fetch, then a GraphQL query.
// The browser tests' minimal cross-origin app (tests/browser/test_cors.py); the README's runnable example is examples/spa/
const params = new URLSearchParams(location.search);
const API = params.get("api") || sessionStorage.getItem("api");
const CLIENT_ID = params.get("client_id") || sessionStorage.getItem("client_id");
const REDIRECT_URI = location.origin + location.pathname;
const show = (text) => (document.getElementById("result").textContent = text);
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
  .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

async function signIn() {
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = b64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = b64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  sessionStorage.setItem("pkce", JSON.stringify({ verifier, state }));
  sessionStorage.setItem("api", API);
  sessionStorage.setItem("client_id", CLIENT_ID);
  location.assign(`${API}/o/authorize/?` + new URLSearchParams({
    response_type: "code", client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, scope: "read",
    state, code_challenge: challenge, code_challenge_method: "S256",
  }));
}

async function finish() {
  const { verifier, state } = JSON.parse(sessionStorage.getItem("pkce"));
  if (params.get("state") !== state) throw new Error("state mismatch");
  // Cross-origin POST: allowed because this origin is in the client's allowed_origins.
  const token = await (await fetch(`${API}/o/token/`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "authorization_code", code: params.get("code"), redirect_uri: REDIRECT_URI,
      client_id: CLIENT_ID, code_verifier: verifier,
    }),
  })).json();
  const response = await fetch(`${API}/graphql`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${token.access_token}`, "Content-Type": "application/json",
      Accept: "application/graphql-response+json, application/json;q=0.9",
    },
    body: JSON.stringify({ query: "{ me { username } }" }),
  });
  const body = await response.json();
  show(`${body.data.me.username} (scopes: ${response.headers.get("X-OAuth-Scopes")})`);
}

document.getElementById("sign-in").addEventListener("click", () => signIn().catch((e) => show(`failed: ${e}`)));
if (params.get("code")) finish().catch((e) => show(`failed: ${e}`));
