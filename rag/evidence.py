"""Score every sentence of the retrieved chunks as evidence for the question.

A sentence's score mixes its embedding similarity to the question, the share of the
question's rare words it contains, the retrieval score of its chunk, and whether it offers
the kind of answer the question asks for (a number, a date, a name).
"""

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import numpy as np

from index.docstore import StoredArticle
from index.lexical.terms import lexical_terms
from index.sentence_vectors import SentenceVectors
from index.store import Store
from rag.answer_kinds import answer_kind, asked_clause, offers, question_words, ranks
from rag.background import is_caption, lead_weight, looks_back, points_elsewhere
from rag.focus import question_focus, verb_terms
from rag.term_weights import Lexicon, topic_terms
from rag.schema import AlsoIn
from rag.retrievers.hybrid import ChunkHit

WEIGHTS = {
    "dense": 0.5,
    "lexical": 0.35,
    "retrieval": 0.15,
    "answer_kind": 0.2,
    "lead": 0.15,
    "background": 0.2,
    "predicate": 0.1,
    "caption": 0.2,
    "ranking": 0.1,
}
# A sentence that asks a question rarely answers one.
QUESTION_SENTENCE_PENALTY = 0.1
EMBEDDING_CACHE_SIZE = 20000
# A sentence that names its topic only nearby ("California has the most cases." after two sentences
# about monkeypox) matches the question's words at this share of its passage's match. Archive tune
# half at 0 / 0.3 / 0.4 / 0.5 / 0.7: right 0.796 / 0.806 / 0.817 / 0.817 / 0.817, lead 0.710 / 0.720 /
# 0.731 / 0.720 / 0.699, unanswerable refused 0.879 but 0.848 at 0.7. The RealTime QA dev guard
# (bench.short_questions) holds 0.635 up to 0.4 and falls to 0.596 at 0.5; SQuAD's holds 0.845 at 0.4.
PASSAGE_LEXICAL = 0.4
# Sentences embedded per question at most: the candidates with the best score without the embedding
# similarity (lexical overlap, retrieval, answer kind, placement); None embeds them all. A follow-up's story
# sentences share few of its words ("Which team beat him in his final game?"), and 16 cut them before the story's
# bonus could count. Archive tune half at 16 / 24 / 32 / None: follow-ups right 138 / 141 / 141 / 140 of 175,
# unanswerable refused 80 / 79 / 79 / 79 of 89; check half at 24: follow-ups 108 -> 112 of 168, refused 58 -> 57 of
# 83, answers cited but wrong 113 -> 109 of 457.
EMBED_LIMIT: int | None = 24
# A sentence is read with this many sentences before and after it: "he" names someone said earlier.
PASSAGE_BEFORE, PASSAGE_AFTER = 2, 1


@dataclass
class Evidence:
    doc_id: str
    title: str
    sentence: str
    index: int  # sentence number in the article
    start: int
    end: int
    score: float
    dense: float
    lexical: float
    also_in: list[AlsoIn] = field(default_factory=list)  # copies carrying this sentence (rag/copies.py)
    missing: list[str] = field(default_factory=list)  # the question's focus its passage does not mention (rag/focus.py)
    # The part of `score` that picks the sentence an answer leads with (where it stands in its article, whether it
    # says what the question asks happened), not the sentences quoted beside it.
    placement: float = 0.0
    # The part of `score` a follow-up's story gave it (rag/continuity.py): a reason to prefer it, not a match.
    story: float = 0.0
    published: str | None = None  # the article's date (ISO 8601), which "Thursday" in the sentence counts from


def passage_span(stored: StoredArticle, index: int) -> range:
    """The sentence numbers a sentence is read with: itself and those around it."""
    return range(max(index - PASSAGE_BEFORE, 0), min(index + PASSAGE_AFTER + 1, len(stored.sentences)))


def passage(stored: StoredArticle, index: int) -> str:
    """What a sentence is read with: its article's title and the sentences around it."""
    span = passage_span(stored, index)
    return f"{stored.article.title}\n{stored.span_text(span.start, span.stop) or ''}"


class EvidenceRanker:
    def __init__(self, store: Store):
        self.store = store
        self._sentences = VectorCache()
        self._texts = VectorCache()
        # The model call that embeds sentences (a list of texts -> their vectors); tests and benches count its calls.
        self.embed_batch = store.embed_model.get_text_embedding_batch
        # The sentence vectors an ingest kept (index/sentence_vectors.py); None: every sentence is embedded here.
        self.stored: SentenceVectors | None = store.sentence_vectors

    def rank(
        self,
        question: str,
        hits: list[ChunkHit],
        lexicon: Lexicon,
        question_vector: list[float] | None = None,
        as_of: date | None = None,
        article_wide: tuple[str, ...] = (),
    ) -> list[Evidence]:
        """The evidence `hits` hold for `question`, best first; `question_vector`: its query embedding, when
        retrieval made it already; `as_of`: the day the question is asked ("tomorrow" counts from it);
        `article_wide`: names of its focus met anywhere in a sentence's article (rag/continuity.py's `brought_in`)."""
        if not hits:
            return []
        articles: dict[str, StoredArticle] = {}
        best_hit = max(h.score for h in hits) or 1.0
        candidates: dict[tuple[str, int], float] = {}
        for hit in hits:
            if hit.doc_id not in articles:
                stored = self.store.docs.get(hit.doc_id)
                if stored is None:
                    continue
                articles[hit.doc_id] = stored
            first, last = hit.metadata["first_sentence"], hit.metadata["last_sentence"]
            if articles[hit.doc_id].span_text(first, last) != hit.text:
                continue  # the article changed since it was retrieved
            for index in range(first, last):
                key = (hit.doc_id, index)
                candidates[key] = max(candidates.get(key, 0.0), hit.score / best_hit)
        if not candidates:
            return []
        terms = topic_terms(question)
        kind = answer_kind(asked_clause(question))
        asked = question_words(question)
        focus = question_focus(question).as_of(as_of).with_article_wide(article_wide)
        predicate = focus.predicate()
        ranking = ranks(asked_clause(question))  # "Which city's rent rose most?": the sentence that ranks
        lowered = cache(lambda doc_id: articles[doc_id].article.text.lower())  # read once per article, not per sentence
        terms_at = cache(lambda doc_id, index: frozenset(lexical_terms(articles[doc_id].sentence_text(index))))

        @cache
        def passage_terms(doc_id: str, index: int) -> frozenset[str]:
            """The terms of `passage`: the title's and those of the sentences around."""
            stored = articles[doc_id]
            return frozenset(lexical_terms(stored.article.title)).union(*(terms_at(doc_id, n) for n in passage_span(stored, index)))

        # Everything but the embedding similarity first: it is cheap, and it decides which sentences reach the model.
        scored = []
        for doc_id, index in candidates:
            text = articles[doc_id].sentence_text(index)
            if points_elsewhere(text):
                continue
            lexical = lexicon.share(terms, terms_at(doc_id, index))
            around = lexicon.share(terms, passage_terms(doc_id, index))
            said = lexicon.overlap(predicate, text, verb_terms) if predicate else 1.0
            parts = (  # summed after the similarity, in this order, as the score always was
                WEIGHTS["lexical"] * max(lexical, PASSAGE_LEXICAL * around),
                WEIGHTS["retrieval"] * candidates[(doc_id, index)],
                WEIGHTS["answer_kind"] if kind and offers(text, kind, asked) else 0.0,
                -(QUESTION_SENTENCE_PENALTY if text.rstrip("”\"' ").endswith("?") else 0.0),
            )
            placement = (
                WEIGHTS["predicate"] * said
                + WEIGHTS["lead"] * lead_weight(index)
                + (WEIGHTS["ranking"] if ranking and ranks(text) else 0.0)
                - (WEIGHTS["background"] if looks_back(text, index, articles[doc_id].article.date, set(focus.years)) else 0.0)
                - (WEIGHTS["caption"] if is_caption(text) else 0.0)
            )
            scored.append(((doc_id, index), text, lexical, parts, placement))
        if not scored:
            return []
        scored = could_lead(scored, EMBED_LIMIT)
        if question_vector is None:
            question_vector = self.store.embed_model.get_query_embedding(question)
        dense = self._embed([item[0] for item in scored], [item[1] for item in scored]) @ np.asarray(question_vector)
        ranked = []
        for ((doc_id, index), text, lexical, parts, placement), similarity in zip(scored, dense):
            score = WEIGHTS["dense"] * float(similarity)
            for part in parts:
                score += part
            span = articles[doc_id].sentences[index]
            ranked.append(
                Evidence(
                    doc_id,
                    articles[doc_id].article.title,
                    text,
                    index,
                    span.start,
                    span.end,
                    score + placement,
                    float(similarity),
                    lexical,
                    missing=focus.missing(passage(articles[doc_id], index), articles[doc_id].article.date, lowered(doc_id)) if focus else [],
                    placement=placement,
                    published=articles[doc_id].article.date,
                )
            )
        ranked.sort(key=lambda e: e.score, reverse=True)
        return ranked

    def similarities(self, text: str, evidence: list[Evidence]) -> np.ndarray:
        """The embedding similarity of `text`, read as a query, to each evidence sentence."""
        vector = np.asarray(self.store.embed_model.get_query_embedding(text))
        return self._embed([(e.doc_id, e.index) for e in evidence], [e.sentence for e in evidence]) @ vector

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        """Embeddings of any texts (an answer's claims, evidence sentences), cached by text."""
        return self._texts.vectors(texts, texts, self.store.embed_model.get_text_embedding_batch)

    def _embed(self, keys, texts) -> np.ndarray:
        """Sentence embeddings, cached by (doc, sentence, text) across questions (a changed article's
        sentence is looked up again), read from the stored ones or embedded."""
        cache_keys = [(d, i, text) for (d, i), text in zip(keys, texts)]
        stored = self.stored
        embed = self.embed_batch if stored is None else lambda missing: stored.vectors(missing, self.embed_batch)
        return self._sentences.vectors(cache_keys, texts, embed)


def could_lead(scored: list, limit: int | None) -> list:
    """The `limit` candidates (key, text, lexical, score parts, placement) with the best score short of the
    embedding similarity, in their first order; the others would need a far closer embedding than these to lead."""
    if limit is None or len(scored) <= limit:
        return scored
    kept = sorted(range(len(scored)), key=lambda i: sum(scored[i][3]) + scored[i][4], reverse=True)[:limit]
    return [scored[i] for i in sorted(kept)]


class VectorCache:
    """The most recently used embeddings, by key; thread-safe."""

    def __init__(self, size: int = EMBEDDING_CACHE_SIZE):
        self.size = size
        self._items: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(self, keys: list[Hashable], texts: list[str], embed_batch) -> np.ndarray:
        """The vector of each key; `embed_batch` embeds the texts of those not cached."""
        with self._lock:
            found = {key: self._items[key] for key in keys if key in self._items}
        missing = {key: text for key, text in zip(keys, texts) if key not in found}
        if missing:
            found.update(zip(missing, map(np.asarray, embed_batch(list(missing.values())))))
        with self._lock:
            for key in keys:
                self._items[key] = found[key]
                self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return np.stack([found[key] for key in keys])
