"""Pages of the docstore's article list, newest ingest first, and a search of it by doc_id, title and
source (the Articles tab, GET /api/articles?q=, `byline articles --search`): each word searched for
is held, in any case (Unicode case folding: "ÉLYSÉE" finds "Élysée"), by one of the three. The text
searched is index/search_text.py's, indexed in SQLite."""

import json

from index.articles import Article
from index.docstore import DocStore, StoredArticle
from index.search_text import folded, words_test

SEARCH_WORDS = 10  # the words of a search that count


def _matching(docs: DocStore, query: str) -> tuple[str, tuple]:
    """A WHERE clause keeping the articles `query` matches, and its parameters."""
    words = folded(query.replace("\x00", "")).split()[:SEARCH_WORDS]
    if not words:
        return "", ()
    found, params = words_test(docs.database.dialect, words)
    return f" WHERE a.doc_id IN ({found})", tuple(params)


def listed(docs: DocStore, offset: int = 0, limit: int = 50, query: str = "") -> list[StoredArticle]:
    """Articles without their text, newest ingest first; with `query`, those it matches."""
    where, params = _matching(docs, query)
    rows = docs.database.rows(
        "SELECT a.meta, (SELECT COUNT(*) FROM chunks c WHERE c.doc_id = a.doc_id) FROM articles a"
        f"{where} ORDER BY a.ingested_at DESC, a.doc_id LIMIT ? OFFSET ?",
        (*params, limit, offset),
    )
    return [StoredArticle(Article(text="", **json.loads(meta)), [], chunks) for meta, chunks in rows]


def matched(docs: DocStore, query: str = "") -> int:
    """How many articles `query` matches (all of them, without one)."""
    where, params = _matching(docs, query)
    return docs.database.rows(f"SELECT COUNT(*) FROM articles a{where}", params)[0][0]
