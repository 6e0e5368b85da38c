// Entry of the Fedify 1.x test peer: loads this directory's packages and runs
// the shared peer (peer.mjs).  Start:  node server.mjs --port P --host 127.0.0.1
import { readFileSync } from "node:fs";
import { configure, defaultTextFormatter } from "@logtape/logtape";
import { Temporal } from "@js-temporal/polyfill";
import * as fedify from "@fedify/fedify";
import { main } from "./peer.mjs";

const pkg = new URL("./node_modules/@fedify/fedify/package.json", import.meta.url);
const { version } = JSON.parse(readFileSync(pkg, "utf8"));
await main({ fedify, configure, defaultTextFormatter, Temporal, fedifyVersion: version });
