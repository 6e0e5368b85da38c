"""An item's workflow states, decided in one place: in Python for a badge, in SQL for a filter.

The states, from the editor's point of view:

- ``draft`` — going nowhere yet and still without content (no file, no body text);
- ``ready`` — going nowhere yet, but it has content: it can be shared;
- ``shared`` — offered to one or more partners (``shared_with`` says how many);
- ``listed`` — in the mediatheek, for every partner;
- ``public`` — the public sees it now (audience public, embargo passed, not expired);
- ``embargoed`` — under embargo (``embargo_until`` says until when); a public tick waits for
  it (``public_after_embargo``);
- ``expired`` — past its expiry: it was withdrawn everywhere, nothing else counts.

``draft``/``ready`` and ``shared``/``listed``/``public`` exclude each other; ``embargoed`` comes
with the latter.  Embargo, expiry and "public" are the rule of :mod:`node.items.visibility`,
which is called here, never copied.  :func:`item_states` and :func:`state_where` are the two
faces of one definition; a test checks they agree on every state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from node.core.errors import ValidationFailed
from node.items import visibility

STATES = ("draft", "ready", "shared", "listed", "public", "embargoed", "expired")


@dataclass(frozen=True)
class ItemStates:
    states: tuple[str, ...]
    shared_with: int = 0
    embargo_until: str | None = None
    public_after_embargo: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "states": list(self.states),
            "shared_with": self.shared_with,
            "embargo_until": self.embargo_until,
            "public_after_embargo": self.public_after_embargo,
        }


def item_states(
    item: Mapping[str, Any],
    *,
    partners: int,
    mediatheek: bool,
    public: bool,
    has_content: bool,
    now: dt.datetime | str | None = None,
) -> ItemStates:
    """The states of ``item`` given its audience (active partner count, the two ticks)."""
    moment = visibility.now_moment(now)
    if visibility.is_expired(item, moment):
        return ItemStates(("expired",))
    states: list[str] = []
    if not (partners or mediatheek or public):
        states.append("ready" if has_content else "draft")
    if partners:
        states.append("shared")
    if mediatheek:
        states.append("listed")
    if visibility.is_public(item, public, moment):
        states.append("public")
    embargoed = visibility.is_embargoed(item, moment)
    if embargoed:
        states.append("embargoed")
    return ItemStates(
        tuple(states),
        shared_with=partners,
        embargo_until=item.get(visibility.EMBARGO) if embargoed else None,
        public_after_embargo=bool(public and embargoed),
    )


# -- SQL -------------------------------------------------------------------------------

# Each state that is rare in a big library is driven by a small set (the audience tables, or
# the partial indexes of migration 17 on embargo and expiry), so the filter never has to
# test every item of a library of 100,000.
_PARTNERS = "items.id IN (SELECT item_id FROM audience_partners WHERE retracted_at IS NULL)"
_LISTED = "items.id IN (SELECT item_id FROM audience WHERE mediatheek = 1)"
_PUBLIC = "items.id IN (SELECT item_id FROM audience WHERE public = 1)"
_CONTENT = "(items.body_html != '' OR items.id IN (SELECT item_id FROM media))"
_GOING = f"({_PARTNERS} OR {_LISTED} OR {_PUBLIC})"


def _fragment(state: str) -> str:
    live = visibility.not_expired_sql("items", "?")
    return {
        "draft": f"{live} AND NOT {_GOING} AND NOT {_CONTENT}",
        "ready": f"{live} AND NOT {_GOING} AND {_CONTENT}",
        "shared": f"{_PARTNERS} AND {live}",
        "listed": f"{_LISTED} AND {live}",
        "public": f"{_PUBLIC} AND items.deleted = 0 AND {visibility.usable_sql('items', '?')}",
        "embargoed": f"{visibility.embargoed_sql('items', '?')} AND {live}",
        "expired": visibility.expired_sql("items", "?"),
    }[state]


def check_state(state: str) -> str:
    """``state`` if it is one of :data:`STATES`, else ValidationFailed (reason ``bad-state``)."""
    if state not in STATES:
        raise ValidationFailed(
            f"state: must be one of {', '.join(STATES)}", field="state", reason="bad-state"
        )
    return state


def state_where(state: str, now: dt.datetime | str | None = None) -> tuple[str, list[str]]:
    """A WHERE fragment over ``items`` for one state, and its positional parameters."""
    sql = _fragment(check_state(state))
    return f"({sql})", [visibility.now_text(now)] * sql.count("?")


def states_for(
    db: sqlite_utils.Database, items: list[Mapping[str, Any]], now: dt.datetime | str | None = None
) -> dict[str, ItemStates]:
    """The states of each item (dicts with ``id``, the item columns and ``media``)."""
    ids = [item["id"] for item in items]
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    partners = dict(
        db.execute(
            f"SELECT item_id, count(*) FROM audience_partners WHERE item_id IN ({marks})"
            " AND retracted_at IS NULL GROUP BY item_id",
            ids,
        ).fetchall()
    )
    ticks = {
        row[0]: (bool(row[1]), bool(row[2]))
        for row in db.execute(
            f"SELECT item_id, mediatheek, public FROM audience WHERE item_id IN ({marks})", ids
        )
    }
    moment = visibility.now_moment(now)
    return {
        item["id"]: item_states(
            item,
            partners=partners.get(item["id"], 0),
            mediatheek=ticks.get(item["id"], (False, False))[0],
            public=ticks.get(item["id"], (False, False))[1],
            has_content=bool(item.get("media")) or bool(item.get("body_html")),
            now=moment,
        )
        for item in items
    }
