// A single-page app on its own origin, no build step: authorization code + PKCE (S256) against the API's
// OAuth2 server, then GraphQL with fetch; refresh and sign-out too. Tokens live in this tab's sessionStorage.
"use strict";

const $ = (id) => document.getElementById(id);
const store = {
  get: (key) => JSON.parse(sessionStorage.getItem(key) || "null"),
  set: (key, value) => sessionStorage.setItem(key, JSON.stringify(value)),
  drop: (key) => sessionStorage.removeItem(key),
};
const REDIRECT_URI = `${location.origin}/callback`;
const b64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const random = (size) => b64url(crypto.getRandomValues(new Uint8Array(size)));

function say(text, isError = false) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

async function signIn(api, clientId) {
  // The API's issuer is its origin, and its endpoints sit under /o/ (its /.well-known/ metadata says so too,
  // but answers no CORS request: a browser app on another origin cannot read it).
  const meta = { issuer: api, authorization_endpoint: `${api}/o/authorize/`, token_endpoint: `${api}/o/token/` };
  const verifier = random(32);
  const state = random(16);
  const challenge = b64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  store.set("pending", { api, clientId, verifier, state, issuer: meta.issuer, tokenUrl: meta.token_endpoint });
  location.assign(
    `${meta.authorization_endpoint}?` +
      new URLSearchParams({
        response_type: "code",
        client_id: clientId,
        redirect_uri: REDIRECT_URI,
        scope: "read",
        state,
        code_challenge: challenge,
        code_challenge_method: "S256",
      }),
  );
}

// The token endpoint's answer, or an Error with its RFC 6749 error and description.
async function tokenRequest(session, fields) {
  const response = await fetch(session.tokenUrl, {
    method: "POST",
    body: new URLSearchParams({ client_id: session.clientId, ...fields }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${body.error || response.status}: ${body.error_description || "refused"}`);
  store.set("session", { ...session, accessToken: body.access_token, refreshToken: body.refresh_token });
  return body;
}

async function finish() {
  const query = new URLSearchParams(location.search);
  const pending = store.get("pending");
  if (!pending) {
    // sessionStorage belongs to one origin: a sign-in started on localhost:5173 is not visible on 127.0.0.1:5173.
    throw new Error("No sign-in was started on this origin. Open the app at the origin its client lists.");
  }
  // Nothing in the URL is trusted before its state matches the sign-in this tab started, and its iss this API.
  if (query.get("state") !== pending.state) throw new Error("State mismatch: this answer was not for this tab.");
  store.drop("pending");
  if (query.get("iss") !== pending.issuer) throw new Error(`Unexpected issuer ${query.get("iss")}.`);
  if (query.get("error")) throw new Error(`${query.get("error")}: ${query.get("error_description") || ""}`);
  await tokenRequest(pending, {
    grant_type: "authorization_code",
    code: query.get("code"),
    redirect_uri: REDIRECT_URI,
    code_verifier: pending.verifier,
  });
}

async function runQuery() {
  const session = store.get("session");
  const response = await fetch(`${session.api}/graphql`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${session.accessToken}`,
      "Content-Type": "application/json",
      Accept: "application/graphql-response+json, application/json;q=0.9", // GraphQL over HTTP
    },
    body: JSON.stringify({ query: "{ me { username } }" }),
  });
  const body = await response.json();
  $("result").textContent = JSON.stringify(body, null, 2);
  if (body.errors) throw new Error(body.errors[0].message);
  say(`Signed in as ${body.data.me.username} (scopes: ${response.headers.get("X-OAuth-Scopes")})`);
}

async function refresh() {
  const session = store.get("session");
  await tokenRequest(session, { grant_type: "refresh_token", refresh_token: session.refreshToken });
  say("The token was refreshed (the old pair no longer works).");
}

// RFC 7009: the refresh token (which takes its access token with it), then the access token.
async function signOut() {
  const session = store.get("session");
  store.drop("session");
  for (const token of [session.refreshToken, session.accessToken]) {
    await fetch(`${session.api}/o/revoke_token/`, {
      method: "POST",
      body: new URLSearchParams({ client_id: session.clientId, token }),
    });
  }
  show();
  say("Signed out: the tokens were revoked.");
}

function show() {
  const signedIn = Boolean(store.get("session"));
  if ($("signed-in")) $("signed-in").hidden = !signedIn;
  if ($("settings")) $("settings").hidden = signedIn;
}

const failed = (error) => say(`Failed: ${error.message}`, true);

if (location.pathname === "/callback" || location.pathname === "/callback.html") {
  finish()
    .then(() => location.replace("/"))
    .catch(failed);
} else {
  if (location.hostname !== "127.0.0.1") {
    $("origin-warning").hidden = false;
    $("origin-warning").textContent =
      `This page is on ${location.origin}; the demo client lists http://127.0.0.1:5173. Another host name is ` +
      "another origin: the API refuses its calls (CORS) and its sessionStorage is not the one the sign-in used.";
  }
  $("settings").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    signIn(form.get("api").replace(/\/$/, ""), form.get("client_id").trim()).catch(failed);
  });
  $("query").addEventListener("click", () => runQuery().catch(failed));
  $("refresh").addEventListener("click", () => refresh().catch(failed));
  $("sign-out").addEventListener("click", () => signOut().catch(failed));
  show();
  if (store.get("session")) runQuery().catch(failed);
}
