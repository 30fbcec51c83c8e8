"""The Byline service: the one library API behind the CLI, the REST API and the UI."""

from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from index.article_search import listed, matched
from index.articles import Article
from index.corrections import Withdrawn
from index.docstore import StoredArticle
from index.embedding import threads_here
from index.ingest import IngestProgress, IngestReport, Progress, ingest, ingest_articles, keep_copy_grouper
from index.loaders import LOADERS, load_named
from index.store import Store
from index.store_copy import CopyProgress, copy_store
from rag.citation_context import CitationContext, citation_context
from rag.answerers import Answerer, abstain, answerer_llm, final_result, make_answerer, problem
from rag import continuity
from rag.conversation import previous_question, standalone_question
from rag.copies import also_in, fold_evidence
from rag.evidence import EvidenceRanker
from rag.recency import asked_on
from rag.history import check_conversation, follow_up_turns, searched
from rag.term_weights import Lexicon
from rag.schema import AskResult, Citation, Filters, SearchHit, SearchResult, Turn
from rag.retrievers.hybrid import Retriever
from rag.settings import Settings

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

EMPTY_STORE = "No articles are indexed yet: add some with `byline ingest PATH`, the API's upload, or the Articles tab."

# File name endings that `ingest` reads.
FILE_TYPES: tuple[str, ...] = tuple(LOADERS)


class Byline:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.store = Store(self.settings)
        self.retriever = Retriever(self.store, self.settings)
        self.ranker = EvidenceRanker(self.store)
        self._lexicon: tuple[int, Lexicon] | None = None  # (the store's generation, its term rarities)
        self._searches = continuity.RecentSearches()  # what a follow-up's previous question found (rag/continuity.py)

    def close(self) -> None:
        """Release the store's files and connections (also on leaving `with Byline(...) as byline:`)."""
        self.store.close()

    def __enter__(self) -> "Byline":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @cached_property
    def answerer(self) -> Answerer:
        return make_answerer(self.settings, self.ranker.embed_texts)

    @cached_property
    def rewriter(self) -> "LLM | None":
        """The LLM that rewrites follow-ups, when the answerer has one."""
        return answerer_llm(self.answerer)

    def warm_up(self) -> None:
        """Load the embedding model, the answerer and Chroma's vector index now rather than on the first
        question (a server answers /healthz only after this: then it is ready to answer). The answerer
        comes first: a misconfigured one fails before the seconds the embedding model takes."""
        self.answerer  # noqa: B018  (builds and checks it)
        # Opens Chroma, which reads its index at the first query; the query's embedding loads the model.
        if not self.retriever.chunks("warm up", 1, mode="dense"):  # an empty store: nothing was embedded
            self.store.embed_model.get_query_embedding("warm up")

    def answerer_problem(self) -> str | None:
        """What keeps the answerer from answering as configured now (its model server down), or None."""
        return problem(self.answerer)

    def answerer_status(self) -> dict:
        """BYLINE_LLM's answerer, its model (None for the extractive one) and whether it can answer now."""
        llm = self.rewriter
        return {"answerer": self.settings.llm, "model": llm.metadata.model_name if llm else None, "ready": self.answerer_problem() is None}

    # --- documents -------------------------------------------------------------------
    # Writes take the store's write lock (index/store.py): one at a time, in this process or another.
    def ingest(self, paths: Iterable[Path], progress: Progress | None = None, follow_links: bool = False) -> IngestReport:
        """Read and store the files below `paths` a batch at a time; `progress` is told after each batch.
        Links to files outside the folders given are skipped unless `follow_links`."""
        return ingest(self.store, paths, progress, follow_links)

    def ingest_loaded(self, articles: Iterable[Article], progress: IngestProgress | None = None) -> IngestReport:
        """Store articles already read by `load` (no second parse of the files); `progress` is kept up to date."""
        report = IngestReport()
        ingest_articles(self.store, articles, report, progress=progress)
        return report

    def ready_for_uploads(self) -> None:
        """Do now what a server's first upload would do first: make the copy grouper (index/ingest.py)."""
        keep_copy_grouper(self.store)

    def load(self, files: Iterable[tuple[str, bytes]]) -> tuple[list[Article], IngestReport]:
        """Read uploaded files, each (name, bytes), without storing them; a file's name is its doc_id.
        The report's errors name each bad file (and line); `ingest_loaded` stores the articles."""
        report = IngestReport()
        return load_named(files, report.errors, self.settings.max_article_bytes()), report

    def delete(self, doc_id: str) -> bool:
        return self.store.delete(doc_id)

    def withdraw(self, doc_id: str, reason: str, by: str = "") -> Withdrawn:
        """Remove an article and keep it out of every later ingest, upload and feed sync, with the reason
        (`by`: who, a key's name). LookupError when no such article is stored or withdrawn."""
        return self.store.withdraw(doc_id, reason, by)

    def withdrawals(self) -> list[Withdrawn]:
        """The withdrawn articles, the newest withdrawal first."""
        return self.store.corrections.withdrawals()

    def restore(self, doc_id: str) -> bool:
        """Allow a withdrawn article to be stored again (the next ingest or sync brings it back)."""
        return self.store.corrections.restore(doc_id)

    def copy_from(self, folder: Path, progress: CopyProgress | None = None) -> dict:
        """Copy the embedded store in `folder` (Chroma in the folder, SQLite) into this one, which must be
        empty: the way to a shared store. Nothing is embedded again; returns what was copied."""
        if not (Path(folder) / "articles.sqlite3").is_file():
            raise ValueError(f"{folder} is not a Byline store (it has no articles.sqlite3)")
        source = Store(self.settings.model_copy(update={"store": Path(folder), "chroma_url": "", "database_url": ""}))
        try:
            return copy_store(source, self.store, progress)
        finally:
            source.close()

    def delete_many(self, doc_ids: list[str]) -> int:
        """Delete many articles in one write; how many of them were stored."""
        return self.store.delete_many(doc_ids)

    def article(self, doc_id: str) -> StoredArticle | None:
        return self.store.docs.get(doc_id)

    def articles(self, offset: int = 0, limit: int = 50, query: str = "") -> list[StoredArticle]:
        """A page of the articles, newest ingest first; with `query`, of those whose doc_id, title or
        source holds each of its words."""
        return listed(self.store.docs, offset, limit, query)

    def count(self, query: str = "") -> int:
        """How many articles are stored; with `query`, how many `articles` match it."""
        return matched(self.store.docs, query)

    def sources(self) -> list[str]:
        """The distinct article sources, for filter choices."""
        return self.store.docs.sources()

    def citation_contexts(self, citations: Iterable[Citation]) -> list[CitationContext]:
        """Each cited sentence inside its passage; citations of deleted articles are left out."""
        contexts = (citation_context(self.store.docs, citation) for citation in citations)
        return [context for context in contexts if context is not None]

    # --- questions -------------------------------------------------------------------
    def search(self, query: str, k: int = 10, per_doc: int = 1, filters: Filters | None = None, id=None) -> SearchResult:
        """The best `k` articles; copies of one story are shown once, the others listed in `also_in`."""
        with threads_here(self.settings.question_threads):
            hits = self.retriever.documents(query, k, per_doc, filters)
        copies = self.store.docs.copies(list({hit.doc_id for hit in hits})) if hits else {}
        results = [
            SearchHit(
                rank=rank,
                doc_id=hit.doc_id,
                title=hit.metadata.get("title", ""),
                url=hit.metadata.get("url"),
                score=round(hit.score, 4),
                text=hit.text,
                also_in=also_in(copies.get(hit.doc_id, [])),
            )
            for rank, hit in enumerate(hits, start=1)
        ]
        return SearchResult(id=id, query=query, results=results)

    def standalone(self, question: str, history: list[Turn] | None = None) -> str:
        """`question` rewritten to stand on its own, given the conversation before it."""
        return searched(question, standalone_question(question, follow_up_turns(history), self.rewriter))

    def evidence(self, question: str, history: list[Turn] | None = None, filters: Filters | None = None):
        return self._evidence(self.standalone(question, history), filters, question, history)

    def _evidence(self, query: str, filters: Filters | None, question: str = "", history: list[Turn] | None = None):
        """The ranked evidence for `query` (`question` made stand-alone); a question that follows up on the
        conversation's previous one stays with the articles that answered that one (rag/continuity.py)."""
        top_k = self.settings.answer_chunks
        scope = (self.store.docs.generation(), top_k, filters.model_dump_json() if filters else "")
        with threads_here(self.settings.question_threads):
            vector = self.store.embed_model.get_query_embedding(query)  # once, for retrieval and the ranking
            hits = self.retriever.chunks(query, top_k, filters, vector=vector)
            self._searches.remember((query, *scope), hits)
            story = self._story(question, history, filters, scope)
            if story:
                hits = continuity.merged(hits, continuity.story_hits(self.retriever, query, story, filters, top_k, vector))
            weight = continuity.story_weight(question, query) if story else 0.0
            brought = continuity.brought_in(question, query) if story else ()  # the story's subject, met by its article
            ranked = self.ranker.rank(query, hits, self.lexicon(), vector, asked_on(filters), brought)
            if story and continuity.typed_apart(question, query):
                ranked = continuity.as_typed(ranked, self.ranker.similarities(question, ranked))
            ranked = continuity.favour(ranked, story, weight)
            return fold_evidence(ranked, self.store.docs)

    def _story(self, question: str, history: list[Turn] | None, filters: Filters | None, scope: tuple) -> list[str]:
        """The articles `question` stays with (rag/continuity.py): those of the story the previous question
        stayed with, if it did, then those its own search found."""
        turns = follow_up_turns(history)
        previous = previous_question(turns)
        if not previous:
            return []
        last = max(n for n, turn in enumerate(turns) if turn.role == "user" and turn.content.strip())
        earlier = self._story(turns[last].content.strip(), turns[:last], filters, scope)
        found = self._searches.get((previous, *scope))
        if found is None:
            hits = self.retriever.chunks(previous, self.settings.answer_chunks, filters)
            self._searches.remember((previous, *scope), hits)
            found = [hit.doc_id for hit in hits]
        candidates = list(dict.fromkeys(earlier + found))
        # The articles the previous answer quoted are the story, with the one before; the rest of its search is not.
        answer = next((turn.content for turn in turns[last + 1 :] if turn.role == "assistant"), None)
        shown = continuity.shown(self.store.docs, answer, candidates)
        if shown:
            candidates = list(dict.fromkeys(shown + earlier))
        return continuity.story_articles(self.store.docs, question, candidates)

    def ask(self, question: str, history: list[Turn] | None = None, filters: Filters | None = None, id=None) -> AskResult:
        result = final_result(self.ask_stream(question, history, filters))
        result.id = id
        return result

    def ask_stream(self, question: str, history: list[Turn] | None = None, filters: Filters | None = None) -> Iterator[str | AskResult]:
        """Yield answer text as it is produced, then the final `AskResult`."""
        question = question.strip()
        if not question:
            raise ValueError("question is empty")
        check_conversation(question, history, self.settings)
        if self.count() == 0:
            yield abstain(question, [EMPTY_STORE])
            return
        query = self.standalone(question, history)
        for item in self.answerer.stream(query, self._evidence(query, filters, question, history), history):
            if isinstance(item, AskResult):
                item.question = question
                item.standalone_question = query
                self._date_corrections(item.citations)
            yield item

    def _date_corrections(self, citations: list[Citation]) -> None:
        """Each citation of an article changed since it was first stored says when (`updated`)."""
        updated = self.store.corrections.updated(sorted({c.doc_id for c in citations}))
        for citation in citations:
            citation.updated = updated.get(citation.doc_id)

    def lexicon(self) -> Lexicon:
        generation = self.store.docs.generation()
        if self._lexicon is None or self._lexicon[0] != generation:
            self._lexicon = (generation, Lexicon(self.store.docs))
        return self._lexicon[1]
