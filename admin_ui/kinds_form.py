"""The kind-specific part of the item form: an event's or a vacancy's ``details``.

Inputs are named ``d_<field>`` (nested: ``d_place_name``, ``d_salary_min``).  The
form turns them into the ``details`` object of the contract and leaves every rule
to the node (``node.items.kinds``): the checks here only catch what cannot be sent
at all (a date that is no date, a number that is no number, an unknown time zone,
a required field left empty), in the user's language.  A refusal by the node
names ``details.<field>``; it is shown next to that input with the rule for that
field, translated (the node's own reason is English).

Event times are entered as a date and a time in the event's own time zone and
sent with that zone's offset; the node stores the UTC instant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from admin_ui.i18n import N_, _

DEFAULT_TIMEZONE = "Europe/Amsterdam"
TIMEZONES = (
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/Paramaribo",
    "America/Curacao",
    "UTC",
)
DETAIL_KINDS = ("event", "vacancy")
EVENT_STATUSES = {
    "scheduled": N_("Gaat door"),
    "postponed": N_("Uitgesteld"),
    "cancelled": N_("Afgelast"),
}
CONTRACT_TYPES = {
    "permanent": N_("Vast"),
    "temporary": N_("Tijdelijk"),
    "freelance": N_("Freelance"),
    "internship": N_("Stage"),
    "volunteer": N_("Vrijwilligerswerk"),
}
SALARY_UNITS = {"MONTH": N_("per maand"), "HOUR": N_("per uur"), "YEAR": N_("per jaar")}
DETAIL_LABELS = {
    "d_start_date": N_("Begindatum"),
    "d_start_time": N_("Begintijd"),
    "d_end_date": N_("Einddatum"),
    "d_end_time": N_("Eindtijd"),
    "d_all_day": N_("Hele dag (geen tijden)"),
    "d_timezone": N_("Tijdzone"),
    "d_place_name": N_("Naam van de plek"),
    "d_place_address": N_("Adres"),
    "d_online_url": N_("Online adres (stream of meeting)"),
    "d_organiser": N_("Organisator"),
    "d_ticket_url": N_("Adres voor kaartjes of aanmelden"),
    "d_price": N_("Prijs"),
    "d_status": N_("Status"),
    "d_employer": N_("Werkgever"),
    "d_location": N_("Standplaats"),
    "d_hours": N_("Uren"),
    "d_contract_type": N_("Soort contract"),
    "d_salary_min": N_("Salaris vanaf"),
    "d_salary_max": N_("Salaris tot en met"),
    "d_salary_unit": N_("Salaris per"),
    "d_closing_date": N_("Sluitingsdatum"),
    "d_apply_url": N_("Solliciteren via adres"),
    "d_apply_email": N_("Solliciteren via e-mail"),
    "d_education_level": N_("Opleidingsniveau"),
}
EVENT_INPUTS = (
    "d_start_date",
    "d_start_time",
    "d_end_date",
    "d_end_time",
    "d_all_day",
    "d_timezone",
    "d_place_name",
    "d_place_address",
    "d_online_url",
    "d_organiser",
    "d_ticket_url",
    "d_price",
    "d_status",
)
VACANCY_INPUTS = tuple(k for k in DETAIL_LABELS if k not in EVENT_INPUTS)
INPUTS = {"event": EVENT_INPUTS, "vacancy": VACANCY_INPUTS}
#: The rule behind each field, shown when the node refuses it (``details.<field>``).
RULES = {
    "d_start_date": N_("Geef een begin met datum en tijd (of vink ‘hele dag’ aan)."),
    "d_end_date": N_("Het einde moet na het begin liggen (hele dag: niet vóór de begindatum)."),
    "d_timezone": N_("Onbekende tijdzone: gebruik een naam als Europe/Amsterdam."),
    "d_place_name": N_("Geef een plek (een naam, gewone tekst) of een online adres."),
    "d_place_address": N_("Het adres is te lang of bevat < of >."),
    "d_online_url": N_("Geef een http(s)-adres, of laat leeg."),
    "d_organiser": N_("Gewone tekst van maximaal 300 tekens, zonder < of >."),
    "d_ticket_url": N_("Geef een http(s)-adres, of laat leeg."),
    "d_price": N_("Gewone tekst van maximaal 100 tekens, zonder < of >."),
    "d_status": N_("Kies een status."),
    "d_employer": N_("Gewone tekst van maximaal 300 tekens, zonder < of >."),
    "d_location": N_("Vul een standplaats in (gewone tekst, zonder < of >)."),
    "d_hours": N_("Gewone tekst van maximaal 100 tekens, zonder < of >."),
    "d_contract_type": N_("Kies een soort contract."),
    "d_salary_min": N_("Het minimum mag niet hoger zijn dan het maximum."),
    "d_salary_max": N_("Het minimum mag niet hoger zijn dan het maximum."),
    "d_salary_unit": N_("Kies per uur, maand of jaar."),
    "d_closing_date": N_("Geef een sluitingsdatum van vandaag of later."),
    "d_apply_url": N_("Geef een http(s)-adres of een e-mailadres om te solliciteren."),
    "d_apply_email": N_("Geef een geldig e-mailadres, of een adres om te solliciteren."),
    "d_education_level": N_("Gewone tekst van maximaal 100 tekens, zonder < of >."),
}
_NODE_FIELDS = {
    "start": "d_start_date",
    "end": "d_end_date",
    "all_day": "d_all_day",
    "place": "d_place_name",
    "salary": "d_salary_min",
    "hours_min": "d_hours",
    "hours_max": "d_hours",
}


def input_for(node_field: str) -> str | None:
    """``details.place.name`` → ``d_place_name``; None for a field outside ``details``."""
    if not node_field.startswith("details"):
        return None
    path = node_field.split(".")[1:]
    if not path:
        return "form"
    if path[0] in _NODE_FIELDS and (len(path) == 1 or path[0] != "salary"):
        return _NODE_FIELDS[path[0]]
    name = "d_" + "_".join(path)
    return name if name in DETAIL_LABELS else "form"


def node_refusal(node_field: str) -> dict[str, str] | None:
    """A node's refusal of a ``details`` field as a translated error next to its input."""
    name = input_for(node_field)
    if name is None:
        return None
    if name == "form":
        return {"form": _("De gegevens van dit soort item zijn niet geaccepteerd.")}
    return {name: _(RULES.get(name, N_("Ongeldige waarde.")))}


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _split(value: str | None, zone: ZoneInfo | None) -> tuple[str, str]:
    """A stored instant (or date) as (date, time) in the event's zone."""
    if not value:
        return "", ""
    if len(value) == 10:
        return value, ""
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    local = moment.astimezone(zone) if zone else moment
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M")


def _num(value: Any) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def details_values(kind: str, details: Mapping[str, Any] | None) -> dict[str, str]:
    """The form's input values for stored ``details`` (defaults for a new item)."""
    d = details or {}
    if kind == "event":
        tz = d.get("timezone") or DEFAULT_TIMEZONE
        zone = _zone(tz)
        start_date, start_time = _split(d.get("start"), zone)
        end_date, end_time = _split(d.get("end"), zone)
        place = d.get("place") or {}
        return {
            "d_start_date": start_date,
            "d_start_time": start_time,
            "d_end_date": end_date,
            "d_end_time": end_time,
            "d_all_day": "on" if d.get("all_day") else "",
            "d_timezone": tz,
            "d_place_name": place.get("name") or "",
            "d_place_address": place.get("address") or "",
            "d_online_url": d.get("online_url") or "",
            "d_organiser": d.get("organiser") or "",
            "d_ticket_url": d.get("ticket_url") or "",
            "d_price": d.get("price") or "",
            "d_status": d.get("status") or "scheduled",
        }
    if kind == "vacancy":
        salary = d.get("salary") or {}
        return {
            "d_employer": d.get("employer") or "",
            "d_location": d.get("location") or "",
            "d_hours": d.get("hours") or "",
            "d_contract_type": d.get("contract_type") or "permanent",
            "d_salary_min": _num(salary.get("min")),
            "d_salary_max": _num(salary.get("max")),
            "d_salary_unit": salary.get("unit") or "MONTH",
            "d_closing_date": d.get("closing_date") or "",
            "d_apply_url": d.get("apply_url") or "",
            "d_apply_email": d.get("apply_email") or "",
            "d_education_level": d.get("education_level") or "",
        }
    return {}


def details_changed(kind: str, stored: Mapping[str, Any] | None, form: Mapping[str, str]) -> bool:
    """Whether the details inputs differ from what the stored details render as."""
    current = details_values(kind, stored)
    return any(form.get(k, "").strip() != current.get(k, "") for k in INPUTS.get(kind, ()))


def _instant(
    date: str, time: str, zone: ZoneInfo, all_day: bool, name: str, errors: dict[str, str]
) -> str | None:
    if not date.strip():
        errors[name] = _("Vul een datum in.")
        return None
    try:
        day = dt.date.fromisoformat(date.strip())
    except ValueError:
        errors[name] = _("Geen geldige datum.")
        return None
    if all_day:
        return day.isoformat()
    time_name = name.replace("_date", "_time")
    if not time.strip():
        errors[time_name] = _("Vul een tijd in, of vink ‘hele dag’ aan.")
        return None
    try:
        clock = dt.time.fromisoformat(time.strip())
    except ValueError:
        errors[time_name] = _("Geen geldige tijd (uu:mm).")
        return None
    return dt.datetime.combine(day, clock, tzinfo=zone).isoformat()


def _event(form: Mapping[str, str], errors: dict[str, str]) -> dict[str, Any]:
    tz = form.get("d_timezone", "").strip() or DEFAULT_TIMEZONE
    zone = _zone(tz)
    if zone is None:
        errors["d_timezone"] = _(RULES["d_timezone"])
    all_day = form.get("d_all_day") == "on"
    start = end = None
    if zone is not None:
        start = _instant(
            form.get("d_start_date", ""), form.get("d_start_time", ""), zone, all_day,
            "d_start_date", errors,
        )  # fmt: skip
        end = _instant(
            form.get("d_end_date", ""), form.get("d_end_time", ""), zone, all_day,
            "d_end_date", errors,
        )  # fmt: skip
    place_name = form.get("d_place_name", "").strip()
    address = form.get("d_place_address", "").strip()
    online = form.get("d_online_url", "").strip() or None
    if address and not place_name:
        errors["d_place_name"] = _("Geef ook de naam van de plek bij het adres.")
    elif not place_name and not online:
        errors["d_place_name"] = _(RULES["d_place_name"])
    details: dict[str, Any] = {
        "start": start,
        "end": end,
        "all_day": all_day,
        "timezone": tz,
        "place": {"name": place_name, "address": address or None} if place_name else None,
        "online_url": online,
        "ticket_url": form.get("d_ticket_url", "").strip() or None,
        "price": form.get("d_price", "").strip(),
        "status": form.get("d_status", "scheduled"),
    }
    if organiser := form.get("d_organiser", "").strip():
        details["organiser"] = organiser
    return details


def _money(raw: str, name: str, errors: dict[str, str]) -> float | int | None:
    if not raw.strip():
        return None
    try:
        text = raw.strip().replace(" ", "")
        value = float(text.replace(".", "").replace(",", ".") if "," in text else text)
    except ValueError:
        errors[name] = _("Geef een bedrag, bijvoorbeeld 3200.")
        return None
    return int(value) if value.is_integer() else value


def _vacancy(form: Mapping[str, str], errors: dict[str, str]) -> dict[str, Any]:
    location = form.get("d_location", "").strip()
    if not location:
        errors["d_location"] = _(RULES["d_location"])
    closing = form.get("d_closing_date", "").strip()
    if not closing:
        errors["d_closing_date"] = _("Vul een sluitingsdatum in.")
    else:
        try:
            dt.date.fromisoformat(closing)
        except ValueError:
            errors["d_closing_date"] = _("Geen geldige datum.")
    low = _money(form.get("d_salary_min", ""), "d_salary_min", errors)
    high = _money(form.get("d_salary_max", ""), "d_salary_max", errors)
    salary = None
    if low is not None or high is not None:
        salary = {
            "min": low if low is not None else high,
            "max": high if high is not None else low,
            "currency": "EUR",
            "unit": form.get("d_salary_unit", "MONTH"),
        }
    apply_url = form.get("d_apply_url", "").strip() or None
    apply_email = form.get("d_apply_email", "").strip() or None
    if not apply_url and not apply_email:
        errors["d_apply_url"] = _(RULES["d_apply_url"])
    details: dict[str, Any] = {
        "location": location,
        "hours": form.get("d_hours", "").strip(),
        "contract_type": form.get("d_contract_type", "permanent"),
        "salary": salary,
        "closing_date": closing,
        "apply_url": apply_url,
        "apply_email": apply_email,
        "education_level": form.get("d_education_level", "").strip(),
    }
    if employer := form.get("d_employer", "").strip():
        details["employer"] = employer
    return details


def parse_details_form(
    kind: str, form: Mapping[str, str]
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """(``details`` for the node, or None for kinds without them; errors by input name)."""
    errors: dict[str, str] = {}
    if kind == "event":
        return _event(form, errors), errors
    if kind == "vacancy":
        return _vacancy(form, errors), errors
    return None, errors


def card_date(item: Mapping[str, Any]) -> str:
    """What a library card says about when: the event's start, or the vacancy's closing date."""
    d = item.get("details") or {}
    if item.get("kind") == "event" and d.get("start"):
        date, time = _split(d["start"], _zone(d.get("timezone") or DEFAULT_TIMEZONE))
        day = dt.date.fromisoformat(date).strftime("%d-%m-%Y")
        when = _("%(date)s, hele dag", date=day) if not time else f"{day} {time}"
        if d.get("status") == "cancelled":
            return _("Afgelast: %(when)s", when=when)
        return _("Op %(when)s", when=when)
    if item.get("kind") == "vacancy" and d.get("closing_date"):
        day = dt.date.fromisoformat(d["closing_date"]).strftime("%d-%m-%Y")
        return _("Sluit op %(date)s", date=day)
    return ""
