// panva's oauth4webapi (a certified, strict OAuth 2.0 / OpenID Connect client) against a live server:
// discovery, then userinfo with a token holding `openid`, then with a live token without it (RFC 6750
// §3.1: 403 insufficient_scope and its challenge). Prints one JSON line per step.
//   node oauth4webapi_userinfo.mjs <issuer> <client_id> <sub> <token with openid> <token without openid>
import * as oauth from "oauth4webapi";

const [issuer, clientId, sub, withOpenid, withoutOpenid] = process.argv.slice(2);
const insecure = { [oauth.allowInsecureRequests]: true }; // the test server is http on loopback, nothing else
const client = { client_id: clientId };
const report = (step, detail) => console.log(JSON.stringify({ step, ...detail }));

const as = await oauth.processDiscoveryResponse(
  new URL(issuer),
  await oauth.discoveryRequest(new URL(issuer), { ...insecure, algorithm: "oidc" }),
);
report("discovery", { issuer: as.issuer, userinfo_endpoint: as.userinfo_endpoint });

const claims = await oauth.processUserInfoResponse(
  as, client, sub, await oauth.userInfoRequest(as, client, withOpenid, insecure),
);
report("userinfo", { claims });

try {
  await oauth.processUserInfoResponse(
    as, client, sub, await oauth.userInfoRequest(as, client, withoutOpenid, insecure),
  );
  report("userinfo without openid", { status: 200 });
} catch (error) {
  if (!(error instanceof oauth.WWWAuthenticateChallengeError)) throw error;
  report("userinfo without openid", { status: error.status, challenges: error.cause });
}
