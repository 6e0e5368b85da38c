"""User-facing words on public pages, Dutch by default, English on request.

A small dict for now, so that the pages are translatable before the project
settles on gettext catalogues; keys are stable, values are what people read.
"""

from __future__ import annotations

from aiohttp import web

LANGUAGES = ("nl", "en")

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "credit": "Beeld/tekst",
        "licence": "Licentie",
        "all_rights_reserved": "Alle rechten voorbehouden",
        "usage_terms": "Gebruiksvoorwaarden",
        "view_original": "Bekijk bij de bron",
        "not_found_title": "Niet gevonden",
        "not_found": "Dit item bestaat niet of is niet openbaar.",
        "wall_not_found": "Dit scherm bestaat niet (meer).",
        "offline": "Offline – laatst bekende inhoud",
        "no_items": "Nog geen berichten.",
        "no_media_support": "Je browser kan dit bestand niet afspelen.",
        "feed_description": "Openbare berichten van",
        "podcast_description": "Audio van",
    },
    "en": {
        "credit": "Credit",
        "licence": "Licence",
        "all_rights_reserved": "All rights reserved",
        "usage_terms": "Usage terms",
        "view_original": "View at the source",
        "not_found_title": "Not found",
        "not_found": "This item does not exist or is not public.",
        "wall_not_found": "This screen does not exist (any more).",
        "offline": "Offline – showing the last known content",
        "no_items": "No items yet.",
        "no_media_support": "Your browser cannot play this file.",
        "feed_description": "Public items from",
        "podcast_description": "Audio from",
    },
}


def text(lang: str, key: str) -> str:
    """The string for ``key`` in ``lang``, falling back to Dutch."""
    return TEXTS.get(lang, TEXTS["nl"]).get(key) or TEXTS["nl"][key]


def choose_language(request: web.Request, default: str = "nl") -> str:
    """``?lang=`` wins, then the first supported Accept-Language, then the node default."""
    asked = request.query.get("lang", "").lower()
    if asked in LANGUAGES:
        return asked
    ranked: list[tuple[float, str]] = []
    for part in request.headers.get("Accept-Language", "").split(","):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower().split("-")[0]
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag in LANGUAGES and quality > 0:
            ranked.append((quality, tag))
    if ranked:
        return max(ranked, key=lambda pair: pair[0])[1]
    return default if default in LANGUAGES else "nl"
