// GraphiQL with an Authorize button: every request GraphiQL sends (schema introspection included)
// carries the token of GraphiQLAuth (oauth.js) as "Authorization: DPoP" with a proof of this tab's key (dpop.js);
// the token is refreshed a minute before it expires.
"use strict";

(function () {
  const auth = window.GraphiQLAuth;
  const config = auth.config;
  // GraphiQL's dialogs inject one <style> element; its library takes the CSP nonce from this global.
  window.__webpack_nonce__ = config.styleNonce;
  const $ = (id) => document.getElementById(id);
  const scopeBoxes = () => Array.from(document.querySelectorAll('input[name="scope"]'));
  let refreshTimer = null;
  let username = null;
  let generation = 0; // remounting GraphiQL with a new key refetches the schema with the new token

  function showAlert(text, missingScopes) {
    $("auth-alert-text").textContent = text;
    $("auth-alert").hidden = false;
    const button = $("authorize-missing");
    button.hidden = !missingScopes;
    if (missingScopes) {
      button.textContent = `Authorize again with ${missingScopes.join(", ")}`;
      button.onclick = () => start([...grantedScopes(), ...missingScopes]);
    }
  }

  function clearAlert() {
    $("auth-alert").hidden = true;
  }

  function grantedScopes() {
    const token = auth.current();
    return token ? token.scopes : [];
  }

  async function start(scopes) {
    const unique = [...new Set(scopes)];
    if (!unique.length) {
      showAlert("Pick at least one scope to authorize.");
      return;
    }
    try {
      await auth.authorize(unique);
    } catch (error) {
      showAlert(error.message);
    }
  }

  function renderStatus() {
    const token = auth.current();
    $("sign-out").hidden = !token;
    if (!token) {
      $("auth-status").textContent = config.publicIntrospection
        ? "Not signed in: the schema is public, queries need a token."
        : "Not signed in: authorize to load the schema.";
      return;
    }
    for (const box of scopeBoxes()) box.checked = token.scopes.includes(box.value);
    const who = username ? `Signed in as ${username}` : "Signed in";
    const expires = new Date(token.expiresAt).toLocaleTimeString();
    $("auth-status").textContent = `${who} · scopes: ${token.scopes.join(" ")} · token expires at ${expires}`;
  }

  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    const token = auth.current();
    if (!token || !token.refreshToken) return;
    const delay = Math.max(token.expiresAt - Date.now() - 60000, 5000);
    refreshTimer = setTimeout(async () => {
      try {
        await auth.refresh(token);
      } catch (error) {
        auth.forget();
        showAlert(`The session ended (${error.message}). Authorize again.`);
        remount();
      }
      renderStatus();
      scheduleRefresh();
    }, delay);
  }

  function headersFor(extra) {
    // GraphQL over HTTP's own media type: a request error is a 400, not a 200 (SPEC §5 "Media types").
    const accept = "application/graphql-response+json, application/json;q=0.9";
    return { Accept: accept, "Content-Type": "application/json", ...extra };
  }

  // With a token: "Authorization: DPoP" and a proof signed by this tab's key (dpop.js, SPEC §7.1).
  function post(body, extra) {
    const token = auth.current();
    const init = { method: "POST", headers: headersFor(extra), body: JSON.stringify(body) };
    return token ? window.GraphiQLDPoP.fetch(config.graphqlUrl, init, token.accessToken) : fetch(config.graphqlUrl, init);
  }

  // What the server says about the token and scopes becomes a visible message with a way forward.
  function inspect(response, body, introspection) {
    const errors = (body && body.errors) || [];
    const codes = errors.map((error) => error.extensions && error.extensions.code);
    if (codes.includes("INVALID_TOKEN") && auth.current()) {
      auth.forget();
      username = null;
      renderStatus();
      showAlert("The token is no longer valid (expired or revoked). Authorize again.");
      return;
    }
    if (codes.includes("INVALID_DPOP_PROOF")) {
      showAlert(`The request's DPoP proof was refused: ${errors[0].message}`);
      return;
    }
    if (codes.includes("UNAUTHENTICATED")) {
      showAlert("This needs a token: pick scopes and press Authorize.");
      return;
    }
    const missing = new Set();
    for (const error of errors) {
      const ext = error.extensions || {};
      if (ext.code !== "INSUFFICIENT_SCOPE") continue;
      const granted = ext.grantedScopes || grantedScopes();
      for (const scope of ext.requiredScopes || []) if (!granted.includes(scope)) missing.add(scope);
    }
    if (missing.size) {
      const names = [...missing].sort();
      showAlert(`This query needs the ${names.map((s) => `'${s}'`).join(", ")} scope.`, names);
    } else if (response.ok && !introspection) {
      clearAlert(); // the developer's own query worked; a schema refetch says nothing about the last message
    }
  }

  async function fetcher(params, options) {
    const response = await post(params, options && options.headers);
    const body = await response.json().catch(() => ({ errors: [{ message: `HTTP ${response.status}` }] }));
    inspect(response, body, params.operationName === "IntrospectionQuery");
    return body;
  }

  async function loadUsername() {
    const token = auth.current();
    if (!token || !token.scopes.includes("read")) return;
    const response = await post({ query: "{ me { username } }" }, {});
    const body = await response.json().catch(() => ({}));
    username = (body.data && body.data.me && body.data.me.username) || null;
    renderStatus();
  }

  function remount() {
    generation += 1;
    root.render(
      React.createElement(GraphiQL, {
        key: generation,
        fetcher,
        defaultQuery: "# Authorize above, then run this with ▶ (Ctrl-Enter).\n{\n  me {\n    username\n  }\n}\n",
        shouldPersistHeaders: false,
      }),
    );
  }

  async function signOut() {
    const token = auth.current();
    clearTimeout(refreshTimer);
    username = null;
    if (token) await auth.revoke(token);
    renderStatus();
    try {
      await auth.endSession();
      showAlert("Signed out: the token was revoked and your session on this server ended.");
    } catch (error) {
      showAlert(`The token was revoked, but the session on this server did not end (${error.message}).`);
    }
    remount();
  }

  $("authorize").addEventListener("click", () => start(scopeBoxes().filter((b) => b.checked).map((b) => b.value)));
  $("sign-out").addEventListener("click", signOut);
  const root = ReactDOM.createRoot($("graphiql"));
  renderStatus();
  const notice = auth.takeNotice(); // left by the callback page (a cancelled authorization)
  if (notice) showAlert(notice);
  scheduleRefresh();
  remount();
  loadUsername();
})();
