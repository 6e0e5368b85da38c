"""The search request and result types, and the user-query sanitiser.

User text never reaches FTS5 as syntax.  Each bare word or quoted phrase is
reduced to its word characters and re-emitted as an FTS5 *string* (``"..."``),
so quotes, ``*``, ``NEAR(``, ``AND``/``OR``/``NOT``, ``^`` and column filters
are plain text.  The only operators we produce are AND between parts, a
trailing ``*`` (prefix) on the last bare word (search as you type: "kerm" finds
"kermis", no ``*`` needed; unless the text ends in a space: that word is complete)
and on a bare word the user ended in ``*``, each of at
least three characters, and (only
when a word could reach the synthetic filter tokens) a column filter that
confines the whole expression to the text columns.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from node.mediatheek.schema import TEXT_COLUMNS

MAX_QUERY_CHARS = 500
MAX_PARTS = 12
MAX_TOKEN_CHARS = 64
MIN_PREFIX_CHARS = 3
MAX_LIMIT = 100
SORTS = ("relevance", "date")

_PART = re.compile(r'"([^"]*)"?|(\S+)')
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchQuery:
    """One search: free text, filters, sort, page and whether to count facets.

    ``since``/``until`` bound ``published_at`` (inclusive); ``embargoed`` keeps
    only (True) or no (False) listings under embargo at ``now``; ``now``
    defaults to the current time and also decides what has expired.
    ``cursor`` is the ``next_cursor`` of the previous page; ``offset`` skips
    results on the first page instead.
    """

    q: str = ""
    kind: str | None = None
    org: str | None = None
    since: str | None = None
    until: str | None = None
    tag: str | None = None
    language: str | None = None
    licence: str | None = None
    embargoed: bool | None = None
    sort: str = "relevance"
    limit: int = 20
    cursor: str | None = None
    offset: int = 0
    facets: bool = False
    now: str | None = None


@dataclass
class SearchResult:
    """A page of listings; ``total`` is exact only when ``total_exact`` is true.

    For very common words the engine looks at the newest matches only and
    extrapolates the total (and facet counts, see ``facets_exact``) from how
    far back in time those matches reach.
    """

    items: list[dict[str, Any]]
    total: int
    total_exact: bool = True
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    facets_exact: bool = True
    next_cursor: str | None = None


def _tokens(text: str) -> list[str]:
    return [t[:MAX_TOKEN_CHARS] for t in _TOKEN.findall(text)]


def to_match(q: str) -> str | None:
    """Turn user text into a safe FTS5 MATCH expression, or None if it has no words."""
    return text_match(parts(q))


def text_match(found: list[str]) -> str | None:
    """The AND of ``found`` (from :func:`parts`), never matching a filter token.

    Every synthetic filter token in the ``filters`` column starts with "0"
    (see :mod:`node.mediatheek.schema`).  User words that cannot fold to such a
    token are emitted as they are; if any word could (it starts with a zero of
    any script, after folding), the whole expression is confined to the text
    columns with a column filter, which costs FTS5 a little per match.  Either
    way, what the user types can neither select by kind, organisation, language
    or licence nor match a listing because of them.
    """
    if not found:
        return None
    expr = " AND ".join(found)
    if any(_may_reach_filters(t) for p in found for t in p.strip('"*').split()):
        return f"{{{' '.join(TEXT_COLUMNS)}}} : ({expr})"
    return expr


def _may_reach_filters(token: str) -> bool:
    """Whether ``token`` might equal (or be a prefix of) a filter token once FTS5 has
    folded it: a superset test, anything starting like a zero counts."""
    first = unicodedata.normalize("NFKD", token[:1]).casefold()[:1]
    return first == "0" or (first != "" and unicodedata.digit(first, None) == 0)


def parts(q: str) -> list[str]:
    """The user's words and phrases, each as a quoted FTS5 string (maybe with ``*``)."""
    text = unicodedata.normalize("NFC", q or "")[:MAX_QUERY_CHARS]
    out: list[str] = []
    found = [
        (m.group(1), m.group(2), _tokens(m.group(1) if m.group(1) is not None else m.group(2)))
        for m in _PART.finditer(text)
    ]
    found = [f for f in found if f[2]]
    for n, (_phrase, bare, tokens) in enumerate(found):
        expr = '"' + " ".join(tokens) + '"'
        # text ending in a space has its last word complete ("kermis " is kermis only)
        last = (n == len(found) - 1 and not text[-1:].isspace()) or n == MAX_PARTS - 1
        if bare is not None and (last or bare.endswith("*")):
            # as you type, the last word is still being written: its last token is a
            # prefix ("binck" finds "Binckhorst"); FTS5 reads "a b"* as a b*
            if len(tokens[-1]) >= MIN_PREFIX_CHARS:
                expr += "*"
        if expr not in out:
            out.append(expr)
        if len(out) == MAX_PARTS:
            break
    return out


def encode_cursor(sort: str, value: int) -> str:
    """Date pages continue below a listing id (keyset); relevance pages at an offset."""
    return f"{'d' if sort == 'date' else 'r'}{value}"


def decode_cursor(sort: str, cursor: str | None) -> int | None:
    """The id or offset inside a cursor; ValueError if it is not one of ours."""
    if not cursor:
        return None
    want = "d" if sort == "date" else "r"
    if cursor[:1] != want or not cursor[1:].lstrip("-").isdigit() or len(cursor) > 24:
        raise ValueError("invalid cursor")
    return int(cursor[1:])
