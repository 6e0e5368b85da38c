"""Wall screens ("muurkranten"): create a screen, choose its items, delete it.

A screen's address carries its token and is the screen's only credential, so it
is shown here for typing into the display once.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_ui.i18n import N_, _
from admin_ui.keys import NODE
from admin_ui.render import render
from admin_ui.security import PREFIX, redirect
from admin_ui.sharing_text import problem_text, zoned_time
from node import services
from node.core.errors import ProblemError

routes = web.RouteTableDef()
RECENT_ITEMS = 50
NOTICES = {
    "created": N_("Scherm aangemaakt."),
    "saved": N_("Items opgeslagen."),
    "deleted": N_("Scherm verwijderd."),
    "rotated": N_(
        "Nieuw adres gemaakt. Het oude adres werkt niet meer: zet het nieuwe adres op het scherm."
    ),
}


def _choice(item: dict[str, Any], checked: bool) -> dict[str, Any]:
    embargo = item.get("embargo_until")
    return {
        "id": item["id"],
        "title": item["title"],
        "checked": checked,
        "embargo": zoned_time(embargo) if embargo else "",
    }


async def _page(
    request: web.Request,
    values: dict[str, Any],
    error: str = "",
    notice: str = "",
    status: int = 200,
) -> web.Response:
    node = request.app[NODE]
    screens = await services.list_screens(node)
    # Only what the public rule allows is offered: public, not expired.  A public
    # item under embargo may be chosen; the screen shows it once the embargo ends.
    offered = await services.screen_candidates(node, RECENT_ITEMS)
    by_id = {i["id"]: i for i in offered}
    base = services.settings(node).base_url
    for screen in screens:
        screen["url"] = f"{base}/wall/{screen['token']}"
        chosen = [i for i in screen["items"] if i in by_id]
        screen["dropped"] = len(screen["items"]) - len(chosen)
        screen["choices"] = [_choice(by_id[i], True) for i in chosen] + [
            _choice(i, False) for i in offered if i["id"] not in set(chosen)
        ]
    return render(
        request,
        "walls.html",
        {"screens": screens, "values": values, "error": error, "notice": notice},
        status=status,
    )


@routes.get("/walls", name="walls")
async def walls_page(request: web.Request) -> web.Response:
    done = request.query.get("done", "")
    notice = _(NOTICES[done]) if done in NOTICES else ""
    return await _page(request, {"name": "", "rotate": "15", "public": True}, notice=notice)


@routes.post("/walls")
async def create_screen(request: web.Request) -> web.Response:
    form = await request.post()
    values = {
        "name": str(form.get("name", "")).strip(),
        "rotate": str(form.get("rotate", "15")).strip(),
        "public": form.get("public") == "on",
    }
    if not values["name"] or len(values["name"]) > 200:
        error = _("Geef het scherm een naam (maximaal 200 tekens).")
        return await _page(request, values, error, status=422)
    if not values["rotate"].isdigit() or not 3 <= int(values["rotate"]) <= 3600:
        error = _("Wisseltijd: een heel getal van 3 tot 3600 seconden.")
        return await _page(request, values, error, status=422)
    try:
        await services.create_screen(
            request.app[NODE], values["name"], int(values["rotate"]), values["public"]
        )
    except ProblemError as exc:
        return await _page(request, values, problem_text(exc), status=422)
    return redirect(f"{PREFIX}/walls?done=created")


@routes.post("/walls/{id}/items", name="wall_items")
async def set_items(request: web.Request) -> web.Response:
    form = await request.post()
    item_ids = list(dict.fromkeys(str(v) for v in form.getall("item", [])))
    try:
        await services.set_screen_items(request.app[NODE], request.match_info["id"], item_ids)
    except ProblemError as exc:
        if exc.status == 404:
            raise
        values = {"name": "", "rotate": "15", "public": True}
        return await _page(request, values, problem_text(exc), status=422)
    return redirect(f"{PREFIX}/walls?done=saved")


@routes.post("/walls/{id}/token", name="wall_token")
async def rotate(request: web.Request) -> web.Response:
    """A new address for the screen (a leaked address, a display given away)."""
    await services.rotate_screen_url(request.app[NODE], request.match_info["id"])
    return redirect(f"{PREFIX}/walls?done=rotated#wall-{request.match_info['id']}-title")


@routes.post("/walls/{id}/delete", name="wall_delete")
async def delete(request: web.Request) -> web.Response:
    await services.delete_screen(request.app[NODE], request.match_info["id"])
    return redirect(f"{PREFIX}/walls?done=deleted")


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
