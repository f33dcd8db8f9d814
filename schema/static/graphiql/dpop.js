// DPoP (RFC 9449) for GraphiQL: every token request and every /graphql request is signed with a P-256 key made
// by WebCrypto with extractable: false, so a token copied out of this page is useless without it (SPEC §2.6,
// §7.1). The key is kept for the tab: IndexedDB (the one store that holds a CryptoKey, still unexportable) under
// an id in this tab's sessionStorage; signing out forgets it.
"use strict";

window.GraphiQLDPoP = (function () {
  const ID_KEY = "graphiql.dpop-key";
  const encoder = new TextEncoder();
  let loading = null; // one key per tab, however many requests ask at once
  let nonce = null; // the server's latest DPoP-Nonce (RFC 9449 §8), when it asks for one

  function base64url(bytes) {
    let text = "";
    for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  const encodeJSON = (value) => base64url(encoder.encode(JSON.stringify(value)));
  const randomId = () => base64url(crypto.getRandomValues(new Uint8Array(16)));

  function store(mode, operation) {
    return new Promise((resolve, reject) => {
      const opening = indexedDB.open("graphiql-dpop", 1);
      opening.onupgradeneeded = () => opening.result.createObjectStore("keys");
      opening.onerror = () => reject(opening.error);
      opening.onsuccess = () => {
        const transaction = opening.result.transaction("keys", mode);
        const request = operation(transaction.objectStore("keys"));
        transaction.oncomplete = () => {
          opening.result.close();
          resolve(request.result);
        };
        transaction.onerror = () => reject(transaction.error);
      };
    });
  }

  async function load() {
    const id = sessionStorage.getItem(ID_KEY);
    const kept = id && (await store("readonly", (keys) => keys.get(id)));
    if (kept) return kept;
    const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
    const newId = randomId();
    await store("readwrite", (keys) => keys.put(pair, newId));
    sessionStorage.setItem(ID_KEY, newId);
    return pair;
  }

  function keyPair() {
    loading = loading || load();
    return loading;
  }

  // RFC 9449 §4.2: typ, alg and the public jwk in the header; jti, htm, htu (no query or fragment), iat, and
  // ath (the token's SHA-256) at a resource, nonce when the server asked for one.
  async function proof(method, url, accessToken) {
    const { privateKey, publicKey } = await keyPair();
    const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", publicKey);
    const target = new URL(url, window.location.href);
    target.search = "";
    target.hash = "";
    const claims = { jti: randomId(), htm: method, htu: target.href, iat: Math.floor(Date.now() / 1000) };
    if (accessToken) claims.ath = base64url(await crypto.subtle.digest("SHA-256", encoder.encode(accessToken)));
    if (nonce) claims.nonce = nonce;
    const input = `${encodeJSON({ typ: "dpop+jwt", alg: "ES256", jwk: { kty, crv, x, y } })}.${encodeJSON(claims)}`;
    const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, encoder.encode(input));
    return `${input}.${base64url(signature)}`; // WebCrypto's ECDSA signature is r || s, as JWS wants (RFC 7518 §3.4)
  }

  // fetch() with a fresh proof (and the token as "Authorization: DPoP"), retried once when the server answers
  // with a new nonce (use_dpop_nonce, RFC 9449 §8-9).
  async function signedFetch(url, init, accessToken) {
    for (let attempt = 0; ; attempt += 1) {
      const used = nonce;
      const headers = new Headers(init.headers || {});
      headers.set("DPoP", await proof(init.method || "GET", url, accessToken));
      if (accessToken) headers.set("Authorization", `DPoP ${accessToken}`);
      const response = await fetch(url, { ...init, headers });
      nonce = response.headers.get("DPoP-Nonce") || nonce;
      if (attempt > 0 || nonce === used || (response.status !== 400 && response.status !== 401)) return response;
    }
  }

  async function forget() {
    const id = sessionStorage.getItem(ID_KEY);
    sessionStorage.removeItem(ID_KEY);
    loading = null;
    if (id) await store("readwrite", (keys) => keys.delete(id));
  }

  return { fetch: signedFetch, proof, keyPair, forget };
})();
