"""Rendering pages with what every template needs: user, CSRF token, language, navigation."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from admin_ui.i18n import N_, _, current_language
from admin_ui.keys import NODE, SESSION, UNREAD, USER
from node import services

#: (route name, label, admin only) of the main navigation, in order.
NAVIGATION = (
    ("library", N_("Bibliotheek"), False),
    ("upload", N_("Uploaden"), False),
    ("new_item", N_("Nieuw item"), False),
    ("shared", N_("Gedeeld met ons"), False),
    ("mediatheek", N_("Mediatheek"), False),
    ("agenda", N_("Agenda"), False),
    ("notifications", N_("Meldingen"), False),
    ("contributions", N_("Bijdragen"), False),
    ("insight", N_("Inzicht"), False),
    ("usage", N_("Gebruik"), False),
    ("walls", N_("Muurkranten"), False),
    ("partners", N_("Partners"), True),
    ("policy", N_("Federatiebeleid"), True),
    ("deliveries", N_("Bezorging"), True),
    ("users", N_("Gebruikers"), True),
    ("organisation", N_("Organisatie"), True),
    ("tokens", N_("API-tokens"), True),
)
_STATUS_TITLES = {
    400: N_("Onjuist verzoek"),
    401: N_("Niet ingelogd"),
    403: N_("Geen toegang"),
    404: N_("Niet gevonden"),
    405: N_("Niet toegestaan"),
    409: N_("Conflict"),
    413: N_("Te groot"),
    415: N_("Bestandstype niet ondersteund"),
    422: N_("Ongeldige invoer"),
    429: N_("Te veel pogingen"),
}


def base_context(request: web.Request) -> dict[str, Any]:
    session = request.get(SESSION)
    user = request.get(USER)
    router = request.app.router
    nav = [
        {"url": router[name].url_for(), "label": _(label), "name": name}
        for name, label, admin in NAVIGATION
        if user is not None and (not admin or user.role == "admin")
    ]
    return {
        "user": user,
        "csrf": session.csrf if session else "",
        "lang": current_language(),
        "nav": nav,
        "current_route": request.match_info.route.name if request.match_info.route else None,
        "path_qs": request.path_qs,
        "unread": request.get(UNREAD, 0),
        "org": services.current_profile(request.app[NODE]),
    }


def render(
    request: web.Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> web.Response:
    """Render a template inside the admin layout, in the request's language."""
    return aiohttp_jinja2.render_template(
        template, request, {**base_context(request), **(context or {})}, status=status
    )


def render_error(
    request: web.Request, status: int, detail: str, headers: dict[str, str] | None = None
) -> web.Response:
    """The HTML error page: a heading for the status and the reason in words."""
    response = render(
        request,
        "error.html",
        {
            "status": status,
            "title": _(_STATUS_TITLES.get(status, N_("Fout"))),
            "detail": detail,
        },
        status=status,
    )
    response.headers.update(headers or {})
    return response
