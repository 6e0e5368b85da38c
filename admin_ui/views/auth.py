"""Logging in and out, and choosing the interface language."""

from __future__ import annotations

import logging

from aiohttp import web

from admin_ui import i18n
from admin_ui.i18n import _
from admin_ui.keys import CODEC, EXPIRED, LIMITER, NODE, SESSION, USER, session_of
from admin_ui.render import render, render_error
from admin_ui.security import PREFIX, public, redirect
from node import services

log = logging.getLogger("mediakring.admin_ui")
routes = web.RouteTableDef()


def _safe_next(target: str | None) -> str:
    """Only follow a ``next`` that stays inside the admin UI (no open redirect)."""
    if (
        target
        and target.startswith(PREFIX + "/")
        and not target.startswith("//")
        and ("\\" not in target)
    ):
        return target
    return f"{PREFIX}/"


@routes.get("/", name="home")
async def home(request: web.Request) -> web.Response:
    return redirect(f"{PREFIX}/library")


@routes.get("/login", name="login")
@public
async def login_page(request: web.Request) -> web.Response:
    return render(
        request,
        "login.html",
        {
            "next": _safe_next(request.query.get("next")),
            "expired": request.query.get("expired") == "1" or request.get(EXPIRED),
            "logged_out": request.query.get("logged_out") == "1",
            "error": None,
            "username": "",
        },
    )


@routes.post("/login")
@public
async def login(request: web.Request) -> web.Response:
    form = await request.post()
    username = str(form.get("username", "")).strip().lower()
    password = str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")))
    address = request.remote or "unknown"
    limiter = request.app[LIMITER]
    wait = limiter.retry_after(address)
    if wait:
        log.warning("login refused for %s: too many failed attempts", address)
        return render_error(
            request,
            429,
            _(
                "Te veel mislukte inlogpogingen vanaf dit adres. Probeer het over %(seconds)s"
                " seconden opnieuw.",
                seconds=wait,
            ),
            headers={"Retry-After": str(wait)},
        )
    user = await services.authenticate(request.app[NODE], username, password)
    if user is None:
        limiter.failed(address)
        log.info("failed login for %r from %s", username, address)
        return render(
            request,
            "login.html",
            {
                "next": target,
                "expired": False,
                "logged_out": False,
                "username": username,
                "error": _("Onbekende gebruikersnaam of onjuist wachtwoord."),
            },
            status=401,
        )
    request[SESSION] = session_of(request).logged_in(user.username)
    log.info("login of %s from %s", user.username, address)
    return redirect(target)


@routes.post("/logout", name="logout")
async def logout(request: web.Request) -> web.Response:
    session = session_of(request)
    request.app[CODEC].revoke(session)
    request[SESSION] = type(session)(language=session.language)
    return redirect(f"{PREFIX}/login?logged_out=1")


@routes.post("/language", name="language")
@public
async def language(request: web.Request) -> web.Response:
    """Save the language on the account (or, before login, in the session)."""
    form = await request.post()
    chosen = str(form.get("language", ""))
    if chosen not in i18n.LANGUAGES:
        return render_error(request, 400, _("Onbekende taal."))
    user = request.get(USER)
    if user is not None:
        await services.set_user_language(request.app[NODE], user.username, chosen)
    request[SESSION] = session_of(request).with_language(chosen)
    return redirect(_safe_next(str(form.get("next", ""))))


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
