"""Shared checks for incoming handlers: origin authority and object parsing."""

from __future__ import annotations

import logging
from typing import Any

from node.core.errors import ProblemError
from protocol import mapping
from protocol.result import Failure
from protocol.validate import host_of

log = logging.getLogger("mediakring.sharing.incoming")


class Refused(ProblemError):
    """An incoming activity we will not apply; logged, nothing stored."""

    status, code, title = 403, "refused", "Refused"


def object_id(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return None


def require_origin(sender: str, obj_id: str | None, what: str) -> str:
    """The object must live on the sender's host: nobody speaks for another's items."""
    if not obj_id:
        raise Refused(f"{what}: the object has no id")
    if host_of(obj_id) != host_of(sender):
        raise Refused(f"{what}: {sender} may not speak for {obj_id}")
    return obj_id


def parse_item(sender: str, obj: Any, what: str) -> dict[str, Any]:
    """An embedded object, checked for origin and mapped to our item shape."""
    if not isinstance(obj, dict):
        raise Refused(f"{what}: the object must be embedded")
    require_origin(sender, object_id(obj), what)
    attributed = obj.get("attributedTo")
    if attributed and object_id(attributed) != sender:
        raise Refused(f"{what}: attributedTo {object_id(attributed)} is not the sender")
    item = mapping.object_to_item(obj)
    if isinstance(item, Failure):
        raise Refused(f"{what}: {item.detail}")
    return item
