"""Vocabulary: the JSON-LD context every Mediakring document carries.

Our own terms live inline under one namespace IRI (``mk:``), the way Mastodon defines
``toot:`` terms, so a receiver never has to fetch a context from the network. The URL
contexts listed here are bundled with the package (see :mod:`protocol.jsonld`).
"""

from __future__ import annotations

MK_NS = "https://mediakring.nl/ns#"
AS_NS = "https://www.w3.org/ns/activitystreams#"
AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PUBLIC_ALIASES = frozenset({AS_PUBLIC, "as:Public", "Public"})

AS2_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_V1 = "https://w3id.org/security/v1"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
DATA_INTEGRITY_V1 = "https://w3id.org/security/data-integrity/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
IDENTITY_V1 = "https://w3id.org/identity/v1"

AS2_MEDIA_TYPE = "application/activity+json"
LD_MEDIA_TYPE = "application/ld+json"
LD_PROFILE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
AS2_ACCEPT = f"{AS2_MEDIA_TYPE}, {LD_PROFILE}"

_XSD = "http://www.w3.org/2001/XMLSchema#"

MK_TERMS: dict[str, object] = {
    "mk": MK_NS,
    "toot": "http://joinmastodon.org/ns#",
    "xsd": _XSD,
    "sensitive": "as:sensitive",
    "Hashtag": "as:Hashtag",
    "blurhash": "toot:blurhash",
    "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
    "size": {"@id": "mk:size", "@type": "xsd:nonNegativeInteger"},
    "credit": "mk:credit",
    "author": "mk:author",
    "licence": "mk:licence",
    "usageTerms": "mk:usageTerms",
    "embargoUntil": {"@id": "mk:embargoUntil", "@type": "xsd:dateTime"},
    "expiresAt": {"@id": "mk:expiresAt", "@type": "xsd:dateTime"},
    "mediatheek": {"@id": "mk:mediatheek", "@type": "@id"},
    "partners": {"@id": "mk:partners", "@type": "@id"},
    "instanceActor": {"@id": "mk:instanceActor", "@type": "@id"},
    "instanceOf": {"@id": "mk:instanceOf", "@type": "@id"},
    "derivedFrom": {"@id": "mk:derivedFrom", "@type": "@id"},
    "channel": "mk:channel",
    "publishedOn": {"@id": "mk:publishedOn", "@container": "@set"},
    # The core group's usage report (counts only; see FEDERATION.md, Create).
    "UsageReport": "mk:UsageReport",
    "usagePeriod": "mk:usagePeriod",
    "usageFigures": {"@id": "mk:usageFigures", "@type": "@json"},
    # Events as Mobilizon and Gancio send them (Mobilizon's timezone, iCalendar's status),
    # and our terms for what they lack.  See protocol/kinds.py and FEDERATION.md.
    "sc": "http://schema.org#",
    "mz": "https://joinmobilizon.org/ns#",
    "ical": "http://www.w3.org/2002/12/cal/ical#",
    "timezone": "mz:timezone",
    "address": "sc:address",
    "PostalAddress": "sc:PostalAddress",
    "streetAddress": "sc:streetAddress",
    "postalCode": "sc:postalCode",
    "addressLocality": "sc:addressLocality",
    "addressCountry": "sc:addressCountry",
    "eventStatus": "mk:eventStatus",
    "allDay": {"@id": "mk:allDay", "@type": "xsd:boolean"},
    "onlineUrl": {"@id": "mk:onlineUrl", "@type": "@id"},
    "ticketUrl": {"@id": "mk:ticketUrl", "@type": "@id"},
    "organizer": "mk:organizer",
    "price": "mk:price",
    # Vacancies: schema.org JobPosting terms, bundled here so nothing is fetched.
    "title": "sc:title",
    "hiringOrganization": "sc:hiringOrganization",
    "jobLocation": "sc:jobLocation",
    "employmentType": "sc:employmentType",
    "baseSalary": "sc:baseSalary",
    "MonetaryAmount": "sc:MonetaryAmount",
    "QuantitativeValue": "sc:QuantitativeValue",
    "currency": "sc:currency",
    "value": "sc:value",
    "minValue": "sc:minValue",
    "maxValue": "sc:maxValue",
    "unitText": "sc:unitText",
    "validThrough": {"@id": "sc:validThrough", "@type": "xsd:dateTime"},
    "educationRequirements": "sc:educationRequirements",
    "workHours": "sc:workHours",
    "directApply": {"@id": "sc:directApply", "@type": "xsd:boolean"},
    "contractType": "mk:contractType",
    "hoursMin": "mk:hoursMin",
    "hoursMax": "mk:hoursMax",
    "applyUrl": {"@id": "mk:applyUrl", "@type": "@id"},
    "applyEmail": "mk:applyEmail",
    # FEP-521a: none of the URL contexts above defines it (DID v1 does); without it a
    # JSON-LD processor (Fedify) drops the actor's Ed25519 key.
    "assertionMethod": {"@id": "sec:assertionMethod", "@type": "@id", "@container": "@set"},
}

CONTEXT: list[object] = [AS2_CONTEXT, SECURITY_V1, DATA_INTEGRITY_V1, MULTIKEY_V1, MK_TERMS]

ACTIVITY_TYPES = frozenset(
    {
        "Create",
        "Update",
        "Delete",
        "Offer",
        "Add",
        "Remove",
        "Follow",
        "Accept",
        "Reject",
        "Undo",
        "Announce",
        "Like",
        "Flag",
    }
)
OBJECT_TYPES = frozenset(
    {"Article", "Note", "Image", "Video", "Audio", "Document", "Page", "Event", "Question"}
)
ACTOR_TYPES = frozenset({"Organization", "Person", "Service", "Application", "Group"})


def is_as2_media_type(content_type: str | None) -> bool:
    """True for ``application/activity+json`` and the AS2 ``ld+json`` profile (any params)."""
    if not content_type:
        return False
    main, _, params = content_type.partition(";")
    main = main.strip().lower()
    if main == AS2_MEDIA_TYPE:
        return True
    if main != LD_MEDIA_TYPE:
        return False
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "profile":
            profiles = value.strip().strip('"').split()
            return AS2_CONTEXT in profiles
    return False
