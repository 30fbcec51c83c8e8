"""The article list's search (index/article_search.py, the Articles tab, GET /api/articles?q=, `byline
articles --search`) on real stores: any case of any script ("ÉLYSÉE" finds "Élysée", "STRASSE" finds
"Straße"), the words held by the doc_id, title or source, found through a trigram index; a
store of the format before it gets its search rows as it opens, copy-store carries them; PostgreSQL
finds the same articles."""

import json
import unicodedata

import pytest

from index import migrations
from index.article_search import listed, matched
from index.articles import Article
from index.db import open_database
from index.docstore import DocStore
from index.migrations import KEY
from index.search_text import words_test
from index.store import MANIFEST, Store
from index.store_copy import DOCSTORE_TABLES, copy_rows
from tests.test_shared_store import database, postgres  # noqa: F401  (a real PostgreSQL server)

ARTICLES = [
    Article(doc_id="elysee-talks", text="", title="Talks at the Élysée Palace end late", source="Le Monde"),
    Article(doc_id="berlin-street", text="", title="Die Straße bleibt gesperrt", source="Berliner Zeitung"),
    Article(doc_id="istanbul-ferry", text="", title="İstanbul ferry timetable changes", source="Daily Sabah"),
    Article(doc_id="wildcards", text="", title="100% of *stars* [sic] rated_it", source="Odd Wire"),
    Article(doc_id="bbc-el-1", text="", title="El Niño returns", source="BBC"),
]
SEARCHES = {
    "ÉLYSÉE": ["elysee-talks"],
    "élysée monde": ["elysee-talks"],  # every word, from the title and the source
    unicodedata.normalize("NFD", "Élysée"): ["elysee-talks"],  # typed decomposed (as macOS does)
    "STRASSE": ["berlin-street"],  # casefold, not lower: ß is ss
    "straße berliner": ["berlin-street"],
    "İSTANBUL": ["istanbul-ferry"],
    "EL": ["bbc-el-1", "elysee-talks"],  # under three characters: read without the index, still any case
    "niño": ["bbc-el-1"],
    "100%": ["wildcards"],
    "*stars*": ["wildcards"],
    "[sic]": ["wildcards"],
    "rated_it": ["wildcards"],
    "%": ["wildcards"],
    "_": ["wildcards"],
    "*": ["wildcards"],
    "BBC-EL": ["bbc-el-1"],  # the doc_id
    "EL niño": ["bbc-el-1"],  # a short word before others, and special characters: (SQLite 3.40's FTS5 crashed on these)
    "[sic] odd": ["wildcards"],
    "*stars* 100% wire": ["wildcards"],
    "élysée straße": [],
    "nowhere": [],
}


def stocked(docs: DocStore) -> DocStore:
    with docs.transaction():
        for article in ARTICLES:
            docs.put(article, [], [])
        docs.database.write("UPDATE articles SET ingested_at = '2026-01-01 00:00:00'")  # pages in doc_id order
    return docs


def found(docs: DocStore, query: str) -> list[str]:
    return sorted(stored.article.doc_id for stored in listed(docs, 0, 50, query))


@pytest.fixture
def sqlite_docs(tmp_path):
    docs = stocked(DocStore(tmp_path / "articles.sqlite3"))
    yield docs
    docs.close()


def test_search_folds_unicode_case_and_matches_words_literally(sqlite_docs):
    for query, expected in SEARCHES.items():
        assert (query, found(sqlite_docs, query)) == (query, sorted(expected))
        assert (query, matched(sqlite_docs, query)) == (query, len(expected))
    assert matched(sqlite_docs, "  ") == len(ARTICLES) == len(listed(sqlite_docs, 0, 50, ""))


def test_search_reads_sqlites_trigram_index_and_forgets_a_deleted_or_replaced_article(sqlite_docs):
    plan = sqlite_docs.database.rows("EXPLAIN QUERY PLAN SELECT rowid FROM article_search_index WHERE folded GLOB ?", ("*élysée*",))
    assert any("article_search_index VIRTUAL TABLE INDEX" in step[-1] for step in plan), plan
    assert sqlite_docs.delete("elysee-talks")
    assert found(sqlite_docs, "élysée") == [] and sqlite_docs.database.rows("SELECT COUNT(*) FROM article_search") == [(4,)]
    with sqlite_docs.transaction():
        sqlite_docs.put(Article(doc_id="berlin-street", text="", title="Die Straße ist offen", source="Berliner Zeitung"), [], [])
    assert found(sqlite_docs, "offen") == ["berlin-street"] and found(sqlite_docs, "gesperrt") == []


def test_copy_store_carries_the_search_rows(sqlite_docs, tmp_path):
    target = DocStore(tmp_path / "copy.sqlite3")
    try:
        copy_rows(sqlite_docs.database, target.database, {t: DOCSTORE_TABLES[t] for t in ("articles", "article_search")}, lambda *told: None)
        assert found(target, "ÉLYSÉE") == ["elysee-talks"] and found(target, "STRASSE") == ["berlin-street"]
    finally:
        target.close()


def test_a_store_of_the_format_before_search_gets_its_rows_as_it_opens(tmp_path, seed_settings):
    settings = seed_settings.model_copy(update={"store": tmp_path / "store"})
    store = Store(settings)
    stocked(store.docs)
    store.docs.database.write("DELETE FROM article_search")  # as format 2 kept it: no search rows
    store.close()
    file = tmp_path / "store" / MANIFEST
    file.write_text(json.dumps({**json.loads(file.read_text()), KEY: 2}))

    reopened = Store(settings)
    try:
        assert json.loads(file.read_text())[KEY] == migrations.VERSION
        assert found(reopened.docs, "ÉLYSÉE") == ["elysee-talks"] and matched(reopened.docs, "") == len(ARTICLES)
    finally:
        reopened.close()


@pytest.mark.slow
def test_postgres_finds_the_same_articles_through_its_trigram_index(database, sqlite_docs, tmp_path):  # noqa: F811
    shared = stocked(DocStore(open_database(database, tmp_path / "unused")))
    try:
        sql, params = words_test("postgresql", ["élysée", "100%"])
        shared.database.write("SET enable_seqscan = off")  # five rows: the planner would rather read them all
        plan = "\n".join(step for (step,) in shared.database.rows(f"EXPLAIN {sql}", params))
        shared.database.write("RESET enable_seqscan")
        assert "article_search_trigrams" in plan, plan
        for query, expected in SEARCHES.items():
            assert (query, found(shared, query)) == (query, found(sqlite_docs, query)) == (query, sorted(expected))
            assert matched(shared, query) == matched(sqlite_docs, query)
        pages = [[s.article.doc_id for s in listed(docs, 1, 2, "e")] for docs in (shared, sqlite_docs)]
        assert pages[0] == pages[1] and len(pages[0]) == 2
    finally:
        shared.close()


@pytest.mark.slow
def test_postgres_without_pg_trgm_searches_all_the_same(database, sqlite_docs, tmp_path):  # noqa: F811
    import psycopg

    with psycopg.connect(database, autocommit=True) as owner:  # a role that may make tables, not extensions
        owner.execute("DROP ROLE IF EXISTS plain_writer")
        owner.execute("CREATE ROLE plain_writer LOGIN")
        owner.execute("GRANT CREATE ON SCHEMA public TO plain_writer")
    shared = stocked(DocStore(open_database(database.replace("//byline@", "//plain_writer@"), tmp_path / "unused")))
    try:
        assert shared.database.rows("SELECT COUNT(*) FROM pg_extension WHERE extname = 'pg_trgm'") == [(0,)]
        for query in ("ÉLYSÉE", "*stars* 100% wire", "EL niño"):
            assert (query, found(shared, query)) == (query, found(sqlite_docs, query))
    finally:
        shared.close()
