"""GET /feeds/{rss.xml,atom.xml,feed.json,podcast.xml} with ?tag=, ?kind=, ?limit=, ?lang=.

Query parameters (not extra paths) select a tag or kind, so one URL template
serves every combination and caches key on the full URL.  Bad values are a
422 problem document, never an empty feed that looks like "no news".
"""

from __future__ import annotations

import re
from collections.abc import Callable

from aiohttp import web

from node.channels import feeds_json, feeds_xml, reach
from node.channels.conditional import conditional_response
from node.channels.feedmodel import Entry, FeedMeta, entry_of, feed_updated
from node.channels.public import last_change, public_items
from node.channels.texts import choose_language
from node.core.appkeys import DB, IDENTITY, SETTINGS
from node.core.clock import iso
from node.http.api.problems import problem_response
from node.items.model import KINDS

routes = web.RouteTableDef()
DEFAULT_LIMIT, MAX_LIMIT = 50, 200
_TAG = re.compile(r"^#?[\w][\w-]{0,63}$", re.UNICODE)

Builder = Callable[[FeedMeta, list[Entry]], bytes]
FORMATS: dict[str, tuple[Builder, str]] = {
    "rss.xml": (feeds_xml.rss, "application/rss+xml"),
    "atom.xml": (feeds_xml.atom, "application/atom+xml"),
    "feed.json": (feeds_json.json_feed, "application/feed+json"),
    "podcast.xml": (feeds_xml.podcast, "application/rss+xml"),
}


class FeedQueryError(ValueError):
    """A query parameter of a feed URL that cannot be served."""


def parse_feed_query(query, podcast: bool) -> tuple[str | None, str | None, int]:
    """(tag, kind, limit) from the query string, or FeedQueryError with a reason."""
    tag = query.get("tag") or None
    if tag is not None and not _TAG.match(tag):
        raise FeedQueryError(f"tag: {tag[:80]!r} is not a tag (letters, digits, '-' or '_')")
    kind = query.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise FeedQueryError(f"kind: {kind[:40]!r} is not one of {', '.join(KINDS)}")
    if podcast:
        if kind not in (None, "audio"):
            raise FeedQueryError("kind: the podcast feed only has audio items")
        kind = "audio"
    try:
        limit = int(query.get("limit", DEFAULT_LIMIT))
    except ValueError as exc:
        raise FeedQueryError("limit: must be a whole number") from exc
    if not 1 <= limit <= MAX_LIMIT:
        raise FeedQueryError(f"limit: must be between 1 and {MAX_LIMIT}")
    return tag, kind, limit


@routes.get(r"/feeds/{name:(rss\.xml|atom\.xml|feed\.json|podcast\.xml)}")
async def feed(request: web.Request) -> web.StreamResponse:
    """One feed; 304 when the reader's ETag or date is still current."""
    name = request.match_info["name"]
    builder, content_type = FORMATS[name]
    podcast = name == "podcast.xml"
    try:
        tag, kind, limit = parse_feed_query(request.query, podcast)
    except FeedQueryError as exc:
        return problem_response(422, str(exc), instance=request.path)
    identity = request.app[IDENTITY]
    lang = choose_language(request, request.app[SETTINGS].default_language)
    now = iso()

    def load(db):
        return (
            public_items(db, identity, now, tag=tag, kind=kind, limit=limit),
            last_change(db, now),
        )

    items, changed = await request.app[DB].read(load)
    title = (
        identity.name
        + (f" – #{tag.lstrip('#')}" if tag else "")
        + (f" – {kind}" if kind and not podcast else "")
    )
    meta = FeedMeta(
        identity=identity,
        self_url=identity.base_url + str(request.rel_url),
        title=title,
        description=feeds_xml.feed_description(identity.name, lang, podcast),
        lang=lang,
        updated=feed_updated(changed, items),
    )
    body = builder(meta, [entry_of(item, identity, lang) for item in items])
    reach.count(request, "feed")
    return conditional_response(request, body, content_type, meta.updated)
