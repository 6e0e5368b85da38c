"""The item form: HTML form values to node item fields, with reasons in the user's language.

The node validates everything again (and is the authority); the checks here exist
so that the common mistakes — too long, not a number, not a date — are explained in
Dutch or English next to the field, instead of as the API's English reason.
Dates are entered in Dutch local time (Europe/Amsterdam) and stored in UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from admin_ui.i18n import N_, _
from admin_ui.refusals import log_refusal, refusal_text
from node.core.errors import ValidationFailed
from node.items import visibility
from node.items.licences import ALL_RIGHTS_RESERVED, PICKER, normalise_licence, short_name
from node.items.model import FIELD_LIMITS

LOCAL_TIME = ZoneInfo("Europe/Amsterdam")
TEXT_FIELDS = ("title", "summary", "body", "credit", "usage_terms", "author")
LABELS = {
    "kind": N_("Soort"),
    "title": N_("Titel"),
    "summary": N_("Samenvatting"),
    "body": N_("Tekst"),
    "tags": N_("Tags"),
    "language": N_("Taal van de inhoud"),
    "location": N_("Locatie"),
    "location_name": N_("Plaatsnaam"),
    "latitude": N_("Breedtegraad"),
    "longitude": N_("Lengtegraad"),
    "credit": N_("Credit (naam bij de foto of het stuk)"),
    "licence": N_("Licentie"),
    "usage_terms": N_("Gebruiksvoorwaarden"),
    "embargo_until": N_("Embargo tot"),
    "expires_at": N_("Verloopt op"),
    "sensitive": N_("Gevoelige inhoud"),
    "author": N_("Auteur"),
}
KIND_LABELS = {
    "article": N_("Artikel"),
    "photo": N_("Foto"),
    "video": N_("Video"),
    "audio": N_("Audio"),
    "document": N_("Document"),
    "event": N_("Evenement"),
    "vacancy": N_("Vacature"),
}


def to_local_input(value: str | None) -> str:
    """A stored UTC timestamp as the value of a ``datetime-local`` input."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(LOCAL_TIME).strftime("%Y-%m-%dT%H:%M")


BAD_INSTANT = N_(
    "Geen geldige datum en tijd. Kies een dag en tijd met de kiezer,"
    " bijvoorbeeld 3 december 2026, 09:00."
)
#: Why the one rule refused a moment (``reason`` of its refusal), in words.
INSTANT_REFUSALS = {
    "instant.bad_offset": N_(
        "Een tijdverschil met UTC is hoogstens ±14:00. Laat het tijdverschil weg:"
        " zonder tijdverschil is het Nederlandse tijd."
    ),
    "instant.out_of_range": N_("Kies een datum tussen 1970 en 9999."),
}


def _from_local_input(raw: str, field: str) -> str | None:
    """A ``datetime-local`` value (Dutch time unless it says otherwise) → canonical UTC.

    The offset is kept until the one rule (``node.items.visibility``) has judged
    it, so the form refuses exactly what the API refuses (ValidationFailed).
    """
    if not raw.strip():
        return None
    moment = dt.datetime.fromisoformat(raw.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TIME)
    return visibility.canonical_instant(moment.isoformat(), field)


def _number(raw: str) -> float | None:
    return float(raw.replace(",", ".")) if raw.strip() else None


#: What each licence of the picker allows, after its short name ("CC BY-SA 4.0").
LICENCE_HINTS = {
    "CC-BY-4.0": N_("naamsvermelding"),
    "CC-BY-SA-4.0": N_("naamsvermelding, gelijk delen"),
    "CC-BY-ND-4.0": N_("naamsvermelding, geen afgeleide werken"),
    "CC-BY-NC-4.0": N_("naamsvermelding, niet-commercieel"),
    "CC-BY-NC-SA-4.0": N_("naamsvermelding, niet-commercieel, gelijk delen"),
    "CC-BY-NC-ND-4.0": N_("naamsvermelding, niet-commercieel, geen afgeleide werken"),
    "CC0-1.0": N_("publiek domein, geen voorwaarden"),
}
#: The picker's value for "a licence at an address I type".
CUSTOM_LICENCE = "custom"

#: Languages of content, by their name in the reader's language (ISO 639 codes stored).
LANGUAGES = {
    "nl": N_("Nederlands"),
    "en": N_("Engels"),
    "fy": N_("Fries"),
    "de": N_("Duits"),
    "fr": N_("Frans"),
    "es": N_("Spaans"),
    "pap": N_("Papiaments"),
    "tr": N_("Turks"),
    "ar": N_("Arabisch"),
    "pl": N_("Pools"),
    "uk": N_("Oekraïens"),
    "zgh": N_("Tamazight"),
}


def licence_name(value: str | None) -> str:
    """A stored licence for people: "CC BY-SA 4.0 (naamsvermelding, gelijk delen)"."""
    if not value:
        return ""
    if value == ALL_RIGHTS_RESERVED:
        return _("Alle rechten voorbehouden")
    if value in LICENCE_HINTS:
        return f"{short_name(value)} ({_(LICENCE_HINTS[value])})"
    return short_name(value)


def licence_options(current: str) -> list[dict[str, Any]]:
    """The licence picker: the CC family, CC0, all rights reserved, the current one if it is
    another, and "custom address"."""
    values = [*PICKER, ALL_RIGHTS_RESERVED]
    custom = current == CUSTOM_LICENCE or current.startswith(("http://", "https://"))
    if current and current not in values and not custom:
        values.append(current)
    options = [{"value": v, "label": licence_name(v), "selected": v == current} for v in values]
    options.append(
        {"value": CUSTOM_LICENCE, "label": _("Andere licentie (adres)"), "selected": custom}
    )
    return options


def language_name(code: str | None) -> str:
    """A language code as its name in the reader's language ("Nederlands"); unknown: the code."""
    if not code:
        return ""
    label = LANGUAGES.get(code.lower())
    return _(label) if label else code


def language_options(current: str) -> list[dict[str, Any]]:
    codes = list(LANGUAGES)
    if current and current not in codes:
        codes.append(current)
    return [{"value": c, "label": language_name(c), "selected": c == current} for c in codes]


def form_values(item: Mapping[str, Any]) -> dict[str, str]:
    """The editor's input values for a stored item."""
    location = item.get("location") or {}
    return {
        "title": item["title"],
        "summary": item["summary"],
        "body": item["body_html"],
        "tags": ", ".join(item["tags"]),
        "language": item["language"],
        "location_name": location.get("name") or "",
        "latitude": "" if location.get("latitude") is None else str(location["latitude"]),
        "longitude": "" if location.get("longitude") is None else str(location["longitude"]),
        "credit": item["credit"],
        "licence": item["licence"],
        "licence_url": item["licence"]
        if item["licence"].startswith(("http://", "https://"))
        else "",
        "usage_terms": item["usage_terms"],
        "author": item["author"],
        "embargo_until": to_local_input(item["embargo_until"]),
        "expires_at": to_local_input(item["expires_at"]),
        "sensitive": "on" if item["sensitive"] else "",
    }


def parse_item_form(form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """(node fields, errors by input name); fields are only meaningful without errors."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in TEXT_FIELDS:
        value = form.get(name, "")
        if len(value) > FIELD_LIMITS[name]:
            errors[name] = _(
                "Te lang: maximaal %(max)s tekens, nu %(count)s.",
                max=FIELD_LIMITS[name],
                count=len(value),
            )
        data[name] = value
    if not form.get("title", "").strip() and "title" not in errors:
        errors["title"] = _("Vul een titel in.")
    data["tags"] = [t.strip() for t in form.get("tags", "").split(",") if t.strip()]
    data["language"] = form.get("language", "").strip() or "nl"
    data["sensitive"] = form.get("sensitive") == "on"
    chosen = form.get("licence", "").strip()
    if chosen == CUSTOM_LICENCE:
        address = form.get("licence_url", "").strip()
        try:
            data["licence"] = normalise_licence(address) if address else ""
        except ValueError:
            data["licence"] = ""
        if not data["licence"].startswith(("http://", "https://")):
            errors["licence_url"] = _(
                "Geef het adres van de licentie, beginnend met https:// of http://."
            )
    else:
        try:
            data["licence"] = normalise_licence(chosen or ALL_RIGHTS_RESERVED)
        except ValueError:
            errors["licence"] = _(
                "Onbekende licentie: kies er een uit de lijst, of kies ‘Andere licentie"
                " (adres)’ en geef het adres."
            )
    coordinates: dict[str, float | None] = {}
    for name in ("latitude", "longitude"):
        try:
            coordinates[name] = _number(form.get(name, ""))
        except ValueError:
            errors[name] = _("Geef een getal, bijvoorbeeld 52.08.")
    place = form.get("location_name", "").strip()
    if place:
        data["location"] = {"name": place, **coordinates}
    else:
        data["location"] = None
        if any(v is not None for v in coordinates.values()):
            errors["location_name"] = _("Geef ook een plaatsnaam bij de coördinaten.")
    for name in ("embargo_until", "expires_at"):
        try:
            data[name] = _from_local_input(form.get(name, ""), name)
        except ValidationFailed as exc:
            log_refusal(exc)
            errors[name] = _(INSTANT_REFUSALS.get(str(exc.extra.get("reason")), BAD_INSTANT))
        except ValueError:
            errors[name] = _("Geen geldige datum en tijd.")
    if visibility.expires_before_embargo(data.get("embargo_until"), data.get("expires_at")):
        errors["expires_at"] = _("Moet later zijn dan het einde van het embargo.")
    return data, errors


def node_error(exc: ValidationFailed) -> dict[str, str]:
    """A node refusal as an error next to the field it names (or on the form as a whole)."""
    field = str(exc.extra.get("field") or "")
    name = {"location": "location_name"}.get(field, field)
    return {name or "form": refusal_text(exc)}


def changed_fields(item: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """Only the fields that differ from the stored item, so a save without edits is no version."""
    current = {**item, "body": item["body_html"]}

    def same(name: str, value: Any) -> bool:
        if isinstance(value, str) and isinstance(current.get(name), str):
            return value.strip() == current[name].strip()
        return current.get(name) == value

    return {name: value for name, value in data.items() if not same(name, value)}
