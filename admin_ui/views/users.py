"""Accounts and roles (admins only): add an editor or admin, disable or enable an account."""

from __future__ import annotations

from aiohttp import web

from admin_ui.i18n import N_, _
from admin_ui.keys import NODE, user_of
from admin_ui.refusals import refusal_text
from admin_ui.render import render
from admin_ui.security import PREFIX, admin_only, redirect
from node import services
from node.core.accounts import valid_username
from node.core.errors import Conflict, NotFound, ValidationFailed

routes = web.RouteTableDef()
ROLE_LABELS = {"editor": N_("Redacteur"), "admin": N_("Beheerder")}
MIN_PASSWORD = 10


async def _page(
    request: web.Request,
    values: dict[str, str],
    errors: dict[str, str],
    notice: str = "",
    status: int = 200,
) -> web.Response:
    users = await services.list_users(request.app[NODE])
    return render(
        request,
        "users.html",
        {
            "users": users,
            "values": values,
            "errors": errors,
            "notice": notice,
            "role_labels": ROLE_LABELS,
            "min_password": MIN_PASSWORD,
        },
        status=status,
    )


@routes.get("/users", name="users")
@admin_only
async def users_page(request: web.Request) -> web.Response:
    notices = {"added": _("Account aangemaakt."), "changed": _("Account bijgewerkt.")}
    return await _page(
        request,
        {"username": "", "role": "editor"},
        {},
        notices.get(request.query.get("done", ""), ""),
    )


@routes.post("/users")
@admin_only
async def add_user(request: web.Request) -> web.Response:
    form = await request.post()
    values = {
        "username": str(form.get("username", "")).strip().lower(),
        "role": str(form.get("role", "")),
    }
    password = str(form.get("password", ""))
    # every field is checked before anything is tried, so all errors show at once
    errors: dict[str, str] = {}
    existing = {u.username for u in await services.list_users(request.app[NODE])}
    if not values["username"]:
        errors["username"] = _("Vul een gebruikersnaam in.")
    elif not valid_username(values["username"]):
        errors["username"] = _(
            "2 tot 32 tekens: kleine letters, cijfers, punt, liggend streepje of koppelteken."
        )
    elif values["username"] in existing:
        errors["username"] = _("Deze gebruikersnaam bestaat al.")
    if values["role"] not in ROLE_LABELS:
        errors["role"] = _("Kies een rol.")
    if len(password) < MIN_PASSWORD:
        errors["password"] = _("Minstens %(min)s tekens.", min=MIN_PASSWORD)
    if not errors:
        try:
            await services.add_user(request.app[NODE], values["username"], values["role"], password)
        except Conflict:  # a colleague was quicker
            errors["username"] = _("Deze gebruikersnaam bestaat al.")
        except ValidationFailed as exc:
            errors["form"] = refusal_text(exc)
        else:
            return redirect(f"{PREFIX}/users?done=added")
    return await _page(request, values, errors, _("Account niet aangemaakt."), status=422)


@routes.post("/users/{username}/disabled")
@admin_only
async def set_disabled(request: web.Request) -> web.Response:
    username = request.match_info["username"]
    disable = (await request.post()).get("disabled") == "1"
    if disable and username == user_of(request).username:
        return await _page(
            request,
            {"username": "", "role": "editor"},
            {},
            _("Je kunt je eigen account niet uitschakelen."),
            status=409,
        )
    try:
        await services.set_user_disabled(request.app[NODE], username, disable)
    except NotFound:
        raise web.HTTPNotFound() from None
    return redirect(f"{PREFIX}/users?done=changed")


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
