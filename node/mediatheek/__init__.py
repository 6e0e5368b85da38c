"""The mediatheek index: our own and our partners' listings, searched locally.

Synchronous functions over a :class:`sqlite_utils.Database`; run them through
``Database.write`` (upserts, withdrawals) and ``Database.read`` (search).
"""

from node.mediatheek.query import SearchQuery, SearchResult, to_match
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
    "to_match",
    "upsert_listing",
    "withdraw_listing",
]
