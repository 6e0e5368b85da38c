"""Items on a collection page inherit the page's ``@context`` (FEDERATION.md §5.1).

A listing is stored and relayed as a stand-alone document: its own ``@context`` and, in
its ``eddsa-jcs-2022`` proof, a second copy of it.  Our context defines the ``mk:``
terms inline, so these two copies are most of a listing's bytes; a back-fill page of
1,000 listings would carry the same context 2,001 times.  JSON-LD already says what an
embedded object without ``@context`` means: it is read under the context of the
document around it.  So the origin leaves both copies out of an item whose context is
the page's own, and a receiver that needs the stand-alone document (to verify the
item's proof, or to relay it) puts them back with :func:`inherit`.

:func:`omit` works on the stored JSON text, as the page serves it without decoding
(see ``federation.routes``), and removes the two members only where they are exactly
where our signer writes them: the document's first member, and the proof's last but
one before ``proofValue`` with the proof as the document's last member.  Any other
layout is served as it is, which is always correct, only larger.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: A proof's last member and the end of proof and document: ``"proofValue": "z…"}}``.
_PROOF_TAIL = re.compile(r'"proofValue": "z[1-9A-HJ-NP-Za-km-z]+"\}\}\Z')


def context_member(context: Any) -> str:
    """The ``"@context": …, `` member as our encoder writes it (``json.dumps``, the
    default separators, UTF-8 text): what :func:`omit` looks for."""
    return '"@context": ' + json.dumps(context, ensure_ascii=False) + ", "


def omit(text: str, member: str) -> str:
    """``text`` (one item's JSON) without its ``@context`` and its proof's, when both are
    ``member`` (from :func:`context_member` of the page's context); else ``text``."""
    head = "{" + member
    if not text.startswith(head):
        return text
    cut = text.rfind(member + '"proofValue": ')
    if cut < len(head) or _PROOF_TAIL.match(text, cut + len(member)) is None:
        return text
    start = text.rfind('"proof": {', len(head), cut)
    if start < 0 or any(c in text[start + 10 : cut] for c in "{}[]"):
        return text  # the member is not the proof's own: leave the item whole
    return "{" + text[len(head) : cut] + text[cut + len(member) :]


def inherit(entry: dict[str, Any], context: Any) -> dict[str, Any]:
    """``entry`` as the stand-alone document it stands for on a page with ``context``:
    an item without ``@context`` takes the page's, and then so does its proof when it
    has none (a proof's context is its document's, FEP-8b32).  An item that has its own
    ``@context`` is returned as it is."""
    if "@context" in entry or context is None:
        return entry
    proof = entry.get("proof")
    if isinstance(proof, dict) and "@context" not in proof:
        proof = {**proof, "@context": context}
    restored = {"@context": context, **entry}
    if proof is not None:
        restored["proof"] = proof
    return restored
