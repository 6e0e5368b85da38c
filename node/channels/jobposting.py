"""schema.org ``JobPosting`` JSON-LD for a vacancy page, so job search engines find it.

Built from the listing's ``details`` (the shared contract of issue 13).  All
text is plain text (tags removed); the page embeds it with ``<``, ``>`` and
``&`` escaped, so nothing in it can close the ``<script>`` block.
"""

from __future__ import annotations

import json
from typing import Any

from node.channels.ical import text

REQUIRED = (
    "title",
    "description",
    "datePosted",
    "hiringOrganization",
    "jobLocation",
    "validThrough",
)
#: The contract's contract types as schema.org / search-engine ``employmentType`` values.
EMPLOYMENT_TYPE = {
    "temporary": "TEMPORARY",
    "freelance": "CONTRACTOR",
    "internship": "INTERN",
    "volunteer": "VOLUNTEER",
}
FULL_TIME_HOURS = 32


def employment_type(details: dict[str, Any]) -> str:
    contract = details.get("contract_type") or ""
    if contract in EMPLOYMENT_TYPE:
        return EMPLOYMENT_TYPE[contract]
    most = details.get("hours_max")
    return "PART_TIME" if isinstance(most, int | float) and most < FULL_TIME_HOURS else "FULL_TIME"


def job_posting(entry: dict[str, Any], page_url: str) -> dict[str, Any]:
    """The JSON-LD object of one vacancy (``entry`` as the agenda module returns it)."""
    d = entry["details"]
    description = "\n\n".join(p for p in (text(entry["summary"]), text(entry["text"])) if p)
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "@id": entry["uri"],
        "url": page_url,
        "title": text(entry["title"]),
        "description": description or text(entry["title"]),
        "datePosted": entry["published_at"][:10],
        "hiringOrganization": {
            "@type": "Organization",
            "name": text(d.get("employer") or entry["origin_name"]),
            "sameAs": entry["origin_actor"],
        },
        "jobLocation": {
            "@type": "Place",
            "address": {"@type": "PostalAddress", "addressLocality": text(d.get("location"))},
        },
        "employmentType": employment_type(d),
    }
    if entry.get("expires_at"):
        doc["validThrough"] = entry["expires_at"]
    salary = d.get("salary")
    if isinstance(salary, dict):
        value: dict[str, Any] = {"@type": "QuantitativeValue", "unitText": salary.get("unit")}
        for ours, theirs in (("min", "minValue"), ("max", "maxValue")):
            if salary.get(ours) is not None:
                value[theirs] = salary[ours]
        doc["baseSalary"] = {
            "@type": "MonetaryAmount",
            "currency": salary.get("currency") or "EUR",
            "value": value,
        }
    if d.get("hours"):
        doc["workHours"] = text(d["hours"])
    if d.get("education_level"):
        doc["educationRequirements"] = text(d["education_level"])
    doc["directApply"] = bool(d.get("apply_url"))
    return doc


def script_block(doc: dict[str, Any]) -> str:
    """``<script type="application/ld+json">`` whose content cannot end the element."""
    body = (
        json.dumps(doc, ensure_ascii=False, sort_keys=True)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    return f'<script type="application/ld+json">{body}</script>'
