// Runs graphql-http's server audits (the GraphQL-over-HTTP specification's reference suite) against a
// live server and prints one JSON line per audit: {id, name, status, reason}.
//   node graphql_http_audit.mjs <url> [access token]
// With a token, every request the audits make carries it in the Authorization header (SPEC §3).
import { serverAudits } from "graphql-http";

const [url, token] = process.argv.slice(2);

function withToken(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const audits = serverAudits({ url, fetchFn: token ? withToken : fetch });
// One after another: the live test server is single-threaded per request, and the order is stable.
for (const audit of audits) {
  const { id, name, status, reason } = await audit.fn();
  console.log(JSON.stringify({ id, name, status, reason }));
}
