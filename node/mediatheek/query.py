"""The search request and result types, and the user-query sanitiser.

User text is never syntax.  It is split into bare words and quoted phrases,
each reduced to the index's own folded tokens (:func:`textindex.fold`), and the
search builds its query from those tokens with term and phrase queries, never
with a query parser: quotes, ``*``, ``NEAR(``, ``AND``/``OR``/``NOT``, ``^``
and field names (``title:``) are plain text.  The last bare word is a prefix
(search as you type: "kerm" finds "kermis", no ``*`` needed; unless the text
ends in a space: that word is complete), and so is a bare word the user ended
in ``*``, each of at least three characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from node.mediatheek.textindex import fold

MAX_QUERY_CHARS = 500
MAX_PARTS = 12
MIN_PREFIX_CHARS = 3
MAX_LIMIT = 100
SORTS = ("relevance", "date")

_PART = re.compile(r'"([^"]*)"?|(\S+)')


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
    """A page of listings, the exact number of all matches, and facets over all of them.

    ``total_exact`` and ``facets_exact`` are always true (they stay for the API's
    shape: the search once sampled long results).
    """

    items: list[dict[str, Any]]
    total: int
    total_exact: bool = True
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    facets_exact: bool = True
    next_cursor: str | None = None


@dataclass(frozen=True)
class Part:
    """One word or quoted phrase of the user's text, as the index's folded tokens;
    ``prefix``: its last token is the start of a word (search as you type)."""

    tokens: tuple[str, ...]
    prefix: bool = False


def parts(q: str) -> list[Part]:
    """The user's words and phrases (at most MAX_PARTS), folded like the index folds."""
    text = unicodedata.normalize("NFC", q or "")[:MAX_QUERY_CHARS]
    found = []
    for m in _PART.finditer(text):
        bare = m.group(2)
        tokens = tuple(fold(m.group(1) if bare is None else bare))
        if tokens:
            found.append((bare, tokens))
    out: list[Part] = []
    for n, (bare, tokens) in enumerate(found):
        # text ending in a space has its last word complete ("kermis " is kermis only)
        last = (n == len(found) - 1 and not text[-1:].isspace()) or n == MAX_PARTS - 1
        # as you type, the last word is still being written: its last token is a
        # prefix ("binck" finds "Binckhorst"); so is a word the user ended in "*"
        prefix = (
            bare is not None
            and (last or bare.endswith("*"))
            and len(tokens[-1]) >= MIN_PREFIX_CHARS
        )
        part = Part(tokens, prefix)
        if part not in out:
            out.append(part)
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
