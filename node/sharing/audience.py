"""An item's audience — the editor's regie in one place — and who may therefore see it.

The audience is: ticked partners, the mediatheek tick, and the public tick.
:func:`plan_change` works out what a new audience means (who gets an Offer, who
a retraction, whether a listing goes out or is withdrawn) and refuses partners
that are not active; :func:`viewers` answers the one question every read path
asks: may this actor see this item?
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import sqlite_utils

from node.channels.publish import set_public
from node.core.clock import iso
from node.core.errors import ValidationFailed
from node.items import visibility
from node.sharing import partners_store

AUDIENCE_FIELDS = ("partners", "mediatheek", "public")


@dataclass
class AudienceChange:
    item_id: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    list_on: bool = False
    list_off: bool = False
    public_on: bool = False
    public_off: bool = False


def get_audience(db: sqlite_utils.Database, item_id: str) -> dict[str, Any]:
    row = db.execute(
        "SELECT public, mediatheek FROM audience WHERE item_id = ?", [item_id]
    ).fetchone()
    partners = [
        r[0]
        for r in db.execute(
            "SELECT partner_actor FROM audience_partners WHERE item_id = ? AND retracted_at IS NULL"
            " ORDER BY shared_at",
            [item_id],
        )
    ]
    return {
        "partners": partners,
        "mediatheek": bool(row and row[1]),
        "public": bool(row and row[0]),
    }


def validate_input(data: dict[str, Any]) -> tuple[list[str], bool, bool]:
    unknown = sorted(set(data) - set(AUDIENCE_FIELDS))
    if unknown:
        raise ValidationFailed(f"Unknown field(s): {', '.join(unknown)}.", code="unknown-fields")
    partners = data.get("partners", [])
    if not isinstance(partners, list) or not all(isinstance(p, str) for p in partners):
        raise ValidationFailed("partners: must be a list of partner actor URLs")
    for name in ("mediatheek", "public"):
        if not isinstance(data.get(name, False), bool):
            raise ValidationFailed(f"{name}: must be true or false")
    return list(dict.fromkeys(partners)), data.get("mediatheek", False), data.get("public", False)


def plan_and_store(db: sqlite_utils.Database, item_id: str, data: dict[str, Any]) -> AudienceChange:
    """Validate the new audience, store it, and return what must be sent."""
    partners, mediatheek, public = validate_input(data)
    not_partners = [p for p in partners if not partners_store.is_active(db, p)]
    if not_partners:
        raise ValidationFailed(
            f"partners: not an active partner of this organisation: {', '.join(not_partners)}",
            field="partners",
        )
    before = get_audience(db, item_id)
    change = AudienceChange(
        item_id,
        added=[p for p in partners if p not in before["partners"]],
        removed=[p for p in before["partners"] if p not in partners],
        list_on=mediatheek and not before["mediatheek"],
        list_off=before["mediatheek"] and not mediatheek,
        public_on=public and not before["public"],
        public_off=before["public"] and not public,
    )
    now = iso()
    set_public(db, item_id, public)  # the one place that decides published_at
    db.execute(
        "UPDATE audience SET mediatheek = ?, updated_at = ? WHERE item_id = ?",
        [int(mediatheek), now, item_id],
    )
    for actor in change.added:
        db["audience_partners"].upsert(
            {
                "item_id": item_id,
                "partner_actor": actor,
                "shared_at": now,
                "retracted_at": None,
            },
            pk=("item_id", "partner_actor"),
        )
    for actor in change.removed:
        db.execute(
            "UPDATE audience_partners SET retracted_at = ? WHERE item_id = ? AND partner_actor = ?",
            [now, item_id, actor],
        )
    return change


def viewers(
    db: sqlite_utils.Database, item: dict[str, Any], now: str
) -> Literal["public"] | set[str]:
    """Who may see ``item`` now: "public", or the set of partner actor URLs."""
    if item.get("deleted") or visibility.is_expired(item, now):
        return set()
    audience = get_audience(db, item["id"])
    if visibility.is_public(item, audience["public"], now):
        return "public"
    allowed = set(audience["partners"])
    if audience["mediatheek"]:
        allowed |= {p["actor_url"] for p in partners_store.active_partners(db)}
    return allowed
