"""Ingest: files → articles → sentences → chunks → embeddings → store, as a stream.

Articles are read (JSON Lines line by line), checked and stored EMBED_BATCH_ARTICLES at a time,
so memory holds a batch whatever the input's size. Unchanged articles (same content hash) are
skipped; changed ones replace their old version in Chroma and the docstore: a run that was
interrupted, run again, embeds only what it had not stored. Chroma is written before the docstore, so an
interrupted ingest leaves the old hash behind and the next run redoes that article; it
also leaves the store marked unfinished, and the next ingest first makes Chroma agree with
the docstore again (`repair`). Writers take the store's write lock one at a time. Stored articles
are put into story groups last (`place_stories`): copies of one story, shown once in results.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from llama_index.core.schema import MetadataMode, TextNode

from index.articles import Article
from index.chunking import chunk_sentences
from index.docstore import StoredChunk
from index.duplicates import METHOD, StoryGrouper
from index.faults import pause_point
from index import loaders
from index.loaders import Skipped
from index.nodes import chunk_node
from index.sentences import Span, split_sentences
from index.settings import IndexSettings
from index.store import Store

EMBED_BATCH_ARTICLES = 64


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    chunks: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    repaired: int = 0  # articles an interrupted write had left half-stored, put right first

    @property
    def articles(self) -> int:
        return self.added + self.updated + self.unchanged


# Told after each batch of articles is read and stored: (the report so far, bytes of input read, bytes in all).
Progress = Callable[[IngestReport, int, int], None]


@dataclass
class PreparedArticle:
    article: Article
    sentences: list[Span]
    chunks: list[StoredChunk]
    nodes: list[TextNode]


def load_paths(paths: Iterable[Path], report: IngestReport, settings: IndexSettings | None = None) -> list[Article]:
    """Load every supported file below `paths`; bad files and records become report errors naming them."""
    limit = (settings or IndexSettings()).max_article_bytes()
    return loaders.load_paths(paths, report.errors, report.skipped, limit)


def prepare(article: Article, store: Store) -> PreparedArticle:
    settings = store.settings
    sentences = split_sentences(article.text)
    spans = chunk_sentences(article.text, sentences, settings.chunk_words, settings.chunk_overlap_sentences)
    chunks = [
        StoredChunk(
            node_id=f"{article.doc_id}::{ord}",
            doc_id=article.doc_id,
            ord=ord,
            first_sentence=span.first,
            last_sentence=span.last,
            text=article.text[sentences[span.first].start : sentences[span.last - 1].end],
        )
        for ord, span in enumerate(spans)
    ]
    return PreparedArticle(article, sentences, chunks, [chunk_node(article, c) for c in chunks])


def ingest_articles(
    store: Store, articles: Iterable[Article], report: IngestReport, on_batch: Callable[[IngestReport], None] | None = None
) -> None:
    """Store `articles` (read as they are needed); `on_batch` is called after each batch."""
    with store.writing():
        if store.docs.unfinished():
            report.repaired = repair(store)
        pause_point("write")
        with store.changing():
            _ingest_changed(store, articles, report, on_batch or (lambda report: None))


def _ingest_changed(store: Store, articles: Iterable[Article], report: IngestReport, on_batch: Callable[[IngestReport], None]) -> None:
    changed: list[tuple[Article, bool]] = []  # (article, whether an older version is stored)
    for batch in _batches(articles, EMBED_BATCH_ARTICLES):
        known = store.docs.hashes_of([article.doc_id for article in batch])
        for article in batch:
            if known.get(article.doc_id) == article.content_hash():
                report.unchanged += 1
            else:
                changed.append((article, article.doc_id in known))
        if len(changed) >= EMBED_BATCH_ARTICLES:
            _store_changed(store, changed[:EMBED_BATCH_ARTICLES], report)
            del changed[:EMBED_BATCH_ARTICLES]
        on_batch(report)
    if changed:
        _store_changed(store, changed, report)
        on_batch(report)
    place_stories(store)
    pause_point("stored")


def _batches(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(articles)
    while batch := list(islice(iterator, size)):
        yield batch


def _store_changed(store: Store, changed: list[tuple[Article, bool]], report: IngestReport) -> None:
    _store_batch(store, [prepare(article, store) for article, _ in changed], report)
    for _, existed in changed:
        if existed:
            report.updated += 1
        else:
            report.added += 1


def place_stories(store: Store) -> int:
    """Put every stored article that has no story group yet (new, changed, or stored before story
    groups or with another method) into one, oldest first; returns how many. Call while writing."""
    docs = store.docs
    unplaced = docs.unplaced(METHOD)
    if unplaced:
        grouper = StoryGrouper(docs.placements(METHOD), docs.text)
        with docs.transaction():
            for doc_id in unplaced:
                placed = grouper.place(doc_id, docs.text(doc_id) or "")
                docs.place(doc_id, placed.group_id, placed.signature, METHOD)
    return len(unplaced)


def _store_batch(store: Store, prepared: list[PreparedArticle], report: IngestReport) -> None:
    nodes = [node for item in prepared for node in item.nodes]
    _embed(store, nodes)
    for item in prepared:
        store.vector_store.delete(ref_doc_id=item.article.doc_id)
    if nodes:
        store.vector_store.add(nodes)
    pause_point("chroma")
    with store.docs.transaction():
        for item in prepared:
            store.docs.put(item.article, item.sentences, item.chunks)
    report.chunks += len(nodes)


def _embed(store: Store, nodes: list[TextNode]) -> None:
    texts = [node.get_content(metadata_mode=MetadataMode.EMBED) for node in nodes]
    embeddings = store.embed_model.get_text_embedding_batch(texts) if texts else []
    for node, embedding in zip(nodes, embeddings):
        node.embedding = embedding


def repair(store: Store) -> int:
    """Make Chroma hold exactly the docstore's chunks again; returns the articles put right.

    Chunks of articles the docstore lacks are removed; an article whose chunks in Chroma differ
    from its stored ones (text, sentences or metadata: a write was cut between the two) is
    embedded again from the docstore. Call while writing.
    """
    articles = store.docs.metadata()
    stored: dict[str, TextNode] = {c.node_id: chunk_node(articles[c.doc_id], c) for c in store.docs.chunks()}
    found = store.collection.get(include=["documents", "metadatas"])
    in_chroma = set(found["ids"])
    damaged = {node.metadata["doc_id"] for node_id, node in stored.items() if node_id not in in_chroma}
    chroma_ids: dict[str, list[str]] = {}
    for node_id, text, metadata in zip(found["ids"], found["documents"], found["metadatas"]):
        doc_id = (metadata or {}).get("doc_id") or node_id.rsplit("::", 1)[0]
        chroma_ids.setdefault(doc_id, []).append(node_id)
        node = stored.get(node_id)
        if node is None or node.text != text or any((metadata or {}).get(k) != v for k, v in node.metadata.items()):
            damaged.add(doc_id)
    if damaged:
        if stale := [node_id for doc_id in damaged for node_id in chroma_ids.get(doc_id, [])]:
            store.collection.delete(ids=stale)
        nodes = [node for node in stored.values() if node.metadata["doc_id"] in damaged]
        _embed(store, nodes)
        if nodes:
            store.vector_store.add(nodes)
        store.docs.bump()  # readers in other processes reopen Chroma
    store.docs.set_unfinished(False)
    return len(damaged)


def ingest(store: Store, paths: Iterable[Path], progress: Progress | None = None) -> IngestReport:
    """Ingest the files below `paths`, reading them as they are stored."""
    report = IngestReport()
    files = loaders.list_files(paths, report.errors, report.skipped)
    total = sum(_size(file) for file, _ in files)
    read = loaders.BytesRead()
    articles = loaders.iter_articles(files, report.errors, report.skipped, store.settings.max_article_bytes(), read)
    if progress:
        progress(report, 0, total)
    ingest_articles(store, articles, report, progress and (lambda report: progress(report, read.count, total)))
    return report


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except OSError:
        return 0  # reading it will say why
