"""Words for sharing states and node refusals, in the user's language.

The node's reasons (``ProblemError.detail``) are English and meant for
developers: they go to the log, never to the page.  The common refusals get a
sentence of their own here; the rest one by code or status
(:mod:`admin_ui.refusals`), always saying what to do next.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from admin_ui.i18n import N_, _, current_language
from admin_ui.refusals import log_refusal, refusal_text
from node.core import human_time
from node.core.errors import ProblemError

DELIVERY_LABELS = {
    "queued": N_("In de wachtrij"),
    "pending": N_("Wordt bezorgd"),
    "delivered": N_("Bezorgd"),
    "failed": N_("Mislukt"),
    "gone": N_("Partner bestaat niet meer"),
}
PARTNER_STATES = {
    "active": N_("Actief"),
    "pending": N_("In afwachting"),
    "rejected": N_("Afgewezen"),
    "ended": N_("Beëindigd"),
}
SHARE_STATES = {
    "offered": N_("Nieuw"),
    "used": N_("Gebruikt"),
    "retracted": N_("Ingetrokken door de afzender"),
    "expired": N_("Verlopen"),
}
EVENT_LABELS = {
    "shared": N_("Gedeeld"),
    "listed": N_("In de mediatheek"),
    "retracted": N_("Ingetrokken"),
    "delivered": N_("Bezorgd"),
    "used": N_("Gebruikt"),
    "published": N_("Gepubliceerd"),
    "withdrawn": N_("Teruggetrokken"),
    "removal_confirmed": N_("Verwijdering bevestigd"),
    "like": N_("Vind-ik-leuk"),
    "announce": N_("Doorgedeeld"),
    "reply": N_("Reactie"),
    "public": N_("Openbaar"),
}


def local_time(value: str | None) -> str:
    """A stored UTC timestamp in words on Amsterdam's clock, in the user's language:
    ``1 december 2026, 08:51``.  For the editor's own desk (see :mod:`node.core.human_time`)."""
    return human_time.when(value, current_language())


def zoned_time(value: str | None) -> str:
    """As :func:`local_time` with the zone named, ``1 december 2026, 08:51 (CET)``: for embargo
    and expiry moments and deliveries, which partners compare with their own clocks."""
    return human_time.when(value, current_language(), zone=True)


def local_day(value: str | None) -> str:
    """Only the date, on Amsterdam's clock: ``1 december 2026``."""
    return human_time.day(value, current_language())


def delivery_text(delivery: dict[str, Any] | None) -> str:
    """One partner's delivery state in words: state, attempts and the last reason."""
    if not delivery:
        return ""
    state = delivery.get("state") or "queued"
    text = _(DELIVERY_LABELS.get(state, state))
    attempts = delivery.get("attempts") or 0
    if attempts and state != "delivered":
        text += " · " + _("%(count)s poging(en)", count=attempts)
    if state == "delivered" and delivery.get("delivered_at"):
        text += " · " + zoned_time(str(delivery["delivered_at"]))
    if state != "delivered" and (delivery.get("last_error") or delivery.get("last_status")):
        reason = delivery.get("last_error") or f"HTTP {delivery['last_status']}"
        text += " · " + _("reden: %(reason)s", reason=reason)
    return text


def problem_text(exc: ProblemError) -> str:
    """A node refusal as a sentence for the editor."""
    code = exc.code
    if code == "embargoed":
        until = zoned_time(str(exc.extra.get("embargo_until") or ""))
        return _("Onder embargo tot %(until)s; gebruik kan pas daarna.", until=until)
    if code == "already-used":
        return _("Dit item staat al in je bibliotheek.")
    if code == "expired":
        return _("Dit item is bij de afzender verlopen en kan niet meer worden gebruikt.")
    if code in ("share-retracted", "share-expired"):
        return _("De afzender heeft dit item ingetrokken.")
    if code == "media-fetch-failed":
        log_refusal(exc)
        return _(
            "De bestanden konden niet bij de afzender worden opgehaald. Probeer het later"
            " opnieuw: de afzender is misschien even onbereikbaar."
        )
    if exc.extra.get("field") == "partners":
        log_refusal(exc)
        return _(
            "Niet opgeslagen: je kunt alleen delen met actieve partners. Kijk op de pagina"
            " Partners welke partnerschappen actief zijn, en vink alleen die aan."
        )
    return refusal_text(exc)


#: Why a partner address was refused (``reason`` of the node's refusal), and what to do.
PARTNER_REFUSALS = {
    "malformed": N_(
        "Dit is geen geldig adres. Controleer het adres: gebruik de vorm naam@server.nl"
        " of een actor-URL zoals https://server.nl/actor."
    ),
    "unknown-host": N_(
        "De server %(host)s bestaat niet. Controleer het adres: klopt de schrijfwijze van"
        " het deel na de @ (de vorm is naam@server.nl)?"
    ),
    "unreachable": N_(
        "De server %(host)s geeft geen antwoord. Probeer het later opnieuw, of vraag je"
        " partner of het adres klopt."
    ),
    "not-found": N_(
        "De server %(host)s kent dit account niet. Controleer het deel vóór de @, of vraag"
        " je partner naar het juiste adres (de vorm is naam@server.nl)."
    ),
    "refused-address": N_(
        "Dit adres hoort bij een lokaal of afgeschermd netwerk; deze node verbindt alleen"
        " met servers op het openbare internet. Gebruik het openbare adres van je partner,"
        " in de vorm naam@server.nl."
    ),
    "actor-unreachable": N_(
        "Het account is gevonden, maar de gegevens ervan konden niet worden opgehaald."
        " Probeer het later opnieuw."
    ),
    "not-an-actor": N_(
        "Op dit adres staat geen organisatie. Controleer het adres: gebruik de vorm naam@server.nl."
    ),
    "not-mediakring": N_(
        "Dit account is geen Mediakring-node en kan dus geen partner worden. Vraag je"
        " partner naar het adres van hun Mediakring-node."
    ),
    "self": N_("Dat is het adres van je eigen organisatie. Vul het adres van je partner in."),
    "already-active": N_("Jullie zijn al partners; je vindt ze in de lijst hieronder."),
    "already-pending": N_(
        "Er loopt al een partnerverzoek met deze organisatie. Wacht tot het beantwoord is."
    ),
}


def _host_of(handle: str) -> str:
    if handle.startswith(("https://", "http://")):
        return urlsplit(handle).hostname or handle
    return handle.rsplit("@", 1)[-1]


def partner_problem_text(exc: ProblemError, handle: str = "") -> str:
    """Why a partner address was refused, in the user's language, with what to do next.

    The node's ``detail`` (URLs, HTTP statuses, library messages) is logged by the node and
    never shown here."""
    message = PARTNER_REFUSALS.get(str(exc.extra.get("reason") or ""))
    if message is None:
        return _(
            "Het partnerverzoek lukte niet. Controleer het adres (de vorm is naam@server.nl)"
            " en probeer het opnieuw."
        )
    return _(message, host=_host_of(str(exc.extra.get("handle") or handle)))


def remote_files(
    media: list[dict[str, Any]], proxy: str, own_base_url: str | None = None
) -> list[dict[str, Any]]:
    """The files of a partner's item for the preview: kind, proxy address, alt text.

    ``proxy`` is ``/admin/proxy/media?share=…`` (or ``?listing=…``); file ``n`` is
    ``proxy&n=…``.  Files of our own items (``own_base_url``) come from our own store.
    """
    files = []
    for position, entry in enumerate(media):
        media_type = (entry.get("media_type") or "").lower()
        major = media_type.split("/", 1)[0]
        kind = major if major in ("image", "video", "audio") else "document"
        url = entry.get("url") or ""
        src = f"{proxy}&n={position}"
        if own_base_url and url.startswith(own_base_url.rstrip("/") + "/media/"):
            src = "/admin/media/" + url.rsplit("/media/", 1)[1].strip("/")
        files.append(
            {
                "kind": kind,
                "src": src,
                "media_type": media_type,
                "alt": entry.get("alt") or "",
                "width": entry.get("width"),
                "height": entry.get("height"),
                "size": entry.get("size"),
            }
        )
    return files


def camera_time(value: str | None) -> str:
    """A camera's own clock (``2026-05-01T14:30:00``, zone unknown) in words, as it was."""
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(value or "")
    except ValueError:
        return value or ""
    lang = current_language()
    return f"{human_time.date_words(moment.date(), lang)} {moment:%H:%M}"
