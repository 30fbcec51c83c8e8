"""The lexical index in the docstore (SQLite FTS5): updated in place, filtered, escaped, migrated."""

import sqlite3

import pytest

from rag.schema import Filters

ARTICLES = {
    "harbour.md": ("Harbour Gazette", "2024-03-01", "The harbour board approved a new ferry terminal on Tuesday. Work on the quay starts in May."),
    "orchard.md": ("Valley Courier", "2024-03-09", "Cider makers in the valley pressed a record apple harvest. The orchard cooperative hired forty pickers."),
    "comet.md": ("Harbour Gazette", "2024-04-02", "An amateur astronomer spotted a new comet from the harbour wall. It will be brightest in June."),
}


def write(folder, name: str, source: str, date: str, text: str):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(f"---\nsource: {source}\ndate: {date}\n---\n{text}\n")
    return folder / name


def articles_service(root, seed_settings, lexical_index: str):
    """A store of `ARTICLES` under `root`, its lexical index the one named."""
    from rag.service import Byline

    service = Byline(seed_settings.model_copy(update={"store": root / "store", "lexical_index": lexical_index}))
    for name, (source, date, text) in ARTICLES.items():
        write(root / "corpus", name, source, date, text)
    assert service.ingest([root / "corpus"]).added == len(ARTICLES)
    return service


@pytest.fixture(scope="module")
def service(tmp_path_factory, seed_settings):
    return articles_service(tmp_path_factory.mktemp("lexical"), seed_settings, "sqlite")


def lexical(service, query: str, filters: Filters | None = None) -> list[str]:
    return [hit.doc_id for hit in service.retriever.chunks(query, 5, filters, mode="bm25")]


def test_adding_changing_and_deleting_an_article_updates_the_index_in_place(service, tmp_path):
    docs = service.store.docs
    rows = docs.chunk_count()
    assert lexical(service, "lighthouse keeper") == []
    service.ingest([write(tmp_path, "lighthouse.md", "Valley Courier", "2024-05-01", "The lighthouse keeper retired after thirty years.")])
    assert lexical(service, "lighthouse keeper") == ["lighthouse.md"]
    service.ingest([write(tmp_path, "lighthouse.md", "Valley Courier", "2024-05-01", "The lamp room was repainted by volunteers.")])
    assert lexical(service, "lighthouse keeper") == [] and lexical(service, "volunteers repainted") == ["lighthouse.md"]
    assert service.delete("lighthouse.md")
    assert lexical(service, "volunteers repainted") == [] and docs.lexical.document_frequency("volunt") == 0
    with sqlite3.connect(service.store.path / "articles.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM chunk_terms").fetchone()[0] == docs.chunk_count() == rows
        db.execute("INSERT INTO chunk_search(chunk_search, rank) VALUES ('integrity-check', 1)")  # raises if the index drifted


def test_ranking_prefers_rare_terms_and_scores_are_positive(service):
    hits = service.retriever.chunks("harbour comet", 5, mode="bm25")
    assert [hit.doc_id for hit in hits] == ["comet.md", "harbour.md"]  # only comet.md holds both
    assert hits[0].score > hits[1].score > 0


def test_filters_are_honoured(service):
    assert set(lexical(service, "harbour", Filters(source="Harbour Gazette"))) == {"comet.md", "harbour.md"}
    assert lexical(service, "harbour orchard", Filters(source="Valley Courier")) == ["orchard.md"]
    assert lexical(service, "harbour", Filters(date_from="2024-03-02")) == ["comet.md"]
    assert lexical(service, "harbour", Filters(date_to="2024-03-31")) == ["harbour.md"]
    assert set(lexical(service, "harbour comet orchard", Filters(doc_ids=["orchard.md", "harbour.md"]))) == {"harbour.md", "orchard.md"}
    assert lexical(service, "harbour", Filters(source="Nobody")) == []
    assert service.retriever.chunks("harbour", 5, Filters(source="Nobody")) == []  # hybrid too


@pytest.mark.parametrize(
    "query",
    [
        '"harbour',
        'harbour" OR "',
        "harbour AND NOT comet",
        "NEAR(harbour comet)",
        "harbour*",
        "^harbour",
        "col:harbour",
        "-harbour +comet",
        "(harbour",
        "harbour; DROP TABLE chunks; --",
        "l'harbour’s «comet»",
    ],
)
def test_query_syntax_is_never_fts_syntax(service, query):
    assert "harbour.md" in lexical(service, query) or "comet.md" in lexical(service, query)


def test_a_question_without_index_terms_finds_nothing_lexically(service):
    assert lexical(service, "") == [] and lexical(service, "the and of it") == [] and lexical(service, "?!") == []


def test_an_article_with_fts_syntax_is_indexed_as_words(service, tmp_path):
    text = 'He said "NEAR(x) AND y*" OR -z: col:value ^start; that was all.'
    service.ingest([write(tmp_path, "syntax.md", "Valley Courier", "2024-05-02", text)])
    assert lexical(service, "near value") == ["syntax.md"]
    assert service.delete("syntax.md")


def test_scoring_rare_terms_first_ranks_as_the_whole_query(tmp_path, monkeypatch):
    """On a store where common words match most chunks, the search that scores only chunks with the
    query's rarer terms (used on large stores) returns what FTS5 ranks for the whole query."""
    import random

    from index.lexical import sqlite as lexical_sqlite
    from index.articles import Article
    from index.db.sqlite import SQLiteDatabase
    from index.docstore import DocStore, StoredChunk

    rng = random.Random(7)
    words = [f"w{i}x" for i in range(1, 1500)]
    weights = [1 / i for i in range(1, 1500)]  # Zipf: a few words in most chunks, most words rare
    docs = DocStore(SQLiteDatabase(tmp_path / "articles.sqlite3", "sqlite"))
    with docs.transaction():
        for n in range(120):
            article = Article(doc_id=f"a{n}", text="", source="Wire" if n % 3 else "Local")
            chunks = [StoredChunk(f"a{n}::{c}", f"a{n}", c, 0, 0, " ".join(rng.choices(words, weights, k=60))) for c in range(3)]
            docs.put(article, [], chunks)
    queries = [rng.choices(words, weights, k=rng.randint(3, 12)) for _ in range(40)]
    used = 0
    for terms in queries:
        for where in ([], [("source", "=", "Wire")]):
            monkeypatch.setattr(lexical_sqlite, "RARE_FIRST_FROM", 10**9)
            whole = docs.lexical.search(terms, 15, where)
            monkeypatch.setattr(lexical_sqlite, "RARE_FIRST_FROM", 0)
            first = docs.lexical.search(terms, 15, where)
            assert [i for i, _ in first] == [i for i, _ in whole] and [s for _, s in first] == pytest.approx([s for _, s in whole])
            with docs.lexical._lock:
                used += docs.lexical._rare_first(terms, 15, "", []) is not None
    assert used > 20, used
