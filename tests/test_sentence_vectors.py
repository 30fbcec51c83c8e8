"""Sentence vectors kept at ingest (index/sentence_vectors.py): an answer reads them instead of embedding
the sentences it weighs, and ranks the evidence as the vectors embedded at question time do."""

import numpy as np
import pytest

from index.embedding import threads_here
from index.sentence_vectors import fill, sentence_texts
from rag import evidence as evidence_module
from rag.evidence import EvidenceRanker
from rag.service import Byline
from tests.conftest import SEEDS, SEED_DOC

QUESTION = "Which neighbourhoods did the Syrian army capture?"


def counted(ranker: EvidenceRanker) -> list[int]:
    embed, calls = ranker.embed_batch, []
    ranker.embed_batch = lambda texts, **kwargs: calls.append(len(texts)) or embed(texts, **kwargs)
    return calls


def test_an_ingest_keeps_the_vector_of_every_sentence(seed_service):
    stored = seed_service.article(SEED_DOC)
    texts = sentence_texts(stored.article.text, stored.sentences)
    kept = seed_service.store.sentence_vectors.found(texts)
    assert set(kept) == set(texts)
    fresh = np.asarray(seed_service.store.embed_model.get_text_embedding_batch(texts[:5]))
    assert np.allclose(np.stack([kept[t] for t in texts[:5]]), fresh, atol=1e-5)


def test_stored_vectors_rank_the_evidence_as_fresh_ones(seed_service, monkeypatch):
    monkeypatch.setattr(evidence_module, "EMBED_LIMIT", None)  # every candidate sentence
    hits = seed_service.retriever.chunks(QUESTION, seed_service.settings.answer_chunks, None)
    fresh = EvidenceRanker(seed_service.store)
    fresh.stored = None
    fresh_calls = counted(fresh)
    stored = EvidenceRanker(seed_service.store)
    stored_calls = counted(stored)

    expected = fresh.rank(QUESTION, hits, seed_service.lexicon())
    found = stored.rank(QUESTION, hits, seed_service.lexicon())

    assert sum(fresh_calls) > 8 and stored_calls == []  # read, not embedded
    assert [(e.doc_id, e.index) for e in found] == [(e.doc_id, e.index) for e in expected]
    assert [e.score for e in found] == pytest.approx([e.score for e in expected], abs=1e-6)


def test_a_store_without_them_keeps_those_an_answer_embeds_and_fills_the_rest(tmp_path, seed_settings):
    settings = seed_settings.model_copy(update={"store": tmp_path / "store", "sentence_vectors": False})
    with Byline(settings) as service:
        service.ingest([SEEDS])
        vectors = service.store.sentence_vectors
        assert vectors.count() == 0
        calls = counted(service.ranker)

        service.ask(QUESTION)
        assert 0 < vectors.count() == sum(calls)
        service.ask(QUESTION)
        assert len(calls) == 1  # the second time, nothing is embedded

        stored = service.article(SEED_DOC)
        texts = set(sentence_texts(stored.article.text, stored.sentences))
        assert fill(service.store, service.store.embed_model.get_text_embedding_batch) == len(texts) - sum(calls)
        assert vectors.count() == len(texts)


def test_a_question_embeds_with_its_own_threads_and_leaves_the_count_as_it_was():
    import torch

    before = torch.get_num_threads()
    with threads_here(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_a_copy_of_the_store_carries_them(tmp_path, seed_service, seed_settings):
    with Byline(seed_settings.model_copy(update={"store": tmp_path / "copy"})) as copy:
        copy.copy_from(seed_service.settings.store)
        assert copy.store.sentence_vectors.count() == seed_service.store.sentence_vectors.count() > 0
        calls = counted(copy.ranker)
        copy.ask(QUESTION)
        assert calls == []
