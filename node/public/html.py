"""Building blocks of the public pages: layout, escaping, players, credit lines.

Every value that came from an editor, a contributor or a partner goes through
:func:`e` (body HTML is the exception: it was sanitised to an allowlist when it
was stored).  Pages carry a strict Content-Security-Policy: no script at all.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import quote

from node.channels.attribution import licence_url
from node.core.identity import Identity
from node.items.licences import ALL_RIGHTS_RESERVED
from node.public.texts import t

CSP = (
    "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline';"
    " form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_STYLE = (
    ":root{--ink:#1d2430;--muted:#4f5866;--line:#d9dee5;--accent:#0b5cad;--bg:#f6f7f9}"
    "*{box-sizing:border-box}"
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--ink);"
    "background:var(--bg);margin:0;line-height:1.55;font-size:1.0625rem}"
    "a{color:var(--accent)}img,video{max-width:100%;height:auto;display:block}"
    "audio{width:100%}"
    ".site{background:#fff;border-bottom:1px solid var(--line)}"
    ".site-inner,main,.site-foot{max-width:46rem;margin:0 auto;padding:.75rem 1rem}"
    ".site-inner{display:flex;align-items:center;gap:.75rem;flex-wrap:wrap}"
    ".site-name{font-weight:700;font-size:1.15rem;color:var(--ink);text-decoration:none;"
    "display:flex;align-items:center;gap:.6rem}"
    ".site .avatar{width:2.75rem;height:2.75rem;border-radius:50%;object-fit:cover}"
    ".site-feeds{margin-left:auto;font-size:.9rem}"
    ".banner{width:100%;max-height:16rem;object-fit:cover}"
    "h1{font-size:1.8rem;line-height:1.2;margin:.5rem 0}h2{font-size:1.3rem;line-height:1.25}"
    "article{background:#fff;border:1px solid var(--line);border-radius:.5rem;"
    "padding:1rem;margin:1rem 0}article h2{margin:.25rem 0 .5rem}"
    "article img,article video{border-radius:.25rem;margin:.5rem 0}"
    ".meta,.credit{color:var(--muted);font-size:.9rem}.meta{margin:.25rem 0}"
    ".cw{background:#fde8e8;padding:.25rem .5rem}"
    ".lead{font-size:1.1rem}"
    "form{background:#fff;border:1px solid var(--line);border-radius:.5rem;padding:1rem}"
    "label{display:block;margin-top:1rem;font-weight:600}"
    "fieldset{border:1px solid var(--line);border-radius:.35rem;margin-top:1rem}"
    "fieldset label,label.consent{font-weight:400;margin-top:.35rem}label.consent{margin:1rem 0}"
    "button:disabled{opacity:.6;cursor:progress}"
    "input[type=text],input[type=email],textarea{width:100%;font:inherit;padding:.5rem;"
    "border:1px solid #8a94a3;border-radius:.35rem;margin-top:.25rem;background:#fff}"
    "input[type=file]{display:block;margin-top:.35rem;font:inherit;max-width:100%}"
    "button{font:inherit;padding:.6rem 1.2rem;border-radius:.35rem;border:0;"
    "background:var(--accent);color:#fff;font-weight:600;cursor:pointer}"
    ".hint{color:var(--muted);font-size:.9rem;font-weight:400;margin:.25rem 0 0}"
    ".uploads{list-style:none;padding:0}.upload{border:1px solid var(--line);"
    "border-radius:.35rem;padding:.5rem;margin:.5rem 0;display:grid;"
    "grid-template-columns:1fr auto;gap:.25rem .5rem;align-items:center}"
    ".upload progress{grid-column:1/-1;width:100%;height:.9rem}"
    ".upload-name{overflow-wrap:anywhere}.upload-status{grid-column:1/-1;margin:0}"
    ".upload-cancel{background:#fff;color:var(--accent);border:1px solid var(--accent);"
    "padding:.2rem .6rem}"
    ".site-foot{color:var(--muted);font-size:.9rem;border-top:1px solid var(--line);"
    "margin-top:2rem}"
    "@media (max-width:30rem){body{font-size:1rem}h1{font-size:1.5rem}"
    "article{padding:.75rem;border-radius:0;border-left:0;border-right:0;margin:.75rem -1rem}"
    ".site-feeds{margin-left:0;width:100%}}"
)


def e(value: Any) -> str:
    """Escape for HTML text and attribute values (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)


FEEDS = (
    ("/feeds/rss.xml", "application/rss+xml", "RSS"),
    ("/feeds/atom.xml", "application/atom+xml", "Atom"),
    ("/feeds/feed.json", "application/feed+json", "JSON Feed"),
)


def _lang_query(lang: str, sep: str = "?") -> str:
    return f"{sep}lang=en" if lang == "en" else ""


def feed_head(identity: Identity, lang: str, *, tag: str | None = None) -> str:
    """Autodiscovery ``<link rel="alternate">`` for every feed (of one tag, when given)."""
    query = f"?tag={quote(tag, safe='')}" if tag else ""
    suffix = f" – #{tag}" if tag else ""
    return "".join(
        f'<link rel="alternate" type="{kind}" title="{e(f"{identity.name}{suffix} ({label})")}"'
        f' href="{e(identity.base_url + path + query)}">'
        for path, kind, label in FEEDS
    )


def site_header(identity: Identity, lang: str) -> str:
    """The organisation's avatar and name, linked to its front page, and its feeds."""
    avatar = (
        f'<img class="avatar" src="{e(identity.icon_url)}" alt="" width="44" height="44">'
        if identity.icon_url
        else ""
    )
    feeds = " · ".join(f'<a href="{e(path)}">{e(label)}</a>' for path, _, label in FEEDS)
    return (
        f'<header class="site"><div class="site-inner">'
        f'<a class="site-name" href="/{_lang_query(lang)}">{avatar}'
        f"<span>{e(identity.name)}</span></a>"
        f'<nav class="site-feeds" aria-label="{e(t(lang, "feeds"))}">{e(t(lang, "feeds"))}: {feeds}'
        "</nav></div></header>"
    )


def site_footer(identity: Identity, lang: str) -> str:
    return (
        f'<footer class="site-foot"><p>{e(identity.name)} · '
        f'<a href="/contribute{_lang_query(lang)}">{e(t(lang, "contribute"))}</a></p></footer>'
    )


def layout(
    lang: str, title: str, body: str, *, head: str = "", identity: Identity | None = None
) -> str:
    """A whole page; with ``identity`` it carries the organisation's header and footer."""
    if identity is not None:
        body = site_header(identity, lang) + body + site_footer(identity, lang)
    return (
        f'<!doctype html><html lang="{e(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title>{head}<style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def licence_text(licence: str | None, lang: str) -> str:
    """ "CC BY 4.0" style label, linked when the licence has a page."""
    if not licence or licence == ALL_RIGHTS_RESERVED:
        return e(t(lang, "all_rights_reserved"))
    label = licence
    if licence.startswith("CC-BY"):
        parts = licence.split("-")
        at = next((i for i, p in enumerate(parts) if p[:1].isdigit()), len(parts))
        label = f"CC {'-'.join(parts[1:at])} {' '.join(parts[at:])}".strip()
    url = licence_url(licence)
    return f'<a rel="license" href="{e(url)}">{e(label)}</a>' if url else e(label)


def contributor(item: dict[str, Any]) -> str | None:
    """The citizen's name when the item came from an accepted contribution."""
    provenance = item.get("provenance") or {}
    if isinstance(provenance, dict) and provenance.get("source") == "contribution":
        return str(provenance.get("contributor") or item.get("credit") or "")
    return None


def credit_block(item: dict[str, Any], organisation: str, lang: str) -> str:
    """Credit and licence: the public terms, shown wherever the item is shown.

    Usage terms are for partners (what a reusing newsroom must do); they never
    appear on a public page, feed or embed."""
    lines = []
    citizen = contributor(item)
    if citizen:
        lines.append(f'<p class="contribution">{e(t(lang, "contribution_by", name=citizen))}</p>')
    credit = (item.get("credit") or item.get("author") or organisation).strip()
    lines.append(
        f'<p class="credit">{e(t(lang, "credit"))}: {e(credit)} · '
        f"{e(t(lang, 'licence'))}: {licence_text(item.get('licence'), lang)}</p>"
    )
    return "".join(lines)


def _size(m: dict[str, Any]) -> str:
    if m.get("width") and m.get("height"):
        return f' width="{int(m["width"])}" height="{int(m["height"])}"'
    return ""


def player(identity: Identity, m: dict[str, Any], title: str, lang: str) -> str:
    """One media file as a player: <img alt>, <video controls poster>, <audio controls>."""
    media_type = m.get("media_type") or "application/octet-stream"
    major = media_type.split("/", 1)[0]
    original = identity.media_url(m["id"])
    fallback = e(t(lang, "no_media_support"))
    if major == "image":
        # the medium rendition: small enough for a page and re-encoded without EXIF
        src = identity.media_url(m["id"], "medium")
        return f'<img src="{e(src)}" alt="{e(m.get("alt") or title)}"{_size(m)}>'
    if major == "video":
        poster = identity.media_url(m["id"], "poster") if m.get("thumbnail_url") else None
        poster_attr = f' poster="{e(poster)}"' if poster else ""
        label = f' aria-label="{e(m["alt"])}"' if m.get("alt") else ""
        return (
            f'<video controls preload="metadata" playsinline{poster_attr}{label}{_size(m)}>'
            f'<source src="{e(original)}" type="{e(media_type)}">{fallback}</video>'
        )
    if major == "audio":
        label = f' aria-label="{e(m["alt"])}"' if m.get("alt") else ""
        return (
            f'<audio controls preload="metadata"{label}>'
            f'<source src="{e(original)}" type="{e(media_type)}">{fallback}</audio>'
        )
    label = f"{t(lang, 'download')}: {m.get('alt') or title}"
    return f'<p><a href="{e(original)}" download>{e(label)}</a></p>'
