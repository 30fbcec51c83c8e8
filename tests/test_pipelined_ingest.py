"""The pipelined ingest (a thread embeds one batch while the next is read and the last written) stores
what a batch-by-batch ingest would: the same chunks, ids and vectors, with its batches analysed by
worker processes too; a failure keeps what came before."""

import numpy as np
import pytest
from llama_index.embeddings.huggingface import HuggingFaceEmbedding

from index import analysis as analysis_module
from index import embedding as embedding_module
from index import ingest as ingest_module
from index.articles import Article
from index.embedding import embed_texts_of
from index.ingest import IngestReport, ingest_articles, prepare
from index.vectors import TEXT_HASH, text_hash

PLACES = ["harbour", "council", "railway", "school", "hospital", "market", "bridge", "library"]


def article(i: int, sentences: int, version: int = 0, body_of: int | None = None) -> Article:
    n = i if body_of is None else body_of
    text = " ".join(
        f"The {PLACES[(n + s) % 8]} board met for the {s + 1}th time on plan {n} and voted {s * 3 + n + version} to"
        f" {(s + n) % 5} on item {s}, after a long debate about the {PLACES[(n * s) % 8]} budget."
        for s in range(sentences)
    )
    return Article(doc_id=f"a{i}", text=text, title="Town news" if body_of is not None else f"Report {i}")


@pytest.fixture
def model_calls(monkeypatch):
    """Every list of texts the model is given, in one call each."""
    calls: list[list[str]] = []
    real = HuggingFaceEmbedding._get_text_embeddings

    def spy(self, texts):
        calls.append(list(texts))
        return real(self, texts)

    monkeypatch.setattr(HuggingFaceEmbedding, "_get_text_embeddings", spy)
    return calls


def stored_in_chroma(store) -> dict[str, tuple[str, np.ndarray]]:
    """Each chunk's text hash and vector in Chroma."""
    found = store.vectors.get(embeddings=True)
    return {i: (m[TEXT_HASH], np.asarray(e)) for i, m, e in zip(found.ids, found.metadatas, found.embeddings)}


def test_the_pipeline_stores_what_a_batch_by_batch_ingest_would(fresh_store, monkeypatch, model_calls):
    monkeypatch.setattr(ingest_module, "EMBED_BATCH_ARTICLES", 3)
    store = fresh_store.store
    monkeypatch.setattr(analysis_module, "POOL_FROM_CHARS", 0)  # every batch analysed by a worker process
    monkeypatch.setattr(store.settings, "ingest_workers", 1)
    # 11 articles, several chunks each; a2 comes again later, changed; a9 and a10 share a body and title.
    articles = [article(i, 6 + 5 * (i % 3)) for i in range(9)] + [article(9, 12, body_of=4), article(10, 12, body_of=4)]
    articles.insert(7, article(2, 8, version=1))
    report = IngestReport()
    ingest_articles(store, articles, report)

    final = {a.doc_id: a for a in articles}  # the later a2 wins
    expected = {c.node_id: c for a in final.values() for c in prepare(a, store).chunks}
    assert (report.added, report.updated, report.unchanged, report.chunks) == (11, 1, 0, sum(len(prepare(a, store).chunks) for a in articles))
    stored = {c.node_id: c for c in store.docs.chunks()}
    assert stored == expected
    chroma = stored_in_chroma(store)
    assert set(chroma) == set(expected) and all(chroma[i][0] == text_hash(c.text) for i, c in expected.items())

    given = [text for call in model_calls for text in call]
    assert len(given) == len(set(given))  # a9's and a10's chunks, the same texts, embedded once
    texts = {n.node_id: t for a in final.values() for n, t in zip(prepare(a, store).nodes, embed_texts_of(prepare(a, store).nodes))}
    one_by_one = store.embed_model.get_text_embedding_batch(list(texts.values()))
    for node_id, vector in zip(texts, one_by_one):
        assert float(np.dot(chroma[node_id][1], vector)) > 0.9999, node_id
    assert texts["a9::0"] == texts["a10::0"] and texts["a9::0"] in given


def test_a_failed_embedding_keeps_the_batches_before_it_and_the_next_run_finishes(fresh_store, monkeypatch, model_calls):
    monkeypatch.setattr(ingest_module, "EMBED_BATCH_ARTICLES", 2)
    store = fresh_store.store
    articles = [article(i, 4) for i in range(7)]
    real = embedding_module.embed_texts
    batches = [0]

    def failing_second(model, texts):
        batches[0] += 1
        if batches[0] == 2:
            raise RuntimeError("the model fell over")
        return real(model, texts)

    monkeypatch.setattr(embedding_module, "embed_texts", failing_second)
    with pytest.raises(RuntimeError, match="fell over"):
        ingest_articles(store, articles, IngestReport())
    assert sorted(a.article.doc_id for a in store.docs.list(0, 10)) == ["a0", "a1"]
    assert set(stored_in_chroma(store)) == {c.node_id for c in store.docs.chunks()}

    monkeypatch.setattr(embedding_module, "embed_texts", real)
    report = IngestReport()
    ingest_articles(store, articles, report)
    assert (report.unchanged, report.added, report.repaired) == (2, 5, 0)
    assert set(stored_in_chroma(store)) == {c.node_id for c in store.docs.chunks()} and store.docs.count() == 7
