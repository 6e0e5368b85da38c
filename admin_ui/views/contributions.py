"""Moderating contributions: what citizens sent, with their files; accept or reject.

Accepting turns a contribution into a draft item credited to the contributor;
rejecting keeps the reason and tells the contributor (fediverse reply or e-mail).
The files of a pending contribution are shown only here, to logged-in editors.
"""

from __future__ import annotations

from aiohttp import web

from admin_ui.i18n import N_, _
from admin_ui.keys import NODE
from admin_ui.render import render
from admin_ui.security import PREFIX, redirect
from admin_ui.sharing_text import local_time, problem_text
from node import services
from node.core.errors import ProblemError

routes = web.RouteTableDef()
STATUS_LABELS = {
    "pending": N_("Te beoordelen"),
    "accepted": N_("Geaccepteerd"),
    "rejected": N_("Afgewezen"),
}
MAX_REASON = 2000


async def _page(
    request: web.Request, error: str = "", notice: str = "", status: int = 200
) -> web.Response:
    shown = request.query.get("status", "pending")
    if shown not in STATUS_LABELS:
        shown = "pending"
    rows = await services.list_contributions(request.app[NODE], shown)
    for row in rows:
        row["received_local"] = local_time(row["received_at"])
        for media in row["media"]:
            media["src"] = f"{PREFIX}/contributions/{row['id']}/media/{media['position']}"
            media["kind"] = (media["media_type"] or "").split("/")[0]
    return render(
        request,
        "contributions.html",
        {
            "rows": rows,
            "shown": shown,
            "status_labels": STATUS_LABELS,
            "error": error,
            "notice": notice,
            "max_reason": MAX_REASON,
            # a web contributor is only told by e-mail, which needs an SMTP server
            "mail_configured": bool(services.settings(request.app[NODE]).smtp_url),
        },
        status=status,
    )


@routes.get("/contributions", name="contributions")
async def contributions_page(request: web.Request) -> web.Response:
    notice = _("Bijdrage afgewezen.") if request.query.get("done") == "rejected" else ""
    return await _page(request, notice=notice)


@routes.get("/contributions/{id}/media/{position:\\d+}", name="contribution_file")
async def contribution_file(request: web.Request) -> web.StreamResponse:
    return await services.contribution_file(
        request.app[NODE], request.match_info["id"], int(request.match_info["position"])
    )


@routes.post("/contributions/{id}/accept", name="accept_contribution")
async def accept(request: web.Request) -> web.Response:
    try:
        item = await services.accept_contribution(request.app[NODE], request.match_info["id"])
    except ProblemError as exc:
        if exc.status == 404:
            raise
        return await _page(request, problem_text(exc), status=min(exc.status, 502))
    return redirect(f"{PREFIX}/items/{item['id']}?contribution=1")


@routes.post("/contributions/{id}/reject", name="reject_contribution")
async def reject(request: web.Request) -> web.Response:
    reason = str((await request.post()).get("reason", "")).strip()
    if len(reason) > MAX_REASON:
        error = _("De reden is te lang: maximaal %(max)s tekens.", max=MAX_REASON)
        return await _page(request, error, status=422)
    try:
        await services.reject_contribution(request.app[NODE], request.match_info["id"], reason)
    except ProblemError as exc:
        if exc.status == 404:
            raise
        return await _page(request, problem_text(exc), status=min(exc.status, 502))
    return redirect(f"{PREFIX}/contributions?done=rejected")


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
