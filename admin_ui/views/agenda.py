"""The editors' agenda: this node's own events and the network's, by week or by month.

Own events (drafts too) come from the items service; partners' from the
network agenda query (their mediatheek listings).  When an event
falls is decided by ``node.items.kinds`` (its window and whether it is past),
never here: this module only lays the windows out on days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from admin_ui.forms import LOCAL_TIME
from admin_ui.i18n import N_, _, current_language
from admin_ui.keys import NODE
from admin_ui.kinds_form import EVENT_STATUSES
from admin_ui.render import render
from node import services
from node.items import kinds

routes = web.RouteTableDef()
VIEWS = ("week", "month")
PAGE = 100
MONTHS = (
    N_("januari"), N_("februari"), N_("maart"), N_("april"), N_("mei"), N_("juni"),
    N_("juli"), N_("augustus"), N_("september"), N_("oktober"), N_("november"), N_("december"),
)  # fmt: skip
WEEKDAYS = (N_("ma"), N_("di"), N_("wo"), N_("do"), N_("vr"), N_("za"), N_("zo"))


def _range(view: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day shown: a week from Monday, or whole weeks covering a month."""
    if view == "week":
        first = day - dt.timedelta(days=day.weekday())
        return first, first + dt.timedelta(days=6)
    start = day.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    first = start - dt.timedelta(days=start.weekday())
    last = following - dt.timedelta(days=1)
    return first, last + dt.timedelta(days=6 - last.weekday())


def _entry(details: dict[str, Any], **fields: Any) -> dict[str, Any] | None:
    try:
        start, end = kinds.event_window(details)
        if kinds.is_past(details, dt.datetime.now(dt.UTC)):
            return None  # past events leave the agenda; they stay in the library
    except (KeyError, ValueError, TypeError):
        return None
    zone = ZoneInfo(details.get("timezone") or "Europe/Amsterdam")
    return {
        **fields,
        "start": start,
        "end": end,
        "all_day": bool(details.get("all_day")),
        "time": "" if details.get("all_day") else start.astimezone(zone).strftime("%H:%M"),
        "status": details.get("status") or "scheduled",
        "place": (details.get("place") or {}).get("name")
        or ("online" if details.get("online_url") else ""),
    }


async def _own_events(node: web.Application) -> list[dict[str, Any]]:
    own = services.organisation_name(node)
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        page, cursor = await services.list_items(node, {"kind": "event"}, PAGE, cursor)
        for item in page:
            entry = _entry(
                item.get("details") or {},
                title=item["title"],
                organisation=own,
                own=True,
                url=f"/admin/items/{item['id']}",
            )
            if entry:
                out.append(entry)
        if not cursor:
            return out


async def _network_events(node: web.Application, first: dt.datetime, last: dt.datetime):
    """Partners' listed events in the window (own ones come from the items service)."""
    out = []
    for entry in await services.network_agenda(node, since=first, until=last):
        if entry.get("local"):
            continue
        key = str(entry.get("key") or "")
        found = _entry(
            entry.get("details") or {},
            title=entry.get("title") or "",
            organisation=entry.get("origin_name") or entry.get("origin_actor") or "",
            own=False,
            url=f"/admin/mediatheek/{key[1:]}" if key.startswith("l") else "",
        )
        if found:
            out.append(found)
    return out


@routes.get("/agenda", name="agenda")
async def agenda_page(request: web.Request) -> web.Response:
    node = request.app[NODE]
    query = request.query
    view = query.get("view") if query.get("view") in VIEWS else "week"
    try:
        day = dt.date.fromisoformat(query.get("date", ""))
    except ValueError:
        day = dt.datetime.now(LOCAL_TIME).date()
    organisation = query.get("org", "").strip()[:200]
    first, last = _range(view, day)
    since = dt.datetime.combine(first, dt.time(), tzinfo=LOCAL_TIME)
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=LOCAL_TIME)
    events = await _own_events(node) + await _network_events(node, since, until)
    organisations = sorted({e["organisation"] for e in events if e["organisation"]})
    shown = [
        e
        for e in events
        if e["end"] > since and e["start"] < until
        and (not organisation or e["organisation"] == organisation)
    ]  # fmt: skip
    shown.sort(key=lambda e: (e["start"], e["title"]))
    today = dt.datetime.now(LOCAL_TIME).date()
    days = []
    cursor = first
    while cursor <= last:
        start = dt.datetime.combine(cursor, dt.time(), tzinfo=LOCAL_TIME)
        end = start + dt.timedelta(days=1)
        days.append(
            {
                "date": cursor,
                "label": f"{_(WEEKDAYS[cursor.weekday()])} {cursor.day}"
                f" {_(MONTHS[cursor.month - 1])}",
                "other_month": view == "month" and cursor.month != day.month,
                "today": cursor == today,
                "events": [e for e in shown if e["start"] < end and e["end"] > start],
            }
        )
        cursor += dt.timedelta(days=1)
    step = dt.timedelta(days=7) if view == "week" else dt.timedelta(days=31)
    previous = day - step if view == "week" else (day.replace(day=1) - dt.timedelta(days=1))
    following = day + step if view == "week" else (day.replace(day=28) + dt.timedelta(days=4))

    def link(**changes: str) -> str:
        params = {"view": view, "date": day.isoformat(), "org": organisation, **changes}
        return str(request.rel_url.with_query({k: v for k, v in params.items() if v}))

    if view == "week":
        title = _(
            "Week van %(first)s tot en met %(last)s",
            first=f"{first.day} {_(MONTHS[first.month - 1])}",
            last=f"{last.day} {_(MONTHS[last.month - 1])} {last.year}",
        )
    else:
        title = f"{_(MONTHS[day.month - 1])} {day.year}"
    return render(
        request,
        "agenda.html",
        {
            "view": view,
            "title": title,
            "days": days,
            "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
            "weekdays": [_(w) for w in WEEKDAYS],
            "organisations": organisations,
            "organisation": organisation,
            "statuses": EVENT_STATUSES,
            "count": len(shown),
            "previous_url": link(date=previous.isoformat()),
            "next_url": link(date=following.isoformat()),
            "today_url": link(date=today.isoformat()),
            "week_url": link(view="week"),
            "month_url": link(view="month"),
            "day": day,
            "lang": current_language(),
        },
    )


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
