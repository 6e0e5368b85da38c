"""API tokens (admins only): create one — its secret is shown once —, list, revoke."""

from __future__ import annotations

from aiohttp import web

from admin_ui.i18n import N_, _
from admin_ui.keys import NODE, SESSION, session_of
from admin_ui.render import render
from admin_ui.security import PREFIX, admin_only, redirect
from node import services
from node.core.errors import NotFound

routes = web.RouteTableDef()
SCOPE_LABELS = {
    "read": N_("Lezen"),
    "report": N_("Lezen en publicaties melden (websites)"),
    "write": N_("Lezen en schrijven"),
    "admin": N_("Beheer (alles)"),
}
MAX_LABEL = 200
WEBHOOK_ONCE = "webhook\t"  # a rotated webhook secret riding once in the session


async def _page(
    request: web.Request,
    *,
    created: str = "",
    new_secret: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> web.Response:
    tokens = await services.list_tokens(request.app[NODE])
    hooks = await services.list_webhooks(request.app[NODE])
    return render(
        request,
        "tokens.html",
        {
            "tokens": tokens,
            "webhooks": hooks,
            "new_secret": new_secret,
            "created": created,
            "errors": errors or {},
            "values": values or {"label": "", "scope": "read"},
            "scope_labels": SCOPE_LABELS,
            "notice": notice,
            "max_label": MAX_LABEL,
        },
        status=status,
    )


@routes.get("/tokens", name="tokens")
@admin_only
async def tokens_page(request: web.Request) -> web.Response:
    notice = _("Token ingetrokken.") if request.query.get("revoked") == "1" else ""
    session = session_of(request)
    created, new_secret = session.once, None
    if created:
        request[SESSION] = session.with_once("")
    if created.startswith(WEBHOOK_ONCE):
        url, secret = created.removeprefix(WEBHOOK_ONCE).split("\t", 1)
        created, new_secret = "", {"url": url, "secret": secret}
    return await _page(request, notice=notice, created=created, new_secret=new_secret)


@routes.post("/tokens")
@admin_only
async def create_token(request: web.Request) -> web.Response:
    """Create a token; its secret rides in the sealed session to the next page, once.

    Post/redirect/get keeps a reload from creating a second token; the node keeps
    only the token's hash, so this is the only time anyone sees the secret.
    """
    form = await request.post()
    values = {"label": str(form.get("label", "")).strip(), "scope": str(form.get("scope", ""))}
    errors = {}
    if values["scope"] not in SCOPE_LABELS:
        errors["scope"] = _("Kies een bereik.")
    if not values["label"]:
        errors["label"] = _("Beschrijf waarvoor het token is.")
    elif len(values["label"]) > MAX_LABEL:
        errors["label"] = _(
            "Te lang: maximaal %(max)s tekens, nu %(count)s.",
            max=MAX_LABEL,
            count=len(values["label"]),
        )
    if errors:
        return await _page(request, errors=errors, values=values, status=422)
    _id, secret = await services.create_token(request.app[NODE], values["scope"], values["label"])
    request[SESSION] = session_of(request).with_once(secret)
    return redirect(f"{PREFIX}/tokens")


@routes.post("/tokens/{id}/revoke")
@admin_only
async def revoke_token(request: web.Request) -> web.Response:
    try:
        await services.revoke_token(request.app[NODE], request.match_info["id"])
    except NotFound:
        raise web.HTTPNotFound() from None
    return redirect(f"{PREFIX}/tokens?revoked=1")


@routes.post("/webhooks/{id}/secret")
@admin_only
async def rotate_webhook_secret(request: web.Request) -> web.Response:
    """A new signing secret, shown once on the next page (post/redirect/get, like a token)."""
    try:
        hook = await services.rotate_webhook_secret(request.app[NODE], request.match_info["id"])
    except NotFound:
        raise web.HTTPNotFound() from None
    once = f"{WEBHOOK_ONCE}{hook['url']}\t{hook['secret']}"
    request[SESSION] = session_of(request).with_once(once)
    return redirect(f"{PREFIX}/tokens#webhooks-title")


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
