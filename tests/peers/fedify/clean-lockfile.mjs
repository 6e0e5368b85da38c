// Strips URL-bearing metadata ("funding", and "resolved" should it ever appear)
// from package-lock.json so that the committed lockfile names no hosts.
// Run after changing dependencies:  npm run lock
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("./package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
for (const pkg of Object.values(lock.packages ?? {})) {
  delete pkg.funding;
  delete pkg.resolved;
}
const text = JSON.stringify(lock, null, 2) + "\n";
if (/[a-z]+:\/\//i.test(text)) {
  console.error("package-lock.json still contains a URL; check it by hand");
  process.exitCode = 1;
}
writeFileSync(path, text);
