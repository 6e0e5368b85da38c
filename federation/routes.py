"""HTTP routes federation serves: discovery, actors, collections and object fetches.

Object and media URLs are answered by node-registered resolvers; this module
only enforces who may see what: a non-public object goes only to a signed
request from an actor in its audience, everyone else gets the same 404 a
missing object gets, so existence does not leak.
"""

from __future__ import annotations

import inspect
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from aiohttp import web

from federation import documents
from federation.inbox import InboxReceiver, Refusal, problem
from federation.ports import HostPolicy, LocalActor
from federation.types import RawJson, ServedObjects
from protocol import discovery, page_context
from protocol.httpsig import response as page_signature
from protocol.result import Failure
from protocol.vocab import AS2_MEDIA_TYPE, CONTEXT, is_as2_media_type

log = logging.getLogger("mediakring.federation.routes")
JRD = "application/jrd+json"
SOURCE_URL = "https://mediakring.nl/source"


def as2(doc: dict, status: int = 200) -> web.Response:
    return web.Response(status=status, text=json.dumps(doc, ensure_ascii=False),
                        content_type=AS2_MEDIA_TYPE, headers={"Vary": "Accept"})  # fmt: skip


def not_found() -> web.Response:
    body = {"type": "https://mediakring.nl/problems/not-found", "title": "Not Found",
            "status": 404, "detail": "no such object"}  # fmt: skip
    return web.Response(status=404, text=json.dumps(body), content_type="application/problem+json")


def wants_as2(request: web.Request) -> bool:
    accept = request.headers.get("Accept", "")
    return any(is_as2_media_type(part) or part.strip().startswith("application/json")
               for part in accept.split(","))  # fmt: skip


class Routes:
    """Discovery, actor, collection and object GETs plus the inbox POSTs, as aiohttp routes."""

    def __init__(
        self,
        actor: LocalActor,
        served: ServedObjects,
        receiver: InboxReceiver,
        policy: HostPolicy,
        software_version: str,
        clock: Callable[[], float] = time.time,
        *,
        sign_pages: bool = True,
    ) -> None:
        self.local, self.served, self.receiver = actor, served, receiver
        self.policy, self.software_version = policy, software_version
        self.clock, self.sign_pages = clock, sign_pages

    def add(self, app: web.Application) -> None:
        actor_path = urlsplit(self.local.actor_url).path
        r = app.router
        r.add_get("/.well-known/webfinger", self.webfinger)
        r.add_get("/.well-known/nodeinfo", self.nodeinfo_links)
        r.add_get("/nodeinfo/{version:2\\.[01]}", self.nodeinfo)
        r.add_get(actor_path, self.actor)
        r.add_get("/instance-actor", self.instance_actor)
        r.add_post("/inbox", self.receiver.handle)
        r.add_post(actor_path + "/inbox", self.receiver.handle)
        r.add_post("/instance-actor/inbox", self.receiver.handle)
        for name in ("outbox", "followers", "mediatheek", "partners"):
            r.add_get(f"{actor_path}/{name}", self.collection)
        prefixes = {"/items/", "/media/", *self.served.resolvers}
        for prefix in sorted(prefixes):
            r.add_get(prefix + "{tail:.+}", self.object)

    # -- discovery -----------------------------------------------------------------

    async def webfinger(self, request: web.Request) -> web.Response:
        local = self.local
        parsed = discovery.parse_webfinger_resource(request.query.get("resource", ""))
        if isinstance(parsed, Failure):
            return problem(400, parsed)
        kind, value = parsed
        ours = f"{local.handle}@{local.host}"
        if kind == "other":  # RFC 7033 §4.2: a resource we hold no information about
            return problem(404, Failure("webfinger.scheme",
                                        f"no resources with the {value}: scheme here"))  # fmt: skip
        if (kind == "acct" and value.lower() != ours.lower()) or (
            kind == "url" and value != local.actor_url
        ):
            return problem(404, Failure("webfinger.unknown", "no such resource on this node"))
        doc = discovery.webfinger_jrd("acct:" + ours, local.actor_url, local.base_url + "/")
        return web.Response(text=json.dumps(doc), content_type=JRD,
                            headers={"Access-Control-Allow-Origin": "*"})  # fmt: skip

    async def nodeinfo_links(self, request: web.Request) -> web.Response:
        return web.json_response(discovery.nodeinfo_wellknown(self.local.base_url))

    async def nodeinfo(self, request: web.Request) -> web.Response:
        version = request.match_info["version"]
        users, posts = 1, 0
        if self.served.usage is not None:
            usage = await self.served.usage()
            users = int((usage.get("users") or {}).get("total", users))
            posts = int(usage.get("localPosts", posts))
        metadata = {"nodeName": self.local.name}
        if version == "2.1":
            metadata["repository"] = SOURCE_URL
        doc = discovery.nodeinfo(version, "mediakring", self.software_version, users, posts,
                                 False, metadata)  # fmt: skip
        profile = f'application/json; profile="{discovery.NODEINFO_SCHEMAS[version]}#"'
        return web.Response(text=json.dumps(doc), headers={"Content-Type": profile})

    # -- actors --------------------------------------------------------------------

    async def actor(self, request: web.Request) -> web.StreamResponse:
        if not wants_as2(request) and self.served.actor_html is not None:
            return await _call_html(self.served.actor_html)
        return as2(documents.actor_document(self.local))

    async def instance_actor(self, request: web.Request) -> web.Response:
        return as2(documents.instance_actor_document(self.local))

    # -- collections -----------------------------------------------------------------

    async def requester(self, request: web.Request) -> str | None:
        """The verified actor that signed this GET, or None (unsigned or invalid).

        A partner's instance actor counts as the partner's organisation when the two
        name each other (``ActorCache.acting_for``): partners sign media and collection
        fetches with their instance actor.

        A signature whose signed Host names another node raises a 401 Refusal: it is a
        replay of a request made for someone else (FEDERATION.md §4, host binding).
        """
        if "Signature" not in request.headers and "Signature-Input" not in request.headers:
            return None
        parsed = self.receiver.parse_request(request, None)
        if isinstance(parsed, Failure):
            log.info("GET %s: ignoring bad signature: %s", request.path, parsed)
            if parsed.code == "signature.host":
                raise Refusal(401, parsed)
            return None
        try:
            actor = await self.receiver.verify(parsed)
        except Refusal as refusal:
            log.info("GET %s: ignoring signature: %s", request.path, refusal.failure)
            return None
        if self.policy.check(actor.host) is not None:
            return None
        return await self.receiver.actors.acting_for(actor)

    async def collection(self, request: web.Request) -> web.Response:
        name = request.path.rsplit("/", 1)[-1]
        provider = self.served.collections.get(name)
        if provider is None:
            return not_found()
        coll_id = f"{self.local.actor_url}/{name}"
        try:
            requester = await self.requester(request)
        except Refusal as refusal:
            return problem(refusal.status, refusal.failure)
        cursor = request.query.get("cursor")
        items, next_cursor, total = await provider(cursor, requester)
        page_id = coll_id + "?page=true" + (f"&cursor={quote(cursor)}" if cursor else "")
        page = {"id": page_id, "type": "OrderedCollectionPage", "partOf": coll_id,
                "orderedItems": _HOLE}  # fmt: skip
        if next_cursor:
            page["next"] = coll_id + "?page=true&cursor=" + quote(next_cursor)
        if "page" in request.query:
            doc = {"@context": CONTEXT, **page}
        else:
            doc = {"@context": CONTEXT, "id": coll_id, "type": "OrderedCollection",
                   "totalItems": total, "first": page}  # fmt: skip
        return self._signed_page(request, _page_body(doc, items))

    def _signed_page(self, request: web.Request, body: bytes) -> web.Response:
        """A collection response signed by the organisation's Ed25519 key (FEDERATION.md
        §5.1): the receiver checks the page once instead of every item's proof."""
        if not self.sign_pages:
            return web.Response(
                body=body, headers={"Content-Type": AS2_MEDIA_TYPE, "Vary": "Accept"}
            )
        # our own scheme and authority (never the request's Host), the path and query as asked
        ours = urlsplit(self.local.base_url)
        url = f"{ours.scheme}://{ours.netloc.lower()}{request.raw_path}"
        now = datetime.fromtimestamp(self.clock(), UTC)
        headers = page_signature.sign_page(
            200, AS2_MEDIA_TYPE, body, url, self.local.ed25519_key_id,
            self.local.ed25519_private_key, now,
        )  # fmt: skip
        return web.Response(
            body=body, headers={"Content-Type": AS2_MEDIA_TYPE, "Vary": "Accept", **headers}
        )

    # -- objects and media -------------------------------------------------------------

    async def object(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        prefix = max(
            (p for p in self.served.resolvers if path.startswith(p)), key=len, default=None
        )
        if prefix is None:
            return not_found()
        try:
            requester = await self.requester(request)
        except Refusal as refusal:
            return problem(refusal.status, refusal.failure)
        resolved = await self.served.resolvers[prefix](path, requester)
        if resolved is None:
            return not_found()
        if resolved.audience != "public" and (
            requester is None or requester not in resolved.audience
        ):
            return not_found()
        headers = {"Vary": "Accept, Signature"}
        if resolved.audience != "public":
            headers["Cache-Control"] = "private"
        if resolved.file is not None:
            file_path, media_type, etag = resolved.file
            response = web.FileResponse(file_path, headers={**headers, "ETag": f'"{etag}"'})
            response.content_type = media_type
            return response
        if not wants_as2(request) and resolved.html is not None:
            return await _call_html(resolved.html)
        if resolved.document is None:
            return not_found()
        response = as2(resolved.document)
        response.headers.update(headers)
        return response


#: Stands for a page's items while the page around them is encoded (see _page_body).
_HOLE = "\u0000orderedItems\u0000"


#: The page's ``@context`` member as stored items spell it (they leave it out on a page).
_CONTEXT_MEMBER = page_context.context_member(CONTEXT)


def _page_body(doc: dict, items: list) -> bytes:
    """The page as UTF-8 JSON, with items that are already JSON text (:class:`RawJson`,
    the stored form) spliced in rather than decoded and encoded again.  Each stored item
    leaves out the ``@context`` it shares with the page, and its proof's copy (FEDERATION.md
    §5.1): it inherits the page's, and is most of a listing's bytes."""
    text = json.dumps(doc, ensure_ascii=False)
    hole = json.dumps(_HOLE)
    parts = [
        page_context.omit(it, _CONTEXT_MEMBER)
        if isinstance(it, RawJson)
        else json.dumps(it, ensure_ascii=False)  # built items (partners' URLs): no context
        for it in items
    ]
    before, _, after = text.partition(hole)
    return "".join((before, "[", ",".join(parts), "]", after)).encode("utf-8")


async def _call_html(render) -> web.StreamResponse:
    result = render()
    if inspect.isawaitable(result):
        result = await result
    if isinstance(result, web.StreamResponse):
        return result
    return web.Response(text=str(result), content_type="text/html")
