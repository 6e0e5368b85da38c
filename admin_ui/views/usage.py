"""Gebruik: the usage report of a month, quarter or year, and the coordinator's overview.

The figures come from :mod:`node.services.usage` (the same as the API's); charts are the
server-drawn SVG bars of the insight page, each with a table of the same numbers.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_ui.i18n import N_, _
from admin_ui.keys import NODE
from admin_ui.render import render, render_error
from admin_ui.security import PREFIX, admin_only, redirect
from admin_ui.views.insight import BAR_WIDTH, bars
from node import services
from node.core.errors import NotFound, ValidationFailed
from node.services import usage, usage_network

routes = web.RouteTableDef()
FIGURE_LABELS = {
    "items_made": N_("Items gemaakt"),
    "items_shared": N_("Items gedeeld met partners"),
    "items_listed": N_("Items in de mediatheek gezet"),
    "uses_by_partners": N_("Gebruik van onze items door partners"),
    "uses_of_partner_items": N_("Items van partners die wij gebruikten"),
    "publications_by_partners": N_("Publicaties van onze items door partners"),
    "publications_reported": N_("Publicaties die wij meldden"),
    "followers": N_("Volgers (einde periode)"),
    "new_followers": N_("Nieuwe volgers"),
    "feed_requests": N_("Feedverzoeken"),
    "embed_requests": N_("Embedverzoeken"),
    "wall_requests": N_("Verzoeken van muurkranten"),
    "wall_screens": N_("Muurkrantschermen (einde periode)"),
    "wall_screens_active": N_("Actieve muurkrantschermen"),
    "deliveries_sent": N_("Bezorgingen aan andere nodes"),
    "storage_bytes": N_("Opslag in gebruik"),
}
SHORT_LABELS = {
    "items_made": N_("Gemaakt"),
    "items_shared": N_("Gedeeld"),
    "items_listed": N_("Mediatheek"),
    "uses_by_partners": N_("Gebruikt door partners"),
    "uses_of_partner_items": N_("Gebruikt van partners"),
    "publications_by_partners": N_("Gepubliceerd door partners"),
    "publications_reported": N_("Publicaties gemeld"),
    "followers": N_("Volgers"),
    "new_followers": N_("Nieuwe volgers"),
    "feed_requests": N_("Feeds"),
    "embed_requests": N_("Embeds"),
    "wall_requests": N_("Muurkranten"),
    "wall_screens": N_("Schermen"),
    "wall_screens_active": N_("Actieve schermen"),
    "deliveries_sent": N_("Bezorgingen"),
    "storage_bytes": N_("Opslag"),
}
KIND_LABELS = {
    "community": N_("Gemeenschap / vrijwilligers"),
    "commercial": N_("Commercieel"),
    "unknown": N_("Nog niet bepaald"),
}
PERIOD_LABELS = {"month": N_("Maanden"), "quarter": N_("Kwartalen"), "year": N_("Jaren")}
CHOICES = {"month": 24, "quarter": 8, "year": 5}


def storage(n: int) -> str:
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GB"
    if n >= 1024**2:
        return f"{n / 1024**2:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} kB"
    return f"{n} B"


def shown(name: str, value: int) -> str:
    return storage(value) if name == "storage_bytes" else str(value)


def period_choices() -> list[tuple[str, list[str]]]:
    """The picker's options: the last 24 months, 8 quarters and 5 years."""
    out = []
    for kind, count in CHOICES.items():
        period, labels = usage.current_period(kind), []
        for _n in range(count):
            labels.append(period.label)
            period = period.previous()
        out.append((kind, labels))
    return out


def _parse_choice(raw: str) -> tuple[str, str | None]:
    kind, _sep, at = raw.partition(":")
    return kind or "month", at or None


@routes.get("/usage", name="usage")
async def usage_page(request: web.Request) -> web.Response:
    node = request.app[NODE]
    chosen = request.query.get("p", "")
    kind, at = _parse_choice(chosen)
    error = ""
    try:
        report = await usage.usage_report(node, kind, at)
    except ValidationFailed:
        error = _("Deze periode bestaat niet of ligt in de toekomst; de huidige maand staat hier.")
        report = await usage.usage_report(node, "month", None)
    choice = f"{report['period']}:{report['at']}"
    figures = report["figures"]
    reach = [
        sum(report["series"][f][i] for f in ("feed_requests", "embed_requests", "wall_requests"))
        for i in range(len(report["buckets"]))
    ]
    work = [
        report["series"]["items_made"][i]
        + report["series"]["uses_by_partners"][i]
        + report["series"]["uses_of_partner_items"][i]
        for i in range(len(report["buckets"]))
    ]
    settings = services.settings(node)
    series_names = [f for f in usage.FIGURES if f in report["series"]]
    busy = [
        i
        for i in range(len(report["buckets"]))
        if any(report["series"][f][i] for f in series_names)
    ]
    context: dict[str, Any] = {
        "report": report,
        "error": error,
        "choice": choice,
        "choices": [(k, _(PERIOD_LABELS[k]), labels) for k, labels in period_choices()],
        "figures": [(f, _(FIGURE_LABELS[f]), shown(f, figures[f])) for f in usage.FIGURES],
        "reach_bars": bars([(report["buckets"][i], reach[i]) for i in busy if reach[i]]),
        "work_bars": bars([(report["buckets"][i], work[i]) for i in busy if work[i]]),
        "series_names": [(f, _(SHORT_LABELS[f])) for f in series_names],
        "rows": [
            (report["buckets"][i], [report["series"][f][i] for f in series_names]) for i in busy
        ],
        "bar_width": BAR_WIDTH,
        "coordinator": settings.usage_coordinator,
        "opted_in": settings.usage_report_opt_in and bool(settings.usage_coordinator),
        "collecting": settings.usage_collect_reports,
        "sent": await usage_network.sent_reports(node),
    }
    return render(request, "usage.html", context)


@routes.get("/usage.csv", name="usage_csv")
async def usage_csv(request: web.Request) -> web.Response:
    kind, at = _parse_choice(request.query.get("p", ""))
    try:
        report = await usage.usage_report(request.app[NODE], kind, at)
    except ValidationFailed:
        return render_error(request, 422, _("Deze periode bestaat niet of ligt in de toekomst."))
    return web.Response(
        text=usage.report_csv(report),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="usage-{report["at"]}.csv"'},
    )


@routes.get("/usage/network", name="usage_network")
@admin_only
async def network_page(request: web.Request) -> web.Response:
    node = request.app[NODE]
    error = ""
    try:
        overview = await usage_network.network_overview(node, request.query.get("at") or None)
    except ValidationFailed:
        error = _("Deze maand bestaat niet of ligt in de toekomst; de vorige maand staat hier.")
        overview = await usage_network.network_overview(node, None)
    months = period_choices()[0][1]
    notices = {"kind": _("Soort deelnemer opgeslagen.")}
    return render(
        request,
        "usage_network.html",
        {
            "overview": overview,
            "error": error,
            "notice": notices.get(request.query.get("done", ""), ""),
            "months": months,
            "columns": [(f, _(SHORT_LABELS[f])) for f in usage.FIGURES],
            "rows": [
                {**row, "cells": [shown(f, row["figures"].get(f, 0)) for f in usage.FIGURES]}
                for row in overview["rows"]
            ],
            "totals": [shown(f, overview["totals"][f]) for f in usage.FIGURES],
            "kinds": [(k, _(label)) for k, label in KIND_LABELS.items()],
        },
    )


@routes.post("/usage/network/kind")
@admin_only
async def set_kind(request: web.Request) -> web.Response:
    form = await request.post()
    at = str(form.get("at", ""))
    try:
        await usage_network.set_participant_kind(
            request.app[NODE], str(form.get("actor", "")), str(form.get("kind", ""))
        )
    except (ValidationFailed, NotFound):
        return render_error(request, 422, _("Kies een soort deelnemer van het netwerk."))
    return redirect(f"{PREFIX}/usage/network?at={at}&done=kind")


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
