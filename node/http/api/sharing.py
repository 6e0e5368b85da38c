"""API for regie, shares, mediatheek, notifications, insight and partners."""

from __future__ import annotations

from aiohttp import web

from node import services
from node.core.clock import iso, parse_iso
from node.core.errors import NotFound, ValidationFailed
from node.http.api.auth import require_scope
from node.http.api.jsonbody import read_json_object
from node.items import visibility
from node.mediatheek.query import MAX_QUERY_CHARS, SearchQuery, decode_cursor, parts

routes = web.RouteTableDef()


# -- audience (regie) ------------------------------------------------------------------


@routes.get("/api/v1/items/{id}/audience")
@require_scope("read")
async def get_audience(request: web.Request) -> web.Response:
    item_id = request.match_info["id"]
    await services.get_item(request.app, item_id)  # 404 for an unknown item
    return web.json_response(await services.describe_audience(request.app, item_id))


@routes.put("/api/v1/items/{id}/audience")
@require_scope("write")
async def put_audience(request: web.Request) -> web.Response:
    data = await read_json_object(request, ("partners", "mediatheek", "public"))
    result = await services.set_audience(request.app, request.match_info["id"], data)
    return web.json_response(result)


@routes.post("/api/v1/items/{id}/publish")
@require_scope("report")
async def publish_copy(request: web.Request) -> web.Response:
    """Publishing a copy on one of our channels tells its origin which channel (or page URL)."""
    data = await read_json_object(request, ("channel",))
    result = await services.report_publication(
        request.app, request.match_info["id"], data.get("channel")
    )
    return web.json_response(result)


# -- notifications -----------------------------------------------------------------------


@routes.get("/api/v1/notifications")
@require_scope("read")
async def list_notifications(request: web.Request) -> web.Response:
    unread = request.query.get("unread") == "true"
    before = request.query.get("before")
    page = await services.list_notifications(request.app, unread_only=unread, before=before)
    return web.json_response(page)


@routes.post("/api/v1/notifications/{id}/read")
@require_scope("write")
async def read_notification(request: web.Request) -> web.Response:
    nid = request.match_info["id"]
    target = None if nid == "all" else nid
    changed = await services.mark_notifications_read(request.app, target)
    return web.json_response({"marked": changed})


# -- shared with us ----------------------------------------------------------------------


@routes.get("/api/v1/shared-with-us")
@require_scope("read")
async def shared_with_us(request: web.Request) -> web.Response:
    shares = await services.list_shares(request.app)
    return web.json_response({"items": shares, "next": None})


@routes.post("/api/v1/shared-with-us/{id}/use")
@require_scope("write")
async def use_shared(request: web.Request) -> web.Response:
    used = await services.use_share(request.app, request.match_info["id"])
    return web.json_response(used.item, status=201 if used.created else 200)


# -- mediatheek --------------------------------------------------------------------------

_SEARCH_PARAMS = (
    "q",
    "kind",
    "org",
    "since",
    "until",
    "tag",
    "language",
    "licence",
    "embargoed",
    "sort",
    "limit",
    "cursor",
    "facets",
)


def _search_query(request: web.Request) -> SearchQuery:
    query = request.query
    unknown = sorted(set(query) - set(_SEARCH_PARAMS))
    if unknown:
        raise ValidationFailed(f"Unknown query parameter(s): {', '.join(unknown)}.")
    try:
        limit = int(query.get("limit", "20"))
    except ValueError as exc:
        raise ValidationFailed("limit: must be a whole number") from exc
    if not 1 <= limit <= 100:
        raise ValidationFailed("limit: must be between 1 and 100")
    if query.get("sort", "relevance") not in ("relevance", "date"):
        raise ValidationFailed("sort: relevance or date")
    _check_q(query.get("q", ""))
    bounds = {}
    for name in ("since", "until"):
        if query.get(name):
            try:
                bounds[name] = iso(parse_iso(query[name]))
            except ValueError as exc:
                raise ValidationFailed(f"{name}: not an ISO 8601 timestamp ({exc})") from exc
    try:  # a search without words is in date order whatever its sort (see search())
        sort = query.get("sort", "relevance") if parts(query.get("q", "")) else "date"
        decode_cursor(sort, query.get("cursor"))
    except ValueError as exc:
        raise ValidationFailed("cursor: not a cursor of this search (use its next link)") from exc
    embargoed = {"true": True, "false": False, None: None}.get(query.get("embargoed"), "bad")
    if embargoed == "bad":
        raise ValidationFailed("embargoed: true or false")
    return SearchQuery(
        q=query.get("q", ""),
        kind=query.get("kind"),
        org=query.get("org"),
        tag=query.get("tag"),
        language=query.get("language"),
        licence=query.get("licence"),
        embargoed=embargoed,
        sort=query.get("sort", "relevance"),
        limit=limit,
        cursor=query.get("cursor"),
        facets=query.get("facets", "true") != "false",
        now=iso(),
        **bounds,
    )


def _check_q(q: str) -> str:
    """Search text: at most MAX_QUERY_CHARS characters (anything else is plain text)."""
    if len(q) > MAX_QUERY_CHARS:
        raise ValidationFailed(f"q: at most {MAX_QUERY_CHARS} characters")
    return q


@routes.get("/api/v1/mediatheek/suggest")
@require_scope("read")
async def mediatheek_suggest(request: web.Request) -> web.Response:
    """Titles to offer while typing: same search, only listings free to use now."""
    unknown = sorted(set(request.query) - {"q"})
    if unknown:
        raise ValidationFailed(f"Unknown query parameter(s): {', '.join(unknown)}.")
    q = _check_q(request.query.get("q", ""))
    return web.json_response(
        {"q": q, "suggestions": await services.mediatheek_suggest(request.app, q, iso())}
    )


@routes.get("/api/v1/mediatheek")
@require_scope("read")
async def mediatheek_search(request: web.Request) -> web.Response:
    q = _search_query(request)
    result = await services.mediatheek_search(request.app, q)
    now = iso()
    hits = [
        {
            "id": r["id"],
            "object_id": r["object_id"],
            "origin": r["origin_actor"],
            "origin_name": r.get("origin_name"),
            "kind": r["kind"],
            "title": r["title"],
            "summary": r.get("summary"),
            "tags": r.get("tags"),
            "language": r.get("language"),
            "licence": r.get("licence"),
            "credit": r.get("credit"),
            "usage_terms": r.get("usage_terms"),
            "thumbnail_url": r.get("thumbnail_url"),
            "published_at": r.get("published_at"),
            "embargo_until": r.get("embargo_until"),
            "embargoed": visibility.is_embargoed(r, now),
            "local": bool(r.get("local")),
        }
        for r in result.items
    ]
    next_url = (
        str(request.rel_url.update_query(cursor=result.next_cursor)) if result.next_cursor else None
    )
    return web.json_response(
        {
            "items": hits,
            "total": result.total,
            "total_exact": result.total_exact,
            "facets": result.facets,
            "next": next_url,
        }
    )


@routes.post("/api/v1/mediatheek/{id}/use")
@require_scope("write")
async def mediatheek_use(request: web.Request) -> web.Response:
    try:
        listing_id = int(request.match_info["id"])
    except ValueError as exc:
        raise NotFound("There is no such listing.") from exc
    used = await services.use_listing(request.app, listing_id)
    return web.json_response(used.item, status=201 if used.created else 200)


# -- insight -----------------------------------------------------------------------------


@routes.get("/api/v1/items/{id}/insight")
@require_scope("read")
async def item_insight(request: web.Request) -> web.Response:
    return web.json_response(await services.item_insight(request.app, request.match_info["id"]))


@routes.get("/api/v1/insight")
@require_scope("read")
async def org_insight(request: web.Request) -> web.Response:
    since = request.query.get("since")
    if since:
        try:
            since = iso(parse_iso(since))
        except ValueError as exc:
            raise ValidationFailed(f"since: not an ISO 8601 timestamp ({exc})") from exc
    return web.json_response(await services.organisation_insight(request.app, since))


# -- partners ----------------------------------------------------------------------------


@routes.get("/api/v1/partners")
@require_scope("read")
async def list_partners(request: web.Request) -> web.Response:
    return web.json_response(await services.list_partners(request.app))


@routes.post("/api/v1/partners")
@require_scope("admin")
async def request_partner(request: web.Request) -> web.Response:
    data = await read_json_object(request, ("handle",))
    partner = await services.request_partner(request.app, data.get("handle"))
    return web.json_response(partner, status=201)


@routes.post("/api/v1/partners/{id}/{action:accept|reject|end}")
@require_scope("admin")
async def partner_action(request: web.Request) -> web.Response:
    result = await services.partner_action(
        request.app, request.match_info["id"], request.match_info["action"]
    )
    return web.json_response(result)


# -- federation health and policy -------------------------------------------------------


@routes.get("/api/v1/federation/deliveries")
@require_scope("admin")
async def deliveries(request: web.Request) -> web.Response:
    return web.json_response(await services.delivery_health(request.app))


@routes.post("/api/v1/federation/deliveries/retry")
@require_scope("admin")
async def retry_deliveries(request: web.Request) -> web.Response:
    host = request.query.get("host")
    count = await services.retry_deliveries(request.app, host)
    return web.json_response({"retried": count})


@routes.get("/api/v1/federation/policy")
@require_scope("admin")
async def get_policy(request: web.Request) -> web.Response:
    return web.json_response(
        {
            "rules": await services.domain_rules(request.app),
            "closed_network": services.closed_network(request.app),
        }
    )


@routes.put("/api/v1/federation/policy/{domain}")
@require_scope("admin")
async def put_policy(request: web.Request) -> web.Response:
    data = await read_json_object(request, ("rule",))
    rule = data.get("rule")
    if rule not in ("allow", "block", None):
        raise ValidationFailed("rule: allow, block or null (remove)")
    await services.set_domain_rule(request.app, request.match_info["domain"], rule)
    return web.json_response({"domain": request.match_info["domain"], "rule": rule})


def setup(app: web.Application) -> None:
    from node.http.api import openapi, openapi_sharing

    openapi.register(openapi_sharing.PATHS, openapi_sharing.SCHEMAS)
    app.router.add_routes(routes)
