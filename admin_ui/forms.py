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
from node.items.licences import normalise_licence
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
    try:
        data["licence"] = normalise_licence(form.get("licence", "") or "all-rights-reserved")
    except ValueError:
        errors["licence"] = _(
            "Onbekende licentie: geef een SPDX-code (zoals CC-BY-4.0),"
            " een http(s)-adres of all-rights-reserved."
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
