"""Public agenda and vacancy portal: pages, iCalendar feeds, RSS/JSON feeds, JSON API.

``/agenda`` (week or month view), ``/agenda.ics`` (our own public events),
``/agenda/network.ics`` (the network agenda), ``/agenda/{key}.ics`` (one event,
"add to calendar"), ``/vacatures`` with ``/vacatures/{key}``,
``/vacatures/rss.xml`` and ``/vacatures/feed.json``; ``GET /api/v1/agenda`` and
``GET /api/v1/vacancies`` give the same as JSON.  Bad query values are a 422
problem document naming the parameter, never an empty page that looks like
"nothing on".
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import quote

from aiohttp import web

from node.channels import agenda as agenda_query
from node.channels import ical, vacancy_feeds
from node.channels.conditional import conditional_response
from node.channels.public import last_change
from node.channels.texts import choose_language
from node.core import clock
from node.core.appkeys import DB, IDENTITY, SETTINGS
from node.http.api.problems import problem_response
from node.items import kinds as item_kinds
from node.public.agenda_pages import agenda_page, vacancies_page, vacancy_page
from node.public.pages import HEADERS, not_found_page

routes = web.RouteTableDef()
_TAG = re.compile(r"^#?[\w][\w-]{0,63}$", re.UNICODE)
_KEY = re.compile(r"^(l\d{1,20}|i[\w-]{1,64})$")
MAX_TEXT = 100
MAX_URL = 500
PAGE_SIZE = 20


class BadQuery(ValueError):
    """A query parameter that cannot be served (its message names it)."""


def _text(query, name: str) -> str | None:
    value = (query.get(name) or "").strip()
    if len(value) > MAX_TEXT:
        raise BadQuery(f"{name}: at most {MAX_TEXT} characters")
    return value or None


def _org(query) -> str | None:
    org = (query.get("org") or "").strip()
    if not org:
        return None
    if len(org) > MAX_URL or not org.startswith(("http://", "https://")):
        raise BadQuery(
            f"org: must be an organisation's actor URL (http or https, at most {MAX_URL} chars)"
        )
    return org


def _date(query, name: str) -> dt.date | None:
    value = query.get(name)
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise BadQuery(f"{name}: {value[:40]!r} is not a date such as 2026-12-05") from exc
    if not 1900 <= day.year <= 2200:
        raise BadQuery(f"{name}: must lie between the years 1900 and 2200")
    return day


def agenda_request(query) -> tuple[agenda_query.AgendaQuery, str, dt.date, dict[str, Any]]:
    """(query, view, day, filters) from the URL, or BadQuery with a reason."""
    view = query.get("view") or "week"
    if view not in agenda_query.VIEWS:
        raise BadQuery(f"view: must be one of {', '.join(agenda_query.VIEWS)}")
    scope = query.get("scope") or "network"
    if scope not in agenda_query.SCOPES:
        raise BadQuery(f"scope: must be one of {', '.join(agenda_query.SCOPES)}")
    tag = _text(query, "tag")
    if tag and not _TAG.match(tag):
        raise BadQuery(f"tag: {tag[:40]!r} is not a tag (letters, digits, '-' or '_')")
    filters = {"place": _text(query, "place"), "tag": tag, "org": _org(query)}
    today = clock.utcnow().astimezone(agenda_query.PAGE_ZONE).date()
    day = _date(query, "date") or today
    first, after = agenda_query.period(view, day)
    q = agenda_query.AgendaQuery(
        scope=scope,
        start=agenda_query.day_start(first),
        end=agenda_query.day_start(after),
        **filters,
    )
    return q, view, day, filters


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(
        text=text,
        status=status,
        content_type="text/html",
        headers={**HEADERS, "Vary": "Accept-Language", "Cache-Control": "public, max-age=60"},
    )


def _lang(request: web.Request) -> str:
    return choose_language(request, request.app[SETTINGS].default_language)


@routes.get("/agenda")
async def agenda_html(request: web.Request) -> web.StreamResponse:
    try:
        q, view, day, filters = agenda_request(request.query)
    except BadQuery as exc:
        return problem_response(422, str(exc), instance=request.path)
    identity, now = request.app[IDENTITY], clock.iso()

    def load(db):
        entries = agenda_query.agenda(db, identity, q, now)
        everyone = agenda_query.agenda(
            db, identity, agenda_query.AgendaQuery(scope=q.scope, start=q.start, end=q.end), now
        )
        return entries, agenda_query.organisations(everyone)

    entries, orgs = await request.app[DB].read(load)
    lang = _lang(request)
    return _html(
        agenda_page(
            identity, entries, lang, scope=q.scope, view=view, day=day, filters=filters, orgs=orgs
        )
    )


def _ics(request: web.Request, body: bytes, changed: str | None) -> web.StreamResponse:
    return conditional_response(request, body, "text/calendar", changed)


@routes.get("/agenda.ics")
async def own_ics(request: web.Request) -> web.StreamResponse:
    """Our own public events that are not past (a subscription URL for calendar apps)."""
    identity, now = request.app[IDENTITY], clock.iso()

    def load(db):
        return agenda_query.own_events(db, identity, now), last_change(db, now)

    entries, changed = await request.app[DB].read(load)
    return _ics(request, ical.calendar(f"Agenda – {identity.name}", entries), changed)


@routes.get("/agenda/network.ics")
async def network_ics(request: web.Request) -> web.StreamResponse:
    """The network agenda (own and partners' listed events, not past), with the page's filters."""
    try:
        tag = _text(request.query, "tag")
        if tag and not _TAG.match(tag):
            raise BadQuery(f"tag: {tag[:40]!r} is not a tag (letters, digits, '-' or '_')")
        q = agenda_query.AgendaQuery(
            place=_text(request.query, "place"), tag=tag, org=_org(request.query)
        )
    except BadQuery as exc:
        return problem_response(422, str(exc), instance=request.path)
    identity, now = request.app[IDENTITY], clock.iso()
    entries = await request.app[DB].read(lambda db: agenda_query.agenda(db, identity, q, now))
    # No Last-Modified: a partner's withdrawal leaves no timestamp; the ETag covers it.
    return _ics(request, ical.calendar(f"Agenda – {identity.name} en partners", entries), None)


@routes.get(r"/agenda/{key:[^/]+}.ics")
async def event_ics(request: web.Request) -> web.StreamResponse:
    """One event as a calendar file ("Toevoegen aan agenda")."""
    key = request.match_info["key"]
    if not _KEY.match(key):
        return problem_response(404, "No such event on this agenda.", instance=request.path)
    identity, now = request.app[IDENTITY], clock.iso()
    entry = await request.app[DB].read(lambda db: agenda_query.agenda_entry(db, identity, key, now))
    if entry is None:
        return problem_response(404, "No such event on this agenda.", instance=request.path)
    response = _ics(request, ical.calendar(entry["title"], [entry]), None)
    response.headers["Content-Disposition"] = f'attachment; filename="{key}.ics"'
    return response


# -- vacancies --------------------------------------------------------------------------


def portal_request(query) -> tuple[agenda_query.PortalQuery, dict[str, Any], int]:
    contract = query.get("contract") or None
    if contract is not None and contract not in item_kinds.CONTRACT_TYPES:
        raise BadQuery(f"contract: must be one of {', '.join(item_kinds.CONTRACT_TYPES)}")
    try:
        page = int(query.get("page") or 1)
    except ValueError as exc:
        raise BadQuery("page: must be a whole number") from exc
    if not 1 <= page <= 10_000:
        raise BadQuery("page: must be between 1 and 10000")
    filters = {
        "q": _text(query, "q"),
        "contract": contract,
        "location": _text(query, "location"),
        "org": _org(query),
    }
    q = agenda_query.PortalQuery(
        q=filters["q"],
        contract_type=contract,
        location=filters["location"],
        org=filters["org"],
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    return q, filters, page


def _page_url(request: web.Request) -> Any:
    base = request.app[IDENTITY].base_url
    return lambda entry: f"{base}/vacatures/{quote(entry['key'])}"


@routes.get("/vacatures")
async def portal_html(request: web.Request) -> web.StreamResponse:
    try:
        q, filters, page = portal_request(request.query)
    except BadQuery as exc:
        return problem_response(422, str(exc), instance=request.path)
    now = clock.iso()

    def load(db):
        found, total = agenda_query.vacancies(db, q, now)
        return found, total, agenda_query.portal_organisations(db, now)

    entries, total, orgs = await request.app[DB].read(load)
    more = page + 1 if q.offset + len(entries) < total else None
    return _html(
        vacancies_page(
            request.app[IDENTITY],
            entries,
            total,
            _lang(request),
            filters=filters,
            orgs=orgs,
            next_page=more,
        )
    )


async def _feed_entries(request: web.Request) -> list[dict[str, Any]] | web.Response:
    try:
        q, _, _ = portal_request(request.query)
    except BadQuery as exc:
        return problem_response(422, str(exc), instance=request.path)
    q = agenda_query.PortalQuery(
        q=q.q, contract_type=q.contract_type, location=q.location, org=q.org, limit=100
    )
    now = clock.iso()
    found, _ = await request.app[DB].read(lambda db: agenda_query.vacancies(db, q, now))
    return found


async def _portal_feed(request: web.Request, render, content_type: str) -> web.StreamResponse:
    """The portal as a feed (RSS or JSON Feed): same entries, title and links, one format."""
    entries = await _feed_entries(request)
    if isinstance(entries, web.Response):
        return entries
    identity = request.app[IDENTITY]
    body = render(
        f"Vacatures – {identity.name} en partners",
        f"{identity.base_url}/vacatures",
        identity.base_url + str(request.rel_url),
        entries,
        _page_url(request),
    )
    return conditional_response(request, body, content_type, None)


@routes.get("/vacatures/rss.xml")
async def portal_rss(request: web.Request) -> web.StreamResponse:
    return await _portal_feed(request, vacancy_feeds.rss, "application/rss+xml")


@routes.get("/vacatures/feed.json")
async def portal_json(request: web.Request) -> web.StreamResponse:
    return await _portal_feed(request, vacancy_feeds.json_feed, "application/feed+json")


@routes.get("/vacatures/{key}")
async def vacancy_html(request: web.Request) -> web.StreamResponse:
    key = request.match_info["key"]
    lang = _lang(request)
    now = clock.iso()
    entry = await request.app[DB].read(
        lambda db: agenda_query.listed_entry(db, "vacancy", key, now)
    )
    if entry is None:
        return _html(not_found_page(lang), 404)
    url = _page_url(request)(entry)
    return _html(vacancy_page(request.app[IDENTITY], entry, lang, url))


# -- JSON API -----------------------------------------------------------------------------


def _public(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        k: entry[k]
        for k in ("uri", "url", "kind", "title", "summary", "tags", "details", "origin_name")
    } | {"organisation": entry["origin_actor"], "key": entry["key"]}


def _json(body: Any) -> web.Response:
    return web.json_response(
        body, dumps=lambda v: json.dumps(v, ensure_ascii=False), headers={"Vary": "Accept"}
    )


@routes.get("/api/v1/agenda")
async def api_agenda(request: web.Request) -> web.StreamResponse:
    try:
        q, view, day, _ = agenda_request(request.query)
    except BadQuery as exc:
        return problem_response(422, str(exc), instance=request.path)
    identity, now = request.app[IDENTITY], clock.iso()
    entries = await request.app[DB].read(lambda db: agenda_query.agenda(db, identity, q, now))
    first, after = agenda_query.period(view, day)
    return _json(
        {
            "view": view,
            "from": first.isoformat(),
            "until": (after - dt.timedelta(days=1)).isoformat(),
            "scope": q.scope,
            "items": [_public(e) for e in entries],
        }
    )


@routes.get("/api/v1/vacancies")
async def api_vacancies(request: web.Request) -> web.StreamResponse:
    try:
        q, _, page = portal_request(request.query)
    except BadQuery as exc:
        return problem_response(422, str(exc), instance=request.path)
    now = clock.iso()
    found, total = await request.app[DB].read(lambda db: agenda_query.vacancies(db, q, now))
    more = q.offset + len(found) < total
    return _json(
        {
            "total": total,
            "page": page,
            "next_page": page + 1 if more else None,
            "items": [
                _public(e) | {"closing_date": e["details"].get("closing_date")} for e in found
            ],
        }
    )
