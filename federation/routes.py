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
import re
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from aiohttp import web

from federation.inbox import Refusal
from protocol.httpsig import parse_signature
from protocol.result import Failure
from protocol.vocab import AS2_MEDIA_TYPE, CONTEXT, is_as2_media_type

if TYPE_CHECKING:
    from federation.engine import Federation

log = logging.getLogger("mediakring.federation.routes")
JRD = "application/jrd+json"
NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/"


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
    def __init__(self, fed: Federation) -> None:
        self.fed = fed

    def add(self, app: web.Application) -> None:
        actor_path = urlsplit(self.fed.actor.actor_url).path
        r = app.router
        r.add_get("/.well-known/webfinger", self.webfinger)
        r.add_get("/.well-known/nodeinfo", self.nodeinfo_links)
        r.add_get("/nodeinfo/{version:2\\.[01]}", self.nodeinfo)
        r.add_get(actor_path, self.actor)
        r.add_get("/instance-actor", self.instance_actor)
        r.add_post("/inbox", self.fed.receiver.handle)
        r.add_post(actor_path + "/inbox", self.fed.receiver.handle)
        r.add_post("/instance-actor/inbox", self.fed.receiver.handle)
        for name in ("outbox", "followers", "mediatheek", "partners"):
            r.add_get(f"{actor_path}/{name}", self.collection)
        prefixes = {"/items/", "/media/", *self.fed.resolvers}
        for prefix in sorted(prefixes):
            r.add_get(prefix + "{tail:.+}", self.object)

    # -- discovery -----------------------------------------------------------------

    async def webfinger(self, request: web.Request) -> web.Response:
        resource = request.query.get("resource", "")
        actor = self.fed.actor
        host = urlsplit(actor.base_url).netloc
        acct = f"acct:{actor.handle}@{host}"
        if not resource or not re.match(r"^(acct:[^@\s]+@[^@\s]+|https?://\S+)$", resource):
            return web.json_response(
                {"detail": "resource must be acct:user@host or a URL"},
                status=400,
                content_type="application/problem+json",
            )
        if resource.lower() not in (acct.lower(), actor.actor_url, f"acct:{actor.handle}@{host}"):
            return not_found()
        doc = {
            "subject": acct,
            "aliases": [actor.actor_url],
            "links": [
                {"rel": "self", "type": AS2_MEDIA_TYPE, "href": actor.actor_url},
                {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html",
                 "href": actor.base_url + "/"},
            ],
        }  # fmt: skip
        return web.Response(text=json.dumps(doc), content_type=JRD,
                            headers={"Access-Control-Allow-Origin": "*"})  # fmt: skip

    async def nodeinfo_links(self, request: web.Request) -> web.Response:
        base = self.fed.actor.base_url
        links = [{"rel": NODEINFO_SCHEMA + v, "href": f"{base}/nodeinfo/{v}"}
                 for v in ("2.0", "2.1")]  # fmt: skip
        return web.json_response({"links": links})

    async def nodeinfo(self, request: web.Request) -> web.Response:
        version = request.match_info["version"]
        usage = {"users": {"total": 1, "activeMonth": 1, "activeHalfyear": 1}, "localPosts": 0}
        if self.fed.usage_provider is not None:
            usage = await self.fed.usage_provider()
        software = {"name": "mediakring", "version": self.fed.software_version}
        if version == "2.1":
            software["repository"] = "https://mediakring.nl/source"
        doc = {
            "version": version, "software": software, "protocols": ["activitypub"],
            "services": {"inbound": [], "outbound": []}, "openRegistrations": False,
            "usage": usage, "metadata": {"nodeName": self.fed.actor.name},
        }  # fmt: skip
        profile = f'application/json; profile="{NODEINFO_SCHEMA}{version}#"'
        return web.Response(text=json.dumps(doc), headers={"Content-Type": profile})

    # -- actors --------------------------------------------------------------------

    async def actor(self, request: web.Request) -> web.StreamResponse:
        if not wants_as2(request) and self.fed.actor_html is not None:
            return await _call_html(self.fed.actor_html)
        return as2(self.fed.actor_document())

    async def instance_actor(self, request: web.Request) -> web.Response:
        return as2(self.fed.instance_actor_document())

    # -- collections -----------------------------------------------------------------

    async def requester(self, request: web.Request) -> str | None:
        """The verified actor that signed this GET, or None (unsigned or invalid)."""
        if "Signature" not in request.headers and "Signature-Input" not in request.headers:
            return None
        parsed = parse_signature("GET", request.path_qs, request.headers, None,
                                 scheme=request.scheme)  # fmt: skip
        if isinstance(parsed, Failure):
            log.info("GET %s: ignoring bad signature: %s", request.path, parsed)
            return None
        try:
            actor = await self.fed.receiver.verify(parsed)
        except Refusal as refusal:
            log.info("GET %s: ignoring signature: %s", request.path, refusal.failure)
            return None
        if self.fed.policy.check(actor.host) is not None:
            return None
        return actor.id

    async def collection(self, request: web.Request) -> web.Response:
        name = request.path.rsplit("/", 1)[-1]
        provider = self.fed.collections.get(name)
        if provider is None:
            return not_found()
        coll_id = f"{self.fed.actor.actor_url}/{name}"
        requester = await self.requester(request)
        cursor = request.query.get("cursor")
        items, next_cursor, total = await provider(cursor, requester)
        page_id = coll_id + "?page=true" + (f"&cursor={quote(cursor)}" if cursor else "")
        page = {"id": page_id, "type": "OrderedCollectionPage", "partOf": coll_id,
                "orderedItems": items}  # fmt: skip
        if next_cursor:
            page["next"] = coll_id + "?page=true&cursor=" + quote(next_cursor)
        if "page" in request.query:
            return as2({"@context": CONTEXT, **page})
        return as2({"@context": CONTEXT, "id": coll_id, "type": "OrderedCollection",
                    "totalItems": total, "first": page})  # fmt: skip

    # -- objects and media -------------------------------------------------------------

    async def object(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        prefix = max((p for p in self.fed.resolvers if path.startswith(p)), key=len, default=None)
        if prefix is None:
            return not_found()
        requester = await self.requester(request)
        resolved = await self.fed.resolvers[prefix](path, requester)
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


async def _call_html(render) -> web.StreamResponse:
    result = render()
    if inspect.isawaitable(result):
        result = await result
    if isinstance(result, web.StreamResponse):
        return result
    return web.Response(text=str(result), content_type="text/html")
