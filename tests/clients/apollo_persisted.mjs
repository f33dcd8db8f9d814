// Apollo Client with its persisted-queries link, sending only the ids of its manifest (the way an app
// ships trusted documents), against a live server; prints one JSON line per operation it runs.
//   node apollo_persisted.mjs <graphql url> <access token> <persisted-query-manifest.json>
import { readFile } from "node:fs/promises";
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { generatePersistedQueryIdsFromManifest } from "@apollo/persisted-query-lists";
import { ME, RENAME, USERS } from "./apollo_app/operations.mjs";

const [url, token, manifestPath] = process.argv.slice(2);
const sent = []; // what each request's body held: the id, never the text

function recordingFetch(input, init) {
  const body = JSON.parse(init.body);
  sent.push({ query: "query" in body, id: body.extensions?.persistedQuery?.sha256Hash ?? null });
  return fetch(input, init);
}

const client = new ApolloClient({
  cache: new InMemoryCache(),
  link: ApolloLink.from([
    createPersistedQueryLink(
      generatePersistedQueryIdsFromManifest({
        loadManifest: async () => JSON.parse(await readFile(manifestPath, "utf8")),
      }),
    ),
    new HttpLink({ uri: url, headers: { authorization: `Bearer ${token}` }, fetch: recordingFetch }),
  ]),
});

async function report(name, run) {
  try {
    const result = await run();
    console.log(JSON.stringify({ name, data: result.data ?? null, error: result.error?.message ?? null }));
  } catch (error) {
    console.log(JSON.stringify({ name, data: null, error: String(error?.message ?? error) }));
  }
}

await report("Me", () => client.query({ query: ME }));
await report("Users", () => client.query({ query: USERS, variables: { first: 2 } }));
await report("Rename", () => client.mutate({ mutation: RENAME, variables: { input: { firstName: "Alicia" } } }));
console.log(JSON.stringify({ name: "sent", requests: sent }));
