// panva's oauth4webapi with its DPoP handle (RFC 9449) against a live server: a code exchanged with a proof
// (a DPoP-bound token), /graphql and userinfo with proofs, a refresh with the same key, and the bound token
// sent as a bearer token. A use_dpop_nonce answer is retried once with the server's nonce, as the library
// documents. Prints one JSON line per step.
//   node oauth4webapi_dpop.mjs <issuer> <client_id> <sub> <code> <code_verifier> <redirect_uri>
import * as oauth from "oauth4webapi";

const [issuer, clientId, sub, code, verifier, redirectUri] = process.argv.slice(2);
const insecure = { [oauth.allowInsecureRequests]: true }; // the test server is http on loopback, nothing else
const client = { client_id: clientId, token_endpoint_auth_method: "none" };
const report = (step, detail) => console.log(JSON.stringify({ step, ...detail }));

const as = await oauth.processDiscoveryResponse(
  new URL(issuer),
  await oauth.discoveryRequest(new URL(issuer), { ...insecure, algorithm: "oauth2" }),
);
report("discovery", { dpop_signing_alg_values_supported: as.dpop_signing_alg_values_supported });

const keyPair = await oauth.generateKeyPair("ES256");
const DPoP = oauth.DPoP(client, keyPair);

async function withNonceRetry(request) {
  try {
    return await request();
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error;
    report("nonce asked", {});
    return await request(); // the handle kept the DPoP-Nonce the server sent
  }
}

const callback = new URL(`${redirectUri}?code=${encodeURIComponent(code)}&state=xyz&iss=${encodeURIComponent(issuer)}`);
const params = oauth.validateAuthResponse(as, client, callback, "xyz");
const tokens = await withNonceRetry(async () =>
  oauth.processAuthorizationCodeResponse(
    as,
    client,
    await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri, verifier, {
      ...insecure,
      DPoP,
    }),
  ),
);
report("token", { token_type: tokens.token_type, scope: tokens.scope, has_refresh_token: !!tokens.refresh_token });

async function graphql(accessToken) {
  const response = await oauth.protectedResourceRequest(
    accessToken,
    "POST",
    new URL(`${issuer}/graphql`),
    new Headers({ "content-type": "application/json", accept: "application/graphql-response+json" }),
    JSON.stringify({ query: "{ me { username } }" }),
    { ...insecure, DPoP },
  );
  return { status: response.status, data: (await response.json()).data };
}
report("graphql", await withNonceRetry(() => graphql(tokens.access_token)));

const claims = await withNonceRetry(async () =>
  oauth.processUserInfoResponse(
    as,
    client,
    sub,
    await oauth.userInfoRequest(as, client, tokens.access_token, { ...insecure, DPoP }),
  ),
);
report("userinfo", { preferred_username: claims.preferred_username });

const refreshed = await withNonceRetry(async () =>
  oauth.processRefreshTokenResponse(
    as,
    client,
    await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token, { ...insecure, DPoP }),
  ),
);
report("refresh", { token_type: refreshed.token_type });
report("graphql after refresh", await withNonceRetry(() => graphql(refreshed.access_token)));

const stolen = await fetch(`${issuer}/graphql`, {
  method: "POST",
  headers: { authorization: `Bearer ${refreshed.access_token}`, "content-type": "application/json" },
  body: JSON.stringify({ query: "{ me { username } }" }),
});
report("as bearer", { status: stolen.status, www_authenticate: stolen.headers.get("www-authenticate") });
