"""The article list's search (index/article_search.py) on a large SQLite store, before and after its
trigram index: `python -m bench.article_search [ARTICLES]` (default 100000).

Builds a docstore of ARTICLES articles (titles of four words from a vocabulary with accented and
rare words, ten sources; no text or chunks: the search reads only doc_id, title and source), then
for each query times a page of 200 and its count, as the Articles tab asks for them: the SQL of
the commit before (`LOWER(json_extract(meta, …)) LIKE ?` over every article, ASCII case only) and
today's, alternating, 7 rounds. Prints p50 and max in ms, and how many articles each matched (the
same for queries without non-ASCII letters).
"""

import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from index.article_search import listed, matched
from index.articles import Article
from index.docstore import DocStore

# fmt: off
WORDS = [
    "council", "budget", "harbour", "ferry", "tram", "bridge", "school", "election", "strike", "flood",
    "court", "hospital", "library", "market", "festival", "police", "mayor", "river", "storm", "museum",
] + [f"w{n}" for n in range(400)] + ["Élysée", "Straße", "niño"]
# fmt: on
SOURCES = [f"Outlet {name}" for name in ("North", "South", "Harbour Times", "Le Monde", "Valley Post", "Wire", "Daily", "Courier", "Gazette", "Herald")]
QUERIES = ["harbour", "council budget", "w123", "élysée", "le monde ferry", "zzz-nowhere", "el", "article-00042"]
PAGE, ROUNDS = 200, 7


def old_where(query: str) -> tuple[str, list]:
    """The WHERE clause of index/article_search.py before the index (commit 2863c2c)."""
    words = query.lower().split()[:10]
    fields = ("a.doc_id", "json_extract(a.meta, '$.title')", "json_extract(a.meta, '$.source')")
    word = "(" + " OR ".join(f"LOWER({field}) LIKE ? ESCAPE '\\'" for field in fields) + ")"
    patterns = ["%" + re.sub(r"([\\%_])", r"\\\1", w) + "%" for w in words]
    return " WHERE " + " AND ".join([word] * len(words)), [p for pattern in patterns for p in [pattern] * len(fields)]


def old_search(docs: DocStore, query: str) -> int:
    where, params = old_where(query)
    docs.database.rows(
        "SELECT a.meta, (SELECT COUNT(*) FROM chunks c WHERE c.doc_id = a.doc_id) FROM articles a"
        f"{where} ORDER BY a.ingested_at DESC, a.doc_id LIMIT ? OFFSET ?",
        (*params, PAGE, 0),
    )
    return docs.database.rows(f"SELECT COUNT(*) FROM articles a{where}", params)[0][0]


def new_search(docs: DocStore, query: str) -> int:
    listed(docs, 0, PAGE, query)
    return matched(docs, query)


def build(docs: DocStore, count: int) -> None:
    rng = random.Random(7)
    with docs.transaction():
        for n in range(count):
            title = " ".join(rng.choice(WORDS) for _ in range(4)).capitalize()
            docs.put(Article(doc_id=f"article-{n:05}", text="", title=title, source=rng.choice(SOURCES)), [], [])


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    with tempfile.TemporaryDirectory() as folder:
        docs = DocStore(Path(folder) / "articles.sqlite3")
        started = time.perf_counter()
        build(docs, count)
        print(f"{count:,} articles stored in {time.perf_counter() - started:.1f} s")
        print(f"{'query':<18} {'before p50':>10} {'max':>8} {'after p50':>10} {'max':>8}  matched before/after")
        for query in QUERIES:
            times: dict[str, list[float]] = {"old": [], "new": []}
            found = {}
            for _ in range(ROUNDS):
                for name, search in (("old", old_search), ("new", new_search)):
                    began = time.perf_counter()
                    found[name] = search(docs, query)
                    times[name].append((time.perf_counter() - began) * 1000)
            old, new = times["old"], times["new"]
            print(
                f"{query:<18} {statistics.median(old):>10.1f} {max(old):>8.1f} {statistics.median(new):>10.1f} {max(new):>8.1f}  {found['old']}/{found['new']}"
            )
        docs.close()


if __name__ == "__main__":
    main()
