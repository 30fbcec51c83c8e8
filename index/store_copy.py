"""Copying a whole store into another, as it is: the way from the embedded store to a shared one.

Nothing is embedded again: the docstore's rows (articles, sentences, chunks, copy groups, the lexical
index's rows, which fill the target's own lexical index; corrections and withdrawals) go over a thousand at a time, then each
stored chunk's vector with its metadata, the sentence vectors (index/sentence_vectors.py), then the registered feeds and
sitemaps. The target must be empty.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from index.corrections import TABLES as CORRECTIONS
from index.feeds.registry import FILE, FeedRegistry
from index.store import Store

ROWS = 1000
# The docstore's tables in the order their references need, with the columns copied as they are.
DOCSTORE_TABLES = {
    "articles": "doc_id, hash, meta, text, sentences, ingested_at",
    "article_search": "doc_id, folded",
    "chunks": "node_id, doc_id, ord, first_sentence, last_sentence, text",
    "copy_groups": "doc_id, group_id, signature, method",
    "chunk_terms": "node_id, doc_id, source, date_ord, terms",
    **CORRECTIONS,  # when articles changed, and the withdrawn ones
}
REGISTRY_TABLES = {
    "sources": "url, kind, title, prune, etag, last_modified, added, last_sync, last_error",
    "entries": "source, link, doc_id, version, etag, last_modified",
    "source_success": "url, at",
}

# Told as it goes: (what, how many copied, how many in all).
CopyProgress = Callable[[str, int, int], None]


class CopyRefused(RuntimeError):
    """The source or the target is not in a state to copy."""


def copy_store(source: Store, target: Store, progress: CopyProgress | None = None) -> dict:
    """Copy everything `source` holds into the empty `target`; returns what was copied."""
    say = progress or (lambda what, done, total: None)
    with source.writing(), target.writing(), _registries(source, target) as (origin, into):
        if source.docs.unfinished():
            raise CopyRefused(f"{source.path}: a write to it was interrupted; run `byline ingest` on it first, which puts it right")
        if target.docs.count() or target.vectors.count() or (into and into.all()):
            where = target.docs.database.where if target.settings.database_url else target.path
            raise CopyRefused(f"{where} already holds articles or sources: copy into an empty store")
        with target.changing():
            with target.docs.lexical.filled_at_end():
                copy_rows(source.docs.database, target.docs.database, DOCSTORE_TABLES, say)
            vectors = copy_vectors(source, target, say)
            source.sentence_vectors.copy_to(target.sentence_vectors)
            target.docs.bump()
            target.copy_grouper = None  # its copy groups were written here, not placed
        if origin:
            copy_rows(origin.database, into.database, REGISTRY_TABLES, say)
        return {"articles": target.docs.count(), "chunks": vectors, "sources": len(origin.all()) if origin else 0}


@contextmanager
def _registries(source: Store, target: Store) -> Iterator[tuple]:
    """The source's and the target's registries of feeds and sitemaps, if the source has one."""
    if not source.settings.database_url and not (Path(source.path) / FILE).exists():
        yield None, None
        return
    origin = FeedRegistry.in_store(source.path, source.settings.database_url)
    into = FeedRegistry.in_store(target.path, target.settings.database_url)
    try:
        yield origin, into
    finally:
        origin.close()
        into.close()


def copy_rows(source, target, tables: dict[str, str], say: CopyProgress) -> None:
    """Every row of `tables` from one database (index/db/) into another, a transaction per
    ROWS rows (PostgreSQL's lexical counts are rows that every chunk updates: one transaction's updates
    of a row pile up until it commits)."""
    for table, columns in tables.items():
        total, done = source.rows(f"SELECT COUNT(*) FROM {table}")[0][0], 0
        for batch in source.batches(f"SELECT {columns} FROM {table}", ROWS):
            with target.transaction():
                target.write_many(f"INSERT INTO {table} ({columns}) VALUES ({','.join('?' * len(batch[0]))})", batch)
            done += len(batch)
            say(table, done, total)


def copy_vectors(source: Store, target: Store, say: CopyProgress) -> int:
    """Each stored chunk's vector and metadata, a page of the docstore's chunk ids at a time."""
    total, done = source.docs.chunk_count(), 0
    for page in source.docs.chunk_ids(ROWS):
        found = source.vectors.get([node_id for node_id, _ in page], embeddings=True)
        if found.ids:
            target.vectors.add(found.ids, found.embeddings, found.metadatas)
        done += len(found.ids)
        say("vectors", done, total)
    return done
