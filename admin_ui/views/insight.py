"""Insight for the organisation: where its content went, who used it, on which channels.

Charts are plain SVG bar charts drawn on the server (no chart library, no inline
styles, which the Content-Security-Policy forbids); each has a table beside it
with the same numbers, for screen readers and for reading exact values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from admin_ui.desk_state import channel_text, partner_label
from admin_ui.i18n import _
from admin_ui.keys import NODE
from admin_ui.render import render
from admin_ui.sharing_text import EVENT_LABELS
from node import services

routes = web.RouteTableDef()
RANGES = {"7": 7, "30": 30, "90": 90, "all": None}
#: The events shown per day and per partner, in this order.
SHOWN = ("shared", "listed", "used", "published")
BAR_WIDTH = 600


def bars(rows: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """Label, value and bar length (SVG user units) for a horizontal bar chart."""
    top = max((v for _, v in rows), default=0) or 1
    return [
        {
            "label": label,
            "value": value,
            "width": max(1, round(BAR_WIDTH * value / top)),
            "y": n * 28,
        }
        for n, (label, value) in enumerate(rows)
    ]


@routes.get("/insight", name="insight")
async def insight_page(request: web.Request) -> web.Response:
    node = request.app[NODE]
    chosen = request.query.get("range", "30")
    if chosen not in RANGES:
        chosen = "30"
    days = RANGES[chosen]
    since = None
    if days is not None:
        start = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
        since = start.strftime("%Y-%m-%dT00:00:00.000000Z")
    data = await services.organisation_insight(node, since)
    names = await services.partner_names(node)
    per_day = [{"day": row["day"], **{e: row.get(e, 0) for e in SHOWN}} for row in data["per_day"]]
    day_total = [(row["day"], sum(row[e] for e in SHOWN)) for row in per_day]
    per_partner = [
        {
            "name": names.get(row["actor"]) or partner_label(row["actor"]),
            **{e: row.get(e, 0) for e in SHOWN},
        }
        for row in data["per_partner"]
    ]
    channels = sorted(
        ((channel_text(c), n) for c, n in data["per_channel"].items()),
        key=lambda kv: (-kv[1], kv[0]),
    )
    return render(
        request,
        "insight.html",
        {
            "range": chosen,
            "ranges": [
                ("7", _("7 dagen")),
                ("30", _("30 dagen")),
                ("90", _("90 dagen")),
                ("all", _("Alles")),
            ],
            "totals": [(e, _(EVENT_LABELS[e]), n) for e, n in data["totals"].items() if n],
            "per_day": per_day,
            "day_bars": bars(day_total),
            "per_partner": per_partner,
            "partner_bars": bars([(p["name"], p["used"]) for p in per_partner]),
            "channel_bars": bars(channels),
            "shown": [(e, _(EVENT_LABELS[e])) for e in SHOWN],
            "bar_width": BAR_WIDTH,
        },
    )


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
