"""Ingest: files → articles → sentences → chunks → embeddings → store, as a stream.

Articles are read (JSON Lines line by line), checked and stored EMBED_BATCH_ARTICLES at a time,
so memory holds a few batches whatever the input's size: a thread embeds one while the next is read
and analysed (segmented, chunked, indexed: by worker processes when it is large, index/analysis.py)
and the one before is written (`_ingest_changed`). Unchanged articles (same content hash) are
skipped; changed ones replace their old version in Chroma and the docstore: a run that was
interrupted, run again, embeds only what it had not stored. Chroma is written before the docstore, so an
interrupted ingest leaves the old hash behind and the next run redoes that article; it
also leaves the store marked unfinished, and the next ingest first makes Chroma agree with
the docstore again (`repair`). Writers take the store's write lock one at a time. Stored articles
are put into copy groups last (`group_copies`): copies of one story, shown once in results.
"""

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from llama_index.core.schema import TextNode

from index.analysis import Analyser, Analysis, analyse, worker_count
from index.articles import Article
from index.chunking import span_text
from index.corrections import Withdrawn
from index.docstore import StoredChunk
from index.copies import METHOD, CopyGrouper
from index.embedding import embed_nodes, embed_texts
from index.faults import pause_point
from index import loaders
from index.loaders import Skipped
from index.nodes import chunk_node
from index.sentence_vectors import sentence_texts
from index.sentences import Span
from index.settings import IndexSettings
from index.repair import repair
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


@dataclass
class IngestProgress:
    """How far an ingest has got, updated as each article is read and as each few batches of its chunks
    are embedded (by the embedding thread): what a progress bar shows. `tell` is called at each change."""

    tell: Callable[[], None] = lambda: None
    input: loaders.BytesRead = field(default_factory=loaders.BytesRead)  # how much of the input files is read
    input_bytes: int = 0
    read: int = 0  # articles read
    settled: int = 0  # of them, finished without the model: unchanged or withdrawn
    prepared: int = 0  # new and changed articles cut into chunks for the model
    chunks: int = 0  # their chunks
    embedded: int = 0  # of those chunks
    finished: bool = False

    def share_done(self) -> float:
        """0-1: the share of the input read, times the share of what was read that is finished (settled, or
        its chunks embedded; an article not yet cut into chunks counts as the average one). Articles read
        ahead of the model are not done, and it stays under 1 until the ingest has finished."""
        if self.finished:
            return 1.0
        if not self.read:
            return 0.0
        read = min(1.0, self.input.count / self.input_bytes) if self.input_bytes else 1.0
        embedded = self.embedded * self.prepared / self.chunks if self.chunks else 0.0  # in articles
        return min(0.99, read * (self.settled + embedded) / self.read)

    def counted(self, articles: Iterable[Article]) -> Iterator[Article]:
        """`articles`, each counted as read when it is taken (with the input's bytes it took)."""
        for article in articles:
            self.read += 1
            self.tell()
            yield article

    def article_settled(self) -> None:
        self.settled += 1
        self.tell()

    def to_embed(self, articles: int, chunks: int) -> None:
        self.prepared += articles
        self.chunks += chunks

    def chunks_embedded(self, count: int) -> None:
        self.embedded += count
        self.tell()


# Told as an ingest reads articles and embeds their chunks: (the report so far, how far it has got).
Progress = Callable[[IngestReport, IngestProgress], None]


@dataclass
class PreparedArticle:
    article: Article
    sentences: list[Span]
    chunks: list[StoredChunk]
    nodes: list[TextNode]
    terms: list[str]  # each chunk's terms in the lexical index
    signature: bytes  # for its copy group


def load_paths(paths: Iterable[Path], report: IngestReport, settings: IndexSettings | None = None) -> list[Article]:
    """Load every supported file below `paths`; bad files and records become report errors naming them."""
    limit = (settings or IndexSettings()).max_article_bytes()
    return loaders.load_paths(paths, report.errors, report.skipped, limit)


def prepare(article: Article, store: Store, analysis: Analysis | None = None) -> PreparedArticle:
    """What is stored of an article; `analysis` is its `analyse` with the store's settings, if worked out already."""
    settings = store.settings
    analysis = analysis or analyse(article, settings.chunk_words, settings.chunk_overlap_sentences)
    sentences = analysis.sentences
    chunks = [
        StoredChunk(
            node_id=f"{article.doc_id}::{ord}",
            doc_id=article.doc_id,
            ord=ord,
            first_sentence=span.first,
            last_sentence=span.last,
            text=span_text(article.text, sentences, span),
        )
        for ord, span in enumerate(analysis.chunks)
    ]
    return PreparedArticle(article, sentences, chunks, [chunk_node(article, c) for c in chunks], analysis.terms, analysis.signature)


def ingest_articles(
    store: Store,
    articles: Iterable[Article],
    report: IngestReport,
    on_batch: Callable[[IngestReport], None] | None = None,
    progress: IngestProgress | None = None,
) -> None:
    """Store `articles` (read as they are needed); `on_batch` is called after each batch, `progress` kept up to date."""
    with store.writing():
        if store.docs.unfinished():
            report.repaired = repair(store)
        pause_point("write")
        with store.changing():
            progress = progress or IngestProgress()
            _ingest_changed(store, progress.counted(articles), report, on_batch or (lambda report: None), progress)


def _ingest_changed(
    store: Store, articles: Iterable[Article], report: IngestReport, on_batch: Callable[[IngestReport], None], progress: IngestProgress
) -> None:
    """A pipeline: while a thread embeds one batch, this one reads and segments the next and stores
    the one before, so that the model is never idle waiting for them. Batches are stored in order; an
    input that fails or is interrupted while the next batch is read first stores the batches in flight."""
    settings = store.settings
    analyser = Analyser(worker_count(settings.ingest_workers), settings.chunk_words, settings.chunk_overlap_sentences)
    embedder = _Embedder(store, progress)
    in_flight: deque[tuple[list[bool], Future]] = deque()
    pending: dict[str, str] = {}  # doc_id -> content hash of each article read but not stored yet
    signatures: dict[str, bytes] = {}  # of the articles stored, for their copy groups
    batches = _changed_batches(store, articles, report, on_batch, pending, embedder.start, progress)
    try:
        while True:
            try:
                changed = next(batches, None)
            except BaseException:  # the input failed or was interrupted: what is being embedded is kept
                while in_flight:
                    _store_embedded(store, *in_flight.popleft(), report, pending, signatures)
                raise
            if changed is None:
                break
            batch = [article for article, _ in changed]
            in_flight.append(([existed for _, existed in changed], embedder.submit(batch, analyser.submit(batch))))
            if len(in_flight) > 1:
                _store_embedded(store, *in_flight.popleft(), report, pending, signatures)
                on_batch(report)
        while in_flight:
            _store_embedded(store, *in_flight.popleft(), report, pending, signatures)
            on_batch(report)
    finally:
        embedder.close()
        analyser.close()
    group_copies(store, signatures)
    pause_point("stored")


def _changed_batches(
    store: Store,
    articles: Iterable[Article],
    report: IngestReport,
    on_batch: Callable[[IngestReport], None],
    pending: dict[str, str],
    on_change: Callable[[], None],
    progress: IngestProgress,
) -> Iterator[list[tuple[Article, bool]]]:
    """The new and changed articles, EMBED_BATCH_ARTICLES at a time, each with whether a version of
    it is stored (or read earlier in this run); unchanged ones are counted and left out. `on_change`
    is called at each new or changed one."""
    changed: dict[str, tuple[Article, bool]] = {}
    for batch in _batches(articles, EMBED_BATCH_ARTICLES):
        known = store.docs.hashes_of([article.doc_id for article in batch])
        withdrawn = store.corrections.withdrawn_of([article.doc_id for article in batch])
        for article in batch:
            stored = pending.get(article.doc_id, known.get(article.doc_id))
            if article.doc_id in withdrawn or stored == article.content_hash():
                progress.article_settled()
            if article.doc_id in withdrawn:
                report.skipped.append(withdrawn_skip(article, withdrawn[article.doc_id]))
                continue
            if stored == article.content_hash():
                report.unchanged += 1
                continue
            older = changed.pop(article.doc_id, None)  # read twice in one batch: the later version wins
            if older:
                report.updated += 1
            changed[article.doc_id] = (article, stored is not None or older is not None)
            on_change()
            pending[article.doc_id] = article.content_hash()
        if len(changed) >= EMBED_BATCH_ARTICLES:
            yield list(changed.values())
            changed = {}
        else:
            on_batch(report)
    if changed:
        yield list(changed.values())


def withdrawn_skip(article: Article, withdrawn: Withdrawn) -> Skipped:
    """What an ingest says of an article the desk withdrew: left out, and why."""
    return Skipped(article.path or article.doc_id, f"withdrawn on {withdrawn.withdrawn_at[:10]}: {withdrawn.reason}")


def _batches(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(articles)
    while batch := list(islice(iterator, size)):
        yield batch


class _Embedder:
    """A thread that prepares and embeds batches of articles in the order they are given; a batch's
    future gives its prepared articles."""

    def __init__(self, store: Store, progress: IngestProgress):
        self._store = store
        self._progress = progress
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._futures: list[Future] = []
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread, which loads the model while the first batch is read (once only)."""
        if self._thread is None:  # a daemon: an interrupted ingest does not wait for a batch in flight
            self._thread = threading.Thread(target=self._run, name="byline-embed", daemon=True)
            self._thread.start()

    def submit(self, articles: list[Article], analyses: Iterable[Analysis]) -> Future:
        self.start()
        future: Future = Future()
        self._futures = [f for f in self._futures if not f.done()] + [future]
        self._jobs.put((articles, analyses, future))
        return future

    def _run(self) -> None:
        try:
            self._store.embed_model  # noqa: B018  (loads the model)
        except Exception:  # said by the first batch's embedding, which loads it again
            pass
        while (job := self._jobs.get()) is not None:
            articles, analyses, future = job
            if future.set_running_or_notify_cancel():
                try:
                    prepared = [prepare(article, self._store, analysis) for article, analysis in zip(articles, analyses, strict=True)]
                    nodes = [node for item in prepared for node in item.nodes]
                    self._progress.to_embed(len(prepared), len(nodes))
                    embed_nodes(self._store.embed_model, nodes, self._progress.chunks_embedded)
                    if self._store.settings.sentence_vectors:
                        self._embed_sentences(prepared)
                    future.set_result(prepared)
                except BaseException as error:
                    future.set_exception(error)

    def _embed_sentences(self, prepared: list[PreparedArticle]) -> None:
        """Keep the vectors of the articles' sentences (index/sentence_vectors.py): answers read them."""
        texts = [text for item in prepared for text in sentence_texts(item.article.text, item.sentences)]
        self._store.sentence_vectors.embed_missing(texts, lambda missing: embed_texts(self._store.embed_model, missing))

    def close(self) -> None:
        """Cancel the batches not started; the thread ends after the one it is embedding, if any."""
        for future in self._futures:
            future.cancel()
        if self._thread is not None:
            self._jobs.put(None)


def _store_embedded(store: Store, existed: list[bool], embedded: Future, report: IngestReport, pending: dict[str, str], signatures: dict[str, bytes]) -> None:
    prepared = embedded.result()
    _store_batch(store, prepared, existed, report)
    for item, older in zip(prepared, existed):
        pending.pop(item.article.doc_id, None)
        signatures[item.article.doc_id] = item.signature
        if older:
            report.updated += 1
        else:
            report.added += 1


def group_copies(store: Store, signatures: dict[str, bytes] | None = None, keep: bool = False) -> int:
    """Put every stored article that has no copy group yet (new, changed, or stored before copies
    were grouped, or grouped another way) into one, oldest first; returns how many. `signatures` holds
    the signatures of stored texts worked out already, by doc_id; with `keep`, the grouper is kept for
    the next ingest even when nothing needed a group. Call while writing."""
    docs = store.docs
    kept = _kept(store)
    # While the kept grouper holds, only the articles this process stored since can lack a group: finding them
    # among all took 0.13 s of an upload at 119,000 articles.
    among = sorted(kept.stored_since) if kept and len(kept.stored_since) <= KNOWN_UNPLACED else None
    unplaced = docs.unplaced(METHOD, among)
    signatures = signatures or {}
    if unplaced or (keep and not kept):
        grouper = kept.grouper if kept else CopyGrouper(docs.placements(METHOD), docs.text)
        with docs.transaction():
            for doc_id in unplaced:
                placed = grouper.place(doc_id, docs.text(doc_id) or "", signatures.get(doc_id))
                docs.place(doc_id, placed.group_id, placed.signature, METHOD)
        store.copy_grouper = KeptGrouper(grouper, docs.generation(), docs.bumped_here)
    elif kept:
        kept.stored_since.clear()
    return len(unplaced)


def keep_copy_grouper(store: Store) -> None:
    """Make the copy grouper that the next upload would make first (1.8 s at 119,166 articles), grouping any
    stored article that has none yet."""
    with store.writing():
        group_copies(store, keep=True)


# The most articles stored since the last grouping that are looked for by id; beyond, every article is looked at.
KNOWN_UNPLACED = 500


@dataclass
class KeptGrouper:
    """The copy grouper of a store's last grouping (reading every placement again took 0.37 s of a 0.76 s upload
    at 119,000 articles), with the generation it left and this process's bumps by then, and the articles this
    process stored since (`_store_batch` adds them)."""

    grouper: CopyGrouper
    generation: int
    bumped_here: int
    stored_since: set[str] = field(default_factory=set)


def _kept(store: Store) -> KeptGrouper | None:
    """The kept grouper while only this process has written since (its articles deleted or changed since are
    harmless: a gone article's text reads None, a changed one is placed again); else None: another process
    may have stored articles, and the placements are read again."""
    kept, docs = store.copy_grouper, store.docs
    if kept is not None and docs.generation() - kept.generation == docs.bumped_here - kept.bumped_here:
        return kept
    return None


def _store_batch(store: Store, prepared: list[PreparedArticle], existed: list[bool], report: IngestReport) -> None:
    """Write embedded articles: the old chunks of those stored before out of Chroma and the new ones in,
    one call each, then the docstore. (Chroma holds no chunks of an article the docstore lacks: a write
    cut short is repaired before the next.)"""
    nodes = [node for item in prepared for node in item.nodes]
    store.delete_vectors([item.article.doc_id for item, older in zip(prepared, existed) if older])
    if nodes:
        store.vector_store.add(nodes)
    pause_point("chroma")
    if store.copy_grouper is not None:
        store.copy_grouper.stored_since.update(item.article.doc_id for item in prepared)
    with store.docs.transaction():
        for item in prepared:
            store.docs.put(item.article, item.sentences, item.chunks, item.terms)
        store.corrections.mark_updated([item.article.doc_id for item, older in zip(prepared, existed) if older])
    report.chunks += len(nodes)


def ingest(store: Store, paths: Iterable[Path], progress: Progress | None = None, follow_links: bool = False) -> IngestReport:
    """Ingest the files below `paths`, reading them as they are stored; links to files outside the
    folders given are skipped unless `follow_links`."""
    report = IngestReport()
    files = loaders.list_files(paths, report.errors, report.skipped, follow_links)
    state = IngestProgress(input_bytes=sum(_size(file) for file, _ in files))
    articles = loaders.iter_articles(files, report.errors, report.skipped, store.settings.max_article_bytes(), state.input)
    if progress:
        state.tell = lambda: progress(report, state)
        state.tell()
    ingest_articles(store, articles, report, progress=state)
    state.finished = True
    state.tell()
    return report


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except OSError:
        return 0  # reading it will say why
