"""The public agenda (week and month views) and the vacancy portal with one page per vacancy.

Everything shown came from an editor or a partner, so every value goes through
:func:`e`; descriptions are shown as plain text (the listing's text, tags
removed), never as HTML from elsewhere.  The vacancy page embeds schema.org
``JobPosting`` JSON-LD as a data block (the page's CSP still allows no script).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from node.channels import agenda as agenda_query
from node.channels.jobposting import job_posting, script_block
from node.core import human_time
from node.core.clock import parse_iso
from node.core.identity import Identity
from node.items import kinds as item_kinds
from node.public.html import e, layout
from node.public.texts import t


def _day_label(day: dt.date, lang: str) -> str:
    return human_time.date_words(day, lang, weekday=True)


def _query(params: dict[str, str | None], lang: str) -> str:
    clean = {k: v for k, v in params.items() if v}
    if lang == "en":
        clean["lang"] = "en"
    return "?" + urlencode(clean) if clean else ""


def _date_label(day: dt.date, lang: str) -> str:
    """ "8 december 2026" / "8 December 2026" (no weekday: for closing dates and spans)."""
    return human_time.date_words(day, lang)


def _when(details: dict[str, Any], lang: str) -> str:
    """When an event is, for people: in its own zone, the zone named unless it is ours."""
    if details.get("all_day"):
        start = dt.date.fromisoformat(str(details["start"])[:10])
        end = dt.date.fromisoformat(str(details["end"])[:10])
        span = _day_label(start, lang)
        if end != start:
            span = f"{span} – {_day_label(end, lang)}"
        return f"{span} ({t(lang, 'all_day')})"
    name = details.get("timezone") or item_kinds.DEFAULT_TIMEZONE
    zone = ZoneInfo(name)
    start = parse_iso(details["start"]).astimezone(zone)
    end = parse_iso(details["end"]).astimezone(zone)
    if end.date() == start.date():
        text = f"{_day_label(start.date(), lang)}, {start:%H:%M}–{end:%H:%M}"
    else:
        text = (
            f"{_day_label(start.date(), lang)} {start:%H:%M} – "
            f"{_day_label(end.date(), lang)} {end:%H:%M}"
        )
    return text if name == item_kinds.DEFAULT_TIMEZONE else f"{text} ({name})"


def _where(details: dict[str, Any], lang: str) -> str:
    place = details.get("place") or {}
    parts = [e(p) for p in (place.get("name"), place.get("address")) if p]
    if details.get("online_url"):
        url = e(details["online_url"])
        parts.append(f'<a href="{url}" rel="nofollow noopener">{e(t(lang, "online"))}</a>')
    return ", ".join(parts)


def _event(entry: dict[str, Any], lang: str) -> str:
    d = entry["details"]
    status = d.get("status") or "scheduled"
    flag = f' <strong class="status">{e(t(lang, status))}</strong>' if status != "scheduled" else ""
    lines = [
        f"<p><time>{e(_when(d, lang))}</time> · {_where(d, lang)}</p>",
        f"<p>{e(t(lang, 'organiser'))}: {e(d.get('organiser') or entry['origin_name'])}</p>",
    ]
    if entry["summary"]:
        lines.append(f"<p>{e(entry['summary'])}</p>")
    if d.get("price"):
        lines.append(f"<p>{e(t(lang, 'price'))}: {e(d['price'])}</p>")
    if d.get("ticket_url"):
        lines.append(
            f'<p><a href="{e(d["ticket_url"])}" rel="nofollow noopener">'
            f"{e(t(lang, 'tickets'))}</a></p>"
        )
    lines.append(
        f'<p><a href="/agenda/{e(entry["key"])}.ics" type="text/calendar" download>'
        f"{e(t(lang, 'add_to_calendar'))}</a></p>"
    )
    return (
        f'<article class="event {e(status)}"><h3><a href="{e(entry["url"])}">'
        f"{e(entry['title'])}</a>{flag}</h3>{''.join(lines)}</article>"
    )


def _select(name: str, label: str, options: dict[str, str], chosen: str | None, lang: str) -> str:
    items = [f'<option value="">{e(t(lang, "all"))}</option>'] + [
        f'<option value="{e(v)}"{" selected" if v == chosen else ""}>{e(text)}</option>'
        for v, text in sorted(options.items(), key=lambda kv: kv[1].lower())
    ]
    return f'<label>{e(label)} <select name="{e(name)}">{"".join(items)}</select></label>'


def _input(name: str, label: str, value: str | None) -> str:
    return (
        f'<label>{e(label)} <input type="text" name="{e(name)}" value="{e(value or "")}"></label>'
    )


def agenda_page(
    identity: Identity,
    entries: list[dict[str, Any]],
    lang: str,
    *,
    scope: str,
    view: str,
    day: dt.date,
    filters: dict[str, str | None],
    orgs: dict[str, str],
) -> str:
    """``/agenda``: the events of one week or month, grouped by day, with filters."""
    first, after = agenda_query.period(view, day)
    before = first - dt.timedelta(days=1)
    base = {"view": view, "scope": scope if scope != "network" else None, **filters}
    prev_link = _query({**base, "date": agenda_query.period(view, before)[0].isoformat()}, lang)
    next_link = _query({**base, "date": after.isoformat()}, lang)
    views = " · ".join(
        f'<a href="/agenda{_query({**base, "view": v, "date": day.isoformat()}, lang)}"'
        f"{' aria-current=page' if v == view else ''}>{e(t(lang, v))}</a>"
        for v in agenda_query.VIEWS
    )
    by_day: dict[dt.date, list[str]] = {}
    for entry in entries:
        shown = max(agenda_query.start_day(entry), first)
        by_day.setdefault(shown, []).append(_event(entry, lang))
    days = (
        "".join(
            f"<section><h2>{e(_day_label(d, lang))}</h2>{''.join(by_day[d])}</section>"
            for d in sorted(by_day)
        )
        or f"<p>{e(t(lang, 'no_events'))}</p>"
    )
    heading = t(lang, "agenda_network" if scope == "network" else "agenda_own")
    feed = "/agenda/network.ics" if scope == "network" else "/agenda.ics"
    feed_query = _query({k: v for k, v in filters.items()}, "nl") if scope == "network" else ""
    form = (
        '<form method="get" action="/agenda">'
        f'<input type="hidden" name="view" value="{e(view)}">'
        f'<input type="hidden" name="date" value="{e(day.isoformat())}">'
        + (f'<input type="hidden" name="scope" value="{e(scope)}">' if scope != "network" else "")
        + ('<input type="hidden" name="lang" value="en">' if lang == "en" else "")
        + _input("place", t(lang, "place"), filters.get("place"))
        + _input("tag", t(lang, "kind_of_event"), filters.get("tag"))
        + _select("org", t(lang, "organisation"), orgs, filters.get("org"), lang)
        + f'<button type="submit">{e(t(lang, "filter"))}</button></form>'
    )
    period_label = f"{_day_label(first, lang)} – {_day_label(after - dt.timedelta(days=1), lang)}"
    body = (
        f"<main><h1>{e(heading)}</h1><nav>{views}</nav>{form}"
        f'<p><a href="/agenda{prev_link}" rel="prev">{e(t(lang, "previous"))}</a> · '
        f"<strong>{e(period_label)}</strong> · "
        f'<a href="/agenda{next_link}" rel="next">{e(t(lang, "next"))}</a></p>'
        f'{days}<p><a href="{feed}{e(feed_query)}" type="text/calendar">'
        f"{e(t(lang, 'subscribe'))}</a></p></main>"
    )
    head = f'<link rel="alternate" type="text/calendar" href="{feed}{e(feed_query)}">'
    return layout(lang, f"{heading} – {identity.name}", body, head=head, identity=identity)


# -- the vacancy portal ----------------------------------------------------------------


def _contract(value: str | None, lang: str) -> str:
    return t(lang, f"contract_{value}") if value in item_kinds.CONTRACT_TYPES else ""


def _closing(entry: dict[str, Any], lang: str) -> str:
    closing = entry["details"].get("closing_date")
    return _date_label(dt.date.fromisoformat(closing), lang) if closing else ""


def _vacancy_card(entry: dict[str, Any], lang: str) -> str:
    d = entry["details"]
    link = f"/vacatures/{e(entry['key'])}" + ("?lang=en" if lang == "en" else "")
    facts = " · ".join(
        e(v)
        for v in (
            d.get("employer") or entry["origin_name"],
            d.get("location"),
            _contract(d.get("contract_type"), lang),
            d.get("hours"),
        )
        if v
    )
    return (
        f'<article class="vacancy"><h2><a href="{link}">{e(entry["title"])}</a></h2>'
        f"<p>{facts}</p><p>{e(t(lang, 'closing_date'))} {e(_closing(entry, lang))}</p></article>"
    )


def vacancies_page(
    identity: Identity,
    entries: list[dict[str, Any]],
    total: int,
    lang: str,
    *,
    filters: dict[str, str | None],
    orgs: dict[str, str],
    next_page: int | None,
) -> str:
    """``/vacatures``: every listed vacancy of the network, with search and filters."""
    contracts = {c: _contract(c, lang) for c in item_kinds.CONTRACT_TYPES}
    form = (
        '<form method="get" action="/vacatures">'
        + ('<input type="hidden" name="lang" value="en">' if lang == "en" else "")
        + _input("q", t(lang, "vacancy_search"), filters.get("q"))
        + _select("contract", t(lang, "contract_type"), contracts, filters.get("contract"), lang)
        + _input("location", t(lang, "location"), filters.get("location"))
        + _select("org", t(lang, "organisation"), orgs, filters.get("org"), lang)
        + f'<button type="submit">{e(t(lang, "filter"))}</button></form>'
    )
    cards = "".join(_vacancy_card(v, lang) for v in entries) or (
        f"<p>{e(t(lang, 'no_vacancies'))}</p>"
    )
    more = (
        f'<p><a href="/vacatures{_query({**filters, "page": str(next_page)}, lang)}" rel="next">'
        f"{e(t(lang, 'next'))}</a></p>"
        if next_page
        else ""
    )
    head = (
        '<link rel="alternate" type="application/rss+xml" href="/vacatures/rss.xml">'
        '<link rel="alternate" type="application/feed+json" href="/vacatures/feed.json">'
    )
    body = (
        f"<main><h1>{e(t(lang, 'vacancies'))}</h1>{form}"
        f"<p>{e(t(lang, 'found', n=total))}</p>{cards}{more}"
        '<p><a href="/vacatures/rss.xml">RSS</a> · <a href="/vacatures/feed.json">JSON Feed</a>'
        "</p></main>"
    )
    return layout(
        lang, f"{t(lang, 'vacancies')} – {identity.name}", body, head=head, identity=identity
    )


def _salary(d: dict[str, Any], lang: str) -> str:
    salary = d.get("salary")
    if not isinstance(salary, dict):
        return ""
    span = " – ".join(str(v) for v in (salary.get("min"), salary.get("max")) if v is not None)
    return f"{salary.get('currency') or 'EUR'} {span} {t(lang, 'unit_' + str(salary.get('unit')))}"


def vacancy_page(identity: Identity, entry: dict[str, Any], lang: str, page_url: str) -> str:
    """One vacancy, with its facts, how to apply, and ``JobPosting`` JSON-LD."""
    d = entry["details"]
    facts = [
        ("employer", d.get("employer") or entry["origin_name"]),
        ("location", d.get("location")),
        ("contract_type", _contract(d.get("contract_type"), lang)),
        ("hours", d.get("hours")),
        ("salary", _salary(d, lang)),
        ("education", d.get("education_level")),
        ("closing_date", _closing(entry, lang)),
    ]
    rows = "".join(f"<dt>{e(t(lang, k))}</dt><dd>{e(v)}</dd>" for k, v in facts if v)
    apply = []
    if d.get("apply_url"):
        apply.append(
            f'<a href="{e(d["apply_url"])}" rel="nofollow noopener">{e(t(lang, "apply"))}</a>'
        )
    if d.get("apply_email"):
        apply.append(f'<a href="mailto:{e(d["apply_email"])}">{e(d["apply_email"])}</a>')
    text = "".join(f"<p>{e(p)}</p>" for p in entry["text"].split("\n\n") if p.strip())
    lead = f'<p class="lead"><strong>{e(entry["summary"])}</strong></p>' if entry["summary"] else ""
    head = script_block(job_posting(entry, page_url)) + (
        f'<link rel="canonical" href="{e(page_url)}">'
        f'<meta name="description" content="{e(entry["summary"] or entry["title"])}">'
    )
    body = (
        f'<main><p><a href="/vacatures{"?lang=en" if lang == "en" else ""}">'
        f"{e(t(lang, 'vacancies'))}</a></p><article>"
        f"<h1>{e(entry['title'])}</h1>{lead}<dl>{rows}</dl>{text}"
        f"<p>{' · '.join(apply)}</p></article></main>"
    )
    return layout(lang, f"{entry['title']} – {identity.name}", body, head=head, identity=identity)
