"""Credit and licence as every channel shows them: a label, a URL, one line of text.

Credit and licence travel with an item everywhere it goes; keeping the wording
in one place means a feed reader, an embed and a wall screen say the same thing.
"""

from __future__ import annotations

from typing import Any

from node.channels.texts import text
from node.items.licences import ALL_RIGHTS_RESERVED

_CC_PUBLIC_DOMAIN = {
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "CC-PDDC": "https://creativecommons.org/licenses/publicdomain/",
}


def licence_url(licence: str) -> str | None:
    """A web page for the licence; None for all-rights-reserved."""
    if licence == ALL_RIGHTS_RESERVED or not licence:
        return None
    if licence.startswith(("http://", "https://")):
        return licence
    if licence in _CC_PUBLIC_DOMAIN:
        return _CC_PUBLIC_DOMAIN[licence]
    if licence.startswith("CC-BY"):
        parts = licence.split("-")  # CC-BY-NC-SA-4.0[-NL]
        version_at = next(i for i, p in enumerate(parts) if p[:1].isdigit())
        kinds = "-".join(parts[1:version_at]).lower()
        jurisdiction = "/".join(p.lower() for p in parts[version_at + 1 :])
        tail = f"{jurisdiction}/" if jurisdiction else ""
        return f"https://creativecommons.org/licenses/{kinds}/{parts[version_at]}/{tail}"
    return f"https://spdx.org/licenses/{licence}.html"


def licence_label(licence: str, lang: str) -> str:
    """How people write the licence: "CC BY-NC-SA 4.0", or the words for all rights reserved."""
    if licence == ALL_RIGHTS_RESERVED or not licence:
        return text(lang, "all_rights_reserved")
    if licence.startswith("CC-BY"):
        parts = licence.split("-")
        version_at = next(i for i, p in enumerate(parts) if p[:1].isdigit())
        return f"CC {'-'.join(parts[1:version_at])} {' '.join(parts[version_at:])}"
    return licence


def credit_of(item: dict[str, Any], organisation: str) -> str:
    """The credit line's name: the item's credit, else its author, else the organisation."""
    return (item.get("credit") or item.get("author") or organisation).strip()


def credit_line(item: dict[str, Any], organisation: str, lang: str) -> str:
    """One line for feed entries and captions: "Beeld/tekst: X · Licentie: CC BY 4.0"."""
    return (
        f"{text(lang, 'credit')}: {credit_of(item, organisation)} · "
        f"{text(lang, 'licence')}: {licence_label(item.get('licence', ''), lang)}"
    )
