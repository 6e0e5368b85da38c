"""The public pages: the organisation's profile at ``/`` and one page per public item.

Items are read through :mod:`node.channels.public` (the one public rule), so an
item that is not public right now — draft, embargoed, expired, deleted,
partners only — renders as the same 404 a missing item gets.
"""

from __future__ import annotations

from typing import Any

from node.channels.pages import oembed_url
from node.core import human_time
from node.core.identity import Identity
from node.public.html import CSP, contributor, credit_block, e, feed_head, layout, player
from node.public.texts import t
from protocol.sanitize import plain_text

LATEST = 20


def _cw(item: dict[str, Any], lang: str) -> str:
    return f'<p class="cw">{e(t(lang, "sensitive"))}</p>' if item.get("sensitive") else ""


def _players(identity: Identity, item: dict[str, Any], lang: str) -> str:
    return "".join(player(identity, m, item["title"], lang) for m in item.get("media") or [])


def published_line(item: dict[str, Any], lang: str) -> str:
    """ "Gepubliceerd: 1 december 2026, 09:00 (CET)" with the instant for machines."""
    published = item.get("published_at") or item.get("created_at")
    return (
        f'<p class="meta">{e(t(lang, "published"))}: '
        f'<time datetime="{e(human_time.machine(published))}">'
        f"{e(human_time.when(published, lang, zone=True))}</time></p>"
    )


def item_card(identity: Identity, item: dict[str, Any], lang: str) -> str:
    """An item in a list: title linked to its page, date, player, lead, credit."""
    link = f"/items/{e(item['id'])}" + ("?lang=en" if lang == "en" else "")
    lead = f"<p>{e(item['summary'])}</p>" if item.get("summary") else ""
    return (
        f'<article><h2><a href="{link}">{e(item["title"])}</a></h2>'
        f"{published_line(item, lang)}{_cw(item, lang)}"
        f"{_players(identity, item, lang)}{lead}{credit_block(item, identity.name, lang)}</article>"
    )


def profile_page(
    identity: Identity,
    items: list[dict[str, Any]],
    lang: str,
    *,
    heading: str | None = None,
    tag: str | None = None,
) -> str:
    """``/``: who the organisation is, how to follow it, its latest public items."""
    cards = (
        "".join(item_card(identity, i, lang) for i in items) or f"<p>{e(t(lang, 'no_items'))}</p>"
    )
    summary = f"<p>{e(identity.summary)}</p>" if identity.summary else ""
    banner = (
        f'<img class="banner" src="{e(identity.image_url)}" alt=""'
        ' style="max-width:100%;height:auto">'
        if identity.image_url
        else ""
    )
    head = (
        f'<meta property="og:title" content="{e(identity.name)}">'
        f'<meta property="og:type" content="profile">'
        f'<meta property="og:url" content="{e(identity.base_url)}/">'
        f'<meta property="og:description" content="{e(identity.summary or identity.name)}">'
        + (f'<meta property="og:image" content="{e(identity.icon_url)}">' * bool(identity.icon_url))
        + f'<link rel="alternate" type="application/activity+json" href="{e(identity.actor_url)}">'
        + feed_head(identity, lang, tag=tag)
    )
    intro = (
        f'<section class="intro"><h1>{e(identity.name)}</h1>{summary}'
        f"<p>{e(t(lang, 'follow'))} <strong>@{e(identity.acct)}</strong></p>"
        f'<p><a href="/contribute{"?lang=en" if lang == "en" else ""}">'
        f"{e(t(lang, 'contribute'))}</a></p></section>"
        if heading is None
        else f"<h1>{e(heading)}</h1>"
    )
    body = f"{banner}<main>{intro}<h2>{e(t(lang, 'latest'))}</h2>{cards}</main>"
    return layout(
        lang,
        identity.name if heading is None else f"{heading} – {identity.name}",
        body,
        head=head,
        identity=identity,
    )


def _og_image(identity: Identity, item: dict[str, Any]) -> str | None:
    for m in item.get("media") or []:
        kind = (m.get("media_type") or "").split("/", 1)[0]
        if kind == "image":
            return identity.media_url(m["id"], "medium")
        if kind == "video" and m.get("thumbnail_url"):
            return identity.media_url(m["id"], "poster")
    return next(
        (m["thumbnail_url"] for m in item.get("media") or [] if m.get("thumbnail_url")), None
    )


def _og_type(item: dict[str, Any]) -> str:
    return {"video": "video.other", "audio": "music.song"}.get(item["kind"], "article")


def item_page(identity: Identity, item: dict[str, Any], lang: str) -> str:
    """The browser view of ``/items/{id}``, with Open Graph tags for link previews."""
    description = item.get("summary") or plain_text(item.get("body_html") or "")[:200]
    image = _og_image(identity, item)
    tags = [
        ("og:title", item["title"]),
        ("og:description", description),
        ("og:type", _og_type(item)),
        ("og:url", item["uri"]),
        ("og:site_name", identity.name),
        ("og:locale", "en_GB" if lang == "en" else "nl_NL"),
    ]
    if image:
        tags.append(("og:image", image))
    head = "".join(f'<meta property="{k}" content="{e(v)}">' for k, v in tags)
    head += f'<meta name="twitter:card" content="{"summary_large_image" if image else "summary"}">'
    head += f'<meta name="description" content="{e(description)}">'
    head += f'<link rel="canonical" href="{e(item["uri"])}">'
    head += f'<link rel="alternate" type="application/activity+json" href="{e(item["uri"])}">'
    head += (
        '<link rel="alternate" type="application/json+oembed"'
        f' href="{e(oembed_url(identity, item["id"]))}" title="{e(item["title"])}">'
    )
    head += feed_head(identity, lang)
    citizen = contributor(item)
    byline = f'<p class="meta">{e(t(lang, "contribution_by", name=citizen))}</p>' if citizen else ""
    tag_links = " ".join(
        f'<a href="/tags/{e(tag)}" rel="tag">#{e(tag)}</a>' for tag in item.get("tags") or []
    )
    lead = (
        f'<p class="lead"><strong>{e(item["summary"])}</strong></p>' if item.get("summary") else ""
    )
    body = (
        "<main><article>"
        f"<h1>{e(item['title'])}</h1>{published_line(item, lang)}{byline}{_cw(item, lang)}"
        f"{lead}{_players(identity, item, lang)}"
        f"{item.get('body_html') or ''}<p>{tag_links}</p>"
        f"{credit_block(item, identity.name, lang)}"
        "</article></main>"
    )
    return layout(lang, f"{item['title']} – {identity.name}", body, head=head, identity=identity)


def not_found_page(lang: str) -> str:
    body = (
        f"<main><h1>{e(t(lang, 'not_found_title'))}</h1><p>{e(t(lang, 'not_found'))}</p>"
        f'<p><a href="/">{e(t(lang, "home"))}</a></p></main>'
    )
    return layout(lang, t(lang, "not_found_title"), body)


HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"}
