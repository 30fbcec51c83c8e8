"""The text each article is found by in the article list's search (index/article_search.py): its
doc_id, title and source, Unicode case-folded ("ÉLYSÉE" and "Élysée" are both "élysée") and in NFC,
one line each, in `article_search`. The docstore writes its row with the article's, and it goes
with the article. In SQLite, an FTS5 trigram index over it finds a word of three or more
characters anywhere in it without reading every row; in PostgreSQL, a pg_trgm GIN index does the
same for LIKE (where pg_trgm cannot be created, the search reads the table's short rows).
"""

import re
import unicodedata

from index.articles import Article

SCHEMA = """
CREATE TABLE IF NOT EXISTS article_search (
    id {id},
    doc_id TEXT NOT NULL UNIQUE REFERENCES articles(doc_id) ON DELETE CASCADE,
    folded TEXT NOT NULL
);
"""
# SQLite's index of it (external content: the triggers keep it equal to `article_search`).
SQLITE_INDEX = """
CREATE VIRTUAL TABLE IF NOT EXISTS article_search_index USING fts5(
    folded, content='article_search', content_rowid='id', tokenize="trigram case_sensitive 1"
);
CREATE TRIGGER IF NOT EXISTS article_search_added AFTER INSERT ON article_search BEGIN
    INSERT INTO article_search_index(rowid, folded) VALUES (new.id, new.folded);
END;
CREATE TRIGGER IF NOT EXISTS article_search_removed AFTER DELETE ON article_search BEGIN
    INSERT INTO article_search_index(article_search_index, rowid, folded) VALUES ('delete', old.id, old.folded);
END;
"""
# PostgreSQL's index of it. pg_trgm ships with PostgreSQL and is trusted (a database owner may create
# it); a server without it, or a role that may not, still searches, without the index.
POSTGRES_INDEX = """
DO $$ BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN undefined_file OR insufficient_privilege THEN
    RAISE WARNING 'pg_trgm is not available (%): the article search reads every row', SQLERRM;
END $$;
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX IF NOT EXISTS article_search_trigrams ON article_search USING gin (folded gin_trgm_ops);
    END IF;
END $$;
"""
# GLOB's special characters (a word holding one is tested without the index).
UNINDEXED = re.compile(r"([*?\[\]])")
INSERT = "INSERT INTO article_search (doc_id, folded) VALUES (?, ?) ON CONFLICT (doc_id) DO NOTHING"


def schema(dialect: str) -> str:
    """The table and its index (a schema template: `{id}` is the dialect's)."""
    return SCHEMA + (SQLITE_INDEX if dialect == "sqlite" else POSTGRES_INDEX)


def folded(text: str) -> str:
    """`text` as searches compare it: case-folded, in NFC."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


def row(article: Article) -> tuple[str, str]:
    """The `article_search` row of an article, for INSERT."""
    return article.doc_id, folded("\n".join((article.doc_id, article.title or "", article.source or "")))


def words_test(dialect: str, words: list[str]) -> tuple[str, list[str]]:
    """SQL selecting the doc_ids whose folded text holds every one of `words` (folded already), and
    its parameters: GLOB in SQLite, LIKE in PostgreSQL."""
    if dialect != "sqlite":
        tests = " AND ".join(["folded LIKE ? ESCAPE '\\'"] * len(words))
        return f"SELECT doc_id FROM article_search WHERE {tests}", ["%" + re.sub(r"([\\%_])", r"\\\1", w) + "%" for w in words]
    # The trigram index answers words of three characters or more without GLOB's special characters;
    # other words test the rows it found (SQLite 3.40's FTS5 crashes when such a pattern leads several).
    indexed = [w for w in words if len(w) >= 3 and not UNINDEXED.search(w)]
    tests = ["folded GLOB ?"] * (len(words) - len(indexed))
    if indexed:
        tests.insert(0, f"id IN (SELECT rowid FROM article_search_index WHERE {' AND '.join(['folded GLOB ?'] * len(indexed))})")
    patterns = ["*" + UNINDEXED.sub(r"[\1]", w) + "*" for w in indexed + [w for w in words if w not in indexed]]
    return f"SELECT doc_id FROM article_search WHERE {' AND '.join(tests)}", patterns
