"""The mediatheek's full-text index: an embedded tantivy index beside the SQLite file.

SQLite stays the source of truth.  Every write to ``listings`` (whoever makes it)
enqueues the listing's id in ``listings_index_queue`` through triggers, in the
same transaction (the transactional outbox, migration 24).  This module applies
the queue to the index: it reads the queue rows after the index's *watermark*
and their listings, replaces their documents (a withdrawn or deleted listing
loses its document) and commits, with the new watermark in a meta document
replaced in that same commit, so index and watermark never disagree after a
crash.  Queue rows at or below the watermark may then be pruned.  When the
index is missing, of another version, ahead of the database (a restored backup)
or the queue was pruned past its watermark, it is rebuilt from ``listings``.

One writer per index: a process-wide lock per index, and tantivy's own
directory lock against a second process (the CLI's ``reindex``).  The writer is
only open while changes are applied; when another process holds it, searches
use the committed index, and SQLite re-checks every row shown.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils
import tantivy

from node.items import visibility

log = logging.getLogger(__name__)

VERSION = 1  # bump when the schema or the analyzer changes: a new directory, rebuilt
QUEUE = "listings_index_queue"
ANALYZER = "mediakring_fold"
TEXT_FIELDS = ("title", "summary", "body", "tags", "names")
BOOSTS = {"title": 4.0, "tags": 3.0, "names": 3.0, "summary": 2.0, "body": 1.0}
FACET_FIELDS = {"kind": "kind", "org": "org", "language": "language", "licence": "licence"}
META_ID = -1  # the meta document: id -1, expired since the epoch, so no query finds it
BATCH = 5000  # queue rows per commit
HEAP = 50_000_000
REBUILD_HEAP = 400_000_000  # fewer, larger segments: each query and facet pays per segment
LISTING_COLUMNS = (
    "id, title, summary, body_text, tags, names, kind, origin_actor, language, licence,"
    " embargo_until, expires_at, withdrawn"
)


def analyzer() -> tantivy.TextAnalyzer:
    """Words of letters and digits, lower-cased and folded to ASCII (café -> cafe); no
    stemmer (the Porter stemmer is English and would mangle Dutch)."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(255))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


_FOLD = analyzer()


def fold(text: str) -> list[str]:
    """The index's tokens of ``text`` (the same analyzer the index uses)."""
    return list(_FOLD.analyze(text)) if text else []


def build_schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_integer_field("id", stored=True, indexed=True, fast=True)  # date order (schema.py)
    for name in TEXT_FIELDS:
        b.add_text_field(name, stored=False, tokenizer_name=ANALYZER)
    for name in (*FACET_FIELDS.values(), "tag"):
        b.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    b.add_integer_field("embargo_until", indexed=True, fast=True)
    b.add_integer_field("expires_at", indexed=True, fast=True)
    b.add_integer_field("watermark", stored=True)
    return b.build()


SCHEMA = build_schema()


def document(row: dict[str, Any]) -> tantivy.Document:
    """The index document of one ``listings`` row (visibility gives the integer keys)."""
    tags = json.loads(row["tags"] or "[]")
    return tantivy.Document(
        id=row["id"],
        title=row["title"] or "",
        summary=row["summary"] or "",
        body=row["body_text"] or "",
        tags=" ".join(tags),
        names=row["names"] or "",
        kind=row["kind"],
        org=row["origin_actor"],
        language=row["language"] or "",
        licence=row["licence"] or "",
        tag=tags,
        embargo_until=visibility.embargo_key(row),
        expires_at=visibility.expiry_key(row),
    )


def _meta(watermark: int) -> tantivy.Document:
    return tantivy.Document(id=META_ID, expires_at=visibility.KEY_MIN, watermark=watermark)


def location(db: sqlite_utils.Database) -> Path | None:
    """Where the index of ``db`` lives: beside its file (None: an in-memory database)."""
    for _seq, name, file in db.execute("PRAGMA database_list"):
        if name == "main":
            if not file:
                return None
            path = Path(file).resolve()
            base = "mediatheek-index" if path.name == "mediakring.db" else f"{path.name}.index"
            return path.parent / base / f"v{VERSION}"
    return None


@dataclass
class TextIndex:
    """One open index: tantivy's handle, its lock and the last watermark seen."""

    key: object
    path: Path | None
    index: tantivy.Index
    lock: threading.Lock = field(default_factory=threading.Lock)
    watermark: int | None = None  # None: not known to be built
    memo: dict[str, Any] = field(default_factory=dict)  # the search's cache (search.py)

    def searcher(self) -> tantivy.Searcher:
        return self.index.searcher()

    def committed_watermark(self) -> int | None:
        """The watermark of the committed index (None: never built)."""
        searcher = self.index.searcher()
        hits = searcher.search(tantivy.Query.term_query(SCHEMA, "id", META_ID), 1).hits
        if not hits:
            return None
        return searcher.doc(hits[0][1]).to_dict()["watermark"][0]


_REGISTRY: dict[object, TextIndex] = {}
_REGISTRY_LOCK = threading.Lock()


# documents sorted by id, newest first: equal scores rank the newest first (in a segment)
_SORTED = {"sort_by_field": "id", "sort_order": tantivy.Order.Desc}


def _open(path: Path | None) -> tantivy.Index:
    if path is None:
        index = tantivy.Index(SCHEMA, **_SORTED)
    else:
        path.mkdir(parents=True, exist_ok=True)
        try:
            index = tantivy.Index(SCHEMA, path=str(path), reuse=True, **_SORTED)
        except Exception:  # unreadable (a crash while creating it): start afresh
            log.warning("search index at %s unreadable: rebuilding it", path)
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir(parents=True)
            index = tantivy.Index(SCHEMA, path=str(path), reuse=False, **_SORTED)
    index.register_tokenizer(ANALYZER, analyzer())
    if path is not None:  # a commit by another process (the CLI) is seen within a second
        index.config_reader("OnCommit")
    return index


def get(db: sqlite_utils.Database) -> TextIndex:
    """The process-wide index of ``db`` (opened on first use; remembered on ``db``)."""
    known = getattr(db, "_mediatheek_index", None)
    if (
        known is not None
        and _REGISTRY.get(known.key) is known
        and (known.path is None or known.path.exists())
    ):
        return known
    path = location(db)
    key: object = str(path) if path is not None else ("memory", id(db.conn))
    with _REGISTRY_LOCK:
        found = _REGISTRY.get(key)
        if found is None or (found.path is not None and not found.path.exists()):
            found = TextIndex(key, path, _open(path))
            found.watermark = found.committed_watermark()
            _REGISTRY[key] = found
    db._mediatheek_index = found  # type: ignore[attr-defined]
    return found


def forget(db: sqlite_utils.Database) -> None:
    """Drop the open index of ``db`` (its node stopped); the files stay."""
    path = location(db)
    with _REGISTRY_LOCK:
        _REGISTRY.pop(str(path) if path is not None else ("memory", id(db.conn)), None)


# -- the queue -----------------------------------------------------------------------


def queue_top(db: sqlite_utils.Database) -> int:
    """The newest sequence number ever enqueued (0: none); one row read."""
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", [QUEUE]).fetchone()
    return row[0] if row else 0


@contextlib.contextmanager
def _snapshot(db: sqlite_utils.Database):
    """One read snapshot of SQLite (committed data only: never inside a transaction)."""
    conn = db.conn
    if conn.in_transaction:
        raise RuntimeError("the search index reads committed data only")
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


def _writer(ti: TextIndex, heap: int) -> tantivy.IndexWriter | None:
    """The index's writer, or None while another process holds it."""
    try:
        return ti.index.writer(heap_size=heap, num_threads=1)
    except Exception as exc:  # tantivy's directory lock: the CLI (or a node) is writing
        log.info("search index busy (%s): searching what is committed", exc)
        return None


def _close(writer: tantivy.IndexWriter) -> None:
    writer.wait_merging_threads()  # consumes the writer: its directory lock is released


def catch_up(db: sqlite_utils.Database, *, wait: float = 5.0) -> int:
    """Apply every pending change to the index; how many commits that took.

    Cheap when nothing is pending (one read of ``sqlite_sequence``).  Rebuilds
    when the index is missing, ahead of the database, or behind a pruned queue.
    """
    return _catch_up(db, get(db), wait)


def caught_up(db: sqlite_utils.Database) -> TextIndex:
    """The index of ``db`` with every committed change applied (what a search reads)."""
    ti = get(db)
    _catch_up(db, ti, 5.0)
    return ti


def _catch_up(db: sqlite_utils.Database, ti: TextIndex, wait: float) -> int:
    if db.conn.in_transaction:
        # inside a caller's transaction the queue may hold rows that are rolled back
        # later (and their sequence numbers reused): apply only what is committed
        return 0
    if ti.watermark is not None and queue_top(db) == ti.watermark:
        return 0
    if not ti.lock.acquire(timeout=wait):
        return 0  # another thread is applying (a rebuild): search what is committed
    try:
        commits = 0
        while _apply_batch(db, ti):
            commits += 1
        return commits
    finally:
        ti.lock.release()


def _apply_batch(db: sqlite_utils.Database, ti: TextIndex) -> int:
    """One commit's worth of queue rows (under ``ti.lock``): 1 applied, 0 caught up or busy."""
    with _snapshot(db):
        top = queue_top(db)
        if ti.watermark is not None and top == ti.watermark:
            return 0
        # an index not known to be built is (most likely) about to be rebuilt
        writer = _writer(ti, REBUILD_HEAP if ti.watermark is None else HEAP)
        if writer is None:
            ti.index.reload()
            ti.watermark = ti.committed_watermark()
            return 0
        try:
            ti.index.reload()  # another process may have committed since we last looked
            mark = ti.committed_watermark()
            # sequence numbers have no gaps (AUTOINCREMENT, and a rolled-back write takes
            # its number back): the next row to apply is mark + 1, unless it was pruned
            pruned_past = (
                mark is not None
                and top > mark
                and db.execute(f"SELECT 1 FROM {QUEUE} WHERE seq = ?", [mark + 1]).fetchone()
                is None
            )
            if mark is None or mark > top or pruned_past:
                _rebuild(db, writer, top)
                upto = top
            elif mark == top:
                ti.watermark = mark
                return 0
            else:
                upto = min(top, mark + BATCH)
                _apply_rows(db, writer, mark, upto)
        finally:
            _close(writer)
        ti.index.reload()
        ti.watermark = upto
        return 1


def _apply_rows(db: sqlite_utils.Database, writer: tantivy.IndexWriter, mark: int, upto: int):
    """Replace the documents of the listings queued in (mark, upto] and commit."""
    ids = [
        r[0]
        for r in db.execute(
            f"SELECT DISTINCT listing_id FROM {QUEUE} WHERE seq > ? AND seq <= ?",
            [mark, upto],
        )
    ]
    rows = _rows(db, ids)
    for listing_id in ids:
        writer.delete_documents_by_term("id", listing_id)
        row = rows.get(listing_id)
        if row is not None and not row["withdrawn"]:
            writer.add_document(document(row))
    writer.delete_documents_by_term("id", META_ID)
    writer.add_document(_meta(upto))
    writer.commit()


def _rows(db: sqlite_utils.Database, ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        cur = db.execute(
            f"SELECT {LISTING_COLUMNS} FROM listings WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(chunk)],
        )
        names = [d[0] for d in cur.description]
        for r in cur:
            out[r[0]] = dict(zip(names, r, strict=True))
    return out


def _rebuild(db: sqlite_utils.Database, writer: tantivy.IndexWriter, top: int) -> int:
    """Every visible listing anew, in one commit with watermark ``top`` (same snapshot)."""
    log.info("rebuilding the mediatheek search index from listings")
    writer.delete_all_documents()
    cur = db.execute(f"SELECT {LISTING_COLUMNS} FROM listings WHERE withdrawn = 0")
    names = [d[0] for d in cur.description]
    n = 0
    for r in cur:
        writer.add_document(document(dict(zip(names, r, strict=True))))
        n += 1
    writer.add_document(_meta(top))
    writer.commit()
    return n


def rebuild(db: sqlite_utils.Database) -> int:
    """Rebuild the index of ``db`` from ``listings`` now (the CLI); listings indexed.

    Raises ValueError (tantivy's lock) when another process holds the index's writer.
    """
    ti = get(db)
    with ti.lock:
        writer = ti.index.writer(heap_size=REBUILD_HEAP, num_threads=1)
        try:
            with _snapshot(db):
                top = queue_top(db)
                n = _rebuild(db, writer, top)
        finally:
            _close(writer)
        ti.index.reload()
        ti.watermark = top
        return n


def prune(db: sqlite_utils.Database) -> int:
    """Delete queue rows the index has applied (write connection); how many."""
    path = location(db)
    key: object = str(path) if path is not None else ("memory", id(db.conn))
    ti = _REGISTRY.get(key)
    if ti is None or ti.watermark is None:
        return 0
    mark = ti.committed_watermark()  # what is committed, never what is in flight
    if mark is None:
        return 0
    return db.execute(f"DELETE FROM {QUEUE} WHERE seq <= ?", [mark]).rowcount
