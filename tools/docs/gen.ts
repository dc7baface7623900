/** `npm run docs`: write every generated documentation page (tools/docs/pages.ts). */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GENERATED_PAGES } from "./pages.js";

// dist/tools/docs/gen.js -> the repository root
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
for (const page of GENERATED_PAGES) {
  const file = join(root, page.path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, page.render());
  console.log(`wrote ${page.path}`);
}
if (GENERATED_PAGES.length === 0) console.log("no generated pages registered");
