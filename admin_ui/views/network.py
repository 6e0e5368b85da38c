"""Admin pages for the node's place in the network: partners, federation policy, delivery health.

All admin-only.  Requests go to the node's partnership and federation services
through :mod:`node.services`; admin_ui never talks to the federation engine itself.
"""

from __future__ import annotations

from aiohttp import web

from admin_ui.i18n import N_, _
from admin_ui.keys import NODE
from admin_ui.render import render
from admin_ui.security import PREFIX, admin_only, redirect
from admin_ui.sharing_text import (
    PARTNER_STATES,
    local_time,
    partner_problem_text,
    problem_text,
    zoned_time,
)
from node import services
from node.core.errors import ProblemError

routes = web.RouteTableDef()
PARTNER_NOTICES = {
    "requested": N_(
        "Verzoek verstuurd. De partner ziet het bij zijn partners en moet het accepteren."
    ),
    "accept": N_("Partnerschap geaccepteerd."),
    "reject": N_("Verzoek afgewezen."),
    "end": N_("Partnerschap beëindigd."),
}


# -- partners ----------------------------------------------------------------------------


async def _partners_page(
    request: web.Request, handle: str = "", error: str = "", notice: str = "", status: int = 200
) -> web.Response:
    listed = await services.list_partners(request.app[NODE])
    for row in listed["all"]:
        row["state_label"] = _(PARTNER_STATES.get(row["state"], row["state"]))
        row["since"] = local_time(row["updated_at"])
    return render(
        request,
        "partners.html",
        {"listed": listed, "handle": handle, "error": error, "notice": notice},
        status=status,
    )


@routes.get("/partners", name="partners")
@admin_only
async def partners_page(request: web.Request) -> web.Response:
    done = request.query.get("done", "")
    notice = _(PARTNER_NOTICES[done]) if done in PARTNER_NOTICES else ""
    return await _partners_page(request, notice=notice)


@routes.post("/partners")
@admin_only
async def request_partner(request: web.Request) -> web.Response:
    handle = str((await request.post()).get("handle", "")).strip()[:500]
    if not handle or not (handle.startswith(("https://", "http://")) or "@" in handle):
        return await _partners_page(
            request,
            handle,
            _(
                "Vul een adres in. Gebruik de vorm naam@server.nl, zoals redactie@omroep.example,"
                " of een actor-URL zoals https://omroep.example/actor."
            ),
            status=422,
        )
    try:
        await services.request_partner(request.app[NODE], handle)
    except ProblemError as exc:
        status = exc.status if exc.status < 500 else 502
        return await _partners_page(
            request, handle, partner_problem_text(exc, handle), status=status
        )
    return redirect(f"{PREFIX}/partners?done=requested")


async def _end_page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    """Ending a partnership is asked twice: this page says what ending means and needs a
    ticked confirmation (a plain form, so it works without JavaScript)."""
    listed = await services.list_partners(request.app[NODE])
    partner = next((p for p in listed["all"] if p["id"] == request.match_info["id"]), None)
    if partner is None or partner["state"] == "ended":
        raise web.HTTPNotFound()
    name = partner["name"] or partner["actor"]
    title = (
        _("Partnerschap met %(name)s beëindigen?", name=name)
        if partner["state"] == "active"
        else _("Verzoek aan %(name)s intrekken?", name=name)
    )
    return render(
        request,
        "partner_end.html",
        {"partner": partner, "partner_name": name, "title": title, "error": error},
        status=status,
    )


@routes.get("/partners/{id}/end", name="partner_end")
@admin_only
async def partner_end_page(request: web.Request) -> web.Response:
    return await _end_page(request)


@routes.post("/partners/{id}/{action:accept|reject|end}", name="partner_action")
@admin_only
async def partner_action(request: web.Request) -> web.Response:
    action = request.match_info["action"]
    if action == "end" and (await request.post()).get("confirm") != "yes":
        return await _end_page(
            request,
            _("Niet beëindigd: vink aan dat je het partnerschap wilt beëindigen."),
            status=422,
        )
    try:
        await services.partner_action(request.app[NODE], request.match_info["id"], action)
    except ProblemError as exc:
        if exc.status == 404:
            raise
        status = exc.status if exc.status < 500 else 502
        return await _partners_page(request, error=problem_text(exc), status=status)
    return redirect(f"{PREFIX}/partners?done={action}")


# -- federation policy -----------------------------------------------------------------------


async def _policy_page(
    request: web.Request,
    values: dict[str, str],
    error: str = "",
    notice: str = "",
    status: int = 200,
) -> web.Response:
    node = request.app[NODE]
    rules = await services.domain_rules(node)
    return render(
        request,
        "policy.html",
        {
            "allowed": sorted(d for d, r in rules.items() if r == "allow"),
            "blocked": sorted(d for d, r in rules.items() if r == "block"),
            "closed": services.closed_network(node),
            "values": values,
            "error": error,
            "notice": notice,
        },
        status=status,
    )


@routes.get("/federation/policy", name="policy")
@admin_only
async def policy_page(request: web.Request) -> web.Response:
    notice = _("Beleid opgeslagen.") if request.query.get("done") == "1" else ""
    return await _policy_page(request, {"domain": "", "rule": "block"}, notice=notice)


@routes.post("/federation/policy")
@admin_only
async def set_rule(request: web.Request) -> web.Response:
    form = await request.post()
    values = {
        "domain": str(form.get("domain", "")).strip().lower()[:253],
        "rule": str(form.get("rule", "")),
    }
    rule = {"allow": "allow", "block": "block", "remove": None}.get(values["rule"], "bad")
    domain = values["domain"]
    hint = _("Geef een domeinnaam zoals omroep.example (zonder https:// of pad) en kies een regel.")
    if rule == "bad" or not domain:
        return await _policy_page(request, values, hint, status=422)
    try:
        await services.set_domain_rule(request.app[NODE], domain, rule)
    except ProblemError as exc:
        # The node's one domain check refused it; its reason is for developers (English).
        message = hint if exc.extra.get("field") == "domain" else problem_text(exc)
        return await _policy_page(request, values, message, status=422)
    return redirect(f"{PREFIX}/federation/policy?done=1")


# -- delivery health --------------------------------------------------------------------------


@routes.get("/federation/deliveries", name="deliveries")
@admin_only
async def deliveries_page(request: web.Request) -> web.Response:
    health = await services.delivery_health(request.app[NODE])
    for host in health["failing_hosts"]:
        host["oldest_local"] = zoned_time(host["oldest"])
    retried = request.query.get("retried")
    notice = (
        _("%(count)s bezorging(en) worden nu opnieuw geprobeerd.", count=retried)
        if retried is not None and retried.isdigit()
        else ""
    )
    return render(
        request,
        "deliveries.html",
        {
            "health": health,
            "notice": notice,
            "oldest_local": zoned_time(health.get("oldest_pending")),
        },
    )


@routes.post("/federation/deliveries/retry", name="retry_deliveries")
@admin_only
async def retry(request: web.Request) -> web.Response:
    host = str((await request.post()).get("host", "")).strip() or None
    count = await services.retry_deliveries(request.app[NODE], host)
    return redirect(f"{PREFIX}/federation/deliveries?retried={count}")


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
