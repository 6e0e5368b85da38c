// The independent ActivityPub peer for Mediakring's federation tests, shared by
// the Fedify 1.x peer (tests/peers/fedify/server.mjs) and the Fedify 2.x peer
// (tests/peers/fedify2/server.mjs).  This module imports only Node built-ins:
// each thin entry file imports Fedify, LogTape and the Temporal polyfill from
// its own node_modules and hands them to main(lib).  (ES imports resolve from
// the importing file's real location, so a bare import here would always load
// the 1.x packages.)
//
// Start:  node server.mjs --port P --host 127.0.0.1   (in tests/peers/fedify or fedify2)
// Prints exactly one JSON line on stdout once listening: {"ready": true, "port": P}.
// Everything else (Fedify's own log) goes to stderr; level via FEDIFY_LOG_LEVEL
// (debug, info, warning, error; default warning).
//
// One actor, "peer" (Person), at /users/peer with an RSA-2048 key (#main-key,
// used for HTTP signatures) and an Ed25519 key (#key-2, used for FEP-8b32
// eddsa-jcs-2022 object proofs).  Deliveries are immediate (no queue).
//
// Control API (plain JSON, unsigned), handled before Fedify sees the request:
//   GET  /control/log                  -> {"received": [...], "rejected": [...], "errors": [...], ...}
//   POST /control/reset-log            -> clears the logs
//   POST /control/lookup      {"url"}  -> ctx.lookupObject() with a signed (authenticated) loader
//   POST /control/follow      {"actor"}
//   POST /control/undo-follow {"actor", "follow_id"}
//   POST /control/create-note {"to", "content", "public"?, "name"?, "attachments"?}
//   POST /control/send        {"activity", "actor"? | "inbox"?}
//   POST /control/accept      {"follow_id"}  (accept a received Follow)
//   POST /control/fanout      {"inboxes"}    (benchmarks: one Create to every inbox in one
//                                             sendActivity call -> {"seconds", "deliveries"})
import http from "node:http";
import process from "node:process";
import { parseArgs } from "node:util";
import { randomUUID, webcrypto } from "node:crypto";
import { AsyncLocalStorage } from "node:async_hooks";

// lib: {fedify (root API and vocabulary merged), configure, defaultTextFormatter,
// Temporal, fedifyVersion ("1.5.9", "2.3.6", ...)}
export async function main(lib) {
  const { configure, defaultTextFormatter, Temporal, fedifyVersion } = lib;
  const fedifyMajor = Number(fedifyVersion.split(".")[0]);
  const {
    Accept,
    Activity,
    Audio,
    Create,
    Document,
    Endpoints,
    Follow,
    Image,
    Link,
    MemoryKvStore,
    Note,
    Object: APObject,
    Person,
    PUBLIC_COLLECTION,
    Undo,
    Video,
    createFederation,
    generateCryptoKeyPair,
    getDocumentLoader,
    getTypeId,
    isActor,
    verifyObject,
    verifyRequest,
  } = lib.fedify;

  const { values: args } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      identifier: { type: "string", default: "peer" },
      "rsa-bits": { type: "string", default: "2048" },
    },
  });
  const HOST = args.host;
  const IDENTIFIER = args.identifier;

  await configure({
    contextLocalStorage: new AsyncLocalStorage(),
    sinks: {
      stderr: (record) => process.stderr.write(defaultTextFormatter(record)),
    },
    loggers: [
      { category: "fedify", sinks: ["stderr"], lowestLevel: process.env.FEDIFY_LOG_LEVEL ?? "warning" },
      { category: ["logtape", "meta"], sinks: ["stderr"], lowestLevel: "warning" },
    ],
  });

  // ---------------------------------------------------------------- state
  // Fedify's generateCryptoKeyPair("RSASSA-PKCS1-v1_5") makes a 4096-bit key; we
  // want RSA-2048 (what Mastodon uses, and faster to generate), with the exact
  // parameters Fedify requires (extractable, SHA-256).
  async function generateRsaKeyPair(bits) {
    if (bits === 4096) return await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    return await webcrypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    );
  }
  const keyPairs = [
    await generateRsaKeyPair(Number(args["rsa-bits"])), // -> #main-key (HTTP signatures)
    await generateCryptoKeyPair("Ed25519"), // -> #key-2 (object integrity proofs)
  ];
  const state = {
    received: [], // activities accepted by Fedify's inbox (signature or proof verified)
    rejected: [], // inbox requests Fedify answered with >= 400
    errors: [], // Fedify inbox error hook (onError)
    sent: [], // activities this peer sent
    followers: new Map(), // actor id -> {id, inboxId, sharedInboxId}
    following: new Set(), // actor ids whose Accept of our Follow arrived
    pendingFollows: new Map(), // follow id -> target actor id
  };
  const notes = new Map(); // note uuid -> Note (served by Fedify's object dispatcher)
  const activities = new Map(); // path -> JSON-LD of activities we sent (served raw)

  // ---------------------------------------------------------------- federation
  let origin; // set once listening
  let federation;

  function buildFederation() {
    // No remote-document cache: every key/actor fetch goes to the network, so a
    // test that changes a key on the other side sees it at once.  Every loader
    // may reach 127.0.0.1.  Fedify 1 takes allowPrivateAddress beside our own
    // loader factory; Fedify 2 refuses that combination, so there the factories
    // themselves allow private addresses, whatever Fedify asks for.
    const loaders =
      fedifyMajor >= 2
        ? {
            documentLoaderFactory: () => getDocumentLoader({ allowPrivateAddress: true }),
            contextLoaderFactory: () => getDocumentLoader({ allowPrivateAddress: true }),
            authenticatedDocumentLoaderFactory: (identity, opts) =>
              lib.fedify.getAuthenticatedDocumentLoader(identity, { ...opts, allowPrivateAddress: true }),
          }
        : {
            allowPrivateAddress: true,
            documentLoaderFactory: (opts) =>
              getDocumentLoader({ allowPrivateAddress: opts?.allowPrivateAddress ?? true }),
          };
    const fed = createFederation({
      kv: new MemoryKvStore(),
      origin,
      ...loaders,
      // no queue: ctx.sendActivity() delivers immediately and throws on failure
    });

    fed
      .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
        if (identifier !== IDENTIFIER) return null;
        const keys = await ctx.getActorKeyPairs(identifier);
        return new Person({
          id: ctx.getActorUri(identifier),
          preferredUsername: identifier,
          name: "Fedify test peer",
          summary: `Independent ActivityPub peer (Fedify ${fedifyVersion}) for Mediakring tests.`,
          url: ctx.getActorUri(identifier),
          inbox: ctx.getInboxUri(identifier),
          outbox: ctx.getOutboxUri(identifier),
          endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
          followers: ctx.getFollowersUri(identifier),
          following: ctx.getFollowingUri(identifier),
          manuallyApprovesFollowers: true,
          publicKey: keys[0].cryptographicKey,
          assertionMethods: keys.map((k) => k.multikey),
        });
      })
      .mapHandle((_ctx, username) => (username === IDENTIFIER ? IDENTIFIER : null))
      .setKeyPairsDispatcher((_ctx, identifier) => (identifier === IDENTIFIER ? keyPairs : []));

    fed.setFollowersDispatcher("/users/{identifier}/followers", (_ctx, identifier) => {
      if (identifier !== IDENTIFIER) return null;
      const items = [...state.followers.values()].map((f) => ({
        id: new URL(f.id),
        inboxId: f.inboxId ? new URL(f.inboxId) : null,
        endpoints: f.sharedInboxId ? { sharedInbox: new URL(f.sharedInboxId) } : null,
      }));
      return { items };
    });
    fed.setFollowingDispatcher("/users/{identifier}/following", (_ctx, identifier) => {
      if (identifier !== IDENTIFIER) return null;
      return { items: [...state.following].map((u) => new URL(u)) };
    });
    fed.setOutboxDispatcher("/users/{identifier}/outbox", (_ctx, identifier) => {
      if (identifier !== IDENTIFIER) return null;
      return { items: [] };
    });
    fed.setObjectDispatcher(Note, "/notes/{id}", (_ctx, values) => notes.get(values.id) ?? null);
    fed.setNodeInfoDispatcher("/nodeinfo/2.1", () => ({
      software: {
        name: "fedify-test-peer",
        // Fedify 1 wants a SemVer object, Fedify 2 a string
        version: fedifyMajor >= 2 ? fedifyVersion : semver(fedifyVersion),
      },
      protocols: ["activitypub"],
      usage: { users: { total: 1 }, localPosts: 0, localComments: 0 },
    }));

    fed
      .setInboxListeners("/users/{identifier}/inbox", "/inbox")
      .on(Activity, onInboxActivity)
      .onError((ctx, error) => {
        state.errors.push({
          error: String(error?.stack ?? error),
          at: new Date().toISOString(),
          request: ctx.data?.inboxRequest?.summary ?? null,
        });
      });
    return fed;
  }

  function semver(text) {
    const [major, minor, patch] = text.split(/[.-]/).map(Number);
    return { major, minor, patch, build: [], prerelease: [] };
  }

  // ---------------------------------------------------------------- summaries
  function href(u) {
    return u == null ? null : u.href ?? String(u);
  }

  function typeName(obj) {
    const id = getTypeId(obj).href;
    return id.replace(/^.*[#/]/, "");
  }

  function summarizeUrl(u) {
    if (u == null) return null;
    if (u instanceof URL) return u.href;
    if (u instanceof Link) return { href: href(u.href), mediaType: u.mediaType ?? null };
    return String(u);
  }

  function summarizeAttachment(a) {
    if (a instanceof URL) return { url: a.href };
    if (a instanceof Link) {
      return { type: typeName(a), url: href(a.href), mediaType: a.mediaType ?? null, name: a.name?.toString() ?? null };
    }
    return {
      type: typeName(a),
      id: href(a.id),
      mediaType: a.mediaType ?? null,
      url: summarizeUrl(a.url),
      name: a.name?.toString() ?? null,
      width: a.width ?? null,
      height: a.height ?? null,
    };
  }

  async function attachmentsOf(obj, loaders) {
    const out = [];
    try {
      for await (const a of obj.getAttachments({ ...loaders, suppressError: true })) {
        out.push(summarizeAttachment(a));
      }
    } catch (e) {
      out.push({ error: String(e) });
    }
    return out;
  }

  // Summary of an ActivityStreams object parsed with Fedify's vocabulary.
  async function summarizeObject(obj, loaders = {}) {
    if (obj == null) return null;
    if (obj instanceof URL) return { id: obj.href };
    const s = { type: typeName(obj), type_id: getTypeId(obj).href, class: obj.constructor.name, id: href(obj.id) };
    if (obj instanceof Link) {
      s.href = href(obj.href);
      s.mediaType = obj.mediaType ?? null;
      return s;
    }
    if (isActor(obj)) {
      s.preferredUsername = obj.preferredUsername?.toString() ?? null;
      s.name = obj.name?.toString() ?? null;
      s.inbox = href(obj.inboxId);
      s.sharedInbox = href(obj.endpoints?.sharedInbox);
      s.followers = href(obj.followersId);
      s.publicKeyIds = obj.publicKeyIds.map(href);
      s.publicKeyId = s.publicKeyIds[0] ?? null;
      s.assertionMethodIds = obj.assertionMethodIds.map(href);
      return s;
    }
    s.name = obj.name?.toString() ?? null;
    s.summary = obj.summary?.toString() ?? null;
    s.content = obj.content?.toString() ?? null;
    s.mediaType = obj.mediaType ?? null;
    s.url = summarizeUrl(obj.url);
    s.attributedTo = obj.attributionIds.map(href);
    s.to = obj.toIds.map(href);
    s.cc = obj.ccIds.map(href);
    s.published = obj.published?.toString() ?? null;
    if (obj instanceof Activity) {
      s.actor = obj.actorIds.map(href)[0] ?? null;
      s.object_ids = obj.objectIds.map(href);
      s.target_ids = obj.targetIds.map(href);
    } else {
      if (obj instanceof Document || obj instanceof Image || obj instanceof Video || obj instanceof Audio) {
        s.width = obj.width ?? null;
        s.height = obj.height ?? null;
      }
      s.attachments = await attachmentsOf(obj, loaders);
    }
    return s;
  }

  function rawObjectIsEmbedded(json) {
    const o = json?.object;
    return o != null && typeof o === "object";
  }

  // ---------------------------------------------------------------- inbox
  async function onInboxActivity(ctx, activity) {
    const raw = await activity.toJsonLd();
    const req = ctx.data?.inboxRequest;
    const loaders = { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader };
    let object = null;
    const objectIds = activity.objectIds.map(href);
    if (rawObjectIsEmbedded(req?.json)) {
      try {
        object = await summarizeObject(await activity.getObject(loaders), loaders);
      } catch (e) {
        object = { id: objectIds[0] ?? null, error: String(e) };
      }
    } else if (objectIds.length > 0) {
      object = { id: objectIds[0] }; // not dereferenced: the test decides what to fetch
    }
    const entry = {
      type: typeName(activity),
      type_id: getTypeId(activity).href,
      id: href(activity.id),
      actor: activity.actorIds.map(href)[0] ?? null,
      object,
      target: activity.targetIds.map(href)[0] ?? null,
      to: activity.toIds.map(href),
      cc: activity.ccIds.map(href),
      // Fedify's inbox only calls listeners after it authenticated the request: by
      // a valid HTTP signature (then it also checked the key belongs to the actor),
      // or by a valid object-integrity proof / LD signature covering the actor.
      verified: true,
      recipient: ctx.recipient ?? null, // null = shared inbox
      inbox_path: req?.path ?? null,
      proof_present: req?.json != null && "proof" in req.json,
      ld_signature_present: req?.json != null && "signature" in req.json,
      received_at: new Date().toISOString(),
      json: raw,
      raw_body: req?.json ?? null,
    };
    state.received.push(entry);
    if (req) req.entry = entry;

    // side effects
    if (activity instanceof Accept || typeName(activity) === "Reject") {
      const followId = objectIds[0] ?? (object && object.id);
      const target = state.pendingFollows.get(followId);
      if (target != null && entry.actor === target) {
        state.pendingFollows.delete(followId);
        if (activity instanceof Accept) state.following.add(target);
        else state.following.delete(target);
      }
    } else if (activity instanceof Undo && object?.type === "Follow") {
      state.followers.delete(entry.actor);
    }
  }

  // Independent verification of one inbox request, so tests can see which
  // mechanisms were valid (Fedify stops at the first that succeeds: a valid proof
  // means it never looks at the HTTP signature).
  async function independentChecks(record, makeRequest) {
    const loaders = { documentLoader: getDocumentLoader({ allowPrivateAddress: true }) };
    loaders.contextLoader = loaders.documentLoader;
    const sigHeader = record.headers["signature"] ?? null;
    const sigInput = record.headers["signature-input"] ?? null;
    // RFC 9421 (Signature-Input + Signature) or draft-cavage (Signature alone)
    const rfc9421 = sigInput != null;
    const out = {
      signature_scheme: rfc9421 ? "rfc9421" : sigHeader != null ? "draft-cavage" : null,
      signature_header: sigHeader,
      signature_input_header: sigInput,
      digest_header: record.headers["digest"] ?? null,
      content_digest_header: record.headers["content-digest"] ?? null,
      content_type: record.headers["content-type"] ?? null,
      signature_key_id: rfc9421
        ? sigInput.match(/keyid="([^"]*)"/)?.[1] ?? null
        : sigHeader?.match(/keyId="([^"]*)"/)?.[1] ?? null,
      // cavage: the headers list; RFC 9421: the covered components
      signed_headers: rfc9421
        ? [...(sigInput.match(/=\(([^)]*)\)/)?.[1] ?? "").matchAll(/"([^"]*)"/g)].map((m) => m[1])
        : sigHeader?.match(/headers="([^"]*)"/)?.[1]?.split(/\s+/) ?? null,
      http_signature_verified: false,
      http_signature_key_owner: null,
      proof_verified: false,
    };
    try {
      const key = await verifyRequest(makeRequest(), { ...loaders });
      out.http_signature_verified = key != null;
      out.http_signature_key_owner = href(key?.ownerId);
    } catch (e) {
      out.http_signature_error = String(e);
    }
    if (record.json != null && typeof record.json === "object" && "proof" in record.json) {
      const { signature: _ld, ...withoutLdSig } = record.json;
      try {
        const obj = await verifyObject(Activity, withoutLdSig, { ...loaders });
        out.proof_verified = obj != null;
      } catch (e) {
        out.proof_error = String(e);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- control API
  function ctxFor() {
    return federation.createContext(new URL(origin), {});
  }

  async function authLoader(ctx) {
    return await ctx.getDocumentLoader({ identifier: IDENTIFIER });
  }

  async function lookupActor(ctx, url) {
    const documentLoader = await authLoader(ctx);
    const actor = await ctx.lookupObject(url, { documentLoader, contextLoader: ctx.contextLoader });
    if (actor == null) throw new Error(`could not look up ${url}: ${await diagnose(ctx, url)}`);
    if (!isActor(actor)) throw new Error(`${url} is a ${typeName(actor)}, not an actor`);
    if (actor.inboxId == null) throw new Error(`${url} has no inbox`);
    return actor;
  }

  async function diagnose(ctx, url) {
    try {
      const documentLoader = await authLoader(ctx);
      const doc = await documentLoader(url);
      try {
        await APObject.fromJsonLd(doc.document, { documentLoader, contextLoader: ctx.contextLoader });
        return "fetched and parsed, but lookup returned nothing";
      } catch (e) {
        return `fetched but not parseable as ActivityStreams: ${e}`;
      }
    } catch (e) {
      return String(e?.message ?? e);
    }
  }

  function newId(kind) {
    return new URL(`/activities/${kind}/${randomUUID()}`, origin);
  }

  async function send(ctx, recipient, activity) {
    await ctx.sendActivity({ identifier: IDENTIFIER }, recipient, activity, { immediate: true });
    const json = await activity.toJsonLd();
    activities.set(new URL(activity.id).pathname, json);
    state.sent.push({ id: href(activity.id), type: typeName(activity), to: href(recipient.id), at: new Date().toISOString() });
  }

  const control = {
    "GET /control/log": async () => ({
      received: state.received,
      rejected: state.rejected,
      errors: state.errors,
      sent: state.sent,
      followers: [...state.followers.keys()],
      following: [...state.following],
    }),
    "POST /control/reset-log": async () => {
      state.received.length = 0;
      state.rejected.length = 0;
      state.errors.length = 0;
      state.sent.length = 0;
      return { ok: true };
    },
    "POST /control/lookup": async (body) => {
      const ctx = ctxFor();
      const documentLoader = await authLoader(ctx);
      const obj = await ctx.lookupObject(body.url, { documentLoader, contextLoader: ctx.contextLoader });
      if (obj == null) return { ok: false, error: await diagnose(ctx, body.url) };
      const s = await summarizeObject(obj, { documentLoader, contextLoader: ctx.contextLoader });
      return { ok: true, ...s, json: await obj.toJsonLd() };
    },
    "POST /control/follow": async (body) => {
      const ctx = ctxFor();
      const actor = await lookupActor(ctx, body.actor);
      const follow = new Follow({ id: newId("follow"), actor: ctx.getActorUri(IDENTIFIER), object: actor.id });
      state.pendingFollows.set(follow.id.href, actor.id.href);
      await send(ctx, actor, follow);
      return { ok: true, id: follow.id.href };
    },
    "POST /control/undo-follow": async (body) => {
      const ctx = ctxFor();
      const actor = await lookupActor(ctx, body.actor);
      const undo = new Undo({
        id: newId("undo"),
        actor: ctx.getActorUri(IDENTIFIER),
        object: new Follow({ id: new URL(body.follow_id), actor: ctx.getActorUri(IDENTIFIER), object: actor.id }),
      });
      await send(ctx, actor, undo);
      state.following.delete(actor.id.href);
      state.pendingFollows.delete(body.follow_id);
      return { ok: true, id: undo.id.href };
    },
    "POST /control/create-note": async (body) => {
      const ctx = ctxFor();
      const actor = await lookupActor(ctx, body.to);
      const noteId = randomUUID();
      const me = ctx.getActorUri(IDENTIFIER);
      const to = [actor.id];
      const cc = [];
      if (body.public) {
        to.unshift(PUBLIC_COLLECTION);
        cc.push(ctx.getFollowersUri(IDENTIFIER));
      }
      const attachments = (body.attachments ?? []).map(
        (a) =>
          new Document({
            mediaType: a.mediaType ?? null,
            url: a.url ? new URL(a.url) : null,
            name: a.name ?? null,
            width: a.width ?? null,
            height: a.height ?? null,
          }),
      );
      const note = new Note({
        id: ctx.getObjectUri(Note, { id: noteId }),
        attribution: me,
        name: body.name ?? null,
        content: body.content ?? "",
        published: Temporal.Now.instant(),
        tos: to,
        ccs: cc,
        attachments,
        replyTarget: body.in_reply_to ? new URL(body.in_reply_to) : null,
      });
      notes.set(noteId, note);
      const create = new Create({
        id: newId("create"),
        actor: me,
        object: note,
        tos: to,
        ccs: cc,
        published: note.published,
      });
      await send(ctx, actor, create);
      return { ok: true, id: create.id.href, note_id: note.id.href };
    },
    "POST /control/send": async (body) => {
      const ctx = ctxFor();
      const loaders = { documentLoader: await authLoader(ctx), contextLoader: ctx.contextLoader };
      let activity = await Activity.fromJsonLd(body.activity, loaders);
      if (activity.id == null) activity = activity.clone({ id: newId("send") });
      if (activity.actorId == null) activity = activity.clone({ actor: ctx.getActorUri(IDENTIFIER) });
      let recipient;
      if (body.actor) recipient = await lookupActor(ctx, body.actor);
      else if (body.inbox) recipient = { id: new URL(body.inbox), inboxId: new URL(body.inbox) };
      else throw new Error('give "actor" or "inbox"');
      await send(ctx, recipient, activity);
      return { ok: true, id: activity.id.href };
    },
    "POST /control/fanout": async (body) => {
      const ctx = ctxFor();
      const me = ctx.getActorUri(IDENTIFIER);
      const note = new Note({ id: newId("note"), attributedTo: me, content: "bench" });
      const create = new Create({ id: newId("create"), actor: me, object: note });
      const recipients = body.inboxes.map((inbox) => ({ id: new URL(inbox), inboxId: new URL(inbox) }));
      const started = performance.now();
      await ctx.sendActivity({ identifier: IDENTIFIER }, recipients, create, { immediate: true });
      return { ok: true, seconds: (performance.now() - started) / 1000, deliveries: recipients.length };
    },
    "POST /control/accept": async (body) => {
      const ctx = ctxFor();
      const entry = state.received.find((e) => e.id === body.follow_id && e.type === "Follow");
      if (entry == null) throw new Error(`no Follow ${body.follow_id} received`);
      const actor = await lookupActor(ctx, entry.actor);
      const accept = new Accept({
        id: newId("accept"),
        actor: ctx.getActorUri(IDENTIFIER),
        object: await Follow.fromJsonLd(entry.json),
      });
      await send(ctx, actor, accept);
      state.followers.set(actor.id.href, {
        id: actor.id.href,
        inboxId: href(actor.inboxId),
        sharedInboxId: href(actor.endpoints?.sharedInbox),
      });
      return { ok: true, id: accept.id.href };
    },
  };

  // ---------------------------------------------------------------- HTTP glue
  function readBody(req) {
    return new Promise((resolve, reject) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => resolve(Buffer.concat(chunks)));
      req.on("error", reject);
    });
  }

  function json(res, status, value) {
    const body = Buffer.from(JSON.stringify(value));
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": body.length });
    res.end(body);
  }

  async function writeResponse(res, response) {
    const headers = {};
    for (const [k, v] of response.headers) headers[k] = v;
    const body = Buffer.from(await response.arrayBuffer());
    if (response.statusText) res.writeHead(response.status, response.statusText, headers);
    else res.writeHead(response.status, headers);
    res.end(body);
  }

  async function handle(req, res) {
    const body = await readBody(req);
    const url = new URL(req.url, origin);
    const route = `${req.method} ${url.pathname}`;

    if (url.pathname.startsWith("/control/")) {
      const fn = control[route];
      if (fn == null) return json(res, 404, { ok: false, error: `no control endpoint ${route}` });
      let input = {};
      if (body.length > 0) {
        try {
          input = JSON.parse(body.toString("utf8"));
        } catch (e) {
          return json(res, 400, { ok: false, error: `invalid JSON: ${e}` });
        }
      }
      try {
        return json(res, 200, await fn(input));
      } catch (e) {
        return json(res, 200, { ok: false, error: String(e?.message ?? e) });
      }
    }

    if (req.method === "GET" && activities.has(url.pathname)) {
      return json(res, 200, activities.get(url.pathname));
    }

    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const makeRequest = () =>
      new Request(url, { method: req.method, headers, body: hasBody ? body : undefined });

    const isInbox = req.method === "POST" && (url.pathname === "/inbox" || /^\/users\/[^/]+\/inbox$/.test(url.pathname));
    let record = null;
    if (isInbox) {
      let parsed = null;
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch {
        parsed = null;
      }
      record = {
        path: url.pathname,
        headers: Object.fromEntries(headers),
        json: parsed,
        entry: null,
        summary: { path: url.pathname, id: parsed?.id ?? null, type: parsed?.type ?? null },
      };
    }

    const response = await federation.fetch(makeRequest(), { contextData: { inboxRequest: record } });

    if (record != null) {
      const checks = await independentChecks(record, makeRequest);
      if (record.entry != null) {
        Object.assign(record.entry, checks, { status: response.status });
      }
      if (response.status >= 400) {
        state.rejected.push({
          path: record.path,
          status: response.status,
          reason: await response.clone().text(),
          id: record.json?.id ?? null,
          type: record.json?.type ?? null,
          actor: typeof record.json?.actor === "string" ? record.json.actor : record.json?.actor?.id ?? null,
          proof_present: record.json != null && typeof record.json === "object" && "proof" in record.json,
          ...checks,
          headers: record.headers,
          raw_body: record.json ?? body.toString("utf8").slice(0, 10000),
          at: new Date().toISOString(),
        });
      }
    }
    return writeResponse(res, response);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      process.stderr.write(`unhandled error for ${req.method} ${req.url}: ${e?.stack ?? e}\n`);
      if (!res.headersSent) json(res, 500, { ok: false, error: String(e) });
      else res.end();
    });
  });

  server.listen(Number(args.port), HOST, () => {
    const { port } = server.address();
    origin = `http://${HOST.includes(":") ? `[${HOST}]` : HOST}:${port}`;
    federation = buildFederation();
    process.stdout.write(JSON.stringify({ ready: true, port, origin, actor: `${origin}/users/${IDENTIFIER}`, fedify: fedifyVersion }) + "\n");
  });

  for (const sig of ["SIGTERM", "SIGINT"]) {
    process.on(sig, () => {
      server.close();
      process.exit(0);
    });
  }
}
