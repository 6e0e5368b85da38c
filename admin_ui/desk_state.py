"""Words for an item's workflow states and for what each partner did with it.

The states themselves are decided by the node (:mod:`node.items.states`); this module
only says them in the user's language, as badges for library cards and the editor, and
as the one line per partner in the regie panel.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from admin_ui.i18n import N_, _
from admin_ui.sharing_text import delivery_text, zoned_time
from node.items.states import STATES

#: The filter's choices, in the order of the workflow.
STATE_LABELS = {
    "draft": N_("Concept"),
    "ready": N_("Klaar om te delen"),
    "shared": N_("Gedeeld met partners"),
    "listed": N_("In de mediatheek"),
    "public": N_("Openbaar"),
    "embargoed": N_("Onder embargo"),
    "expired": N_("Verlopen"),
}
assert tuple(STATE_LABELS) == STATES

#: Channels a copy can be reported on from the editor (besides a typed address).
CHANNEL_LABELS = {
    "public": N_("onze openbare pagina"),
    "feed": N_("onze feeds"),
    "wall": N_("een muurkrant"),
}

#: Why a publication report was refused (``reason`` of the node's refusal).
CHANNEL_REFUSALS = {
    "channel-missing": N_("Kies waar je het item publiceerde, of vul het adres in."),
    "channel-not-http": N_(
        "Dit adres begint niet met http:// of https://. Vul het adres van de webpagina in,"
        " zoals https://www.voorbeeld.nl/artikel."
    ),
    "channel-bad-url": N_(
        "Dit is geen geldig webadres. Vul het volledige adres in, zoals"
        " https://www.voorbeeld.nl/artikel."
    ),
    "channel-too-long": N_("Dit adres is te lang: hoogstens 500 tekens."),
    "not-a-copy": N_("Dit item is geen kopie van een partner; er is niemand om het te melden."),
}


def file_count(n: int) -> str:
    """ "1 bestand", "3 bestanden" (and in English "1 file", "3 files")."""
    return _("1 bestand") if n == 1 else _("%(count)s bestanden", count=n)


def badges(states: dict[str, Any] | None) -> list[dict[str, str]]:
    """One badge per state: ``{"state", "text"}`` (``states`` is ItemStates.to_json())."""
    if not states:
        return []
    out = []
    for state in states["states"]:
        if state == "shared":
            n = states["shared_with"]
            text = (
                _("Gedeeld met 1 partner")
                if n == 1
                else _("Gedeeld met %(count)s partners", count=n)
            )
        elif state == "embargoed":
            text = _("Embargo tot %(when)s", when=zoned_time(states["embargo_until"]))
            if states.get("public_after_embargo"):
                text += " · " + _("daarna openbaar")
        else:
            text = _(STATE_LABELS[state])
        out.append({"state": state, "text": text})
    return out


def channel_text(channel: str | None) -> str:
    """A reported channel in words: our names translated, addresses and others as given."""
    if not channel:
        return ""
    label = CHANNEL_LABELS.get(channel)
    return _(label) if label else channel


def is_address(channel: str | None) -> bool:
    return bool(channel) and str(channel).startswith(("https://", "http://"))


def partner_progress(
    delivery: dict[str, Any] | None, insight: dict[str, Any] | None
) -> tuple[str, str]:
    """How far one partner got with the item: (state, words), the furthest step first.

    Steps: sent (queued or on its way), delivered, used, published, removal confirmed.
    """
    insight = insight or {}
    if insight.get("removal_confirmed_at"):
        return "removal_confirmed", _(
            "Verwijdering bevestigd · %(when)s", when=zoned_time(insight["removal_confirmed_at"])
        )
    published = insight.get("published_on") or []
    if published:
        where = ", ".join(channel_text(p["channel"]) for p in published)
        return "published", _("Gepubliceerd op %(where)s", where=where)
    if insight.get("used_at"):
        return "used", _("Gebruikt · %(when)s", when=zoned_time(insight["used_at"]))
    if not delivery:
        return "", ""
    state = delivery.get("state") or "queued"
    if state in ("queued", "pending"):
        return state, _("Verzonden") + " · " + delivery_text(delivery)
    return state, delivery_text(delivery)


def partner_label(actor_url: str) -> str:
    """An organisation we know no name of: its server's name, never the raw actor URL."""
    return urlsplit(actor_url).netloc or actor_url


def notification_title(notification: dict[str, Any]) -> str:
    """A notification's title in the reader's language where we know its kind."""
    data = notification.get("data") or {}
    kind = notification.get("kind")
    if kind == "partner_used":
        return _(
            "%(partner)s gebruikte: %(title)s",
            partner=data.get("partner_name"),
            title=data.get("title"),
        )
    if kind == "partner_published":
        where = ", ".join(channel_text(c) for c in data.get("channels") or [])
        if where:
            return _(
                "%(partner)s publiceerde: %(title)s, op %(where)s",
                partner=data.get("partner_name"),
                title=data.get("title"),
                where=where,
            )
        return _(
            "%(partner)s publiceerde: %(title)s",
            partner=data.get("partner_name"),
            title=data.get("title"),
        )
    if kind == "partner_active" and data.get("actor"):
        return _(
            "Partnerschap met %(partner)s is actief",
            partner=data.get("partner_name") or partner_label(data["actor"]),
        )
    return str(notification.get("title") or "")
