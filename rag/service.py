"""The Byline service: the one library API behind the CLI, the REST API and the UI."""

import re
import threading
from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path

from index.articles import Article
from index.docstore import StoredArticle
from index.ingest import IngestReport, Progress, ingest, ingest_articles, load_paths
from index.loaders import LOADERS
from index.store import Store
from rag.context import CitationContext, citation_context
from rag.conversation import retrieval_query
from rag.evidence import EvidenceRanker
from rag.extractive import ExtractiveAnswerer, abstain
from rag.lexical import Lexicon
from rag.models import AskResult, Citation, Filters, SearchHit, SearchResult, Turn
from rag.retrieval import Retriever
from rag.settings import Settings

EMPTY_STORE = "No articles are indexed yet: add some with `byline ingest PATH`, the API's upload, or the Articles tab."
# An extractive answer streams one cited sentence at a time: "text [n]" pieces.
_CITED_PIECE = re.compile(r"\s*.+?(?:\[\d+\]|$)", re.S)

# File name endings that `ingest` reads.
FILE_TYPES: tuple[str, ...] = tuple(LOADERS)


class Byline:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.store = Store(self.settings)
        self.retriever = Retriever(self.store, self.settings)
        self.ranker = EvidenceRanker(self.store)
        self._write_lock = threading.Lock()
        self._lexicon: tuple[object, Lexicon] | None = None

    @cached_property
    def answerer(self):
        if self.settings.llm == "openai":
            from rag.llm import LLMAnswerer

            return LLMAnswerer(self.settings)
        return ExtractiveAnswerer(self.settings.abstain_threshold, self.settings.max_citations)

    def warm_up(self) -> None:
        """Load the embedding model and indexes now rather than on the first question."""
        self.store.embed_model.get_query_embedding("warm up")
        self.retriever.bm25()

    # --- documents -------------------------------------------------------------------
    def ingest(self, paths: Iterable[Path], progress: Progress | None = None) -> IngestReport:
        with self._write_lock:
            return ingest(self.store, paths, progress)

    def ingest_loaded(self, articles: list[Article], progress: Progress | None = None) -> IngestReport:
        """Store articles already read by `load` (no second parse of the files)."""
        report = IngestReport()
        with self._write_lock:
            ingest_articles(self.store, articles, report, progress)
        return report

    def load(self, paths: Iterable[Path]) -> tuple[list[Article], IngestReport]:
        """Read the articles in `paths` without storing them: the report says what `ingest` would reject."""
        report = IngestReport()
        return load_paths(paths, report), report

    def delete(self, doc_id: str) -> bool:
        with self._write_lock:
            return self.store.delete(doc_id)

    def article(self, doc_id: str) -> StoredArticle | None:
        return self.store.docs.get(doc_id)

    def articles(self, offset: int = 0, limit: int = 50) -> list[StoredArticle]:
        return self.store.docs.list(offset, limit)

    def count(self) -> int:
        return self.store.docs.count()

    def sources(self) -> list[str]:
        """The distinct article sources, for filter choices."""
        return self.store.docs.sources()

    def citation_contexts(self, citations: Iterable[Citation]) -> list[CitationContext]:
        """Each cited sentence inside its passage; citations of deleted articles are left out."""
        contexts = (citation_context(self.store.docs, citation) for citation in citations)
        return [context for context in contexts if context is not None]

    # --- questions -------------------------------------------------------------------
    def search(self, query: str, k: int = 10, per_doc: int = 1, filters: Filters | None = None, id=None) -> SearchResult:
        hits = self.retriever.documents(query, k, per_doc, filters)
        results = [
            SearchHit(
                rank=rank,
                doc_id=hit.doc_id,
                title=hit.metadata.get("title", ""),
                url=hit.metadata.get("url"),
                score=round(hit.score, 4),
                text=hit.text,
            )
            for rank, hit in enumerate(hits, start=1)
        ]
        return SearchResult(id=id, query=query, results=results)

    def evidence(self, question: str, history: list[Turn] | None = None, filters: Filters | None = None):
        query = retrieval_query(question, history)
        hits = self.retriever.chunks(query, self.settings.answer_chunks, filters)
        return self.ranker.rank(query, hits, self.lexicon())

    def ask(self, question: str, history: list[Turn] | None = None, filters: Filters | None = None, id=None) -> AskResult:
        result = None
        for item in self.ask_stream(question, history, filters):
            if isinstance(item, AskResult):
                result = item
        result.id = id
        return result

    def ask_stream(self, question: str, history: list[Turn] | None = None, filters: Filters | None = None) -> Iterator[str | AskResult]:
        """Yield answer text as it is produced, then the final `AskResult`."""
        question = question.strip()
        if not question:
            raise ValueError("question is empty")
        if self.count() == 0:
            yield abstain(question, [EMPTY_STORE])
            return
        evidence = self.evidence(question, history, filters)
        if hasattr(self.answerer, "stream"):
            yield from self.answerer.stream(question, evidence, history)
            return
        result = self.answerer.answer(question, evidence)
        yield from _CITED_PIECE.findall(result.answer)
        yield result

    def lexicon(self) -> Lexicon:
        bm25 = self.retriever.bm25()
        if self._lexicon is None or self._lexicon[0] is not bm25:
            self._lexicon = (bm25, Lexicon(bm25.bm25 if bm25 is not None else None))
        return self._lexicon[1]
