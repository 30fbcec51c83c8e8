"""`repair` pages through Chroma and the docstore and makes Chroma hold exactly the docstore's chunks:
a vector missing, one of an article the docstore lacks, one made from another text, and one with
another title are each put right, and only their articles are embedded again."""

from index import repair as repair_module
from index.ingest import IngestReport, ingest_articles
from index.repair import repair
from index.vectors import TEXT_HASH, text_hash
from tests.test_pipelined_ingest import article, model_calls, stored_in_chroma  # noqa: F401 (a fixture)


def test_repair_pages_through_the_store_and_embeds_again_only_the_damaged_articles(fresh_store, monkeypatch, model_calls):
    monkeypatch.setattr(repair_module, "PAGE", 3)
    store = fresh_store.store
    ingest_articles(store, [article(i, 6) for i in range(6)], IngestReport())
    clean = stored_in_chroma(store)
    collection = store.vectors.chroma_collection  # damaged behind the interface's back
    collection.delete(ids=["a1::0"])  # a1: a vector missing
    stray = collection.get(ids=["a2::0"], include=["embeddings", "metadatas"])  # a vector of an article never stored
    collection.add(ids=["gone::0"], embeddings=stray["embeddings"], metadatas=[{**stray["metadatas"][0], "doc_id": "gone", "document_id": "gone"}])
    collection.update(ids=["a3::1"], metadatas=[{TEXT_HASH: text_hash("an older text")}])  # a3: embedded from another text
    collection.update(ids=["a4::0"], metadatas=[{"title": "An older title"}])  # a4: another version's metadata
    store.docs.set_unfinished(True)
    model_calls.clear()

    with store.writing():
        assert repair(store) == 4  # a1, a3, a4, and `gone` (removed)

    assert not store.docs.unfinished()
    repaired = stored_in_chroma(store)
    assert set(repaired) == set(clean) and all(repaired[i][0] == clean[i][0] for i in clean)
    assert all(abs(repaired[i][1] - clean[i][1]).max() < 1e-5 for i in clean)
    embedded_again = {text.split("\n")[0] for call in model_calls for text in call}
    assert sum(len(call) for call in model_calls) == sum(1 for i in clean if i.split("::")[0] in ("a1", "a3", "a4"))
    assert all("Report 0" not in text and "Report 5" not in text for call in model_calls for text in call), embedded_again
    with store.writing():
        assert repair(store) == 0
