"""Building blocks of the public pages: layout, escaping, players, credit lines.

Every value that came from an editor, a contributor or a partner goes through
:func:`e` (body HTML is the exception: it was sanitised to an allowlist when it
was stored).  Pages carry a strict Content-Security-Policy: no script at all.
"""

from __future__ import annotations

import html
from typing import Any

from node.channels.attribution import licence_url
from node.core.identity import Identity
from node.items.licences import ALL_RIGHTS_RESERVED
from node.public.texts import t

CSP = (
    "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline';"
    " form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:1rem;"
    "line-height:1.5}img,video{max-width:100%;height:auto}article{margin:2rem 0}"
    ".credit{color:#555;font-size:.9rem}.cw{background:#fee;padding:.25rem .5rem}"
    "label{display:block;margin-top:1rem}input[type=text],input[type=email],textarea"
    "{width:100%;box-sizing:border-box}"
)


def e(value: Any) -> str:
    """Escape for HTML text and attribute values (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)


def layout(lang: str, title: str, body: str, *, head: str = "") -> str:
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
    """Credit, licence and usage terms: shown wherever the item is shown."""
    lines = []
    citizen = contributor(item)
    if citizen:
        lines.append(f'<p class="contribution">{e(t(lang, "contribution_by", name=citizen))}</p>')
    credit = (item.get("credit") or item.get("author") or organisation).strip()
    lines.append(
        f'<p class="credit">{e(t(lang, "credit"))}: {e(credit)} · '
        f"{e(t(lang, 'licence'))}: {licence_text(item.get('licence'), lang)}</p>"
    )
    if item.get("usage_terms"):
        lines.append(f'<p class="credit">{e(t(lang, "usage_terms"))}: {e(item["usage_terms"])}</p>')
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
