// panva's oauth4webapi runs the device flow (RFC 8628) against a live server: device authorization, then
// polling the token endpoint with a DPoP handle (authorization_pending, slow_down as the library reports them)
// until a person approves, then /graphql with the bound token. Prints one JSON line per step; the test reads
// the "device" line and approves the code meanwhile.
//   node oauth4webapi_device.mjs <issuer> <client_id>
import * as oauth from "oauth4webapi";

const [issuer, clientId] = process.argv.slice(2);
const insecure = { [oauth.allowInsecureRequests]: true }; // the test server is http on loopback, nothing else
const client = { client_id: clientId, token_endpoint_auth_method: "none" };
const report = (step, detail) => console.log(JSON.stringify({ step, ...detail }));

const as = await oauth.processDiscoveryResponse(
  new URL(issuer),
  await oauth.discoveryRequest(new URL(issuer), { ...insecure, algorithm: "oauth2" }),
);
const device = await oauth.processDeviceAuthorizationResponse(
  as,
  client,
  await oauth.deviceAuthorizationRequest(as, client, oauth.None(), new URLSearchParams({ scope: "read" }), insecure),
);
report("device", {
  user_code: device.user_code,
  verification_uri: device.verification_uri,
  expires_in: device.expires_in,
  interval: device.interval,
});

const DPoP = oauth.DPoP(client, await oauth.generateKeyPair("ES256"));
let interval = device.interval;
const seen = [];
let tokens;
while (!tokens) {
  await new Promise((resolve) => setTimeout(resolve, interval * 1000));
  try {
    tokens = await oauth.processDeviceCodeResponse(
      as,
      client,
      await oauth.deviceCodeGrantRequest(as, client, oauth.None(), device.device_code, { ...insecure, DPoP }),
    );
  } catch (error) {
    if (!(error instanceof oauth.ResponseBodyError)) throw error;
    seen.push(error.error);
    if (error.error === "slow_down") interval += 5;
    else if (error.error !== "authorization_pending") throw error;
  }
}
report("token", { token_type: tokens.token_type, scope: tokens.scope, has_refresh_token: !!tokens.refresh_token, seen });

const response = await oauth.protectedResourceRequest(
  tokens.access_token,
  "POST",
  new URL(`${issuer}/graphql`),
  new Headers({ "content-type": "application/json", accept: "application/graphql-response+json" }),
  JSON.stringify({ query: "{ me { username } }" }),
  { ...insecure, DPoP },
);
report("graphql", { status: response.status, data: (await response.json()).data });
