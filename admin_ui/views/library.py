"""The library: the node's own items as a grid with thumbnails, filters, search and paging."""

from __future__ import annotations

from aiohttp import web

from admin_ui.desk_state import STATE_LABELS, badges, file_count
from admin_ui.forms import KIND_LABELS
from admin_ui.i18n import _
from admin_ui.keys import NODE
from admin_ui.kinds_form import card_date
from admin_ui.render import render
from admin_ui.views.imports import import_notice
from admin_ui.views.items import admin_media
from node import services
from node.items.model import KINDS

routes = web.RouteTableDef()
PAGE_SIZE = 24


@routes.get("/library", name="library")
async def library(request: web.Request) -> web.Response:
    query = request.query
    filters = {
        "kind": query.get("kind", "") if query.get("kind") in KINDS else "",
        "tag": query.get("tag", "").strip()[:64],
        "q": query.get("q", "").strip()[:200],
        "state": query.get("state", "").strip()[:32],
    }
    state_error, status = "", 200
    if filters["state"] and filters["state"] not in STATE_LABELS:
        state_error, status = (
            _(
                "Onbekende status “%(state)s”: kies een status uit de lijst.",
                state=filters["state"],
            ),
            422,
        )
        filters["state"] = ""
    cursor = query.get("cursor") or None
    node = request.app[NODE]
    page, next_cursor = await services.list_items(
        node, {k: v for k, v in filters.items() if v}, PAGE_SIZE, cursor
    )
    states = await services.item_states(node, page)
    cards = []
    for item in page:
        media = [admin_media(m) for m in item["media"]]
        cards.append(
            {
                "item": item,
                "kind_label": _(KIND_LABELS.get(item["kind"], item["kind"])),
                "thumb": next((m["thumb"] for m in media if m["thumb"]), None),
                "media_count": len(media),
                "files": file_count(len(media)) if media else "",
                "badges": badges(states[item["id"]].to_json()),
                "when": card_date(item),
            }
        )
    next_url = str(request.rel_url.update_query(cursor=next_cursor)) if next_cursor else None
    chips = _chips(request, filters)
    notice = _("Item verwijderd.") if query.get("deleted") == "1" else ""
    import_message, import_kind = import_notice(query)
    return render(
        request,
        "library.html",
        {
            "cards": cards,
            "filters": filters,
            "kinds": KINDS,
            "kind_labels": KIND_LABELS,
            "state_labels": STATE_LABELS,
            "state_error": state_error,
            "next_url": next_url,
            "first_url": request.rel_url.without_query_params("cursor") if cursor else None,
            "notice": notice,
            "chips": chips,
            "clear_url": "/admin/library",
            "import_message": import_message,
            "import_kind": import_kind,
        },
        status=status,
    )


def _chips(request: web.Request, filters: dict[str, str]) -> list[dict[str, str]]:
    """The active search and filters as removable chips (label, URL without it)."""
    labels = {"q": _("Zoeken"), "kind": _("Soort"), "tag": _("Tag")}
    chips = []
    for name in ("q", "kind", "tag"):
        value = filters.get(name)
        if not value:
            continue
        shown = _(KIND_LABELS.get(value, value)) if name == "kind" else value
        params = {k: v for k, v in request.query.items() if k not in (name, "cursor")}
        chips.append(
            {"label": f"{labels[name]}: {shown}", "url": str(request.rel_url.with_query(params))}
        )
    return chips


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
