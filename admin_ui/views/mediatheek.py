"""The mediatheek: search the network-wide library, with facets, previews and "Gebruiken".

Search runs on the node's local index (own and partners' listings), so it never
waits on the network.  Thumbnails of partner listings come through the
authorized-fetch proxy; those of our own listings straight from the media store.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from admin_ui.forms import KIND_LABELS, language_name, licence_name
from admin_ui.i18n import N_, _
from admin_ui.keys import NODE
from admin_ui.render import render
from admin_ui.security import PREFIX, redirect
from admin_ui.sharing_text import local_time, problem_text, remote_files, zoned_time
from node import services
from node.core.clock import iso
from node.core.errors import NotFound, ProblemError
from node.items import visibility
from node.items.model import KINDS
from node.mediatheek.query import SearchQuery

routes = web.RouteTableDef()
PAGE_SIZE = 24
FILTERS = ("kind", "org", "tag", "language", "licence")
FACET_LABELS = {
    "kind": N_("Soort"),
    "org": N_("Organisatie"),
    "tag": N_("Tag"),
    "language": N_("Taal"),
    "licence": N_("Licentie"),
    "embargoed": N_("Embargo"),
}
_OWN_MEDIA = re.compile(r"/media/([A-Za-z0-9_-]+)/thumbnail$")


def thumb_url(listing: dict[str, Any], base_url: str) -> str | None:
    url = listing.get("thumbnail_url")
    if not url:
        return None
    if listing.get("local") and url.startswith(base_url):
        match = _OWN_MEDIA.search(url)
        if match:
            return f"{PREFIX}/media/{match[1]}/renditions/thumbnail"
    return f"{PREFIX}/proxy/thumbnail?listing={listing['id']}"


def _query(request: web.Request) -> tuple[dict[str, str], SearchQuery]:
    q = request.query
    values = {name: q.get(name, "").strip()[:200] for name in ("q", *FILTERS)}
    if values["kind"] not in KINDS:
        values["kind"] = ""
    values["embargoed"] = q.get("embargoed", "") if q.get("embargoed") in ("true", "false") else ""
    values["sort"] = "date" if q.get("sort") == "date" else "relevance"
    cursor = q.get("cursor") or None
    search = SearchQuery(
        q=values["q"],
        **{name: values[name] or None for name in FILTERS},
        embargoed={"true": True, "false": False}.get(values["embargoed"]),
        sort=values["sort"],
        limit=PAGE_SIZE,
        cursor=cursor,
        facets=True,
        now=iso(),
    )
    return values, search


def _facet_links(request: web.Request, facets: dict[str, dict[str, int]], org_names):
    out = []
    for name, counts in facets.items():
        if not counts or name not in FACET_LABELS:
            continue
        entries = []
        for value, count in counts.items():
            if name == "kind":
                label = _(KIND_LABELS.get(value, value))
            elif name == "org":
                label = org_names.get(value) or value
            elif name == "embargoed":
                label = _("Onder embargo") if value == "true" else _("Vrij te gebruiken")
            elif name == "language":
                label = language_name(value)
            elif name == "licence":
                label = licence_name(value)
            else:
                label = value
            params = {k: v for k, v in request.query.items() if k != "cursor"}
            url = request.rel_url.with_query({**params, name: value})
            entries.append({"label": label, "count": count, "url": str(url)})
        out.append({"name": name, "label": _(FACET_LABELS[name]), "entries": entries})
    return out


def filter_chips(request: web.Request, values: dict[str, str], org_names) -> list[dict[str, str]]:
    """One removable chip per active filter: its label and the URL without it."""
    chips = []
    for name in (*FILTERS, "embargoed"):
        value = values.get(name)
        if not value:
            continue
        if name == "kind":
            shown = _(KIND_LABELS.get(value, value))
        elif name == "org":
            shown = org_names.get(value) or value
        elif name == "embargoed":
            shown = _("Onder embargo") if value == "true" else _("Vrij te gebruiken")
        else:
            shown = value
        params = {k: v for k, v in request.query.items() if k not in (name, "cursor")}
        url = request.rel_url.with_query(params)
        chips.append({"label": f"{_(FACET_LABELS[name])}: {shown}", "url": str(url), "name": name})
    return chips


def empty_hints(request: web.Request, q: str, chips: list[dict[str, str]]) -> list[dict[str, str]]:
    """What to try when nothing was found: drop the filters, use fewer words."""
    hints = []
    if chips:
        params = {k: v for k, v in request.query.items() if k in ("q", "sort")}
        url = str(request.rel_url.with_query(params))
        hints.append({"text": _("Verwijder een filter, of zoek zonder filters."), "url": url})
    words = q.split()
    if len(words) > 1:
        params = {k: v for k, v in request.query.items() if k != "cursor"}
        url = str(request.rel_url.with_query({**params, "q": words[0]}))
        hints.append(
            {
                "text": _("Gebruik minder woorden, bijvoorbeeld alleen “%(word)s”.", word=words[0]),
                "url": url,
            }
        )
    hints.append(
        {
            "text": _(
                "Controleer de spelling, of typ het begin van een woord: “kerm” vindt ook “kermis”."
            ),
            "url": "",
        }
    )
    return hints


@routes.get("/mediatheek/suggest", name="mediatheek_suggest")
async def mediatheek_suggest(request: web.Request) -> web.Response:
    """Titles for the search box's suggestion list, as JSON (same rules as the search)."""
    q = request.query.get("q", "")[:500]
    titles = await services.mediatheek_suggest(request.app[NODE], q, iso())
    return web.json_response({"q": q, "suggestions": titles})


@routes.get("/mediatheek", name="mediatheek")
async def mediatheek_page(request: web.Request) -> web.Response:
    node = request.app[NODE]
    values, search = _query(request)
    try:
        result = await services.mediatheek_search(node, search)
    except ValueError:
        raise web.HTTPBadRequest() from None
    base_url = services.settings(node).base_url
    org_names: dict[str, str] = {}
    hits = []
    for listing in result.items:
        org_names[listing["origin_actor"]] = listing.get("origin_name") or listing["origin_actor"]
        hits.append(
            {
                **listing,
                "kind_label": _(KIND_LABELS.get(listing["kind"], listing["kind"])),
                "thumb": thumb_url(listing, base_url),
                "embargo_local": zoned_time(listing.get("embargo_until")),
            }
        )
    next_url = (
        str(request.rel_url.update_query(cursor=result.next_cursor)) if result.next_cursor else None
    )
    if values["org"] and values["org"] not in org_names:
        org_names[values["org"]] = await services.mediatheek_origin_name(node, values["org"])
    chips = filter_chips(request, values, org_names)
    return render(
        request,
        "mediatheek.html",
        {
            "values": values,
            "hits": hits,
            "total": result.total,
            "total_exact": result.total_exact,
            "facets": _facet_links(request, result.facets, org_names),
            "kinds": KINDS,
            "kind_labels": KIND_LABELS,
            "next_url": next_url,
            "filtered": any(values[n] for n in (*FILTERS, "embargoed")),
            "chips": chips,
            "hints": [] if hits else empty_hints(request, values["q"], chips),
        },
    )


async def _listing_page(
    request: web.Request,
    listing_id: int,
    error: str = "",
    status: int = 200,
    embargo_alert: bool = False,
) -> web.Response:
    node = request.app[NODE]
    listing = await services.get_listing(node, listing_id)
    listing["embargoed"] = visibility.is_embargoed(listing)
    return render(
        request,
        "listing.html",
        {
            "listing": listing,
            "kind_label": _(KIND_LABELS.get(listing["kind"], listing["kind"])),
            "thumb": thumb_url(listing, services.settings(node).base_url),
            "files": remote_files(
                listing["media"],
                f"{PREFIX}/proxy/media?listing={listing_id}",
                services.settings(node).base_url if listing.get("local") else None,
            ),
            "embargo_local": zoned_time(listing.get("embargo_until")),
            "published_local": local_time(listing.get("published_at")),
            "error": error,
            "embargo_alert": embargo_alert,
        },
        status=status,
    )


def _listing_id(request: web.Request) -> int:
    raw = request.match_info["id"]
    if not raw.isdigit():
        raise web.HTTPNotFound()
    return int(raw)


@routes.get("/mediatheek/{id}", name="listing")
async def listing_page(request: web.Request) -> web.Response:
    return await _listing_page(request, _listing_id(request))


@routes.post("/mediatheek/{id}/use", name="use_listing")
async def use_listing(request: web.Request) -> web.Response:
    listing_id = _listing_id(request)
    try:
        used = await services.use_listing(request.app[NODE], listing_id)
    except NotFound:
        raise
    except ProblemError as exc:
        status = exc.status if exc.status < 500 else 502
        # an embargo refusal repeats what the page already says: the page says it once
        return await _listing_page(
            request,
            listing_id,
            problem_text(exc),
            status=status,
            embargo_alert=exc.code == "embargoed",
        )
    # A second click (or a colleague's) lands on the one copy we already have.
    return redirect(f"{PREFIX}/items/{used.item['id']}?used={'1' if used.created else 'already'}")


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
