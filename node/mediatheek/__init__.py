"""The mediatheek index: our own and our partners' listings, searched locally.

Synchronous functions over a :class:`sqlite_utils.Database`; run them through
``Database.write`` (upserts, withdrawals) and ``Database.read`` (search).  The
full-text index is tantivy's, beside the database file (:mod:`.textindex`).
"""

from node.mediatheek import textindex
from node.mediatheek.query import SearchQuery, SearchResult
from node.mediatheek.search import search
from node.mediatheek.store import (
    delete_listing,
    get_listing,
    purge_expired,
    upsert_listing,
    withdraw_listing,
)

__all__ = [
    "SearchQuery",
    "SearchResult",
    "delete_listing",
    "get_listing",
    "purge_expired",
    "search",
    "textindex",
    "upsert_listing",
    "withdraw_listing",
]
