"""Score every sentence of the retrieved chunks as evidence for the question.

A sentence's score mixes its embedding similarity to the question, the share of the
question's rare words it contains, the retrieval score of its chunk, and whether it offers
the kind of answer the question asks for (a number, a date, a name).
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from index.docstore import StoredArticle
from index.store import Store
from rag.answer_types import answer_kind, asked_clause, offers, question_words
from rag.lexical import Lexicon, topic_terms
from rag.retrieval import ChunkHit

WEIGHTS = {"dense": 0.5, "lexical": 0.35, "retrieval": 0.15, "answer_kind": 0.2}
# A sentence that asks a question rarely answers one.
QUESTION_SENTENCE_PENALTY = 0.1
EMBEDDING_CACHE_SIZE = 20000


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


class EvidenceRanker:
    def __init__(self, store: Store):
        self.store = store
        self._cache: OrderedDict[tuple[str, int, int], np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._text_cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def rank(self, question: str, hits: list[ChunkHit], lexicon: Lexicon) -> list[Evidence]:
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
            for index in range(hit.metadata["first_sentence"], hit.metadata["last_sentence"]):
                key = (hit.doc_id, index)
                candidates[key] = max(candidates.get(key, 0.0), hit.score / best_hit)
        if not candidates:
            return []
        keys = list(candidates)
        texts = [articles[d].sentence_text(i) for d, i in keys]
        question_vector = np.asarray(self.store.embed_model.get_query_embedding(question))
        dense = self._embed(keys, texts, articles) @ question_vector
        terms = topic_terms(question)
        kind = answer_kind(asked_clause(question))
        asked = question_words(question)
        ranked = []
        for (doc_id, index), text, similarity in zip(keys, texts, dense):
            lexical = lexicon.overlap(terms, text)
            score = (
                WEIGHTS["dense"] * float(similarity)
                + WEIGHTS["lexical"] * lexical
                + WEIGHTS["retrieval"] * candidates[(doc_id, index)]
                + (WEIGHTS["answer_kind"] if kind and offers(text, kind, asked) else 0.0)
                - (QUESTION_SENTENCE_PENALTY if text.rstrip("”\"' ").endswith("?") else 0.0)
            )
            span = articles[doc_id].sentences[index]
            ranked.append(
                Evidence(doc_id, articles[doc_id].article.title, text, index, span.start, span.end, score, float(similarity), lexical)
            )
        ranked.sort(key=lambda e: e.score, reverse=True)
        return ranked

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        """Embeddings of any texts (an answer's claims, evidence sentences), cached by text."""
        with self._cache_lock:
            found = {text: self._text_cache[text] for text in texts if text in self._text_cache}
        missing = list(dict.fromkeys(text for text in texts if text not in found))
        if missing:
            found.update(zip(missing, map(np.asarray, self.store.embed_model.get_text_embedding_batch(missing))))
        with self._cache_lock:
            for text in texts:
                self._text_cache[text] = found[text]
                self._text_cache.move_to_end(text)
            while len(self._text_cache) > EMBEDDING_CACHE_SIZE:
                self._text_cache.popitem(last=False)
        return np.stack([found[text] for text in texts])

    def _embed(self, keys, texts, articles) -> np.ndarray:
        """Sentence embeddings, cached by (doc, sentence, start) across questions."""
        cache_keys = [(d, i, articles[d].sentences[i].start) for d, i in keys]
        with self._cache_lock:
            found = {key: self._cache[key] for key in cache_keys if key in self._cache}
        missing = [n for n, key in enumerate(cache_keys) if key not in found]
        if missing:
            vectors = self.store.embed_model.get_text_embedding_batch([texts[n] for n in missing])
            found.update((cache_keys[n], np.asarray(vector)) for n, vector in zip(missing, vectors))
        with self._cache_lock:
            for key in cache_keys:
                self._cache[key] = found[key]
                self._cache.move_to_end(key)
            while len(self._cache) > EMBEDDING_CACHE_SIZE:
                self._cache.popitem(last=False)
        return np.stack([found[key] for key in cache_keys])
