// Rebuilds ../schema/static/graphiql/vendor/ from the exact versions pinned in package-lock.json:
//   cd frontend && npm ci && npm run vendor
// Each library gets its own folder with the files the page loads, its LICENSE and a VERSION file,
// the way django/contrib/admin/static/admin/js/vendor/ does it. Files are copied untouched, and
// source maps are left out (4.7 MB that `make run` never needs). Commit the result: `make run`
// must never need Node.js.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "..", "schema", "static", "graphiql", "vendor");

const libraries = {
  // React 18 is the last React with UMD builds; GraphiQL 4's UMD build expects window.React.
  react: ["umd/react.production.min.js"],
  "react-dom": ["umd/react-dom.production.min.js"],
  // GraphiQL 4.x is the last major with a UMD build (bundling graphql-js and CodeMirror 5);
  // its CSS embeds its fonts as data: URIs, hence the page's `font-src 'self' data:`.
  graphiql: ["graphiql.min.js", "graphiql.min.css"],
};

rmSync(vendor, { recursive: true, force: true });
for (const [name, files] of Object.entries(libraries)) {
  const source = join(here, "node_modules", name);
  const target = join(vendor, name);
  mkdirSync(target, { recursive: true });
  for (const file of [...files, "LICENSE"]) {
    copyFileSync(join(source, file), join(target, file.split("/").pop()));
  }
  const { version } = JSON.parse(readFileSync(join(source, "package.json"), "utf8"));
  writeFileSync(join(target, "VERSION"), `${name} ${version}\n`);
  console.log(`${name} ${version}: ${files.join(", ")}`);
}
