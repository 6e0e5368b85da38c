// Strips URL-bearing metadata ("funding", and "resolved" should it ever appear)
// from package-lock.json so that the committed lockfile names no hosts.
// Run after changing dependencies:  npm run lock
// Cleans ./package-lock.json beside this file, or the lockfile given as argument
// (relative to the current directory; the Fedify 2 peer uses that).
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import process from "node:process";

const path = process.argv[2] ? resolve(process.argv[2]) : new URL("./package-lock.json", import.meta.url);
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
