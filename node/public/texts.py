"""Words on the public pages, Dutch by default; English via ?lang=en or Accept-Language."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "latest": "Laatste berichten",
        "no_items": "Nog geen openbare berichten.",
        "follow": "Volg ons vanuit Mastodon of een andere fediverse-app:",
        "contribute": "Zelf iets gezien? Stuur ons je foto, video of tip",
        "feeds": "Feeds",
        "credit": "Beeld/tekst",
        "licence": "Licentie",
        "all_rights_reserved": "Alle rechten voorbehouden",
        "usage_terms": "Gebruiksvoorwaarden",
        "contribution_by": "Bijdrage van {name}",
        "sensitive": "Gevoelige inhoud",
        "not_found_title": "Niet gevonden",
        "not_found": "Dit bericht bestaat niet of is niet openbaar.",
        "no_media_support": "Je browser kan dit bestand niet afspelen.",
        "download": "Download",
        "tag": "Berichten met #{tag}",
        "home": "Naar de voorpagina",
        "published": "Gepubliceerd",
    },
    "en": {
        "latest": "Latest items",
        "no_items": "No public items yet.",
        "follow": "Follow us from Mastodon or another fediverse app:",
        "contribute": "Seen something yourself? Send us your photo, video or tip",
        "feeds": "Feeds",
        "credit": "Credit",
        "licence": "Licence",
        "all_rights_reserved": "All rights reserved",
        "usage_terms": "Usage terms",
        "contribution_by": "Contribution by {name}",
        "sensitive": "Sensitive content",
        "not_found_title": "Not found",
        "not_found": "This item does not exist or is not public.",
        "no_media_support": "Your browser cannot play this file.",
        "download": "Download",
        "tag": "Items tagged #{tag}",
        "home": "To the front page",
        "published": "Published",
    },
}


def t(lang: str, key: str, **values: object) -> str:
    template = TEXTS.get(lang, TEXTS["nl"]).get(key) or TEXTS["nl"][key]
    return template.format(**values) if values else template
