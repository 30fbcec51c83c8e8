"""Chroma keeps each chunk's vector, not its text: dense hits read their texts from the docstore, and a
chunk whose stored text is not the one its vector was made from is never returned."""

import numpy as np
import pytest

from index.vectors import TEXT_HASH, text_hash

QUESTION = "What did the article report?"


@pytest.fixture
def service(fresh_store, seed_copy):
    report = fresh_store.ingest([seed_copy])
    assert report.added == 1 and report.chunks > 2
    return fresh_store


def dense(service, k: int = 50):
    return service.retriever.chunks(QUESTION, k, mode="dense")


def raw_query(service, k: int = 50) -> dict:
    """What Chroma itself ranks first for the question: ids and llama-index's similarity."""
    vector = service.store.embed_model.get_query_embedding(QUESTION)
    return {hit.id: float(np.exp(-hit.distance)) for hit in service.store.vectors.query(vector, k)}


def rewrite_chunk_text(service, node_id: str, text: str) -> None:
    """As an interrupted write could leave it: the docstore's text no longer the embedded one."""
    with service.store.docs.transaction():
        service.store.docs._write("UPDATE chunks SET text = ? WHERE node_id = ?", (text, node_id))


def test_chroma_holds_vectors_and_text_hashes_and_hits_carry_the_stored_texts(service):
    found = service.store.vectors.chroma_collection.get(include=["documents", "metadatas"])  # Chroma itself
    stored = {c.node_id: c.text for c in service.store.docs.chunks()}
    assert set(found["ids"]) == set(stored)
    assert found["documents"] == [None] * len(stored)
    assert all(m[TEXT_HASH] == text_hash(stored[i]) and "_node_content" not in m for i, m in zip(found["ids"], found["metadatas"]))

    hits = dense(service)
    expected = raw_query(service)
    assert [h.node_id for h in hits] == list(expected)
    assert [h.score for h in hits] == pytest.approx(list(expected.values()))
    assert all(h.text == stored[h.node_id] and h.doc_id for h in hits)
    assert {"title", "first_sentence", "last_sentence"} <= set(hits[0].metadata)
    assert not {TEXT_HASH, "document_id", "_node_content"} & set(hits[0].metadata)


def test_a_chunk_whose_stored_text_changed_since_it_was_embedded_is_left_out(service):
    first = dense(service)[0]
    rewrite_chunk_text(service, first.node_id, first.text + " (corrected)")
    assert first.node_id not in {h.node_id for h in dense(service)}
    assert first.node_id in raw_query(service)  # still in Chroma: the hash, not Chroma, left it out
