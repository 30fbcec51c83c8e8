"""The lexical index in tantivy (BYLINE_LEXICAL_INDEX=tantivy): updated in place, filtered, kept equal
to the docstore's rows across a cut-short write and a switch of index, scoring as FTS5 does."""

import json
import sqlite3
import subprocess
import sys

import pytest

from index.articles import Article
from index.db.sqlite import SQLiteDatabase
from index.docstore import DocStore, StoredChunk
from index.lexical.terms import lexical_terms
from index.sentences import split_sentences
from rag.schema import Filters
from tests.conftest import ROOT, SEED_DOC, SEEDS
from tests.test_lexical_index import articles_service, lexical, write


@pytest.fixture(scope="module")
def service(tmp_path_factory, seed_settings):
    return articles_service(tmp_path_factory.mktemp("tantivy"), seed_settings, "tantivy")


def test_the_index_is_tantivys_in_the_store_folder_and_fts5_is_gone(service):
    assert (service.store.path / "lexical.tantivy" / "meta.json").exists()
    with sqlite3.connect(service.store.path / "articles.sqlite3") as db:
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'chunk_search'").fetchall() == []
        assert db.execute("SELECT COUNT(*) FROM lexical_queue").fetchone()[0] == 0  # every write applied


def test_adding_changing_and_deleting_an_article_updates_the_index_in_place(service, tmp_path):
    docs = service.store.docs
    assert lexical(service, "lighthouse keeper") == []
    service.ingest([write(tmp_path, "lighthouse.md", "Valley Courier", "2024-05-01", "The lighthouse keeper retired after thirty years.")])
    assert lexical(service, "lighthouse keeper") == ["lighthouse.md"]
    service.ingest([write(tmp_path, "lighthouse.md", "Valley Courier", "2024-05-01", "The lamp room was repainted by volunteers.")])
    assert lexical(service, "lighthouse keeper") == [] and lexical(service, "volunteers repainted") == ["lighthouse.md"]
    assert docs.lexical.document_frequency("volunt") == 1
    assert service.delete("lighthouse.md")
    assert lexical(service, "volunteers repainted") == [] and docs.lexical.document_frequency("volunt") == 0


def test_ranking_prefers_rare_terms_and_scores_are_positive(service):
    hits = service.retriever.chunks("harbour comet", 5, mode="bm25")
    assert [hit.doc_id for hit in hits] == ["comet.md", "harbour.md"]
    assert hits[0].score > hits[1].score > 0


def test_filters_are_honoured(service):
    assert set(lexical(service, "harbour", Filters(source="Harbour Gazette"))) == {"comet.md", "harbour.md"}
    assert lexical(service, "harbour orchard", Filters(source="Valley Courier")) == ["orchard.md"]
    assert lexical(service, "harbour", Filters(date_from="2024-03-02")) == ["comet.md"]
    assert lexical(service, "harbour", Filters(date_to="2024-03-31")) == ["harbour.md"]
    assert set(lexical(service, "harbour comet orchard", Filters(doc_ids=["orchard.md", "harbour.md"]))) == {"harbour.md", "orchard.md"}
    assert lexical(service, "harbour", Filters(source="Nobody")) == []
    search = service.store.docs.lexical.search
    terms = lexical_terms("harbour comet orchard")
    assert {i for i, _ in search(terms, 5, [("source", "!=", "Harbour Gazette")])} == {i for i, _ in search(terms, 5, [("doc_id", "=", "orchard.md")])}
    assert len(search(terms, 5, [("doc_id", "NOT IN", ["orchard.md"])])) == 2
    assert len(search(terms, 5, [("doc_id", "=", "orchard.md"), ("source", "=", "Harbour Gazette")], any_of=True)) == 3
    with pytest.raises(ValueError):
        search(terms, 5, [("source", "<", "M")])


def test_query_syntax_is_never_query_syntax(service):
    for query in ['"harbour', "harbour AND NOT comet", "harbour*", "source:harbour", "-harbour +comet", "(harbour", "l'harbour’s «comet»"]:
        assert "harbour.md" in lexical(service, query) or "comet.md" in lexical(service, query)
    assert lexical(service, "") == [] and lexical(service, "the and of it") == []


def _put(docs: DocStore, doc_id: str, texts: list[str]) -> None:
    with docs.transaction():
        docs.put(
            Article(doc_id=doc_id, text=" ".join(texts), source="Wire"), [], [StoredChunk(f"{doc_id}::{n}", doc_id, n, 0, 0, t) for n, t in enumerate(texts)]
        )


def _ids(docs: DocStore, query: str) -> list[str]:
    return [chunk.node_id for chunk, _, _ in docs.lexical_search(lexical_terms(query), 10)]


def test_a_write_cut_short_before_tantivy_is_applied_on_reopen(tmp_path):
    path = tmp_path / "articles.sqlite3"
    docs = DocStore(SQLiteDatabase(path, "tantivy"))
    _put(docs, "a", ["The ferry terminal opens in May.", "Quay works begin."])
    docs.database.close()
    with sqlite3.connect(path) as db:  # a writer stopped after its commit, before tantivy saw it
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("DELETE FROM articles WHERE doc_id = 'a'")
        db.execute("INSERT INTO articles (doc_id, hash, meta, text, sentences) VALUES ('b', 'h', '{\"doc_id\": \"b\"}', '', '[]')")
        db.execute("INSERT INTO chunks VALUES ('b::0', 'b', 0, 0, 0, 'A comet over the quay')")
        db.execute("INSERT INTO chunk_terms (node_id, doc_id, source, date_ord, terms) VALUES ('b::0', 'b', NULL, NULL, 'comet quay')")
    reopened = DocStore(SQLiteDatabase(path, "tantivy"))
    assert _ids(reopened, "ferry quay comet") == ["b::0"]
    assert reopened.database.rows("SELECT COUNT(*) FROM lexical_queue") == [(0,)]


def test_switching_the_index_either_way_rebuilds_it_from_the_rows(tmp_path):
    path = tmp_path / "articles.sqlite3"
    docs = DocStore(SQLiteDatabase(path, "tantivy"))
    _put(docs, "a", ["The ferry terminal opens in May.", "Quay works begin."])
    docs.database.close()
    fts5 = DocStore(SQLiteDatabase(path, "sqlite"))  # FTS5 is built from the rows; tantivy's queue goes
    assert _ids(fts5, "ferry") == ["a::0"]
    fts5.database.write("INSERT INTO chunk_search(chunk_search, rank) VALUES ('integrity-check', 1)")
    _put(fts5, "b", ["A comet over the harbour."])  # tantivy's index misses this one
    assert fts5.database.rows("SELECT name FROM sqlite_master WHERE name = 'lexical_queue'") == []
    fts5.database.close()
    again = DocStore(SQLiteDatabase(path, "tantivy"))
    assert _ids(again, "comet ferry") == ["b::0", "a::0"] or _ids(again, "comet ferry") == ["a::0", "b::0"]
    assert _ids(again, "comet") == ["b::0"]


def test_ranking_and_scores_are_fts5s_on_a_real_article(tmp_path):
    """The seed article's sentences, three to a chunk, and the seed questions as queries: both
    indexes find the same chunks with the same scores (ties in either order)."""
    text = (SEEDS / SEED_DOC).read_text()
    sentences = [text[span.start : span.end] for span in split_sentences(text)]
    stores = [DocStore(SQLiteDatabase(tmp_path / name / "articles.sqlite3", name)) for name in ("sqlite", "tantivy")]
    for docs in stores:
        for n in range(0, len(sentences), 3):
            _put(docs, f"s{n}", sentences[n : n + 3])
    questions = [json.loads(line)["question"] for line in (ROOT / "bench" / "questions" / "seed.jsonl").read_text().splitlines() if line.strip()]
    for question in questions:
        fts5, tantivy = ([(chunk.node_id, score) for chunk, _, score in docs.lexical_search(lexical_terms(question), 10)] for docs in stores)
        assert [score for _, score in tantivy] == pytest.approx([score for _, score in fts5], rel=1e-4), question
        assert _by_score(tantivy) == _by_score(fts5), question


def _by_score(ranked: list[tuple[str, float]]) -> list[set[str]]:
    """The ids of a ranking grouped by score, best first, the last (perhaps cut) group left out."""
    groups: dict[float, set[str]] = {}
    for node_id, score in ranked:
        groups.setdefault(round(score, 4), set()).add(node_id)
    return list(groups.values())[:-1]


def test_a_write_in_another_process_is_found_at_once(tmp_path):
    path = tmp_path / "articles.sqlite3"
    reader = DocStore(SQLiteDatabase(path, "tantivy"))
    _put(reader, "a", ["The ferry terminal opens in May."])
    assert _ids(reader, "comet") == []
    script = (
        "import sys; from pathlib import Path; from index.db.sqlite import SQLiteDatabase; from index.docstore import DocStore;"
        "from tests.test_lexical_tantivy import _put; _put(DocStore(SQLiteDatabase(Path(sys.argv[1]), 'tantivy')), 'b', ['A comet over the harbour.'])"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], cwd=ROOT, check=True, timeout=60)
    assert _ids(reader, "comet") == ["b::0"]


def test_auto_keeps_a_stores_own_index_and_gives_a_new_store_tantivys(tmp_path):
    fts5 = DocStore(SQLiteDatabase(tmp_path / "old" / "articles.sqlite3", "sqlite"))
    _put(fts5, "a", ["The ferry terminal opens in May."])
    fts5.database.close()
    kept, new = (DocStore(SQLiteDatabase(tmp_path / name / "articles.sqlite3", "auto")) for name in ("old", "new"))
    assert type(kept.lexical).__name__ == "SQLiteLexicalIndex" and _ids(kept, "ferry") == ["a::0"]
    assert type(new.lexical).__name__ == "TantivyLexicalIndex" and not (tmp_path / "old" / "lexical.tantivy").exists()
    _put(new, "b", ["A comet over the harbour."])
    new.database.close()
    assert type(DocStore(SQLiteDatabase(tmp_path / "new" / "articles.sqlite3", "auto")).lexical).__name__ == "TantivyLexicalIndex"
    # A docstore opened by its path alone keeps the index it has too: it never builds the other one.
    assert type(DocStore(tmp_path / "new" / "articles.sqlite3").lexical).__name__ == "TantivyLexicalIndex"
    assert type(DocStore(tmp_path / "old" / "articles.sqlite3").lexical).__name__ == "SQLiteLexicalIndex"


def test_a_bulk_fill_is_indexed_at_its_end(tmp_path, monkeypatch):
    from index.lexical import tantivy as lexical_tantivy

    docs = DocStore(SQLiteDatabase(tmp_path / "articles.sqlite3", "tantivy"))
    _put(docs, "a", ["The ferry terminal opens in May."])
    monkeypatch.setattr(lexical_tantivy, "REBUILD_FROM", 2)  # so many queued changes: built again from the rows
    with docs.lexical.filled_at_end():
        _put(docs, "b", ["A comet over the harbour."])
        _put(docs, "c", ["The harbour ferry runs late."])
        assert _ids(docs, "harbour") == []
    assert set(_ids(docs, "harbour ferry")) == {"a::0", "b::0", "c::0"}
    assert docs.database.rows("SELECT COUNT(*) FROM lexical_queue") == [(0,)]
