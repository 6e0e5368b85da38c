"""The few protocol/ functions the engine calls, gathered in one place.

protocol/ is the pure wire layer; this module only adapts its results to what
the engine needs (and holds the inbound shape rules that are about *who may say
what*, which the engine enforces before anything is stored).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from protocol import jsonld, multikey, proofs
from protocol.result import Failure
from protocol.validate import host_of, parse_json

__all__ = ["add_proof", "check_authority", "check_context", "parse_body", "verify_proof"]

MAX_DEPTH = 32


def parse_body(body: bytes, max_bytes: int = 1 << 22) -> dict | Failure:
    """JSON object with an id, a type and an actor, nested at most MAX_DEPTH deep.

    Size and depth limits and the JSON parsing itself are protocol's; the inbox
    has already capped the body, so ``max_bytes`` here is only a backstop.
    """
    doc = parse_json(body, max_bytes=max_bytes, max_depth=MAX_DEPTH)
    if isinstance(doc, Failure):
        return doc
    for name in ("id", "type", "actor"):
        if not isinstance(doc.get(name), str) or not doc[name]:
            return Failure("activity.shape", f"activity needs a string {name!r}")
    if not doc["id"].startswith(("https://", "http://")):
        return Failure("activity.shape", "activity id must be an http(s) URL")
    return doc


def check_context(doc: dict) -> jsonld.ContextOk | Failure:
    """The inbox's context gate (run after the signature): nothing is fetched.

    Unknown context URLs are ignored. The engine reads the compact JSON as-is, so an
    inline context that gives one of the terms it reads another meaning is refused
    rather than silently read the wrong way.
    """
    ok = jsonld.check_context(doc)
    if isinstance(ok, jsonld.ContextOk) and ok.remapped:
        terms = ", ".join(sorted(ok.remapped))[:200]
        return Failure("jsonld.redefined_term", f"the context gives {terms} another meaning")
    return ok


def _id_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return None


class _SameHost:
    """Is a URL on the actor's host?  Most ids an actor sends start with the very same
    ``scheme://authority/`` as the actor's own id, which settles it without parsing
    (the same authority text has the same host); any other URL is compared by host."""

    def __init__(self, actor: str) -> None:
        self.host = host_of(actor)
        cut = actor.find("/", actor.find("://") + 3) if "://" in actor else -1
        self.origin = actor[: cut + 1] if cut != -1 else None

    def __call__(self, url: str) -> bool:
        if self.origin is not None and url.startswith(self.origin):
            return True
        return host_of(url) == self.host


def check_authority(doc: dict) -> Failure | None:
    """An actor speaks only for its own host: ids it creates, updates or deletes live there."""
    on_actor_host = _SameHost(doc["actor"])
    if not on_actor_host(doc["id"]):
        return Failure("activity.origin", "activity id is not on the actor's host")
    kind, obj = doc["type"], doc.get("object")
    if kind in ("Create", "Update", "Delete"):
        oid = _id_of(obj)
        if oid is not None and not on_actor_host(oid):
            return Failure("activity.origin", f"object {oid[:200]} is on another host")
        if isinstance(obj, dict):
            author = obj.get("attributedTo")
            if isinstance(author, str) and not on_actor_host(author):
                return Failure("activity.origin", "object attributed to another host's actor")
    if kind == "Undo" and isinstance(obj, dict):
        inner_actor = _id_of(obj.get("actor"))
        if inner_actor is not None and not on_actor_host(inner_actor):
            return Failure("activity.origin", "cannot undo another host's activity")
    return None


def add_proof(document: dict, key: ed25519.Ed25519PrivateKey, key_id: str, now: datetime) -> dict:
    """FEP-8b32 ``eddsa-jcs-2022`` proof over the whole document (returns a new dict)."""
    return proofs.create_proof(document, key, key_id, now)


def _is_ours(proof: Any) -> bool:
    items = proof if isinstance(proof, list) else [proof]
    return any(isinstance(p, dict) and p.get("cryptosuite") == proofs.CRYPTOSUITE for p in items)


def verify_proof(document: dict, keys: dict[str, str]) -> Failure | None:
    """Verify an ``eddsa-jcs-2022`` proof with one of ``keys`` (key id → multibase).

    Proofs of other suites (Mitra's RSA JCS, LD signatures) are not ours to judge
    and are ignored: the HTTP signature already authenticated the sender.
    """
    proof = document.get("proof")
    if not _is_ours(proof):
        return None
    if isinstance(proof, list):
        # A proof set (Fedify appends its proof to those already there): every proof
        # covers the document without proofs, and every one of ours must verify.
        for single in proof:
            if isinstance(single, dict) and single.get("cryptosuite") == proofs.CRYPTOSUITE:
                problem = verify_proof({**document, "proof": single}, keys)
                if problem is not None:
                    return problem
        return None
    method = proofs.proof_method(document)
    if isinstance(method, Failure):
        return method
    if method not in keys:
        return Failure("proof.key", "proof key is not in the actor's assertionMethod")
    result = proofs.verify_proof(document, multikey.decode_ed25519(keys[method]))
    return result if isinstance(result, Failure) else None
