"""Pages of the docstore's article list, newest ingest first, and a search of it by doc_id, title and
source (the Articles tab, GET /api/articles?q=): each word searched for is held, in any case, by one
of the three. SQLite folds the case of ASCII letters only."""

import json
import re

from index.articles import Article
from index.docstore import DocStore, StoredArticle

SEARCH_WORDS = 10  # the words of a search that count


def _matching(docs: DocStore, query: str) -> tuple[str, tuple]:
    """A WHERE clause keeping the articles `query` matches, and its parameters."""
    words = query.replace("\x00", "").lower().split()[:SEARCH_WORDS]
    if not words:
        return "", ()
    json_text = docs.database.json_text
    fields = ("a.doc_id", json_text("a.meta", "title"), json_text("a.meta", "source"))
    word = "(" + " OR ".join(f"LOWER({field}) LIKE ? ESCAPE '\\'" for field in fields) + ")"
    patterns = ["%" + re.sub(r"([\\%_])", r"\\\1", w) + "%" for w in words]
    return " WHERE " + " AND ".join([word] * len(words)), tuple(p for pattern in patterns for p in [pattern] * len(fields))


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
