// OAuth2 authorization code + PKCE (RFC 7636, S256) for GraphiQL's built-in public client.
// Tokens live in sessionStorage only (this tab, gone when it closes): never localStorage or cookies. Token
// requests carry a DPoP proof (dpop.js), so the tokens are bound to this tab's unexportable key.
"use strict";

window.GraphiQLAuth = (function () {
  const config = JSON.parse(document.getElementById("graphiql-config").textContent);
  const TOKEN_KEY = "graphiql.token";
  const PENDING_KEY = "graphiql.pending";
  const NOTICE_KEY = "graphiql.notice";

  function base64url(bytes) {
    let text = "";
    for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function randomString(size) {
    return base64url(crypto.getRandomValues(new Uint8Array(size)));
  }

  async function s256(verifier) {
    return base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  }

  function readJSON(key) {
    try {
      return JSON.parse(sessionStorage.getItem(key));
    } catch {
      return null;
    }
  }

  // Sends the browser to /o/authorize/; the callback page finishes the flow.
  async function authorize(scopes) {
    if (!window.crypto || !crypto.subtle) {
      // WebCrypto exists only in secure contexts: https, or http on 127.0.0.1/localhost.
      throw new Error("Signing in needs https (or http on 127.0.0.1 / localhost) for WebCrypto.");
    }
    const verifier = randomString(32); // 43 characters, the RFC 7636 minimum
    const state = randomString(16);
    sessionStorage.setItem(PENDING_KEY, JSON.stringify({ state, verifier, scopes }));
    const params = new URLSearchParams({
      response_type: "code",
      client_id: config.clientId,
      redirect_uri: config.redirectUri,
      scope: scopes.join(" "),
      state,
      code_challenge: await s256(verifier),
      code_challenge_method: "S256",
    });
    window.location.assign(`${config.authorizeUrl}?${params}`);
  }

  async function tokenRequest(fields) {
    const response = await window.GraphiQLDPoP.fetch(config.tokenUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: config.clientId, ...fields }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(`${body.error || response.status}: ${body.error_description || "token request refused"}`);
    }
    const token = {
      accessToken: body.access_token,
      refreshToken: body.refresh_token,
      scopes: (body.scope || "").split(" ").filter(Boolean),
      expiresAt: Date.now() + body.expires_in * 1000,
    };
    sessionStorage.setItem(TOKEN_KEY, JSON.stringify(token));
    return token;
  }

  // The callback's half. Nothing in the URL is trusted before its state matches the sign-in this tab started
  // (and its iss names this server, RFC 9207): a response that does not belong here leaves that sign-in pending.
  async function finish(query) {
    const pending = readJSON(PENDING_KEY);
    if (!pending || !query.get("state") || query.get("state") !== pending.state) {
      throw new Error(
        "State mismatch: this response does not belong to a sign-in started in this tab, so it was refused." +
          (pending ? " The sign-in in progress can still finish." : ""),
      );
    }
    sessionStorage.removeItem(PENDING_KEY);
    if (query.get("iss") !== config.issuer) {
      // RFC 9207 §2.4: a response naming another issuer (or none) is a mix-up attack or a wrong server.
      throw new Error(`The response names the issuer ${query.get("iss")}, not ${config.issuer}, so it was refused.`);
    }
    if (query.get("error") === "access_denied") throw new Cancelled();
    if (query.get("error")) {
      throw new Error(`${query.get("error")}: ${query.get("error_description") || "authorization refused"}`);
    }
    const previous = current();
    const token = await tokenRequest({
      grant_type: "authorization_code",
      code: query.get("code") || "",
      redirect_uri: config.redirectUri,
      code_verifier: pending.verifier,
    });
    // Authorizing again (more scopes) replaces the token: the one it replaces is revoked, not left alive.
    if (previous) await revokeValues(previous).catch(() => {});
    return token;
  }

  class Cancelled extends Error {
    constructor() {
      super("Authorization cancelled: no token was issued.");
    }
  }

  // A message for GraphiQL's page to show once, after the callback sends the browser back to it.
  function leaveNotice(text) {
    sessionStorage.setItem(NOTICE_KEY, text);
  }

  function takeNotice() {
    const text = sessionStorage.getItem(NOTICE_KEY);
    sessionStorage.removeItem(NOTICE_KEY);
    return text;
  }

  function refresh(token) {
    return tokenRequest({ grant_type: "refresh_token", refresh_token: token.refreshToken });
  }

  function current() {
    return readJSON(TOKEN_KEY);
  }

  function forget() {
    sessionStorage.removeItem(TOKEN_KEY);
  }

  // RFC 7009: the refresh token first (DOT revokes its access token with it), then the access token.
  async function revokeValues(token) {
    for (const value of [token.refreshToken, token.accessToken]) {
      if (!value) continue;
      await fetch(config.revokeUrl, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ client_id: config.clientId, token: value }),
      });
    }
  }

  async function revoke(token) {
    forget();
    await revokeValues(token);
    await window.GraphiQLDPoP.forget(); // the next sign-in gets a new key
  }

  // SPEC §7.1: signing out also ends this browser's session on the server, so the next Authorize asks for
  // the password. Django's logout view, by POST with the page's CSRF token (a GET cannot sign anyone out).
  async function endSession() {
    const response = await fetch(config.logoutUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      // The page's own policy is no-referrer, under which a POST says "Origin: null" and Django's CSRF check
      // refuses it; same-origin sends this origin to this origin only.
      referrerPolicy: "same-origin",
      headers: { "X-CSRFToken": config.csrfToken },
    });
    if (!response.ok && response.type !== "opaqueredirect") throw new Error(`sign-out answered ${response.status}`);
  }

  return { config, authorize, finish, refresh, current, forget, revoke, endSession, Cancelled, leaveNotice, takeNotice };
})();
